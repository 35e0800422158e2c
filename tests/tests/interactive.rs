//! `rappard member --id BRA --interactive`: a person at a terminal plays a
//! delegation against a real Secretariat process, the other delegations
//! played by the shipped strategies in another process. The test is the
//! person: it reads each call the command prints on stdout and types an
//! answer on its standard input (once a line that is not a choice first,
//! and once nothing at all), and the minutes, read back from the
//! Secretariat's journal, show exactly what was typed, and the call left
//! unanswered as not answered (as for an absent delegation: consensus
//! among those present, WTO Agreement Art. IX:1 and its footnote 1).

use std::io::Write;
use std::path::Path;

use rappard_core::record::Record;
use rappard_core::{report, scenario};
use rappard_net::journal;
use rappard_tests::{Node, Scratch, command, pki_for, slot, timeout};

/// The Secretariat's and the person's answer timeout, in seconds.
const ANSWER_TIMEOUT: &str = "15";

/// The record a Secretariat's journal holds.
fn journaled_record(data: &Path) -> Record {
    let path = data.join(journal::FILE_NAME);
    let scan = journal::scan(&path).expect("the journal scans");
    let sc = scenario::parse("journal", &scan.scenario_text)
        .expect("the journal's scenario")
        .with_seed(scan.run.seed);
    let replayed = journal::replay(&path, sc.agenda, &scan.frames).expect("the journal replays");
    let mut record = Record::new();
    for e in &replayed.secretariat.record().entries()[..replayed.entries] {
        record.append(e.at, e.event.clone());
    }
    record
}

/// What the person types for a call offering these choices, and how the
/// minutes write that answer.
fn answer_for(choices: &str) -> (&'static str, &'static str) {
    if choices.starts_with("a level") {
        ("0.35", "BRA 0.3500")
    } else if choices.starts_with("support, reserve") {
        ("reserve", "BRA reserve")
    } else if choices.starts_with("yes, no") {
        ("abstain", "BRA abstain")
    } else if choices.starts_with("object, no-objection") {
        ("object", "BRA objects")
    } else {
        panic!("a call BRA should not get in classroom: {choices}")
    }
}

#[test]
fn a_person_at_a_terminal_plays_a_delegation() {
    let _slot = slot();
    let dir = Scratch::new("rappard-interactive");
    let certs = dir.path().join("pki");
    let data = dir.path().join("data");
    let certs = certs.to_str().expect("utf-8 path");
    pki_for(certs, &["BRA", "CHN", "EU", "IND", "USA", "ZAF"]);
    let scenario = "examples/scenarios/classroom.toml";
    let mut sec = command();
    sec.args([
        "secretariat",
        "--scenario",
        scenario,
        "--grpc",
        "127.0.0.1:0",
    ])
    .args(["--certs", certs, "--answer-timeout", ANSWER_TIMEOUT])
    .arg("--data")
    .arg(&data);
    let mut sec = Node::spawn("secretariat", sec);
    let line = sec.line(timeout(60));
    let addr = line
        .strip_prefix("grpc ")
        .unwrap_or_else(|| panic!("the Secretariat printed {line:?}, not `grpc ADDR`"))
        .to_owned();
    let mut others = command();
    others
        .args([
            "member",
            "--scenario",
            scenario,
            "--ids",
            "CHN,EU,IND,USA,ZAF",
        ])
        .args(["--secretariat", &addr, "--certs", certs]);
    let mut others = Node::spawn("the other delegations", others);
    let mut bra = command();
    bra.args([
        "member",
        "--scenario",
        scenario,
        "--id",
        "BRA",
        "--interactive",
    ])
    .args(["--secretariat", &addr, "--certs", certs])
    .args(["--answer-timeout", ANSWER_TIMEOUT, "--tz", "Asia/Tokyo"]);
    let (mut bra, mut keys) = Node::spawn_with_stdin("BRA at the terminal", bra);

    let mut seen = Vec::new();
    let mut typed: Vec<&str> = Vec::new();
    let (mut refused_once, mut skipped) = (false, None);
    let mut calls = 0;
    while let Some(line) = bra.next_line(timeout(120)) {
        seen.push(line.clone());
        if line.starts_with("--- Call ") {
            calls += 1;
        }
        let Some(choices) = line.strip_prefix("Choices: ") else {
            continue;
        };
        let (answer, minuted) = answer_for(choices);
        if !refused_once {
            // Not a choice: the command says so and asks again.
            writeln!(keys, "maybe").expect("type");
            let again = bra.next_line(timeout(60)).expect("a line");
            assert!(
                again.contains("`maybe` is not a choice for this call"),
                "{again}"
            );
            refused_once = true;
        } else if skipped.is_none() && calls >= 3 {
            // The person does not answer this one in time.
            let up = loop {
                let l = bra.next_line(timeout(120)).expect("a line");
                if l.contains("Time is up") || l.contains("Call ") {
                    break l;
                }
            };
            assert!(
                up.contains("Time is up: BRA is recorded as not answering"),
                "{up}"
            );
            skipped = Some(calls);
            continue;
        }
        writeln!(keys, "{answer}").expect("type");
        typed.push(minuted);
    }
    let bra = bra.finish(timeout(60));
    let printed = seen.join("\n");
    assert!(bra.status.success(), "{printed}\n{}", bra.stderr);
    assert!(others.finish(timeout(120)).status.success());
    assert!(printed.contains("Your brief (private"), "{printed}");
    assert!(
        printed.contains("hold the stance `object` throughout"),
        "{printed}"
    );
    assert!(printed.contains("your time (Asia/Tokyo)"), "{printed}");
    assert!(printed.contains("BRA time (Europe/Zurich)"), "{printed}");
    assert!(
        skipped.is_some(),
        "the test never left a call unanswered: {printed}"
    );
    assert!(typed.len() >= 2, "{printed}");

    let minutes = report::minutes(&journaled_record(&data));
    for answer in ["BRA 0.3500", "BRA reserve", "BRA abstain", "BRA objects"] {
        let want = typed.iter().filter(|t| **t == answer).count();
        assert_eq!(
            minutes.matches(answer).count(),
            want,
            "{answer} in\n{minutes}"
        );
    }
    assert!(
        minutes.contains("no answer from BRA"),
        "the call left unanswered:\n{minutes}"
    );
    // The HTML report of the run, from the Secretariat's data directory.
    let page = dir.path().join("report.html");
    let mut report = command();
    report.arg("report").arg(&data).arg("--html").arg(&page);
    let out = Node::spawn("report", report).finish(timeout(60));
    assert!(out.status.success(), "{}", out.stderr);
    let html = std::fs::read_to_string(&page).expect("the report");
    assert!(html.contains("<section id=\"outcomes\">"), "{html}");
    drop(sec);
}
