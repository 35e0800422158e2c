//! Regional trade agreements, the force outside the room: the outside
//! option they give Members, the spaghetti bowl, notification and the
//! transparency review, and docking an RTA's chapter into the WTO, each
//! shown on the shipped pair rta-none / rta-world, which differ only in
//! their RTAs, on the same seed.
//!
//! Sources: Li Ke, "Stagnation and Breakthrough of WTO Multilateral Trade
//! Negotiations", *Journal of Hubei University of Economics* 21(5), 2023,
//! §1.2.2 (587 RTAs notified, 357 in force by June 2023; the spaghetti
//! bowl; RTAs lower the will to negotiate multilaterally), §2.2.3 (RTAs
//! compete with the round), §3.4 (multilateralising RTAs); GATT 1994 Art.
//! XXIV:7(a), GATS Art. V:7(a); the General Council's decision of 14
//! December 2006 on a Transparency Mechanism for RTAs (WT/L/671). The
//! outside option, its trade proxy and its weight are modelling
//! assumptions (`rappard_core::rta`).

use rappard_core::record::Event;
use rappard_core::rules::Outcome;
use rappard_core::scenario;

mod pairs;
use pairs::{item, run};

const NONE: &str = include_str!("../../../examples/scenarios/rta-none.toml");
const WORLD: &str = include_str!("../../../examples/scenarios/rta-world.toml");

