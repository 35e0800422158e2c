//! The named invariants (`rappard_core::invariants`) hold over many
//! generated scenarios and seeds, the same scenario and seed always give the
//! same record, and the checker does catch a record that breaks a rule.
//!
//! Rules checked: Art. IX:1 fn. 1 (consensus among Members present);
//! Art. IX:1–3, X:1, XII:2 (vote bases); Art. IX:3(a), X:1 (consensus
//! periods) and X:3 (acceptance of amendments); written procedure (any
//! objection blocks); the record's dense sequence.

use rappard_core::invariants;
use rappard_core::record::{Event, Record};
use rappard_core::rng::Rng;
use rappard_core::rules::{Outcome, Votes};
use rappard_core::scenario;
use rappard_core::simulation;

const POOL: [&str; 16] = [
    "ARG", "AUS", "BRA", "CAN", "CHE", "CHN", "DEU", "EU", "FRA", "IND", "JPN", "KEN", "NZL",
    "USA", "ZAF", "SGP",
];
/// The named rules (`rappard_core::rules::named`).
const NAMED: [&str; 5] = [
    "waiver",
    "waiver-transition",
    "interpretation",
    "amendment",
    "accession",
];
const RULES: [&str; 5] = [
    "consensus",
    "majority",
    "two-thirds-of-members",
    "three-fourths-of-members",
    "written-procedure",
];

/// A random scenario: members from the pool, 1–4 items with random rules,
/// fallbacks, fixed meetings, co-chairs and stances.
fn generated(case: u64) -> String {
    let mut r = Rng::new(case);
    let mut members: Vec<&str> = POOL.iter().copied().filter(|_| r.range(0, 3) > 0).collect();
    if members.len() < 3 {
        members = POOL[..5].to_vec();
    }
    let venue = if r.range(0, 1) == 0 {
        "geneva"
    } else {
        "virtual"
    };
    let package = if r.range(0, 2) == 0 {
        "single-undertaking"
    } else {
        "early-harvest"
    };
    let quoted: Vec<String> = members.iter().map(|m| format!("\"{m}\"")).collect();
    let mut s = format!(
        "[scenario]\nname = \"gen-{case}\"\nseed = {case}\nstart = \"2026-0{}-0{}T0{}:00:00Z\"\nvenue = \"{venue}\"\npackage = \"{package}\"\n\n[members]\ndataset = \"wto\"\nonly = [{}]\n",
        r.range(1, 9),
        r.range(1, 9),
        r.range(0, 9),
        quoted.join(", ")
    );
    match r.range(0, 2) {
        0 => {
            s += &format!(
                "\n[greenroom]\npolicy = \"reformed\"\nseats = {}\n",
                r.range(2, 8)
            )
        }
        1 => {
            s += &format!(
                "\n[greenroom]\npolicy = \"traditional\"\nseats = {}\n",
                r.range(2, 8)
            )
        }
        _ => {}
    }
    let with_initiative = r.range(0, 2) == 0;
    let speakers: Vec<&str> = members
        .iter()
        .copied()
        .filter(|m| !(members.contains(&"EU") && ["DEU", "FRA"].contains(m)))
        .collect();
    if with_initiative {
        let mfn = r.range(0, 1) == 0;
        s += &format!(
            "\n[[initiative]]\nid = \"jsi\"\nsponsors = [\"{}\"]\nthreshold = {}.0\nmfn = {mfn}\ndeadline_days = {}\n",
            speakers[0],
            r.range(1, 60),
            r.range(1, 15)
        );
        if !mfn && speakers.len() > 2 {
            s += &format!("objectors = [\"{}\"]\n", speakers[speakers.len() - 1]);
        }
    }
    if r.range(0, 2) == 0 {
        let applicant = ["TLS", "COM", "MNG"][r.range(0, 2) as usize];
        s += &format!(
            "\n[[accession]]\napplicant = \"{applicant}\"\nmemorandum_days = {}\nbilateral_round_days = {}\nbilateral_rounds = {}\nreport_days = 2\nratification_days = 3\n",
            r.range(1, 5),
            r.range(1, 5),
            r.range(1, 4)
        );
        if r.range(0, 1) == 0 {
            s += &format!(
                "[accession.positions]\n{} = {{ stance = \"object\" }}\n",
                speakers[speakers.len() - 1]
            );
        }
    }
    for k in 0..r.range(1, 4) {
        let rule = RULES[r.range(0, 4) as usize];
        s += &format!(
            "\n[[item]]\nid = \"i{k}\"\nrule = \"{rule}\"\ndeadline_days = {}\n",
            r.range(1, 20)
        );
        if rule == "consensus" && r.range(0, 1) == 1 {
            s += &format!("fallback = \"{}\"\n", RULES[r.range(1, 3) as usize]);
        }
        if r.range(0, 2) == 0 {
            s += &format!(
                "meeting = {{ start = \"2026-12-{:02}T{:02}:00:00Z\", hours = {} }}\n",
                r.range(1, 28),
                r.range(0, 22),
                r.range(1, 3)
            );
        }
        if speakers.len() >= 3 && r.range(0, 3) == 0 {
            s += &format!(
                "co_chairs = [\"{}\", \"{}\", \"{}\"]\n",
                speakers[0], speakers[1], speakers[2]
            );
        }
        s += "[item.positions]\n";
        for m in &speakers {
            match r.range(0, 4) {
                0 => s += &format!("{m} = {{ stance = \"object\" }}\n"),
                1 => s += &format!("{m} = {{ stance = \"support\" }}\n"),
                2 => s += &format!("{m} = {{ stance = \"abstain\" }}\n"),
                _ => {}
            }
        }
    }
    if r.range(0, 1) == 0 {
        s += &named_item(&mut r, &speakers);
    }
    s
}

