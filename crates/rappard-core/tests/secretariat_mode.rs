//! The Secretariat on a stalled item, passive or proactive, shown on the
//! shipped pair `secretariat-passive.toml` / `secretariat-proactive.toml`,
//! which differ only in `[secretariat] mode`, on the same seed.
//!
//! Source: Li Ke, "Stagnation and Breakthrough of WTO Multilateral Trade
//! Negotiations", *Journal of Hubei University of Economics* 21(5), 2023,
//! §2.1.3 (the Secretariat's passivity: the Director-General "can only
//! habitually announce postponements") and §3.3 (a more active Secretariat
//! that narrows differences and bridges divides); DG Lamy's confessionals at
//! the July 2008 mini-ministerial. Confessionals, the bridging proposal at
//! the fewest objections and `bridging_after` are modelling assumptions
//! (`rappard_core::secretariat::fewest_objections`).

use rappard_core::protocol::CallKind;
use rappard_core::record::{Event, Record};
use rappard_core::rules::{How, Outcome};
use rappard_core::scenario;

mod pairs;
use pairs::{item, run};

const PASSIVE: &str = include_str!("../../../examples/scenarios/secretariat-passive.toml");
const PROACTIVE: &str = include_str!("../../../examples/scenarios/secretariat-proactive.toml");

/// The calls of a kind, by number.
fn calls_of(rec: &Record, kind: CallKind) -> Vec<u64> {
    rec.entries()
        .iter()
        .filter_map(|e| e.event.issued_call())
        .filter(|c| c.kind == kind)
        .map(|c| c.call)
        .collect()
}

/// §2.1.3 against §3.3: on the same Members, positions and seed, the
/// passive Secretariat lets the stalled item lapse at its deadline; the
/// proactive one hears every delegation in confessionals, proposes the text
/// with the fewest objections, and the item is adopted by consensus.
#[test]
fn a_proactive_secretariat_unblocks_what_a_passive_one_lets_lapse() {
    let (passive, prec) = run("secretariat-passive.toml", PASSIVE);
    let (proactive, rec) = run("secretariat-proactive.toml", PROACTIVE);
    let (p, q) = (item(&passive, "nama"), item(&proactive, "nama"));
    assert_eq!(p.outcome, Outcome::Lapsed, "{p:?}");
    assert_eq!((p.confessionals, p.bridging_proposals.len()), (0, 0));
    assert!(calls_of(&prec, CallKind::Confessional).is_empty());
    assert_eq!(q.outcome, Outcome::Adopted, "{q:?}");
    assert_eq!(q.how, Some(How::Consensus));
    assert!(q.confessionals >= 1, "{q:?}");
    assert_eq!(q.bridging_proposals.len() as u32, q.confessionals);
    // The adopted text is the last bridging proposal, between the large
    // traders' floor (0.65) and the small traders' ceiling that round.
    assert_eq!(q.text, q.bridging_proposals.last().copied());
    assert!((6_500..=7_500).contains(&q.text.unwrap_or(0)), "{q:?}");
    // The two runs are the same until the Director-General steps in.
    let first = calls_of(&rec, CallKind::Confessional)[0];
    let until = rec
        .entries()
        .iter()
        .position(|e| e.event.issued_call().is_some_and(|c| c.call == first))
        .expect("the first confessional");
    for (a, b) in prec.entries()[1..until]
        .iter()
        .zip(&rec.entries()[1..until])
    {
        assert_eq!(a, b);
    }
}

/// Confessional answers are private: no entry of the record carries what a
/// delegation said in one. The call is recorded (who was asked), its close
/// (who did not answer), who was heard and the text that followed: nothing
/// else refers to the call.
#[test]
fn the_record_shows_who_was_heard_never_what_they_said() {
    let (_, rec) = run("secretariat-proactive.toml", PROACTIVE);
    let confessionals = calls_of(&rec, CallKind::Confessional);
    assert!(!confessionals.is_empty());
    for c in &confessionals {
        let about: Vec<&Event> = rec
            .entries()
            .iter()
            .map(|e| &e.event)
            .filter(|e| match e {
                Event::CallIssued { call, .. } | Event::CallClosed { call, .. } => call == c,
                Event::PositionStated { call, .. }
                | Event::ReactionGiven { call, .. }
                | Event::ObjectionRaised { call, .. }
                | Event::VoteCast { call, .. }
                | Event::DraftSigned { call, .. } => call == c,
                _ => false,
            })
            .collect();
        assert_eq!(about.len(), 2, "call {c}: {about:?}");
    }
    let heard: Vec<&Event> = rec
        .entries()
        .iter()
        .map(|e| &e.event)
        .filter(|e| matches!(e, Event::ConfessionalsHeld { .. }))
        .collect();
    assert_eq!(heard.len(), confessionals.len());
    let Event::ConfessionalsHeld { heard, .. } = heard[0] else {
        unreachable!()
    };
    assert_eq!(heard.len(), 12, "every delegation present is heard");
    // The canonical encoding has no range in it.
    let text = String::from_utf8(rec.canonical()).expect("utf-8");
    assert!(!text.contains("confessional\":"), "no answer field");
}

/// Passive is the default: without `[secretariat]` the record is the one
/// with `mode = "passive"`, byte for byte.
#[test]
fn passive_is_todays_secretariat() {
    let without = PASSIVE.replace(
        "[secretariat]\nmode = \"passive\"\nbridging_after = 2\n",
        "",
    );
    assert_ne!(without, PASSIVE);
    let (_, a) = run("secretariat-passive.toml", PASSIVE);
    let (_, b) = run("secretariat-passive.toml", &without);
    assert_eq!(a.canonical(), b.canonical());
}

#[test]
fn a_bad_mode_is_refused_with_its_place() {
    let bad = PROACTIVE.replace("mode = \"proactive\"", "mode = \"hyperactive\"");
    let e = scenario::parse("secretariat-proactive.toml", &bad).expect_err("refused");
    let said = e.to_string();
    assert!(said.contains("secretariat-proactive.toml"), "{said}");
    assert!(said.contains("secretariat.mode"), "{said}");
    assert!(said.contains("hyperactive"), "{said}");
    let zero = PROACTIVE.replace("bridging_after = 2", "bridging_after = 0");
    let e = scenario::parse("s.toml", &zero).expect_err("refused");
    assert!(e.to_string().contains("secretariat.bridging_after"), "{e}");
}
