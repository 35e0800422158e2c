//! Named invariants, checked over a finished record.
//!
//! Each is a rule of the WTO or of the record that no run may break, checked
//! from the record alone (so it also checks a record that came over the
//! network). `rappard simulate` checks them after every run and fails with
//! exit code 3 if one is broken; the test suite checks them over every
//! shipped scenario and many seeds.
//!
//! | name | what | source |
//! |---|---|---|
//! | `dense-sequence` | sequence numbers are 1, 2, 3, … and instants never go back | the record's contract |
//! | `answer-was-asked` | every answer is from a delegation the call awaited, once | lockstep |
//! | `consensus-no-present-objector` | no decision by consensus is adopted while a present Member formally objected; a blocked one names its objectors | Art. IX:1 fn. 1 |
//! | `objector-present-and-member` | an objector at a meeting was present and is a Member that speaks for itself; an absent Member or an applicant never counts; no call but an applicant's own bilateral offer asks a non-Member, and a new Member counts from the day its accession completes | Art. IX:1 fn. 1; Art. XII |
//! | `vote-threshold-base` | vote counts equal the weighted votes cast, the threshold is over votes cast (majority) or all Members' votes (two-thirds, three-fourths), and the outcome follows | Art. IX:1–3, X:1, XII:2 |
//! | `written-procedure-any-objection` | a written procedure is adopted only with no objection from any Member | 2020–21 practice |
//! | `critical-mass` | an initiative concludes only when its participants' shares, each counted once from the roll (the EU by its own row; its member States never join beside it), reach its threshold | ITA (1996); seed paper, lines 459–463 |
//! | `green-room-reported` | under the reformed policy every Green Room is announced (with its participants) before it meets and its outcome reported to all after | seed paper, lines 546–548 |

use std::collections::{HashMap, HashSet};

use crate::member::MemberId;
use crate::protocol::CallKind;
use crate::record::{Entry, Event, Record};
use crate::rules::{How, Outcome, Rule, Votes};
use crate::time::Timestamp;

/// A broken invariant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// Its name (module doc).
    pub invariant: &'static str,
    /// The entry at which it was seen.
    pub seq: u64,
    /// What was wrong.
    pub detail: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "invariant {} broken at event {}: {}",
            self.invariant, self.seq, self.detail
        )
    }
}

struct CallSeen {
    item: String,
    kind: CallKind,
    rule: Rule,
    awaited: HashSet<MemberId>,
    answered: HashSet<MemberId>,
    objectors: Vec<MemberId>,
    votes: Votes,
}

fn note(out: &mut Vec<Violation>, invariant: &'static str, seq: u64, detail: String) {
    out.push(Violation {
        invariant,
        seq,
        detail,
    });
}

/// Records an answer to a call, noting an answer to a call not open, from a
/// delegation not asked, or given twice.
fn answered<'a>(
    calls: &'a mut HashMap<u64, CallSeen>,
    out: &mut Vec<Violation>,
    seq: u64,
    call: u64,
    member: &MemberId,
) -> Option<&'a mut CallSeen> {
    let Some(c) = calls.get_mut(&call) else {
        note(
            out,
            "answer-was-asked",
            seq,
            format!("{member} answers call {call}, which is not open"),
        );
        return None;
    };
    if !c.awaited.contains(member) {
        note(
            out,
            "answer-was-asked",
            seq,
            format!("{member} answers call {call} without being asked"),
        );
    }
    if !c.answered.insert(member.clone()) {
        note(
            out,
            "answer-was-asked",
            seq,
            format!("{member} answers call {call} twice"),
        );
    }
    Some(c)
}

/// Checks every invariant; returns the violations (empty when all hold).
pub fn check(record: &Record) -> Vec<Violation> {
    check_entries(record.entries())
}

