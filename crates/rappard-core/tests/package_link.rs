//! The proactive Director-General links two stalled items into a package,
//! shown on the shipped pair `package-link-off.toml` /
//! `package-link-on.toml`, which differ only in `[secretariat]
//! link_after`, on the same seed; and a July-2008-like case in which one
//! Member's loss on one item makes it object to the package, and both
//! items fail.
//!
//! Sources: Li Ke, "Stagnation and Breakthrough of WTO Multilateral Trade
//! Negotiations", *Journal of Hubei University of Economics* 21(5), 2023,
//! §2.1.3 (the Director-General "can only habitually announce
//! postponements") and §3.3 (a Secretariat that narrows differences and
//! bridges divides); the package on agriculture and NAMA put to ministers
//! at the mini-ministerial of 21–29 July 2008, which failed on 29 July 2008
//! over the special safeguard mechanism; the Bali package (December 2013)
//! and the Geneva package (MC12, June 2022). The cross-item acceptance
//! model (importance-weighted slack >= 0), `link_after` and the two-item
//! package are modelling assumptions (`rappard_core::package_deal`).

use rappard_core::protocol::{CallKind, Subject};
use rappard_core::record::Event;
use rappard_core::rules::{How, Outcome};
use rappard_core::scenario;

mod pairs;
use pairs::{count, item, run};

const OFF: &str = include_str!("../../../examples/scenarios/package-link-off.toml");
const ON: &str = include_str!("../../../examples/scenarios/package-link-on.toml");

/// Each item alone lapses (the United States blocks agriculture, India
/// blocks NAMA, and the Director-General's confessionals find no text that
/// all accept); linked, each Member weighs its loss on one item against its
/// gain on the other, no one objects, and both are adopted together.
#[test]
fn a_package_adopts_two_items_that_each_lapsed_alone() {
    let (off, orec) = run("package-link-off.toml", OFF);
    let (on, rec) = run("package-link-on.toml", ON);
    for id in ["agriculture", "nama"] {
        let (a, b) = (item(&off, id), item(&on, id));
        assert_eq!(a.outcome, Outcome::Lapsed, "{a:?}");
        assert!(a.confessionals >= 1, "the DG tried confessionals: {a:?}");
        assert_eq!(a.linked_with, None);
        assert_eq!(b.outcome, Outcome::Adopted, "{b:?}");
        assert_eq!(b.how, Some(How::Consensus));
        assert!(b.objectors.is_empty());
        // Adopted at the very text that was blocked alone.
        assert_eq!(b.text, Some(5_000));
        assert_eq!(a.text, Some(5_000));
    }
    assert_eq!(
        item(&on, "agriculture").linked_with.as_deref(),
        Some("nama")
    );
    assert_eq!(
        item(&on, "nama").linked_with.as_deref(),
        Some("agriculture")
    );
    let linked = |e: &Event| matches!(e, Event::PackageLinked { .. });
    assert_eq!(count(&orec, linked), 0);
    assert_eq!(count(&rec, linked), 1);
    // The package is decided on one call that carries both texts and asks
    // for formal objections, as any consensus decision does.
    let calls: Vec<_> = rec
        .entries()
        .iter()
        .filter_map(|e| e.event.issued_call())
        .filter(|c| c.subject == Subject::Package)
        .collect();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].kind, CallKind::Objections);
    let texts = calls[0].package.as_ref().expect("the package's texts");
    let items: Vec<&str> = texts.iter().map(|t| t.item.as_str()).collect();
    assert_eq!(items, ["agriculture", "nama"]);
    // The two runs are the same until the Director-General links.
    let until = rec
        .entries()
        .iter()
        .position(|e| linked(&e.event))
        .expect("linked");
    for (a, b) in orec.entries()[1..until]
        .iter()
        .zip(&rec.entries()[1..until])
    {
        assert_eq!(a, b);
    }
}

