//! Delegations' capacity and special and differential treatment, as the
//! Secretariat applies them (the models and their sources are in
//! [`crate::capacity`] and [`crate::flexibility`]).
//!
//! At the opening it records the delegations without a Geneva mission and
//! the limited ones (`CapacityListed`), and each item's or initiative's
//! flexibilities with their beneficiaries (`FlexibilitiesListed`). Before
//! each piece of a meeting's business it splits the delegations in the room
//! into those that take it up and those over their capacity for the day,
//! who miss it (`MeetingMissed`): the business's calls do not await them and
//! its decision does not count them present, so they can neither object nor
//! be counted towards a quorum (Art. IX:1, fn. 1). Every call on an item or
//! initiative with a widening carries it, with its beneficiaries, so that a
//! delegation's node decides as the simulation does.

use super::{Secretariat, Work};
use crate::flexibility::Granted;
use crate::member::{EU, MemberId};
use crate::protocol::PACKAGE_KEY;
use crate::record::Event;

impl Secretariat {
    /// Records the delegations' capacity, when the scenario limits it.
    pub(super) fn list_capacity(&mut self) {
        let spec = &self.agenda.capacity;
        if spec.is_default() {
            return;
        }
        let roll = &self.agenda.membership;
        let least_developed = roll
            .delegations()
            .filter(|m| m.development == crate::member::Development::LeastDeveloped)
            .filter(|m| spec.is_non_resident(&m.id) || spec.limit(&m.id).is_some())
            .map(|m| m.id.clone())
            .collect();
        let event = Event::CapacityListed {
            non_resident: spec.non_resident.iter().cloned().collect(),
            meetings_per_day: spec.meetings_per_day.clone(),
            least_developed,
        };
        self.emit(event);
    }

    /// Records the flexibilities of items, then initiatives, in the
    /// agenda's order, and keeps what their calls carry.
    pub(super) fn list_flexibilities(&mut self) {
        if self.agenda.flexibilities.is_empty() {
            return;
        }
        let ids: Vec<String> = self
            .agenda
            .items
            .iter()
            .map(|i| i.id.clone())
            .chain(self.agenda.initiatives.iter().map(|i| i.id.clone()))
            .collect();
        for id in ids {
            let Some(flexibility) = self.agenda.flexibilities.get(&id).cloned() else {
                continue;
            };
            let beneficiaries = flexibility.beneficiaries_in(&self.agenda.membership);
            if flexibility.tolerance_widening > 0 {
                let granted = Granted {
                    widening: flexibility.tolerance_widening,
                    beneficiaries: beneficiaries.clone(),
                };
                self.granted.insert(id.clone(), granted);
            }
            self.emit(Event::FlexibilitiesListed {
                item: id,
                flexibility,
                beneficiaries,
            });
        }
    }

    /// The business a piece of work is, for counting meetings.
    fn business(&self, w: &Work) -> String {
        let item = |i: &usize| {
            self.agenda
                .items
                .get(*i)
                .map_or_else(String::new, |it| it.id.clone())
        };
        let initiative = |i: &usize| {
            self.agenda
                .initiatives
                .get(*i)
                .map_or_else(String::new, |it| it.id.clone())
        };
        match w {
            Work::Round { item: i, .. } | Work::Decide(i) => item(i),
            Work::DecidePackage => PACKAGE_KEY.to_owned(),
            Work::DecideLinked(k) => self.linked_business(*k),
            Work::GreenRoom { item: i, .. } => format!("green-room:{}", item(i)),
            Work::InitiativeRound(i) | Work::Annex4(i) => initiative(i),
        }
    }

    /// Splits the room of the meeting in progress into those who take `w`
    /// up and those over their capacity for the day, and records the latter.
    pub(super) fn take_up(&mut self, w: &Work) {
        if self.agenda.capacity.meetings_per_day.is_empty() {
            return;
        }
        let business = self.business(w);
        let Some(m) = self.meeting.as_mut() else {
            return;
        };
        let (delegations, members) = m
            .room
            .get_or_insert_with(|| (m.delegations.clone(), m.members.clone()))
            .clone();
        let day = super::schedule::midnight(m.interval.start);
        let (attending, missed) =
            self.attendance
                .take_up(&self.agenda.capacity, day, &business, &delegations);
        let roll = &self.agenda.membership;
        let eu = MemberId::new(EU).ok();
        let speaks_for = |id: &MemberId| match &eu {
            Some(eu) if roll.is_represented(id.as_str()) => eu.clone(),
            _ => id.clone(),
        };
        let members = members
            .into_iter()
            .filter(|id| attending.binary_search(&speaks_for(id)).is_ok())
            .collect();
        m.delegations = attending;
        m.members = members;
        if !missed.is_empty() {
            self.emit(Event::MeetingMissed {
                meeting: self.meetings,
                business,
                members: missed,
            });
        }
    }
}
