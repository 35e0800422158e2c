//! The Secretariat: the state machine that runs a negotiation.
//!
//! It takes the public [`Agenda`] and turns delegations' answers into the
//! [`Record`]. It does no IO and reads no clock: simulated time is derived
//! from the scenario's start and the schedule it keeps, and a driver (the
//! in-process simulation, or a network node) moves it along:
//!
//! ```text
//! loop {
//!     let Some(call) = secretariat.step() else { break };   // what it asks, of whom
//!     for each awaited delegation: secretariat.answer(member, call.call, answer)?;
//!     secretariat.close_call();   // when all have answered, or on a timeout
//! }
//! ```
//!
//! Answers are buffered while a call is open and applied, when it closes, in
//! member-id order: the record never depends on the order in which answers
//! arrived. A delegation that did not answer is recorded as such; silence is
//! never an objection.
//!
//! The procedure for each item (sources in `rules`, `drafting`, `sessions`):
//! 1. Every day with work, a *session* is held at the time that seats the
//!    most Members. In it each item still in consultation has a round:
//!    present delegations state positions; the chair drafts a text (with
//!    co-chairs, each must sign it before it is issued); present delegations
//!    react (support, reserve, object).
//! 2. When no present delegation objects, the text is *tabled* and decided
//!    at the next session. An item that can be decided by vote (a voting
//!    rule, or a consensus rule with a voting fallback) is also tabled when
//!    three rounds in a row end with the same text and the same objectors
//!    (consultations are exhausted). An item still in consultation at its
//!    deadline lapses.
//! 3. An item with a *fixed meeting* is consulted on until then (or until no
//!    one objects, or consultations are exhausted) and put to decision at
//!    that meeting whatever the consultations showed; only what Members say
//!    at that meeting counts. Without a text by then, a round is held at the
//!    meeting first.
//! 4. At the decision: consensus asks present delegations for formal
//!    objections, and falls back to a vote if the item names one; a voting
//!    rule asks present delegations to vote; written procedure circulates the
//!    text to every delegation and decides at its deadline.

mod accessions;
mod green_room;
mod initiatives;

use std::collections::{BTreeMap, VecDeque};

use chrono::NaiveDate;

use crate::drafting::{DraftingPolicy, Median};
use crate::member::MemberId;
use crate::protocol::{
    Answer, AnswerError, Call, CallKind, Level, MAX_LEVEL, PACKAGE_KEY, PackageText, Reaction,
    Stated, Subject, Vote,
};
use crate::record::{Event, MeetingKind, Record, RollEntry};
use crate::rules::{Ballot, How, Outcome, Rule, Tally, Votes};
use crate::scenario::{Agenda, Package};
use crate::sessions::{Calendar, Venue};
use crate::time::{Interval, Timestamp};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Consulting,
    /// No more rounds; waiting for the fixed meeting.
    Ready,
    /// Tabled for decision at the next session.
    Tabled,
    /// Circulated for written procedure.
    Written,
    /// Agreed, waiting for the whole package (single undertaking).
    Agreed,
    Done,
}

