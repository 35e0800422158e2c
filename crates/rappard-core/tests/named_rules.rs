//! The named rules (`rappard_core::rules::named`) as the Marrakesh
//! Agreement Establishing the WTO sets them: waivers and their consensus
//! period (Art. IX:3, IX:3(a) and footnote 4), interpretations (Art. IX:2),
//! amendments, their consensus period and their acceptance (Art. X:1,
//! X:3), accessions (Art. XII:2; WT/L/93). Each test names its article.

use rappard_core::record::{Event, Record};
use rappard_core::report::{ItemReport, Report};
use rappard_core::rules::{How, NamedRule, Outcome, Rule};
use rappard_core::time::Timestamp;
use rappard_core::{invariants, scenario, simulation};

fn run(text: &str) -> (Report, Record) {
    let sc = scenario::parse("named.toml", text).unwrap_or_else(|e| panic!("{e}"));
    let record = simulation::run(&sc).expect("runs");
    let broken = invariants::check(&record);
    assert!(broken.is_empty(), "{broken:?}");
    (Report::from_record(&record), record)
}

fn item(r: &Report) -> &ItemReport {
    &r.items[0]
}

fn at(s: &str) -> Timestamp {
    Timestamp::parse(s).expect("instant")
}

/// Five Members from 2 March 2026 (a Monday), in Geneva; one item `x`
/// under `rule` with the extra lines `more`; India objects throughout, the
/// others support.
fn five(rule: &str, more: &str) -> String {
    format!(
        "[scenario]\nname = \"n\"\nseed = 5\nstart = \"2026-03-02T00:00:00Z\"\n\
         [members]\ndataset = \"wto\"\nonly = [\"BRA\", \"CHE\", \"IND\", \"JPN\", \"USA\"]\n\
         [[item]]\nid = \"x\"\nrule = \"{rule}\"\n{more}\
         others = {{ stance = \"support\" }}\n[item.positions]\nIND = {{ stance = \"object\" }}\n"
    )
}

/// A fixed decision meeting `days` after the start, at 09:00 UTC.
fn meeting_on(date: &str) -> String {
    format!("meeting = {{ start = \"{date}T09:00:00Z\", hours = 2 }}\n")
}

/// The instants of the events `pick` selects.
fn when(rec: &Record, pick: impl Fn(&Event) -> bool) -> Vec<Timestamp> {
    rec.entries()
        .iter()
        .filter(|e| pick(&e.event))
        .map(|e| e.at)
        .collect()
}

fn is_vote(e: &Event) -> bool {
    matches!(e, Event::VoteCast { .. })
}

fn not_reached(e: &Event) -> bool {
    matches!(e, Event::ConsensusNotReached { .. })
}

/// Art. IX:3(a): the Ministerial Conference "shall establish a time-period,
/// which shall not exceed 90 days, to consider the request. If consensus is
/// not reached during the time-period, any decision to grant a waiver shall
/// be taken by three fourths of the Members." A waiver objected to at its
/// decision meeting on day 10 is not voted on then: consensus is recorded
/// as not reached, with the end of the period, and the item goes back to
/// consultation. It is voted on only after day 90, and adopted by four of
/// the five Members (three-fourths of five is 3.75: four needed).
#[test]
fn a_waiver_objected_to_on_day_10_is_not_voted_until_day_90() {
    let (r, rec) = run(&five("waiver", &meeting_on("2026-03-12")));
    let until = at("2026-05-31T00:00:00Z");
    assert_eq!(item(&r).named_rule, Some(NamedRule::Waiver));
    assert_eq!(item(&r).consensus_until, Some(until));
    assert_eq!(item(&r).rule, Rule::ThreeFourthsOfMembers);
    let first = when(&rec, not_reached);
    assert_eq!(first.first(), Some(&at("2026-03-12T09:00:00Z")));
    let votes = when(&rec, is_vote);
    assert!(!votes.is_empty(), "voted after the period");
    assert!(votes.iter().all(|t| *t >= until), "{votes:?}");
    assert!(votes[0] < at("2026-06-10T00:00:00Z"), "{votes:?}");
    let x = item(&r);
    assert_eq!((x.outcome, x.how), (Outcome::Adopted, Some(How::Vote)));
    assert_eq!(x.required, Some(4));
}

