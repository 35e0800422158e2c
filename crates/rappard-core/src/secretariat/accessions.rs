//! The Secretariat's side of an accession (rules and sources in
//! `crate::accession`): the steps are happenings at dates derived from the
//! scenario; the bilateral talks, the Working Party's report and the
//! General Council's decision are calls like any other.

use super::schedule::{AccessionHappening, DAY, Happening, SESSION_HORIZON_DAYS, midnight, point};
use super::{ClosedCall, Continuation, Secretariat};
use crate::accession::{Stage, defaults};
use crate::member::{MemberId, Membership};
use crate::protocol::{Answer, Call, CallKind, Level, Subject};
use crate::record::{Event, MeetingKind};
use crate::rules::{Outcome, Rule, Votes};
use crate::sessions::Calendar;
use crate::time::{Interval, Timestamp};

#[derive(Clone, Debug)]
pub(super) struct AccessionState {
    pub(super) stage: Stage,
    pub(super) round: u32,
    pub(super) deals: Vec<MemberId>,
    /// The offer of the round under way.
    pub(super) offer: Level,
    /// When the last deal was made.
    pub(super) last_deal: Option<Timestamp>,
}

impl AccessionState {
    pub(super) fn new() -> Self {
        Self {
            stage: Stage::WorkingParty,
            round: 0,
            deals: Vec::new(),
            offer: 0,
            last_deal: None,
        }
    }
}

/// What an accession's open call is for.
#[derive(Clone, Copy, Debug)]
pub(super) enum AccessionStep {
    /// The applicant's offer in a bilateral round.
    BilateralOffer,
    /// Working Party members' answers to the offer.
    BilateralResponse,
    /// Formal objections to the Working Party's report.
    WorkingPartyReport,
    /// Formal objections at the General Council.
    CouncilObjections,
    /// Votes at the General Council, when consensus failed.
    CouncilVotes,
}

/// The schedule's key for step `what` of accession `accession`.
fn step_of(what: AccessionHappening, accession: usize) -> Happening {
    Happening::Accession { what, accession }
}

impl Secretariat {
    /// Goes on with an accession after one of its calls closed.
    pub(super) fn continue_accession(&mut self, a: usize, step: AccessionStep, c: ClosedCall) {
        match step {
            AccessionStep::BilateralOffer => {
                let offer = c.answers.iter().find_map(|(_, answer)| match answer {
                    Answer::Offer(l) => Some(*l),
                    _ => None,
                });
                self.bilateral_offer(a, offer, c.unanswered, c.call);
            }
            AccessionStep::BilateralResponse => {
                let accepted = c
                    .answers
                    .into_iter()
                    .filter(|(_, answer)| *answer == Answer::Accept(true))
                    .map(|(m, _)| m)
                    .collect();
                self.bilateral_responses(a, accepted, c.unanswered, c.call);
            }
            AccessionStep::WorkingPartyReport | AccessionStep::CouncilObjections => {
                let objectors = self.record_objections(c.call, c.answers);
                self.close_recorded(c.call, c.unanswered);
                if matches!(step, AccessionStep::WorkingPartyReport) {
                    self.working_party_decided(a, objectors);
                } else {
                    self.council_objections(a, objectors);
                }
            }
            AccessionStep::CouncilVotes => {
                let votes = self.record_votes(c.call, c.answers);
                self.close_recorded(c.call, c.unanswered);
                self.council_votes(a, votes);
            }
        }
    }
    fn accession_call(
        &mut self,
        a: usize,
        kind: CallKind,
        text: Option<Level>,
        awaited: Vec<MemberId>,
        rule: Rule,
        step: AccessionStep,
    ) {
        let call = Call {
            call: 0,
            subject: Subject::Accession(self.agenda.accessions[a].applicant.id.clone()),
            kind,
            round: self.accessions[a].round,
            version: self.accessions[a].round,
            text,
            rule,
            awaited,
            package: None,
            reference: None,
            flexibility: None,
            pressures: Vec::new(),
            shadow: None,
        };
        let then = Continuation::Accession { accession: a, step };
        self.issue_call(call, then);
    }

    fn stage(&mut self, a: usize, stage: Stage) {
        self.accessions[a].stage = stage;
        self.emit(Event::AccessionStage {
            applicant: self.agenda.accessions[a].applicant.id.clone(),
            stage,
        });
    }

    /// A meeting on the accession on the UTC day of `day`, at the time that
    /// seats the most Members (at or after `not_before`).
    fn accession_meeting_on(&mut self, day: Timestamp, not_before: Timestamp) -> Interval {
        let secs = i64::from(self.agenda.session_hours) * 3600;
        let mut d = midnight(day);
        for _ in 0..366 {
            if let Some((m, n)) = self.calendar.best_meeting(d, not_before.max(d), secs)
                && n > 0
                && self.agenda.procedure.is_meeting_day(m.start)
            {
                return m;
            }
            d = d.plus_secs(DAY);
        }
        Interval {
            start: not_before,
            end: not_before.plus_secs(secs),
        }
    }

