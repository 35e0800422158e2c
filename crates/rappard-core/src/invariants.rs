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
//! | `vote-threshold-base` | vote counts equal the weighted votes cast, the threshold is over votes cast (majority) or the number of Members, the EU included (two-thirds, three-fourths), and the outcome follows | Art. IX:1–3, X:1, XII:2 |
//! | `written-procedure-any-objection` | a written procedure is adopted only with no objection from any Member | 2020–21 practice |
//! | `critical-mass` | an initiative concludes only when its participants' shares, each counted once from the roll (the EU by its own row; its member States never join beside it), reach its threshold | ITA (1996); Li Ke (2023), §III.1 |
//! | `green-room-reported` | under the reformed policy every Green Room is announced (with its participants) at least `GREEN_ROOM_NOTICE_SECS` (24 h) before it meets and its outcome reported to all after | Li Ke (2023), §III.2 |
//! | `consensus-period` | no vote is called on an item while its consensus period runs, and never on a waiver of a transition obligation; consensus is recorded as not reached only during the period, over the objections raised | Art. IX:3(a), IX:3 fn. 4, X:1 |
//! | `acceptance-two-thirds` | an amendment is accepted only after the decision to submit it, once by each Member, with the count of Members that have accepted against two-thirds of the Members on the day; it enters into force only when that count reaches two-thirds, for exactly the Members that have accepted, and later only for a Member that has accepted | Art. X:3 |
//!
//! Li Ke (2023) is Li Ke, "Stagnation and Breakthrough of WTO Multilateral
//! Trade Negotiations", *Journal of Hubei University of Economics* 21(5),
//! 2023, section III, "Institutional Strategies for Advancing Multilateral
//! Trade Negotiations": §III.1, "Exploring the Path of Open Plurilateral
//! Negotiations" (a critical mass: participants holding 80 % or 90 % of the
//! world market in the sector); §III.2, "Gradually Removing the Defects of
//! the Informal Decision-Making Mechanism" (a Green Room's participants and
//! what it is to decide made public before it meets, its results notified
//! promptly after).
//!
//! Each invariant is one function below, over the whole record; those that
//! need the state the record has built so far (the roll, the open calls and
//! their answers, who is present) read it from one shared `Fold`.

mod named;

use std::collections::{HashMap, HashSet};

use crate::member::MemberId;
use crate::protocol::CallKind;
use crate::record::{Entry, Event, Record};
use crate::rules::{How, Outcome, Rule, Votes};
use crate::secretariat::GREEN_ROOM_NOTICE_SECS;
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

/// Checks every invariant; returns the violations (empty when all hold).
pub fn check(record: &Record) -> Vec<Violation> {
    check_entries(record.entries())
}

/// One named invariant: the violations of it over a whole record.
type Invariant = fn(&[Entry]) -> Vec<Violation>;

/// Every invariant, in the order of the module doc's table.
const INVARIANTS: [Invariant; 10] = [
    dense_sequence,
    answer_was_asked,
    consensus_no_present_objector,
    objector_present_and_member,
    vote_threshold_base,
    written_procedure_any_objection,
    critical_mass,
    green_room_reported,
    named::consensus_period,
    named::acceptance_two_thirds,
];

/// Checks every invariant over entries as read (for example from a
/// subscriber's stream, where a gap could occur). The violations come in
/// the order of the entries they were seen at.
pub fn check_entries(entries: &[Entry]) -> Vec<Violation> {
    let mut out: Vec<Violation> = INVARIANTS.iter().flat_map(|check| check(entries)).collect();
    out.sort_by_key(|v| v.seq);
    out
}

/// What one call asked, and the answers given to it so far.
struct CallSeen {
    item: String,
    kind: CallKind,
    rule: Rule,
    awaited: HashSet<MemberId>,
    answered: HashSet<MemberId>,
    objectors: Vec<MemberId>,
    votes: Votes,
}

/// The state the record has built up to an entry, shared by the invariants
/// that need it.
#[derive(Default)]
struct Fold {
    /// Members on the roll, and those whose accession completed.
    members: HashSet<MemberId>,
    /// The votes each Member holds (0: represented by the EU).
    votes_of: HashMap<MemberId, u32>,
    /// Each Member's share of world exports, in 0.0001 %.
    shares: HashMap<MemberId, u32>,
    /// The votes all Members hold together.
    total_votes: u32,
    /// Who is at the meeting (or Green Room) under way.
    present: HashSet<MemberId>,
    /// Every call issued, by number.
    calls: HashMap<u64, CallSeen>,
    /// Per item: the last call for formal objections, for votes, and for
    /// written objections.
    last_objections: HashMap<String, u64>,
    last_votes: HashMap<String, u64>,
    last_written: HashMap<String, u64>,
}