/// Art. IX:3(a): once the period has run without consensus, the waiver is
/// decided by three-fourths of the Members. Objected to at a meeting on day
/// 95, it goes straight to the vote.
#[test]
fn a_waiver_objected_to_after_day_90_goes_to_the_three_fourths_vote() {
    let (r, rec) = run(&five("waiver", &meeting_on("2026-06-05")));
    assert!(when(&rec, not_reached).is_empty());
    let x = item(&r);
    assert_eq!((x.outcome, x.how), (Outcome::Adopted, Some(How::Vote)));
    let v = x.votes.expect("votes");
    assert_eq!((v.yes, v.no, x.required), (4, 1, Some(4)));
    assert!(rec.entries().iter().any(|e| matches!(
        &e.event,
        Event::DecisionTaken {
            rule: Rule::ThreeFourthsOfMembers,
            ..
        }
    )));
}

/// Art. IX:3, footnote 4: a waiver of an obligation subject to a transition
/// period that the Member has not performed by its end is decided only by
/// consensus. Objected to on day 10 it goes back to consultation; with the
/// objection kept up it is never tabled again and lapses; decided at a
/// meeting after the period, the objection blocks it. No vote either way.
#[test]
fn a_waiver_of_a_transition_obligation_never_goes_to_a_vote() {
    let (r, rec) = run(&five("waiver-transition", &meeting_on("2026-03-12")));
    assert_eq!(when(&rec, not_reached).len(), 1);
    assert!(when(&rec, is_vote).is_empty());
    assert_eq!(item(&r).outcome, Outcome::Lapsed);
    assert_eq!(item(&r).rule, Rule::Consensus);

    let (r, rec) = run(&five("waiver-transition", &meeting_on("2026-06-05")));
    assert!(when(&rec, is_vote).is_empty());
    let x = item(&r);
    assert_eq!((x.outcome, x.how), (Outcome::Blocked, Some(How::Consensus)));
}

/// The period is the Agreement's own text (Art. IX:3(a), X:1), not the
/// practice of consensus that `[procedure] consensus_first = false` turns
/// off: without consensus first, a waiver still waits for the end of its
/// period, then is voted on at once.
#[test]
fn the_period_holds_even_without_consensus_first() {
    let text = five("waiver", &meeting_on("2026-03-12")).replace(
        "[members]",
        "[procedure]\nconsensus_first = false\n[members]",
    );
    let (r, rec) = run(&text);
    assert_eq!(when(&rec, not_reached).len(), 1);
    let votes = when(&rec, is_vote);
    assert!(votes.iter().all(|t| *t >= at("2026-05-31T00:00:00Z")));
    assert_eq!(item(&r).how, Some(How::Vote));
    // No formal objections were asked at the vote after the period.
    let objections_after = rec.entries().iter().any(|e| {
        e.at >= at("2026-05-31T00:00:00Z") && matches!(&e.event, Event::ObjectionRaised { .. })
    });
    assert!(!objections_after);
}

/// Art. IX:3(a): the period "shall not exceed 90 days": a shorter one is
/// the scenario's choice (the vote then comes after 30 days), a longer one
/// is refused with the article.
#[test]
fn a_waivers_period_may_be_shorter_but_not_longer_than_90_days() {
    let (_, rec) = run(&five(
        "waiver",
        &(meeting_on("2026-03-12") + "consensus_days = 30\n"),
    ));
    let votes = when(&rec, is_vote);
    assert!(votes[0] >= at("2026-04-01T00:00:00Z"));
    assert!(votes[0] < at("2026-04-10T00:00:00Z"), "{votes:?}");
    let e = scenario::parse("w.toml", &five("waiver", "consensus_days = 91\n"))
        .expect_err("longer than 90 days");
    assert_eq!(e.field, "item[0].consensus_days");
    assert!(e.message.contains("Art. IX:3(a)"), "{e}");
}

/// Art. X:1: an amendment's period is 90 days "unless the Ministerial
/// Conference decides on a longer period": 120 days are accepted, and the
/// vote (two-thirds of the Members, four of five) waits for them; 60 are
/// refused.
#[test]
fn an_amendments_period_is_90_days_or_longer() {
    let more = meeting_on("2026-03-12") + "consensus_days = 120\n";
    let (r, rec) = run(&five("amendment", &more));
    let votes = when(&rec, is_vote);
    assert!(votes[0] >= at("2026-06-30T00:00:00Z"), "{votes:?}");
    let x = item(&r);
    assert_eq!(
        (x.outcome, x.rule, x.required),
        (Outcome::Adopted, Rule::TwoThirdsOfMembers, Some(4))
    );
    let e = scenario::parse("a.toml", &five("amendment", "consensus_days = 60\n"))
        .expect_err("shorter than 90 days");
    assert!(e.message.contains("Art. X:1"), "{e}");
}

