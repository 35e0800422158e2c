//! Power inside the room: the chair's text, co-chairs as a check on it, and
//! the chair withdrawing what cannot converge, each shown on a shipped pair
//! of scenarios that differ only in that option, on the same seed.
//!
//! Sources: Li Ke, "Stagnation and Breakthrough of WTO Multilateral Trade
//! Negotiations", *Journal of Hubei University of Economics* 21(5), 2023,
//! §2.1.2 (the chair's text: Members' views count by "national strength",
//! the chair adds its own), §3.2 (three co-chairs who sign, against the
//! chair's personal bias); the General Council's decision of 1 August 2004
//! (WT/L/579), which dropped three Singapore issues from the Doha work
//! programme. The trade weight, the chair's bias and the co-chairs'
//! signing by the Members' median are modelling assumptions
//! (`rappard_core::drafting`), and so are the chance that the chair takes
//! up a Member's amendment and the chair's patience in withholding a text
//! (`rappard_core::proposal`).

use rappard_core::record::Event;
use rappard_core::rules::{How, Outcome};

mod pairs;
use pairs::{count, item, run};

const MEDIAN: &str = include_str!("../../../examples/scenarios/chair-median.toml");
const WEIGHTED: &str = include_str!("../../../examples/scenarios/chair-weighted-median.toml");
const BIASED: &str = include_str!("../../../examples/scenarios/chair-biased.toml");
const CO_CHAIRED: &str = include_str!("../../../examples/scenarios/chair-biased-co-chairs.toml");
const SINGAPORE: &str = include_str!("../../../examples/scenarios/singapore-issues.toml");
const WITHDRAWN: &str = include_str!("../../../examples/scenarios/singapore-issues-withdrawn.toml");
const NO_AMENDMENTS: &str = include_str!("../../../examples/scenarios/chair-no-amendments.toml");
const AMENDMENTS: &str = include_str!("../../../examples/scenarios/chair-amendments.toml");
const NO_TIMING: &str = include_str!("../../../examples/scenarios/chair-no-timing.toml");
const TIMING: &str = include_str!("../../../examples/scenarios/chair-timing.toml");

/// §2.1.2: a chair who weighs Members by trade drafts for the large
/// traders. On the same Members, positions and seed, the median chair's
/// adopted text is the Members' median; the weighted chair's lies far from
/// it, and the small traders' tolerance lets it through by consensus.
#[test]
fn a_trade_weighted_chair_drafts_far_from_the_members_median() {
    let (plain, _) = run("chair-median.toml", MEDIAN);
    let (weighted, rec) = run("chair-weighted-median.toml", WEIGHTED);
    let (p, w) = (item(&plain, "tariffs"), item(&weighted, "tariffs"));
    assert_eq!(p.outcome, Outcome::Adopted);
    assert_eq!(w.outcome, Outcome::Adopted);
    assert_eq!((p.median, p.distance_from_median), (Some(3_000), Some(0)));
    assert_eq!(w.median, Some(3_000));
    assert!(
        w.distance_from_median >= Some(4_000),
        "the weighted text lies with the large traders: {w:?}"
    );
    assert_eq!(w.how, Some(How::Consensus));
    assert!(
        count(
            &rec,
            |e| matches!(e, Event::TextDrafted { policy, median: 3_000, .. } if policy == "weighted-median")
        ) >= 1
    );
}

/// §3.2: co-chairs are a check on a biased chair. On the same seed the
/// biased chair's adopted text is farther from the Members' median than
/// the co-chaired one, which the co-chairs revised back to the median.
#[test]
fn co_chairs_pull_a_biased_chairs_text_back_to_the_median() {
    let (alone, _) = run("chair-biased.toml", BIASED);
    let (checked, rec) = run("chair-biased-co-chairs.toml", CO_CHAIRED);
    let (a, c) = (item(&alone, "tariffs"), item(&checked, "tariffs"));
    assert_eq!(a.outcome, Outcome::Adopted);
    assert_eq!(c.outcome, Outcome::Adopted);
    let (da, dc) = (
        a.distance_from_median.expect("distance"),
        c.distance_from_median.expect("distance"),
    );
    assert!(da > dc, "biased {da} must be farther than co-chaired {dc}");
    assert_eq!(a.text, Some(6_000), "half-way from 0.3 to the chair's 0.9");
    assert_eq!(c.text, Some(3_000));
    assert!(c.revisions >= 2, "{c:?}");
    assert!(
        count(&rec, |e| matches!(
            e,
            Event::DraftRevised {
                revision: 2,
                text: 3_000,
                ..
            }
        )) >= 1
    );
    assert_eq!(
        count(&rec, |e| matches!(e, Event::RevisionsExhausted { .. })),
        0
    );
}

