//! How the chair builds a text: the [`DraftingPolicy`] trait.
//!
//! A chair's text is drafted "on the chair's own responsibility" and is "not
//! an agreed text" (the standing caveat on WTO chairs' texts, e.g. the
//! agriculture and NAMA chairs' texts of the Doha Round); its timing and
//! content depend on the chair and the Secretariat with no binding rules
//! (Li Ke, "Stagnation and Breakthrough of WTO Multilateral Trade
//! Negotiations", *Journal of Hubei University of Economics* 21(5), 2023,
//! §2.1.2, "The informal decision-making mechanism works poorly"). The same
//! paper (§3.2, "Gradually removing the flaws of informal decision-making")
//! proposes three co-chairs per topic, each of whom must sign a draft before
//! it is issued, and feedback gathered before (the consultation round) and
//! after (the reactions) its release; the signatures are handled by the
//! Secretariat, the drafting here.
//!
//! [`Median`] drafts at the median of the levels stated by the delegations
//! present (the lower median for an even count; ties by member id do not
//! arise, since only levels are compared): the text that a majority on
//! either side cannot move, the natural compromise of the spatial model.
//! Delegations that state a stance and no level do not move the text. With
//! no level stated the chair keeps its previous text, or starts at the
//! middle, 5,000.

use crate::protocol::Level;

/// How a chair drafts.
pub trait DraftingPolicy: Send + Sync {
    /// The text, from the levels stated this round (in member-id order) and
    /// the previous text.
    fn draft(&self, stated: &[Level], previous: Option<Level>) -> Level;
}

/// The median of stated levels.
#[derive(Clone, Copy, Debug, Default)]
pub struct Median;

impl DraftingPolicy for Median {
    fn draft(&self, stated: &[Level], previous: Option<Level>) -> Level {
        if stated.is_empty() {
            return previous.unwrap_or(5_000);
        }
        let mut v = stated.to_vec();
        let k = (v.len() - 1) / 2;
        *v.select_nth_unstable(k).1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_is_the_lower_middle() {
        assert_eq!(Median.draft(&[9_000, 1_000, 5_000], None), 5_000);
        assert_eq!(Median.draft(&[1_000, 2_000, 3_000, 4_000], None), 2_000);
        assert_eq!(Median.draft(&[], Some(4_200)), 4_200);
        assert_eq!(Median.draft(&[], None), 5_000);
    }
}
