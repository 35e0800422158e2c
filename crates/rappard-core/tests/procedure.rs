//! The negotiation procedure as a user relies on it, one behaviour a test:
//! sessions, chairs' texts, co-chairs' signatures, tabling, lapsing, fixed
//! meetings, fallbacks and written procedure. Sources are in each test's doc.

use rappard_core::record::Event;
use rappard_core::report::{ItemReport, Report};
use rappard_core::rules::{How, Outcome};
use rappard_core::{invariants, scenario, simulation};

fn run(text: &str) -> (Report, rappard_core::record::Record) {
    let sc = scenario::parse("procedure.toml", text).unwrap_or_else(|e| panic!("{e}"));
    let record = simulation::run(&sc).expect("runs");
    assert!(
        invariants::check(&record).is_empty(),
        "{:?}",
        invariants::check(&record)
    );
    (Report::from_record(&record), record)
}

fn head(start: &str, venue: &str, only: &str) -> String {
    format!(
        "[scenario]\nname = \"p\"\nseed = 5\nstart = \"{start}\"\nvenue = \"{venue}\"\n[members]\ndataset = \"wto\"\nonly = [{only}]\n"
    )
}

fn item<'a>(r: &'a Report, id: &str) -> &'a ItemReport {
    r.items.iter().find(|i| i.id == id).expect("item in report")
}

/// A session is held when someone can attend: a scenario that starts after
/// Geneva's office hours has its first session the next morning (09:00
/// Geneva = 08:00Z in winter), not an empty meeting that evening.
#[test]
fn no_session_without_anyone_present() {
    let text = head("2026-03-02T19:00:00Z", "geneva", "\"BRA\", \"IND\"")
        + "[[item]]\nid = \"x\"\nrule = \"consensus\"\nothers = { stance = \"support\" }\n";
    let (r, _) = run(&text);
    assert_eq!(r.sessions[0].start.to_string(), "2026-03-03T08:00:00Z");
    assert!(r.sessions.iter().all(|s| s.delegations_present > 0));
    assert_eq!(item(&r, "x").outcome, Outcome::Adopted);
}

/// A consensus-only item with a persistent objector is never tabled, and
/// lapses at its deadline (no vote is possible: Art. IX:1 keeps consensus
/// as the practice).
#[test]
fn a_persistent_objection_makes_a_consensus_item_lapse() {
    let text = head(
        "2026-03-02T00:00:00Z",
        "geneva",
        "\"BRA\", \"IND\", \"USA\"",
    ) + "[[item]]\nid = \"x\"\nrule = \"consensus\"\ndeadline_days = 5\nothers = { stance = \"support\" }\n[item.positions]\nIND = { stance = \"object\" }\n";
    let (r, rec) = run(&text);
    let x = item(&r, "x");
    assert_eq!((x.outcome, x.how), (Outcome::Lapsed, None));
    assert_eq!(x.rounds, 5, "one round a day until the deadline");
    assert!(
        rec.entries()
            .iter()
            .any(|e| matches!(&e.event, Event::ItemLapsed { .. }))
    );
}

/// With a voting fallback, three rounds with the same text and the same
/// objectors exhaust consultations: the text is tabled, consensus fails on
/// the present objector, and the vote decides (Art. IX:1).
#[test]
fn exhausted_consultations_go_to_the_fallback_vote() {
    let text = head(
        "2026-03-02T00:00:00Z",
        "geneva",
        "\"BRA\", \"IND\", \"USA\"",
    ) + "[[item]]\nid = \"x\"\nrule = \"consensus\"\nfallback = \"majority\"\nothers = { stance = \"support\" }\n[item.positions]\nIND = { stance = \"object\" }\n";
    let (r, rec) = run(&text);
    let x = item(&r, "x");
    assert_eq!(x.rounds, 3);
    assert_eq!((x.outcome, x.how), (Outcome::Adopted, Some(How::Vote)));
    assert_eq!(
        x.objectors.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
        ["IND"]
    );
    let v = x.votes.expect("votes");
    assert_eq!((v.yes, v.no, x.required), (2, 1, Some(2)));
    assert!(rec.entries().iter().any(|e| matches!(&e.event, Event::TextTabled { reason, .. } if reason == "consultations exhausted")));
}

