//! What the fuzz targets share: the harness of the core's property tests
//! (`crates/rappard-core/tests/harness`), included by path so that a fuzz
//! input and a property test's case mean the same operations, and the
//! scenarios they run on, parsed once.

#![forbid(unsafe_code)]

use std::sync::OnceLock;

use rappard_core::scenario::Scenario;

#[path = "../../crates/rappard-core/tests/harness/mod.rs"]
pub mod harness;

/// The shipped classroom scenario and the small mixed one, parsed once.
pub fn scenarios() -> &'static [Scenario; 2] {
    static SCENARIOS: OnceLock<[Scenario; 2]> = OnceLock::new();
    SCENARIOS.get_or_init(|| {
        [
            harness::scenario("classroom.toml", harness::CLASSROOM),
            harness::scenario("mixed.toml", harness::MIXED),
        ]
    })
}

/// The shipped scenarios that are small enough to run at fuzzing speed,
/// for the structure-aware scenario target to mutate.
pub const SHIPPED_SMALL: [&str; 4] = [
    harness::CLASSROOM,
    harness::MIXED,
    include_str!("../../examples/scenarios/eu-votes.toml"),
    include_str!("../../examples/scenarios/time-zones.toml"),
];
