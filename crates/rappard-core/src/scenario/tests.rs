//! Tests of the scenario parser: a small valid scenario, and errors that
//! must name their line and field. Panics that a malformed file once caused
//! have a test each here, so that they stay errors.

use super::*;

mod limit_checks;

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
            concession: None,
            importance: None,
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
    // (once an arithmetic overflow, exit 101): more Members than a
    // scenario may have now.
    let e = err(&without_dataset(&members_with_shares(4_300, 100.0)));
    assert_eq!(e.field, "member[1000].id", "{e}");
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

/// A start in the year 9999 once ran into the year 10000, which the record
/// printed and no delegation node could read back: it is refused now, as
/// every date outside the range a scenario may give (`limits`).
#[test]
fn a_start_in_year_9999_is_refused() {
    let e = err(&SMALL.replace("\"2026-03-02T00:00:00Z\"", "\"9999-12-31T23:59:59Z\""));
    assert_eq!((e.line, e.field.as_str()), (5, "scenario.start"), "{e}");
    assert!(e.message.contains("1947-01-01 to 2200-12-31"), "{e}");
}

/// The whole built-in dataset, with `extra` lines in `[members]` (line 7 on)
/// and one item that names no Member.
fn wto_with(extra: &str) -> String {
    format!(
        "[scenario]\nname = \"x\"\nstart = \"2008-07-21T00:00:00Z\"\n\n[members]\ndataset = \"wto\"\n{extra}\n\
         [[item]]\nid = \"a\"\nrule = \"consensus\"\n"
    )
}

/// The Members and delegations on the roll taken as of `date`.
fn roll_on(date: &str) -> (usize, usize) {
    let s = parse("x", &wto_with(&format!("as_of = \"{date}\""))).expect("valid");
    let m = &s.agenda.membership;
    (m.len(), m.delegation_count())
}

/// `as_of` keeps the Members whose membership date is on or before it, as
/// the WTO counted them: Cabo Verde became the 153rd Member on 23 July 2008
/// (WTO news item of that day, `news08_e/acc_capverde_july08_e.htm`), so
/// there were 152 when the July 2008 Geneva ministerial opened on the 21st;
/// Afghanistan became the 164th on 29 July 2016, and the count stayed at 164
/// through 2020 and MC13 (26 February 2024), where the accessions of
/// Comoros and Timor-Leste were approved; they became the 165th and 166th
/// Members on 21 and 30 August 2024 (WTO news items of those days; the
/// dataset's dates, `data/README.md`). The EU speaks for 27 States.
#[test]
fn as_of_keeps_the_members_of_the_day() {
    assert_eq!(roll_on("2008-07-21"), (152, 125));
    assert_eq!(roll_on("2008-07-22").0, 152);
    assert_eq!(roll_on("2008-07-23").0, 153, "Cabo Verde, the 153rd");
    assert_eq!(roll_on("2016-07-28").0, 163);
    assert_eq!(roll_on("2016-07-29").0, 164, "Afghanistan, the 164th");
    assert_eq!(roll_on("2020-01-01"), (164, 137));
    assert_eq!(roll_on("2024-02-26").0, 164, "MC13 approves, no one joins");
    assert_eq!(roll_on("2024-08-20").0, 164);
    assert_eq!(roll_on("2024-08-21").0, 165, "Comoros, the 165th");
    assert_eq!(roll_on("2024-08-29").0, 165);
    assert_eq!(roll_on("2024-08-30"), (166, 139), "Timor-Leste, the 166th");
    let s = parse("x", &wto_with("as_of = \"2008-07-21\"")).expect("valid");
    let m = &s.agenda.membership;
    assert!(m.get("CPV").is_none() && m.get("RUS").is_none() && m.get("BRA").is_some());
}

#[test]
fn as_of_may_be_a_toml_date() {
    let s = parse("x", &wto_with("as_of = 2008-07-21")).expect("valid");
    assert_eq!(s.agenda.membership.len(), 152);
}

