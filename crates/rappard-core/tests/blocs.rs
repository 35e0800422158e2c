//! Coalitions that act as blocs: members follow their coordinator's
//! reaction, objection or vote unless their own position is farther than
//! the defection limit (a modelling assumption, `[[coalition]] bloc`),
//! shown on the shipped pair `cancun-2003.toml` / `cancun-2003-blocs.toml`,
//! which differ only in `bloc`, on the same seed.
//!
//! The episode: the Cancún Ministerial Conference, 10-14 September 2003,
//! where the G-20 on agriculture and the G-90 (African Group, ACP, LDCs)
//! acted as groups and which ended on 14 September 2003 without agreement
//! after the dispute over the Singapore issues (Li Ke, "Stagnation and
//! Breakthrough of WTO Multilateral Trade Negotiations", *Journal of Hubei
//! University of Economics* 21(5), 2023, §2.2.2). The pair is stylized: its
//! roll, positions and the G-90's coordinator are modelling choices.

use rappard_core::record::Event;
use rappard_core::report::minutes;
use rappard_core::rules::Outcome;
use rappard_core::scenario;

mod pairs;
use pairs::{count, item, run};

const OFF: &str = include_str!("../../../examples/scenarios/cancun-2003.toml");
const ON: &str = include_str!("../../../examples/scenarios/cancun-2003-blocs.toml");

/// Without blocs Kenya objects alone to the investment text, the chair's
/// Green Rooms find a compromise and the package is adopted. With blocs,
/// six G-90 members near Kenya follow its objection, the objectors are
/// too many for a Green Room (`few = 3`), investment lapses and the single
/// undertaking takes agriculture down with it; Mauritius, 0.45 from Kenya,
/// leaves the bloc on every call. The G-20 speaks as one throughout.
#[test]
fn the_g90_as_a_bloc_blocks_the_singapore_issue() {
    let (off, off_rec) = run("cancun-2003.toml", OFF);
    let (on, on_rec) = run("cancun-2003-blocs.toml", ON);
    assert_eq!(off.package.outcome, Some(Outcome::Adopted));
    assert!(!off.green_rooms.is_empty());
    assert!(off.blocs.is_empty());
    let is_bloc = |e: &Event| {
        matches!(
            e,
            Event::BlocFormed { .. } | Event::BlocSpoke { .. } | Event::BlocDefection { .. }
        )
    };
    assert_eq!(count(&off_rec, is_bloc), 0);

    assert!(on.green_rooms.is_empty());
    assert_eq!(item(&on, "investment").outcome, Outcome::Lapsed);
    assert_eq!(item(&on, "agriculture").outcome, Outcome::Lapsed);
    assert_ne!(on.package.outcome, Some(Outcome::Adopted));
    let formed = |e: &Event| matches!(e, Event::BlocFormed { .. });
    assert_eq!(count(&on_rec, formed), 2);

    let (g20, g90) = (&on.blocs[0], &on.blocs[1]);
    assert_eq!(
        (g20.coalition.as_str(), g20.coordinator.as_str()),
        ("g20", "BRA")
    );
    assert_eq!(g20.calls, g20.calls_as_one);
    assert_eq!(g20.items_as_one, ["agriculture", "investment"]);
    assert!(g20.defections.is_empty());

    assert_eq!(
        (g90.coalition.as_str(), g90.coordinator.as_str()),
        ("g90", "KEN")
    );
    assert_eq!(g90.members, 8);
    assert_eq!(g90.defection_limit, 0.2);
    assert_eq!(g90.items_as_one, ["agriculture"]);
    assert_eq!(g90.items_split, ["investment"]);
    assert!(!g90.defections.is_empty());
    for d in &g90.defections {
        assert_eq!((d.item.as_str(), d.member.as_str()), ("investment", "MUS"));
        assert_eq!(d.answer, "support");
        assert_eq!(d.distance, Some(0.45));
    }
    let spoke_on_investment = |e: &Event| {
        matches!(e, Event::BlocSpoke { coalition, item, followed, .. }
            if coalition == "g90" && item == "investment" && followed.len() == 6)
    };
    assert_eq!(count(&on_rec, spoke_on_investment), g90.defections.len());
    let m = minutes(&on_rec);
    assert!(m.contains("Bloc g90: 8 Members follow KEN unless their position is more than 0.2000"));
    assert!(m.contains("MUS leaves bloc g90 and says support (distance 0.4500)"));
    assert!(
        m.contains("bloc g90 split, KEN says object; followed by BGD, JAM, MAR, SEN, UGA, ZMB")
    );
}

