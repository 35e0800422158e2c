//! How the chair builds a text: the [`DraftingPolicy`] trait, the chair's
//! policies ([`Median`], [`WeightedMedian`]) and the chair's own bias
//! ([`Chair`]).
//!
//! A chair's text is drafted "on the chair's own responsibility" and is "not
//! an agreed text" (the standing caveat on WTO chairs' texts, e.g. the
//! agriculture and NAMA chairs' texts of the Doha Round); its timing and
//! content depend on the chair and the Secretariat with no binding rules
//! (Li Ke, "Stagnation and Breakthrough of WTO Multilateral Trade
//! Negotiations", *Journal of Hubei University of Economics* 21(5), 2023,
//! §2.1.2, "The informal decision-making mechanism works poorly"). The same
//! section says why the plain median is not the whole story: Members'
//! proposals are "only for the chair's reference", and whether the chair
//! takes them up "depends more on national strength"; and the text is the
//! chair's own working of the views, with the chair's "personal
//! innovation" in it. §3.2 ("Gradually removing the flaws of informal
//! decision-making") proposes three co-chairs per topic, each of whom must
//! sign a draft, so that collective responsibility guards against "the
//! chair's personal political bias"; the signatures and the revisions they
//! force are handled by the Secretariat (`secretariat::items`), the drafting
//! here.
//!
//! * [`Median`] drafts at the median of the levels stated by the delegations
//!   present (the lower median for an even count): the text that a majority
//!   on either side cannot move, the natural compromise of the spatial
//!   model. It is the default (`[chair] drafting = "median"`).
//! * [`WeightedMedian`] drafts at the median weighted by trade weight, a
//!   delegation's export share raised to a power α (`[chair] alpha`,
//!   default 1): the chair hears the large traders more (§2.1.2, above).
//!   The weight is a **modelling assumption** (the paper names "national
//!   strength", not a formula); export shares are the dataset's 2019
//!   figures. α = 0 gives every delegation the same weight, which is the
//!   plain median. A delegation without an export share weighs nothing;
//!   when no stated level has weight, the plain median is drafted.
//! * [`Chair`] adds the chair's own bias (`[chair] bias = { ideal, weight }`,
//!   default none): the text is moved from the policy's point towards the
//!   chair's ideal by the weight (0 to 1), the "personal innovation" of
//!   §2.1.2 read as a pull towards the chair's own preference (a
//!   **modelling assumption**: the paper gives no size).
//!
//! Delegations that state a stance and no level do not move the text. With
//! no level stated the chair keeps its previous text, or starts at the
//! middle, 5,000.

use crate::member::ExportShare;
use crate::protocol::{Level, MAX_LEVEL};

/// A level stated by a delegation, with its export share (0.0001 % units;
/// `None` when the roll gives none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Statement {
    /// The level stated.
    pub level: Level,
    /// The delegation's share of world exports.
    pub export_share: Option<ExportShare>,
}

/// How a chair drafts.
pub trait DraftingPolicy: Send + Sync {
    /// The text, from the levels stated this round (in member-id order) and
    /// the previous text.
    fn draft(&self, stated: &[Level], previous: Option<Level>) -> Level;

    /// The text from the levels stated with who stated them: by default the
    /// same as [`DraftingPolicy::draft`] on the levels alone.
    fn draft_from(&self, stated: &[Statement], previous: Option<Level>) -> Level {
        let levels: Vec<Level> = stated.iter().map(|s| s.level).collect();
        self.draft(&levels, previous)
    }
}

/// The median of stated levels.
#[derive(Clone, Copy, Debug, Default)]
pub struct Median;

impl DraftingPolicy for Median {
    fn draft(&self, stated: &[Level], previous: Option<Level>) -> Level {
        if stated.is_empty() {
            return previous.unwrap_or(MAX_LEVEL / 2);
        }
        let mut v = stated.to_vec();
        let k = (v.len() - 1) / 2;
        *v.select_nth_unstable(k).1
    }
}

/// The median weighted by export share to the power `alpha` (module doc).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WeightedMedian {
    /// The power α of the export share.
    pub alpha: f64,
}

impl DraftingPolicy for WeightedMedian {
    fn draft(&self, stated: &[Level], previous: Option<Level>) -> Level {
        Median.draft(stated, previous)
    }

    fn draft_from(&self, stated: &[Statement], previous: Option<Level>) -> Level {
        let mut weighted: Vec<(Level, f64)> = stated
            .iter()
            .map(|s| (s.level, self.weight(s.export_share)))
            .collect();
        let total: f64 = weighted.iter().map(|(_, w)| w).sum();
        if total.is_nan() || total <= 0.0 {
            let levels: Vec<Level> = stated.iter().map(|s| s.level).collect();
            return Median.draft(&levels, previous);
        }
        // Stable: equal levels keep member-id order (only levels count).
        weighted.sort_by_key(|(l, _)| *l);
        let mut cumulative = 0.0;
        for (level, w) in &weighted {
            cumulative += w;
            if cumulative * 2.0 >= total {
                return *level;
            }
        }
        weighted.last().map_or(MAX_LEVEL / 2, |(l, _)| *l)
    }
}

impl WeightedMedian {
    /// A delegation's trade weight: its export share (percent) to the power α.
    fn weight(&self, share: Option<ExportShare>) -> f64 {
        let pct = f64::from(share.unwrap_or(0)) / 10_000.0;
        if self.alpha == 0.0 {
            return 1.0;
        }
        pct.powf(self.alpha)
    }
}

/// The chair's own preference: an ideal point and how hard it pulls.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bias {
    /// The chair's ideal level.
    pub ideal: Level,
    /// How far the text moves from the policy's point towards the ideal,
    /// 0 (not at all) to 1 (all the way).
    pub weight: f64,
}

