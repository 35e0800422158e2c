//! The Secretariat's lockstep: answers are applied in member-id order
//! whatever order they arrive in, and a refused answer changes nothing.
//! This is what makes a run deterministic: the same scenario and seed give
//! the same record, byte for byte, in process and over the network
//! (`docs/architecture.md`). Marrakesh Agreement Art. IX:1, fn. 1, says who
//! may object: only Members present, which are the delegations a call
//! awaits.

use rappard_core::member::MemberId;
use rappard_core::protocol::{Answer, AnswerError, CallKind, Reaction, Stated, Vote};
use rappard_core::scenario;
use rappard_core::secretariat::Secretariat;
use rappard_core::simulation;

const SCENARIO: &str = r#"
[scenario]
name = "lockstep"
seed = 11
start = "2026-03-02T00:00:00Z"
venue = "virtual"

[members]
dataset = "wto"
only = ["BRA", "CHE", "EU", "DEU", "IND", "JPN", "NZL", "USA"]

[[item]]
id = "agri"
rule = "consensus"
fallback = "majority"
"#;

fn id(s: &str) -> MemberId {
    MemberId::new(s).expect("valid id")
}

/// Runs the scenario, answering each call's awaited delegations in the
/// order `order` puts them.
fn run_with_order(order: impl Fn(&mut Vec<MemberId>)) -> String {
    let sc = scenario::parse("lockstep.toml", SCENARIO).expect("valid scenario");
    let mut sec = Secretariat::new(sc.agenda.clone());
    let mut dels = simulation::delegations(&sc);
    while let Some(call) = sec.step() {
        let call = call.clone();
        let mut who = call.awaited.clone();
        order(&mut who);
        for m in who {
            let a = dels
                .get_mut(&m)
                .and_then(|d| d.answer(&call))
                .expect("an answer");
            sec.answer(&m, call.call, a).expect("accepted");
        }
        assert!(sec.is_complete());
        sec.close_call();
    }
    sec.record().sha256()
}

/// Arrival order never changes the record.
#[test]
fn arrival_order_does_not_change_the_record() {
    let forward = run_with_order(|_| {});
    let reverse = run_with_order(|v| v.reverse());
    let rotated = run_with_order(|v| {
        let n = v.len();
        if n > 1 {
            v.rotate_left(n / 2);
        }
    });
    assert_eq!(forward, reverse);
    assert_eq!(forward, rotated);
}

/// Refused answers: each error names what is wrong, and the record is
/// unchanged by it.
#[test]
fn refused_answers_change_nothing() {
    let sc = scenario::parse("lockstep.toml", SCENARIO).expect("valid scenario");
    let mut sec = Secretariat::new(sc.agenda.clone());
    let call = sec.step().expect("a first call").clone();
    assert_eq!(call.kind, CallKind::Positions);
    let before = sec.record().clone();
    let present = call.awaited[0].clone();
    let absent: Vec<MemberId> = ["BRA", "CHE", "EU", "IND", "JPN", "NZL", "USA"]
        .iter()
        .map(|s| id(s))
        .filter(|m| !call.awaited.contains(m))
        .collect();
    assert!(!absent.is_empty(), "the virtual session leaves someone out");

    // An absent delegation is not asked.
    let e = sec
        .answer(&absent[0], call.call, Answer::Position(Stated::Level(1)))
        .unwrap_err();
    assert!(matches!(e, AnswerError::NotAwaited { .. }), "{e}");
    // An EU member State speaks through the EU.
    let e = sec
        .answer(&id("DEU"), call.call, Answer::Position(Stated::Level(1)))
        .unwrap_err();
    assert!(matches!(e, AnswerError::NotAwaited { .. }), "{e}");
    // Not a Member at all.
    let e = sec
        .answer(&id("ZZZ"), call.call, Answer::Position(Stated::Level(1)))
        .unwrap_err();
    assert!(matches!(e, AnswerError::NotAwaited { .. }), "{e}");
    // The wrong call.
    let e = sec
        .answer(&present, call.call + 1, Answer::Position(Stated::Level(1)))
        .unwrap_err();
    assert_eq!(
        e,
        AnswerError::StaleCall {
            open: call.call,
            answered: call.call + 1
        }
    );
    // The wrong kind of answer.
    let e = sec
        .answer(&present, call.call, Answer::Vote(Vote::Yes))
        .unwrap_err();
    assert!(
        matches!(
            e,
            AnswerError::WrongAnswer {
                expected: CallKind::Positions,
                ..
            }
        ),
        "{e}"
    );
    let e = sec
        .answer(&present, call.call, Answer::Reaction(Reaction::Object))
        .unwrap_err();
    assert!(e.to_string().contains("not a reaction"), "{e}");
    // A level out of range.
    let e = sec
        .answer(&present, call.call, Answer::Position(Stated::Level(10_001)))
        .unwrap_err();
    assert_eq!(e, AnswerError::LevelOutOfRange(10_001));
    assert_eq!(sec.record(), &before, "refusals leave the record alone");

    // A good answer, then the same delegation again.
    sec.answer(&present, call.call, Answer::Position(Stated::Level(4_000)))
        .expect("accepted");
    let e = sec
        .answer(&present, call.call, Answer::Position(Stated::Level(9_000)))
        .unwrap_err();
    assert!(matches!(e, AnswerError::AlreadyAnswered { .. }), "{e}");
    assert_eq!(sec.record(), &before, "answers wait for the call to close");
    assert_eq!(sec.unanswered().len(), call.awaited.len() - 1);
}