impl Fold {
    /// Applies one entry.
    fn apply(&mut self, event: &Event) {
        match event {
            Event::RollCalled {
                members,
                total_votes,
            } => {
                self.total_votes = *total_votes;
                for m in members {
                    self.admit(&m.id, m.votes, m.export_share);
                }
            }
            Event::AccessionCompleted {
                applicant,
                entry,
                total_votes,
                ..
            } => {
                self.admit(applicant, entry.votes, entry.export_share);
                self.total_votes = *total_votes;
            }
            Event::MeetingConvened { present, .. } => {
                self.present = present.iter().cloned().collect();
            }
            Event::GreenRoomConvened { participants, .. } => {
                self.present = participants.iter().cloned().collect();
            }
            Event::GreenRoomConsultationOpened { .. } => {
                self.present = self.members.iter().cloned().collect();
            }
            Event::CallIssued {
                call,
                subject,
                kind,
                rule,
                awaited,
                package,
                ..
            } => {
                self.issue(*call, &subject.key(), *kind, *rule, awaited);
                // A package of linked items is decided on each of them.
                if *kind == CallKind::Objections {
                    for t in package.iter().flatten() {
                        self.last_objections.insert(t.item.clone(), *call);
                    }
                }
            }
            _ => self.answer(event),
        }
    }

    fn admit(&mut self, m: &MemberId, votes: u32, share: Option<u32>) {
        self.members.insert(m.clone());
        self.votes_of.insert(m.clone(), votes);
        self.shares.insert(m.clone(), share.unwrap_or(0));
    }

    fn issue(&mut self, call: u64, item: &str, kind: CallKind, rule: Rule, awaited: &[MemberId]) {
        let last = match kind {
            CallKind::Objections | CallKind::PackageObjections | CallKind::Annex4Objections => {
                Some(&mut self.last_objections)
            }
            CallKind::Votes => Some(&mut self.last_votes),
            CallKind::WrittenObjections => Some(&mut self.last_written),
            _ => None,
        };
        if let Some(last) = last {
            last.insert(item.to_string(), call);
        }
        let seen = CallSeen {
            item: item.to_string(),
            kind,
            rule,
            awaited: awaited.iter().cloned().collect(),
            answered: HashSet::new(),
            objectors: Vec::new(),
            votes: Votes::default(),
        };
        self.calls.insert(call, seen);
    }

    /// Applies an answer to the call it answers, if that call was issued.
    fn answer(&mut self, event: &Event) {
        let Some((call, member)) = answer_to(event) else {
            return;
        };
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        c.answered.insert(member.clone());
        match event {
            Event::ObjectionRaised { .. } => c.objectors.push(member.clone()),
            Event::VoteCast { vote, weight, .. } => match vote {
                crate::protocol::Vote::Yes => c.votes.yes += weight,
                crate::protocol::Vote::No => c.votes.no += weight,
                crate::protocol::Vote::Abstain => c.votes.abstain += weight,
            },
            _ => {}
        }
    }

    /// Whether `m` is a Member that speaks for itself (not an applicant,
    /// not an EU member State represented by the EU).
    fn speaks_for_itself(&self, m: &MemberId) -> bool {
        self.members.contains(m) && self.votes_of.get(m) != Some(&0)
    }

    /// The objectors raised in the item's last call of the given map.
    fn raised(&self, last: &HashMap<String, u64>, item: &str) -> Vec<MemberId> {
        last.get(item)
            .and_then(|c| self.calls.get(c))
            .map(|c| c.objectors.clone())
            .unwrap_or_default()
    }
}

/// The call an event answers and who answered, if it is an answer.
fn answer_to(event: &Event) -> Option<(u64, &MemberId)> {
    match event {
        Event::OfferMade {
            call, applicant, ..
        } => Some((*call, applicant)),
        Event::BilateralConcluded { call, member, .. }
        | Event::PositionStated { call, member, .. }
        | Event::ReactionGiven { call, member, .. }
        | Event::DraftSigned { call, member, .. }
        | Event::ObjectionRaised { call, member }
        | Event::VoteCast { call, member, .. } => Some((*call, member)),
        _ => None,
    }
}

