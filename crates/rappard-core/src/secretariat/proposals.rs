//! The chair hears Members' amendments to its text and decides when to
//! issue one (`[chair] amendments`, `[chair] issue_when_spread_below`):
//! the mechanisms, their sources and their modelling assumptions are in
//! `crate::proposal` (Li Ke, "Stagnation and Breakthrough of WTO
//! Multilateral Trade Negotiations", *Journal of Hubei University of
//! Economics* 21(5), 2023, §2.1.2: Members' proposals are "only for the
//! chair's reference", their uptake "depends more on national strength").
//!
//! Both work on what the protocol already carries: an amendment is the
//! level a delegation states in a round after it objected to the chair's
//! text, and the spread is that of the levels stated.

use super::{Secretariat, levels};
use crate::member::MemberId;
use crate::proposal::{self, groups};
use crate::protocol::{Level, Stated};
use crate::record::Event;

impl Secretariat {
    /// Whether the chair withholds its text this round (`[chair]
    /// issue_when_spread_below`): the spread of the levels stated is not
    /// below the threshold and the chair has not yet waited its most.
    /// Records `text-withheld` when it does.
    pub(super) fn withholds_text(&mut self, item: usize, stated: &[(MemberId, Stated)]) -> bool {
        let Some(timing) = self.agenda.chair.timing else {
            return false;
        };
        let spread = proposal::spread(&levels(stated));
        if !timing.withholds(spread, self.items[item].withheld) {
            self.items[item].withheld = 0;
            return false;
        }
        self.items[item].withheld += 1;
        self.emit(Event::TextWithheld {
            item: self.agenda.items[item].id.clone(),
            round: self.items[item].round,
            spread,
            below: timing.spread_below,
        });
        true
    }

    /// The chair's draft after the Members' amendments (`[chair]
    /// amendments`): each delegation that objected to the last text and
    /// states a level proposes it; the chair takes each up or not, in
    /// member-id order, by a draw weighted by trade; those taken up move
    /// the text, and stay in every later draft of the item.
    pub(super) fn amend(
        &mut self,
        item: usize,
        draft: Level,
        stated: &[(MemberId, Stated)],
    ) -> Level {
        let Some(amendments) = self.agenda.chair.amendments else {
            return draft;
        };
        let st = &self.items[item];
        let (Some(against), Some((_, objectors))) = (st.text, st.last.clone()) else {
            return proposal::amended(draft, st.amended);
        };
        let round = st.round;
        let id = self.agenda.items[item].id.clone();
        let mut proposals: Vec<(MemberId, Level)> = stated
            .iter()
            .filter_map(|(m, s)| match s {
                Stated::Level(l) if objectors.contains(m) => Some((m.clone(), *l)),
                _ => None,
            })
            .collect();
        proposals.sort();
        let mut taken = Vec::new();
        for (member, level) in proposals {
            let roll = self.agenda.membership.get(member.as_str());
            let share = roll.and_then(|m| m.export_share);
            let (least_developed, large_trader) =
                roll.map_or((false, false), |m| groups(m.development, share));
            let chance = amendments.chance(share);
            self.emit(Event::AmendmentProposed {
                item: id.clone(),
                round,
                member: member.clone(),
                level,
                against,
                least_developed,
                large_trader,
                chance,
            });
            let seed = self.agenda.seed;
            let event = if amendments.taken_up(seed, &id, round, member.as_str(), chance) {
                taken.push(level);
                Event::AmendmentTakenUp {
                    item: id.clone(),
                    round,
                    member,
                }
            } else {
                Event::AmendmentNotTakenUp {
                    item: id.clone(),
                    round,
                    member,
                }
            };
            self.emit(event);
        }
        let moved = proposal::shift(against, &taken, levels(stated).len());
        self.items[item].amended += moved;
        proposal::amended(draft, self.items[item].amended)
    }
}