#[derive(Clone, Debug)]
struct ItemState {
    phase: Phase,
    round: u32,
    version: u32,
    text: Option<Level>,
    /// Text and objectors after the previous round, to see a stall.
    last: Option<(Level, Vec<MemberId>)>,
    /// Rounds in a row that ended with that same text and objectors.
    unchanged: u32,
    /// Objectors at a consensus decision that fell back to a vote.
    consensus_objectors: Vec<MemberId>,
    /// Written procedure under way: circulated at, objectors.
    written: Option<(Timestamp, Vec<MemberId>)>,
    /// A Green Room's compromise, to be the next round's text.
    pending_text: Option<Level>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Happening {
    /// An item's deadline for consultations (non-fixed items).
    Deadline,
    /// A written procedure's deadline.
    WrittenDeadline,
    /// A fixed decision meeting.
    ItemMeeting,
    /// An initiative's deadline.
    InitiativeDeadline,
    /// A fixed Ministerial meeting on an initiative's Annex 4 decision.
    InitiativeMeeting,
    /// An accession: the application.
    AccessionApplied,
    /// An accession: a round of bilateral market-access talks.
    BilateralRound,
    /// An accession: the Working Party meets on its report.
    WorkingPartyMeeting,
    /// An accession: the General Council decides.
    CouncilMeeting,
    /// An accession: the instrument of acceptance is deposited.
    Deposit,
    /// An accession: the thirtieth day after the deposit.
    Membership,
    /// The day's session.
    Session,
}

#[derive(Clone, Debug)]
enum Work {
    Round {
        item: usize,
        at_decision: bool,
    },
    Decide(usize),
    DecidePackage,
    GreenRoom {
        item: usize,
        objectors: Vec<MemberId>,
    },
    InitiativeRound(usize),
    Annex4(usize),
}

#[derive(Clone, Debug)]
enum Continuation {
    Positions {
        item: usize,
        at_decision: bool,
    },
    Signatures {
        item: usize,
        text: Level,
        at_decision: bool,
    },
    Reactions {
        item: usize,
        at_decision: bool,
    },
    GreenRoomPositions {
        item: usize,
        objectors: Vec<MemberId>,
    },
    GreenRoomReactions {
        item: usize,
        text: Level,
    },
    InitiativeJoin {
        initiative: usize,
    },
    InitiativePositions {
        initiative: usize,
    },
    InitiativeReactions {
        initiative: usize,
    },
    Annex4 {
        initiative: usize,
    },
    BilateralOffer {
        accession: usize,
    },
    BilateralResponse {
        accession: usize,
    },
    WorkingPartyReport {
        accession: usize,
    },
    CouncilObjections {
        accession: usize,
    },
    CouncilVotes {
        accession: usize,
    },
    Objections {
        item: usize,
    },
    Votes {
        item: usize,
    },
    Written {
        item: usize,
    },
    Package,
}

#[derive(Clone, Debug)]
struct OpenCall {
    call: Call,
    then: Continuation,
    /// One slot per awaited delegation, in the same (id) order.
    answers: Vec<Option<Answer>>,
    answered: usize,
}

#[derive(Clone, Debug)]
struct Meeting {
    interval: Interval,
    /// Delegations present, in id order.
    delegations: Vec<MemberId>,
    /// Members present (EU member States with the EU), in id order.
    members: Vec<MemberId>,
    /// Whether it is a day's session (Green Rooms follow sessions only).
    session: bool,
}

/// The Secretariat (module doc).
pub struct Secretariat {
    agenda: Agenda,
    calendar: Calendar,
    drafting: Box<dyn DraftingPolicy>,
    record: Record,
    items: Vec<ItemState>,
    schedule: BTreeMap<(Timestamp, Happening, usize), Interval>,
    now: Timestamp,
    meetings: u32,
    calls: u64,
    meeting: Option<Meeting>,
    work: VecDeque<Work>,
    open: Option<OpenCall>,
    last_day: Option<NaiveDate>,
    last_session_day: Option<Timestamp>,
    finished: bool,
    all_delegations: Vec<MemberId>,
    /// Single undertaking: every item agreed, the package awaits its decision.
    package_ready: bool,
    /// Single undertaking: an item failed, and the round with it.
    package_failed: bool,
    /// Green Rooms to hold after the meeting in progress: item, objectors.
    green_rooms: VecDeque<(usize, Vec<MemberId>)>,
    /// How often each delegation has sat in a Green Room.
    invited: BTreeMap<MemberId, u32>,
    /// Open plurilateral initiatives, as in the agenda.
    initiatives: Vec<initiatives::InitiativeState>,
    /// Accessions, as in the agenda.
    accessions: Vec<accessions::AccessionState>,
    /// Objectors at a General Council that fell back to a vote.
    consensus_objectors_accession: Vec<MemberId>,
}

const DAY: i64 = 86_400;

/// Consultations are exhausted after this many rounds in a row with the same
/// text and the same objectors (a modelling choice: a chair who has heard
/// the same objections three times takes the text to a decision if the rule
/// allows a vote).
pub const EXHAUSTED_AFTER_ROUNDS: u32 = 3;

/// A decision as its rule gave it, before it is recorded.
struct Decision {
    rule: Rule,
    outcome: Outcome,
    how: How,
    objectors: Vec<MemberId>,
    votes: Option<Votes>,
    required: Option<u32>,
}

/// The levels stated, in id order (stances state none).
fn levels(stated: &[(MemberId, Stated)]) -> Vec<Level> {
    stated
        .iter()
        .filter_map(|(_, s)| match s {
            Stated::Level(l) => Some(*l),
            Stated::Stance(_) => None,
        })
        .collect()
}

/// The delegations that objected, in id order.
fn objecting(reactions: &[(MemberId, Reaction)]) -> Vec<MemberId> {
    reactions
        .iter()
        .filter(|(_, r)| *r == Reaction::Object)
        .map(|(m, _)| m.clone())
        .collect()
}

fn midnight(t: Timestamp) -> Timestamp {
    Timestamp::from_unix(t.unix() - t.unix().rem_euclid(DAY)).unwrap_or(t)
}

impl Secretariat {
    /// A Secretariat for an agenda, with the median drafting policy. It
    /// records the opening, the roll and the items at once.
    pub fn new(agenda: Agenda) -> Self {
        Self::with_drafting(agenda, Box::new(Median))
    }

    /// A Secretariat with another drafting policy.
    pub fn with_drafting(agenda: Agenda, drafting: Box<dyn DraftingPolicy>) -> Self {
        let calendar = Calendar::new(&agenda.membership, agenda.venue);
        let all_delegations = agenda
            .membership
            .delegations()
            .map(|m| m.id.clone())
            .collect();
        let items = agenda
            .items
            .iter()
            .map(|_| ItemState {
                phase: Phase::Consulting,
                round: 0,
                version: 0,
                text: None,
                last: None,
                unchanged: 0,
                consensus_objectors: Vec::new(),
                written: None,
                pending_text: None,
            })
            .collect();
        let mut s = Self {
            now: agenda.start,
            agenda,
            calendar,
            drafting,
            record: Record::new(),
            items,
            schedule: BTreeMap::new(),
            meetings: 0,
            calls: 0,
            meeting: None,
            work: VecDeque::new(),
            open: None,
            last_day: None,
            last_session_day: None,
            finished: false,
            all_delegations,
            package_ready: false,
            package_failed: false,
            green_rooms: VecDeque::new(),
            invited: BTreeMap::new(),
            initiatives: Vec::new(),
            accessions: Vec::new(),
            consensus_objectors_accession: Vec::new(),
        };
        s.open_negotiation();
        s
    }

