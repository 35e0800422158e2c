//! Consensus: Marrakesh Agreement Establishing the WTO, Art. IX:1 and its
//! footnote 1.
//!
//! Art. IX:1: "The WTO shall continue the practice of decision-making by
//! consensus followed under GATT 1947." Footnote 1: "The body concerned shall
//! be deemed to have decided by consensus on a matter submitted for its
//! consideration, if no Member, present at the meeting when the decision is
//! taken, formally objects to the proposed decision."
//!
//! So only Members *present* are asked, and only a formal objection blocks:
//! absence and silence are not objections. Li Ke, "Stagnation and
//! Breakthrough of WTO Multilateral Trade Negotiations", *Journal of Hubei
//! University of Economics* 21(5), 2023, §2.1.1, "Flaws in the formal
//! decision-making mechanism", calls consensus the "Achilles' heel" of
//! multilateral negotiations: any one Member can block a deal.

use super::{Ballot, DecisionRule, How, Outcome, Rule, Tally};

/// Consensus among the Members present.
#[derive(Clone, Copy, Debug, Default)]
pub struct Consensus;

impl DecisionRule for Consensus {
    fn rule(&self) -> Rule {
        Rule::Consensus
    }

    fn ballot(&self) -> Ballot {
        Ballot::ObjectionAtMeeting
    }

    fn how(&self) -> How {
        How::Consensus
    }

    /// Adopted when no present Member formally objected.
    fn decide(&self, tally: &Tally) -> Outcome {
        if tally.objectors.is_empty() {
            Outcome::Adopted
        } else {
            Outcome::Blocked
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::member::MemberId;

    /// Art. IX:1 fn. 1: no formal objection from a Member present → adopted;
    /// the tally holds only present objectors, so an absent one never blocks.
    #[test]
    fn one_present_objector_blocks_and_silence_does_not() {
        let silent = Tally::default();
        assert_eq!(Consensus.decide(&silent), Outcome::Adopted);
        let one = Tally {
            objectors: vec![MemberId::new("IND").expect("id")],
            ..Tally::default()
        };
        assert_eq!(Consensus.decide(&one), Outcome::Blocked);
    }
}
