//! Delegations' capacity and special and differential treatment, each shown
//! on the same seed with and without it, on the shipped pairs of scenarios.
//!
//! Sources: Marrakesh Agreement Establishing the WTO, Art. IX:1, footnote 1
//! (consensus when no Member *present* formally objects); the WTO's list of
//! Members without a Geneva mission for whom it holds "Geneva Week" (as of
//! November 2014: Malawi, The Gambia, Vanuatu among them); the Trade
//! Facilitation Agreement, Section II (categories A, B and C); the Agreement
//! on Fisheries Subsidies (WT/MIN(22)/33), Art. 4 (two years' exemption
//! for developing Members and LDCs within their EEZ); Li Ke, "Stagnation
//! and Breakthrough of WTO Multilateral Trade Negotiations", *Journal of
//! Hubei University of Economics* 21(5), 2023, §1.2.1, §2.1.1 and §3.1.
//! The limit on meetings a day, the order in which a delegation takes
//! business up and the widening of a beneficiary's tolerance are modelling
//! assumptions (`rappard_core::capacity`, `rappard_core::flexibility`).

use rappard_core::member::{Development, MemberId};
use rappard_core::record::{Event, Record};
use rappard_core::report::{ItemReport, Report};
use rappard_core::rules::Outcome;
use rappard_core::scenario::Scenario;
use rappard_core::{invariants, scenario, simulation};

fn parse(name: &str, text: &str) -> Scenario {
    scenario::parse(name, text).unwrap_or_else(|e| panic!("{e}"))
}

fn run(name: &str, sc: &Scenario) -> (Report, Record) {
    let record = simulation::run(sc).expect("runs");
    let broken = invariants::check(&record);
    assert!(broken.is_empty(), "{name}: {broken:?}");
    (Report::from_record(&record), record)
}

fn item<'a>(r: &'a Report, id: &str) -> &'a ItemReport {
    r.items.iter().find(|i| i.id == id).expect("item in report")
}

fn id(s: &str) -> MemberId {
    MemberId::new(s).expect("id")
}

const LIMITED: &str = include_str!("../../../examples/scenarios/ldc-capacity.toml");
const UNLIMITED: &str = include_str!("../../../examples/scenarios/ldc-capacity-unlimited.toml");
const SDT: &str = include_str!("../../../examples/scenarios/jsi-flexibilities.toml");
const NO_SDT: &str = include_str!("../../../examples/scenarios/jsi-no-flexibilities.toml");

/// Art. IX:1 fn. 1 cuts both ways: two LDCs that can follow one meeting a
/// day take agriculture up and miss fisheries every day, so their
/// objections to fisheries are never made and it is adopted. With
/// unlimited capacity, the same seed, they object and it lapses.
#[test]
fn delegations_over_capacity_miss_business_and_cannot_object() {
    let (limited, rec) = run("ldc-capacity.toml", &parse("ldc-capacity.toml", LIMITED));
    let (unlimited, rec_u) = run("u", &parse("ldc-capacity-unlimited.toml", UNLIMITED));
    assert_eq!(item(&limited, "fisheries").outcome, Outcome::Adopted);
    assert_eq!(item(&unlimited, "fisheries").outcome, Outcome::Lapsed);
    assert_eq!(item(&limited, "agriculture").outcome, Outcome::Adopted);
    assert_eq!(item(&unlimited, "agriculture").outcome, Outcome::Adopted);
    let missed: Vec<(String, Vec<MemberId>)> = rec
        .entries()
        .iter()
        .filter_map(|e| match &e.event {
            Event::MeetingMissed {
                business, members, ..
            } => Some((business.clone(), members.clone())),
            _ => None,
        })
        .collect();
    assert!(!missed.is_empty());
    for (business, members) in &missed {
        assert_eq!(business, "fisheries");
        assert_eq!(members, &[id("GMB"), id("MWI")]);
    }
    let no_missed = rec_u
        .entries()
        .iter()
        .all(|e| !matches!(e.event, Event::MeetingMissed { .. }));
    assert!(no_missed);
    // The fisheries decision is taken without them.
    let present = &item(&limited, "fisheries").present;
    assert!(!present.contains(&id("GMB")) && !present.contains(&id("MWI")));
    let c = limited.capacity.as_ref().expect("capacity in the report");
    assert_eq!(c.least_developed.delegations, 2);
    assert_eq!(c.least_developed.business_missed, missed.len() as u32 * 2);
    // The fisheries decision, taken without both.
    assert_eq!(c.least_developed.decisions_missed, 2);
    let u = unlimited.capacity.as_ref().expect("missions in the report");
    assert_eq!(u.least_developed.business_missed, 0);
    assert_eq!(u.least_developed.decisions_missed, 0);
}

/// A delegation without a Geneva mission keeps its capital's hours even at
/// venue `geneva`: Vanuatu, in Port Vila, is absent from every meeting;
/// with a mission it sits in every one, and its objection to fisheries
/// counts.
#[test]
fn a_non_resident_delegation_keeps_its_capitals_hours() {
    let sc = parse("ldc-capacity-unlimited.toml", UNLIMITED);
    let (away, _) = run("away", &sc);
    let mut resident = sc.clone();
    resident.agenda.capacity.non_resident.remove(&id("VUT"));
    let (home, _) = run("home", &resident);
    let vut = |r: &Report| {
        r.capacity
            .as_ref()
            .and_then(|c| c.attendance.iter().find(|a| a.member == id("VUT")).cloned())
    };
    let a = vut(&away).expect("VUT listed");
    assert_eq!(a.present, 0);
    assert!(a.absent > 0);
    assert_eq!(a.decisions_missed, ["agriculture"]);
    // Resident, it is no longer listed, and sits in every session.
    assert!(vut(&home).is_none());
    assert!(home.sessions.iter().all(|s| !s.absent.contains(&id("VUT"))));
}