/// Where an invariant puts what it finds.
struct Found {
    invariant: &'static str,
    out: Vec<Violation>,
}

impl Found {
    fn new(invariant: &'static str) -> Self {
        Self {
            invariant,
            out: Vec::new(),
        }
    }

    fn note(&mut self, seq: u64, detail: String) {
        self.out.push(Violation {
            invariant: self.invariant,
            seq,
            detail,
        });
    }
}

/// Runs `check` on each entry with the state the entries before it built.
fn walk(
    invariant: &'static str,
    entries: &[Entry],
    mut check: impl FnMut(&Fold, &Entry, &mut Found),
) -> Vec<Violation> {
    let mut found = Found::new(invariant);
    let mut fold = Fold::default();
    for e in entries {
        check(&fold, e, &mut found);
        fold.apply(&e.event);
    }
    found.out
}

/// `dense-sequence`: sequence numbers are 1, 2, 3, … and instants never go
/// back.
fn dense_sequence(entries: &[Entry]) -> Vec<Violation> {
    let mut found = Found::new("dense-sequence");
    let mut last_at: Option<Timestamp> = None;
    for (i, e) in entries.iter().enumerate() {
        if e.seq != i as u64 + 1 {
            found.note(
                e.seq,
                format!("entry {} has sequence number {}", i + 1, e.seq),
            );
        }
        if last_at.is_some_and(|t| e.at < t) {
            found.note(
                e.seq,
                format!("instant {} is before the previous one", e.at),
            );
        }
        last_at = Some(e.at);
    }
    found.out
}

/// `answer-was-asked`: every answer is to a call that was issued, from a
/// delegation it awaited, once.
fn answer_was_asked(entries: &[Entry]) -> Vec<Violation> {
    walk("answer-was-asked", entries, |fold, e, found| {
        let Some((call, member)) = answer_to(&e.event) else {
            return;
        };
        let Some(c) = fold.calls.get(&call) else {
            found.note(
                e.seq,
                format!("{member} answers call {call}, which is not open"),
            );
            return;
        };
        if !c.awaited.contains(member) {
            found.note(
                e.seq,
                format!("{member} answers call {call} without being asked"),
            );
        }
        if c.answered.contains(member) {
            found.note(e.seq, format!("{member} answers call {call} twice"));
        }
    })
}

/// `consensus-no-present-objector` (Art. IX:1 fn. 1): a decision by
/// consensus names exactly the objectors raised at its call, is not adopted
/// over any of them, and is not blocked without one.
fn consensus_no_present_objector(entries: &[Entry]) -> Vec<Violation> {
    walk(
        "consensus-no-present-objector",
        entries,
        |fold, e, found| {
            let Event::DecisionTaken {
                item,
                outcome,
                how: How::Consensus,
                objectors,
                ..
            } = &e.event
            else {
                return;
            };
            let raised = fold.raised(&fold.last_objections, item);
            if raised != *objectors {
                found.note(
                    e.seq,
                    format!("[{item}] objectors {objectors:?} differ from those raised {raised:?}"),
                );
            }
            if *outcome == Outcome::Adopted && !raised.is_empty() {
                found.note(
                    e.seq,
                    format!("[{item}] adopted by consensus over {raised:?}"),
                );
            }
            if *outcome == Outcome::Blocked && raised.is_empty() {
                found.note(e.seq, format!("[{item}] blocked with no objection"));
            }
        },
    )
}

/// `objector-present-and-member` (Art. IX:1 fn. 1; Art. XII): only a
/// Member that speaks for itself is asked (but for an applicant's own
/// bilateral offer) or counted as an objector; a meeting's calls ask only
/// those present, and a decision's objectors were present; an applicant
/// accedes once.
fn objector_present_and_member(entries: &[Entry]) -> Vec<Violation> {
    walk(
        "objector-present-and-member",
        entries,
        |fold, e, found| match &e.event {
            Event::AccessionCompleted { applicant, .. } if fold.members.contains(applicant) => {
                found.note(
                    e.seq,
                    format!("{applicant} accedes but is a Member already"),
                );
            }
            Event::CallIssued {
                call,
                kind,
                awaited,
                ..
            } => asks_members_present(fold, e.seq, *call, *kind, awaited, found),
            Event::DecisionTaken {
                present, objectors, ..
            } => {
                for o in objectors {
                    if !fold.speaks_for_itself(o) {
                        found.note(
                            e.seq,
                            format!("objector {o} is not a Member that speaks for itself"),
                        );
                    }
                    if !present.contains(o) {
                        found.note(e.seq, format!("objector {o} was not present"));
                    }
                }
            }
            _ => {}
        },
    )
}

