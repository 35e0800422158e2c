//! Political shocks, forces from outside the negotiating room, each shown
//! on the same scenario and seed with and without it.
//!
//! Sources: Li Ke, "Stagnation and Breakthrough of WTO Multilateral Trade
//! Negotiations", *Journal of Hubei University of Economics* 21(5), 2023,
//! §2.2.1 (political crises between States hold the negotiations back: the
//! US-China trade war from March 2018, unilateralism, and the pandemic,
//! which kept delegates from meeting face to face); MC12, planned for
//! Nur-Sultan on 8-11 June 2020, met in Geneva on 12-17 June 2022 (the
//! General Council's decisions on it are not cited: symbols not verified);
//! the Dispute Settlement Understanding, Art. 2.4 (the DSB decides by
//! consensus) and 17.1 (three Appellate Body members hear an appeal). The
//! factor by which tolerances narrow, and a rival's support read from the
//! latest round of reactions, are modelling assumptions
//! (`rappard_core::shock`).

use rappard_core::record::{Event, Record};
use rappard_core::report::Report;
use rappard_core::rules::Outcome;
use rappard_core::shock::ShockKind;
use rappard_core::time::Timestamp;

mod pairs;
use pairs::{item, run};

fn t(s: &str) -> Timestamp {
    Timestamp::parse(s).expect("instant")
}

const TRADE_WAR: &str = include_str!("../../../examples/scenarios/trade-war.toml");
const NO_TRADE_WAR: &str = include_str!("../../../examples/scenarios/no-trade-war.toml");
const PANDEMIC: &str = include_str!("../../../examples/scenarios/pandemic-2020.toml");
const NO_PANDEMIC: &str = include_str!("../../../examples/scenarios/no-pandemic-2020.toml");
const APPELLATE_BODY: &str = include_str!("../../../examples/scenarios/appellate-body.toml");

/// §2.2.1: the trade war "brought a cold wave" to the negotiations. On the
/// same Members, positions and seed, the two items on which the rivals
/// are apart are adopted without the war and lapse with it: each rival
/// objects to what the other supported, with half its tolerance. What was
/// decided before it began, and what is decided after it ended, is not
/// touched.
#[test]
fn a_trade_war_drains_what_the_rivals_would_have_agreed() {
    let (calm, calm_rec) = run("no-trade-war.toml", NO_TRADE_WAR);
    let (war, rec) = run("trade-war.toml", TRADE_WAR);
    for id in ["ecommerce", "subsidies"] {
        assert_eq!(item(&calm, id).outcome, Outcome::Adopted, "{id}");
        assert_eq!(item(&war, id).outcome, Outcome::Lapsed, "{id}");
    }
    for id in ["transparency", "fisheries"] {
        assert_eq!(item(&calm, id).outcome, Outcome::Adopted, "{id}");
        assert_eq!(item(&war, id).outcome, Outcome::Adopted, "{id}");
    }
    assert!(calm.shocks.is_empty());
    let s = &war.shocks[0];
    assert_eq!(s.kind, ShockKind::TradeWar);
    assert_eq!(
        (s.start, s.end),
        (t("2018-03-22T00:00:00Z"), t("2018-04-30T00:00:00Z"))
    );
    assert_eq!((s.before.outcomes, s.before.lapsed), (1, 0));
    assert_eq!(
        (s.during.outcomes, s.during.lapsed, s.during.lapsed_pct),
        (2, 2, 100.0)
    );
    assert_eq!(
        (s.after.outcomes, s.after.blocked, s.after.lapsed),
        (1, 0, 0)
    );
    // The record says when it began and ended; without it, neither.
    let shocks = |r: &Record| {
        r.entries()
            .iter()
            .filter(|e| matches!(e.event, Event::ShockBegan { .. } | Event::ShockEnded { .. }))
            .count()
    };
    assert_eq!((shocks(&rec), shocks(&calm_rec)), (2, 0));
    let minutes = rappard_core::report::minutes(&rec);
    assert!(minutes.contains("SHOCK 1 BEGAN 2018-03-22T00:00:00Z: trade war between CHN, USA"));
    assert!(
        minutes.contains("during, 0 of 2 blocked, 2 lapsed"),
        "{minutes}"
    );
}