    pub(super) fn accession_happening(
        &mut self,
        what: AccessionHappening,
        a: usize,
        t: Timestamp,
        span: Interval,
    ) {
        self.now = self.now.max(t);
        let id = self.agenda.accessions[a].applicant.id.clone();
        let key = Subject::Accession(id.clone()).key().into_owned();
        match what {
            AccessionHappening::Applied => {
                let spec = &self.agenda.accessions[a];
                let event = Event::AccessionApplied {
                    applicant: id.clone(),
                    name: spec.applicant.name.clone(),
                    working_party: spec.working_party.clone(),
                    export_share: spec.applicant.export_share,
                };
                let talks = t.plus_secs(i64::from(spec.memorandum_days) * DAY);
                self.emit(event);
                self.schedule.insert(
                    (talks, step_of(AccessionHappening::BilateralRound, a)),
                    point(talks),
                );
            }
            AccessionHappening::BilateralRound => {
                if self.accessions[a].stage == Stage::WorkingParty {
                    self.stage(a, Stage::BilateralTalks);
                }
                self.accessions[a].round += 1;
                self.accession_call(
                    a,
                    CallKind::BilateralOffer,
                    None,
                    vec![id],
                    Rule::Consensus,
                    AccessionStep::BilateralOffer,
                );
            }
            AccessionHappening::WorkingPartyMeeting => {
                // Only the Working Party's members sit in it.
                let wp = self.agenda.accessions[a].working_party.clone();
                let kind = MeetingKind::ItemMeeting { item: key };
                self.convene_among(span, kind, Some(&wp));
                let awaited = self.present_delegations();
                self.accession_call(
                    a,
                    CallKind::Objections,
                    None,
                    awaited,
                    Rule::Consensus,
                    AccessionStep::WorkingPartyReport,
                );
            }
            AccessionHappening::CouncilMeeting => {
                self.convene(span, MeetingKind::ItemMeeting { item: key.clone() });
                if !self.quorum_for(key) {
                    self.council_without_quorum(a, t);
                    return;
                }
                let awaited = self.present_delegations();
                self.accession_call(
                    a,
                    CallKind::Objections,
                    None,
                    awaited,
                    Rule::TwoThirdsOfMembers,
                    AccessionStep::CouncilObjections,
                );
            }
            AccessionHappening::Deposit => {
                self.stage(a, Stage::Deposited);
                // Membership from the start of the thirtieth day after the
                // deposit (accession protocols: "the thirtieth day following
                // the day of its acceptance"), UTC.
                let days = i64::from(defaults::ENTRY_INTO_FORCE_DAYS);
                let at = midnight(t).plus_secs(days * DAY);
                self.schedule
                    .insert((at, step_of(AccessionHappening::Membership, a)), point(at));
            }
            AccessionHappening::Membership => self.admit(a),
        }
    }

    /// Without a quorum the General Council's decision moves to the next
    /// day's meeting, within the sessions' horizon; past it the accession
    /// stalls.
    fn council_without_quorum(&mut self, a: usize, t: Timestamp) {
        let next = self.accession_meeting_on(t.plus_secs(DAY), t.plus_secs(DAY));
        if next.start.unix() > self.agenda.start.unix() + SESSION_HORIZON_DAYS * DAY {
            self.stage(a, Stage::Stalled);
            return;
        }
        let h = step_of(AccessionHappening::CouncilMeeting, a);
        self.schedule.insert((next.start, h), next);
    }

    /// The applicant's offer: asked of each WP member without a deal.
    fn bilateral_offer(
        &mut self,
        a: usize,
        offer: Option<Level>,
        unanswered: Vec<MemberId>,
        call: u64,
    ) {
        let applicant = self.agenda.accessions[a].applicant.id.clone();
        if let Some(o) = offer {
            self.emit(Event::OfferMade {
                call,
                applicant: applicant.clone(),
                offer: o,
            });
        }
        self.emit(Event::CallClosed { call, unanswered });
        let Some(offer) = offer else {
            self.after_bilateral_round(a);
            return;
        };
        self.accessions[a].offer = offer;
        let awaited: Vec<MemberId> = self.agenda.accessions[a]
            .working_party
            .iter()
            .filter(|m| !self.accessions[a].deals.contains(m))
            .cloned()
            .collect();
        self.accession_call(
            a,
            CallKind::BilateralResponse,
            Some(offer),
            awaited,
            Rule::Consensus,
            AccessionStep::BilateralResponse,
        );
    }

    /// WP members' answers: a deal with each that accepts.
    fn bilateral_responses(
        &mut self,
        a: usize,
        accepted: Vec<MemberId>,
        unanswered: Vec<MemberId>,
        call: u64,
    ) {
        let applicant = self.agenda.accessions[a].applicant.id.clone();
        let offer = self.accessions[a].offer;
        for member in accepted {
            self.emit(Event::BilateralConcluded {
                call,
                applicant: applicant.clone(),
                member: member.clone(),
                offer,
            });
            self.accessions[a].deals.push(member);
            self.accessions[a].last_deal = Some(self.now);
        }
        self.accessions[a].deals.sort();
        self.emit(Event::CallClosed { call, unanswered });
        self.after_bilateral_round(a);
    }