/// A call asks only Members that speak for themselves (an applicant only
/// for its own offer), and a meeting's call only those present.
fn asks_members_present(
    fold: &Fold,
    seq: u64,
    call: u64,
    kind: CallKind,
    awaited: &[MemberId],
    found: &mut Found,
) {
    let at_meeting = matches!(
        kind,
        CallKind::Objections
            | CallKind::PackageObjections
            | CallKind::Annex4Objections
            | CallKind::Join
            | CallKind::Votes
            | CallKind::Positions
            | CallKind::Reactions
    );
    for m in awaited {
        if kind != CallKind::BilateralOffer && !fold.speaks_for_itself(m) {
            found.note(
                seq,
                format!("call {call} asks {m}, which is not a Member that speaks for itself"),
            );
        }
        if at_meeting && !fold.present.contains(m) {
            found.note(
                seq,
                format!("call {call} asks {m}, which is absent from the meeting"),
            );
        }
    }
}

/// `vote-threshold-base` (Art. IX:1–3, X:1, XII:2): the roll's votes add
/// up, each Member casts the votes it holds, and a decision by vote counts
/// the votes cast at its call against the threshold its rule sets.
fn vote_threshold_base(entries: &[Entry]) -> Vec<Violation> {
    walk("vote-threshold-base", entries, |fold, e, found| {
        match &e.event {
            Event::RollCalled {
                members,
                total_votes,
            } => {
                let sum: u32 = members.iter().map(|m| m.votes).sum();
                if sum != *total_votes {
                    found.note(
                        e.seq,
                        format!("the roll's votes add to {sum}, the record says {total_votes}"),
                    );
                }
            }
            Event::VoteCast { member, weight, .. } => {
                let holds = fold.votes_of.get(member).copied().unwrap_or(0);
                if *weight != holds || holds == 0 {
                    found.note(
                        e.seq,
                        format!("{member} casts {weight} votes, it holds {holds}"),
                    );
                }
            }
            Event::DecisionTaken { how: How::Vote, .. } => vote_decision(fold, e, found),
            _ => {}
        }
    })
}

/// A decision by vote: its call, its counts, its threshold, its outcome.
fn vote_decision(fold: &Fold, e: &Entry, found: &mut Found) {
    let Event::DecisionTaken {
        item,
        rule,
        outcome,
        votes,
        required,
        ..
    } = &e.event
    else {
        return;
    };
    let Some(c) = fold.last_votes.get(item).and_then(|c| fold.calls.get(c)) else {
        found.note(
            e.seq,
            format!("[{item}] decided by vote without a vote call"),
        );
        return;
    };
    if c.kind != CallKind::Votes || c.rule != *rule || c.item != *item {
        found.note(
            e.seq,
            format!("[{item}] the vote call does not match the decision"),
        );
    }
    if Some(c.votes) != *votes {
        found.note(
            e.seq,
            format!(
                "[{item}] counts {votes:?}, the votes cast add to {:?}",
                c.votes
            ),
        );
    }
    let need = match rule {
        Rule::Majority => c.votes.no + 1,
        Rule::TwoThirdsOfMembers => (fold.members.len() as u32 * 2).div_ceil(3),
        Rule::ThreeFourthsOfMembers => (fold.members.len() as u32 * 3).div_ceil(4),
        _ => u32::MAX,
    };
    if *required != Some(need) {
        found.note(
            e.seq,
            format!("[{item}] {rule} needs {need} yes, the record says {required:?}"),
        );
    }
    let should = if c.votes.yes >= need {
        Outcome::Adopted
    } else {
        Outcome::Rejected
    };
    if *outcome != should {
        found.note(
            e.seq,
            format!(
                "[{item}] {} yes of {need} needed, but {outcome:?}",
                c.votes.yes
            ),
        );
    }
}

/// `written-procedure-any-objection` (2020–21 practice): a written
/// procedure names the objections raised in writing, and is adopted exactly
/// when there is none.
fn written_procedure_any_objection(entries: &[Entry]) -> Vec<Violation> {
    walk(
        "written-procedure-any-objection",
        entries,
        |fold, e, found| {
            let Event::DecisionTaken {
                item,
                outcome,
                how: How::WrittenProcedure,
                objectors,
                ..
            } = &e.event
            else {
                return;
            };
            let raised = fold.raised(&fold.last_written, item);
            if raised != *objectors || (*outcome == Outcome::Adopted) != raised.is_empty() {
                found.note(
                    e.seq,
                    format!("[{item}] {outcome:?} with written objections {raised:?}"),
                );
            }
        },
    )
}

