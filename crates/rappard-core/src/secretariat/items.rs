//! The Secretariat's side of an agenda item: consultation rounds, the
//! chair's text, tabling, the decision and its record, and the package of a
//! single undertaking.
//!
//! The procedure (module doc of `secretariat`; rules and sources in
//! `crate::rules`, `crate::drafting`): each session holds a round on every
//! item in consultation (positions, a text drafted by the chair and, with
//! co-chairs, signed by each, reactions); a round with no objection tables
//! the text, and so do [`EXHAUSTED_AFTER_ROUNDS`] unchanged rounds when the
//! rule allows a vote or the item has a fixed meeting. A tabled text is put
//! to decision at the next session under the item's rule: formal objections
//! of the Members present (consensus, Marrakesh Agreement Art. IX:1,
//! footnote 1), with a vote as fallback if the item names one; a vote
//! (Art. IX:1); or a written procedure to every Member with a deadline.
//! Under the single undertaking an adopted item is only agreed until the
//! whole package is adopted, and an item that fails takes the round down
//! (Doha Ministerial Declaration, WT/MIN(01)/DEC/1, para. 47).
//!
//! The chair's office (`[chair]`, `crate::drafting`): a co-chair's refusal
//! to sign is no veto (Li Ke, "Stagnation and Breakthrough of WTO
//! Multilateral Trade Negotiations", *Journal of Hubei University of
//! Economics* 21(5), 2023, §3.2: co-chairs check the chair's bias): the
//! co-chairs revise the draft towards the Members' median, a bounded number
//! of times, then the chair goes on with the last signed text and the
//! decision rule decides. The chair may withdraw an item that does not
//! converge, as the General Council dropped three Singapore issues on
//! 1 August 2004 (WT/L/579), so that the rest can move.

use std::collections::BTreeMap;

use super::{ClosedCall, Continuation, Decision, Secretariat, Work, levels, objecting};
use crate::member::MemberId;
use crate::protocol::Package;
use crate::protocol::{Answer, Call, CallKind, Level, PACKAGE_KEY, PackageText, Subject};
use crate::record::Event;
use crate::rules::{Ballot, Outcome, Rule};
use crate::time::{Interval, Timestamp};

use super::schedule::{Happening, ItemHappening};
use crate::drafting::{Chair, CoChairSigning, DraftingPolicy, Median, Statement};
use crate::protocol::Stated;

/// A refused draft revised towards the Members' median: `steps` revisions
/// are left, so it moves `1/steps` of the way (the last is the median).
fn revised(text: Level, median: Level, steps: u32) -> Level {
    let (t, m) = (i64::from(text), i64::from(median));
    let moved = t + (m - t) / i64::from(steps.max(1));
    Level::try_from(moved).unwrap_or(median)
}

/// Consultations are exhausted after this many rounds in a row with the same
/// text and the same objectors (a modelling choice: a chair who has heard
/// the same objections three times takes the text to a decision if the rule
/// allows a vote).
pub const EXHAUSTED_AFTER_ROUNDS: u32 = 3;

/// Where an item stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Phase {
    /// Rounds are held at each session.
    Consulting,
    /// No more rounds; waiting for the fixed meeting.
    Ready,
    /// Tabled for decision at the next session.
    Tabled,
    /// Circulated for written procedure.
    Written,
    /// Agreed, waiting for the whole package (single undertaking).
    Agreed,
    /// Linked with another item into a package by the Director-General,
    /// waiting for the package's decision (`package_deal`).
    Linked,
    /// Decided or lapsed.
    Done,
}

