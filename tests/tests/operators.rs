//! Operators' signals over real processes (docs/deploy.md, "What an
//! operator sees"): a Secretariat with `--metrics` and `--log-format json`
//! and a member process with the same, running the classroom scenario on
//! 127.0.0.1.
//!
//! - `/metrics` is scraped over HTTP while the negotiation runs: the answers
//!   counted grow from one scrape to a later one, on the Secretariat and on
//!   the member process, and once the negotiation has closed the record
//!   length in the metrics is the length of the record, which is `rappard
//!   simulate`'s (same SHA-256).
//! - Every line both processes write on stderr is a JSON object, and every
//!   line logged in the work of a delegation on a call carries the member
//!   id and the call in its spans.
//!
//! `rappard health` is checked on the way: SERVING from the Secretariat,
//! exit 1 from a port that is not its gRPC port.
//!
//! The scenario is run at a pace (`--pace`: real seconds per simulated
//! day) so that the run lasts long enough to be scraped in the middle; the
//! pace changes when calls open, never the record.

use std::io::{Read as _, Write as _};
use std::path::Path;
use std::time::{Duration, Instant};

use rappard_tests::{Node, Scratch, command, scenario_pki, simulated, slot, timeout};
use serde_json::Value;

const SCENARIO: &str = "examples/scenarios/classroom.toml";

/// `GET /metrics` at `addr` over plain HTTP/1.1 (a one-request client
/// written here: the test needs nothing a client crate would add): the
/// body, or `None` if the server is not there (any more).
fn scrape(addr: &str) -> Option<String> {
    let mut s = std::net::TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let request = format!("GET /metrics HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    s.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    s.read_to_string(&mut response).ok()?;
    let (head, body) = response.split_once("\r\n\r\n")?;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/openmetrics-text"),
        "{head}"
    );
    Some(body.to_owned())
}

/// The sum of a metric's samples (over its labels) in a scrape.
fn value(scrape: &str, name: &str) -> f64 {
    scrape
        .lines()
        .filter(|l| {
            l.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with(' ') || rest.starts_with('{'))
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// The field `key` of the spans a JSON log line is in, outermost first.
fn span_fields<'a>(line: &'a Value, key: &str) -> Vec<&'a Value> {
    line["spans"]
        .as_array()
        .map(|spans| spans.iter().filter_map(|s| s.get(key)).collect())
        .unwrap_or_default()
}

/// Every stderr line of `who` parsed as JSON (panics on one that is not).
fn json_lines(who: &str, stderr: &str) -> Vec<Value> {
    stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{who}: not JSON ({e}): {l:?}")))
        .collect()
}

