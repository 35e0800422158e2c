//! Political shocks in the Secretariat's calendar (`crate::shock` gives the
//! mechanisms and their sources, Li Ke 2023, §2.2.1).
//!
//! At the opening the Secretariat postpones the in-person meetings a
//! pandemic falls on (the items' fixed meetings move to its end) and
//! schedules each shock's beginning and end. When a shock begins it is
//! recorded (`shock-began`, with the meetings postponed); a pandemic turns
//! the venue virtual, and its end turns it back, placing the next session
//! again on the new calendar. While a shock that narrows tolerances lasts,
//! every call names the pressure on each delegation asked; a trade war's
//! rival support is read from the record (the subject's latest round of
//! reactions), which is public.

use super::Secretariat;
use super::schedule::Happening;
use crate::member::MemberId;
use crate::protocol::{Call, CallKind, Reaction};
use crate::record::Event;
use crate::sessions::{Calendar, Venue};
use crate::shock::{Postponed, Pressure, ShockKind};
use crate::time::Timestamp;

/// A shock's two moments. At one instant every end comes before any
/// beginning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum ShockHappening {
    /// It ends.
    Ended,
    /// It begins.
    Began,
}

/// What the Secretariat keeps of the shocks.
#[derive(Clone, Debug, Default)]
pub(super) struct ShockState {
    /// The shocks in effect, by index.
    lasting: Vec<usize>,
    /// Per shock: the meetings it postponed.
    postponed: Vec<Vec<Postponed>>,
    /// The scenario's own venue, to which a pandemic's end returns.
    venue: Option<Venue>,
}

impl Secretariat {
    /// Postpones the meetings pandemics fall on and schedules every shock's
    /// beginning and end. Does nothing without shocks.
    pub(super) fn schedule_shocks(&mut self) {
        let shocks = self.agenda.shocks.clone();
        if shocks.is_empty() {
            return;
        }
        self.shocks.venue = Some(self.agenda.venue);
        self.shocks.postponed = vec![Vec::new(); shocks.len()];
        for (i, s) in shocks.iter().enumerate() {
            for item in &mut self.agenda.items {
                let Some(from) = item.meeting else { continue };
                if let Some(to) = s.postpones(&item.id, from) {
                    item.meeting = Some(to);
                    let id = item.id.clone();
                    self.shocks.postponed[i].push(Postponed { item: id, from, to });
                }
            }
            for (t, what) in [
                (s.start, ShockHappening::Began),
                (s.end, ShockHappening::Ended),
            ] {
                let h = Happening::Shock { what, shock: i };
                self.schedule.insert((t, h), super::schedule::point(t));
            }
        }
    }

    /// A shock begins or ends at `t`.
    pub(super) fn shock_happening(&mut self, what: ShockHappening, shock: usize, t: Timestamp) {
        self.now = self.now.max(t);
        let s = self.agenda.shocks[shock].clone();
        match what {
            ShockHappening::Began => {
                self.shocks.lasting.push(shock);
                self.shocks.lasting.sort_unstable();
                let postponed = std::mem::take(&mut self.shocks.postponed[shock]);
                self.emit(Event::ShockBegan {
                    shock: shock as u32,
                    kind: s.kind,
                    members: s.members.clone(),
                    end: s.end,
                    factor: s.kind.narrows().then_some(s.factor),
                    postponed,
                });
                if s.kind == ShockKind::Pandemic {
                    self.set_venue(Venue::Virtual);
                }
            }
            ShockHappening::Ended => {
                self.shocks.lasting.retain(|&k| k != shock);
                self.emit(Event::ShockEnded {
                    shock: shock as u32,
                    kind: s.kind,
                });
                if s.kind == ShockKind::Pandemic {
                    let venue = self.shocks.venue.unwrap_or(Venue::Geneva);
                    self.set_venue(venue);
                }
            }
        }
    }

    /// Moves to `venue`: a new calendar, and the next session placed on it.
    fn set_venue(&mut self, venue: Venue) {
        if self.agenda.venue == venue {
            return;
        }
        self.agenda.venue = venue;
        self.calendar = Calendar::new(&self.agenda.membership, venue);
        self.schedule.retain(|(_, h), _| *h != Happening::Session);
        self.ensure_session();
    }

    /// The pressures on the delegations a call awaits from the shocks in
    /// effect (empty without one). An accession's calls are not pressed:
    /// its bilateral talks are decided node to node, before any call.
    pub(super) fn pressures_for(&self, call: &Call) -> Vec<Pressure> {
        if self.shocks.lasting.is_empty() || call.subject.applicant().is_some() {
            return Vec::new();
        }
        let supporters = self.latest_supporters(&call.subject.key());
        crate::shock::pressures(
            &self.agenda.shocks,
            &self.shocks.lasting,
            &call.awaited,
            |m| supporters.contains(m),
        )
    }

    /// The delegations that supported the text in the subject's latest
    /// round of reactions, from the record.
    fn latest_supporters(&self, key: &str) -> Vec<MemberId> {
        let mut supporters: Vec<(u64, MemberId)> = Vec::new();
        for e in self.record.entries().iter().rev() {
            match &e.event {
                Event::ReactionGiven {
                    call,
                    member,
                    reaction: Reaction::Support,
                } => supporters.push((*call, member.clone())),
                Event::CallIssued {
                    call,
                    subject,
                    kind: CallKind::Reactions,
                    ..
                } if subject.key() == key => {
                    return supporters
                        .into_iter()
                        .filter(|(c, _)| c == call)
                        .map(|(_, m)| m)
                        .collect();
                }
                _ => {}
            }
        }
        Vec::new()
    }
}