/// An item's state.
#[derive(Clone, Debug)]
pub(super) struct ItemState {
    pub(super) phase: Phase,
    pub(super) round: u32,
    pub(super) version: u32,
    pub(super) text: Option<Level>,
    /// Text and objectors after the previous round, to see a stall.
    pub(super) last: Option<(Level, Vec<MemberId>)>,
    /// Rounds in a row that ended with that same text and objectors.
    pub(super) unchanged: u32,
    /// Objectors at a consensus decision that fell back to a vote.
    pub(super) consensus_objectors: Vec<MemberId>,
    /// Written procedure under way: when the text was circulated.
    pub(super) written: Option<Timestamp>,
    /// A written procedure failed: the decision is taken at a meeting.
    pub(super) written_failed: bool,
    /// A Green Room's compromise, to be the next round's text.
    pub(super) pending_text: Option<Level>,
    /// A Green Room announced and yet to meet: participants, objectors.
    pub(super) announced_green_room: Option<(Vec<MemberId>, Vec<MemberId>)>,
    /// The unweighted median of the levels stated in the last round.
    pub(super) median: Option<Level>,
    /// The levels stated in the last round, by delegation.
    pub(super) last_levels: BTreeMap<MemberId, Level>,
    /// The last text every co-chair signed.
    pub(super) signed: Option<Level>,
    /// Rounds in a row without convergence (`withdraw_after`), and the
    /// number of objectors at the end of the last round.
    pub(super) diverging: u32,
    pub(super) last_objectors: Option<usize>,
    /// The chair withdrew the item (`withdraw_after`); its phase is done.
    pub(super) withdrawn: bool,
    /// Rounds in a row the chair withheld its text (`proposals`).
    pub(super) withheld: u32,
    /// The moves of the Members' amendments taken up so far, summed
    /// (`proposals`).
    pub(super) amended: i32,
    /// Rounds in a row without convergence, as `diverging` but not reset
    /// by the Director-General's confessionals (`link_after`).
    pub(super) stalled: u32,
}

impl ItemState {
    pub(super) fn new() -> Self {
        Self {
            phase: Phase::Consulting,
            round: 0,
            version: 0,
            text: None,
            last: None,
            unchanged: 0,
            consensus_objectors: Vec::new(),
            written: None,
            written_failed: false,
            pending_text: None,
            announced_green_room: None,
            median: None,
            last_levels: BTreeMap::new(),
            signed: None,
            diverging: 0,
            last_objectors: None,
            withdrawn: false,
            withheld: 0,
            amended: 0,
            stalled: 0,
        }
    }
}

/// What an item's open call is for: what to do with its answers.
#[derive(Clone, Debug)]
pub(super) enum ItemStep {
    /// Positions of a round; the chair drafts from them.
    Positions { at_decision: bool },
    /// Co-chairs' signatures on a draft (revision 0 is the chair's draft).
    Signatures {
        text: Level,
        at_decision: bool,
        revision: u32,
    },
    /// Reactions to the text; they conclude the round.
    Reactions { at_decision: bool },
    /// Formal objections at the decision.
    Objections,
    /// Votes at the decision.
    Votes,
    /// Objections in writing, circulated now, counted at the deadline.
    Written,
}

impl Secretariat {
    /// Opens a call on an item under the item's rule.
    fn item_call(
        &mut self,
        item: usize,
        kind: CallKind,
        text: Option<Level>,
        awaited: Vec<MemberId>,
        step: ItemStep,
    ) {
        let rule = self.agenda.items[item].rule;
        let then = Continuation::Item { item, step };
        self.call_on_item(item, kind, text, awaited, then, rule);
    }

    /// Opens a call on an item (its round and version as they stand; a
    /// decision's call counts as the next round), whatever feature asks.
    pub(super) fn call_on_item(
        &mut self,
        item: usize,
        kind: CallKind,
        text: Option<Level>,
        awaited: Vec<MemberId>,
        then: Continuation,
        rule: Rule,
    ) {
        let call = self.item_call_text(item, kind, text, awaited, rule);
        self.issue_call(call, then);
    }

    /// The call [`Self::call_on_item`] opens, not yet issued.
    fn item_call_text(
        &self,
        item: usize,
        kind: CallKind,
        text: Option<Level>,
        awaited: Vec<MemberId>,
        rule: Rule,
    ) -> Call {
        let st = &self.items[item];
        let round = match kind {
            CallKind::Objections
            | CallKind::Votes
            | CallKind::WrittenObjections
            | CallKind::Confessional => st.round + 1,
            _ => st.round,
        };
        Call {
            call: 0,
            subject: Subject::Item(self.agenda.items[item].id.clone()),
            kind,
            round,
            version: st.version,
            text,
            rule,
            awaited,
            package: None,
            reference: None,
            flexibility: None,
            pressures: Vec::new(),
            shadow: self.shadow_for(item, kind),
        }
    }