/// An applicant's offer beyond 0..=10,000 is refused as a stated level
/// is, and changes nothing (found by the `answers` fuzzer and the property
/// tests: the core took it, though the wire refuses it).
#[test]
fn an_offer_beyond_the_scale_is_refused() {
    let sc = scenario::parse(
        "offer.toml",
        r#"
[scenario]
name = "offer"
start = "2026-03-02T00:00:00Z"

[[member]]
id = "AAA"
time_zone = "Europe/Paris"

[[accession]]
applicant = "NEW"
time_zone = "Asia/Tokyo"
working_party = ["AAA"]
memorandum_days = 1
"#,
    )
    .expect("valid scenario");
    let mut sec = Secretariat::new(sc.agenda.clone());
    let call = loop {
        let call = sec.step().expect("an offer is asked").clone();
        if call.kind == CallKind::BilateralOffer {
            break call;
        }
        sec.close_call();
    };
    let before = sec.record().clone();
    let e = sec
        .answer(&id("NEW"), call.call, Answer::Offer(43_713))
        .unwrap_err();
    assert_eq!(e, AnswerError::LevelOutOfRange(43_713));
    assert_eq!(sec.record(), &before);
    assert_eq!(sec.unanswered(), vec![id("NEW")]);
    sec.answer(&id("NEW"), call.call, Answer::Offer(10_000))
        .expect("the top of the scale");
}

/// A call closed before everyone answered (the driver's timeout) records
/// who did not answer, and silence is not an objection.
#[test]
fn unanswered_delegations_are_recorded_and_never_object() {
    let sc = scenario::parse("lockstep.toml", SCENARIO).expect("valid scenario");
    let mut sec = Secretariat::new(sc.agenda.clone());
    let mut dels = simulation::delegations(&sc);
    let silent = id("USA");
    while let Some(call) = sec.step() {
        let call = call.clone();
        for m in &call.awaited {
            if *m == silent {
                continue;
            }
            let a = dels
                .get_mut(m)
                .and_then(|d| d.answer(&call))
                .expect("an answer");
            sec.answer(m, call.call, a).expect("accepted");
        }
        sec.close_call();
    }
    let report = rappard_core::report::Report::from_record(sec.record());
    let item = &report.items[0];
    assert!(!item.objectors.contains(&silent));
    let text = String::from_utf8(sec.record().canonical()).expect("utf-8");
    assert!(
        text.contains(r#""unanswered":["USA"]"#),
        "the record names the silent delegation"
    );
    assert!(rappard_core::invariants::check(sec.record()).is_empty());
}
