//! Written procedure: a proposed decision circulated to all Members with a
//! deadline, adopted unless a Member objects in writing by then.
//!
//! Source: WTO practice during the COVID-19 pandemic (2020–21), when the
//! General Council and other bodies, unable to meet in person, circulated
//! draft decisions by written procedure (for example the 2020 decisions
//! extending deadlines and the appointment of the chairs of WTO bodies). A
//! written procedure runs to a deadline in Geneva time, and an objection by
//! any Member ends it and sends the matter back to a meeting, since some
//! Members would not accept decisions taken without one. Caveat: the
//! individual decisions and their document symbols are not cited here; the
//! rule follows the practice as described, not a text.
//!
//! Every Member is asked, present or not and whatever its time zone: the
//! deadline spans days, so no delegation is shut out by office hours.
//! Silence is consent; one objection blocks.

use super::{Ballot, DecisionRule, How, Outcome, Rule, Tally};

/// Adoption unless any Member objects in writing by the deadline.
#[derive(Clone, Copy, Debug, Default)]
pub struct WrittenProcedure;

impl DecisionRule for WrittenProcedure {
    fn rule(&self) -> Rule {
        Rule::WrittenProcedure
    }

    fn ballot(&self) -> Ballot {
        Ballot::ObjectionInWriting
    }

    fn how(&self) -> How {
        How::WrittenProcedure
    }

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

    /// 2020–21 practice: adopted unless any Member objects by the deadline.
    #[test]
    fn any_objection_blocks() {
        assert_eq!(WrittenProcedure.decide(&Tally::default()), Outcome::Adopted);
        let t = Tally {
            objectors: vec![MemberId::new("JPN").expect("id")],
            ..Tally::default()
        };
        assert_eq!(WrittenProcedure.decide(&t), Outcome::Blocked);
        assert_eq!(WrittenProcedure.ballot(), Ballot::ObjectionInWriting);
    }
}
