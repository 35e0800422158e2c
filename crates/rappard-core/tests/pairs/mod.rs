//! What the tests of the scenario pairs share (each pair differs only in
//! one option, and a test runs both on the same seed): running a shipped
//! scenario with every named invariant checked, and looking up an item or
//! counting events in what it gives.

use rappard_core::record::{Event, Record};
use rappard_core::report::{ItemReport, Report};
use rappard_core::{invariants, scenario, simulation};

/// Parses and runs the scenario `text` (named `name` in errors), checks
/// every named invariant over its record, and gives its report and record.
pub fn run(name: &str, text: &str) -> (Report, Record) {
    let sc = scenario::parse(name, text).unwrap_or_else(|e| panic!("{e}"));
    let record = simulation::run(&sc).expect("runs");
    let broken = invariants::check(&record);
    assert!(broken.is_empty(), "{name}: {broken:?}");
    (Report::from_record(&record), record)
}

/// The report's item `id`.
pub fn item<'a>(r: &'a Report, id: &str) -> &'a ItemReport {
    r.items.iter().find(|i| i.id == id).expect("item in report")
}

/// How many events of the record `f` picks.
#[allow(dead_code)] // not every pair's test counts events
pub fn count(rec: &Record, f: impl Fn(&Event) -> bool) -> usize {
    rec.entries().iter().filter(|e| f(&e.event)).count()
}
