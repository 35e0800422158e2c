//! Structure-aware: a small shipped scenario's TOML with values replaced,
//! removed, added or duplicated (`harness::mutate`), then the checks of
//! the `scenario` target.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rappard_fuzz::{SHIPPED_SMALL, harness};

fuzz_target!(|input: (u8, Vec<harness::RawOp>)| {
    let (which, ops) = input;
    let base = SHIPPED_SMALL[usize::from(which) % SHIPPED_SMALL.len()];
    let text = harness::mutate(base, &ops);
    if let Some(sc) = harness::parse_checked(&text)
        && harness::small(&sc)
    {
        harness::run_checked(&sc);
    }
});
