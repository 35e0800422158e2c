//! The scenario parser on arbitrary text: never a panic; a refusal is
//! placed within the file; a scenario that parses and is small runs to
//! its end with every invariant holding, the same record twice.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rappard_fuzz::harness;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(sc) = harness::parse_checked(text)
        && harness::small(&sc)
    {
        harness::run_checked(&sc);
    }
});
