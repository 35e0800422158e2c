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
//!    co-chairs, each must sign it before it is issued; a refusal sends it
//!    back for a bounded number of revisions, never a veto); present
//!    delegations react (support, reserve, object). With `[chair]
//!    withdraw_after` the chair withdraws an item that does not converge.
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
//!
//! The code follows the features: this file holds the state machine's
//! public face (`step`, `answer`, `close_call`) and what every feature
//! shares (recording answers, issuing calls, applying a rule); `schedule`
//! the calendar of happenings, meetings and sessions; `items` the procedure
//! above; `green_room`, `initiatives` and `accessions` theirs;
//! `rtas` the regional trade agreements recorded at the opening;
//! `consensus_period` the period in which a waiver or an amendment can only
//! be decided by consensus; `blocs` the coalitions that speak with one
//! voice; `mediation` the Director-General's confessionals and
//! `package_deal` the packages of stalled items a proactive
//! Director-General links; `amendments` the Members' acceptances of an
//! amendment after its decision. A call carries a `Continuation` naming the
//! feature and its step, and `close_call` hands the closed call to that
//! feature.
mod accessions;
mod amendments;
mod blocs;
mod capacity;
mod consensus_period;
mod green_room;
mod initiatives;
mod items;
mod mediation;
mod package_deal;
mod proposals;
mod rtas;
mod schedule;
mod shadow;
mod shocks;

use std::collections::{BTreeMap, VecDeque};

use chrono::NaiveDate;

use crate::drafting::DraftingPolicy;
use crate::member::MemberId;
use crate::protocol::{
    Answer, AnswerError, Call, CallId, Level, MAX_LEVEL, PACKAGE_KEY, Reaction, Stated, Vote,
};
use crate::record::{Event, Record, RollEntry};
use crate::rules::{How, Outcome, Rule, Tally, Votes};
use crate::scenario::Agenda;
use crate::sessions::{Calendar, Venue};
use crate::time::{Interval, Timestamp};

use accessions::AccessionStep;
use green_room::GreenRoomStep;
use initiatives::InitiativeStep;
use items::{ItemState, ItemStep};
use schedule::{Meeting, Schedule};

pub use green_room::GREEN_ROOM_NOTICE_SECS;
pub use items::EXHAUSTED_AFTER_ROUNDS;
pub use mediation::{DEFAULT_BRIDGING_AFTER, fewest_objections};

/// Work queued for the meeting in progress, done in order.
#[derive(Clone, Debug)]
enum Work {
    /// A consultation round on an item (or the round held first at a
    /// decision meeting without a text).
    Round { item: usize, at_decision: bool },
    /// An item's decision.
    Decide(usize),
    /// The decision on the whole package.
    DecidePackage,
    /// The decision on a package of linked items, by its index.
    DecideLinked(usize),
    /// A Green Room on an item, with the objectors it is for.
    GreenRoom {
        item: usize,
        objectors: Vec<MemberId>,
    },
    /// A round of an open plurilateral initiative.
    InitiativeRound(usize),
    /// The decision to add an initiative's agreement to Annex 4.
    Annex4(usize),
}

/// What to do with an open call's answers when it closes: one variant per
/// feature, each handled by the module that owns the feature.
#[derive(Clone, Debug)]
enum Continuation {
    /// A step of an agenda item (`items`).
    Item { item: usize, step: ItemStep },
    /// A step of a Green Room on an item (`green_room`).
    GreenRoom { item: usize, step: GreenRoomStep },
    /// A step of an initiative (`initiatives`).
    Initiative {
        initiative: usize,
        step: InitiativeStep,
    },
    /// A step of an accession (`accessions`).
    Accession {
        accession: usize,
        step: AccessionStep,
    },
    /// The decision on the whole package (`items`).
    Package,
    /// The Director-General's confessionals on an item (`mediation`).
    Mediation { item: usize },
    /// The decision on a package of linked items (`package_deal`).
    Linked { package: usize },
}