/// A tighter defection limit: the six members 0.2 from Kenya no longer
/// follow, they defect too, and Kenya is left alone (so the Green Room is
/// back and the package is adopted as without blocs).
#[test]
fn members_beyond_the_defection_limit_keep_their_own_answer() {
    let tight = ON.replace(
        "coordinator = \"KEN\"\nbloc = true",
        "coordinator = \"KEN\"\nbloc = true\ndefection_limit = 0.1",
    );
    assert_ne!(tight, ON);
    let (r, _) = run("tight.toml", &tight);
    let g90 = &r.blocs[1];
    assert_eq!(g90.defection_limit, 0.1);
    assert_eq!(g90.followed, 0);
    assert!(g90.defections.iter().any(|d| d.member.as_str() == "SEN"));
    assert_eq!(r.package.outcome, Some(Outcome::Adopted));
}

/// `bloc = false` is today's behaviour: the record is byte-identical to
/// the same scenario without the key; and a bloc run is deterministic.
#[test]
fn without_a_bloc_the_record_is_unchanged_and_runs_repeat() {
    let (_, off) = run("cancun-2003.toml", OFF);
    let (_, plain) = run("plain.toml", &OFF.replace("bloc = false\n", ""));
    assert_eq!(off.canonical(), plain.canonical());
    let (_, a) = run("cancun-2003-blocs.toml", ON);
    let (_, b) = run("cancun-2003-blocs.toml", ON);
    assert_eq!(a.sha256(), b.sha256());
}

/// Bad input names the field: a limit without a bloc, a bloc without a
/// coordinator, a limit out of 0..1, a partial or unknown shipped list.
#[test]
fn bloc_keys_are_checked() {
    let refused = |text: &str, field: &str, says: &str| {
        let e = scenario::parse("t.toml", text)
            .expect_err("refused")
            .to_string();
        assert!(e.contains(field) && e.contains(says), "{e}");
    };
    let base = "[scenario]\nname = \"t\"\nstart = \"2026-03-02T00:00:00Z\"\n\
                [members]\ndataset = \"wto\"\nonly = [\"BRA\", \"IND\", \"KEN\", \"USA\"]\n\
                [[item]]\nid = \"a\"\ntitle = \"A\"\nrule = \"consensus\"\ndeadline_days = 5\n";
    let with = |c: &str| format!("{base}[[coalition]]\n{c}\n");
    refused(
        &with("id = \"g20\"\ndefection_limit = 0.3"),
        "coalition[0].defection_limit",
        "needs `bloc = true`",
    );
    refused(
        &with("id = \"g20\"\nbloc = true"),
        "coalition[0].bloc",
        "give `coordinator`",
    );
    refused(
        &with("id = \"g20\"\ncoordinator = \"BRA\"\nbloc = true\ndefection_limit = 1.5"),
        "coalition[0].defection_limit",
        "outside 0..1",
    );
    refused(
        &with("id = \"g33\""),
        "coalition[0].members",
        "partial (10 Members sourced)",
    );
    refused(
        &with("id = \"g77\""),
        "coalition[0].members",
        "no list is shipped as `g77`",
    );
    let sc = scenario::parse(
        "t.toml",
        &with("id = \"g20\"\ncoordinator = \"BRA\"\nbloc = true"),
    )
    .expect("parses");
    let g20 = sc
        .agenda
        .coalitions
        .iter()
        .find(|c| c.id == "g20")
        .expect("g20");
    let ids: Vec<&str> = g20.members.iter().map(|m| m.as_str()).collect();
    assert_eq!(ids, ["BRA", "IND"]);
    assert_eq!(g20.bloc.map(|b| b.defection_limit), Some(2_000));
}
