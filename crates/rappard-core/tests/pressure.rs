//! Forces on an objection beyond the text: pressure on a lone, dependent
//! objector ("voting in the shadow") and a hold-out that links one item to
//! another, each shown on a shipped pair of scenarios that differ only in
//! that option, on the same seed.
//!
//! Sources: Li Ke, "Stagnation and Breakthrough of WTO Multilateral Trade
//! Negotiations", *Journal of Hubei University of Economics* 21(5), 2023,
//! §2.1.1 and note 6 (consensus hides the weight of the large traders; a
//! weak trading nation accepts for fear of deterrence and of larger
//! losses: "voting in the shadow"); for the linkage, the Bali Ministerial
//! Decision on Trade Facilitation (WT/MIN(13)/36, deadline 31 July 2014),
//! the General Council's decision on public stockholding for food security
//! purposes of 27 November 2014 (WT/L/939) and the Protocol of Amendment
//! adopted the same day (WT/L/940). The dependence proxy and the
//! thresholds are modelling assumptions (`rappard_core::pressure`).

use rappard_core::record::{Event, Record};
use rappard_core::rules::{How, Outcome};
use rappard_core::scenario;

mod pairs;
use pairs::{count, item, run};

/// The day (UTC, `YYYY-MM-DD`) of the item's decision.
fn decided_on(rec: &Record, id: &str) -> String {
    rec.entries()
        .iter()
        .find_map(|e| match &e.event {
            Event::DecisionTaken { item, .. } if item == id => Some(e.at.to_string()[..10].into()),
            _ => None,
        })
        .expect("a decision")
}

const OFF: &str = include_str!("../../../examples/scenarios/pressure-off.toml");
const ON: &str = include_str!("../../../examples/scenarios/pressure-on.toml");
const TF: &str = include_str!("../../../examples/scenarios/tf-protocol-2014.toml");
const LINKED: &str = include_str!("../../../examples/scenarios/tf-protocol-2014-linked.toml");

/// §2.1.1: a lone objector that depends on the supporters stays silent.
/// Without pressure Kenya's objection blocks the text; with it, Kenya
/// downgrades it to a reservation, the text is adopted by consensus, and
/// the false-consensus index counts it.
#[test]
fn a_lone_dependent_objector_withdraws_under_pressure() {
    let (off, off_rec) = run("pressure-off.toml", OFF);
    let (on, on_rec) = run("pressure-on.toml", ON);
    let (a, b) = (item(&off, "fisheries"), item(&on, "fisheries"));
    assert_eq!(a.outcome, Outcome::Blocked);
    assert_eq!(a.objectors.len(), 1);
    assert_eq!(a.objectors[0].as_str(), "KEN");
    assert_eq!(b.outcome, Outcome::Adopted);
    assert_eq!(b.how, Some(How::Consensus));
    assert!(b.objectors.is_empty());
    assert_eq!(b.text, a.text, "the same text, only the answer differs");
    let withdrawn = |e: &Event| matches!(e, Event::ObjectionWithdrawn { .. });
    assert_eq!(count(&off_rec, withdrawn), 0);
    assert_eq!(count(&on_rec, withdrawn), 1);
    let w = &on.pressure.objections_withdrawn[0];
    assert_eq!((w.item.as_str(), w.member.as_str()), ("fisheries", "KEN"));
    assert!(w.dependence_pct >= 50.0, "{w:?}");
    assert_eq!(w.depends_on.first().map(|m| m.as_str()), Some("EU"));
    assert_eq!(off.pressure.false_consensus_index, 0.0);
    assert_eq!(
        (on.pressure.adopted, on.pressure.adopted_under_pressure),
        (1, 1)
    );
    assert_eq!(on.pressure.false_consensus_index, 1.0);
    let minutes = rappard_core::report::minutes(&on_rec);
    assert!(minutes.contains("KEN withdraws its objection under pressure"));
    assert!(minutes.contains("False consensus: 1 of 1 adopted texts"));
}

