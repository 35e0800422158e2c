//! How a delegation weighs a package of items against each other: the
//! cross-item acceptance model (`[secretariat] link_after`).
//!
//! A Member that cannot accept one item's text alone may accept it in a
//! package with another item it gains on: that is what a package is for.
//! Li Ke, "Stagnation and Breakthrough of WTO Multilateral Trade
//! Negotiations", *Journal of Hubei University of Economics* 21(5), 2023,
//! asks for a Secretariat that narrows differences and bridges divides
//! (§3.3, first point) where the Director-General "can only habitually
//! announce postponements" (§2.1.3); the Secretariat's side, the
//! Director-General linking two stalled items, is in
//! `secretariat::package_deal`. The packages of WTO practice were put
//! together so: the package on agriculture and industrial goods that DG
//! Pascal Lamy put to ministers at the mini-ministerial of 21–29 July 2008
//! (it failed on 29 July 2008 over the special safeguard mechanism), the
//! "Bali package" adopted at the Ninth Ministerial Conference (3–7 December
//! 2013), and the "Geneva package" of the Twelfth (12–17 June 2022, its
//! outcome document WT/MIN(22)/24).
//!
//! **The model, a modelling assumption named as one.** For each item of
//! the package the delegation's *slack* is how far inside its tolerance of
//! the decision round the item's text lies (tolerance minus distance from
//! its ideal; negative beyond it: [`crate::strategy::Strategy::slack`]).
//! It accepts the package, and raises no objection to it, when the sum over
//! the items of slack × the item's importance to it is 0 or more: its
//! combined loss (distance beyond tolerance) is within its combined
//! tolerance. A fixed stance has no slack to trade: `object` objects to
//! any package with its item, `support` and `abstain` count 0. The
//! importance is the position's `importance`, 1 to [`MAX_IMPORTANCE`], by
//! default [`DEFAULT_IMPORTANCE`] (every item weighs the same). Real
//! Members' trade-offs are not known here; the weights in a scenario are
//! chosen for the lesson.

/// The importance of an item to a Member when none is given.
pub const DEFAULT_IMPORTANCE: u16 = 1;

/// The highest importance a position may give.
pub const MAX_IMPORTANCE: u16 = 100;

/// One item of a package as a delegation weighs it: its slack on the
/// item's text (`None`: it objects to the text whatever the rest) and the
/// item's importance to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Term {
    /// Tolerance minus distance, in levels; `None`: no trade possible.
    pub slack: Option<i64>,
    /// The item's importance to the Member.
    pub importance: u16,
}

/// The weighted sum of the slacks, or `None` if an item cannot be traded.
pub fn balance(terms: &[Term]) -> Option<i64> {
    terms
        .iter()
        .map(|t| t.slack.map(|s| s * i64::from(t.importance)))
        .sum()
}

/// Whether a delegation accepts the package (module doc): every item can
/// be traded and the weighted slack is 0 or more.
pub fn accepts(terms: &[Term]) -> bool {
    balance(terms).is_some_and(|b| b >= 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(slack: i64, importance: u16) -> Term {
        Term {
            slack: Some(slack),
            importance,
        }
    }

    /// A loss on one item is made up by a gain on the other it weighs at
    /// least as much; not by a gain it weighs less.
    #[test]
    fn a_loss_is_traded_against_a_weightier_gain() {
        // 2,000 beyond on the first, 2,500 within on the second.
        assert!(accepts(&[term(-2_000, 1), term(2_500, 1)]));
        assert_eq!(balance(&[term(-2_000, 1), term(2_500, 1)]), Some(500));
        // The first weighs twice as much: the loss is not made up.
        assert!(!accepts(&[term(-2_000, 2), term(2_500, 1)]));
        // Exactly balanced: accepted (combined loss within tolerance).
        assert!(accepts(&[term(-2_000, 1), term(1_000, 2)]));
        // Within both: accepted.
        assert!(accepts(&[term(0, 1), term(0, 1)]));
    }

    /// A fixed objection cannot be traded away, whatever the gain.
    #[test]
    fn a_fixed_objection_is_not_traded() {
        let fixed = Term {
            slack: None,
            importance: 1,
        };
        assert!(!accepts(&[fixed, term(10_000, 100)]));
        assert_eq!(balance(&[term(5, 1), fixed]), None);
    }
}
