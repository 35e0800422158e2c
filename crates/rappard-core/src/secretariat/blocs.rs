//! Coalitions that act as blocs: one voice for their members.
//!
//! WTO coalitions "often speak with one voice using a single coordinator
//! or negotiating team" (WTO, "Groups in the WTO", updated 24 July 2015).
//! At the Cancún Ministerial Conference (10–14 September 2003) the G-20 on
//! agriculture held together against the EU–US text on agriculture, and
//! the African Group, the ACP and the LDCs (the G-90) opposed opening
//! negotiations on the Singapore issues; the Conference ended on 14
//! September 2003 without agreement (Li Ke, "Stagnation and Breakthrough
//! of WTO Multilateral Trade Negotiations", Journal of Hubei University of
//! Economics 21(5), 2023, §2.2.2, on Cancún). How a bloc decides is not
//! written down anywhere; the rule here is rappard's **modelling
//! assumption**:
//!
//! - A coalition with `bloc = true` follows its coordinator. On every call
//!   on an agenda item or initiative that asks for reactions to a text,
//!   formal objections (at a meeting or in writing) or votes, a member of
//!   the bloc whose answer differs from the coordinator's takes the
//!   coordinator's answer (`bloc-spoke` names who followed) unless its own
//!   position is farther from the coordinator's than the bloc's
//!   `defection_limit`: then it keeps its own answer (`bloc-defection`).
//!   A coordinator's reservation under pressure is followed as no
//!   objection.
//! - A position is the last one the member stated on the item (in a
//!   consultation round or a Green Room). The distance is the difference of
//!   the two levels, or 0 when both stated the same stance. When it cannot
//!   be measured (one stated a stance and the other a level, or either
//!   stated nothing yet) the member keeps its own answer: a bloc cannot
//!   count on a position it has not heard.
//! - Positions themselves are never changed: a member states its own, and
//!   the chair drafts from them. Calls on the package, on accessions, to
//!   join an initiative or on Annex 4 are left alone (no position is stated
//!   on them to measure a defection against).
//! - The blocs are taken in coalition-id order. A Member in two blocs
//!   follows the first whose coordinator answered; a coordinator always
//!   speaks for itself. Everything is decided from the answers in
//!   member-id order, never from their arrival.

use std::collections::{BTreeMap, BTreeSet};

use super::{ClosedCall, Secretariat};
use crate::member::MemberId;
use crate::protocol::{Answer, CallKind, Level, Reaction, Stated, Subject, Vote};
use crate::record::Event;

/// What the Secretariat remembers for the blocs: the last position each
/// Member stated on each item.
#[derive(Clone, Debug, Default)]
pub(super) struct BlocState {
    /// Last stated positions, by item id, then Member.
    stated: BTreeMap<String, BTreeMap<MemberId, Stated>>,
}

/// The word for an answer in the record.
fn word(a: Answer) -> &'static str {
    match a {
        Answer::Reaction(Reaction::Support) => "support",
        Answer::Reaction(Reaction::Reserve) => "reserve",
        Answer::Reaction(Reaction::Object) => "object",
        Answer::Objection(true) => "objection",
        Answer::Objection(false) | Answer::Reservation => "no-objection",
        Answer::Vote(Vote::Yes) => "yes",
        Answer::Vote(Vote::No) => "no",
        Answer::Vote(Vote::Abstain) => "abstain",
        _ => "other",
    }
}

/// Whether a bloc acts on calls of this kind.
fn binds(kind: CallKind) -> bool {
    matches!(
        kind,
        CallKind::Reactions | CallKind::Objections | CallKind::WrittenObjections | CallKind::Votes
    )
}

/// The distance between two stated positions, if it can be measured.
pub(super) fn distance(a: Option<&Stated>, b: Option<&Stated>) -> Option<Level> {
    match (a?, b?) {
        (Stated::Level(x), Stated::Level(y)) => Some(x.abs_diff(*y)),
        (Stated::Stance(s), Stated::Stance(t)) if s == t => Some(0),
        _ => None,
    }
}

/// The answer a follower takes: the coordinator's, with a reservation
/// under pressure read as no objection.
fn followed(coordinator: Answer) -> Answer {
    match coordinator {
        Answer::Reservation => Answer::Objection(false),
        a => a,
    }
}

impl Secretariat {
    /// Whether any coalition acts as a bloc.
    pub(super) fn has_blocs(&self) -> bool {
        self.agenda.coalitions.iter().any(|c| c.bloc.is_some())
    }