    /// Goes on with an item after one of its calls closed.
    pub(super) fn continue_item(&mut self, item: usize, step: ItemStep, closed: ClosedCall) {
        match step {
            ItemStep::Positions { at_decision } => self.positions_heard(item, at_decision, closed),
            ItemStep::Signatures {
                text,
                at_decision,
                revision,
            } => {
                self.signatures_heard(item, (text, revision), at_decision, closed);
            }
            ItemStep::Reactions { at_decision } => {
                let objectors = objecting(&self.record_reactions(closed.call, closed.answers));
                self.close_recorded(closed.call, closed.unanswered);
                self.conclude_round(item, objectors, at_decision);
            }
            ItemStep::Objections => self.objections_heard(item, closed),
            ItemStep::Votes => {
                let votes = self.record_votes(closed.call, closed.answers);
                self.close_recorded(closed.call, closed.unanswered);
                let objectors = std::mem::take(&mut self.items[item].consensus_objectors);
                let d = self.apply_rule(closed.rule, objectors, Some(votes));
                self.decide(item, d, None);
            }
            ItemStep::Written => self.written_answers(item, closed),
        }
    }

    /// The chair drafts from the positions (`drafting`: the policy and
    /// bias of `[chair]`, each level weighed by its delegation's export
    /// share), unless it withholds its text this round, and moves the
    /// draft by the Members' amendments it takes up (`proposals`); with
    /// co-chairs, asks them to sign the draft first.
    fn positions_heard(&mut self, item: usize, at_decision: bool, closed: ClosedCall) {
        let stated = self.record_positions(closed.call, closed.answers);
        self.close_recorded(closed.call, closed.unanswered);
        let previous = self.items[item].text;
        let median = Median.draft(&levels(&stated), previous);
        self.items[item].median = Some(median);
        self.items[item].last_levels = stated
            .iter()
            .filter_map(|(m, s)| match s {
                Stated::Level(l) => Some((m.clone(), *l)),
                Stated::Stance(_) => None,
            })
            .collect();
        if !at_decision && self.withholds_text(item, &stated) {
            return;
        }
        let statements: Vec<Statement> = stated
            .iter()
            .filter_map(|(m, s)| match s {
                Stated::Level(level) => Some(Statement {
                    level: *level,
                    export_share: self
                        .agenda
                        .membership
                        .get(m.as_str())
                        .and_then(|x| x.export_share),
                }),
                Stated::Stance(_) => None,
            })
            .collect();
        let draft = self.drafting.draft_from(&statements, previous);
        let text = self.amend(item, draft, &stated);
        let chair = self.agenda.chair.chair;
        if chair != Chair::default() {
            self.emit(Event::TextDrafted {
                item: self.agenda.items[item].id.clone(),
                round: self.items[item].round,
                policy: chair.drafting.as_str().to_owned(),
                biased: chair.bias.is_some(),
                median,
                text,
            });
        }
        if self.agenda.items[item].co_chairs.is_empty() {
            self.issue_text(item, text, at_decision);
            return;
        }
        self.ask_signatures(item, text, at_decision, 0);
    }

    /// Asks the co-chairs to sign a draft; when they sign by the Members'
    /// median (`[chair] co_chairs_sign`), the call carries that median.
    fn ask_signatures(&mut self, item: usize, text: Level, at_decision: bool, revision: u32) {
        let mut awaited = self.agenda.items[item].co_chairs.clone();
        awaited.sort();
        let step = ItemStep::Signatures {
            text,
            at_decision,
            revision,
        };
        let rule = self.agenda.items[item].rule;
        let mut call = self.item_call_text(item, CallKind::Signatures, Some(text), awaited, rule);
        if self.agenda.chair.co_chairs_sign == CoChairSigning::Median {
            call.reference = self.items[item].median;
        }
        self.issue_call(call, Continuation::Item { item, step });
    }

