//! The invariants of the named rules (`crate::rules::named`): the consensus
//! period of waivers and amendments (Marrakesh Agreement Art. IX:3(a),
//! IX:3 fn. 4, X:1) and the acceptance of amendments (Art. X:3).

use std::collections::{BTreeSet, HashMap, HashSet};

use super::{Entry, Fold, Found, Violation, walk};
use crate::amendment;
use crate::member::MemberId;
use crate::protocol::{CallKind, PACKAGE_KEY};
use crate::record::Event;
use crate::rules::{NamedRule, Outcome};
use crate::time::Timestamp;

/// `consensus-period` (Art. IX:3(a), IX:3 fn. 4, X:1): no vote is called
/// on an item while its consensus period runs, nor ever on a
/// `waiver-transition`; `consensus-not-reached` falls within the period and
/// names the objections raised at the decision.
pub(super) fn consensus_period(entries: &[Entry]) -> Vec<Violation> {
    let mut listed: HashMap<String, (Option<NamedRule>, Option<Timestamp>)> = HashMap::new();
    walk("consensus-period", entries, |fold, e, found| {
        match &e.event {
            Event::ItemListed {
                item,
                named_rule,
                consensus_until,
                ..
            } => {
                listed.insert(item.clone(), (*named_rule, *consensus_until));
            }
            Event::CallIssued {
                subject,
                kind: CallKind::Votes,
                ..
            } => {
                let item = subject.key();
                match listed.get(item.as_ref()) {
                    Some((Some(NamedRule::WaiverTransition), _)) => found.note(
                        e.seq,
                        format!("[{item}] a waiver of a transition obligation is put to a vote"),
                    ),
                    Some((_, Some(until))) if e.at < *until => found.note(
                        e.seq,
                        format!(
                            "[{item}] a vote is called before its consensus period ends ({until})"
                        ),
                    ),
                    _ => {}
                }
            }
            Event::ConsensusNotReached {
                item,
                objectors,
                until,
                ..
            } => not_reached(fold, e, item, objectors, *until, &listed, found),
            _ => {}
        }
    })
}

/// A `consensus-not-reached`: during the item's period, over the objectors
/// raised at its last call for objections.
fn not_reached(
    fold: &Fold,
    e: &Entry,
    item: &str,
    objectors: &[MemberId],
    until: Timestamp,
    listed: &HashMap<String, (Option<NamedRule>, Option<Timestamp>)>,
    found: &mut Found,
) {
    if listed.get(item).and_then(|(_, u)| *u) != Some(until) || e.at >= until {
        found.note(
            e.seq,
            format!("[{item}] consensus not reached outside its consensus period"),
        );
    }
    let raised = fold.raised(&fold.last_objections, item);
    if raised.is_empty() || raised != objectors {
        found.note(
            e.seq,
            format!(
                "[{item}] consensus not reached with objectors {objectors:?}, raised {raised:?}"
            ),
        );
    }
}

/// Where one amendment's acceptance stands, as the record shows it.
#[derive(Default)]
struct Acceptance {
    /// The decision to submit it was taken.
    submitted: bool,
    /// Who has deposited an instrument.
    deposited: HashSet<MemberId>,
    /// Who has accepted (instruments and the member States they cover).
    accepted: BTreeSet<MemberId>,
    /// For whom it is in force.
    in_force: HashSet<MemberId>,
}