/// The same limits by scenario key: a delegation's own `meetings_per_day`
/// wins over its development status, and an unknown mission is refused with
/// the file, line and field.
#[test]
fn capacity_keys_resolve_per_delegation_and_errors_name_the_field() {
    let text = LIMITED.replace(
        "[[item]]\nid = \"agriculture\"",
        "[[member]]\nid = \"MWI\"\nmeetings_per_day = 2\n\n[[item]]\nid = \"agriculture\"",
    );
    let sc = parse("own.toml", &text);
    let limits = &sc.agenda.capacity.meetings_per_day;
    assert_eq!(limits.get(&id("MWI")), Some(&2));
    assert_eq!(limits.get(&id("GMB")), Some(&1));
    assert_eq!(limits.get(&id("USA")), None);
    let (r, _) = run("own", &sc);
    let c = r.capacity.expect("capacity");
    let mwi = c
        .attendance
        .iter()
        .find(|a| a.member == id("MWI"))
        .expect("MWI");
    assert!(mwi.missed.is_empty(), "two meetings a day cover both items");
    let bad = LIMITED.replace(
        "[[item]]\nid = \"agriculture\"",
        "[[member]]\nid = \"MWI\"\nmission = \"embassy\"\n\n[[item]]\nid = \"agriculture\"",
    );
    let e = scenario::parse("bad.toml", &bad).expect_err("refused");
    assert_eq!(e.field, "member[0].mission");
    assert!(e.line > 0 && e.to_string().starts_with("bad.toml:"), "{e}");
    let zero = LIMITED.replace("least-developed = 1", "least-developed = 0");
    let e = scenario::parse("zero.toml", &zero).expect_err("refused");
    assert_eq!(e.field, "capacity.by_development.least-developed");
}

/// Li Ke §3.1: an initiative without flexibilities for development draws
/// fewer developing participants. The same initiative and seed with
/// `sdt` draws more of them, and its calls carry the widening.
#[test]
fn flexibilities_draw_more_developing_participants() {
    let with = parse("jsi-flexibilities.toml", SDT);
    let without = parse("jsi-no-flexibilities.toml", NO_SDT);
    let developing: Vec<MemberId> = with
        .agenda
        .membership
        .delegations()
        .filter(|m| m.development != Development::Developed)
        .map(|m| m.id.clone())
        .collect();
    let (r_with, rec_with) = run("with", &with);
    let (r_without, rec_without) = run("without", &without);
    let joined = |r: &Report| {
        r.initiatives[0]
            .participants
            .iter()
            .filter(|p| developing.contains(p))
            .count()
    };
    assert!(
        joined(&r_with) > joined(&r_without),
        "with {} vs without {}",
        joined(&r_with),
        joined(&r_without)
    );
    let f = &r_with.flexibilities[0];
    assert_eq!(f.item, "e-commerce");
    assert_eq!(f.transition_years, 2);
    assert_eq!(f.beneficiaries as usize, developing.len());
    assert_eq!(f.beneficiaries_participating, Some(joined(&r_with) as u32));
    assert!(r_without.flexibilities.is_empty());
    let carried = |rec: &Record| {
        rec.entries()
            .iter()
            .filter(|e| {
                matches!(
                    &e.event,
                    Event::CallIssued {
                        flexibility: Some(_),
                        ..
                    }
                )
            })
            .count()
    };
    assert!(carried(&rec_with) > 0);
    assert_eq!(carried(&rec_without), 0);
}

/// On an item: a developing Member whose tolerance falls short of the
/// chair's text objects and the item lapses; with a widening that reaches
/// the text, on the same seed, it is adopted by consensus. An empty `for`
/// is refused.
#[test]
fn a_wider_tolerance_lets_a_developing_member_accept_the_text() {
    let text = |sdt: &str| {
        format!(
            r#"
[scenario]
name = "sdt-item"
seed = 4
start = "2026-03-02T00:00:00Z"

[members]
dataset = "wto"
only = ["BRA", "IND", "KEN", "USA"]

[[item]]
id = "fish"
rule = "consensus"
deadline_days = 5
{sdt}
others = {{ ideal = 0.5, tolerance = 0.1, concession = 0.0 }}
[item.positions]
USA = {{ ideal = 0.8, tolerance = 0.5, concession = 0.0 }}
KEN = {{ ideal = 0.2, tolerance = 0.1, concession = 0.0 }}
"#
        )
    };
    let plain = parse("plain.toml", &text(""));
    let flexible = parse(
        "flexible.toml",
        &text(r#"sdt = { tolerance_widening = 0.25, transition_years = 2 }"#),
    );
    let (r_plain, _) = run("plain", &plain);
    let (r_flex, _) = run("flexible", &flexible);
    assert_eq!(item(&r_plain, "fish").outcome, Outcome::Lapsed);
    assert_eq!(item(&r_flex, "fish").outcome, Outcome::Adopted);
    // India, Brazil and Kenya are developing; the United States is not.
    assert_eq!(r_flex.flexibilities[0].beneficiaries, 3);
    let e = scenario::parse("empty.toml", &text(r#"sdt = { for = [] }"#)).expect_err("refused");
    assert_eq!(e.field, "item[0].sdt.for");
}