/// Scrapes `secretariat` and `members` until both have counted answers,
/// twice with more answers on the Secretariat the second time, before the
/// negotiation closes. Returns the answers of the two scrapes.
fn scrape_while_running(secretariat: &str, members: &str, record_len: u64) -> (f64, f64) {
    let until = Instant::now() + timeout(120);
    let mut first: Option<f64> = None;
    loop {
        assert!(
            Instant::now() < until,
            "no two scrapes with answers growing"
        );
        let (Some(s), Some(m)) = (scrape(secretariat), scrape(members)) else {
            panic!("a metrics server went away before the negotiation closed");
        };
        let answers = value(&s, "rappard_answers_total");
        assert!(
            value(&s, "rappard_record_entries") < record_len as f64,
            "the negotiation closed before the answers could be seen growing:\n{s}"
        );
        match first {
            None if answers > 0.0 && value(&m, "rappard_answers_total") > 0.0 => {
                first = Some(answers);
            }
            Some(a) if answers > a => {
                // Every delegation has followed the record for a while.
                assert_eq!(value(&s, "rappard_delegations_connected"), 6.0, "{s}");
                assert_eq!(value(&m, "rappard_delegations_connected"), 6.0, "{m}");
                return (a, answers);
            }
            _ => {}
        }
        // Scrapes as an operator's Prometheus would, only more often.
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `rappard health`: SERVING (exit 0) from the Secretariat's gRPC port;
/// exit 1 from a port that speaks no TLS gRPC (the metrics' plain HTTP).
fn check_health(grpc: &str, not_grpc: &str, certs: &Path) {
    let health = |addr: &str| {
        let mut cmd = command();
        cmd.args(["health", addr, "--certs"]).arg(certs);
        Node::spawn("health", cmd).finish(timeout(60))
    };
    let ok = health(grpc);
    assert!(ok.status.success(), "health {grpc}: {}", ok.stderr);
    assert_eq!(String::from_utf8_lossy(&ok.stdout).trim(), "SERVING");
    let refused = health(not_grpc);
    assert_eq!(
        refused.status.code(),
        Some(1),
        "health {not_grpc}: {}",
        refused.stderr
    );
    assert!(refused.stderr.contains(not_grpc), "{}", refused.stderr);
}

#[test]
fn metrics_move_during_a_run_and_logs_are_json_with_member_and_call() {
    let _slot = slot();
    let (sha, record_len) = simulated(SCENARIO);
    let scratch = Scratch::new("rappard-operators");
    let certs = scratch.path().join("pki");
    let ids = scenario_pki(&certs, SCENARIO).0;
    let mut cmd = command();
    cmd.args([
        "--log-format",
        "json",
        "-v",
        "secretariat",
        "--scenario",
        SCENARIO,
    ])
    .arg("--certs")
    .arg(&certs)
    .arg("--data")
    .arg(scratch.path().join("data"))
    .args(["--grpc", "127.0.0.1:0", "--metrics", "127.0.0.1:0"])
    .args(["--pace", "0.3", "--answer-timeout", "120"]);
    let mut secretariat = Node::spawn("secretariat", cmd);
    let grpc = secretariat.line(timeout(60)).replace("grpc ", "");
    let s_metrics = secretariat.line(timeout(60)).replace("metrics ", "");
    let mut cmd = command();
    cmd.args([
        "--log-format",
        "json",
        "-vv",
        "member",
        "--scenario",
        SCENARIO,
    ])
    .args(["--ids", &ids.join(","), "--secretariat", &grpc])
    .arg("--certs")
    .arg(&certs)
    .args(["--metrics", "127.0.0.1:0"]);
    let mut members = Node::spawn("members", cmd);
    let m_metrics = members.line(timeout(60)).replace("metrics ", "");

    check_health(&grpc, &s_metrics, &certs);

    let (before, after) = scrape_while_running(&s_metrics, &m_metrics, record_len);
    eprintln!("answers counted: {before}, then {after}");

    let done = members.finish(timeout(300));
    assert!(done.status.success(), "members: {}", done.stderr);
    secretariat.wait_stderr("negotiation closed", timeout(60));
    let end = scrape(&s_metrics).expect("the Secretariat serves metrics until stopped");
    assert_eq!(
        value(&end, "rappard_record_entries"),
        record_len as f64,
        "{end}"
    );
    assert!(value(&end, "rappard_answers_total") > after, "{end}");
    assert_eq!(value(&end, "rappard_calls_open"), 0.0, "{end}");
    assert_eq!(value(&end, "rappard_delegations_connected"), 0.0, "{end}");
    let calls = value(&end, "rappard_call_duration_seconds_count");
    assert!(calls > 0.0, "{end}");
    // One synced group of entries per call, and one for the end.
    assert_eq!(
        value(&end, "rappard_journal_sync_seconds_count"),
        calls + 1.0,
        "{end}"
    );

    // The Secretariat's logs: JSON, and the record is simulate's.
    let lines = json_lines("secretariat", &secretariat.stderr());
    let closed = lines
        .iter()
        .find(|l| l["fields"]["message"] == "negotiation closed")
        .expect("a `negotiation closed` line");
    assert_eq!(closed["fields"]["sha256"], sha.as_str());
    assert_eq!(closed["fields"]["events"], record_len);
    // The members' logs: JSON, and the work on a call names both.
    let lines = json_lines("members", &done.stderr);
    let on_calls: Vec<&Value> = lines
        .iter()
        .filter(|l| !span_fields(l, "call").is_empty())
        .collect();
    assert!(
        on_calls.len() as f64 >= value(&end, "rappard_answers_total"),
        "one `answered` line (at -vv) per answer at least: {} lines",
        on_calls.len()
    );
    for l in on_calls {
        let member = span_fields(l, "member");
        assert!(
            member
                .first()
                .and_then(|m| m.as_str())
                .is_some_and(|m| ids.iter().any(|i| i == m)),
            "no member id in the spans of {l}"
        );
    }
}
