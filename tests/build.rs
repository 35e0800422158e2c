//! Hands the target triple to the test helpers, so that they build the
//! `rappard` binary for the same target as the tests (see `src/lib.rs`).

fn main() {
    let target = std::env::var("TARGET").unwrap_or_default();
    println!("cargo:rustc-env=RAPPARD_TESTS_TARGET={target}");
    println!("cargo:rerun-if-changed=build.rs");
}
