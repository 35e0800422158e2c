//! Transport equivalence over real processes (DESIGN.md §2, "Determinism
//! is a feature"): for every shipped scenario, `rappard demo` (a PKI, a
//! Secretariat process and member processes on 127.0.0.1, with mutual TLS)
//! gives the record of `rappard simulate`, byte for byte, over gRPC and
//! over QUIC. The demo stops every process it starts.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sha(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_rappard"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("rappard runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    v["record"]["sha256"].as_str().expect("sha256").to_owned()
}

#[test]
fn demo_over_grpc_and_quic_gives_the_simulation_record_for_every_shipped_scenario() {
    let mut scenarios: Vec<PathBuf> = std::fs::read_dir(root().join("examples/scenarios"))
        .expect("examples/scenarios")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    scenarios.sort();
    assert!(scenarios.len() >= 10);
    for p in scenarios {
        let rel = format!(
            "examples/scenarios/{}",
            p.file_name().expect("name").to_string_lossy()
        );
        let simulated = sha(&["simulate", &rel, "--format", "json"]);
        for transport in ["grpc", "quic"] {
            let networked = sha(&[
                "demo",
                &rel,
                "--transport",
                transport,
                "--processes",
                "3",
                "--format",
                "json",
            ]);
            assert_eq!(
                simulated, networked,
                "{rel}: {transport} and the simulation differ"
            );
        }
    }
}

/// Another seed changes the record over the network as in process.
#[test]
fn demo_honours_the_seed() {
    let rel = "examples/scenarios/classroom.toml";
    assert_eq!(
        sha(&["simulate", rel, "--seed", "9", "--format", "json"]),
        sha(&[
            "demo",
            rel,
            "--seed",
            "9",
            "--processes",
            "2",
            "--transport",
            "quic",
            "--format",
            "json"
        ])
    );
}
