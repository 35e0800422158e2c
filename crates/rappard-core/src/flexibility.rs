//! Special and differential treatment: flexibilities an item or an
//! initiative gives developing Members and least-developed countries.
//!
//! The WTO's agreements give developing Members and LDCs longer periods and
//! lighter commitments. Two that this model follows:
//! - the Trade Facilitation Agreement (2014), Section II: each developing
//!   Member and LDC sorts its commitments into category A (on entry into
//!   force), B (after a transition period) and C (after a transition period
//!   and with capacity-building support), so that it commits only to what it
//!   can implement;
//! - the Agreement on Fisheries Subsidies (WT/MIN(22)/33, 17 June 2022),
//!   Art. 4 (its paragraph 4, as far as we read the text: verify before
//!   citing the paragraph): for two years from entry into force, subsidies
//!   a developing Member or LDC grants for fishing within its exclusive
//!   economic zone are exempt from action under the prohibition on
//!   subsidies to fishing of overfished stocks.
//!
//! Li Ke, "Stagnation and Breakthrough of WTO Multilateral Trade
//! Negotiations", *Journal of Hubei University of Economics* 21(5), 2023,
//! §1.2.1 (special and differential treatment makes up for developing
//! countries' lack of capacity) and §3.1 (the joint statement initiatives
//! ignore development, bypassing the Doha Round's discussion of flexibility
//! and special treatment for developing Members and LDCs).
//!
//! The model (assumptions, named as such):
//! - A flexibility widens the tolerance of a beneficiary's ideal-point
//!   strategy by `tolerance_widening` (a share of the 0–10,000 scale) on
//!   that item or initiative: a text it could not live with may be
//!   acceptable when it need not apply it at once or in full. Fixed stances
//!   do not move.
//! - An initiative with flexibilities therefore draws more developing
//!   participants, and one without them fewer: a delegation joins when it
//!   would not object to the convenors' text (`crate::strategy`), and the
//!   widening makes that more likely for beneficiaries. Nothing else draws
//!   or repels them.
//! - The transition period is recorded with the item and its decision; the
//!   model ends at the decision and does not simulate implementation.
//! - A package decision (single undertaking) asks about every item at once;
//!   no flexibility applies to it.
//! - Default: no flexibility, today's behaviour.

use serde::{Deserialize, Serialize};

use crate::member::{Development, MemberId, Membership};
use crate::protocol::Level;

/// The flexibilities of one item or initiative (`sdt = { ... }`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flexibility {
    /// How much the beneficiaries' tolerance widens, in levels.
    pub tolerance_widening: Level,
    /// The transition period before the beneficiaries must apply it, in
    /// years.
    pub transition_years: u32,
    /// Who benefits, by development status.
    #[serde(rename = "for")]
    pub beneficiaries: Vec<Development>,
}

impl Flexibility {
    /// The delegations of `roll` that benefit, in id order.
    pub fn beneficiaries_in(&self, roll: &Membership) -> Vec<MemberId> {
        roll.delegations()
            .filter(|m| self.beneficiaries.contains(&m.development))
            .map(|m| m.id.clone())
            .collect()
    }
}

/// What a call on an item with flexibilities carries: the widening and who
/// has it, so each delegation's node decides as it would in the simulation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Granted {
    /// The widening of the tolerance, in levels.
    pub widening: Level,
    /// The delegations that have it, in id order.
    pub beneficiaries: Vec<MemberId>,
}

impl Granted {
    /// The widening `member` has under it (0 if it does not benefit).
    pub fn widening_for(&self, member: &MemberId) -> Level {
        if self.beneficiaries.binary_search(member).is_ok() {
            self.widening
        } else {
            0
        }
    }
}
