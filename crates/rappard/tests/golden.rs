//! Golden transcripts: the minutes of every shipped scenario are checked in
//! under `tests/golden/`, so that any change in behaviour shows as a diff.
//! To accept a change on purpose, regenerate them and review the diff:
//!
//! ```sh
//! UPDATE_GOLDEN=1 cargo test -p rappard --test golden
//! git diff tests/golden
//! ```
//!
//! The transcripts are produced by the `rappard` binary itself, so the test
//! covers the command line too, and each run's invariants must hold (the
//! command exits 3 otherwise).

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn scenarios() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("examples/scenarios"))
        .expect("examples/scenarios exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    v.sort();
    v
}

#[test]
fn minutes_match_the_golden_transcripts() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut mismatched = Vec::new();
    let list = scenarios();
    assert!(list.len() >= 4, "the shipped scenarios are found");
    for path in list {
        let stem = path
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .into_owned();
        // Run from the repository root with a relative path, so that the
        // transcript does not depend on where the checkout lives.
        let rel = format!("examples/scenarios/{stem}.toml");
        let out = Command::new(env!("CARGO_BIN_EXE_rappard"))
            .args(["simulate", &rel])
            .current_dir(root())
            .output()
            .expect("rappard runs");
        assert!(
            out.status.success(),
            "{stem}: exit {:?}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let minutes = String::from_utf8(out.stdout).expect("utf-8");
        let golden = root().join(format!("tests/golden/{stem}.txt"));
        if update {
            std::fs::write(&golden, &minutes).expect("write golden");
            continue;
        }
        let want = std::fs::read_to_string(&golden).unwrap_or_else(|_| {
            panic!(
                "no golden transcript {}: run UPDATE_GOLDEN=1 cargo test -p rappard --test golden",
                golden.display()
            )
        });
        if want != minutes {
            let line = want
                .lines()
                .zip(minutes.lines())
                .position(|(a, b)| a != b)
                .map_or_else(
                    || want.lines().count().min(minutes.lines().count()) + 1,
                    |i| i + 1,
                );
            mismatched.push(format!(
                "{stem}: first difference at line {line}\n  golden: {}\n  now:    {}",
                want.lines().nth(line - 1).unwrap_or("<end>"),
                minutes.lines().nth(line - 1).unwrap_or("<end>")
            ));
        }
    }
    assert!(
        mismatched.is_empty(),
        "minutes differ from the golden transcripts (UPDATE_GOLDEN=1 to accept):\n{}",
        mismatched.join("\n")
    );
}

/// Every golden transcript belongs to a shipped scenario (none is stale).
#[test]
fn no_stale_golden_transcripts() {
    let stems: Vec<String> = scenarios()
        .iter()
        .map(|p| p.file_stem().expect("stem").to_string_lossy().into_owned())
        .collect();
    for e in std::fs::read_dir(root().join("tests/golden")).expect("tests/golden exists") {
        let p = e.expect("entry").path();
        let stem = p.file_stem().expect("stem").to_string_lossy().into_owned();
        assert!(
            stems.contains(&stem),
            "{} has no scenario in examples/scenarios",
            p.display()
        );
    }
}
