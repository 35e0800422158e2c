//! The `rappard simulate` command as a user drives it: JSON on stdout
//! alone, the same seed giving the same record, malformed scenarios refused
//! with exit code 2 and an error naming file, line and field.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{rappard, root};

use serde_json::Value;

fn json(args: &[&str]) -> Value {
    let out = rappard(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON document")
}

fn scratch(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rappard-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write scenario");
    p
}

#[test]
fn json_report_has_the_documented_shape() {
    let v = json(&[
        "simulate",
        "examples/scenarios/wto-full.toml",
        "--format",
        "json",
    ]);
    assert_eq!(v["scenario"], "wto-full");
    assert_eq!(v["members"], 166);
    assert_eq!(v["delegations"], 139);
    assert_eq!(v["record"]["sha256"].as_str().map(str::len), Some(64));
    assert!(v["record"]["events"].as_u64().unwrap_or(0) > 1000);
    let items = v["items"].as_array().expect("items");
    assert_eq!(items.len(), 3);
    for it in items {
        for key in [
            "id",
            "outcome",
            "how",
            "present",
            "objectors",
            "votes",
            "meeting",
        ] {
            assert!(it.get(key).is_some(), "item lacks {key}: {it}");
        }
        assert!(
            ["adopted", "blocked", "rejected", "lapsed"]
                .contains(&it["outcome"].as_str().unwrap_or(""))
        );
    }
    let fish = items
        .iter()
        .find(|i| i["id"] == "fisheries")
        .expect("fisheries");
    assert!(
        fish["objectors"]
            .as_array()
            .expect("list")
            .iter()
            .any(|o| o == "IND")
    );
    let sessions = v["sessions"].as_array().expect("sessions");
    assert!(!sessions.is_empty());
    assert!(sessions[0]["attendance_pct"].as_f64().is_some());
}

/// Same scenario and seed: same SHA-256; another seed: another record.
#[test]
fn the_seed_determines_the_record() {
    let a = json(&[
        "simulate",
        "examples/scenarios/wto-full.toml",
        "--format",
        "json",
    ]);
    let b = json(&[
        "simulate",
        "examples/scenarios/wto-full.toml",
        "--format",
        "json",
    ]);
    let c = json(&[
        "simulate",
        "examples/scenarios/wto-full.toml",
        "--format",
        "json",
        "--seed",
        "7",
    ]);
    assert_eq!(a["record"]["sha256"], b["record"]["sha256"]);
    assert_ne!(a["record"]["sha256"], c["record"]["sha256"]);
    assert_eq!(c["seed"], 7);
    // The text minutes end with the same fingerprint.
    let text = String::from_utf8(rappard(&["simulate", "examples/scenarios/wto-full.toml"]).stdout)
        .expect("utf-8");
    let sha = a["record"]["sha256"].as_str().expect("sha");
    assert!(text.trim_end().ends_with(sha));
}

const GOOD: &str = r#"[scenario]
name = "mine"
seed = 1
start = "2026-03-02T00:00:00Z"

[members]
dataset = "wto"
only = ["BRA", "IND", "USA"]

[[item]]
id = "x"
rule = "consensus"
"#;

fn refused(name: &str, text: &str) -> String {
    let p = scratch(name, text);
    let out = rappard(&[
        "simulate",
        p.to_str().expect("utf-8 path"),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(2), "{name} must exit 2");
    assert!(
        out.stdout.is_empty(),
        "nothing on stdout for a refused scenario"
    );
    String::from_utf8(out.stderr).expect("utf-8")
}

#[test]
fn malformed_scenarios_exit_2_naming_file_line_and_field() {
    assert!(
        rappard(&[
            "simulate",
            scratch("good.toml", GOOD).to_str().expect("path")
        ])
        .status
        .success()
    );

    let e = refused("rule.toml", &GOOD.replace("\"consensus\"", "\"unanimity\""));
    assert!(
        e.contains("rule.toml:12:")
            && e.contains("item[0].rule")
            && e.contains("unknown rule `unanimity`"),
        "{e}"
    );

    let e = refused("member.toml", &GOOD.replace("\"USA\"]", "\"USX\"]"));
    assert!(
        e.contains("member.toml:8:") && e.contains("members.only") && e.contains("USX"),
        "{e}"
    );

    let e = refused("type.toml", &GOOD.replace("seed = 1", "seed = \"one\""));
    assert!(
        e.contains("type.toml:3:") && e.contains("scenario.seed"),
        "{e}"
    );

    let e = refused("syntax.toml", &GOOD.replace("[members]", "[members"));
    assert!(e.contains("syntax.toml:6:"), "{e}");

    let e = refused("unknown-key.toml", &GOOD.replace("rule = ", "rules = "));
    assert!(
        e.contains("unknown-key.toml:12:") && e.contains("rules"),
        "{e}"
    );

    let e = refused(
        "position.toml",
        &format!("{GOOD}[item.positions]\nIND = {{ stance = \"veto\" }}\n"),
    );
    assert!(
        e.contains("position.toml:14:") && e.contains("positions.IND.stance") && e.contains("veto"),
        "{e}"
    );

    let out = rappard(&["simulate", "no/such/file.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/file.toml"));

    let out = rappard(&[
        "simulate",
        "examples/scenarios/classroom.toml",
        "--format",
        "yaml",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

/// The scenario `demo` runs without arguments ships inside the crate
/// (`crates/rappard/scenarios/`): it must stay the one in `examples/`.
#[test]
fn the_built_in_demo_scenario_is_the_shipped_wto_full() {
    let built_in = include_str!("../scenarios/wto-full.toml");
    let shipped = std::fs::read_to_string(root().join("examples/scenarios/wto-full.toml"))
        .expect("examples/scenarios/wto-full.toml");
    assert!(
        built_in == shipped,
        "crates/rappard/scenarios/wto-full.toml differs from examples/scenarios/wto-full.toml: copy it over"
    );
}

/// A bad option value is refused with exit code 2 and the option named;
/// `--help` exits 0.
#[test]
fn bad_options_exit_2_and_help_exits_0() {
    let out = rappard(&[
        "pki", "issue", "--certs", "x", "--id", "BRA", "--role", "king",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--role") && err.contains("king"), "{err}");
    let out = rappard(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("--verbose"));
    let out = rappard(&["simulate"]);
    assert_eq!(out.status.code(), Some(2));
}

/// Scenarios that once made `rappard simulate` panic (exit 101) are refused
/// like any other malformed scenario.
#[test]
fn input_that_once_panicked_exits_2() {
    let e = refused(
        "only-empty.toml",
        &GOOD
            .replace("dataset = \"wto\"\n", "")
            .replace("only = [\"BRA\", \"IND\", \"USA\"]", "only = []"),
    );
    assert!(
        e.contains("only-empty.toml:7:8:")
            && e.contains("members.only")
            && e.contains("add dataset = \"wto\""),
        "{e}"
    );

    // Export shares that overflowed the sum of an initiative's
    // participants' shares: more Members than a scenario may have now.
    let mut text =
        String::from("[scenario]\nname = \"shares\"\nstart = \"2026-03-02T00:00:00Z\"\n");
    for i in 0..4_300 {
        text += &format!(
            "[[member]]\nid = \"M{i}\"\ntime_zone = \"Europe/Paris\"\nexport_share = 100.0\n"
        );
    }
    text += "[[initiative]]\nid = \"i\"\nsponsors = [\"M0\"]\n";
    let e = refused("shares.toml", &text);
    assert!(
        e.contains("shares.toml:4005:6:")
            && e.contains("member[1000].id")
            && e.contains("at most 1000 Members"),
        "{e}"
    );
}

/// What `rappard simulate` once accepted and a delegation node could not
/// carry (a start in the year 9999, whose run reached the year 10000; a
/// 20 MB title) is refused like any malformed scenario, at the limits of
/// `docs/scenarios.md` ("Limits"): exit 2, the file, line and field named.
#[test]
fn scenario_limits_exit_2_naming_the_field() {
    let e = refused(
        "year-9999.toml",
        &GOOD.replace("2026-03-02T00:00:00Z", "9999-12-31T23:59:59Z"),
    );
    assert!(
        e.contains("year-9999.toml:4:9:")
            && e.contains("scenario.start")
            && e.contains("1947-01-01 to 2200-12-31"),
        "{e}"
    );

    let big = GOOD.replace(
        "id = \"x\"",
        &format!("id = \"x\"\ntitle = \"{}\"", "t".repeat(20_000_000)),
    );
    let e = refused("big.toml", &big);
    assert!(
        e.contains("big.toml: 20000") && e.contains("at most 1048576 (1 MiB)"),
        "{e}"
    );

    let long = GOOD.replace(
        "id = \"x\"",
        &format!("id = \"x\"\ntitle = \"{}\"", "t".repeat(257)),
    );
    let e = refused("title.toml", &long);
    assert!(
        e.contains("title.toml:12:9:")
            && e.contains("item[0].title")
            && e.contains("a text has at most 256"),
        "{e}"
    );

    let mut many = GOOD.to_owned();
    for k in 1..=100 {
        many += &format!("[[item]]\nid = \"x{k}\"\nrule = \"consensus\"\n");
    }
    let e = refused("items.toml", &many);
    assert!(
        e.contains("items.toml:311:6:") && e.contains("item[100].id") && e.contains("at most 100"),
        "{e}"
    );

    let twice = format!("{GOOD}concerned = [\"BRA\", \"IND\", \"BRA\"]\n");
    let e = refused("twice.toml", &twice);
    assert!(
        e.contains("twice.toml:13:28:")
            && e.contains("item[0].concerned")
            && e.contains("`BRA` is listed twice"),
        "{e}"
    );

    let typed = format!("{GOOD}[[item]]\nid = \"y\"\nrule = 3\n");
    let e = refused("typed.toml", &typed);
    assert!(
        e.contains("typed.toml:15:8:") && e.contains("item[1].rule"),
        "{e}"
    );
}

/// A fresh directory for one test, removed first if an earlier run left it.
fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rappard-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// `pki issue` refuses the ids of the authority's and the Secretariat's
/// files (`ca`, `secretariat`) and the Secretariat's id (`WTO`) for a
/// member or an applicant, with exit code 2, and writes nothing.
#[test]
fn pki_issue_refuses_reserved_ids() {
    let dir = fresh_dir("reserved");
    let certs = path(&dir);
    assert!(rappard(&["pki", "init", "--certs", certs]).status.success());
    let ca_before = std::fs::read(dir.join("ca.key")).expect("ca.key");
    for (id, role) in [
        ("ca", "member"),
        ("CA", "applicant"),
        ("secretariat", "member"),
        ("WTO", "member"),
        ("wto", "applicant"),
    ] {
        let out = rappard(&["pki", "issue", "--certs", certs, "--id", id, "--role", role]);
        assert_eq!(out.status.code(), Some(2), "{id} as {role}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--id") && err.contains("reserved"), "{err}");
    }
    assert_eq!(
        std::fs::read(dir.join("ca.key")).expect("ca.key"),
        ca_before
    );
    assert!(!dir.join("secretariat.pem").exists());
    assert!(!dir.join("WTO.pem").exists());
    // The Secretariat's own certificate is issued as before.
    let out = rappard(&[
        "pki",
        "issue",
        "--certs",
        certs,
        "--id",
        "WTO",
        "--role",
        "secretariat",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A certificate and key, or an authority, already there are never
/// replaced without `--force` (exit 2, the files byte for byte the same);
/// with `--force` they are.
#[test]
fn pki_never_overwrites_without_force() {
    let dir = fresh_dir("force");
    let certs = path(&dir);
    let read = |f: &str| std::fs::read(dir.join(f)).expect(f);
    assert!(rappard(&["pki", "init", "--certs", certs]).status.success());
    let issue = |extra: &[&str]| {
        let mut args = vec![
            "pki", "issue", "--certs", certs, "--id", "BRA", "--role", "member",
        ];
        args.extend_from_slice(extra);
        rappard(&args)
    };
    assert!(issue(&[]).status.success());
    let (pem, key) = (read("BRA.pem"), read("BRA.key"));

    let out = issue(&[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("BRA.") && err.contains("--force"), "{err}");
    assert_eq!(
        (read("BRA.pem"), read("BRA.key")),
        (pem.clone(), key.clone())
    );

    assert!(issue(&["--force"]).status.success());
    assert_ne!(read("BRA.pem"), pem);
    assert_ne!(read("BRA.key"), key);

    let (ca_pem, ca_key) = (read("ca.pem"), read("ca.key"));
    let out = rappard(&["pki", "init", "--certs", certs]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    assert_eq!(
        (read("ca.pem"), read("ca.key")),
        (ca_pem.clone(), ca_key.clone())
    );
    assert!(
        rappard(&["pki", "init", "--certs", certs, "--force"])
            .status
            .success()
    );
    assert_ne!(read("ca.key"), ca_key);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every key file, the authority's included, is its owner's only (0600),
/// and the directory `pki init` makes is too (0700).
#[cfg(unix)]
#[test]
fn pki_keys_are_owner_only() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = fresh_dir("modes");
    let certs = path(&dir);
    let mode = |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
    assert!(rappard(&["pki", "init", "--certs", certs]).status.success());
    assert_eq!(mode(&dir), 0o700, "the PKI directory");
    for (id, role) in [
        ("WTO", "secretariat"),
        ("BRA", "member"),
        ("COM", "applicant"),
    ] {
        let out = rappard(&["pki", "issue", "--certs", certs, "--id", id, "--role", role]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for key in ["ca.key", "secretariat.key", "BRA.key", "COM.key"] {
        assert_eq!(mode(&dir.join(key)), 0o600, "{key}");
    }
    // Replaced with --force, a key is still the owner's only.
    assert!(
        rappard(&[
            "pki", "issue", "--certs", certs, "--id", "BRA", "--role", "member", "--force",
        ])
        .status
        .success()
    );
    assert_eq!(mode(&dir.join("BRA.key")), 0o600);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The processes whose parent is `pid` (Linux `/proc`).
#[cfg(target_os = "linux")]
fn children_of(pid: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|p| parent_of(*p) == Some(pid))
        .collect()
}

/// A process's parent, if it is still there (and not a zombie).
#[cfg(target_os = "linux")]
fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // pid (comm) state ppid ...: comm may contain spaces and parentheses.
    let mut fields = stat.get(stat.rfind(')')? + 1..)?.split_whitespace();
    let state = fields.next()?;
    (state != "Z").then_some(())?;
    fields.next()?.parse().ok()
}

/// Whether `pid` is still a live rappard process.
#[cfg(target_os = "linux")]
fn is_rappard(pid: u32) -> bool {
    parent_of(pid).is_some()
        && std::fs::read(format!("/proc/{pid}/cmdline"))
            .is_ok_and(|c| String::from_utf8_lossy(&c).contains("rappard"))
}

/// Polls `done` every 20 ms until it holds or `limit` passes.
fn wait_until(limit: std::time::Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + limit;
    while std::time::Instant::now() < deadline {
        if done() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    done()
}

/// A `rappard demo` under test, and the processes it started: all killed
/// if the test fails before they end.
#[cfg(target_os = "linux")]
struct Demo {
    child: std::process::Child,
    started: Vec<u32>,
}

#[cfg(target_os = "linux")]
impl Drop for Demo {
    fn drop(&mut self) {
        for pid in &self.started {
            if is_rappard(*pid) {
                let _ = Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status();
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// SIGTERM to `rappard demo` (a slow, paced run) stops it within seconds,
/// exit code 143: every process it started is gone, and its temporary
/// directory, which holds the authority's key, is removed.
#[cfg(target_os = "linux")]
#[test]
fn demo_on_sigterm_stops_its_processes_and_removes_its_directory() {
    use std::io::BufRead as _;
    use std::process::Stdio;
    use std::time::Duration;

    let tmp = fresh_dir("demo-sigterm");
    std::fs::create_dir_all(&tmp).expect("temp dir");
    let child = Command::new(env!("CARGO_BIN_EXE_rappard"))
        .args([
            "demo",
            "examples/scenarios/classroom.toml",
            "--pace",
            "1000",
            "--processes",
            "2",
        ])
        .env("TMPDIR", &tmp)
        .env_remove("RUST_LOG")
        .current_dir(root())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("rappard demo starts");
    let mut demo = Demo {
        child,
        started: Vec::new(),
    };
    let pid = demo.child.id();
    let stderr = demo.child.stderr.take().expect("piped");
    let (lines_tx, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = lines_tx.send(line);
        }
    });
    let mut said = String::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !said.contains("member processes") {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => said += &(line + "\n"),
            Err(_) => panic!("the demo did not start its processes: {said}"),
        }
    }
    // The Secretariat and two member processes.
    assert!(
        wait_until(Duration::from_secs(30), || {
            demo.started = children_of(pid);
            demo.started.len() >= 3
        }),
        "the demo's processes: {:?}",
        demo.started
    );
    let dir = tmp.join(format!("rappard-demo-{pid}"));
    assert!(dir.join("ca.key").exists(), "{}", dir.display());

    let killed = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let mut status = None;
    assert!(
        wait_until(Duration::from_secs(30), || {
            status = demo.child.try_wait().expect("try_wait");
            status.is_some()
        }),
        "the demo did not exit within 30 s of SIGTERM"
    );
    assert_eq!(status.and_then(|s| s.code()), Some(143), "{status:?}");
    // Everything it said, to the end of its stderr (its processes, which
    // share it, are gone too).
    while let Ok(line) = lines.recv_timeout(Duration::from_secs(10)) {
        said += &(line + "\n");
    }
    assert!(said.contains("interrupted by SIGTERM"), "{said}");
    let left: Vec<u32> = demo
        .started
        .iter()
        .copied()
        .filter(|p| is_rappard(*p))
        .collect();
    assert!(left.is_empty(), "still running after the demo: {left:?}");
    assert!(!dir.exists(), "{} is left behind", dir.display());
    assert_eq!(
        std::fs::read_dir(&tmp).expect("temp dir").count(),
        0,
        "the demo leaves nothing in its temporary directory"
    );
    let _ = std::fs::remove_dir_all(&tmp);
}

/// Lines a child writes, read in a thread, to wait on with a timeout.
fn lines_of(r: impl std::io::Read + Send + 'static) -> std::sync::mpsc::Receiver<String> {
    use std::io::BufRead as _;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(r).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    rx
}

/// Waits up to 60 s for a line containing `what`; returns it.
fn line_with(lines: &std::sync::mpsc::Receiver<String>, what: &str) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) if line.contains(what) => return line,
            Ok(_) => {}
            Err(_) => panic!("no line with `{what}` within 60 s"),
        }
    }
}

/// Sends SIGTERM to a child and waits up to 30 s for its exit code.
#[cfg(unix)]
fn terminate(child: &mut std::process::Child) -> Option<i32> {
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let mut status = None;
    let exited = wait_until(std::time::Duration::from_secs(30), || {
        status = child.try_wait().expect("try_wait");
        status.is_some()
    });
    assert!(exited, "no exit within 30 s of SIGTERM");
    status.and_then(|s| s.code())
}

/// A child process killed if the test fails before it ends.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// SIGTERM stops `rappard member` as SIGINT does (exit 143, the
/// delegations leaving), and `rappard secretariat` (exit 0).
#[cfg(unix)]
#[test]
fn secretariat_and_member_stop_on_sigterm() {
    use std::process::Stdio;
    let dir = fresh_dir("sigterm-nodes");
    let certs = path(&dir);
    assert!(rappard(&["pki", "init", "--certs", certs]).status.success());
    for (id, role) in [("WTO", "secretariat"), ("BRA", "member")] {
        let out = rappard(&["pki", "issue", "--certs", certs, "--id", id, "--role", role]);
        assert!(out.status.success());
    }
    let scenario = scratch("sigterm.toml", GOOD);
    let spawn = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_rappard"))
            .args(args)
            .env_remove("RUST_LOG")
            .current_dir(root())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("rappard starts")
    };
    let mut sec = Killed(spawn(&[
        "-v",
        "secretariat",
        "--scenario",
        path(&scenario),
        "--certs",
        certs,
        "--grpc",
        "127.0.0.1:0",
    ]));
    let out = lines_of(sec.0.stdout.take().expect("piped"));
    let log = lines_of(sec.0.stderr.take().expect("piped"));
    let addr = line_with(&out, "grpc ")
        .trim()
        .trim_start_matches("grpc ")
        .to_owned();
    // The negotiation waits for IND and USA, which never come.
    let mut member = Killed(spawn(&[
        "member",
        "--scenario",
        path(&scenario),
        "--certs",
        certs,
        "--ids",
        "BRA",
        "--secretariat",
        &addr,
    ]));
    line_with(&log, "joined");
    assert_eq!(terminate(&mut member.0), Some(143), "member");
    assert_eq!(terminate(&mut sec.0), Some(0), "secretariat");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `pki revoke --id` writes the authority's revocation list `ca.crl` and
/// says what it revoked; an id without a certificate, a serial that is not
/// hexadecimal, and `--days 0` are refused with exit 2; a Secretariat
/// given an `--authority` without the authority's key does not start
/// (exit 2).
#[test]
fn pki_revoke_and_days_and_authority() {
    let dir = fresh_dir("revoke");
    let certs = path(&dir);
    assert!(
        rappard(&["pki", "init", "--certs", certs, "--days", "30"])
            .status
            .success()
    );
    for (id, role) in [("WTO", "secretariat"), ("BRA", "member")] {
        let out = rappard(&[
            "pki", "issue", "--certs", certs, "--id", id, "--role", role, "--days", "7",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = rappard(&["pki", "revoke", "--certs", certs, "--id", "BRA"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.starts_with("revoked ") && stdout.contains("rappard://member/BRA in BRA.pem"),
        "{stdout}"
    );
    let crl = std::fs::read_to_string(dir.join("ca.crl")).expect("ca.crl");
    assert!(crl.starts_with("-----BEGIN X509 CRL-----"), "{crl}");
    for (args, names) in [
        (vec!["revoke", "--id", "USA"], "nothing to revoke"),
        (vec!["revoke", "--serial", "zz"], "--serial"),
        (
            vec!["issue", "--id", "USA", "--role", "member", "--days", "0"],
            "--days",
        ),
    ] {
        let mut all = vec!["pki", args[0], "--certs", certs];
        all.extend(&args[1..]);
        let out = rappard(&all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(names), "{args:?}: {err}");
    }
    let elsewhere = fresh_dir("revoke-elsewhere");
    std::fs::create_dir_all(&elsewhere).expect("dir");
    let out = rappard(&[
        "secretariat",
        "--scenario",
        "examples/scenarios/classroom.toml",
        "--certs",
        certs,
        "--authority",
        path(&elsewhere),
        "--grpc",
        "127.0.0.1:0",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--authority") && err.contains("ca.key"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&elsewhere);
}