/// The rule's thresholds: a Member that is not alone, or not dependent
/// enough, keeps its objection.
#[test]
fn pressure_needs_few_objectors_and_dependence() {
    let not_dependent = ON.replace("shadow = true", "shadow = true\nthreshold = 0.9");
    let (r, rec) = run("threshold.toml", &not_dependent);
    assert_eq!(item(&r, "fisheries").outcome, Outcome::Blocked);
    assert_eq!(
        count(&rec, |e| matches!(e, Event::ObjectionWithdrawn { .. })),
        0
    );
    let given = ON.replace("shadow = true", "shadow = true\ndependence = { KEN = 0.2 }");
    let (r, _) = run("given.toml", &given);
    assert_eq!(item(&r, "fisheries").outcome, Outcome::Blocked);
    let two = ON.replace(
        "KEN = { stance = \"object\" }",
        "KEN = { stance = \"object\" }\nAUS = { stance = \"object\" }",
    );
    let (r, rec) = run("two.toml", &two);
    assert_eq!(item(&r, "fisheries").outcome, Outcome::Blocked);
    assert_eq!(item(&r, "fisheries").objectors.len(), 2);
    assert_eq!(
        count(&rec, |e| matches!(e, Event::ObjectionWithdrawn { .. })),
        0
    );
    let allowed = two.replace("shadow = true", "shadow = true\nmax_objectors = 2");
    let (r, _) = run("allowed.toml", &allowed);
    assert_eq!(item(&r, "fisheries").outcome, Outcome::Adopted);
    assert_eq!(r.pressure.objections_withdrawn.len(), 2);
}

/// With `shadow = false` the record is that of a scenario without
/// `[pressure]`, byte for byte.
#[test]
fn pressure_off_is_todays_consensus() {
    let (_, off) = run("pressure-off.toml", OFF);
    let without = OFF.replace("[pressure]\nshadow = false\n", "");
    assert_ne!(without, OFF);
    let (_, plain) = run("plain.toml", &without);
    assert_eq!(off.sha256(), plain.sha256());
}

/// India's hold-out, 2014: without the linkage the Protocol is adopted in
/// July, before the 31 July deadline; with it, India objects until the
/// stockholding decision of 27 November is adopted, then lifts its hold and
/// the Protocol is adopted after it.
#[test]
fn a_linked_hold_out_lifts_when_the_linked_item_is_adopted() {
    let (plain, plain_rec) = run("tf-protocol-2014.toml", TF);
    let (linked, rec) = run("tf-protocol-2014-linked.toml", LINKED);
    assert_eq!(item(&plain, "tf-protocol").outcome, Outcome::Adopted);
    assert_eq!(item(&linked, "tf-protocol").outcome, Outcome::Adopted);
    assert!(decided_on(&plain_rec, "tf-protocol").as_str() < "2014-07-31");
    assert_eq!(decided_on(&rec, "stockholding"), "2014-11-27");
    assert_eq!(decided_on(&plain_rec, "stockholding"), "2014-11-27");
    assert!(decided_on(&rec, "tf-protocol").as_str() >= "2014-11-27");
    let declared = |e: &Event| matches!(e, Event::LinkageDeclared { .. });
    let satisfied = |e: &Event| matches!(e, Event::LinkageSatisfied { .. });
    assert_eq!(
        (count(&plain_rec, declared), count(&plain_rec, satisfied)),
        (0, 0)
    );
    assert_eq!((count(&rec, declared), count(&rec, satisfied)), (1, 1));
    // India objected in the rounds before, and not at the decision.
    let india_objected = count(&rec, |e| {
        matches!(e, Event::RoundConcluded { item, objectors, .. }
            if item == "tf-protocol" && objectors.iter().any(|m| m.as_str() == "IND"))
    });
    assert!(india_objected > 10, "{india_objected} rounds");
    assert!(item(&linked, "tf-protocol").objectors.is_empty());
    let l = &linked.pressure.linkages[0];
    assert_eq!(l.satisfied_at, item(&linked, "stockholding").text);
}

/// A linkage names items of the agenda and a level in 0..1; a bad one is
/// an error naming the field.
#[test]
fn a_bad_linkage_names_its_field() {
    let bad = LINKED.replace("until = \"stockholding\"", "until = \"nowhere\"");
    let e = scenario::parse("bad.toml", &bad).expect_err("unknown item");
    assert!(e.to_string().contains("pressure.linkage[0].until"), "{e}");
    let bad = LINKED.replace("level = 0.5", "level = 1.5");
    let e = scenario::parse("bad.toml", &bad).expect_err("level");
    assert!(e.to_string().contains("pressure.linkage[0].level"), "{e}");
    let bad = ON.replace("shadow = true", "shadow = true\nthreshold = 2.0");
    let e = scenario::parse("bad.toml", &bad).expect_err("threshold");
    assert!(e.to_string().contains("pressure.threshold"), "{e}");
}
