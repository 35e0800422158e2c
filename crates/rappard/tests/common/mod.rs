//! What the command-line tests share: the repository's root, running the
//! `rappard` binary that cargo built for the tests from there, and running
//! it where it must succeed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository's root, where `examples/` is.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `rappard ARGS` from the repository's root.
pub fn rappard(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rappard"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("rappard runs")
}

/// Runs `rappard ARGS`, which must exit 0, and gives its standard output.
#[allow(dead_code)] // not every test file asks for it
pub fn ok(args: &[&str]) -> Vec<u8> {
    let out = rappard(args);
    assert!(
        out.status.success(),
        "rappard {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}