/// The pair differs only in the RTAs.
#[test]
fn the_pair_differs_only_in_the_rtas() {
    let strip = |t: &str| {
        t.lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with("name = "))
            .take_while(|l| !l.starts_with("[rtas]"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(NONE).trim_end(), strip(WORLD).trim_end());
}

/// §1.2.2, §2.2.3: on the same seed, the outside option that RTAs give
/// their parties narrows their tolerance and slows their concessions:
/// agriculture, adopted by consensus without RTAs, lapses with them on the
/// same text, after twice the rounds; fisheries, on which the others'
/// ideal is fixed and close, is adopted in both.
#[test]
fn the_outside_option_makes_an_adopted_item_lapse() {
    let (none, _) = run("rta-none.toml", NONE);
    let (world, rec) = run("rta-world.toml", WORLD);
    assert!(none.rtas.is_empty() && none.spaghetti_bowl.is_empty());
    let (a0, a1) = (item(&none, "agriculture"), item(&world, "agriculture"));
    assert_eq!(a0.outcome, Outcome::Adopted);
    assert_eq!(a1.outcome, Outcome::Lapsed);
    assert!(a1.rounds > a0.rounds, "{} vs {}", a1.rounds, a0.rounds);
    assert!(!a1.objectors.is_empty() || a1.how.is_none());
    assert_eq!(item(&none, "fisheries").outcome, Outcome::Adopted);
    assert_eq!(item(&world, "fisheries").outcome, Outcome::Adopted);
    // The factor recorded is the one the delegations applied: below 1 for
    // every party to an RTA, and India, party to none, has no bowl.
    let bowls: Vec<_> = rec
        .entries()
        .iter()
        .filter_map(|e| match &e.event {
            Event::SpaghettiBowl { member, factor, .. } => Some((member.to_string(), *factor)),
            _ => None,
        })
        .collect();
    assert!(bowls.iter().all(|(_, f)| *f < 10_000 && *f >= 5_000));
    assert!(!bowls.iter().any(|(m, _)| m == "IND"));
    assert_eq!(bowls.len(), 17);
}

/// The spaghetti bowl: overlapping agreements and distinct rules-of-origin
/// regimes per Member, in the JSON report and the minutes.
#[test]
fn the_spaghetti_bowl_is_reported_per_member() {
    let (world, rec) = run("rta-world.toml", WORLD);
    let bowl = |id: &str| {
        world
            .spaghetti_bowl
            .iter()
            .find(|b| b.member.as_str() == id)
            .unwrap_or_else(|| panic!("{id} has a bowl"))
    };
    // Singapore: CPTPP, RCEP, ASEAN-China, AFTA and DEPA, each with its own
    // rules of origin.
    assert_eq!(
        (bowl("SGP").agreements, bowl("SGP").rules_of_origin),
        (5, 5)
    );
    // The US: USMCA and KORUS.
    assert_eq!(bowl("USA").agreements, 2);
    assert!(bowl("SGP").covered_pct > bowl("ARG").covered_pct);
    let minutes = rappard_core::report::minutes(&rec);
    assert!(
        minutes.contains("spaghetti bowl SGP: 5 agreements"),
        "{minutes}"
    );
    let json = serde_json::to_string(&world).expect("serialises");
    assert!(json.contains("\"spaghetti_bowl\""));
    // Without RTAs the report has no such fields.
    let (none, _) = run("rta-none.toml", NONE);
    let json = serde_json::to_string(&none).expect("serialises");
    assert!(!json.contains("spaghetti_bowl") && !json.contains("\"rtas\""));
}

/// GATT 1994 Art. XXIV:7(a), GATS Art. V:7(a), WT/L/671: each notified
/// RTA is recorded with its review timetable (the CRTA for GATT XXIV, the
/// CTD for the Enabling Clause); an unnotified one gets no review.
#[test]
fn notified_rtas_get_a_review_timetable_and_unnotified_ones_none() {
    let (world, rec) = run("rta-world.toml", WORLD);
    let cptpp = world
        .rtas
        .iter()
        .find(|r| r.name == "CPTPP")
        .expect("CPTPP");
    assert!(cptpp.notified);
    assert_eq!(cptpp.entry_into_force, "2018-12-30");
    // One year after notification on entry into force (assumed).
    assert_eq!(cptpp.consideration_by.as_deref(), Some("2019-12-30"));
    let afta = world.rtas.iter().find(|r| r.name == "AFTA").expect("AFTA");
    assert_eq!(afta.committee, Some(rappard_core::rta::Committee::Ctd));
    let depa = world.rtas.iter().find(|r| r.name == "DEPA").expect("DEPA");
    assert!(!depa.notified && depa.committee.is_none());
    let reviews = rec
        .entries()
        .iter()
        .filter(|e| matches!(&e.event, Event::RtaReviewScheduled { rta, .. } if rta == "DEPA"))
        .count();
    assert_eq!(reviews, 0);
    // Data due ten weeks after notification, twenty when every party is a
    // developing country (Mercosur here).
    let due = |name: &str| {
        rec.entries().iter().find_map(|e| match &e.event {
            Event::RtaReviewScheduled { rta, data_due, .. } if rta == name => {
                Some(data_due.clone())
            }
            _ => None,
        })
    };
    assert_eq!(due("CPTPP").as_deref(), Some("2019-03-10"));
    assert_eq!(due("Mercosur").as_deref(), Some("1992-04-17"));
}

/// §3.4: an RTA's chapter docked into the WTO becomes an open plurilateral
/// initiative, its parties the sponsors, its level the opening text (as
/// the e-commerce Joint Statement Initiative drew on RTA chapters).
#[test]
fn a_docked_rta_becomes_an_open_plurilateral_initiative() {
    let (world, rec) = run("rta-world.toml", WORLD);
    let init = world
        .initiatives
        .iter()
        .find(|i| i.id == "digital-economy")
        .expect("the docked initiative");
    assert!(init.mfn);
    let launched = rec.entries().iter().find_map(|e| match &e.event {
        Event::InitiativeLaunched {
            initiative,
            sponsors,
            ..
        } if initiative == "digital-economy" => Some(sponsors.clone()),
        _ => None,
    });
    let sponsors: Vec<String> = launched
        .expect("launched")
        .iter()
        .map(|m| m.to_string())
        .collect();
    assert_eq!(sponsors, ["CHL", "NZL", "SGP"]);
    assert!(rec.entries().iter().any(|e| matches!(
        &e.event,
        Event::RtaDocked { opening_text: 8_000, initiative, .. } if initiative == "digital-economy"
    )));
    assert_eq!(
        world
            .rtas
            .iter()
            .find(|r| r.name == "DEPA")
            .and_then(|r| r.docked_as.as_deref()),
        Some("digital-economy")
    );
}

/// Bad input names the file, the line and the field.
#[test]
fn bad_rtas_are_refused_with_file_line_and_field() {
    let base = NONE.to_owned();
    let cases = [
        (
            "[[rta]]\nname = \"X\"\nparties = [\"USA\", \"ZZZ\"]\nentry_into_force = \"2020-01-01\"\ndepth = \"wto-plus\"\n",
            "rta[0].parties",
            "unknown member id",
        ),
        (
            "[[rta]]\nname = \"X\"\nparties = [\"USA\", \"CAN\"]\nentry_into_force = \"2030-01-01\"\ndepth = \"wto-plus\"\n",
            "rta[0].entry_into_force",
            "after the start",
        ),
        (
            "[[rta]]\nname = \"X\"\nparties = [\"USA\", \"CAN\"]\nentry_into_force = \"2020-01-01\"\ndepth = \"deep\"\n",
            "rta[0].depth",
            "unknown depth",
        ),
        (
            "[[rta]]\nname = \"X\"\nparties = [\"USA\"]\nentry_into_force = \"2020-01-01\"\ndepth = \"wto-plus\"\n",
            "rta[0].parties",
            "at least two parties",
        ),
        (
            "[rtas]\noutside_option_weight = 1.5\n",
            "rtas.outside_option_weight",
            "outside 0..1",
        ),
        (
            "[rtas]\ndataset = \"all\"\n",
            "rtas.dataset",
            "unknown RTA dataset",
        ),
        (
            "[[rta]]\nname = \"X\"\nparties = [\"USA\", \"CAN\"]\nentry_into_force = \"2020-01-01\"\ndepth = \"wto-plus\"\ndock_as = \"agriculture\"\n",
            "rta[0].dock_as",
            "already an item or initiative id",
        ),
    ];
    for (extra, field, message) in cases {
        let text = format!("{base}\n{extra}");
        let e = scenario::parse("bad.toml", &text).expect_err(extra);
        assert_eq!(e.file, "bad.toml");
        assert_eq!(e.field, field, "{e}");
        assert!(e.message.contains(message), "{e}");
        assert!(e.line > 30, "{e}");
    }
}
