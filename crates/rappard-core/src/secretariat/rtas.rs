//! The Secretariat's side of regional trade agreements (rules, sources and
//! assumptions in `crate::rta`): at the opening it records each RTA in
//! force, its notification and transparency review with their timetable
//! (or that it was not notified), each Member's spaghetti bowl and outside
//! option, and the RTAs docked as open plurilateral initiatives, which are
//! launched next with the other initiatives. Nothing is recorded without
//! RTAs.

use super::Secretariat;
use crate::record::Event;
use crate::rta::RtaSpec;

impl Secretariat {
    /// Records the RTAs of the agenda (module doc).
    pub(super) fn notify_rtas(&mut self) {
        let spec = self.agenda.rtas.clone();
        if spec.rtas.is_empty() {
            return;
        }
        let roll = &self.agenda.membership;
        let mut events = Vec::new();
        for rta in &spec.rtas {
            let entry_into_force = rta.entry_into_force.to_string();
            match RtaSpec::timetable(rta, roll) {
                Some(t) => {
                    events.push(Event::RtaNotified {
                        rta: rta.name.clone(),
                        parties: rta.parties.clone(),
                        entry_into_force,
                        depth: rta.depth,
                        rules_of_origin: rta.regime().to_owned(),
                        notified_on: t.notified_on.to_string(),
                    });
                    events.push(Event::RtaReviewScheduled {
                        rta: rta.name.clone(),
                        committee: t.committee,
                        data_due: t.data_due.to_string(),
                        consideration_by: t.consideration_by.to_string(),
                    });
                }
                None => events.push(Event::RtaNotNotified {
                    rta: rta.name.clone(),
                    parties: rta.parties.clone(),
                    entry_into_force,
                }),
            }
        }
        for e in spec.exposures(roll) {
            events.push(Event::SpaghettiBowl {
                member: e.member,
                agreements: e.agreements,
                rules_of_origin: e.regimes,
                covered: e.covered,
                factor: e.factor,
            });
        }
        for rta in &spec.rtas {
            if let Some(id) = &rta.dock_as {
                events.push(Event::RtaDocked {
                    rta: rta.name.clone(),
                    initiative: id.clone(),
                    opening_text: rta.level,
                });
            }
        }
        for e in events {
            self.emit(e);
        }
    }
}