/// Three co-chairs who must all sign (Li Ke, "Stagnation and Breakthrough of
/// WTO Multilateral Trade Negotiations", *Journal of Hubei University of
/// Economics* 21(5), 2023, §3.2, "Gradually removing the flaws of informal
/// decision-making"), as a check on the chair, never a veto above the
/// decision rule. Five of six Members support under majority rule and one
/// co-chair, Kenya, refuses to sign as its capital would object
/// (`co_chairs_sign = "national"`): each refusal sends the draft back for
/// revision, two revisions at most; then the chair goes on with the
/// Members' median, the Members react, consultations are exhausted, and the
/// vote adopts the text 5 to 1. (Before, the item lapsed with no text.)
#[test]
fn a_co_chairs_refusal_is_no_veto() {
    let text = head(
        "2026-03-02T00:00:00Z",
        "geneva",
        "\"BRA\", \"CHN\", \"IND\", \"JPN\", \"KEN\", \"USA\"",
    ) + "[chair]\nco_chairs_sign = \"national\"\n[[item]]\nid = \"x\"\nrule = \"majority\"\nco_chairs = [\"BRA\", \"KEN\", \"USA\"]\nothers = { stance = \"support\" }\n[item.positions]\nKEN = { stance = \"object\" }\n";
    let (r, rec) = run(&text);
    let x = item(&r, "x");
    assert_eq!((x.outcome, x.how), (Outcome::Adopted, Some(How::Vote)));
    let v = x.votes.expect("votes");
    assert_eq!((v.yes, v.no), (5, 1));
    assert!(x.version >= 1, "a text was issued");
    let count = |f: &dyn Fn(&Event) -> bool| rec.entries().iter().filter(|e| f(&e.event)).count();
    let rounds = x.rounds as usize;
    assert_eq!(
        count(
            &|e| matches!(e, Event::DraftRevised { unsigned, .. } if unsigned.iter().map(|m| m.as_str()).eq(["KEN"]))
        ),
        2 * rounds,
        "two revisions a round"
    );
    assert_eq!(
        count(&|e| matches!(e, Event::RevisionsExhausted { text: 5_000, .. })),
        rounds
    );
    assert_eq!(count(&|e| matches!(e, Event::DraftWithheld { .. })), 0);
}

/// By default co-chairs sign by the draft's distance from the Members'
/// median, not by their capital's position (a modelling assumption,
/// `drafting::CoChairSigning`): the same objecting co-chair signs the
/// median text at once, and the signatures call carries that median.
#[test]
fn by_default_co_chairs_sign_by_the_members_median() {
    let text = head(
        "2026-03-02T00:00:00Z",
        "geneva",
        "\"BRA\", \"IND\", \"USA\", \"KEN\"",
    ) + "[[item]]\nid = \"x\"\nrule = \"consensus\"\ndeadline_days = 3\nco_chairs = [\"BRA\", \"KEN\", \"USA\"]\nothers = { stance = \"support\" }\n[item.positions]\nKEN = { stance = \"object\" }\n";
    let (r, rec) = run(&text);
    assert!(item(&r, "x").version >= 1, "the text is issued");
    assert_eq!(item(&r, "x").revisions, 0);
    assert!(rec.entries().iter().all(|e| !matches!(
        &e.event,
        Event::DraftSigned { signed: false, .. } | Event::DraftRevised { .. }
    )));
    assert!(rec.entries().iter().any(|e| matches!(
        &e.event,
        Event::CallIssued {
            kind: rappard_core::protocol::CallKind::Signatures,
            reference: Some(5_000),
            ..
        }
    )));
    // As a Member, Kenya still objects: consensus is not reached.
    assert_eq!(item(&r, "x").outcome, Outcome::Lapsed);
}

/// A fixed meeting decides whatever the consultations showed: the objector
/// present at that meeting blocks (Art. IX:1 fn. 1), and the decision is at
/// the fixed time.
#[test]
fn a_fixed_meeting_decides_at_its_time() {
    let text = head(
        "2026-03-02T00:00:00Z",
        "geneva",
        "\"BRA\", \"IND\", \"USA\"",
    ) + "[[item]]\nid = \"x\"\nrule = \"consensus\"\nmeeting = { start = \"2026-03-10T13:00:00Z\", hours = 2 }\nothers = { stance = \"support\" }\n[item.positions]\nIND = { stance = \"object\" }\n";
    let (r, _) = run(&text);
    let x = item(&r, "x");
    assert_eq!((x.outcome, x.how), (Outcome::Blocked, Some(How::Consensus)));
    let m = x.meeting.expect("meeting");
    assert_eq!(
        (m.start.to_string(), m.end.to_string()),
        ("2026-03-10T13:00:00Z".into(), "2026-03-10T15:00:00Z".into())
    );
}