/// WT/L/579 (1 August 2004): withdrawing the item that cannot converge lets
/// the rest of a single undertaking move. Without withdrawal the blocked
/// item lapses and takes the package down; with `withdraw_after = 3` it is
/// withdrawn and the other two are adopted with the package.
#[test]
fn withdrawing_what_cannot_converge_lets_the_package_move() {
    let (kept, _) = run("singapore-issues.toml", SINGAPORE);
    let (dropped, rec) = run("singapore-issues-withdrawn.toml", WITHDRAWN);
    assert_eq!(kept.package.outcome, Some(Outcome::Lapsed));
    assert!(kept.items.iter().all(|i| i.outcome != Outcome::Adopted));
    assert!(!item(&kept, "investment").withdrawn);

    assert_eq!(dropped.package.outcome, Some(Outcome::Adopted));
    let inv = item(&dropped, "investment");
    assert!(inv.withdrawn);
    assert_eq!(inv.outcome, Outcome::Lapsed);
    for id in ["agriculture", "trade-facilitation"] {
        assert_eq!(item(&dropped, id).outcome, Outcome::Adopted, "{id}");
    }
    let withdrawn: Vec<_> = rec
        .entries()
        .iter()
        .filter_map(|e| match &e.event {
            Event::ItemWithdrawn {
                item,
                rounds,
                objectors,
            } => Some((item.clone(), *rounds, objectors.len())),
            _ => None,
        })
        .collect();
    assert_eq!(withdrawn, [("investment".to_owned(), 3, 2)]);
    // The package adopted; the withdrawn item counts as not adopted.
    assert_eq!(
        count(&rec, |e| matches!(
            e,
            Event::NegotiationClosed {
                adopted: 1,
                not_adopted: 1
            }
        )),
        1
    );
}

/// §2.1.2: Members' proposals are "only for the chair's reference", and
/// their uptake "depends more on national strength". On the same Members,
/// positions and seed, with amendments at α = 1 the chair takes up every
/// large trader's amendment and few of the least-developed countries'; the
/// adopted text leaves the Members' median towards the large traders,
/// where without amendments it is the median.
#[test]
fn the_chair_takes_up_large_traders_amendments_more_than_ldcs() {
    let (plain, rec) = run("chair-no-amendments.toml", NO_AMENDMENTS);
    assert!(plain.amendments.is_none());
    assert_eq!(
        count(&rec, |e| matches!(e, Event::AmendmentProposed { .. })),
        0
    );
    let p = item(&plain, "tariffs");
    assert_eq!(p.outcome, Outcome::Adopted);
    assert_eq!((p.text, p.distance_from_median), (Some(5_000), Some(0)));

    let (amended, rec) = run("chair-amendments.toml", AMENDMENTS);
    let a = amended.amendments.as_ref().expect("amendments reported");
    let (ldc, large) = (&a.least_developed, &a.large_traders);
    assert!(ldc.proposed >= 6 && large.proposed >= 6, "{a:?}");
    assert!(
        ldc.rate < large.rate,
        "LDCs' uptake {:?} must be below the large traders' {:?}",
        ldc.rate,
        large.rate
    );
    assert_eq!(large.rate, Some(1.0));
    assert!(ldc.rate <= Some(0.2), "{ldc:?}");
    assert_eq!(a.all.proposed, ldc.proposed + large.proposed);
    let taken = count(&rec, |e| matches!(e, Event::AmendmentTakenUp { .. }));
    let not_taken = count(&rec, |e| matches!(e, Event::AmendmentNotTakenUp { .. }));
    assert_eq!(taken, a.all.taken_up as usize);
    assert_eq!(taken + not_taken, a.all.proposed as usize);
    let t = item(&amended, "tariffs");
    assert_eq!(t.outcome, Outcome::Adopted);
    assert_eq!(t.median, Some(5_000));
    assert!(t.text > Some(5_000), "towards the large traders: {t:?}");
    assert!(t.distance_from_median > p.distance_from_median);
    assert_eq!(t.amendments_taken_up, a.all.taken_up);
}

/// §2.1.2: when a chair's text appears depends on the chair. On the same
/// seed, the chair that waits for the positions to converge (at most three
/// rounds) withholds its text three times, issues it when the capitals'
/// instructions have loosened, and sees it adopted by consensus a session
/// later; the chair that issues at once meets ten objections three rounds
/// running and the text passes only by a vote over them.
#[test]
fn a_chair_that_waits_has_its_text_adopted_by_consensus_later() {
    let (at_once, _) = run("chair-no-timing.toml", NO_TIMING);
    let (waiting, rec) = run("chair-timing.toml", TIMING);
    let (o, w) = (item(&at_once, "tariffs"), item(&waiting, "tariffs"));
    assert_eq!(o.texts_withheld, 0);
    assert_eq!(o.how, Some(How::Vote));
    assert_eq!(o.objectors.len(), 10);
    assert_eq!(w.texts_withheld, 3);
    let withheld: Vec<_> = rec
        .entries()
        .iter()
        .filter_map(|e| match &e.event {
            Event::TextWithheld {
                round,
                spread,
                below,
                ..
            } => Some((*round, *spread, *below)),
            _ => None,
        })
        .collect();
    assert_eq!(
        withheld,
        [(1, 5_000, 3_000), (2, 5_000, 3_000), (3, 5_000, 3_000)]
    );
    assert_eq!((w.outcome, w.how), (Outcome::Adopted, Some(How::Consensus)));
    assert!(w.objectors.is_empty());
    assert!(w.rounds > o.rounds, "later: {} vs {}", w.rounds, o.rounds);
    assert!(w.meeting.expect("met").start > o.meeting.expect("met").start);
    assert_eq!(w.distance_from_median, Some(0));
}
