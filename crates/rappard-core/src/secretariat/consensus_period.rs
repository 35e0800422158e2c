//! The consensus period of a waiver or an amendment (Marrakesh Agreement
//! Art. IX:3(a), X:1; the named rules of [`crate::rules::named`]).
//!
//! While the period runs, only consensus can decide the item. A formal
//! objection at the decision does not lead to a vote: no decision is taken
//! (`consensus-not-reached`, with the end of the period), and the item goes
//! back to consultation, with a round at each session as before. Nor are
//! consultations "exhausted" while the period runs: that rule of the chair
//! (`items`) exists to bring a text to a vote, and no vote can be taken
//! yet. Once the period has run, an objection at the decision sends the
//! item to its vote (or blocks a waiver of a transition obligation, which
//! has none), and the chair may table a text that has met the same
//! objections three rounds in a row, as for any voting rule.
//!
//! An item with a fixed decision meeting that falls within the period and
//! meets an objection goes back to consultation like any other: from then
//! on it is decided at a session, and lapses at its deadline if no text is
//! tabled by then. An item whose deadline has passed by the time consensus
//! fails lapses at once.

use super::Secretariat;
use super::items::Phase;
use super::schedule::{Happening, ItemHappening, point};
use crate::member::MemberId;
use crate::record::Event;

impl Secretariat {
    /// Whether `item`'s consensus period is running now.
    pub(super) fn in_consensus_period(&self, item: usize) -> bool {
        self.agenda.items[item]
            .consensus_until
            .is_some_and(|until| self.now < until)
    }

    /// Whether a vote could decide `item` now: its rule votes or falls back
    /// to a vote, and no consensus period is running.
    pub(super) fn votable_now(&self, item: usize) -> bool {
        let spec = &self.agenda.items[item];
        (spec.rule.is_vote() || spec.fallback.is_some()) && !self.in_consensus_period(item)
    }

    /// Whether `item` has a fixed decision meeting still ahead.
    pub(super) fn fixed_meeting_ahead(&self, item: usize) -> bool {
        self.agenda.items[item]
            .meeting
            .is_some_and(|m| self.now < m.start)
    }

    /// A Member objected at the decision while the period runs: recorded,
    /// and the item goes back to consultation (or lapses, if its deadline
    /// has passed).
    pub(super) fn consensus_not_reached(&mut self, item: usize, objectors: Vec<MemberId>) {
        let spec = &self.agenda.items[item];
        let (id, deadline) = (spec.id.clone(), spec.deadline);
        let Some(until) = spec.consensus_until else {
            return;
        };
        let fixed = spec.meeting.is_some();
        self.emit(Event::ConsensusNotReached {
            item: id,
            version: self.items[item].version,
            objectors,
            until,
        });
        if self.now >= deadline {
            let reason = "its deadline passed while consensus was sought".to_owned();
            self.lapse(item, reason);
            return;
        }
        self.items[item].phase = Phase::Consulting;
        if fixed {
            // Its fixed meeting is past: it now lapses at its deadline, as
            // an item without one.
            let what = ItemHappening::Deadline;
            let h = Happening::Item { what, item };
            self.schedule.insert((deadline, h), point(deadline));
        }
    }
}