/// `acceptance-two-thirds` (Art. X:3): deposits come after the decision to
/// submit, once per Member, with the count the roll gives; the amendment
/// enters into force when that count reaches two-thirds of the Members, for
/// exactly those that have accepted, and later for each that accepts.
pub(super) fn acceptance_two_thirds(entries: &[Entry]) -> Vec<Violation> {
    let mut amendments: HashMap<String, Acceptance> = HashMap::new();
    walk(
        "acceptance-two-thirds",
        entries,
        |fold, e, found| match &e.event {
            Event::ItemListed {
                item,
                named_rule: Some(NamedRule::Amendment),
                ..
            } => {
                amendments.insert(item.clone(), Acceptance::default());
            }
            Event::DecisionTaken {
                item,
                outcome: Outcome::Adopted,
                ..
            } => {
                for (id, a) in amendments.iter_mut() {
                    if id == item || item == PACKAGE_KEY {
                        a.submitted = true;
                    }
                }
            }
            Event::AcceptanceDeposited { item, .. } => match amendments.get_mut(item) {
                Some(a) => deposited(fold, e, a, found),
                None => found.note(
                    e.seq,
                    format!("[{item}] accepted, but it is not an amendment"),
                ),
            },
            Event::AmendmentInForce { item, .. } => match amendments.get_mut(item) {
                Some(a) => in_force(fold, e, a, found),
                None => found.note(
                    e.seq,
                    format!("[{item}] in force, but it is not an amendment"),
                ),
            },
            _ => {}
        },
    )
}

/// The count of Members that have accepted, among the Members on the roll.
fn counted(fold: &Fold, a: &Acceptance) -> u32 {
    a.accepted
        .iter()
        .filter(|m| fold.members.contains(*m))
        .count() as u32
}

/// One deposit of acceptance.
fn deposited(fold: &Fold, e: &Entry, a: &mut Acceptance, found: &mut Found) {
    let Event::AcceptanceDeposited {
        item,
        member,
        covers,
        applicant,
        accepted,
        required,
        members,
    } = &e.event
    else {
        return;
    };
    if !a.submitted {
        found.note(
            e.seq,
            format!("[{item}] {member} accepts before the decision to submit it"),
        );
    }
    if !a.deposited.insert(member.clone()) {
        found.note(e.seq, format!("[{item}] {member} accepts twice"));
    }
    if *applicant == fold.members.contains(member) {
        found.note(
            e.seq,
            format!("[{item}] {member}: applicant {applicant} is not what the roll says"),
        );
    }
    if covers.iter().any(|c| fold.votes_of.get(c) != Some(&0)) {
        found.note(
            e.seq,
            format!("[{item}] {member}'s instrument covers a Member that speaks for itself"),
        );
    }
    a.accepted.insert(member.clone());
    a.accepted.extend(covers.iter().cloned());
    let n = fold.members.len() as u32;
    let want = (counted(fold, a), amendment::required(n), n);
    if (*accepted, *required, *members) != want {
        found.note(
            e.seq,
            format!("[{item}] counts {accepted} of {required} needed among {members}, the roll gives {want:?}"),
        );
    }
}

/// An entry into force: the first for every Member that has accepted, once
/// two-thirds have; a later one for Members that have accepted since.
fn in_force(fold: &Fold, e: &Entry, a: &mut Acceptance, found: &mut Found) {
    let Event::AmendmentInForce {
        item, in_force_for, ..
    } = &e.event
    else {
        return;
    };
    let n = fold.members.len() as u32;
    if a.in_force.is_empty() && counted(fold, a) < amendment::required(n) {
        found.note(
            e.seq,
            format!(
                "[{item}] in force with {} of {n} Members having accepted",
                counted(fold, a)
            ),
        );
    }
    for m in in_force_for {
        if !a.accepted.contains(m) || !fold.members.contains(m) {
            found.note(
                e.seq,
                format!("[{item}] in force for {m}, which has not accepted it as a Member"),
            );
        }
        if !a.in_force.insert(m.clone()) {
            found.note(e.seq, format!("[{item}] in force for {m} twice"));
        }
    }
    let missing = a
        .accepted
        .iter()
        .filter(|m| fold.members.contains(*m) && !a.in_force.contains(*m))
        .count();
    if missing > 0 {
        found.note(
            e.seq,
            format!("[{item}] {missing} Members have accepted it but it is not in force for them"),
        );
    }
}