    /// A co-chaired draft is issued when every co-chair signed it. A
    /// refusal is no veto (Li Ke 2023, §3.2: the co-chairs are a check on
    /// the chair's bias, not a new blocking power): the co-chairs revise
    /// the draft towards the Members' median, at most `[chair] revisions`
    /// times, the last revision being that median; if a co-chair still
    /// refuses, the chair goes on with the last text all co-chairs signed
    /// (before any, the median), and the Members and then the item's
    /// decision rule decide.
    fn signatures_heard(
        &mut self,
        item: usize,
        (text, revision): (Level, u32),
        at_decision: bool,
        c: ClosedCall,
    ) {
        let unsigned = self.record_signatures(c);
        if unsigned.is_empty() {
            self.items[item].signed = Some(text);
            self.issue_text(item, text, at_decision);
            return;
        }
        let id = self.agenda.items[item].id.clone();
        let round = self.items[item].round;
        let median = self.items[item].median.unwrap_or(text);
        let limit = self.agenda.chair.revisions;
        if revision < limit {
            let text = revised(text, median, limit - revision);
            self.emit(Event::DraftRevised {
                item: id,
                round,
                revision: revision + 1,
                unsigned,
                text,
            });
            self.ask_signatures(item, text, at_decision, revision + 1);
            return;
        }
        let text = self.items[item].signed.unwrap_or(median);
        self.emit(Event::RevisionsExhausted {
            item: id,
            round,
            unsigned,
            text,
        });
        self.issue_text(item, text, at_decision);
    }

    /// Records the co-chairs' signatures; returns who did not sign (a
    /// co-chair that did not answer did not sign), in id order.
    fn record_signatures(&mut self, c: ClosedCall) -> Vec<MemberId> {
        let mut unsigned = c.unanswered.clone();
        for (member, a) in c.answers {
            if let Answer::Signature(signed) = a {
                if !signed {
                    unsigned.push(member.clone());
                }
                self.emit(Event::DraftSigned {
                    call: c.call,
                    member,
                    signed,
                });
            }
        }
        self.close_recorded(c.call, c.unanswered);
        unsigned.sort();
        unsigned
    }

    /// Decides on the formal objections, or falls back to a vote.
    fn objections_heard(&mut self, item: usize, closed: ClosedCall) {
        let objectors = self.record_objections(closed.call, closed.answers);
        self.close_recorded(closed.call, closed.unanswered);
        let (rule, fallback) = self.decision_rules(item);
        let d = self.apply_rule(rule, objectors, None);
        match (d.outcome, fallback) {
            (Outcome::Blocked, _) if self.in_consensus_period(item) => {
                self.consensus_not_reached(item, d.objectors);
            }
            (Outcome::Blocked, Some(fb)) => {
                self.items[item].consensus_objectors = d.objectors;
                let awaited = self.present_delegations();
                let text = self.items[item].text;
                let then = Continuation::Item {
                    item,
                    step: ItemStep::Votes,
                };
                self.call_on_item(item, CallKind::Votes, text, awaited, then, fb);
            }
            _ => self.decide(item, d, None),
        }
    }

    /// Circulates the text for written procedure: the deadline is a Geneva
    /// date and time (`procedure`), and objections are taken until then.
    fn circulate_in_writing(&mut self, item: usize) {
        let hours = self.agenda.items[item].written_procedure_hours;
        let deadline = self.agenda.procedure.written_deadline(self.now, hours);
        let version = self.items[item].version;
        self.emit(Event::WrittenProcedureOpened {
            item: self.agenda.items[item].id.clone(),
            version,
            deadline,
        });
        self.items[item].written = Some(self.now);
        self.items[item].phase = Phase::Written;
        let what = ItemHappening::WrittenDeadline;
        let span = Interval {
            start: self.now,
            end: deadline,
        };
        self.schedule
            .insert((deadline, Happening::Item { what, item }), span);
    }

    /// The objections received by the deadline: without one the decision is
    /// adopted, with every Member counted as taking part; with one the
    /// procedure fails and the matter returns to the next formal meeting.
    fn written_answers(&mut self, item: usize, closed: ClosedCall) {
        let objectors = self.record_objections(closed.call, closed.answers);
        self.close_recorded(closed.call, closed.unanswered);
        let Some(circulated) = self.items[item].written.take() else {
            return;
        };
        if objectors.is_empty() {
            let d = self.apply_rule(Rule::WrittenProcedure, objectors, None);
            let everyone = self.agenda.membership.ids().collect();
            let held = Interval {
                start: circulated,
                end: self.now,
            };
            self.decide(item, d, Some((held, everyone)));
            return;
        }
        self.emit(Event::WrittenProcedureFailed {
            item: self.agenda.items[item].id.clone(),
            objectors,
        });
        self.items[item].written_failed = true;
        self.items[item].phase = Phase::Tabled;
        self.ensure_session();
    }