/// Art. IX:2 (interpretations, three-fourths of the Members) with Art. IX:1
/// (consensus first) and Art. XII:2 with WT/L/93 (accessions, two-thirds
/// after consensus): no period, so an objection at the decision goes to the
/// vote at once.
#[test]
fn interpretations_and_accessions_vote_after_consensus_fails() {
    for (rule, base, need) in [
        ("interpretation", Rule::ThreeFourthsOfMembers, 4),
        ("accession", Rule::TwoThirdsOfMembers, 4),
    ] {
        let (r, rec) = run(&five(rule, &meeting_on("2026-03-12")));
        assert!(when(&rec, not_reached).is_empty(), "{rule}");
        let x = item(&r);
        assert_eq!(
            (x.rule, x.how, x.required),
            (base, Some(How::Vote), Some(need)),
            "{rule}"
        );
        assert_eq!(x.consensus_until, None);
        assert_eq!(
            x.meeting.expect("meeting").start,
            at("2026-03-12T09:00:00Z")
        );
    }
}

/// A named rule sets its own vote: `fallback` is refused with it, and the
/// keys of one named rule are refused with another (rather than ignored).
#[test]
fn named_rules_refuse_keys_they_do_not_take() {
    let refused =
        |rule: &str, more: &str| scenario::parse("n.toml", &five(rule, more)).expect_err("refused");
    let e = refused("waiver", "fallback = \"majority\"\n");
    assert_eq!(e.field, "item[0].fallback");
    assert!(e.field.ends_with("fallback"));
    let e = refused("interpretation", "consensus_days = 30\n");
    assert!(e.message.contains("waiver"), "{e}");
    let e = refused("waiver", "acceptance_days = { developed = 10 }\n");
    assert!(e.message.contains("Art. X:3"), "{e}");
    let e = refused("majority", "[item.acceptance]\nUSA = 10\n");
    assert_eq!(e.field, "item[0].acceptance");
    let e = refused("amendment", "[item.acceptance]\nUSA = \"soon\"\n");
    assert_eq!(e.field, "item[0].acceptance.USA");
    let e = refused("unanimity", "");
    assert!(
        e.message
            .contains("waiver, waiver-transition, interpretation, amendment, accession"),
        "{e}"
    );
}

/// Six Members adopting an amendment by consensus on 12 March 2026, with
/// the acceptances `given` (lines of `[item.acceptance]`).
fn amendment(only: &str, given: &str) -> String {
    format!(
        "[scenario]\nname = \"a\"\nseed = 5\nstart = \"2026-03-02T00:00:00Z\"\n\
         [members]\ndataset = \"wto\"\nonly = [{only}]\n\
         [[item]]\nid = \"a\"\nrule = \"amendment\"\n{}\
         others = {{ stance = \"support\" }}\n[item.acceptance]\n{given}",
        meeting_on("2026-03-12")
    )
}

const SIX: &str = "\"BRA\", \"CHE\", \"IND\", \"JPN\", \"KEN\", \"USA\"";

/// The members an event brings the amendment into force for, by day.
fn in_force(rec: &Record) -> Vec<(String, Vec<String>)> {
    rec.entries()
        .iter()
        .filter_map(|e| match &e.event {
            Event::AmendmentInForce { in_force_for, .. } => Some((
                e.at.to_string()[..10].to_owned(),
                in_force_for.iter().map(|m| m.to_string()).collect(),
            )),
            _ => None,
        })
        .collect()
}

