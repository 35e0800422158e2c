//! `rappard view RUN`: the classroom's dashboard over a finished run. A
//! real `rappard view` process serves a real record (the classroom
//! scenario's, from `simulate --format record`) over HTTP; the test reads
//! it back as a browser's event stream does, and checks that the replay
//! shows the whole record, exactly, in order, resumes after a given
//! sequence number, and takes no answer. A bad record file is refused with
//! its file and line (exit 2).

use std::io::{Read as _, Write as _};
use std::time::Duration;

use rappard_tests::{Node, Scratch, command, timeout};

/// One HTTP/1.0 request to `base` (`http://HOST:PORT/`), so that the
/// response is delimited by the connection's close and never chunked (a
/// one-request client written here: the test needs nothing a client crate
/// would add). Returns the status line and the body.
fn request(base: &str, method: &str, path: &str, headers: &[&str]) -> (String, String) {
    let host = base
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let mut s = std::net::TcpStream::connect(&host).expect("connect to the view");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("read timeout");
    let mut req = format!("{method} {path} HTTP/1.0\r\nHost: {host}\r\n");
    for h in headers {
        req.push_str(h);
        req.push_str("\r\n");
    }
    req.push_str("Content-Length: 2\r\n\r\n{}");
    s.write_all(req.as_bytes()).expect("send the request");
    let mut response = String::new();
    s.read_to_string(&mut response).expect("read the response");
    let (head, body) = response.split_once("\r\n\r\n").expect("a head and a body");
    (
        head.lines().next().unwrap_or_default().to_owned(),
        body.to_owned(),
    )
}

/// The (id, data) pairs of a server-sent event stream, and whether it
/// ended with the `end` event.
fn events(stream: &str) -> (Vec<(u64, String)>, bool) {
    let mut out = Vec::new();
    let mut ended = false;
    for block in stream.split("\n\n") {
        let mut id = None;
        let mut data = None;
        for line in block.lines() {
            if let Some(v) = line.strip_prefix("id: ") {
                id = Some(v.parse().expect("a numeric id"));
            } else if let Some(v) = line.strip_prefix("data: ") {
                data = Some(v.to_owned());
            } else if line == "event: end" {
                ended = true;
            }
        }
        if let (Some(id), Some(data)) = (id, data) {
            out.push((id, data));
        }
    }
    (out, ended)
}

fn record_of(scenario: &str, dir: &Scratch) -> (std::path::PathBuf, Vec<String>) {
    let out = command()
        .args(["simulate", scenario, "--format", "record"])
        .output()
        .expect("run simulate");
    assert!(out.status.success(), "simulate failed: {out:?}");
    let path = dir.path().join("run.jsonl");
    std::fs::write(&path, &out.stdout).expect("write the record");
    let lines = String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(str::to_owned)
        .collect();
    (path, lines)
}

#[test]
fn the_view_replays_the_whole_record_and_takes_no_answer() {
    let dir = Scratch::new("rappard-view");
    let (path, lines) = record_of("examples/scenarios/classroom.toml", &dir);
    let mut cmd = command();
    cmd.arg("view").arg(&path).args(["--http", "127.0.0.1:0"]);
    let mut view = Node::spawn("view", cmd);
    let first = view.line(timeout(60));
    let base = first
        .strip_prefix("http ")
        .unwrap_or_else(|| panic!("`http URL` first, got `{first}`"))
        .to_owned();

    let (status, page) = request(&base, "GET", "/", &[]);
    assert!(status.contains(" 200"), "{status}");
    assert!(page.contains("<html"), "the dashboard's page: {page}");

    // The whole record, in order, each entry as the record file has it,
    // then the end.
    let (status, stream) = request(&base, "GET", "/api/events", &[]);
    assert!(status.contains(" 200"), "{status}");
    let (got, ended) = events(&stream);
    assert!(ended, "the stream of a finished record ends");
    assert_eq!(got.len(), lines.len(), "every entry once");
    for (k, ((id, data), line)) in got.iter().zip(&lines).enumerate() {
        assert_eq!(*id, k as u64 + 1, "ids are the sequence numbers");
        let a: serde_json::Value = serde_json::from_str(data).expect("JSON data");
        let b: serde_json::Value = serde_json::from_str(line).expect("JSON line");
        assert_eq!(a, b, "entry {id} as the record has it");
    }

    // A viewer that reconnects resumes after its last sequence number.
    let (_, stream) = request(&base, "GET", "/api/events", &["Last-Event-ID: 200"]);
    let (got, ended) = events(&stream);
    assert!(ended);
    assert_eq!(got.first().map(|g| g.0), Some(201));
    assert_eq!(got.len(), lines.len() - 200);

    // A replay has no delegations and no teacher: no token is valid.
    let bearer = "Authorization: Bearer 00";
    let (status, _) = request(&base, "POST", "/api/answer", &[bearer]);
    assert!(status.contains(" 401"), "{status}");
    let (status, _) = request(&base, "POST", "/api/teacher/advance", &[bearer]);
    assert!(status.contains(" 401"), "{status}");
    let (status, state) = request(&base, "GET", "/api/state", &[]);
    assert!(status.contains(" 200"), "{status}");
    assert!(state.contains("\"ended\":true"), "{state}");
}

#[test]
fn a_file_that_is_not_a_record_is_refused_with_its_line() {
    let dir = Scratch::new("rappard-view-bad");
    let path = dir.path().join("bad.jsonl");
    std::fs::write(&path, "{\"seq\":1}\nnot json\n").expect("write");
    let mut cmd = command();
    cmd.arg("view").arg(&path).args(["--http", "127.0.0.1:0"]);
    let mut view = Node::spawn("view", cmd);
    let done = view.finish(timeout(60));
    assert_eq!(done.status.code(), Some(2), "{}", done.stderr);
    assert!(
        done.stderr.contains("bad.jsonl, line 1"),
        "names the file and line: {}",
        done.stderr
    );
}