impl Bias {
    /// `text` moved towards the ideal by the weight, rounded to a level.
    pub fn pull(&self, text: Level) -> Level {
        let t = f64::from(text);
        let moved = t + (f64::from(self.ideal) - t) * self.weight;
        moved.round().clamp(0.0, f64::from(MAX_LEVEL)) as Level
    }
}

/// Which policy the chair drafts with (`[chair] drafting`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Drafting {
    /// The plain median (the default).
    #[default]
    Median,
    /// The median weighted by export share to the power α.
    WeightedMedian {
        /// α.
        alpha: f64,
    },
}

impl Drafting {
    /// The name written in scenario files and the minutes.
    pub fn as_str(self) -> &'static str {
        match self {
            Drafting::Median => "median",
            Drafting::WeightedMedian { .. } => "weighted-median",
        }
    }
}

/// How a co-chair decides whether to sign a draft (`[chair] co_chairs_sign`).
///
/// Li Ke 2023, §3.2, asks for co-chairs as a check on "the chair's personal
/// political bias", and says nothing of how a co-chair decides. rappard's
/// **modelling assumption**, by default: a co-chair acts for the group,
/// not for its capital, and signs a draft that lies within
/// [`CO_CHAIR_TOLERANCE`] of the unweighted median of the levels the
/// Members present stated in the round (`Median`). The other model, a
/// co-chair that signs when its own delegation would not object
/// (`National`), is kept for comparison: with it a co-chair defends its
/// national position.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CoChairSigning {
    /// Signs within [`CO_CHAIR_TOLERANCE`] of the Members' median.
    #[default]
    Median,
    /// Signs when its delegation would not object to the text.
    National,
}

impl CoChairSigning {
    /// The name written in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            CoChairSigning::Median => "median",
            CoChairSigning::National => "national",
        }
    }
}

/// How far from the Members' median a co-chair signing by
/// [`CoChairSigning::Median`] lets a draft lie: 500 levels, 5 % of the
/// scale (a **modelling assumption**).
pub const CO_CHAIR_TOLERANCE: Level = 500;

/// Whether a co-chair signing by the Members' median signs `text`.
pub fn signs_by_median(text: Level, median: Level) -> bool {
    text.abs_diff(median) <= CO_CHAIR_TOLERANCE
}

/// The chair: a drafting policy and, perhaps, a bias (module doc).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Chair {
    /// The policy.
    pub drafting: Drafting,
    /// The chair's own bias, if any.
    pub bias: Option<Bias>,
}

impl DraftingPolicy for Chair {
    fn draft(&self, stated: &[Level], previous: Option<Level>) -> Level {
        let text = Median.draft(stated, previous);
        self.bias.map_or(text, |b| b.pull(text))
    }

    fn draft_from(&self, stated: &[Statement], previous: Option<Level>) -> Level {
        let text = match self.drafting {
            Drafting::Median => Median.draft_from(stated, previous),
            Drafting::WeightedMedian { alpha } => {
                WeightedMedian { alpha }.draft_from(stated, previous)
            }
        };
        self.bias.map_or(text, |b| b.pull(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(level: Level, pct: u32) -> Statement {
        Statement {
            level,
            export_share: Some(pct * 10_000),
        }
    }

    #[test]
    fn median_is_the_lower_middle() {
        assert_eq!(Median.draft(&[9_000, 1_000, 5_000], None), 5_000);
        assert_eq!(Median.draft(&[1_000, 2_000, 3_000, 4_000], None), 2_000);
        assert_eq!(Median.draft(&[], Some(4_200)), 4_200);
        assert_eq!(Median.draft(&[], None), 5_000);
    }

    /// Li Ke 2023, §2.1.2: the large trader is heard more. One Member with
    /// 10 % of world exports against four with 1 % each pulls the weighted
    /// median to its own level; the plain median stays with the four.
    #[test]
    fn weighted_median_follows_the_large_trader() {
        let s = [
            st(2_000, 1),
            st(3_000, 1),
            st(4_000, 1),
            st(5_000, 1),
            st(9_000, 10),
        ];
        assert_eq!(Median.draft_from(&s, None), 4_000);
        assert_eq!(WeightedMedian { alpha: 1.0 }.draft_from(&s, None), 9_000);
        // α = 0: every delegation weighs the same, the plain median.
        assert_eq!(WeightedMedian { alpha: 0.0 }.draft_from(&s, None), 4_000);
        // α = 0.5: √10 ≈ 3.2 against 4: the weighted median is 5,000.
        assert_eq!(WeightedMedian { alpha: 0.5 }.draft_from(&s, None), 5_000);
    }

    #[test]
    fn weighted_median_without_shares_is_the_plain_median() {
        let s = [
            Statement {
                level: 1_000,
                export_share: None,
            },
            Statement {
                level: 7_000,
                export_share: None,
            },
            Statement {
                level: 3_000,
                export_share: None,
            },
        ];
        assert_eq!(WeightedMedian { alpha: 1.0 }.draft_from(&s, None), 3_000);
        assert_eq!(WeightedMedian { alpha: 1.0 }.draft_from(&[], Some(10)), 10);
    }

    /// Li Ke 2023, §2.1.2: the chair's "personal innovation", here a pull
    /// towards the chair's ideal.
    #[test]
    fn a_biased_chair_moves_the_text_towards_its_ideal() {
        let chair = Chair {
            drafting: Drafting::Median,
            bias: Some(Bias {
                ideal: 9_000,
                weight: 0.5,
            }),
        };
        let s = [st(2_000, 1), st(4_000, 1), st(6_000, 1)];
        assert_eq!(chair.draft_from(&s, None), 6_500);
        assert_eq!(Chair::default().draft_from(&s, None), 4_000);
    }
}