/// The pressures travel in the calls, and only while the shock lasts: a
/// call before 22 March names none.
#[test]
fn calls_name_the_pressure_only_while_the_shock_lasts() {
    let (_, rec) = run("trade-war.toml", TRADE_WAR);
    let (start, end) = (t("2018-03-22T00:00:00Z"), t("2018-04-30T00:00:00Z"));
    let mut pressed = 0;
    for e in rec.entries() {
        let Some(call) = e.event.issued_call() else {
            continue;
        };
        let lasting = start <= e.at && e.at < end;
        assert_eq!(
            !call.pressures.is_empty(),
            lasting && call.awaited.len() > 1,
            "{call:?}"
        );
        for p in &call.pressures {
            assert!(matches!(p.member.as_str(), "CHN" | "USA"));
            assert_eq!(p.tolerance, 5_000);
            pressed += 1;
        }
    }
    assert!(pressed > 0);
}

/// §2.2.1: the pandemic kept delegates from meeting face to face. With the
/// shock the venue turns virtual, so the General Council of 10 June 2020
/// sits with the delegations whose capitals are in office hours, and MC12
/// meets when the shock ends, on 12 June 2022, not on 8 June 2020.
#[test]
fn a_pandemic_turns_the_venue_virtual_and_postpones_mc12() {
    let (calm, _) = run("no-pandemic-2020.toml", NO_PANDEMIC);
    let (pandemic, rec) = run("pandemic-2020.toml", PANDEMIC);
    let mc12 = |r: &Report| item(r, "mc12").meeting.expect("met").start;
    assert_eq!(mc12(&calm), t("2020-06-08T07:00:00Z"));
    assert_eq!(mc12(&pandemic), t("2022-06-12T07:00:00Z"));
    assert_eq!(item(&pandemic, "mc12").outcome, Outcome::Adopted);
    let council = |r: &Report| {
        r.sessions
            .iter()
            .find(|s| s.item.as_deref() == Some("appointment"))
            .map(|s| (s.delegations_present, s.delegations))
            .expect("the council met")
    };
    let (calm_present, all) = council(&calm);
    let (virtual_present, _) = council(&pandemic);
    assert_eq!(calm_present, all, "in Geneva everyone sits");
    assert!(virtual_present < all, "{virtual_present} of {all}");
    assert_eq!(pandemic.shocks[0].postponed, ["mc12"]);
    let began = rec.entries().iter().find_map(|e| match &e.event {
        Event::ShockBegan { postponed, .. } => Some(postponed.clone()),
        _ => None,
    });
    assert_eq!(
        began.expect("began")[0].from.start,
        t("2020-06-08T07:00:00Z")
    );
}

/// A populist turn or an election: the Member's tolerance narrows and its
/// concessions stop. On the same seed, a text the United States accepts
/// after conceding is never within its reach while the shock lasts.
#[test]
fn populism_and_elections_stop_concessions() {
    let base = NO_TRADE_WAR.replace("name = \"no-trade-war\"", "name = \"politics\"");
    let (calm, _) = run("calm.toml", &base);
    assert_eq!(item(&calm, "ecommerce").outcome, Outcome::Adopted);
    for kind in ["populism", "election"] {
        let text = format!(
            "{base}\n[[shock]]\nkind = \"{kind}\"\nstart = \"2018-03-15T00:00:00Z\"\nend = \"2018-06-01T00:00:00Z\"\nmembers = [\"USA\"]\n"
        );
        let (pressed, _) = run("politics.toml", &text);
        assert_eq!(
            item(&pressed, "ecommerce").outcome,
            Outcome::Lapsed,
            "{kind}"
        );
        assert_eq!(
            item(&pressed, "subsidies").outcome,
            Outcome::Lapsed,
            "{kind}"
        );
        assert_eq!(
            item(&pressed, "transparency").outcome,
            Outcome::Adopted,
            "{kind}"
        );
        assert_eq!(pressed.shocks[0].during.lapsed, 2, "{kind}");
    }
}

/// DSU Art. 2.4: the DSB decides by consensus, so one Member present that
/// formally objects blocks the launch of the selection processes, meeting
/// after meeting, whatever every other Member wants.
#[test]
fn one_standing_objection_blocks_appellate_body_appointments() {
    let (r, _) = run("appellate-body.toml", APPELLATE_BODY);
    for id in ["selection-november", "selection-december"] {
        let i = item(&r, id);
        assert_eq!(i.outcome, Outcome::Blocked, "{id}");
        assert_eq!(i.objectors.len(), 1);
        assert_eq!(i.objectors[0].as_str(), "USA");
        assert!(i.present.len() > 100, "the Members present");
    }
}

/// Without `[[shock]]` the record is as before: the shocks' events and the
/// calls' pressures never appear.
#[test]
fn without_shocks_nothing_changes() {
    let (_, rec) = run("no-pandemic-2020.toml", NO_PANDEMIC);
    let canonical = String::from_utf8(rec.canonical()).expect("utf-8");
    assert!(!canonical.contains("shock") && !canonical.contains("pressures"));
}