    /// Records each bloc at the opening, in coalition-id order.
    pub(super) fn form_blocs(&mut self) {
        let mut formed: Vec<Event> = self
            .agenda
            .coalitions
            .iter()
            .filter_map(|c| {
                Some(Event::BlocFormed {
                    coalition: c.id.clone(),
                    coordinator: c.coordinator.clone()?,
                    members: c.members.clone(),
                    defection_limit: c.bloc?.defection_limit,
                })
            })
            .collect();
        formed.sort_by(|a, b| match (a, b) {
            (Event::BlocFormed { coalition: x, .. }, Event::BlocFormed { coalition: y, .. }) => {
                x.cmp(y)
            }
            _ => std::cmp::Ordering::Equal,
        });
        for e in formed {
            self.emit(e);
        }
    }

    /// Before a closed call goes to its feature: remembers the positions
    /// stated on an item, and makes each bloc speak with one voice on a
    /// reaction, objection or vote call on an item (module doc).
    pub(super) fn speak_as_blocs(&mut self, subject: &Subject, kind: CallKind, c: &mut ClosedCall) {
        let Subject::Item(item) = subject else { return };
        if kind == CallKind::Positions {
            let stated = self.blocs.stated.entry(item.clone()).or_default();
            for (m, a) in &c.answers {
                if let Answer::Position(p) = a {
                    stated.insert(m.clone(), *p);
                }
            }
            return;
        }
        if !binds(kind) {
            return;
        }
        let mut blocs: Vec<_> = self
            .agenda
            .coalitions
            .iter()
            .filter(|b| b.bloc.is_some() && b.coordinator.is_some())
            .cloned()
            .collect();
        blocs.sort_by(|a, b| a.id.cmp(&b.id));
        let mut done: BTreeSet<MemberId> =
            blocs.iter().filter_map(|b| b.coordinator.clone()).collect();
        let mut events = Vec::new();
        for b in &blocs {
            let (Some(coord), Some(bloc)) = (&b.coordinator, b.bloc) else {
                continue;
            };
            let Ok(ci) = c.answers.binary_search_by(|(m, _)| m.cmp(coord)) else {
                continue;
            };
            let said = c.answers[ci].1;
            let stated = self.blocs.stated.get(item);
            let mut follow = Vec::new();
            let mut defections = Vec::new();
            let mut others = 0;
            for (m, a) in c.answers.iter_mut() {
                if !b.members.contains(m) || done.contains(m) {
                    continue;
                }
                done.insert(m.clone());
                others += 1;
                if word(*a) == word(said) {
                    continue;
                }
                let d = distance(
                    stated.and_then(|s| s.get(m)),
                    stated.and_then(|s| s.get(coord)),
                );
                if d.is_some_and(|d| d <= bloc.defection_limit) {
                    *a = followed(said);
                    follow.push(m.clone());
                } else {
                    defections.push(Event::BlocDefection {
                        call: c.call,
                        item: item.clone(),
                        coalition: b.id.clone(),
                        member: m.clone(),
                        answer: word(*a).to_owned(),
                        distance: d,
                    });
                }
            }
            if others == 0 {
                continue;
            }
            events.push(Event::BlocSpoke {
                call: c.call,
                item: item.clone(),
                coalition: b.id.clone(),
                coordinator: coord.clone(),
                answer: word(said).to_owned(),
                followed: follow,
                as_one: defections.is_empty(),
            });
            events.extend(defections);
        }
        for e in events {
            self.emit(e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Stance;

    /// Distances (module doc): levels subtract; equal stances are 0 apart;
    /// a stance against a level, or nothing stated, cannot be measured.
    #[test]
    fn distances_between_stated_positions() {
        let l = |x| Stated::Level(x);
        let obj = Stated::Stance(Stance::Object);
        assert_eq!(distance(Some(&l(3_000)), Some(&l(4_500))), Some(1_500));
        assert_eq!(distance(Some(&obj), Some(&obj)), Some(0));
        assert_eq!(distance(Some(&obj), Some(&l(0))), None);
        assert_eq!(distance(None, Some(&l(0))), None);
    }

    /// A reservation under pressure is followed as no objection.
    #[test]
    fn a_reservation_is_followed_as_no_objection() {
        assert_eq!(followed(Answer::Reservation), Answer::Objection(false));
        assert_eq!(followed(Answer::Vote(Vote::No)), Answer::Vote(Vote::No));
        assert_eq!(word(Answer::Reservation), word(Answer::Objection(false)));
    }
}
