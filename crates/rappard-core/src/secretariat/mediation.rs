//! The Director-General's good offices on a stalled item: confessionals
//! and a bridging proposal (`[secretariat] mode = "proactive"`).
//!
//! Li Ke, "Stagnation and Breakthrough of WTO Multilateral Trade
//! Negotiations", *Journal of Hubei University of Economics* 21(5), 2023,
//! counts the Secretariat's passivity among the forces behind the Doha
//! deadlock (§2.1.3, "谈判管理机制有待优化", the negotiation's management
//! needs improving: the Director-General and the Secretariat only serve the
//! Members as coordinator and spokesman, and the Director-General "can only
//! habitually announce postponements") and proposes that the Secretariat
//! play a more active part in narrowing differences, bridging divides and
//! managing the process (§3.3, "多途径提升WTO管理效能", first point).
//!
//! - **Passive** (the default, today's behaviour): the Secretariat does
//!   nothing about a stall. Rounds go on at every session until the item
//!   is tabled (no objection, or consultations exhausted where a vote is
//!   allowed) or its deadline lapses it. (This model has no deadline
//!   extension: the item's deadline is fixed by the scenario.)
//! - **Proactive**: once an item's rounds have ended `bridging_after` times
//!   in a row without movement (objectors, and no fewer than the round
//!   before), the Director-General holds *confessionals*: each delegation
//!   present tells the Director-General in private the range of texts it
//!   could accept in the next round ([`CallKind::Confessional`]). The
//!   Director-General then makes a *bridging proposal*: the text with the
//!   fewest objections over those ranges ([`fewest_objections`]), which the
//!   chair issues in the next round. DG Pascal Lamy held confessionals with
//!   ministers at the July 2008 mini-ministerial in Geneva and put forward
//!   a compromise package on 25 July 2008 (WTO news of 21-30 July 2008; the
//!   package failed on 29 July over the special safeguard mechanism).
//!
//! **Privacy.** The answers to a confessional go to the Secretariat only:
//! they are never written to the record (which every delegation may
//! follow). The record shows that confessionals were held, who was heard
//! ([`Event::ConfessionalsHeld`]) and the text that followed
//! ([`Event::BridgingProposed`]); the answers themselves exist only in the
//! open call and, on the network, in the Secretariat's own journal, from
//! which a restart replays them, so the same scenario and seed still give
//! the same record.
//!
//! **Modelling assumptions**, named as such: movement is a fall in the
//! number of objectors; `bridging_after` defaults to
//! [`DEFAULT_BRIDGING_AFTER`] rounds; a delegation's range is where it
//! would not object to a text in the next round (for the ideal-point
//! strategy, its ideal ± the tolerance of the round after next); the
//! Director-General drafts at the fewest objections, ties broken as
//! [`fewest_objections`] documents. The real confessionals were about many
//! numbers at once; here the matter is one level.

use super::{ClosedCall, Continuation, Secretariat};
use crate::protocol::{Answer, AnswerError, CallKind, Level, MAX_LEVEL};
use crate::record::Event;
use crate::scenario::SecretariatMode;

/// Default for `[secretariat] bridging_after`: rounds in a row without
/// movement before the Director-General steps in (a modelling assumption).
pub const DEFAULT_BRIDGING_AFTER: u32 = 2;

/// Refuses an acceptable range beyond the scale or upside down.
pub(super) fn check_range(answer: Answer) -> Result<(), AnswerError> {
    let Answer::Confessional(Some((low, high))) = answer else {
        return Ok(());
    };
    for l in [low, high] {
        if l > MAX_LEVEL {
            return Err(AnswerError::LevelOutOfRange(l));
        }
    }
    if low > high {
        return Err(AnswerError::EmptyRange { low, high });
    }
    Ok(())
}