/// An item under a named rule (Art. IX:2, IX:3, X:1, X:3, XII:2), drawn
/// after the others so that adding it changes none of their draws: a
/// decision meeting that may fall inside or after the consensus period,
/// quick acceptances for amendments.
fn named_item(r: &mut Rng, speakers: &[&str]) -> String {
    let rule = NAMED[r.range(0, 4) as usize];
    let mut s = format!(
        "\n[[item]]\nid = \"named\"\nrule = \"{rule}\"\ndeadline_days = {}\n",
        r.range(1, 20)
    );
    if rule.starts_with("waiver") {
        s += &format!("consensus_days = {}\n", r.range(20, 90));
    }
    if r.range(0, 1) == 0 {
        s += &format!(
            "meeting = {{ start = \"2026-{:02}-{:02}T09:00:00Z\", hours = 2 }}\n",
            r.range(10, 12),
            r.range(1, 28)
        );
    }
    if rule == "amendment" {
        s += "acceptance_days = { developed = 5, developing = 10, least-developed = 20 }\n";
        s += &format!("[item.acceptance]\n{} = \"never\"\n", speakers[0]);
    }
    s += "[item.positions]\n";
    for m in speakers {
        match r.range(0, 5) {
            0 => s += &format!("{m} = {{ stance = \"object\" }}\n"),
            1 | 2 => s += &format!("{m} = {{ stance = \"support\" }}\n"),
            _ => {}
        }
    }
    s
}