    fn after_bilateral_round(&mut self, a: usize) {
        let spec = &self.agenda.accessions[a];
        let done = spec
            .working_party
            .iter()
            .all(|m| self.accessions[a].deals.contains(m));
        if done {
            let day = self.now.plus_secs(i64::from(spec.report_days) * DAY);
            let not_before = day;
            self.stage(a, Stage::WorkingPartyReport);
            let m = self.accession_meeting_on(day, not_before);
            self.schedule.insert(
                (m.start, step_of(AccessionHappening::WorkingPartyMeeting, a)),
                m,
            );
        } else if self.accessions[a].round >= spec.bilateral_rounds {
            self.stage(a, Stage::Stalled);
        } else {
            let next = self
                .now
                .plus_secs(i64::from(spec.bilateral_round_days) * DAY);
            self.schedule.insert(
                (next, step_of(AccessionHappening::BilateralRound, a)),
                point(next),
            );
        }
    }

    /// The Working Party's report, by consensus of its members present.
    fn working_party_decided(&mut self, a: usize, objectors: Vec<MemberId>) {
        let d = self.apply_rule(Rule::Consensus, objectors, None);
        let outcome = d.outcome;
        let key = Subject::Accession(self.agenda.accessions[a].applicant.id.clone())
            .key()
            .into_owned();
        self.record_decision(key, 0, d, None);
        if outcome != Outcome::Adopted {
            self.stage(a, Stage::Stalled);
            return;
        }
        self.stage(a, Stage::GeneralCouncil);
        let m = match self.agenda.accessions[a].decision_meeting {
            Some(m) if m.start >= self.now => m,
            _ => {
                let day = self.now.plus_secs(i64::from(defaults::COUNCIL_DAYS) * DAY);
                self.accession_meeting_on(day, day)
            }
        };
        self.schedule
            .insert((m.start, step_of(AccessionHappening::CouncilMeeting, a)), m);
    }

    /// The General Council: consensus, else two-thirds of all Members.
    fn council_objections(&mut self, a: usize, objectors: Vec<MemberId>) {
        if objectors.is_empty() {
            let d = self.apply_rule(Rule::Consensus, objectors, None);
            self.council_decided(a, d);
            return;
        }
        self.consensus_objectors_accession = objectors;
        let awaited = self.present_delegations();
        self.accession_call(
            a,
            CallKind::Votes,
            None,
            awaited,
            Rule::TwoThirdsOfMembers,
            AccessionStep::CouncilVotes,
        );
    }

    fn council_votes(&mut self, a: usize, votes: Votes) {
        let objectors = std::mem::take(&mut self.consensus_objectors_accession);
        let d = self.apply_rule(Rule::TwoThirdsOfMembers, objectors, Some(votes));
        self.council_decided(a, d);
    }

    fn council_decided(&mut self, a: usize, d: super::Decision) {
        let outcome = d.outcome;
        let key = Subject::Accession(self.agenda.accessions[a].applicant.id.clone())
            .key()
            .into_owned();
        self.record_decision(key, 0, d, None);
        if outcome != Outcome::Adopted {
            self.stage(a, Stage::Rejected);
            return;
        }
        self.stage(a, Stage::Ratification);
        let at = self
            .now
            .plus_secs(i64::from(self.agenda.accessions[a].ratification_days) * DAY);
        self.schedule
            .insert((at, step_of(AccessionHappening::Deposit, a)), point(at));
    }

    /// The thirtieth day after the deposit: the applicant is a Member.
    fn admit(&mut self, a: usize) {
        let spec = self.agenda.accessions[a].clone();
        let mut members = self.agenda.membership.members().to_vec();
        let mut new = spec.applicant.clone();
        new.membership_date = Some(self.now.datetime().format("%Y-%m-%d").to_string());
        members.push(new);
        self.agenda.membership = Membership::new(members);
        self.calendar = Calendar::new(&self.agenda.membership, self.agenda.venue);
        self.all_delegations = self
            .agenda
            .membership
            .delegations()
            .map(|m| m.id.clone())
            .collect();
        let i = self
            .agenda
            .membership
            .position(spec.applicant.id.as_str())
            .expect("the new Member was just added to the roll");
        let entry = self.roll_entry(i);
        self.accessions[a].stage = Stage::Member;
        self.emit(Event::AccessionCompleted {
            applicant: spec.applicant.id.clone(),
            member_since: self.now,
            entry,
            total_votes: self.agenda.membership.total_votes(),
        });
        self.amendments_admit(&spec.applicant.id);
    }
}

impl Secretariat {
    /// For an applicant in bilateral talks: the Working Party members it
    /// has no deal with yet, in id order (`None` if it is not an applicant
    /// of this negotiation).
    pub fn bilateral_counterparts(&self, applicant: &str) -> Option<Vec<MemberId>> {
        let a = self
            .agenda
            .accessions
            .iter()
            .position(|s| s.applicant.id.as_str() == applicant)?;
        Some(
            self.agenda.accessions[a]
                .working_party
                .iter()
                .filter(|m| !self.accessions[a].deals.contains(m))
                .cloned()
                .collect(),
        )
    }
}