/// The text with the fewest objections over the ranges confessed (`None`,
/// no text acceptable, objects to every text). The candidates are the ends
/// of the ranges and, if any, the current text; the rule for ties: the
/// candidate nearest the current text (without one, nearest the middle of
/// the scale), then the lower level. With no range at all, the current
/// text (or the middle of the scale).
pub fn fewest_objections(ranges: &[Option<(Level, Level)>], current: Option<Level>) -> Level {
    let anchor = current.unwrap_or(MAX_LEVEL / 2);
    let mut candidates: Vec<Level> = ranges.iter().flatten().flat_map(|&(l, h)| [l, h]).collect();
    candidates.push(anchor);
    let objections = |t: Level| {
        ranges
            .iter()
            .filter(|r| !r.is_some_and(|(l, h)| (l..=h).contains(&t)))
            .count()
    };
    candidates
        .into_iter()
        .min_by_key(|&t| (objections(t), t.abs_diff(anchor), t))
        .unwrap_or(anchor)
}

impl Secretariat {
    /// After a round that ended with objections and left the item in
    /// consultation: a proactive Director-General, once the item has gone
    /// `bridging_after` rounds without movement, holds confessionals with
    /// the delegations present. Returns whether it did.
    pub(super) fn mediate_on_stall(&mut self, item: usize, rounds_without_movement: u32) -> bool {
        let spec = self.agenda.secretariat;
        let in_session = self.meeting.as_ref().is_some_and(|m| m.session);
        if spec.mode != SecretariatMode::Proactive
            || rounds_without_movement < spec.bridging_after
            || !in_session
        {
            return false;
        }
        let awaited = self.present_delegations();
        let text = self.items[item].text;
        let then = Continuation::Mediation { item };
        let rule = self.agenda.items[item].rule;
        self.call_on_item(item, CallKind::Confessional, text, awaited, then, rule);
        true
    }

    /// The confessionals are over: the record says who was heard, never
    /// what each said; the Director-General's bridging proposal, the text
    /// with the fewest objections, is the next round's text.
    pub(super) fn confessionals_heard(&mut self, item: usize, c: ClosedCall) {
        let mut heard = Vec::with_capacity(c.answers.len());
        let mut ranges = Vec::with_capacity(c.answers.len());
        for (member, a) in c.answers {
            if let Answer::Confessional(range) = a {
                heard.push(member);
                ranges.push(range);
            }
        }
        self.close_recorded(c.call, c.unanswered);
        let id = self.agenda.items[item].id.clone();
        let st = &mut self.items[item];
        let round = st.round;
        let text = fewest_objections(&ranges, st.text);
        st.pending_text = Some(text);
        st.diverging = 0;
        self.emit(Event::ConfessionalsHeld {
            item: id.clone(),
            round,
            heard,
        });
        self.emit(Event::BridgingProposed {
            item: id,
            round,
            text,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two camps that cannot both be satisfied: the text lies where most
    /// ranges overlap; an objector to everything counts everywhere.
    #[test]
    fn the_text_lies_where_the_fewest_object() {
        let ranges = [
            Some((2_000, 5_000)),
            Some((4_000, 6_000)),
            Some((4_500, 9_000)),
            Some((8_000, 10_000)),
            None,
        ];
        // 4,500 to 5,000 satisfy three; the end nearest the current text.
        assert_eq!(fewest_objections(&ranges, Some(7_000)), 5_000);
        assert_eq!(fewest_objections(&ranges, Some(1_000)), 4_500);
        // Without a text, nearest the middle of the scale.
        assert_eq!(fewest_objections(&ranges, None), 5_000);
        // The current text already has the fewest: it stays.
        assert_eq!(fewest_objections(&ranges, Some(4_800)), 4_800);
    }

    #[test]
    fn ties_go_to_the_nearest_then_the_lower() {
        // 3,000 and 7,000 are as near 5,000: the lower.
        let ranges = [Some((0, 3_000)), Some((7_000, 10_000))];
        assert_eq!(fewest_objections(&ranges, Some(5_000)), 3_000);
        assert_eq!(fewest_objections(&[], Some(1_234)), 1_234);
        assert_eq!(fewest_objections(&[None, None], None), 5_000);
    }

    #[test]
    fn ranges_are_checked() {
        assert!(check_range(Answer::Confessional(None)).is_ok());
        assert!(check_range(Answer::Confessional(Some((0, 10_000)))).is_ok());
        assert_eq!(
            check_range(Answer::Confessional(Some((10, 10_001)))),
            Err(AnswerError::LevelOutOfRange(10_001))
        );
        assert_eq!(
            check_range(Answer::Confessional(Some((6, 5)))),
            Err(AnswerError::EmptyRange { low: 6, high: 5 })
        );
    }
}
