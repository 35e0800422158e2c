use rappard_core::record::Record;
use rappard_core::report::Report;
use rappard_core::{invariants, scenario, simulation};

fn run(name: &str, text: &str) -> (Report, Record) {
    let sc = scenario::parse(name, text).unwrap_or_else(|e| panic!("{e}"));
    let record = simulation::run(&sc).expect("runs");
    let broken = invariants::check(&record);
    assert!(broken.is_empty(), "{name}: {broken:?}");
    (Report::from_record(&record), record)
}

#[test]
fn explore() {
    for f in ["trade-war", "no-trade-war", "pandemic-2020", "no-pandemic-2020", "appellate-body"] {
        let text = std::fs::read_to_string(format!("../../examples/scenarios/{f}.toml")).unwrap();
        let (r, rec) = run(f, &text);
        std::fs::write(format!("/tmp/shk/{f}.txt"), rappard_core::report::minutes(&rec)).unwrap();
        println!("== {f}: {} events", rec.len());
        for i in &r.items { println!("{} {:?} rounds {} objectors {:?} meeting {:?}", i.id, i.outcome, i.rounds, i.objectors, i.meeting.map(|m| m.start)); }
        println!("{}", serde_json::to_string(&r.shocks).unwrap());
    }
}