/// Every invariant holds over 300 generated scenarios, and each run is
/// reproducible from its scenario and seed.
#[test]
fn invariants_hold_over_generated_scenarios() {
    let mut outcomes = std::collections::HashSet::new();
    for case in 0..300 {
        let text = generated(case);
        let sc = scenario::parse("generated.toml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let record = simulation::run(&sc).expect("runs");
        let broken = invariants::check(&record);
        assert!(broken.is_empty(), "case {case}: {broken:?}\n{text}");
        let again = simulation::run(&sc).expect("runs");
        assert_eq!(
            record.sha256(),
            again.sha256(),
            "case {case} is not reproducible"
        );
        for e in record.entries() {
            if let Event::DecisionTaken { outcome, how, .. } = &e.event {
                outcomes.insert(format!("{outcome:?}/{how:?}"));
            }
            if let Event::GreenRoomConvened { .. } = &e.event {
                outcomes.insert("green room".into());
            }
            if let Event::InitiativeConcluded { .. } = &e.event {
                outcomes.insert("initiative concluded".into());
            }
            if let Event::AccessionCompleted { .. } = &e.event {
                outcomes.insert("accession".into());
            }
            if let Event::WrittenProcedureFailed { .. } = &e.event {
                outcomes.insert("written procedure failed".into());
            }
            if let Event::ConsensusNotReached { .. } = &e.event {
                outcomes.insert("consensus not reached".into());
            }
            if let Event::AmendmentInForce { .. } = &e.event {
                outcomes.insert("amendment in force".into());
            }
        }
    }
    // The generator reaches every kind of decision, so the checks above
    // were exercised on each.
    for want in [
        "green room",
        "initiative concluded",
        "accession",
        "consensus not reached",
        "amendment in force",
        "Adopted/Consensus",
        "Blocked/Consensus",
        "Adopted/Vote",
        "Rejected/Vote",
        "Adopted/WrittenProcedure",
        "written procedure failed",
    ] {
        assert!(
            outcomes.contains(want),
            "no generated run ended {want}: {outcomes:?}"
        );
    }
}

fn shipped(name: &str) -> Record {
    let path = format!(
        "{}/../../examples/scenarios/{name}.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("shipped scenario");
    simulation::run(&scenario::parse(&path, &text).expect("valid")).expect("runs")
}

fn tampered(record: &Record, f: impl Fn(&mut Event) -> bool) -> Record {
    let mut out = Record::new();
    let mut changed = false;
    for e in record.entries() {
        let mut ev = e.event.clone();
        if !changed {
            changed = f(&mut ev);
        }
        out.append(e.at, ev);
    }
    assert!(changed, "the tampering found its target");
    out
}

fn names(record: &Record) -> Vec<&'static str> {
    invariants::check(record)
        .iter()
        .map(|v| v.invariant)
        .collect()
}

/// The checker catches a consensus adopted over a present objector.
#[test]
fn checker_catches_adoption_over_an_objector() {
    let record = shipped("time-zones");
    assert!(invariants::check(&record).is_empty());
    let bad = tampered(&record, |ev| match ev {
        Event::DecisionTaken {
            item,
            outcome,
            objectors,
            ..
        } if item == "present-objector" => {
            *outcome = Outcome::Adopted;
            objectors.clear();
            true
        }
        _ => false,
    });
    assert!(
        names(&bad).contains(&"consensus-no-present-objector"),
        "{:?}",
        invariants::check(&bad)
    );
}

/// The checker catches an absent objector counted, and a wrong vote base.
#[test]
fn checker_catches_absent_objectors_and_wrong_bases() {
    let record = shipped("time-zones");
    let bad = tampered(&record, |ev| match ev {
        Event::DecisionTaken {
            item, objectors, ..
        } if item == "absent-objector" => {
            objectors.push(rappard_core::member::MemberId::new("NZL").expect("id"));
            true
        }
        _ => false,
    });
    assert!(names(&bad).contains(&"objector-present-and-member"));

    let record = shipped("eu-votes");
    assert!(invariants::check(&record).is_empty());
    let bad = tampered(&record, |ev| match ev {
        // Counting the two-thirds over the votes cast (6) instead of the
        // number of Members (11) would need 4 and adopt.
        Event::DecisionTaken {
            item,
            outcome,
            required,
            ..
        } if item == "two-thirds" => {
            *outcome = Outcome::Adopted;
            *required = Some(4);
            true
        }
        _ => false,
    });
    assert!(names(&bad).contains(&"vote-threshold-base"));
    let bad = tampered(&record, |ev| match ev {
        // Counting it over the votes the Members hold (10: the EU's five
        // for its States) instead of the 11 Members would need 7, not 8
        // (Art. XII:2 counts Members; the EU is one of them).
        Event::DecisionTaken { item, required, .. } if item == "two-thirds" => {
            *required = Some(7);
            true
        }
        _ => false,
    });
    assert!(names(&bad).contains(&"vote-threshold-base"));
    let bad = tampered(&record, |ev| match ev {
        // The EU's member States do not vote beside it.
        Event::DecisionTaken { item, votes, .. } if item == "majority" => {
            *votes = Some(Votes {
                yes: 10,
                no: 4,
                abstain: 1,
            });
            true
        }
        _ => false,
    });
    assert!(names(&bad).contains(&"vote-threshold-base"));
}

/// The checker catches a gap in the sequence.
#[test]
fn checker_catches_a_gap_in_the_sequence() {
    let record = shipped("classroom");
    let mut entries = record.entries().to_vec();
    entries.remove(3);
    let text: String = entries
        .iter()
        .map(|e| String::from_utf8(Record::canonical_entry(e)).expect("utf-8") + "\n")
        .collect();
    // Re-read the entries with their original numbers.
    let mut raw = Vec::new();
    for line in text.lines() {
        raw.push(serde_json::from_str::<rappard_core::record::Entry>(line).expect("entry"));
    }
    let v = invariants::check_entries(&raw);
    assert!(v.iter().any(|v| v.invariant == "dense-sequence"), "{v:?}");
}

/// Under the reformed policy a Green Room's outcome is reported to all
/// (Li Ke, "Stagnation and Breakthrough of WTO Multilateral Trade
/// Negotiations", Journal of Hubei University of Economics 21(5), 2023,
/// §III.2, "Gradually Removing the Defects of the Informal Decision-Making
/// Mechanism"): a record without the report is caught.
#[test]
fn checker_catches_an_unreported_reformed_green_room() {
    let record = shipped("greenroom-reformed");
    assert!(invariants::check(&record).is_empty());
    let mut bad = Record::new();
    let mut dropped = false;
    for e in record.entries() {
        if !dropped && matches!(e.event, Event::GreenRoomReported { .. }) {
            dropped = true;
            continue;
        }
        bad.append(e.at, e.event.clone());
    }
    assert!(dropped);
    assert!(
        names(&bad).contains(&"green-room-reported"),
        "{:?}",
        invariants::check(&bad)
    );
}

/// Only participants' shares count toward a critical mass: a record that
/// claims a conclusion with a share its participants do not hold is caught.
#[test]
fn checker_catches_a_false_critical_mass() {
    let record = shipped("ita-critical-mass");
    assert!(invariants::check(&record).is_empty());
    let bad = tampered(&record, |ev| match ev {
        Event::InitiativeConcluded { participants, .. } => {
            participants.pop();
            true
        }
        _ => false,
    });
    assert!(
        names(&bad).contains(&"critical-mass"),
        "{:?}",
        invariants::check(&bad)
    );
}

/// An applicant never decides (Marrakesh Agreement Art. XII:2: the
/// Members decide on its accession; it counts only once a Member): a record
/// in which one objects before it is a Member is caught.
#[test]
fn checker_catches_an_applicant_deciding() {
    let record = shipped("accessions-2024");
    assert!(invariants::check(&record).is_empty());
    let bad = tampered(&record, |ev| match ev {
        Event::DecisionTaken {
            item, objectors, ..
        } if item == "accession:COM" => {
            objectors.push(rappard_core::member::MemberId::new("TLS").expect("id"));
            true
        }
        _ => false,
    });
    assert!(
        names(&bad).contains(&"objector-present-and-member"),
        "{:?}",
        invariants::check(&bad)
    );
}
