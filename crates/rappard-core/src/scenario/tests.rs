//! Tests of the scenario parser: a small valid scenario, and errors that
//! must name their line and field. Panics that a malformed file once caused
//! have a test each here, so that they stay errors.

use super::*;

const SMALL: &str = r#"
[scenario]
name = "small"
seed = 7
start = "2026-03-02T00:00:00Z"
venue = "virtual"

[members]
dataset = "wto"
only = ["BRA", "IND", "USA", "EU", "DEU"]

[[member]]
id = "XKX"
name = "Newland"
time_zone = "Europe/Belgrade"

[[item]]
id = "agri"
rule = "consensus"
fallback = "majority"
[item.positions]
IND = { stance = "object" }
USA = { ideal = 0.8, tolerance = 0.1 }
"#;

#[test]
fn parses_a_small_scenario() {
    let s = parse("small.toml", SMALL).expect("valid");
    assert_eq!(s.agenda.membership.len(), 6);
    assert_eq!(s.agenda.venue, Venue::Virtual);
    assert_eq!(s.agenda.items[0].fallback, Some(Rule::Majority));
    let usa = MemberId::new("USA").expect("id");
    assert_eq!(
        s.instructions[&usa]["agri"],
        PositionSpec::IdealPoint {
            ideal: Some(8_000),
            tolerance: Some(1_000),
            concession: None
        }
    );
    assert!(s.agenda.membership.is_represented("DEU"));
}

fn err(text: &str) -> ScenarioError {
    parse("bad.toml", text).expect_err("must be refused")
}

#[test]
fn an_unknown_rule_names_line_and_field() {
    let e = err(&SMALL.replace("rule = \"consensus\"", "rule = \"consensu\""));
    assert_eq!((e.line, e.field.as_str()), (19, "item[0].rule"));
    assert!(e.message.contains("unknown rule `consensu`"), "{e}");
    assert!(e.to_string().starts_with("bad.toml:19:"), "{e}");
}

#[test]
fn an_unknown_member_is_an_error() {
    let e = err(&SMALL.replace("IND = {", "INX = {"));
    assert_eq!(e.line, 22);
    assert!(e.message.contains("unknown member id `INX`"), "{e}");
    let e = err(&SMALL.replace("\"BRA\", \"IND\"", "\"BRA\", \"ZZZ\""));
    assert_eq!((e.line, e.field.as_str()), (10, "members.only"));
}

#[test]
fn an_eu_state_cannot_take_its_own_position() {
    let e = err(&SMALL.replace("IND = {", "DEU = {"));
    assert!(e.message.contains("represented by the EU"), "{e}");
}

#[test]
fn type_and_syntax_errors_name_the_field() {
    let e = err(&SMALL.replace("seed = 7", "seed = \"seven\""));
    assert_eq!((e.line, e.field.as_str()), (4, "scenario.seed"));
    let e = err(&SMALL.replace("venue = \"virtual\"", "venue = \"moon\""));
    assert!(e.message.contains("unknown venue"), "{e}");
    let e = err(&SMALL.replace("rule = \"consensus\"", "rul = \"consensus\""));
    assert!(e.message.contains("unknown field `rul`"), "{e}");
    assert_eq!(e.line, 19);
    let e = err(&SMALL.replace("tolerance = 0.1", "tolerance = 1.5"));
    assert!(e.field.ends_with("positions.USA.tolerance"), "{e}");
    let e = err(&SMALL.replace("[members]", "[members"));
    assert_eq!(e.line, 8);
}

#[test]
fn times_must_be_utc_instants() {
    let e = err(&SMALL.replace("\"2026-03-02T00:00:00Z\"", "\"2026-03-02 morning\""));
    assert_eq!(e.field, "scenario.start");
    let e = err(&SMALL.replace("\"2026-03-02T00:00:00Z\"", "2026-03-02T00:00:00"));
    assert!(e.message.contains("no time zone"), "{e}");
    let ok = parse(
        "x",
        &SMALL.replace("\"2026-03-02T00:00:00Z\"", "2026-03-02T00:00:00Z"),
    )
    .expect("TOML datetime");
    assert_eq!(ok.agenda.start.to_string(), "2026-03-02T00:00:00Z");
}