/// Checks every invariant over entries as read (for example from a
/// subscriber's stream, where a gap could occur).
pub fn check_entries(entries: &[Entry]) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut last_at: Option<Timestamp> = None;
    let mut votes_of: HashMap<MemberId, u32> = HashMap::new();
    let mut members: HashSet<MemberId> = HashSet::new();
    let mut total_votes = 0u32;
    let mut calls: HashMap<u64, CallSeen> = HashMap::new();
    // Per item: the last objection call and vote call, and whether written.
    let mut last_objections: HashMap<String, u64> = HashMap::new();
    let mut last_votes: HashMap<String, u64> = HashMap::new();
    let mut written: HashMap<String, u64> = HashMap::new();
    let mut meeting_present: HashSet<MemberId> = HashSet::new();
    let mut shares: HashMap<MemberId, u32> = HashMap::new();
    // Per initiative: participants and threshold.
    let mut initiatives: HashMap<String, (Vec<MemberId>, u32)> = HashMap::new();
    // Reformed Green Rooms: announced participants, and one awaiting its report.
    let mut announced: Option<(String, Vec<MemberId>)> = None;
    let mut unreported: Option<(String, u64)> = None;

    for (i, e) in entries.iter().enumerate() {
        let seq = e.seq;
        if seq != i as u64 + 1 {
            note(
                &mut out,
                "dense-sequence",
                seq,
                format!("entry {} has sequence number {seq}", i + 1),
            );
        }
        if last_at.is_some_and(|t| e.at < t) {
            note(
                &mut out,
                "dense-sequence",
                seq,
                format!("instant {} is before the previous one", e.at),
            );
        }
        last_at = Some(e.at);
        match &e.event {
            Event::RollCalled {
                members: roll,
                total_votes: t,
            } => {
                total_votes = *t;
                for m in roll {
                    members.insert(m.id.clone());
                    votes_of.insert(m.id.clone(), m.votes);
                    shares.insert(m.id.clone(), m.export_share.unwrap_or(0));
                }
                let sum: u32 = roll.iter().map(|m| m.votes).sum();
                if sum != *t {
                    note(
                        &mut out,
                        "vote-threshold-base",
                        seq,
                        format!("the roll's votes add to {sum}, the record says {t}"),
                    );
                }
            }
            Event::MeetingConvened { present, .. } => {
                meeting_present = present.iter().cloned().collect();
            }
            Event::AccessionCompleted {
                applicant,
                entry,
                total_votes: t,
                ..
            } => {
                if members.contains(applicant) {
                    note(
                        &mut out,
                        "objector-present-and-member",
                        seq,
                        format!("{applicant} accedes but is a Member already"),
                    );
                }
                members.insert(applicant.clone());
                votes_of.insert(applicant.clone(), entry.votes);
                shares.insert(applicant.clone(), entry.export_share.unwrap_or(0));
                total_votes = *t;
            }
            Event::OfferMade {
                call, applicant, ..
            } => {
                answered(&mut calls, &mut out, seq, *call, applicant);
            }
            Event::BilateralConcluded { call, member, .. } => {
                answered(&mut calls, &mut out, seq, *call, member);
            }
            Event::InitiativeLaunched {
                initiative,
                participants,
                threshold,
                ..
            } => {
                initiatives.insert(initiative.clone(), (participants.clone(), *threshold));
            }
            Event::InitiativeJoined {
                initiative, member, ..
            } => {
                if votes_of.get(member).copied().unwrap_or(0) == 0 {
                    note(
                        &mut out,
                        "critical-mass",
                        seq,
                        format!(
                            "{member} joins [{initiative}] but is not a Member that speaks for itself"
                        ),
                    );
                }
                if let Some((p, _)) = initiatives.get_mut(initiative) {
                    if p.contains(member) {
                        note(
                            &mut out,
                            "critical-mass",
                            seq,
                            format!("{member} joins [{initiative}] twice"),
                        );
                    }
                    p.push(member.clone());
                }
            }
            Event::InitiativeConcluded {
                initiative,
                participants,
                share,
                ..
            } => {
                let Some((p, threshold)) = initiatives.get(initiative) else {
                    note(
                        &mut out,
                        "critical-mass",
                        seq,
                        format!("[{initiative}] concludes without a launch"),
                    );
                    continue;
                };
                let mut mine = p.clone();
                mine.sort();
                if mine != *participants {
                    note(
                        &mut out,
                        "critical-mass",
                        seq,
                        format!("[{initiative}] concludes with participants that did not join"),
                    );
                }
                let sum: u32 = mine
                    .iter()
                    .map(|m| shares.get(m).copied().unwrap_or(0))
                    .sum();
                if sum != *share || sum < *threshold {
                    note(
                        &mut out,
                        "critical-mass",
                        seq,
                        format!(
                            "[{initiative}] participants hold {sum}, the record says {share}, the threshold is {threshold}"
                        ),
                    );
                }
            }
            Event::GreenRoomAnnounced {
                item, participants, ..
            } => {
                announced = Some((item.clone(), participants.clone()));
            }
            Event::GreenRoomConvened {
                item,
                policy,
                participants,
                ..
            } => {
                meeting_present = participants.iter().cloned().collect();
                if let Some((gr, at)) = unreported.take() {
                    note(
                        &mut out,
                        "green-room-reported",
                        at,
                        format!("the Green Room on [{gr}] was not reported to all"),
                    );
                }
                if *policy == crate::greenroom::Policy::Reformed {
                    if announced.take() != Some((item.clone(), participants.clone())) {
                        note(
                            &mut out,
                            "green-room-reported",
                            seq,
                            format!(
                                "the Green Room on [{item}] was not announced with its participants"
                            ),
                        );
                    }
                    unreported = Some((item.clone(), seq));
                }
            }
            Event::GreenRoomReported { item, .. }
                if unreported.as_ref().is_some_and(|(gr, _)| gr == item) =>
            {
                unreported = None;
            }
            Event::CallIssued {
                call,
                subject: item,
                kind,
                rule,
                awaited,
                ..
            } => {
                for m in awaited {
                    // Only an applicant's own offer is asked of a non-Member.
                    if *kind != CallKind::BilateralOffer
                        && (!members.contains(m) || votes_of.get(m) == Some(&0))
                    {
                        note(
                            &mut out,
                            "objector-present-and-member",
                            seq,
                            format!(
                                "call {call} asks {m}, which is not a Member that speaks for itself"
                            ),
                        );
                    }
                    if matches!(
                        kind,
                        CallKind::Objections
                            | CallKind::PackageObjections
                            | CallKind::Annex4Objections
                            | CallKind::Join
                            | CallKind::Votes
                            | CallKind::Positions
                            | CallKind::Reactions
                    ) && !meeting_present.contains(m)
                    {
                        note(
                            &mut out,
                            "objector-present-and-member",
                            seq,
                            format!("call {call} asks {m}, which is absent from the meeting"),
                        );
                    }
                }
                match kind {
                    CallKind::Objections
                    | CallKind::PackageObjections
                    | CallKind::Annex4Objections => {
                        last_objections.insert(item.key().into_owned(), *call);
                    }
                    CallKind::Votes => {
                        last_votes.insert(item.key().into_owned(), *call);
                    }
                    CallKind::WrittenObjections => {
                        written.insert(item.key().into_owned(), *call);
                    }
                    _ => {}
                }
                calls.insert(
                    *call,
                    CallSeen {
                        item: item.key().into_owned(),
                        kind: *kind,
                        rule: *rule,
                        awaited: awaited.iter().cloned().collect(),
                        answered: HashSet::new(),
                        objectors: Vec::new(),
                        votes: Votes::default(),
                    },
                );
            }
            Event::PositionStated { call, member, .. }
            | Event::ReactionGiven { call, member, .. }
            | Event::DraftSigned { call, member, .. } => {
                answered(&mut calls, &mut out, seq, *call, member);
            }
            Event::ObjectionRaised { call, member } => {
                if let Some(c) = answered(&mut calls, &mut out, seq, *call, member) {
                    c.objectors.push(member.clone());
                }
            }
            Event::VoteCast {
                call,
                member,
                vote,
                weight,
            } => {
                let expected = votes_of.get(member).copied().unwrap_or(0);
                if *weight != expected || expected == 0 {
                    note(
                        &mut out,
                        "vote-threshold-base",
                        seq,
                        format!("{member} casts {weight} votes, it holds {expected}"),
                    );
                }
                if let Some(c) = answered(&mut calls, &mut out, seq, *call, member) {
                    match vote {
                        crate::protocol::Vote::Yes => c.votes.yes += weight,
                        crate::protocol::Vote::No => c.votes.no += weight,
                        crate::protocol::Vote::Abstain => c.votes.abstain += weight,
                    }
                }
            }
            Event::DecisionTaken {
                item,
                rule,
                outcome,
                how,
                present,
                objectors,
                votes,
                required,
                ..
            } => {
                for o in objectors {
                    if !members.contains(o) || votes_of.get(o) == Some(&0) {
                        note(
                            &mut out,
                            "objector-present-and-member",
                            seq,
                            format!("objector {o} is not a Member that speaks for itself"),
                        );
                    }
                    if !present.contains(o) {
                        note(
                            &mut out,
                            "objector-present-and-member",
                            seq,
                            format!("objector {o} was not present"),
                        );
                    }
                }
                match how {
                    How::Consensus => {
                        let raised = last_objections
                            .get(item)
                            .and_then(|c| calls.get(c))
                            .map(|c| c.objectors.clone())
                            .unwrap_or_default();
                        if raised != *objectors {
                            note(
                                &mut out,
                                "consensus-no-present-objector",
                                seq,
                                format!(
                                    "[{item}] objectors {objectors:?} differ from those raised {raised:?}"
                                ),
                            );
                        }
                        if *outcome == Outcome::Adopted && !raised.is_empty() {
                            note(
                                &mut out,
                                "consensus-no-present-objector",
                                seq,
                                format!("[{item}] adopted by consensus over {raised:?}"),
                            );
                        }
                        if *outcome == Outcome::Blocked && raised.is_empty() {
                            note(
                                &mut out,
                                "consensus-no-present-objector",
                                seq,
                                format!("[{item}] blocked with no objection"),
                            );
                        }
                    }
                    How::Vote => {
                        let Some(c) = last_votes.get(item).and_then(|c| calls.get(c)) else {
                            note(
                                &mut out,
                                "vote-threshold-base",
                                seq,
                                format!("[{item}] decided by vote without a vote call"),
                            );
                            continue;
                        };
                        if c.kind != CallKind::Votes || c.rule != *rule || c.item != *item {
                            note(
                                &mut out,
                                "vote-threshold-base",
                                seq,
                                format!("[{item}] the vote call does not match the decision"),
                            );
                        }
                        if Some(c.votes) != *votes {
                            note(
                                &mut out,
                                "vote-threshold-base",
                                seq,
                                format!(
                                    "[{item}] counts {votes:?}, the votes cast add to {:?}",
                                    c.votes
                                ),
                            );
                        }
                        let need = match rule {
                            Rule::Majority => c.votes.no + 1,
                            Rule::TwoThirdsOfMembers => (total_votes * 2).div_ceil(3),
                            Rule::ThreeFourthsOfMembers => (total_votes * 3).div_ceil(4),
                            _ => u32::MAX,
                        };
                        if *required != Some(need) {
                            note(
                                &mut out,
                                "vote-threshold-base",
                                seq,
                                format!(
                                    "[{item}] {rule} needs {need} yes, the record says {required:?}"
                                ),
                            );
                        }
                        let should = if c.votes.yes >= need {
                            Outcome::Adopted
                        } else {
                            Outcome::Rejected
                        };
                        if *outcome != should {
                            note(
                                &mut out,
                                "vote-threshold-base",
                                seq,
                                format!(
                                    "[{item}] {} yes of {need} needed, but {outcome:?}",
                                    c.votes.yes
                                ),
                            );
                        }
                    }
                    How::WrittenProcedure => {
                        let raised = written
                            .get(item)
                            .and_then(|c| calls.get(c))
                            .map(|c| c.objectors.clone())
                            .unwrap_or_default();
                        if raised != *objectors
                            || (*outcome == Outcome::Adopted) != raised.is_empty()
                        {
                            note(
                                &mut out,
                                "written-procedure-any-objection",
                                seq,
                                format!("[{item}] {outcome:?} with written objections {raised:?}"),
                            );
                        }
                    }
                }
            }
            _ => {}
        }
    }
    if let Some((gr, at)) = unreported {
        note(
            &mut out,
            "green-room-reported",
            at,
            format!("the Green Room on [{gr}] was not reported to all"),
        );
    }
    out
}
