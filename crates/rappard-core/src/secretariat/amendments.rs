//! The Secretariat's side of an amendment after the decision to submit it
//! for acceptance (Marrakesh Agreement Art. X:3; the counting and the model
//! of when Members accept are in [`crate::amendment`]).
//!
//! When the decision is taken, every party gets its deposit of acceptance
//! scheduled: the delegations on the roll (the EU's instrument counts for
//! its member States too) at the date the scenario gives or the model
//! draws, and each applicant of the negotiation at the date the scenario
//! gives, or otherwise from the day it becomes a Member. Each deposit is
//! recorded (`acceptance-deposited`) with the count of Members that have
//! accepted against two-thirds of the Members on the day; when that count
//! reaches the threshold, the entry into force is scheduled for the same
//! instant, after every deposit of that instant (`schedule`), and recorded
//! for all that have accepted (`amendment-in-force`). Each later acceptance
//! brings it into force for that Member on its day.

use std::collections::BTreeSet;

use chrono::{Days, NaiveDate};

use super::Secretariat;
use super::schedule::{AmendmentHappening, Happening, point};
use crate::amendment::{self, AcceptanceSpec, Given};
use crate::member::{Development, EU, MemberId};
use crate::record::Event;
use crate::time::Timestamp;

/// Where an amendment's acceptance stands.
#[derive(Clone, Debug)]
pub(super) struct AmendmentState {
    /// Who may deposit: the delegations on the roll at the decision and the
    /// applicants of the negotiation, by id. A happening names one by its
    /// index here.
    parties: Vec<MemberId>,
    /// Whether each party's deposit has been scheduled (or made).
    scheduled: Vec<bool>,
    /// Members and applicants that have accepted (the EU's member States
    /// with it).
    accepted: BTreeSet<MemberId>,
    /// Whether it is in force.
    force: Force,
}

/// Whether an amendment is in force.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Force {
    /// Fewer than two-thirds of the Members have accepted.
    Not,
    /// Two-thirds have: it enters into force this instant, after the
    /// deposits still to come this instant.
    Due,
    /// In force for those that accepted; each later one on its day.
    In,
}

/// 12:00 UTC on `date`: every deposit falls then (`crate::amendment`).
fn noon(date: NaiveDate) -> Timestamp {
    let t = date.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc();
    Timestamp::from_datetime(t)
}

/// The date `days` after that of `t`.
fn date_after(t: Timestamp, days: u32) -> NaiveDate {
    let d = t.datetime().date_naive();
    d.checked_add_days(Days::new(u64::from(days))).unwrap_or(d)
}

impl Secretariat {
    /// The decision to submit amendment `item` for acceptance was taken
    /// now: schedules every party's deposit that can be scheduled yet.
    pub(super) fn submit_for_acceptance(&mut self, item: usize) {
        if self.agenda.items[item].acceptance.is_none() || self.amendments.contains_key(&item) {
            return;
        }
        let mut parties: Vec<MemberId> = self.all_delegations.clone();
        for a in &self.agenda.accessions {
            if self
                .agenda
                .membership
                .get(a.applicant.id.as_str())
                .is_none()
            {
                parties.push(a.applicant.id.clone());
            }
        }
        parties.sort();
        parties.dedup();
        let n = parties.len();
        let state = AmendmentState {
            parties,
            scheduled: vec![false; n],
            accepted: BTreeSet::new(),
            force: Force::Not,
        };
        self.amendments.insert(item, state);
        for party in 0..n {
            self.schedule_deposit(item, party);
        }
    }

    /// Schedules a party's deposit, counted from now: at the date the
    /// scenario gives, or drawn for a Member; an applicant's is scheduled
    /// only at a given date until it is a Member.
    fn schedule_deposit(&mut self, item: usize, party: usize) {
        let Some(state) = self.amendments.get(&item) else {
            return;
        };
        if state.scheduled[party] {
            return;
        }
        let member = state.parties[party].clone();
        let Some(spec) = &self.agenda.items[item].acceptance else {
            return;
        };
        let is_member = self.agenda.membership.get(member.as_str()).is_some();
        let date = match spec.given.get(&member) {
            Some(Given::Never) => None,
            Some(Given::On(d)) => Some(*d),
            Some(Given::DaysAfter(n)) if is_member => Some(date_after(self.now, *n)),
            None if is_member => Some(self.drawn_date(item, spec, &member)),
            _ => None,
        };
        let Some(date) = date else { return };
        let at = noon(date).max(self.now);
        if let Some(state) = self.amendments.get_mut(&item) {
            state.scheduled[party] = true;
        }
        let what = AmendmentHappening::Deposit;
        let h = Happening::Amendment { what, item, party };
        self.schedule.insert((at, h), point(at));
    }

