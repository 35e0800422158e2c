//! `[members] as_of`: a run counts the Members of its date. A vote that
//! needs two-thirds of the Members (Marrakesh Agreement Art. X:1, XII:2; the
//! share of all Members, present or not) needs more of them as the WTO
//! grows, so the threshold of a run taken as of a date is the WTO's of that
//! date.

use rappard_core::report::Report;
use rappard_core::{invariants, scenario, simulation};

/// A two-thirds vote on `date`, after India's objection: the Members of the
/// run, its delegations and the yes votes the vote needs.
fn two_thirds_vote_on(date: &str) -> (usize, usize, Option<u32>) {
    let text = format!(
        "[scenario]\nname = \"as-of\"\nstart = \"{date}T00:00:00Z\"\n\
         [members]\ndataset = \"wto\"\nas_of = \"{date}\"\n\
         [[item]]\nid = \"x\"\nrule = \"two-thirds-of-members\"\n\
         meeting = {{ start = \"{date}T08:00:00Z\", hours = 3 }}\n\
         others = {{ stance = \"support\" }}\n[item.positions]\nIND = {{ stance = \"object\" }}\n"
    );
    let sc = scenario::parse("as-of.toml", &text).unwrap_or_else(|e| panic!("{e}"));
    let record = simulation::run(&sc).expect("runs");
    assert!(invariants::check(&record).is_empty());
    let r = Report::from_record(&record);
    (r.members, r.delegations, r.items[0].required)
}

/// The WTO's membership dates, and two-thirds of the Members as the WTO
/// counted it for the acceptances that brought agreements into force (the
/// same arithmetic as the vote's):
/// - 21 July 2008, the July 2008 Geneva ministerial: 152 Members (Cabo
///   Verde became the 153rd on 23 July 2008, WTO news item of that day);
///   two-thirds is ⌈2/3 × 152⌉ = 102.
/// - 22 February 2017, the Trade Facilitation Agreement in force on
///   acceptance by two-thirds of the WTO's 164 Members (Afghanistan the 164th
///   since 29 July 2016): 110.
/// - 26 February 2024, MC13 opens: still 164 (Comoros and Timor-Leste,
///   approved there, became Members on 21 and 30 August 2024).
/// - 15 September 2025, the Agreement on Fisheries Subsidies in force with
///   111 acceptances, two-thirds of 166 Members.
#[test]
fn a_two_thirds_vote_counts_the_members_of_its_date() {
    assert_eq!(two_thirds_vote_on("2008-07-21"), (152, 125, Some(102)));
    assert_eq!(two_thirds_vote_on("2017-02-22"), (164, 137, Some(110)));
    assert_eq!(two_thirds_vote_on("2024-02-26"), (164, 137, Some(110)));
    assert_eq!(two_thirds_vote_on("2025-09-15"), (166, 139, Some(111)));
}