/// Written procedure (2020–21 practice): the decision falls at the deadline,
/// 18:00 Geneva time on the first working day at least
/// `written_procedure_hours` after circulation, with every Member counted.
#[test]
fn written_procedure_decides_at_its_deadline() {
    let text = head(
        "2026-03-02T00:00:00Z",
        "virtual",
        "\"BRA\", \"NZL\", \"USA\"",
    ) + "[[item]]\nid = \"x\"\nrule = \"written-procedure\"\nwritten_procedure_hours = 48\nothers = { stance = \"support\" }\n";
    let (r, _) = run(&text);
    let x = item(&r, "x");
    assert_eq!(
        (x.outcome, x.how),
        (Outcome::Adopted, Some(How::WrittenProcedure))
    );
    let m = x.meeting.expect("meeting");
    assert!(m.end.unix() - m.start.unix() >= 48 * 3600);
    assert!(m.end.unix() - m.start.unix() < 48 * 3600 + 86_400);
    assert_eq!(m.end.datetime().format("%H:%M").to_string(), "17:00");
    assert_eq!(
        x.present.len(),
        3,
        "every Member is asked, whatever its time zone"
    );
}

/// The single undertaking (Doha Ministerial Declaration, para. 47): items
/// are only agreed until every one is; then one decision adopts them all.
#[test]
fn single_undertaking_adopts_the_package_at_once() {
    let text = head(
        "2026-03-02T00:00:00Z",
        "geneva",
        "\"BRA\", \"IND\", \"USA\"",
    )
    .replace("[members]", "package = \"single-undertaking\"\n[members]")
        + "[[item]]\nid = \"a\"\nrule = \"consensus\"\nothers = { stance = \"support\" }\n"
        + "[[item]]\nid = \"b\"\nrule = \"consensus\"\nothers = { ideal = 0.5, tolerance = 0.1, concession = 0.1 }\n";
    let (r, rec) = run(&text);
    assert_eq!(r.package.outcome, Some(Outcome::Adopted));
    assert_eq!(r.package.agreed, ["a", "b"]);
    assert!(r.items.iter().all(|i| i.outcome == Outcome::Adopted));
    // One decision for the package, after both were agreed.
    let decisions: Vec<&str> = rec
        .entries()
        .iter()
        .filter_map(|e| match &e.event {
            Event::DecisionTaken { item, .. } => Some(item.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(decisions, ["package"]);
}

/// Under the single undertaking one item that is not agreed takes every
/// other item down with it; under early harvest the ripe ones are adopted.
#[test]
fn single_undertaking_falls_with_one_item() {
    let items = "[[item]]\nid = \"a\"\nrule = \"consensus\"\nothers = { stance = \"support\" }\n[[item]]\nid = \"b\"\nrule = \"consensus\"\ndeadline_days = 3\nothers = { stance = \"support\" }\n[item.positions]\nIND = { stance = \"object\" }\n";
    let su = head(
        "2026-03-02T00:00:00Z",
        "geneva",
        "\"BRA\", \"IND\", \"USA\"",
    )
    .replace("[members]", "package = \"single-undertaking\"\n[members]")
        + items;
    let (r, _) = run(&su);
    assert_eq!(r.package.outcome, Some(Outcome::Lapsed));
    assert!(r.items.iter().all(|i| i.outcome == Outcome::Lapsed));
    let eh = head(
        "2026-03-02T00:00:00Z",
        "geneva",
        "\"BRA\", \"IND\", \"USA\"",
    ) + items;
    let (r, _) = run(&eh);
    assert_eq!(item(&r, "a").outcome, Outcome::Adopted);
    assert_eq!(item(&r, "b").outcome, Outcome::Lapsed);
    assert_eq!(r.package.outcome, None);
}

/// The same blocked item under each Green Room policy (Li Ke 2023, §2.1.2,
/// "The informal decision-making mechanism works poorly", and §3.2, "Gradually
/// removing the flaws of informal decision-making"): left out of a
/// traditional Green Room, the objectors keep blocking and the item lapses;
/// with reserved seats the chair meets them halfway and the text is adopted. The reformed room is
/// announced and reported; the traditional one is neither.
#[test]
fn a_reformed_green_room_resolves_what_a_traditional_one_does_not() {
    let shipped = |name: &str| {
        let path = format!(
            "{}/../../examples/scenarios/{name}.toml",
            env!("CARGO_MANIFEST_DIR")
        );
        run(&std::fs::read_to_string(&path).expect("shipped scenario"))
    };
    let (trad, trad_rec) = shipped("greenroom-traditional");
    let (reformed, reformed_rec) = shipped("greenroom-reformed");
    assert_eq!(item(&trad, "coffee").outcome, Outcome::Lapsed);
    assert_eq!(item(&reformed, "coffee").outcome, Outcome::Adopted);
    let t = &trad.green_rooms[0];
    let r = &reformed.green_rooms[0];
    assert_eq!((t.participants.len(), r.participants.len()), (30, 15));
    assert!(!t.participants.iter().any(|m| m.as_str() == "UGA"));
    for m in ["UGA", "BDI", "BRA"] {
        assert!(
            r.participants.iter().any(|p| p.as_str() == m),
            "{m} has a reserved seat"
        );
    }
    assert!(!t.reported && r.reported);
    let announced = |rec: &rappard_core::record::Record| {
        rec.entries()
            .iter()
            .any(|e| matches!(e.event, Event::GreenRoomAnnounced { .. }))
    };
    assert!(!announced(&trad_rec) && announced(&reformed_rec));
}

/// Critical mass (ITA, 1996): an agreed text does not conclude an
/// initiative until its participants hold the threshold; the Member whose
/// joining crosses it concludes it. The EU counts once, by its own row.
#[test]
fn an_initiative_concludes_when_the_last_joiner_crosses_the_critical_mass() {
    let text = head(
        "2026-03-02T00:00:00Z",
        "geneva",
        "\"EU\", \"DEU\", \"FRA\", \"USA\", \"CHN\", \"BRA\"",
    ) + "[[initiative]]\nid = \"ita\"\nsponsors = [\"USA\", \"BRA\"]\nthreshold = 40.0\nothers = { stance = \"support\" }\n[initiative.positions]\nCHN = { stance = \"abstain\" }\nEU = { ideal = 0.5, tolerance = 0.0, concession = 0.1 }\n";
    // USA 8.6788 % + BRA 1.1904 % is short of 40 %; the EU (30.7159 %, never its
    // States beside it) joins once the text is within its tolerance.
    let (r, rec) = run(&text);
    let ita = &r.initiatives[0];
    assert_eq!(ita.status, rappard_core::initiative::Status::InForce);
    let ids: Vec<&str> = ita.participants.iter().map(|m| m.as_str()).collect();
    assert_eq!(ids, ["BRA", "EU", "USA"]);
    assert!((ita.share - 40.5851).abs() < 1e-9, "{}", ita.share);
    let joined: Vec<&Event> = rec
        .entries()
        .iter()
        .map(|e| &e.event)
        .filter(|e| matches!(e, Event::InitiativeJoined { .. }))
        .collect();
    assert_eq!(
        joined.len(),
        1,
        "only the EU joins; DEU and FRA are represented by it"
    );
}

/// Art. X:9: an Annex 4 agreement is added only by consensus of the
/// Members present: an objector present blocks it (MC13, 2024), an
/// objector absent from the Ministerial meeting does not. (No quorum is
/// required, to isolate that rule: at these hours few of the four can sit.)
#[test]
fn annex4_incorporation_needs_consensus_of_those_present() {
    let base = |meeting: &str| {
        head(
            "2026-03-02T00:00:00Z",
            "virtual",
            "\"CHE\", \"KOR\", \"NZL\", \"USA\"",
        ) + &format!(
            "[procedure]\nquorum = \"none\"\n[[initiative]]\nid = \"ifd\"\nsponsors = [\"KOR\", \"CHE\"]\nthreshold = 1.0\nmfn = false\nobjectors = [\"NZL\"]\nmeeting = {{ start = \"{meeting}\", hours = 2 }}\nothers = {{ stance = \"support\" }}\n"
        )
    };
    // 21:00Z: 10:00 in Wellington, NZL present and blocks.
    let (r, _) = run(&base("2026-03-10T21:00:00Z"));
    assert_eq!(
        r.initiatives[0].status,
        rappard_core::initiative::Status::Annex4Blocked
    );
    // 14:00Z: 03:00 in Wellington, NZL absent: incorporated.
    let (r, _) = run(&base("2026-03-10T14:00:00Z"));
    assert_eq!(
        r.initiatives[0].status,
        rappard_core::initiative::Status::Annex4Incorporated
    );
}

/// Accession (Art. XII:2; WT/L/93): the General Council seeks consensus;
/// when a Member objects, two-thirds of all Members' votes decide. The
/// applicant becomes a Member on the thirtieth day after its deposit and
/// then counts: the roll and the vote base grow by one.
#[test]
fn accession_decided_by_two_thirds_after_a_blocked_consensus() {
    let text = head(
        "2026-01-05T00:00:00Z",
        "geneva",
        "\"BRA\", \"CHN\", \"IND\", \"JPN\", \"USA\", \"ZAF\"",
    ) + "[[accession]]\napplicant = \"TLS\"\nworking_party = [\"USA\", \"JPN\"]\nmemorandum_days = 10\nbilateral_round_days = 10\nreport_days = 10\nratification_days = 20\nothers = { stance = \"support\" }\n[accession.positions]\nIND = { stance = \"object\" }\nTLS = { stance = \"support\" }\n";
    let (r, rec) = run(&text);
    let a = &r.accessions[0];
    assert_eq!(a.status, rappard_core::accession::Stage::Member);
    assert_eq!(a.bilateral_deals.len(), 2);
    assert_eq!(r.members, 7, "the new Member is counted at the end");
    let council = rec
        .entries()
        .iter()
        .filter_map(|e| match &e.event {
            Event::DecisionTaken {
                item,
                how,
                votes,
                required,
                objectors,
                ..
            } if item == "accession:TLS" => Some((*how, *votes, *required, objectors.clone())),
            _ => None,
        })
        .next_back()
        .expect("a council decision");
    assert_eq!(council.0, How::Vote);
    assert_eq!(council.2, Some(4), "two-thirds of the 6 Members' votes");
    assert_eq!(council.1.map(|v| (v.yes, v.no)), Some((5, 1)));
    assert_eq!(
        council.3.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
        ["IND"]
    );
    // Membership from the start of the thirtieth day after the deposit.
    let (deposited, member) = (
        rec.entries()
            .iter()
            .find(|e| {
                matches!(
                    &e.event,
                    Event::AccessionStage {
                        stage: rappard_core::accession::Stage::Deposited,
                        ..
                    }
                )
            })
            .expect("deposit")
            .at,
        a.member_since.expect("member"),
    );
    let deposit_day = deposited.unix() - deposited.unix().rem_euclid(86_400);
    assert_eq!(member.unix(), deposit_day + 30 * 86_400);
}

/// An applicant cannot join an initiative until it is a Member (initiatives
/// are open to WTO Members, e.g. WT/MIN(17)/60; an applicant becomes one
/// on the thirtieth day after it accepts its Protocol of Accession,
/// Marrakesh Agreement Art. XII): it is never asked before its accession
/// completes, and accedes to the agreement after.
#[test]
fn an_applicant_joins_initiatives_only_once_a_member() {
    let text = head(
        "2026-01-05T00:00:00Z",
        "geneva",
        "\"BRA\", \"IND\", \"USA\"",
    ) + "[[accession]]\napplicant = \"TLS\"\nworking_party = [\"USA\"]\nmemorandum_days = 1\nbilateral_round_days = 1\nreport_days = 1\nratification_days = 1\nothers = { stance = \"support\" }\n[accession.positions]\nTLS = { stance = \"support\" }\n"
        + "[[initiative]]\nid = \"jsi\"\nsponsors = [\"USA\"]\nthreshold = 1.0\ndeadline_days = 120\nothers = { stance = \"support\" }\n[initiative.positions]\nTLS = { stance = \"support\" }\n"
        + "[[item]]\nid = \"long\"\nrule = \"consensus\"\ndeadline_days = 120\nothers = { stance = \"support\" }\n[item.positions]\nIND = { stance = \"object\" }\n";
    let (r, rec) = run(&text);
    let member_at = rec
        .entries()
        .iter()
        .find(|e| matches!(e.event, Event::AccessionCompleted { .. }))
        .expect("accession completes")
        .seq;
    for e in rec.entries() {
        if let Event::CallIssued { kind, awaited, .. } = &e.event
            && *kind != rappard_core::protocol::CallKind::BilateralOffer
            && awaited.iter().any(|m| m.as_str() == "TLS")
        {
            assert!(
                e.seq > member_at,
                "TLS asked before it is a Member: {:?}",
                e.event
            );
        }
    }
    let jsi = &r.initiatives[0];
    assert!(jsi.participants.iter().any(|m| m.as_str() == "TLS"));
    assert!(rec.entries().iter().any(|e| matches!(&e.event,
        Event::InitiativeJoined { member, after_conclusion: true, .. } if member.as_str() == "TLS")));
}