    /// The date the model draws for a Member's deposit, counted from now.
    fn drawn_date(&self, item: usize, spec: &AcceptanceSpec, member: &MemberId) -> NaiveDate {
        let development = self
            .agenda
            .membership
            .get(member.as_str())
            .map_or(Development::Developing, |m| m.development);
        let mean = spec.mean_days.of(development);
        let id = &self.agenda.items[item].id;
        let days = amendment::drawn_days(self.agenda.seed, id, member.as_str(), mean);
        date_after(self.now, days)
    }

    /// Carries out an amendment's happening at `t`.
    pub(super) fn amendment_happening(
        &mut self,
        what: AmendmentHappening,
        item: usize,
        party: usize,
        t: Timestamp,
    ) {
        self.now = self.now.max(t);
        match what {
            AmendmentHappening::Deposit => self.deposit(item, party),
            AmendmentHappening::InForce => self.enter_into_force(item),
        }
    }

    /// A party deposits its instrument of acceptance.
    fn deposit(&mut self, item: usize, party: usize) {
        let Some(state) = self.amendments.get(&item) else {
            return;
        };
        let member = state.parties[party].clone();
        let covers = self.covered_by(&member);
        let applicant = self.agenda.membership.get(member.as_str()).is_none();
        if let Some(state) = self.amendments.get_mut(&item) {
            state.accepted.insert(member.clone());
            state.accepted.extend(covers.iter().cloned());
        }
        let (accepted, required, members) = self.acceptance_count(item);
        self.emit(Event::AcceptanceDeposited {
            item: self.agenda.items[item].id.clone(),
            member: member.clone(),
            covers: covers.clone(),
            applicant,
            accepted,
            required,
            members,
        });
        if !applicant {
            let mut counted = vec![member];
            counted.extend(covers);
            self.after_acceptance(item, counted);
        }
    }

    /// The member States a Member's instrument also counts for: the EU's
    /// member States in the negotiation (`crate::amendment`).
    fn covered_by(&self, member: &MemberId) -> Vec<MemberId> {
        if member.as_str() != EU {
            return Vec::new();
        }
        let roll = &self.agenda.membership;
        roll.members()
            .iter()
            .enumerate()
            .filter(|(i, _)| roll.is_represented_at(*i))
            .map(|(_, m)| m.id.clone())
            .collect()
    }

    /// Members that have accepted amendment `item`, counted among the
    /// Members now; the acceptances needed; the Members now.
    fn acceptance_count(&self, item: usize) -> (u32, u32, u32) {
        let roll = &self.agenda.membership;
        let accepted = self.amendments.get(&item).map_or(0, |s| {
            s.accepted
                .iter()
                .filter(|m| roll.get(m.as_str()).is_some())
                .count() as u32
        });
        let members = roll.len() as u32;
        (accepted, amendment::required(members), members)
    }

    /// After Members' acceptance counts: in force for them at once if the
    /// amendment is in force; otherwise its entry into force is scheduled
    /// for this instant if the threshold is reached.
    fn after_acceptance(&mut self, item: usize, counted: Vec<MemberId>) {
        let Some(state) = self.amendments.get(&item) else {
            return;
        };
        match state.force {
            Force::In => return self.record_in_force(item, counted),
            Force::Due => return,
            Force::Not => {}
        }
        let (accepted, required, _) = self.acceptance_count(item);
        if accepted < required {
            return;
        }
        if let Some(state) = self.amendments.get_mut(&item) {
            state.force = Force::Due;
        }
        let what = AmendmentHappening::InForce;
        let h = Happening::Amendment {
            what,
            item,
            party: 0,
        };
        self.schedule.insert((self.now, h), point(self.now));
    }

    /// Two-thirds of the Members have accepted: in force for all that have.
    fn enter_into_force(&mut self, item: usize) {
        let roll = &self.agenda.membership;
        let Some(state) = self.amendments.get_mut(&item) else {
            return;
        };
        state.force = Force::In;
        let members = state
            .accepted
            .iter()
            .filter(|m| roll.get(m.as_str()).is_some())
            .cloned()
            .collect();
        self.record_in_force(item, members);
    }

    /// Records the amendment in force for `members`.
    fn record_in_force(&mut self, item: usize, members: Vec<MemberId>) {
        let (accepted, required, total) = self.acceptance_count(item);
        self.emit(Event::AmendmentInForce {
            item: self.agenda.items[item].id.clone(),
            in_force_for: members,
            accepted,
            required,
            members: total,
        });
    }

    /// A new Member (its accession completed now): an acceptance it
    /// deposited as an applicant counts from today; otherwise its deposit
    /// is scheduled from today.
    pub(super) fn amendments_admit(&mut self, member: &MemberId) {
        let items: Vec<usize> = self.amendments.keys().copied().collect();
        for item in items {
            let Some(state) = self.amendments.get(&item) else {
                continue;
            };
            if state.accepted.contains(member) {
                self.after_acceptance(item, vec![member.clone()]);
            } else if let Some(party) = state.parties.iter().position(|p| p == member) {
                self.schedule_deposit(item, party);
            }
        }
    }
}