    fn emit(&mut self, event: Event) {
        self.record.append(self.now, event);
    }

    /// The roll entry of the Member at roll position `i`.
    fn roll_entry(&self, i: usize) -> RollEntry {
        let roll = &self.agenda.membership;
        let m = &roll.members()[i];
        let represented = roll.is_represented_at(i);
        RollEntry {
            id: m.id.clone(),
            name: m.name.clone(),
            seat: match self.agenda.venue {
                Venue::Geneva => crate::sessions::GENEVA.name().to_owned(),
                Venue::Virtual => m.time_zone.name().to_owned(),
            },
            office_hours: m.office_hours.to_string(),
            represented_by: represented
                .then(|| MemberId::new(crate::member::EU))
                .and_then(Result::ok),
            votes: if represented {
                0
            } else {
                roll.votes_of(m.id.as_str())
            },
            export_share: m.export_share,
        }
    }

    fn open_negotiation(&mut self) {
        let a = &self.agenda;
        let roll = &a.membership;
        let members = (0..roll.len()).map(|i| self.roll_entry(i)).collect();
        let opened = Event::NegotiationOpened {
            scenario: a.name.clone(),
            seed: a.seed,
            venue: a.venue,
            start: a.start,
            session_hours: a.session_hours,
            package: a.package,
        };
        let roll_event = Event::RollCalled {
            members,
            total_votes: roll.total_votes(),
        };
        let listed: Vec<Event> = a
            .items
            .iter()
            .map(|it| Event::ItemListed {
                item: it.id.clone(),
                title: it.title.clone(),
                rule: it.rule,
                fallback: it.fallback,
                co_chairs: it.co_chairs.clone(),
                deadline: it.deadline,
                meeting: it.meeting,
            })
            .collect();
        self.emit(opened);
        self.emit(roll_event);
        if !self.agenda.coalitions.is_empty() {
            let coalitions = self.agenda.coalitions.clone();
            self.emit(Event::CoalitionsListed { coalitions });
        }
        for e in listed {
            self.emit(e);
        }
        for (i, spec) in self.agenda.initiatives.clone().iter().enumerate() {
            let mut participants: Vec<MemberId> = spec
                .sponsors
                .iter()
                .chain(&spec.participants)
                .cloned()
                .collect();
            participants.sort();
            participants.dedup();
            let share = self.initiative_share(&participants);
            self.emit(Event::InitiativeLaunched {
                initiative: spec.id.clone(),
                topic: spec.topic.clone(),
                sponsors: spec.sponsors.clone(),
                participants: participants.clone(),
                share,
                threshold: spec.threshold,
                mfn: spec.mfn,
            });
            self.initiatives
                .push(initiatives::InitiativeState::new(participants));
            let at = Interval {
                start: spec.deadline,
                end: spec.deadline,
            };
            self.schedule
                .insert((spec.deadline, Happening::InitiativeDeadline, i), at);
            if let Some(m) = spec.meeting {
                self.schedule
                    .insert((m.start, Happening::InitiativeMeeting, i), m);
            }
        }
        for (i, it) in self.agenda.items.iter().enumerate() {
            match it.meeting {
                Some(m) => {
                    self.schedule
                        .insert((m.start, Happening::ItemMeeting, i), m);
                }
                None => {
                    let at = Interval {
                        start: it.deadline,
                        end: it.deadline,
                    };
                    self.schedule
                        .insert((it.deadline, Happening::Deadline, i), at);
                }
            }
        }
        self.accessions = self
            .agenda
            .accessions
            .iter()
            .map(|_| accessions::AccessionState::new())
            .collect();
        self.schedule_accessions();
        self.ensure_session();
    }

    /// The record so far.
    pub fn record(&self) -> &Record {
        &self.record
    }

    /// The record, consuming the Secretariat.
    pub fn into_record(self) -> Record {
        self.record
    }

    /// The agenda.
    pub fn agenda(&self) -> &Agenda {
        &self.agenda
    }

    /// Whether the negotiation has ended.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Runs until a call is open and returns it, or `None` when the
    /// negotiation has ended.
    pub fn step(&mut self) -> Option<&Call> {
        while self.open.is_none() && !self.finished {
            if let Some(w) = self.work.pop_front() {
                self.run(w);
            } else if self.meeting.is_some() {
                if let Some((item, objectors)) = self.green_rooms.pop_front() {
                    self.hold_green_room(item, objectors);
                } else {
                    self.meeting = None;
                    self.ensure_session();
                }
            } else if let Some(((t, h, i), span)) = self.schedule.pop_first() {
                self.happen(t, h, i, span);
            } else {
                self.close_negotiation();
            }
        }
        self.open.as_ref().map(|o| &o.call)
    }

