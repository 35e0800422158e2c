//! Arbitrary sequences of answers to the core (any order, member, call id,
//! kind and value), interleaved with closing calls, on the classroom and
//! the mixed scenario: never a panic, an answer taken exactly when it
//! fits, a refused one changes nothing, the run ends and every invariant
//! holds (`harness::answers`).

#![no_main]

use libfuzzer_sys::fuzz_target;
use rappard_fuzz::{harness, scenarios};

fuzz_target!(|input: (bool, Vec<harness::RawOp>)| {
    let (mixed, ops) = input;
    harness::answers(&scenarios()[usize::from(mixed)], &ops);
});