#[test]
fn a_fallback_must_be_a_vote_after_consensus() {
    let e = err(&SMALL.replace(
        "fallback = \"majority\"",
        "fallback = \"written-procedure\"",
    ));
    assert!(e.message.contains("must be a vote"), "{e}");
}

/// A scenario with no dataset: `members` replaces the `[members]` table and
/// the `[[member]]` entries.
fn without_dataset(members: &str) -> String {
    format!(
        "[scenario]\nname = \"x\"\nstart = \"2026-03-02T00:00:00Z\"\n\n{members}\n\
         [[item]]\nid = \"a\"\nrule = \"consensus\"\n"
    )
}

#[test]
fn an_empty_only_without_a_dataset_is_an_error() {
    // Once an index out of bounds (exit 101).
    let e = err(&without_dataset("[members]\nonly = []\n"));
    assert_eq!(
        (e.line, e.column, e.field.as_str()),
        (6, 8, "members.only"),
        "{e}"
    );
    assert!(e.message.contains("add dataset = \"wto\""), "{e}");
    // With ids, the error still points at the first one.
    let e = err(&without_dataset("[members]\nonly = [\"BRA\"]\n"));
    assert_eq!((e.line, e.column), (6, 9), "{e}");
}

#[test]
fn an_empty_only_with_the_dataset_leaves_only_added_members() {
    let s = parse(
        "x",
        &SMALL.replace(
            "only = [\"BRA\", \"IND\", \"USA\", \"EU\", \"DEU\"]",
            "only = []",
        ),
    );
    let e = s.expect_err("positions name Members left out");
    assert!(e.message.contains("unknown member id `IND`"), "{e}");
}

fn members_with_shares(n: usize, pct: f64) -> String {
    (0..n)
        .map(|i| {
            format!(
                "[[member]]\nid = \"M{i}\"\ntime_zone = \"Europe/Paris\"\nexport_share = {pct:.1}\n"
            )
        })
        .collect()
}

#[test]
fn export_shares_cannot_add_up_past_world_exports() {
    let e = err(&without_dataset(&members_with_shares(3, 100.0)));
    assert_eq!(e.field, "member[2].export_share", "{e}");
    assert_eq!(e.line, 16, "{e}");
    assert!(e.message.contains("add up to 300.0000 %"), "{e}");
    // Enough to overflow the sum of an initiative's participants' shares
    // (once an arithmetic overflow, exit 101).
    let e = err(&without_dataset(&members_with_shares(4_300, 100.0)));
    assert_eq!(e.field, "member[4299].export_share", "{e}");
    // Up to twice world exports (the EU's row counts its States again).
    parse("x", &without_dataset(&members_with_shares(2, 100.0))).expect("200 %");
    // An applicant's share counts too.
    let text = format!(
        "{}[[accession]]\napplicant = \"NEW\"\ntime_zone = \"Asia/Tokyo\"\nexport_share = 0.5\n",
        without_dataset(&members_with_shares(2, 100.0))
    );
    assert_eq!(err(&text).field, "accession[0].export_share");
}

#[test]
fn an_item_id_cannot_be_the_key_of_an_accession() {
    let text = without_dataset(
        "[[member]]\nid = \"AAA\"\ntime_zone = \"Europe/Paris\"\n\
         [[accession]]\napplicant = \"NEW\"\ntime_zone = \"Asia/Tokyo\"\n",
    )
    .replace("id = \"a\"", "id = \"accession:NEW\"");
    let e = err(&text);
    assert_eq!(e.field, "item[0].id", "{e}");
    assert!(e.message.contains("`accession:NEW`"), "{e}");
}

#[test]
fn a_start_in_year_9999_runs_into_year_10000() {
    let text = SMALL
        .replace("\"2026-03-02T00:00:00Z\"", "\"9999-12-31T23:59:59Z\"")
        .replace(
            "fallback = \"majority\"",
            "fallback = \"majority\"\nmeeting = { start = \"9999-12-31T23:59:59Z\", hours = 24 }",
        );
    let s = parse("x", &text).expect("valid");
    assert_eq!(
        s.agenda.items[0].deadline.to_string(),
        "+10000-01-30T23:59:59Z"
    );
    crate::simulation::run(&s).expect("runs");
}