    /// The delegations of the open call that have not answered yet.
    pub fn unanswered(&self) -> Vec<MemberId> {
        self.open
            .as_ref()
            .map(|o| {
                o.call
                    .awaited
                    .iter()
                    .zip(&o.answers)
                    .filter(|(_, a)| a.is_none())
                    .map(|(m, _)| m)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether every awaited delegation has answered the open call.
    pub fn is_complete(&self) -> bool {
        self.open
            .as_ref()
            .is_some_and(|o| o.answered == o.call.awaited.len())
    }

    /// Takes a delegation's answer to the open call. The answer is kept
    /// until the call closes; a refused answer changes nothing.
    pub fn answer(
        &mut self,
        from: &MemberId,
        call: u64,
        answer: Answer,
    ) -> Result<(), AnswerError> {
        let open = self.open.as_mut().ok_or(AnswerError::NoOpenCall)?;
        if open.call.call != call {
            return Err(AnswerError::StaleCall {
                open: open.call.call,
                answered: call,
            });
        }
        let Ok(slot) = open.call.awaited.binary_search(from) else {
            return Err(AnswerError::NotAwaited {
                member: from.clone(),
                call,
            });
        };
        if !answer.fits(open.call.kind) {
            return Err(AnswerError::WrongAnswer {
                expected: open.call.kind,
                given: answer.name(),
            });
        }
        if let Answer::Position(Stated::Level(l)) = answer
            && l > MAX_LEVEL
        {
            return Err(AnswerError::LevelOutOfRange(l));
        }
        if open.answers[slot].is_some() {
            return Err(AnswerError::AlreadyAnswered {
                member: from.clone(),
                call,
            });
        }
        open.answers[slot] = Some(answer);
        open.answered += 1;
        Ok(())
    }

    /// Closes the open call (all answered, or the driver's timeout passed):
    /// applies the answers in member-id order and moves on. Does nothing if
    /// no call is open.
    pub fn close_call(&mut self) {
        let Some(open) = self.open.take() else { return };
        let mut unanswered: Vec<MemberId> = Vec::new();
        let mut answers: Vec<(MemberId, Answer)> = Vec::with_capacity(open.answered);
        for (m, a) in open.call.awaited.into_iter().zip(open.answers) {
            match a {
                Some(a) => answers.push((m, a)),
                None => unanswered.push(m),
            }
        }
        let call = open.call.call;
        match open.then {
            Continuation::Positions { item, at_decision } => {
                let stated = self.record_positions(call, answers);
                self.emit(Event::CallClosed { call, unanswered });
                let levels = levels(&stated);
                let text = self.drafting.draft(&levels, self.items[item].text);
                if self.agenda.items[item].co_chairs.is_empty() {
                    self.issue_text(item, text, at_decision);
                } else {
                    let mut awaited = self.agenda.items[item].co_chairs.clone();
                    awaited.sort();
                    self.open_call(
                        item,
                        CallKind::Signatures,
                        Some(text),
                        awaited,
                        Continuation::Signatures {
                            item,
                            text,
                            at_decision,
                        },
                    );
                }
            }
            Continuation::Signatures {
                item,
                text,
                at_decision,
            } => {
                let mut unsigned = unanswered.clone();
                for (member, a) in answers {
                    if let Answer::Signature(signed) = a {
                        if !signed {
                            unsigned.push(member.clone());
                        }
                        self.emit(Event::DraftSigned {
                            call,
                            member,
                            signed,
                        });
                    }
                }
                self.emit(Event::CallClosed { call, unanswered });
                unsigned.sort();
                if unsigned.is_empty() {
                    self.issue_text(item, text, at_decision);
                } else {
                    let round = self.items[item].round;
                    self.emit(Event::DraftWithheld {
                        item: self.agenda.items[item].id.clone(),
                        round,
                        unsigned,
                    });
                }
            }
            Continuation::Reactions { item, at_decision } => {
                let objectors = objecting(&self.record_reactions(call, answers));
                self.emit(Event::CallClosed { call, unanswered });
                self.conclude_round(item, objectors, at_decision);
            }
            Continuation::Objections { item } => {
                let objectors = self.record_objections(call, answers);
                self.emit(Event::CallClosed { call, unanswered });
                let spec = &self.agenda.items[item];
                let (rule, fallback) = (spec.rule, spec.fallback);
                let d = self.apply_rule(rule, objectors, None);
                match (d.outcome, fallback) {
                    (Outcome::Blocked, Some(fb)) => {
                        self.items[item].consensus_objectors = d.objectors;
                        let awaited = self.present_delegations();
                        let text = self.items[item].text;
                        self.open_call_with_rule(
                            item,
                            CallKind::Votes,
                            text,
                            awaited,
                            Continuation::Votes { item },
                            fb,
                        );
                    }
                    _ => self.decide(item, d, None),
                }
            }
            Continuation::Votes { item } => {
                let rule = open.call.rule;
                let votes = self.record_votes(call, answers);
                self.emit(Event::CallClosed { call, unanswered });
                let objectors = std::mem::take(&mut self.items[item].consensus_objectors);
                let d = self.apply_rule(rule, objectors, Some(votes));
                self.decide(item, d, None);
            }
            Continuation::GreenRoomPositions { item, objectors } => {
                let stated = self.record_positions(call, answers);
                self.emit(Event::CallClosed { call, unanswered });
                self.green_room_compromise(item, &objectors, &stated);
            }
            Continuation::GreenRoomReactions { item, text } => {
                let objectors = objecting(&self.record_reactions(call, answers));
                self.emit(Event::CallClosed { call, unanswered });
                self.green_room_outcome(item, text, objectors.is_empty());
            }
            Continuation::InitiativeJoin { initiative } => {
                self.initiative_joined(initiative, call, answers, unanswered);
            }
            Continuation::InitiativePositions { initiative } => {
                let stated = self.record_positions(call, answers);
                self.emit(Event::CallClosed { call, unanswered });
                self.initiative_text(initiative, &levels(&stated));
            }
            Continuation::InitiativeReactions { initiative } => {
                let objectors = objecting(&self.record_reactions(call, answers));
                self.emit(Event::CallClosed { call, unanswered });
                self.initiative_reacted(initiative, objectors);
            }
            Continuation::Annex4 { initiative } => {
                let objectors = self.record_objections(call, answers);
                self.emit(Event::CallClosed { call, unanswered });
                self.annex4_decided(initiative, objectors);
            }
            Continuation::BilateralOffer { accession } => {
                let offer = answers.iter().find_map(|(_, a)| match a {
                    Answer::Offer(l) => Some(*l),
                    _ => None,
                });
                self.bilateral_offer(accession, offer, unanswered, call);
            }
            Continuation::BilateralResponse { accession } => {
                let accepted = answers
                    .into_iter()
                    .filter(|(_, a)| *a == Answer::Accept(true))
                    .map(|(m, _)| m)
                    .collect();
                self.bilateral_responses(accession, accepted, unanswered, call);
            }
            Continuation::WorkingPartyReport { accession }
            | Continuation::CouncilObjections { accession } => {
                let objectors = self.record_objections(call, answers);
                self.emit(Event::CallClosed { call, unanswered });
                if matches!(open.then, Continuation::WorkingPartyReport { .. }) {
                    self.working_party_decided(accession, objectors);
                } else {
                    self.council_objections(accession, objectors);
                }
            }
            Continuation::CouncilVotes { accession } => {
                let votes = self.record_votes(call, answers);
                self.emit(Event::CallClosed { call, unanswered });
                self.council_votes(accession, votes);
            }
            Continuation::Package => {
                let objectors = self.record_objections(call, answers);
                self.emit(Event::CallClosed { call, unanswered });
                let d = self.apply_rule(Rule::Consensus, objectors, None);
                self.package_ready = false;
                for st in &mut self.items {
                    st.phase = Phase::Done;
                }
                self.record_decision(PACKAGE_KEY.to_owned(), 0, d, None);
            }
            Continuation::Written { item } => {
                let objectors = self.record_objections(call, answers);
                self.emit(Event::CallClosed { call, unanswered });
                let hours = i64::from(self.agenda.items[item].written_procedure_hours);
                let deadline = self.now.plus_secs(hours * 3600);
                self.items[item].written = Some((self.now, objectors));
                self.items[item].phase = Phase::Written;
                self.schedule.insert(
                    (deadline, Happening::WrittenDeadline, item),
                    Interval {
                        start: self.now,
                        end: deadline,
                    },
                );
            }
        }
    }

    /// Records the positions among a call's answers, in id order.
    fn record_positions(
        &mut self,
        call: u64,
        answers: Vec<(MemberId, Answer)>,
    ) -> Vec<(MemberId, Stated)> {
        let mut out = Vec::with_capacity(answers.len());
        for (member, a) in answers {
            if let Answer::Position(position) = a {
                self.emit(Event::PositionStated {
                    call,
                    member: member.clone(),
                    position,
                });
                out.push((member, position));
            }
        }
        out
    }

    /// Records the reactions among a call's answers, in id order.
    fn record_reactions(
        &mut self,
        call: u64,
        answers: Vec<(MemberId, Answer)>,
    ) -> Vec<(MemberId, Reaction)> {
        let mut out = Vec::with_capacity(answers.len());
        for (member, a) in answers {
            if let Answer::Reaction(reaction) = a {
                self.emit(Event::ReactionGiven {
                    call,
                    member: member.clone(),
                    reaction,
                });
                out.push((member, reaction));
            }
        }
        out
    }

    /// Records the formal objections among a call's answers; returns the
    /// objectors, in id order.
    fn record_objections(&mut self, call: u64, answers: Vec<(MemberId, Answer)>) -> Vec<MemberId> {
        let mut objectors = Vec::new();
        for (member, a) in answers {
            if a == Answer::Objection(true) {
                self.emit(Event::ObjectionRaised {
                    call,
                    member: member.clone(),
                });
                objectors.push(member);
            }
        }
        objectors
    }

    /// Records the votes among a call's answers, each weighted by the votes
    /// its delegation holds (Art. IX:1); returns the counts.
    fn record_votes(&mut self, call: u64, answers: Vec<(MemberId, Answer)>) -> Votes {
        let mut votes = Votes::default();
        for (member, a) in answers {
            if let Answer::Vote(vote) = a {
                let weight = self.agenda.membership.votes_of(member.as_str());
                match vote {
                    Vote::Yes => votes.yes += weight,
                    Vote::No => votes.no += weight,
                    Vote::Abstain => votes.abstain += weight,
                }
                self.emit(Event::VoteCast {
                    call,
                    member,
                    vote,
                    weight,
                });
            }
        }
        votes
    }

    fn open_call(
        &mut self,
        item: usize,
        kind: CallKind,
        text: Option<Level>,
        awaited: Vec<MemberId>,
        then: Continuation,
    ) {
        let rule = self.agenda.items[item].rule;
        self.open_call_with_rule(item, kind, text, awaited, then, rule);
    }

    fn open_call_with_rule(
        &mut self,
        item: usize,
        kind: CallKind,
        text: Option<Level>,
        awaited: Vec<MemberId>,
        then: Continuation,
        rule: Rule,
    ) {
        let st = &self.items[item];
        let round = match kind {
            CallKind::Objections | CallKind::Votes | CallKind::WrittenObjections => st.round + 1,
            _ => st.round,
        };
        let call = Call {
            call: 0,
            subject: Subject::Item(self.agenda.items[item].id.clone()),
            kind,
            round,
            version: st.version,
            text,
            rule,
            awaited,
            package: None,
        };
        self.issue_call(call, then);
    }

    /// Numbers a call, records it and opens it.
    fn issue_call(&mut self, mut call: Call, then: Continuation) {
        self.calls += 1;
        call.call = self.calls;
        self.emit(Event::CallIssued {
            call: call.call,
            subject: call.subject.clone(),
            kind: call.kind,
            round: call.round,
            version: call.version,
            text: call.text,
            rule: call.rule,
            awaited: call.awaited.clone(),
            package: call.package.clone(),
        });
        let n = call.awaited.len();
        self.open = Some(OpenCall {
            call,
            then,
            answers: vec![None; n],
            answered: 0,
        });
    }

    fn issue_text(&mut self, item: usize, text: Level, at_decision: bool) {
        let st = &mut self.items[item];
        st.version += 1;
        st.text = Some(text);
        let version = st.version;
        self.emit(Event::DraftIssued {
            item: self.agenda.items[item].id.clone(),
            version,
            text,
        });
        let awaited = self.present_delegations();
        self.open_call(
            item,
            CallKind::Reactions,
            Some(text),
            awaited,
            Continuation::Reactions { item, at_decision },
        );
    }

    fn conclude_round(&mut self, item: usize, objectors: Vec<MemberId>, at_decision: bool) {
        let spec = &self.agenda.items[item];
        let id = spec.id.clone();
        let votable = spec.rule.is_vote() || spec.fallback.is_some();
        let fixed = spec.meeting.is_some();
        let st = &mut self.items[item];
        let round = st.round;
        let text = st.text.unwrap_or(0);
        if st.last.as_ref() == Some(&(text, objectors.clone())) {
            st.unchanged += 1;
        } else {
            st.unchanged = 1;
            st.last = Some((text, objectors.clone()));
        }
        let stalled = st.unchanged >= EXHAUSTED_AFTER_ROUNDS;
        let no_objection = objectors.is_empty();
        self.emit(Event::RoundConcluded {
            item: id.clone(),
            round,
            objectors,
        });
        if at_decision {
            return;
        }
        let reason = if no_objection {
            "no objection"
        } else if stalled && (votable || fixed) {
            "consultations exhausted"
        } else {
            if let Some((_, objectors)) = &self.items[item].last {
                let objectors = objectors.clone();
                self.maybe_green_room(item, &objectors);
            }
            return;
        };
        let version = self.items[item].version;
        self.items[item].phase = if fixed { Phase::Ready } else { Phase::Tabled };
        self.emit(Event::TextTabled {
            item: id,
            version,
            reason: if fixed {
                format!("{reason}; decision at the fixed meeting")
            } else {
                reason.to_owned()
            },
        });
    }

    /// Decides under `rule` on the formal objections or the weighted votes
    /// given. After a consensus that fell back to a vote, `objectors` are the
    /// consensus objectors, kept in the record beside the votes.
    fn apply_rule(&self, rule: Rule, objectors: Vec<MemberId>, votes: Option<Votes>) -> Decision {
        let r = rule.implementation();
        let tally = Tally {
            objectors,
            votes: votes.unwrap_or_default(),
            total_votes: self.agenda.membership.total_votes(),
        };
        Decision {
            rule,
            outcome: r.decide(&tally),
            how: r.how(),
            required: r.required(&tally),
            votes,
            objectors: tally.objectors,
        }
    }

    /// Records a decision on `item`, taken at the meeting in progress, or
    /// where `held` says (the circulation and deadline of a written
    /// procedure, with every Member).
    fn record_decision(
        &mut self,
        item: String,
        version: u32,
        d: Decision,
        held: Option<(Interval, Vec<MemberId>)>,
    ) {
        let (meeting, present) = held.unwrap_or_else(|| self.meeting_held());
        self.emit(Event::DecisionTaken {
            item,
            version,
            rule: d.rule,
            outcome: d.outcome,
            how: d.how,
            meeting,
            present,
            objectors: d.objectors,
            votes: d.votes,
            required: d.required,
        });
    }

    /// Records an item's decision. Under the single undertaking an adopted
    /// item is only *agreed* (its adoption waits for the whole package) and a
    /// failed one brings the package down.
    fn decide(&mut self, item: usize, d: Decision, held: Option<(Interval, Vec<MemberId>)>) {
        let version = self.items[item].version;
        let id = self.agenda.items[item].id.clone();
        let outcome = d.outcome;
        if self.agenda.package == Package::SingleUndertaking && outcome == Outcome::Adopted {
            self.items[item].phase = Phase::Agreed;
            self.emit(Event::ItemAgreed {
                item: id,
                version,
                how: d.how,
            });
            if self.items.iter().all(|s| s.phase == Phase::Agreed) {
                self.package_ready = true;
            }
            return;
        }
        self.items[item].phase = Phase::Done;
        self.record_decision(id, version, d, held);
        if outcome != Outcome::Adopted {
            self.fail_package(item);
        }
    }

    /// The meeting in progress and the Members present at it.
    fn meeting_held(&self) -> (Interval, Vec<MemberId>) {
        match &self.meeting {
            Some(m) => (m.interval, m.members.clone()),
            None => (
                Interval {
                    start: self.now,
                    end: self.now,
                },
                Vec::new(),
            ),
        }
    }

    /// An item lapses without a decision.
    fn lapse(&mut self, item: usize, reason: String) {
        self.items[item].phase = Phase::Done;
        self.emit(Event::ItemLapsed {
            item: self.agenda.items[item].id.clone(),
            reason,
        });
        self.fail_package(item);
    }

    /// Under the single undertaking, an item that is not agreed takes the
    /// round down: every other item lapses, agreed or not. Does nothing under
    /// early harvest.
    fn fail_package(&mut self, failed: usize) {
        if self.agenda.package != Package::SingleUndertaking || self.package_failed {
            return;
        }
        self.package_failed = true;
        self.package_ready = false;
        let reason = format!(
            "the single undertaking failed: [{}] was not agreed",
            self.agenda.items[failed].id
        );
        for i in 0..self.items.len() {
            if self.items[i].phase != Phase::Done {
                self.items[i].written = None;
                self.lapse(i, reason.clone());
            }
        }
    }

    fn run(&mut self, w: Work) {
        match w {
            Work::Round { item, at_decision } => {
                let st = &self.items[item];
                if st.phase != Phase::Consulting && !at_decision {
                    return;
                }
                if !at_decision
                    && self.agenda.items[item].meeting.is_none()
                    && self.now >= self.agenda.items[item].deadline
                {
                    return; // the deadline happening lapses it
                }
                self.items[item].round += 1;
                if let Some(t) = self.items[item].pending_text.take() {
                    // The chair brings the Green Room's compromise.
                    self.issue_text(item, t, at_decision);
                    return;
                }
                let awaited = self.present_delegations();
                let text = self.items[item].text;
                self.open_call(
                    item,
                    CallKind::Positions,
                    text,
                    awaited,
                    Continuation::Positions { item, at_decision },
                );
            }
            Work::GreenRoom { item, objectors } => self.green_room_positions(item, objectors),
            Work::InitiativeRound(i) => self.initiative_round(i),
            Work::Annex4(i) => self.annex4_decision(i),
            Work::DecidePackage => {
                if !self.package_ready {
                    return;
                }
                let texts = self
                    .agenda
                    .items
                    .iter()
                    .zip(&self.items)
                    .map(|(spec, st)| PackageText {
                        item: spec.id.clone(),
                        version: st.version,
                        round: st.round + 1,
                        text: st.text.unwrap_or(0),
                    })
                    .collect();
                let call = Call {
                    call: 0,
                    subject: Subject::Package,
                    kind: CallKind::PackageObjections,
                    round: 0,
                    version: 0,
                    text: None,
                    rule: Rule::Consensus,
                    awaited: self.present_delegations(),
                    package: Some(texts),
                };
                self.issue_call(call, Continuation::Package);
            }
            Work::Decide(item) => {
                let Some(text) = self.items[item].text else {
                    self.lapse(
                        item,
                        "no chair's text was issued before the decision meeting".into(),
                    );
                    return;
                };
                let rule = self.agenda.items[item].rule;
                match rule.implementation().ballot() {
                    Ballot::ObjectionAtMeeting => {
                        let awaited = self.present_delegations();
                        self.open_call(
                            item,
                            CallKind::Objections,
                            Some(text),
                            awaited,
                            Continuation::Objections { item },
                        );
                    }
                    Ballot::VoteAtMeeting => {
                        let awaited = self.present_delegations();
                        self.open_call(
                            item,
                            CallKind::Votes,
                            Some(text),
                            awaited,
                            Continuation::Votes { item },
                        );
                    }
                    Ballot::ObjectionInWriting => {
                        let hours = i64::from(self.agenda.items[item].written_procedure_hours);
                        let version = self.items[item].version;
                        self.emit(Event::WrittenProcedureOpened {
                            item: self.agenda.items[item].id.clone(),
                            version,
                            deadline: self.now.plus_secs(hours * 3600),
                        });
                        let awaited = self.all_delegations.clone();
                        self.open_call(
                            item,
                            CallKind::WrittenObjections,
                            Some(text),
                            awaited,
                            Continuation::Written { item },
                        );
                    }
                }
            }
        }
    }

    fn convene(&mut self, interval: Interval, kind: MeetingKind) {
        let session = kind == MeetingKind::Session;
        let day = midnight(interval.start);
        let date = day.datetime().date_naive();
        if self.last_day != Some(date) {
            self.last_day = Some(date);
            let common_windows = self.calendar.common_windows(day);
            self.emit(Event::DayOpened {
                date: date.format("%Y-%m-%d").to_string(),
                common_windows,
            });
        }
        let presence = self.calendar.presence(interval);
        let roll = &self.agenda.membership;
        let mut present = Vec::new();
        let mut absent = Vec::new();
        let mut members = Vec::new();
        for (i, m) in roll.members().iter().enumerate() {
            if presence[i] {
                members.push(m.id.clone());
            }
            if !roll.is_represented_at(i) {
                if presence[i] {
                    present.push(m.id.clone());
                } else {
                    absent.push(m.id.clone());
                }
            }
        }
        self.meetings += 1;
        self.emit(Event::MeetingConvened {
            meeting: self.meetings,
            kind,
            interval,
            present: present.clone(),
            absent,
            members_present: members.len() as u32,
        });
        self.meeting = Some(Meeting {
            interval,
            delegations: present,
            members,
            session,
        });
    }

    /// Carries out a scheduled happening at `t`. One that finds nothing to
    /// do (the deadline of an item already decided) leaves time where it is.
    fn happen(&mut self, t: Timestamp, h: Happening, item: usize, span: Interval) {
        match h {
            Happening::Deadline => {
                if self.items[item].phase == Phase::Consulting {
                    self.now = self.now.max(t);
                    let rounds = self.items[item].round;
                    self.lapse(
                        item,
                        format!("no text was tabled by the deadline, after {rounds} rounds"),
                    );
                }
            }
            Happening::WrittenDeadline => {
                let Some((circulated, objectors)) = self.items[item].written.take() else {
                    return;
                };
                self.now = self.now.max(t);
                let d = self.apply_rule(Rule::WrittenProcedure, objectors, None);
                let everyone = self
                    .agenda
                    .membership
                    .members()
                    .iter()
                    .map(|m| m.id.clone())
                    .collect();
                let held = Interval {
                    start: circulated,
                    end: span.end,
                };
                self.decide(item, d, Some((held, everyone)));
            }
            Happening::ItemMeeting => {
                if matches!(self.items[item].phase, Phase::Done | Phase::Written) {
                    return;
                }
                self.now = self.now.max(t);
                self.convene(
                    span,
                    MeetingKind::ItemMeeting {
                        item: self.agenda.items[item].id.clone(),
                    },
                );
                if self.items[item].text.is_none() {
                    self.work.push_back(Work::Round {
                        item,
                        at_decision: true,
                    });
                }
                self.work.push_back(Work::Decide(item));
            }
            Happening::Session => {
                if !self.needs_session() {
                    return;
                }
                self.now = self.now.max(t);
                self.last_session_day = Some(midnight(span.start));
                self.convene(span, MeetingKind::Session);
                if self.package_ready {
                    self.work.push_back(Work::DecidePackage);
                }
                for (i, st) in self.items.iter().enumerate() {
                    match st.phase {
                        Phase::Consulting => self.work.push_back(Work::Round {
                            item: i,
                            at_decision: false,
                        }),
                        Phase::Tabled => self.work.push_back(Work::Decide(i)),
                        _ => {}
                    }
                }
                let more = self.initiative_work();
                self.work.extend(more);
            }
            Happening::InitiativeDeadline => self.initiative_deadline(item, t),
            Happening::AccessionApplied
            | Happening::BilateralRound
            | Happening::WorkingPartyMeeting
            | Happening::CouncilMeeting
            | Happening::Deposit
            | Happening::Membership => self.accession_happening(h, item, t, span),
            Happening::InitiativeMeeting => {
                if self.initiatives[item].phase != initiatives::InitiativePhase::AwaitingAnnex4 {
                    return;
                }
                self.now = self.now.max(t);
                self.convene(
                    span,
                    MeetingKind::ItemMeeting {
                        item: self.agenda.initiatives[item].id.clone(),
                    },
                );
                self.work.push_back(Work::Annex4(item));
            }
        }
    }

    /// The delegations present at the meeting in progress (none between
    /// meetings), in id order: whom a meeting's calls await.
    fn present_delegations(&self) -> Vec<MemberId> {
        self.meeting
            .as_ref()
            .map(|m| m.delegations.clone())
            .unwrap_or_default()
    }

    /// Whether an item needs a session: a round or a decision.
    fn needs_session(&self) -> bool {
        self.package_ready
            || self.initiatives_need_session()
            || self
                .items
                .iter()
                .any(|s| matches!(s.phase, Phase::Consulting | Phase::Tabled))
    }

    /// Schedules the next day's session if an item needs one and none is
    /// scheduled.
    fn ensure_session(&mut self) {
        let needed = self.needs_session();
        let scheduled = self
            .schedule
            .keys()
            .any(|(_, h, _)| *h == Happening::Session);
        if !needed || scheduled {
            return;
        }
        let mut day = match self.last_session_day {
            Some(d) => d.plus_secs(DAY).max(midnight(self.now)),
            None => midnight(self.agenda.start),
        };
        let secs = i64::from(self.agenda.session_hours) * 3600;
        loop {
            let earliest = self.now.max(day);
            // A day whose remaining hours seat no one has no session.
            if let Some((interval, present)) = self.calendar.best_meeting(day, earliest, secs)
                && present > 0
            {
                self.schedule
                    .insert((interval.start, Happening::Session, 0), interval);
                return;
            }
            if day.unix() > self.agenda.start.unix() + 366 * DAY {
                return; // no one can ever meet: items lapse at their deadlines
            }
            day = day.plus_secs(DAY);
        }
    }

    fn close_negotiation(&mut self) {
        let mut adopted = 0;
        let mut not_adopted = 0;
        let on_agenda =
            |item: &str| item == PACKAGE_KEY || self.agenda.items.iter().any(|i| i.id == item);
        for e in self.record.entries() {
            if let Event::DecisionTaken { outcome, item, .. } = &e.event
                && on_agenda(item)
            {
                if *outcome == Outcome::Adopted {
                    adopted += 1;
                } else {
                    not_adopted += 1;
                }
            } else if let Event::ItemLapsed { .. } = &e.event {
                not_adopted += 1;
            }
        }
        self.emit(Event::NegotiationClosed {
            adopted,
            not_adopted,
        });
        self.finished = true;
    }
}