/// A call that has just closed: its answers in member-id order and the
/// delegations that did not answer.
struct ClosedCall {
    call: CallId,
    rule: Rule,
    answers: Vec<(MemberId, Answer)>,
    unanswered: Vec<MemberId>,
}

#[derive(Clone, Debug)]
struct OpenCall {
    call: Call,
    then: Continuation,
    /// One slot per awaited delegation, in the same (id) order.
    answers: Vec<Option<Answer>>,
    answered: usize,
}

/// The Secretariat (module doc).
pub struct Secretariat {
    agenda: Agenda,
    calendar: Calendar,
    drafting: Box<dyn DraftingPolicy>,
    record: Record,
    items: Vec<ItemState>,
    schedule: Schedule,
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
    /// Amendments submitted for acceptance, by item index.
    amendments: BTreeMap<usize, amendments::AmendmentState>,
    /// Who took up which business on which day (`[capacity]`).
    attendance: crate::capacity::Attendance,
    /// What calls on an item or initiative with flexibilities carry, by id.
    granted: BTreeMap<String, crate::flexibility::Granted>,
    /// Political shocks (`shocks`).
    shocks: shocks::ShockState,
    /// Coalitions acting as blocs (`blocs`).
    blocs: blocs::BlocState,
    /// Packages of items linked by the Director-General (`package_deal`).
    linked: Vec<package_deal::LinkedPackage>,
}

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

impl Secretariat {
    /// A Secretariat for an agenda, with its chair's drafting policy
    /// (`[chair]`; by default the median). It records the opening, the roll
    /// and the items at once.
    pub fn new(agenda: Agenda) -> Self {
        let chair = agenda.chair.chair;
        Self::with_drafting(agenda, Box::new(chair))
    }