    /// Issues a text and asks the present delegations to react.
    pub(super) fn issue_text(&mut self, item: usize, text: Level, at_decision: bool) {
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
        let step = ItemStep::Reactions { at_decision };
        self.item_call(item, CallKind::Reactions, Some(text), awaited, step);
    }

    fn conclude_round(&mut self, item: usize, objectors: Vec<MemberId>, at_decision: bool) {
        let votable = self.votable_now(item);
        let fixed = self.fixed_meeting_ahead(item);
        let id = self.agenda.items[item].id.clone();
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
        // A round without convergence ends with objectors, no fewer than
        // the round before.
        let converging = no_objection || st.last_objectors.is_some_and(|n| objectors.len() < n);
        st.diverging = if converging { 0 } else { st.diverging + 1 };
        st.stalled = if converging { 0 } else { st.stalled + 1 };
        st.last_objectors = Some(objectors.len());
        let diverging = st.diverging;
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
            let Some((_, objectors)) = self.items[item].last.clone() else {
                return;
            };
            if self.link_on_stall(item) {
                return;
            }
            if self
                .agenda
                .chair
                .withdraw_after
                .is_some_and(|k| diverging >= k)
            {
                self.withdraw(item, diverging, objectors);
            } else if !self.mediate_on_stall(item, diverging) {
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

    /// Records an item's decision. Under the single undertaking an adopted
    /// item is only *agreed* (its adoption waits for the whole package) and a
    /// failed one brings the package down.
    pub(super) fn decide(
        &mut self,
        item: usize,
        d: Decision,
        held: Option<(Interval, Vec<MemberId>)>,
    ) {
        let version = self.items[item].version;
        let id = self.agenda.items[item].id.clone();
        let outcome = d.outcome;
        let reached = self.items[item]
            .text
            .filter(|_| outcome == Outcome::Adopted);
        if self.agenda.package == Package::SingleUndertaking && outcome == Outcome::Adopted {
            self.items[item].phase = Phase::Agreed;
            self.emit(Event::ItemAgreed {
                item: id,
                version,
                how: d.how,
            });
            if let Some(text) = reached {
                self.linkages_reached(item, text);
            }
            self.check_package_ready();
            return;
        }
        self.items[item].phase = Phase::Done;
        self.record_decision(id, version, d, held);
        if let Some(text) = reached {
            self.linkages_reached(item, text);
        }
        if outcome == Outcome::Adopted {
            self.submit_for_acceptance(item);
        } else {
            self.fail_package(item);
        }
    }

    /// The chair withdraws an item that has not converged in
    /// `[chair] withdraw_after` rounds in a row, so that the rest can move:
    /// the General Council's decision of 1 August 2004 (WT/L/579, the "July
    /// package") took three of the four Singapore issues (investment,
    /// competition, transparency in government procurement) off the Doha
    /// work programme after Cancún had failed over them in September 2003
    /// (Li Ke 2023, §2.2.2). The chair's threshold is a **modelling
    /// assumption**, off by default. A withdrawn item is no failure: under
    /// the single undertaking it leaves the package, which goes on without
    /// it.
    fn withdraw(&mut self, item: usize, rounds: u32, objectors: Vec<MemberId>) {
        let st = &mut self.items[item];
        st.phase = Phase::Done;
        st.withdrawn = true;
        self.emit(Event::ItemWithdrawn {
            item: self.agenda.items[item].id.clone(),
            rounds,
            objectors,
        });
        self.check_package_ready();
    }

    /// Under the single undertaking, the package is ready for its decision
    /// once every item still in it is agreed (and at least one is).
    fn check_package_ready(&mut self) {
        if self.agenda.package != Package::SingleUndertaking || self.package_failed {
            return;
        }
        let in_package = self.items.iter().filter(|s| !s.withdrawn);
        let mut any = false;
        for s in in_package {
            if s.phase != Phase::Agreed {
                return;
            }
            any = true;
        }
        self.package_ready = any;
    }

    /// An item lapses without a decision.
    pub(super) fn lapse(&mut self, item: usize, reason: String) {
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

    /// A consultation round (or, at a fixed meeting without a text, the
    /// round held first): asks the present delegations for positions.
    pub(super) fn item_round(&mut self, item: usize, at_decision: bool) {
        let st = &self.items[item];
        if st.phase != Phase::Consulting && !at_decision {
            return;
        }
        if !at_decision
            && !self.fixed_meeting_ahead(item)
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
        let step = ItemStep::Positions { at_decision };
        self.item_call(item, CallKind::Positions, text, awaited, step);
    }

    /// Puts an item's text to decision under its rule.
    pub(super) fn put_to_decision(&mut self, item: usize) {
        let Some(text) = self.items[item].text else {
            let reason = "no chair's text was issued before the decision meeting";
            self.lapse(item, reason.into());
            return;
        };
        let (rule, _) = self.decision_rules(item);
        let ballot = rule.implementation().ballot();
        if ballot != Ballot::ObjectionInWriting && !self.quorum_present(item) {
            return;
        }
        let (kind, step) = match ballot {
            Ballot::ObjectionAtMeeting => (CallKind::Objections, ItemStep::Objections),
            Ballot::VoteAtMeeting => (CallKind::Votes, ItemStep::Votes),
            Ballot::ObjectionInWriting => return self.circulate_in_writing(item),
        };
        let awaited = self.present_delegations();
        let then = Continuation::Item { item, step };
        self.call_on_item(item, kind, Some(text), awaited, then, rule);
    }

    /// The rule an item's decision is first taken under, and the vote it
    /// falls back to when a Member objects. Consensus is sought before any
    /// vote (Art. IX:1; `procedure`): an item under a voting rule is first
    /// put to the Members present for formal objections, unless the
    /// scenario's rules of procedure turn that off. During a consensus
    /// period (Art. IX:3(a), X:1; `consensus_period`) only consensus can
    /// decide, whatever the rules of procedure say: an objection sends the
    /// item back to consultation.
    fn decision_rules(&self, item: usize) -> (Rule, Option<Rule>) {
        let spec = &self.agenda.items[item];
        if self.in_consensus_period(item) {
            (Rule::Consensus, None)
        } else if spec.rule == Rule::WrittenProcedure && self.items[item].written_failed {
            // Back at a formal meeting after a failed written procedure.
            (Rule::Consensus, spec.fallback)
        } else if spec.rule.is_vote() && self.agenda.procedure.consensus_first {
            (Rule::Consensus, Some(spec.rule))
        } else {
            (spec.rule, spec.fallback)
        }
    }

    /// Whether the meeting in progress has a quorum for a formal decision
    /// (`procedure::Quorum`). Without one, records it and leaves the item
    /// tabled for the next session.
    fn quorum_present(&mut self, item: usize) -> bool {
        let key = self.agenda.items[item].id.clone();
        if self.quorum_for(key) {
            return true;
        }
        self.items[item].phase = Phase::Tabled;
        false
    }

    /// Whether the meeting in progress has a quorum; records `no-quorum` on
    /// `key` if not.
    pub(super) fn quorum_for(&mut self, key: String) -> bool {
        let members = self.agenda.membership.len() as u32;
        let present = self.meeting.as_ref().map_or(0, |m| m.members.len() as u32);
        if self.agenda.procedure.quorum.is_met(present, members) {
            return true;
        }
        let required = self.agenda.procedure.quorum.required(members);
        self.emit(Event::NoQuorum {
            item: key,
            present,
            required,
        });
        false
    }

    /// Under the single undertaking, once every item is agreed: formal
    /// objections to the whole package.
    pub(super) fn put_package_to_decision(&mut self) {
        if !self.package_ready || !self.quorum_for(PACKAGE_KEY.to_owned()) {
            return;
        }
        let texts = self
            .agenda
            .items
            .iter()
            .zip(&self.items)
            .filter(|(_, st)| !st.withdrawn)
            .map(|(spec, st)| PackageText {
                item: spec.id.clone(),
                version: st.version,
                round: st.round + 1,
                text: st.text.unwrap_or(0),
            })
            .collect();
        let call = self.package_call(CallKind::PackageObjections, texts);
        self.issue_call(call, Continuation::Package);
    }

    /// A call for formal objections, by consensus, to a package of texts
    /// (`kind`: the single undertaking's, or a package the
    /// Director-General linked), awaiting every delegation present.
    pub(super) fn package_call(&self, kind: CallKind, texts: Vec<PackageText>) -> Call {
        Call {
            call: 0,
            subject: Subject::Package,
            kind,
            round: 0,
            version: 0,
            text: None,
            rule: Rule::Consensus,
            awaited: self.present_delegations(),
            package: Some(texts),
            reference: None,
            flexibility: None,
            pressures: Vec::new(),
            shadow: None,
        }
    }

    /// The package is decided by consensus; every item is then done.
    pub(super) fn package_decided(&mut self, closed: ClosedCall) {
        let objectors = self.record_objections(closed.call, closed.answers);
        self.close_recorded(closed.call, closed.unanswered);
        let d = self.apply_rule(Rule::Consensus, objectors, None);
        let adopted = d.outcome == Outcome::Adopted;
        self.package_ready = false;
        for st in &mut self.items {
            st.phase = Phase::Done;
        }
        self.record_decision(PACKAGE_KEY.to_owned(), 0, d, None);
        if adopted {
            for item in 0..self.items.len() {
                if !self.items[item].withdrawn {
                    self.submit_for_acceptance(item);
                }
            }
        }
    }

    /// Carries out an item's scheduled happening at `t`.
    pub(super) fn item_happening(
        &mut self,
        what: ItemHappening,
        item: usize,
        t: Timestamp,
        span: Interval,
    ) {
        match what {
            ItemHappening::Deadline => {
                if self.items[item].phase == Phase::Consulting {
                    self.now = self.now.max(t);
                    let rounds = self.items[item].round;
                    let reason =
                        format!("no text was tabled by the deadline, after {rounds} rounds");
                    self.lapse(item, reason);
                }
            }
            ItemHappening::WrittenDeadline => self.written_deadline(item, t),
            ItemHappening::GreenRoom => self.announced_green_room_meets(item, t),
            ItemHappening::Meeting => {
                if matches!(self.items[item].phase, Phase::Done | Phase::Written) {
                    return;
                }
                self.now = self.now.max(t);
                let id = self.agenda.items[item].id.clone();
                self.convene(span, crate::record::MeetingKind::ItemMeeting { item: id });
                if self.items[item].text.is_none() {
                    self.work.push_back(Work::Round {
                        item,
                        at_decision: true,
                    });
                }
                self.work.push_back(Work::Decide(item));
            }
        }
    }

    /// The written procedure's deadline: every delegation is asked whether
    /// it objected by then (present or not, whatever its time zone).
    fn written_deadline(&mut self, item: usize, t: Timestamp) {
        if self.items[item].written.is_none() {
            return;
        }
        self.now = self.now.max(t);
        let awaited = self.all_delegations.clone();
        let text = self.items[item].text;
        let step = ItemStep::Written;
        self.item_call(item, CallKind::WrittenObjections, text, awaited, step);
    }

    /// The work a session brings for the items: the package decision, a
    /// round for each item in consultation, a decision for each tabled one.
    pub(super) fn item_work(&self) -> Vec<Work> {
        let mut out = Vec::new();
        if self.package_ready {
            out.push(Work::DecidePackage);
        }
        out.extend(self.linked_work());
        for (i, st) in self.items.iter().enumerate() {
            match st.phase {
                Phase::Consulting => out.push(Work::Round {
                    item: i,
                    at_decision: false,
                }),
                Phase::Tabled => out.push(Work::Decide(i)),
                _ => {}
            }
        }
        out
    }

    /// Whether an item needs a session: a round or a decision.
    pub(super) fn items_need_session(&self) -> bool {
        self.package_ready
            || !self.linked_work().is_empty()
            || self
                .items
                .iter()
                .any(|s| matches!(s.phase, Phase::Consulting | Phase::Tabled))
    }
}
