//! Acceptance of amendments: Marrakesh Agreement Establishing the WTO,
//! Art. X:3.
//!
//! A decision to submit an amendment to the Members for acceptance (Art.
//! X:1; the named rule `amendment`, [`crate::rules::named`]) is not its
//! entry into force. Each Member then accepts it, or not, by depositing an
//! instrument of acceptance when its own procedures allow. Under Art. X:3 an
//! amendment that alters the Members' rights and obligations takes effect
//! for the Members that have accepted it upon acceptance by two-thirds of
//! the Members, and thereafter for each other Member upon acceptance by it
//! (paraphrased: the wording could not be checked here). The Trade
//! Facilitation Agreement entered into force that way on 22 February 2017,
//! when two-thirds of the 164 Members had accepted its Protocol of
//! Amendment (General Council Decision of 27 November 2014, WT/L/940); the
//! Agreement on Fisheries Subsidies on 15 September 2025, when 111 of 166
//! had accepted (Ministerial Decision of 17 June 2022, WT/MIN(22)/33 –
//! WT/L/1144).
//!
//! How rappard counts:
//! - **The threshold** is ⌈2/3 × the number of Members⌉ on the day, the EU
//!   counted as one Member beside its member States (as the thresholds of
//!   `crate::rules::vote`): it rises when an accession completes (107 of
//!   160 Members, 110 of 164, 111 of 166).
//! - **The EU's instrument** counts for the EU and each of its member
//!   States in the negotiation (they are Members, represented by the EU:
//!   `crate::member`). That the EU's acceptance covered its member States
//!   is reported for the Trade Facilitation Agreement; whether the EU was
//!   counted on top of them could not be checked, so this is a modelling
//!   assumption.
//! - **Entry into force** falls on the day the threshold is reached, for
//!   every Member that has accepted by the end of that day (acceptances
//!   deposited on the same day are counted together); for each later one,
//!   on the day of its acceptance.
//! - **An applicant** may deposit before it is a Member (Comoros and
//!   Timor-Leste deposited their acceptances of the Agreement on Fisheries
//!   Subsidies with their instruments of accession); its acceptance counts
//!   from the day it becomes a Member.
//!
//! **When each Member accepts** is a modelling assumption, not a fact about
//! any Member. Unless the scenario gives it (`[item.acceptance]`: a date,
//! a number of days after the decision, or `never`), it is drawn from the
//! seed, in a stream of its own for each Member and item (`crate::rng`):
//! the delay in days after the decision is the sum of two whole numbers
//! drawn uniformly from 1 to the mean of the Member's development status
//! ([`MeanDays`]), so it lies between 2 days and twice the mean and is most
//! often near the mean. By default the mean is one year for developed
//! Members, two for developing and three for least-developed Members
//! ([`DEFAULT_MEAN_DAYS`]): ratification takes longer where administrations
//! are smaller, an assumption the scenario can change (`acceptance_days`).
//! With these defaults two-thirds of today's 166 Members have accepted
//! between 25 and 31 months after the decision in forty seeds, near the 27
//! months the Trade Facilitation Agreement took. A Member that accedes after the decision draws
//! its delay from the day it becomes a Member. Every deposit falls at 12:00
//! UTC of its day.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::member::{Development, MemberId};
use crate::rng::Rng;

/// The mean delay, in days after the decision, of a Member's acceptance,
/// by development status (module doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MeanDays {
    /// Developed Members.
    pub developed: u32,
    /// Developing Members.
    pub developing: u32,
    /// Least-developed Members.
    pub least_developed: u32,
}

/// The default means: one, two and three years (a modelling assumption).
pub const DEFAULT_MEAN_DAYS: MeanDays = MeanDays {
    developed: 365,
    developing: 730,
    least_developed: 1095,
};

impl MeanDays {
    /// The mean for a development status.
    pub fn of(&self, d: Development) -> u32 {
        match d {
            Development::Developed => self.developed,
            Development::Developing => self.developing,
            Development::LeastDeveloped => self.least_developed,
        }
    }
}

/// When the scenario says a Member accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Given {
    /// On this date (12:00 UTC).
    On(NaiveDate),
    /// This many days after the decision (for a Member that accedes later,
    /// after its membership).
    DaysAfter(u32),
    /// It does not accept during the run.
    Never,
}

/// How the Members accept an amendment: what the scenario gives, and the
/// model for the others.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcceptanceSpec {
    /// Acceptances the scenario fixes, by Member (or applicant).
    pub given: BTreeMap<MemberId, Given>,
    /// The model's means for the others.
    pub mean_days: MeanDays,
}

impl Default for AcceptanceSpec {
    fn default() -> Self {
        Self {
            given: BTreeMap::new(),
            mean_days: DEFAULT_MEAN_DAYS,
        }
    }
}

/// The key of a Member's acceptance stream for `item`: no item id has a
/// `:`, so it is never an item's own key (module doc of `crate::rng`).
fn stream_key(item: &str) -> String {
    format!("acceptance:{item}")
}

/// The drawn delay, in days, of `member`'s acceptance of `item` under
/// `seed`, for a mean of `mean` days: the sum of two draws from 1 to the
/// mean (module doc).
pub fn drawn_days(seed: u64, item: &str, member: &str, mean: u32) -> u32 {
    let mut rng = Rng::for_member(seed, &stream_key(item), member);
    let mean = mean.max(1);
    rng.range(1, mean) + rng.range(1, mean)
}

/// The acceptances an amendment needs to enter into force among `members`
/// Members: two-thirds of them, rounded up (Art. X:3).
pub fn required(members: u32) -> u32 {
    (members * 2).div_ceil(3)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Art. X:3 counts two-thirds of the Members on the day: 110 of 164
    /// (the Trade Facilitation Agreement, 22 February 2017), 111 of 166
    /// (the Agreement on Fisheries Subsidies, 15 September 2025).
    #[test]
    fn two_thirds_of_the_members_on_the_day() {
        assert_eq!(required(164), 110);
        assert_eq!(required(165), 110);
        assert_eq!(required(166), 111);
        assert_eq!(required(160), 107);
    }

    /// The drawn delays lie between 2 days and twice the mean, are the
    /// same for the same seed, item and Member, and differ by Member.
    #[test]
    fn drawn_delays_are_seeded_and_bounded() {
        let d = drawn_days(7, "tfa", "BRA", 730);
        assert_eq!(d, drawn_days(7, "tfa", "BRA", 730));
        assert!((2..=1460).contains(&d));
        let all: Vec<u32> = ["ARG", "BRA", "CHL", "IND", "USA"]
            .iter()
            .map(|m| drawn_days(7, "tfa", m, 730))
            .collect();
        assert!(all.windows(2).any(|w| w[0] != w[1]));
        let mean = (0..2000)
            .map(|i| u64::from(drawn_days(i, "x", "BRA", 365)))
            .sum::<u64>()
            / 2000;
        assert!((340..=390).contains(&mean), "{mean}");
    }
}