/// Art. X:3: an amendment takes effect for the Members that have accepted
/// it upon acceptance by two-thirds of the Members (four of six), and
/// thereafter for each other Member upon its acceptance. The decision to
/// submit it is not its entry into force; a Member that never accepts is
/// never bound. Dates, days after the decision and `never` may be given.
#[test]
fn an_amendment_enters_into_force_when_two_thirds_have_accepted() {
    let given = "USA = \"2026-04-01\"\nJPN = 30\nCHE = \"2026-06-01\"\nBRA = \"2026-07-01\"\n\
                 KEN = \"2026-09-01\"\nIND = \"never\"\n";
    let (r, rec) = run(&amendment(SIX, given));
    let x = item(&r);
    assert_eq!(x.outcome, Outcome::Adopted);
    assert_eq!(x.in_force_on, Some(at("2026-07-01T12:00:00Z")));
    let count = x.acceptance_count.expect("count");
    assert_eq!((count.accepted, count.required, count.members), (4, 4, 6));
    let on: Vec<String> = x
        .acceptances
        .as_ref()
        .expect("acceptances")
        .iter()
        .map(|a| format!("{} {}", a.member, &a.on.to_string()[..10]))
        .collect();
    assert_eq!(
        on,
        [
            "USA 2026-04-01",
            "JPN 2026-04-11",
            "CHE 2026-06-01",
            "BRA 2026-07-01",
            "KEN 2026-09-01"
        ]
    );
    assert_eq!(
        in_force(&rec),
        [
            (
                "2026-07-01".into(),
                vec!["BRA".into(), "CHE".into(), "JPN".into(), "USA".into()]
            ),
            ("2026-09-01".into(), vec!["KEN".to_string()]),
        ]
    );
    let minutes = rappard_core::report::minutes(&rec);
    assert!(minutes.contains("2026-07-01 [a] ENTERS INTO FORCE for the 4 Members that have accepted it: two-thirds of the 6 Members, 4, were needed (Art. X:3)"), "{minutes}");
    assert!(minutes.contains("2026-09-01 [a] KEN accepts: 5 of 6 Members have accepted\n  [a] now in force for KEN too"), "{minutes}");
}

/// Art. X:3 counts the acceptances of the day together: two that come in
/// on the day the threshold is crossed both take part in the entry into
/// force, which then counts five.
#[test]
fn acceptances_of_one_day_are_counted_together() {
    let given = "USA = 1\nJPN = 2\nCHE = 3\nBRA = 4\nKEN = 4\nIND = \"never\"\n";
    let (r, rec) = run(&amendment(SIX, given));
    let count = item(&r).acceptance_count.expect("count");
    assert_eq!((count.accepted, count.required), (5, 4));
    assert_eq!(in_force(&rec).len(), 1);
}

/// The EU's instrument counts for the EU and for its member States in the
/// negotiation (a modelling assumption, `rappard_core::amendment`): with
/// the EU, Germany and France among six Members, the EU's acceptance alone
/// brings three of the four needed, and France and Germany may not be given
/// acceptances of their own.
#[test]
fn the_eus_instrument_counts_for_its_member_states() {
    let only = "\"BRA\", \"DEU\", \"EU\", \"FRA\", \"IND\", \"USA\"";
    let given = "EU = 10\nUSA = 20\nBRA = \"never\"\nIND = \"never\"\n";
    let (r, rec) = run(&amendment(only, given));
    let x = item(&r);
    assert_eq!(x.in_force_on, Some(at("2026-04-01T12:00:00Z")));
    assert_eq!(
        x.acceptances.as_ref().expect("acceptances")[0].counts_for,
        3
    );
    assert_eq!(in_force(&rec)[0].1, ["DEU", "EU", "FRA", "USA"]);
    let e = scenario::parse("eu.toml", &amendment(only, "DEU = 10\n")).expect_err("represented");
    assert!(e.message.contains("give the position to EU"), "{e}");
}

