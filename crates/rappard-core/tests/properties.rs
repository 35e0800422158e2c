//! Property tests: the core keeps its promises on arbitrary input (the
//! checks are in `harness`, shared with the fuzzers of `fuzz/`).
//!
//! - Any sequence of answers (any member, call id, kind and value),
//!   interleaved with closing calls, on the shipped classroom scenario and
//!   a small one with every kind of call: no panic, an answer taken exactly
//!   when it fits, a refused answer changes nothing, the run ends and every
//!   named invariant holds.
//! - A shipped scenario with values replaced, removed, added or duplicated:
//!   refused with an error placed in the file, or a run that ends with
//!   every invariant holding and the same record twice.
//!
//! Kept small (256 cases each) so that it runs in a few seconds in CI; the
//! fuzzers run the same checks for millions of inputs.

mod harness;

use std::sync::OnceLock;

use proptest::collection::vec;
use proptest::prelude::*;
use rappard_core::scenario::Scenario;

use harness::RawOp;

/// The two scenarios answers are fuzzed on, parsed once.
fn scenarios() -> &'static [Scenario; 2] {
    static SCENARIOS: OnceLock<[Scenario; 2]> = OnceLock::new();
    SCENARIOS.get_or_init(|| {
        [
            harness::scenario("classroom.toml", harness::CLASSROOM),
            harness::scenario("mixed.toml", harness::MIXED),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_answers_keep_every_promise(
        which in 0..2usize,
        ops in vec(any::<RawOp>(), 0..400),
    ) {
        harness::answers(&scenarios()[which], &ops);
    }

    #[test]
    fn mutated_scenarios_are_refused_or_run(
        which in 0..2usize,
        ops in vec(any::<RawOp>(), 1..5),
    ) {
        let text = harness::mutate([harness::CLASSROOM, harness::MIXED][which], &ops);
        if let Some(sc) = harness::parse_checked(&text)
            && harness::small(&sc)
        {
            harness::run_checked(&sc);
        }
    }
}

/// The mixed scenario asks every kind of call but the package's: the
/// answers above reach every branch of the Secretariat's answer handling.
#[test]
fn the_mixed_scenario_asks_every_kind_of_call() {
    use rappard_core::protocol::CallKind as K;
    let record = harness::run_checked(&scenarios()[1]);
    let kinds: std::collections::BTreeSet<String> = record
        .entries()
        .iter()
        .filter_map(|e| e.event.issued_call())
        .map(|c| format!("{:?}", c.kind))
        .collect();
    for k in [
        K::Positions,
        K::Signatures,
        K::Reactions,
        K::Objections,
        K::Votes,
        K::WrittenObjections,
        K::Join,
        K::Annex4Objections,
        K::BilateralOffer,
        K::BilateralResponse,
        K::CertificationObjections,
    ] {
        assert!(
            kinds.contains(&format!("{k:?}")),
            "no {k:?} call in {kinds:?}"
        );
    }
}