#[test]
fn a_malformed_as_of_names_file_line_and_field() {
    for bad in [
        "\"2008-07-32\"",
        "\"21 July 2008\"",
        "\"2008-07\"",
        "2008",
        "2008-07-21T00:00:00Z",
    ] {
        let e = err(&wto_with(&format!("as_of = {bad}")));
        assert_eq!(
            (e.file.as_str(), e.line, e.column, e.field.as_str()),
            ("bad.toml", 7, 9, "members.as_of"),
            "{e}"
        );
        assert!(e.message.contains("YYYY-MM-DD"), "{e}");
    }
    let e = err(&without_dataset("[members]\nas_of = \"2008-07-21\"\n"));
    assert_eq!((e.line, e.field.as_str()), (6, "members.as_of"), "{e}");
    assert!(e.message.contains("add dataset = \"wto\""), "{e}");
}

/// `only` picks among the Members of `as_of`: an id that had not yet joined
/// is an error that says when it joined (Cabo Verde, 23 July 2008);
/// `exclude` of such an id leaves out what is out already.
#[test]
fn as_of_combines_with_only_and_exclude() {
    let e = err(&wto_with(
        "as_of = \"2008-07-21\"\nonly = [\"BRA\", \"CPV\"]",
    ));
    assert_eq!(
        (e.line, e.column, e.field.as_str()),
        (8, 16, "members.only")
    );
    assert!(
        e.message
            .contains("`CPV` was not yet a Member on 2008-07-21")
            && e.message.contains("joined the WTO on 2008-07-23"),
        "{e}"
    );
    let s = parse(
        "x",
        &wto_with("as_of = \"2008-07-23\"\nonly = [\"BRA\", \"CPV\"]"),
    )
    .expect("valid");
    assert_eq!(s.agenda.membership.len(), 2);
    let s = parse(
        "x",
        &wto_with("as_of = \"2008-07-21\"\nexclude = [\"CPV\", \"USA\"]"),
    )
    .expect("valid");
    assert_eq!(s.agenda.membership.len(), 151);
    let e = err(&wto_with("as_of = \"2008-07-21\"\nexclude = [\"ZZZ\"]"));
    assert_eq!(e.field, "members.exclude", "{e}");
}

/// A `[[member]]` for a dataset Member that `as_of` leaves out says so.
#[test]
fn a_member_entry_for_a_later_member_says_when_it_joined() {
    let e = err(&wto_with(
        "as_of = \"2020-01-01\"\n\n[[member]]\nid = \"COM\"\nregion = \"Africa\"",
    ));
    assert_eq!(e.field, "member[0].time_zone", "{e}");
    assert!(e.message.contains("joined the WTO on 2024-08-21"), "{e}");
}

/// `[greenroom]` with `keys`, before the item.
fn with_green_room(keys: &str) -> String {
    SMALL.replace(
        "[[item]]",
        &format!("[greenroom]\npolicy = \"reformed\"\n{keys}\n[[item]]"),
    )
}

/// The reform's keys (Li Ke 2023, §3.2) have documented defaults, and bad
/// values name their field.
#[test]
fn green_room_reform_keys_default_off_and_are_checked() {
    let sc = parse("ok.toml", &with_green_room("")).expect("parses");
    let g = sc.agenda.green_room.expect("green room");
    assert!(!g.objector_seats && g.growth == 0 && g.structure.is_empty());
    assert_eq!((g.consultation, sc.agenda.items[0].salience), (None, 0));
    let sc = parse("ok.toml", &with_green_room("consultation = true")).expect("parses");
    assert_eq!(sc.agenda.green_room.expect("room").consultation, Some(5000));
    let e = err(&with_green_room("consultation_weight = 0.3"));
    assert_eq!(e.field, "greenroom.consultation_weight", "{e}");
    let e = err(&with_green_room("growth = -1"));
    assert_eq!(e.field, "greenroom.growth", "{e}");
    let e = err(&with_green_room(
        "[greenroom.structure]\nmining = [\"BRA\"]",
    ));
    assert!(
        e.message.contains("unknown industry structure `mining`"),
        "{e}"
    );
    let e = err(&with_green_room(
        "[greenroom.structure]\nservices = [\"BRA\"]\nmanufactures = [\"BRA\"]",
    ));
    assert_eq!(e.field, "greenroom.structure.services", "{e}");
    let e = err(&SMALL.replace("fallback =", "salience = 1.5\nfallback ="));
    assert_eq!(e.field, "item[0].salience", "{e}");
    let e = err(&SMALL.replace("fallback =", "observers = [\"ICO\", \"ICO\"]\nfallback ="));
    assert_eq!(e.field, "item[0].observers", "{e}");
}
