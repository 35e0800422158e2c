//! Tests of the scenario parser: a small valid scenario, and errors that
//! must name their line and field.

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
