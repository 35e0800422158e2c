//! What the Secretariat tells the delegations of the pressure on an item,
//! and what it records of it (`[pressure]`; the rules and their sources are
//! in [`crate::pressure`]).
//!
//! Everything here is read from the record and the public roll: the last
//! round's reactions (who objected, who supported), the Members' 2019
//! export shares, the linkages declared and the decisions taken. The
//! delegation decides (`delegation`); the Secretariat only carries the
//! facts in the call ([`Shadow`]) and records what the delegation said.
//! With `[pressure]` absent no call carries anything and nothing is
//! recorded: the record is today's, byte for byte.

use super::Secretariat;
use crate::member::MemberId;
use crate::pressure::{Hold, NAMED_SUPPORTERS, Shadow, dependence_proxy};
use crate::protocol::{CallKind, Level, Reaction, Subject};
use crate::record::Event;

impl Secretariat {
    /// Records every linkage the scenario declares, at the opening.
    pub(super) fn declare_linkages(&mut self) {
        for l in self.agenda.pressure.linkages.clone() {
            self.emit(Event::LinkageDeclared {
                member: l.member,
                item: l.item,
                until: l.until,
                level: l.level,
            });
        }
    }

    /// An item was adopted (or agreed) at `text`: every linkage waiting for
    /// it at a level no higher is satisfied.
    pub(super) fn linkages_reached(&mut self, item: usize, text: Level) {
        let id = self.agenda.items[item].id.clone();
        for l in self.agenda.pressure.linkages.clone() {
            if l.until == id && text >= l.level {
                self.emit(Event::LinkageSatisfied {
                    member: l.member,
                    item: l.item,
                    until: l.until,
                    text,
                });
            }
        }
    }

    /// What a call on an item carries of the pressure on it: the last
    /// round's objectors and supporters on a decision call under
    /// `[pressure] shadow`, and the linkages declared on the item. `None`
    /// when there is neither.
    pub(super) fn shadow_for(&self, item: usize, kind: CallKind) -> Option<Shadow> {
        let p = &self.agenda.pressure;
        if !p.shadow && p.linkages.is_empty() {
            return None;
        }
        let id = &self.agenda.items[item].id;
        let holds = match kind {
            CallKind::Reactions
            | CallKind::Objections
            | CallKind::WrittenObjections
            | CallKind::Votes => self.holds_on(id),
            _ => Vec::new(),
        };
        let (objectors, supporters) = if p.shadow && kind == CallKind::Objections {
            self.last_round(id)
        } else {
            (Vec::new(), Vec::new())
        };
        if holds.is_empty() && objectors.is_empty() {
            return None;
        }
        Some(Shadow {
            objectors,
            supporters,
            max_objectors: p.max_objectors,
            threshold: p.threshold,
            holds,
        })
    }

    /// The linkages declared on an item, with the level their linked item
    /// was adopted at once the linkage is satisfied.
    fn holds_on(&self, item: &str) -> Vec<Hold> {
        let linkages = self.agenda.pressure.linkages.iter();
        linkages
            .filter(|l| l.item == item)
            .map(|l| {
                let adopted = self.record.entries().iter().find_map(|e| match &e.event {
                    Event::LinkageSatisfied {
                        member,
                        item: i,
                        until,
                        text,
                    } if member == &l.member && i == item && until == &l.until => Some(*text),
                    _ => None,
                });
                Hold {
                    member: l.member.clone(),
                    until: l.until.clone(),
                    level: l.level,
                    adopted,
                }
            })
            .collect()
    }

    /// The objectors of the item's last call for reactions, each with its
    /// dependence on that call's supporters, and the largest exporters
    /// among the supporters.
    fn last_round(&self, item: &str) -> (Vec<(MemberId, u16)>, Vec<MemberId>) {
        let entries = self.record.entries();
        let Some(start) = entries.iter().rposition(|e| {
            matches!(&e.event, Event::CallIssued {
                kind: CallKind::Reactions,
                subject: Subject::Item(i),
                ..
            } if i == item)
        }) else {
            return (Vec::new(), Vec::new());
        };
        let Event::CallIssued { call, .. } = &entries[start].event else {
            return (Vec::new(), Vec::new());
        };
        let (mut objecting, mut supporting) = (Vec::new(), Vec::new());
        for e in &entries[start..] {
            if let Event::ReactionGiven {
                call: c,
                member,
                reaction,
            } = &e.event
                && c == call
            {
                match reaction {
                    Reaction::Object => objecting.push(member.clone()),
                    Reaction::Support => supporting.push(member.clone()),
                    Reaction::Reserve => {}
                }
            }
        }
        let share = |m: &MemberId| {
            let roll = &self.agenda.membership;
            roll.get(m.as_str())
                .and_then(|x| x.export_share)
                .unwrap_or(0)
        };
        let total: u32 = supporting.iter().map(share).sum();
        objecting.sort();
        let objectors = objecting
            .into_iter()
            .map(|m| {
                let given = self.agenda.pressure.dependence.get(&m).copied();
                let d = given.unwrap_or_else(|| dependence_proxy(total, share(&m)));
                (m, d)
            })
            .collect();
        supporting.sort_by(|a, b| share(b).cmp(&share(a)).then_with(|| a.cmp(b)));
        supporting.truncate(NAMED_SUPPORTERS);
        (objectors, supporting)
    }

    /// A delegation downgraded its objection to a reservation: records it
    /// with the item, its dependence and the supporters the call named.
    pub(super) fn objection_withdrawn(&mut self, call: u64, member: MemberId) {
        let issued = self
            .record
            .entries()
            .iter()
            .rev()
            .find_map(|e| match &e.event {
                Event::CallIssued {
                    call: c,
                    subject,
                    shadow,
                    ..
                } if *c == call => Some((subject.key().into_owned(), shadow.clone())),
                _ => None,
            });
        let Some((item, Some(shadow))) = issued else {
            return;
        };
        // A reservation from a Member the call did not put under pressure
        // is a plain absence of objection.
        let Some(dependence) = shadow.yields(&member) else {
            return;
        };
        self.emit(Event::ObjectionWithdrawn {
            call,
            item,
            member,
            dependence,
            depends_on: shadow.supporters,
        });
    }
}
