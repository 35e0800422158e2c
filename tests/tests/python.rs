//! A delegation in Python (`examples/python/delegation.py`, stubs generated
//! from `proto/` with grpcio-tools) takes part in a negotiation against a
//! real Secretariat process, with its own certificate; and Python's gRPC
//! health and reflection clients see the Secretariat
//! (`examples/python/check.py`).
//!
//! It needs Python 3 with the packages of `examples/python/requirements.txt`
//! (`python3 -m pip install -r examples/python/requirements.txt`; `.ci/run`
//! installs them). Under CI (`CI` set) their absence fails the test;
//! elsewhere the test prints why it is skipped and passes.

use std::process::{Command, Stdio};

use rappard_tests::{Node, Scratch, command, in_ci, pki_for, rappard, root, timeout};

/// A Python interpreter with the packages the examples import, or why
/// there is none.
fn python() -> Result<String, String> {
    let mut reasons = Vec::new();
    for py in ["python3", "python"] {
        let probe = Command::new(py)
            .args([
                "-c",
                "import grpc, grpc_tools, grpc_health, grpc_reflection",
            ])
            .stdin(Stdio::null())
            .output();
        match probe {
            Ok(o) if o.status.success() => return Ok(py.to_owned()),
            Ok(o) => reasons.push(format!(
                "{py}: {}",
                String::from_utf8_lossy(&o.stderr)
                    .lines()
                    .last()
                    .unwrap_or("the import failed")
            )),
            Err(e) => reasons.push(format!("{py}: {e}")),
        }
    }
    Err(format!(
        "no Python with grpcio, grpcio-tools, grpcio-health-checking and \
         grpcio-reflection ({}); install them with \
         `python3 -m pip install -r examples/python/requirements.txt`",
        reasons.join("; ")
    ))
}

#[test]
fn a_python_delegation_takes_part_and_python_sees_health_and_reflection() {
    let py = match python() {
        Ok(py) => py,
        Err(why) if in_ci() => panic!("CI is set and {why}"),
        Err(why) => {
            eprintln!("skipped: {why}");
            return;
        }
    };
    let dir = Scratch::new("rappard-python");
    let certs = dir.path().to_str().expect("utf-8 path");
    pki_for(certs, &["BRA", "CHN", "EU", "IND", "USA", "ZAF"]);
    let scenario = "examples/scenarios/classroom.toml";
    let mut sec = command();
    sec.args([
        "secretariat",
        "--scenario",
        scenario,
        "--grpc",
        "127.0.0.1:0",
        "--certs",
        certs,
        "--join-timeout",
        "120",
    ]);
    let mut sec = Node::spawn("secretariat", sec);
    let line = sec.line(timeout(60));
    let addr = line
        .strip_prefix("grpc ")
        .unwrap_or_else(|| panic!("the Secretariat printed {line:?}, not `grpc ADDR`"))
        .to_owned();

    // Health and reflection from Python.
    let mut check = Command::new(&py);
    check
        .args([
            "examples/python/check.py",
            "--secretariat",
            &addr,
            "--certs",
            certs,
        ])
        .current_dir(root())
        .env("TMPDIR", dir.path());
    let check = Node::spawn("check.py", check).finish(timeout(120));
    let out = String::from_utf8_lossy(&check.stdout);
    assert!(check.status.success(), "check.py: {out}{}", check.stderr);
    assert!(
        out.contains("health rappard.v1.Secretariat: SERVING"),
        "{out}"
    );
    assert!(
        out.contains("reflection services:") && out.contains("rappard.v1.Secretariat"),
        "{out}"
    );

    // Five Rust delegations and one in Python.
    let mut members = Command::new(rappard());
    members
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
        .current_dir(root());
    let mut members = Node::spawn("members", members);
    let mut zaf = Command::new(&py);
    zaf.args([
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
    .env("TMPDIR", dir.path());
    let zaf = Node::spawn("delegation.py", zaf).finish(timeout(240));
    assert!(zaf.status.success(), "delegation.py failed: {}", zaf.stderr);
    assert!(
        zaf.stderr
            .contains("joined as ZAF (ROLE_MEMBER) in classroom"),
        "{}",
        zaf.stderr
    );
    let out = String::from_utf8_lossy(&zaf.stdout);
    let n: u32 = out
        .trim()
        .strip_prefix("answered ")
        .and_then(|r| r.strip_suffix(" calls"))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(n >= 4, "the Python delegation answered {n} calls: {out}");
    let members = members.finish(timeout(60));
    assert!(
        members.status.success(),
        "the Rust delegations: {}",
        members.stderr
    );
    drop(sec);
}
