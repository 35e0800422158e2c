//! A delegation in Python (examples/python/delegation.py, stubs generated
//! from proto/ with grpcio-tools) takes part in a negotiation against a real
//! Secretariat process, with its own certificate; and Python's gRPC health
//! and reflection clients see the Secretariat (examples/python/check.py).
//! Runs when Python with the packages of examples/python/requirements.txt is
//! available (`.ci/run` installs them); otherwise it says so and passes.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn python() -> Option<String> {
    for py in ["python3", "python"] {
        let ok = Command::new(py)
            .args([
                "-c",
                "import grpc, grpc_tools, grpc_health, grpc_reflection",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Some(py.to_owned());
        }
    }
    None
}

/// Every process started here is ended when this is dropped.
struct Procs(Vec<Child>);

impl Drop for Procs {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn rappard(args: &[&str]) {
    let s = Command::new(env!("CARGO_BIN_EXE_rappard"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("rappard");
    assert!(
        s.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&s.stderr)
    );
}

fn wait(child: &mut Child, secs: u64) -> std::process::ExitStatus {
    let until = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(s) = child.try_wait().expect("wait") {
            return s;
        }
        assert!(
            Instant::now() < until,
            "a process did not finish in {secs} s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_python_delegation_takes_part_and_python_sees_health_and_reflection() {
    let Some(py) = python() else {
        eprintln!(
            "skipped: Python with grpcio, grpcio-tools, grpcio-health-checking and grpcio-reflection is not available"
        );
        return;
    };
    let dir = std::env::temp_dir().join(format!("rappard-python-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let certs = dir.to_str().expect("utf-8 path");
    rappard(&["pki", "init", "--certs", certs]);
    rappard(&[
        "pki",
        "issue",
        "--certs",
        certs,
        "--id",
        "WTO",
        "--role",
        "secretariat",
    ]);
    let ids = ["BRA", "CHN", "EU", "IND", "USA", "ZAF"];
    for id in ids {
        rappard(&[
            "pki", "issue", "--certs", certs, "--id", id, "--role", "member",
        ]);
    }
    let scenario = "examples/scenarios/classroom.toml";
    let mut procs = Procs(Vec::new());
    let mut sec = Command::new(env!("CARGO_BIN_EXE_rappard"))
        .args([
            "secretariat",
            "--scenario",
            scenario,
            "--grpc",
            "127.0.0.1:0",
            "--certs",
            certs,
            "--join-timeout",
            "120",
        ])
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("secretariat");
    let mut line = String::new();
    BufReader::new(sec.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("address");
    procs.0.push(sec);
    let addr = line
        .trim()
        .strip_prefix("grpc ")
        .expect("grpc ADDR")
        .to_owned();

    // Health and reflection from Python.
    let check = Command::new(&py)
        .args([
            "examples/python/check.py",
            "--secretariat",
            &addr,
            "--certs",
            certs,
        ])
        .current_dir(root())
        .output()
        .expect("check.py");
    let out = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(
        out.contains("health rappard.v1.Secretariat: SERVING"),
        "{out}"
    );
    assert!(
        out.contains("reflection services:") && out.contains("rappard.v1.Secretariat"),
        "{out}"
    );

    // Five Rust delegations and one in Python.
    let members = Command::new(env!("CARGO_BIN_EXE_rappard"))
        .args([
            "member",
            "--scenario",
            scenario,
            "--ids",
            "BRA,CHN,EU,IND,USA",
            "--secretariat",
            &addr,
            "--certs",
            certs,
        ])
        .current_dir(root())
        .spawn()
        .expect("members");
    procs.0.push(members);
    let mut zaf = Command::new(&py)
        .args([
            "examples/python/delegation.py",
            "--secretariat",
            &addr,
            "--certs",
            certs,
            "--id",
            "ZAF",
            "--stance",
            "support",
        ])
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("delegation.py");
    let status = wait(&mut zaf, 240);
    let mut out = String::new();
    BufReader::new(zaf.stdout.take().expect("stdout"))
        .read_line(&mut out)
        .expect("output");
    let mut err = String::new();
    let _ = std::io::Read::read_to_string(&mut zaf.stderr.take().expect("stderr"), &mut err);
    assert!(status.success(), "delegation.py failed: {err}");
    assert!(
        err.contains("joined as ZAF (ROLE_MEMBER) in classroom"),
        "{err}"
    );
    let n: u32 = out
        .trim()
        .strip_prefix("answered ")
        .and_then(|r| r.strip_suffix(" calls"))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(n >= 4, "the Python delegation answered {n} calls: {out}");
    let members_status = wait(&mut procs.0[1], 60);
    assert!(members_status.success());
    drop(procs);
    let _ = std::fs::remove_dir_all(&dir);
}