    /// A Secretariat with another drafting policy for the chair's texts on
    /// items (the convenors of an initiative draft at the median).
    pub fn with_drafting(agenda: Agenda, drafting: Box<dyn DraftingPolicy>) -> Self {
        let calendar = Calendar::with_missions(
            &agenda.membership,
            agenda.venue,
            &agenda.capacity.non_resident,
        );
        let all_delegations = agenda
            .membership
            .delegations()
            .map(|m| m.id.clone())
            .collect();
        let items = agenda.items.iter().map(|_| ItemState::new()).collect();
        let mut s = Self {
            now: agenda.start,
            agenda,
            calendar,
            drafting,
            record: Record::new(),
            items,
            schedule: Schedule::new(),
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
            amendments: BTreeMap::new(),
            attendance: Default::default(),
            granted: BTreeMap::new(),
            shocks: shocks::ShockState::default(),
            blocs: blocs::BlocState::default(),
            linked: Vec::new(),
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
                Venue::Geneva if !self.agenda.capacity.is_non_resident(&m.id) => {
                    crate::sessions::GENEVA.name().to_owned()
                }
                _ => m.time_zone.name().to_owned(),
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
                named_rule: it.named,
                consensus_until: it.consensus_until,
            })
            .collect();
        self.emit(opened);
        self.emit(roll_event);
        if !self.agenda.coalitions.is_empty() {
            let coalitions = self.agenda.coalitions.clone();
            self.emit(Event::CoalitionsListed { coalitions });
            self.form_blocs();
        }
        for e in listed {
            self.emit(e);
        }
        self.list_capacity();
        self.list_flexibilities();
        self.notify_rtas();
        self.declare_linkages();
        self.launch_initiatives();
        self.accessions = self
            .agenda
            .accessions
            .iter()
            .map(|_| accessions::AccessionState::new())
            .collect();
        self.schedule_shocks();
        self.schedule_agenda();
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
            } else if let Some(((t, h), span)) = self.schedule.pop_first() {
                self.happen(t, h, span);
            } else {
                self.close_negotiation();
            }
        }
        self.open.as_ref().map(|o| &o.call)
    }

    /// The open call, if one is open (unlike [`Secretariat::step`], this
    /// never moves the negotiation on).
    pub fn open_call(&self) -> Option<&Call> {
        self.open.as_ref().map(|o| &o.call)
    }

    /// The answer `member` gave to the open call `call`, if it gave one:
    /// a node can tell a repeated answer from a different second one.
    pub fn answer_taken(&self, member: &MemberId, call: u64) -> Option<Answer> {
        let open = self.open.as_ref().filter(|o| o.call.call == call)?;
        let slot = open.call.awaited.binary_search(member).ok()?;
        open.answers[slot]
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
        if let Answer::Position(Stated::Level(l)) | Answer::Offer(l) = answer
            && l > MAX_LEVEL
        {
            return Err(AnswerError::LevelOutOfRange(l));
        }
        mediation::check_range(answer)?;
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
    /// applies the answers in member-id order and moves on, through the
    /// feature that issued the call. Does nothing if no call is open.
    pub fn close_call(&mut self) {
        let Some(open) = self.open.take() else { return };
        let blocs = self
            .has_blocs()
            .then(|| (open.call.subject.clone(), open.call.kind));
        let mut unanswered: Vec<MemberId> = Vec::new();
        let mut answers: Vec<(MemberId, Answer)> = Vec::with_capacity(open.answered);
        for (m, a) in open.call.awaited.into_iter().zip(open.answers) {
            match a {
                Some(a) => answers.push((m, a)),
                None => unanswered.push(m),
            }
        }
        let mut closed = ClosedCall {
            call: open.call.call,
            rule: open.call.rule,
            answers,
            unanswered,
        };
        if let Some((subject, kind)) = blocs {
            self.speak_as_blocs(&subject, kind, &mut closed);
        }
        match open.then {
            Continuation::Item { item, step } => self.continue_item(item, step, closed),
            Continuation::GreenRoom { item, step } => self.continue_green_room(item, step, closed),
            Continuation::Initiative { initiative, step } => {
                self.continue_initiative(initiative, step, closed);
            }
            Continuation::Accession { accession, step } => {
                self.continue_accession(accession, step, closed);
            }
            Continuation::Package => self.package_decided(closed),
            Continuation::Mediation { item } => self.confessionals_heard(item, closed),
            Continuation::Linked { package } => self.linked_package_decided(package, closed),
        }
    }

    /// Records that a call closed, with the delegations that did not answer.
    fn close_recorded(&mut self, call: CallId, unanswered: Vec<MemberId>) {
        self.emit(Event::CallClosed { call, unanswered });
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
            } else if a == Answer::Reservation {
                self.objection_withdrawn(call, member);
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

    /// Numbers a call, records it and opens it.
    fn issue_call(&mut self, mut call: Call, then: Continuation) {
        self.calls += 1;
        call.call = self.calls;
        call.flexibility = self.granted.get(call.subject.key().as_ref()).cloned();
        call.pressures = self.pressures_for(&call);
        self.emit(Event::call_issued(&call));
        let n = call.awaited.len();
        self.open = Some(OpenCall {
            call,
            then,
            answers: vec![None; n],
            answered: 0,
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
            members: self.agenda.membership.len() as u32,
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

    /// Does one piece of the meeting's work.
    fn run(&mut self, w: Work) {
        self.take_up(&w);
        match w {
            Work::Round { item, at_decision } => self.item_round(item, at_decision),
            Work::Decide(item) => self.put_to_decision(item),
            Work::DecidePackage => self.put_package_to_decision(),
            Work::DecideLinked(k) => self.put_linked_to_decision(k),
            Work::GreenRoom { item, objectors } => self.green_room_positions(item, objectors),
            Work::InitiativeRound(i) => self.initiative_round(i),
            Work::Annex4(i) => self.annex4_decision(i),
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
            } else if let Event::ItemLapsed { .. } | Event::ItemWithdrawn { .. } = &e.event {
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
