//! Voting: Marrakesh Agreement Art. IX:1, IX:2, IX:3, X:1 and XII:2.
//!
//! Art. IX:1: "Except as otherwise provided, where a decision cannot be
//! arrived at by consensus, the matter at issue shall be decided by voting.
//! [...] each Member of the WTO shall have one vote. Where the European
//! Communities exercise their right to vote, they shall have a number of
//! votes equal to the number of their member States which are Members of the
//! WTO. Decisions [...] shall be taken by a majority of the votes cast".
//!
//! - `majority`: yes > no; abstentions are not votes cast; a tie fails.
//! - `two-thirds-of-members` (amendments, Art. X:1; accession, Art. XII:2):
//!   yes ≥ ⌈2/3 × the number of Members⌉, present or not.
//! - `three-fourths-of-members` (interpretations, Art. IX:2; waivers,
//!   Art. IX:3): yes ≥ ⌈3/4 × the number of Members⌉.
//!
//! Votes are weighted: the EU casts as many votes as its member States that
//! are Members and they then do not vote. The base of "two-thirds" or
//! "three-fourths of the Members" is the number of Members, the EU counted
//! as one Member beside its member States: with 166 Members, 111 and 125.
//! This is how the WTO counts such thresholds: the Agreement on Fisheries
//! Subsidies (Protocol of Amendment of 17 June 2022) entered into force on
//! 15 September 2025 when two-thirds of the 166 Members, 111, had accepted
//! it. Li Ke, "Stagnation and Breakthrough of WTO Multilateral Trade
//! Negotiations", *Journal of Hubei University of Economics* 21(5), 2023,
//! §2.1.1, "Flaws in the formal decision-making mechanism", and its notes
//! 5–6, observes that voting is only symbolic in practice, real differences
//! being settled before any vote: votes are a fallback here, used only when
//! a scenario names them.

use super::{Ballot, DecisionRule, How, Outcome, Rule, Tally};

/// A voting rule: a threshold over a base.
#[derive(Clone, Copy, Debug)]
pub struct Vote {
    rule: Rule,
    /// Numerator and denominator of the threshold over all Members' votes,
    /// or `None` for a majority of votes cast.
    of_all_members: Option<(u32, u32)>,
}

/// A majority of the votes cast (Art. IX:1).
pub const MAJORITY: Vote = Vote {
    rule: Rule::Majority,
    of_all_members: None,
};

/// Two-thirds of the Members (Art. X:1, XII:2).
pub const TWO_THIRDS_OF_MEMBERS: Vote = Vote {
    rule: Rule::TwoThirdsOfMembers,
    of_all_members: Some((2, 3)),
};

/// Three-fourths of the Members (Art. IX:2, IX:3).
pub const THREE_FOURTHS_OF_MEMBERS: Vote = Vote {
    rule: Rule::ThreeFourthsOfMembers,
    of_all_members: Some((3, 4)),
};

impl Vote {
    /// The yes votes needed for adoption, given the votes cast and the votes
    /// all Members hold. For a majority of votes cast it is `no + 1`.
    pub fn threshold(&self, tally: &Tally) -> u32 {
        match self.of_all_members {
            None => tally.votes.no + 1,
            Some((num, den)) => (tally.members * num).div_ceil(den),
        }
    }
}

impl DecisionRule for Vote {
    fn rule(&self) -> Rule {
        self.rule
    }

    fn ballot(&self) -> Ballot {
        Ballot::VoteAtMeeting
    }

    fn how(&self) -> How {
        How::Vote
    }

    fn required(&self, tally: &Tally) -> Option<u32> {
        Some(self.threshold(tally))
    }

    fn decide(&self, tally: &Tally) -> Outcome {
        if tally.votes.yes >= self.threshold(tally) {
            Outcome::Adopted
        } else {
            Outcome::Rejected
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Votes;

    fn tally(yes: u32, no: u32, abstain: u32, members: u32) -> Tally {
        Tally {
            objectors: vec![],
            votes: Votes { yes, no, abstain },
            members,
        }
    }

    /// Art. IX:1: majority of votes cast; abstentions are not cast; a tie fails.
    #[test]
    fn majority_of_votes_cast() {
        assert_eq!(MAJORITY.decide(&tally(3, 2, 50, 165)), Outcome::Adopted);
        assert_eq!(MAJORITY.decide(&tally(2, 2, 0, 165)), Outcome::Rejected);
        assert_eq!(MAJORITY.decide(&tally(1, 0, 100, 165)), Outcome::Adopted);
    }

    /// Art. XII:2: two-thirds of the Members, counted over all Members
    /// (the EU included), not those present: 166 Members need 111 yes, as
    /// the 111 acceptances that brought the Agreement on Fisheries Subsidies
    /// into force on 15 September 2025.
    #[test]
    fn two_thirds_counts_all_members() {
        assert_eq!(TWO_THIRDS_OF_MEMBERS.threshold(&tally(0, 0, 0, 166)), 111);
        assert_eq!(
            TWO_THIRDS_OF_MEMBERS.decide(&tally(111, 0, 0, 166)),
            Outcome::Adopted
        );
        assert_eq!(
            TWO_THIRDS_OF_MEMBERS.decide(&tally(110, 0, 0, 166)),
            Outcome::Rejected
        );
        // 100 yes and no one against is not enough with 166 Members.
        assert_eq!(
            TWO_THIRDS_OF_MEMBERS.decide(&tally(100, 0, 0, 166)),
            Outcome::Rejected
        );
        // 2/3 of 10 is 6.67: 7 needed.
        assert_eq!(TWO_THIRDS_OF_MEMBERS.threshold(&tally(0, 0, 0, 10)), 7);
    }

    /// Art. IX:2–3: three-fourths of the Members: 166 Members need 125 yes.
    #[test]
    fn three_fourths_counts_all_members() {
        assert_eq!(
            THREE_FOURTHS_OF_MEMBERS.threshold(&tally(0, 0, 0, 166)),
            125
        );
        assert_eq!(
            THREE_FOURTHS_OF_MEMBERS.decide(&tally(124, 0, 0, 166)),
            Outcome::Rejected
        );
        assert_eq!(THREE_FOURTHS_OF_MEMBERS.threshold(&tally(0, 0, 0, 8)), 6);
    }
}
