//! `rappard report RUN --html OUT.html` and `simulate --format html|record`
//! as a user drives them: every chart present with the counts the record
//! gives, the same run giving the same bytes, names from scenario files
//! escaped, and a missing or malformed record refused with exit 2 naming
//! the file, the line and what is wrong.
//!
//! The charts illustrate the paper's arguments (Li Ke, "Stagnation and
//! Breakthrough of WTO Multilateral Trade Negotiations", Journal of Hubei
//! University of Economics 21(5), 2023: the Green Room, §2.1.2 and §3.2;
//! time zones, §2.2.1; critical mass, §3.1); `docs/report.md`.

use std::path::{Path, PathBuf};

mod common;
use common::{ok, rappard, root};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rappard-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

/// The record of a shipped scenario written to a file, and the HTML report
/// `rappard report` makes of it.
fn report_of(scenario: &str) -> String {
    let record = ok(&["simulate", scenario, "--format", "record"]);
    let name = Path::new(scenario)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("run");
    let run = scratch(&format!("{name}.jsonl"));
    std::fs::write(&run, &record).expect("write record");
    let out = scratch(&format!("{name}.html"));
    ok(&["report", path(&run), "--html", path(&out)]);
    std::fs::read_to_string(&out).expect("the report was written")
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// How many times `needle` occurs in the chart (or section) with this id.
fn count_in(html: &str, id: &str, needle: &str) -> usize {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no element with id {id}"));
    let rest = &html[start..];
    let end = rest
        .find("</svg>")
        .or_else(|| rest.find("</section>"))
        .unwrap_or(rest.len());
    rest[..end].matches(needle).count()
}

/// How many events of a type the scenario's record holds.
fn events(scenario: &str, kind: &str) -> usize {
    let record =
        String::from_utf8(ok(&["simulate", scenario, "--format", "record"])).expect("utf-8");
    let tag = format!("\"type\":\"{kind}\"");
    record.lines().filter(|l| l.contains(&tag)).count()
}

#[test]
fn the_record_file_is_the_records_canonical_encoding() {
    let record = ok(&[
        "simulate",
        "examples/scenarios/classroom.toml",
        "--format",
        "record",
    ]);
    let json = ok(&[
        "simulate",
        "examples/scenarios/classroom.toml",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&json).expect("json");
    let lines = record
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .count();
    assert_eq!(v["record"]["events"].as_u64(), Some(lines as u64));
    let first: serde_json::Value =
        serde_json::from_slice(record.split(|&b| b == b'\n').next().expect("a line"))
            .expect("json line");
    assert_eq!(first["seq"], 1);
    assert_eq!(first["event"]["type"], "negotiation-opened");
}

#[test]
fn every_chart_is_there_with_the_records_counts() {
    // classroom: six delegations in Geneva (one zone), one item voted on.
    let html = report_of("examples/scenarios/classroom.toml");
    assert!(html.starts_with("<!DOCTYPE html>"));
    for id in [
        "outcomes",
        "attendance-by-zone",
        "common-window",
        "critical-mass",
        "vote-tallies",
        "green-room-inclusiveness",
        "accession-timeline",
    ] {
        assert!(html.contains(&format!("<section id=\"{id}\">")), "{id}");
    }
    let days = events("examples/scenarios/classroom.toml", "day-opened");
    assert!(days > 0);
    assert_eq!(
        count_in(&html, "common-windows", "<rect class=\"bar\""),
        days
    );
    assert_eq!(count_in(&html, "outcomes", "<tr class=\"item\""), 2);
    // Geneva: every delegation sits in Geneva, one row of the heatmap.
    assert_eq!(count_in(&html, "attendance", "(6)</text>"), 1);

    // Time zones: delegations in their capitals, one row per UTC offset.
    let html = report_of("examples/scenarios/virtual-2020.toml");
    assert!(count_in(&html, "attendance", "<rect class=\"cell\"") > 1);

    // An initiative: one point at launch and one per join.
    let html = report_of("examples/scenarios/ita-critical-mass.toml");
    let joins = events(
        "examples/scenarios/ita-critical-mass.toml",
        "initiative-joined",
    );
    assert_eq!(
        count_in(&html, "critical-mass-0", "<circle class=\"join\""),
        joins + 1
    );
    assert_eq!(count_in(&html, "critical-mass-0", "class=\"threshold\""), 1);

    // Votes: one bar of yes per decision taken by vote.
    let sc = "examples/scenarios/eu-votes.toml";
    let html = report_of(sc);
    let record = String::from_utf8(ok(&["simulate", sc, "--format", "record"])).expect("utf-8");
    let by_vote = record
        .lines()
        .filter(|l| l.contains("\"type\":\"decision-taken\"") && l.contains("\"how\":\"vote\""))
        .count();
    assert!(by_vote > 0);
    assert_eq!(count_in(&html, "votes", "<rect class=\"yes\""), by_vote);
    assert_eq!(count_in(&html, "votes", "class=\"required\""), by_vote);

    // Green Rooms: three bars each.
    let html = report_of("examples/scenarios/greenroom-traditional.toml");
    let rooms = html.matches("<rect class=\"members\"").count();
    assert!(rooms > 0);
    assert_eq!(
        rooms,
        events(
            "examples/scenarios/greenroom-traditional.toml",
            "green-room-convened"
        )
    );
    assert_eq!(html.matches("<rect class=\"ldcs\"").count(), rooms);
    assert_eq!(html.matches("<rect class=\"regions\"").count(), rooms);

    // Accessions: one bar per stage an applicant reached.
    let sc = "examples/scenarios/accessions-2024.toml";
    let html = report_of(sc);
    let stages = events(sc, "accession-applied") + events(sc, "accession-stage");
    assert!(stages >= 2);
    assert!(
        count_in(&html, "accessions", "<rect class=\"stage\"") >= events(sc, "accession-applied")
    );
    assert!(!html.contains("<script"), "no script");
    assert!(
        !html.contains("http://")
            || html.matches("http://").count()
                == html.matches("http://www.w3.org/2000/svg").count(),
        "nothing fetched"
    );
}

#[test]
fn the_same_run_gives_the_same_file() {
    let a = report_of("examples/scenarios/greenroom-reformed.toml");
    let b = report_of("examples/scenarios/greenroom-reformed.toml");
    assert_eq!(a, b);
    let c = ok(&[
        "simulate",
        "examples/scenarios/greenroom-reformed.toml",
        "--format",
        "html",
    ]);
    assert_eq!(
        a.as_bytes(),
        c.as_slice(),
        "simulate --format html is the same page"
    );
    let other = ok(&[
        "simulate",
        "examples/scenarios/greenroom-reformed.toml",
        "--seed",
        "9",
        "--format",
        "html",
    ]);
    assert_ne!(a.as_bytes(), other.as_slice(), "another seed, another run");
}

#[test]
fn names_from_the_scenario_are_escaped() {
    let text =
        std::fs::read_to_string(root().join("examples/scenarios/classroom.toml")).expect("read");
    let text = text
        .replace(
            "name = \"classroom\"",
            "name = \"class<script>alert('x')</script>&\"",
        )
        .replace(
            "title = \"Fisheries subsidies: disciplines on subsidies to overcapacity\"",
            "title = \"<img src=x onerror=alert(1)> \\\"quoted\\\"\"",
        );
    let sc = scratch("hostile.toml");
    std::fs::write(&sc, text).expect("write");
    let html = String::from_utf8(ok(&["simulate", path(&sc), "--format", "html"])).expect("utf-8");
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(html.contains("class&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt; &quot;quoted&quot;"));
}

/// The error `rappard report` gives for a record file, with exit 2.
fn refused(name: &str, content: Option<&str>) -> String {
    let run = scratch(name);
    if let Some(c) = content {
        std::fs::write(&run, c).expect("write");
    }
    let out_file = scratch(&format!("{name}.html"));
    let out = rappard(&["report", path(&run), "--html", path(&out_file)]);
    assert_eq!(out.status.code(), Some(2), "{name}");
    assert!(!out_file.exists(), "{name}: nothing is written");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(err.contains(path(&run)), "{name}: {err}");
    err
}

#[test]
fn a_missing_or_malformed_record_exits_2_naming_file_line_and_fault() {
    let err = refused("missing.jsonl", None);
    assert!(err.contains("cannot read the record"), "{err}");
    let err = refused("empty.jsonl", Some(""));
    assert!(err.contains("empty"), "{err}");
    let record = ok(&[
        "simulate",
        "examples/scenarios/classroom.toml",
        "--format",
        "record",
    ]);
    let record = String::from_utf8(record).expect("utf-8");
    let lines: Vec<&str> = record.lines().collect();
    // Line 3 cut short.
    let mut torn = lines.clone();
    let cut = &lines[2][..lines[2].len() / 2];
    torn[2] = cut;
    let err = refused("torn.jsonl", Some(&torn.join("\n")));
    assert!(
        err.contains("line 3") && err.contains("not a record entry"),
        "{err}"
    );
    // Line 2 left out: a gap in the sequence.
    let mut gap = lines.clone();
    gap.remove(1);
    let err = refused("gap.jsonl", Some(&gap.join("\n")));
    assert!(
        err.contains("line 2") && err.contains("sequence number 3, expected 2"),
        "{err}"
    );
    // The JSON report is not a record.
    let json = ok(&[
        "simulate",
        "examples/scenarios/classroom.toml",
        "--format",
        "json",
    ]);
    let err = refused("report.json", Some(&String::from_utf8_lossy(&json)));
    assert!(err.contains("line 1"), "{err}");
}