/// `critical-mass` (ITA, 1996; Li Ke (2023), §III.1): only Members that
/// speak for themselves join, each once, and an initiative concludes with
/// the participants that joined, whose shares on the roll reach its
/// threshold.
fn critical_mass(entries: &[Entry]) -> Vec<Violation> {
    // Per initiative: its participants and threshold.
    let mut initiatives: HashMap<String, (Vec<MemberId>, u32)> = HashMap::new();
    walk("critical-mass", entries, |fold, e, found| match &e.event {
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
            if !fold.speaks_for_itself(member) {
                found.note(
                    e.seq,
                    format!(
                        "{member} joins [{initiative}] but is not a Member that speaks for itself"
                    ),
                );
            }
            if let Some((p, _)) = initiatives.get_mut(initiative) {
                if p.contains(member) {
                    found.note(e.seq, format!("{member} joins [{initiative}] twice"));
                }
                p.push(member.clone());
            }
        }
        Event::InitiativeConcluded { initiative, .. } => match initiatives.get(initiative) {
            None => found.note(e.seq, format!("[{initiative}] concludes without a launch")),
            Some((joined, threshold)) => concluded(fold, e, joined, *threshold, found),
        },
        _ => {}
    })
}

/// An initiative concludes with the participants that joined, whose shares
/// on the roll add to what the record says and reach the threshold.
fn concluded(fold: &Fold, e: &Entry, joined: &[MemberId], threshold: u32, found: &mut Found) {
    let Event::InitiativeConcluded {
        initiative,
        participants,
        share,
        ..
    } = &e.event
    else {
        return;
    };
    let mut joined = joined.to_vec();
    joined.sort();
    if joined != *participants {
        found.note(
            e.seq,
            format!("[{initiative}] concludes with participants that did not join"),
        );
    }
    let sum: u32 = joined
        .iter()
        .map(|m| fold.shares.get(m).copied().unwrap_or(0))
        .sum();
    if sum != *share || sum < threshold {
        found.note(
            e.seq,
            format!(
                "[{initiative}] participants hold {sum}, the record says {share}, the threshold is {threshold}"
            ),
        );
    }
}

/// `green-room-reported` (Li Ke (2023), §III.2): under the reformed policy
/// a Green Room is announced with its participants before it meets, and its
/// outcome is reported to all before the next one meets or the record ends.
fn green_room_reported(entries: &[Entry]) -> Vec<Violation> {
    let mut found = Found::new("green-room-reported");
    let not_reported = |gr: &str| format!("the Green Room on [{gr}] was not reported to all");
    // The announced rooms (participants, when), and a convened room
    // awaiting its report.
    let mut announced: HashMap<String, (Vec<MemberId>, i64)> = HashMap::new();
    let mut unreported: Option<(String, u64)> = None;
    for e in entries {
        match &e.event {
            Event::GreenRoomAnnounced {
                item, participants, ..
            } => {
                announced.insert(item.clone(), (participants.clone(), e.at.unix()));
            }
            Event::GreenRoomConvened {
                item,
                policy,
                participants,
                ..
            } => {
                if let Some((gr, at)) = unreported.take() {
                    found.note(at, not_reported(&gr));
                }
                if *policy == crate::greenroom::Policy::Reformed {
                    match announced.remove(item) {
                        Some((who, at)) if who == *participants => {
                            if e.at.unix() - at < GREEN_ROOM_NOTICE_SECS {
                                found.note(
                                    e.seq,
                                    format!("the Green Room on [{item}] met without its notice"),
                                );
                            }
                        }
                        _ => found.note(
                            e.seq,
                            format!(
                                "the Green Room on [{item}] was not announced with its participants"
                            ),
                        ),
                    }
                    unreported = Some((item.clone(), e.seq));
                }
            }
            Event::GreenRoomReported { item, .. }
                if unreported.as_ref().is_some_and(|(gr, _)| gr == item) =>
            {
                unreported = None;
            }
            _ => {}
        }
    }
    if let Some((gr, at)) = unreported {
        found.note(at, not_reported(&gr));
    }
    found.out
}