/// Art. X:3 counts two-thirds of the Members on the day: an applicant that
/// accepts before it accedes counts from its membership, and the new Member
/// raises the base. Five Members accept three times (three of five: short of
/// four); Kenya accepts as an applicant; the day it becomes the sixth
/// Member, four of six have accepted and the amendment enters into force.
#[test]
fn the_threshold_counts_the_members_of_the_day() {
    let text = amendment(
        "\"BRA\", \"CHE\", \"IND\", \"JPN\", \"USA\"",
        "USA = 1\nJPN = 2\nCHE = 3\nKEN = \"2026-04-15\"\nBRA = \"never\"\nIND = \"never\"\n",
    ) + "[[accession]]\napplicant = \"KEN\"\nmemorandum_days = 5\nbilateral_round_days = 5\n\
         report_days = 5\nratification_days = 10\nothers = { stance = \"support\" }\n";
    let (r, rec) = run(&text);
    let member_since = rec
        .entries()
        .iter()
        .find_map(|e| match &e.event {
            Event::AccessionCompleted { member_since, .. } => Some(*member_since),
            _ => None,
        })
        .expect("Kenya accedes");
    assert!(member_since > at("2026-04-15T12:00:00Z"));
    let x = item(&r);
    assert_eq!(x.in_force_on, Some(member_since));
    let count = x.acceptance_count.expect("count");
    assert_eq!((count.accepted, count.required, count.members), (4, 4, 6));
    let applicant = rec.entries().iter().any(|e| matches!(&e.event, Event::AcceptanceDeposited { member, applicant: true, accepted: 3, .. } if member.as_str() == "KEN"));
    assert!(
        applicant,
        "Kenya's deposit as an applicant does not count yet"
    );
}

/// The model of when Members accept (`rappard_core::amendment`): drawn from
/// the seed, the same for the same seed, and slower on average for
/// least-developed than for developing, and for developing than for
/// developed Members. Over the whole membership two-thirds have accepted
/// between two and three years after the decision.
#[test]
fn drawn_acceptances_are_seeded_and_slower_for_smaller_administrations() {
    let text = "[scenario]\nname = \"all\"\nseed = 3\nstart = \"2026-03-02T00:00:00Z\"\n\
                [members]\ndataset = \"wto\"\n[[item]]\nid = \"a\"\nrule = \"amendment\"\n\
                meeting = { start = \"2026-03-12T09:00:00Z\", hours = 2 }\nothers = { stance = \"support\" }\n";
    let (r, rec) = run(text);
    let (_, again) = run(text);
    assert_eq!(rec.sha256(), again.sha256());
    let roll = rappard_core::dataset::wto().expect("dataset");
    let decided = at("2026-03-12T09:00:00Z").unix();
    let mut sums = std::collections::BTreeMap::new();
    for a in item(&r).acceptances.as_ref().expect("acceptances") {
        let d = roll.get(a.member.as_str()).expect("member").development;
        let e = sums.entry(d.as_str()).or_insert((0i64, 0i64));
        e.0 += (a.on.unix() - decided) / 86_400;
        e.1 += 1;
    }
    let mean = |d: &str| sums[d].0 / sums[d].1;
    assert!(mean("developed") < mean("developing"), "{sums:?}");
    assert!(mean("developing") < mean("least-developed"), "{sums:?}");
    let months = (item(&r).in_force_on.expect("in force").unix() - decided) / 86_400 / 30;
    assert!((24..=36).contains(&months), "{months}");
}

/// The checker enforces both articles: a record in which a waiver of a
/// transition obligation is voted on (Art. IX:3, fn. 4), or an amendment
/// enters into force with one acceptance fewer than two-thirds (Art. X:3),
/// is refused by name.
#[test]
fn the_checker_catches_a_vote_in_the_period_and_an_early_entry_into_force() {
    let (_, rec) = run(&five("waiver", &meeting_on("2026-06-05")));
    let mut bad = Record::new();
    for e in rec.entries() {
        let mut ev = e.event.clone();
        if let Event::ItemListed { named_rule, .. } = &mut ev {
            *named_rule = Some(NamedRule::WaiverTransition);
        }
        bad.append(e.at, ev);
    }
    let names: Vec<&str> = invariants::check(&bad)
        .iter()
        .map(|v| v.invariant)
        .collect();
    assert!(names.contains(&"consensus-period"), "{names:?}");

    let (_, rec) = run(&amendment(
        SIX,
        "USA = 1\nJPN = 2\nCHE = 3\nBRA = 4\nKEN = 5\nIND = 6\n",
    ));
    let mut bad = Record::new();
    let mut dropped = false;
    for e in rec.entries() {
        if !dropped
            && matches!(&e.event, Event::AcceptanceDeposited { member, .. } if member.as_str() == "USA")
        {
            dropped = true;
            continue;
        }
        bad.append(e.at, e.event.clone());
    }
    let names: Vec<&str> = invariants::check(&bad)
        .iter()
        .map(|v| v.invariant)
        .collect();
    assert!(names.contains(&"acceptance-two-thirds"), "{names:?}");
}