/// July 2008: India's loss on agriculture (read: the special safeguard
/// mechanism), which it weighs five times its gain on NAMA, is not made up
/// by the package: India objects to the package, and under consensus both
/// items fail with it, although the United States accepts the package.
#[test]
fn one_members_loss_on_one_item_blocks_the_package_and_both_items() {
    let before = "IND = { ideal = 0.5, tolerance = 0.25, concession = 0.0, importance = 2 }";
    let ssm = "IND = { ideal = 0.2, tolerance = 0.05, concession = 0.0, importance = 5 }";
    assert!(ON.contains(before));
    let july = ON.replace(before, ssm);
    let (r, rec) = run("package-link-on.toml", &july);
    for id in ["agriculture", "nama"] {
        let it = item(&r, id);
        assert_eq!(it.outcome, Outcome::Blocked, "{it:?}");
        assert_eq!(it.how, Some(How::Consensus));
        assert_eq!(
            it.objectors.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
            ["IND"]
        );
        assert!(it.linked_with.is_some());
    }
    let decided: Vec<_> = rec
        .entries()
        .iter()
        .filter_map(|e| match &e.event {
            Event::LinkedPackageDecided {
                outcome, objectors, ..
            } => Some((*outcome, objectors.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(decided.len(), 1);
    assert_eq!(decided[0].0, Outcome::Blocked);
    assert_eq!(decided[0].1.len(), 1, "only India objects: {decided:?}");
}

/// Without `link_after` the proactive Secretariat is the one before
/// packages, byte for byte; and `link_after` goes with a proactive
/// Director-General only.
#[test]
fn without_link_after_nothing_is_linked_and_bad_keys_are_refused() {
    let shipped = include_str!("../../../examples/scenarios/secretariat-proactive.toml");
    let (_, a) = run("secretariat-proactive.toml", shipped);
    let with = shipped.replace(
        "bridging_after = 2\n",
        "bridging_after = 2\nlink_after = 3\n",
    );
    assert_ne!(with, shipped);
    // One item: nothing to link with, the record is the same.
    let (_, b) = run("secretariat-proactive.toml", &with);
    assert_eq!(a.canonical(), b.canonical());

    let passive = ON.replace("mode = \"proactive\"", "mode = \"passive\"");
    let e = scenario::parse("package-link-on.toml", &passive).expect_err("refused");
    let said = e.to_string();
    assert!(said.contains("package-link-on.toml"), "{said}");
    assert!(said.contains("secretariat.link_after"), "{said}");
    let zero = ON.replace("link_after = 3", "link_after = 0");
    let e = scenario::parse("s.toml", &zero).expect_err("refused");
    assert!(e.to_string().contains("secretariat.link_after"), "{e}");
    let heavy = ON.replace("importance = 2 }\n\n", "importance = 101 }\n\n");
    assert_ne!(heavy, ON);
    let e = scenario::parse("s.toml", &heavy).expect_err("refused");
    assert!(e.to_string().contains("positions.IND.importance"), "{e}");
    let stance = ON.replace(
        "USA = { ideal = 0.5, tolerance = 0.25, concession = 0.0, importance = 2 }",
        "USA = { stance = \"support\", importance = 2 }",
    );
    let e = scenario::parse("s.toml", &stance).expect_err("refused");
    assert!(e.to_string().contains("importance"), "{e}");
}

/// Only items decided by plain consensus are linked: with a voting
/// fallback on NAMA, the Director-General links nothing, and NAMA goes to
/// a vote when consultations are exhausted, as without `link_after`.
#[test]
fn an_item_with_a_voting_fallback_is_never_linked() {
    let nama = "id = \"nama\"\ntitle = \"Non-agricultural market access\"\nrule = \"consensus\"\n";
    assert!(ON.contains(nama));
    let fallback = format!("{nama}fallback = \"majority\"\n");
    let (on, rec) = run("package-link-on.toml", &ON.replace(nama, &fallback));
    let (off, _) = run("package-link-off.toml", &OFF.replace(nama, &fallback));
    assert_eq!(count(&rec, |e| matches!(e, Event::PackageLinked { .. })), 0);
    for id in ["agriculture", "nama"] {
        assert_eq!(item(&on, id).linked_with, None);
        assert_eq!(item(&on, id).outcome, item(&off, id).outcome, "{id}");
    }
    assert_eq!(item(&on, "nama").how, Some(How::Vote));
}
