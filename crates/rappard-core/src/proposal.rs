//! Members' amendments to the chair's text, and the chair's discretion over
//! when to issue a text (`[chair] amendments`, `[chair]
//! issue_when_spread_below`). Not to be confused with `crate::amendment`,
//! amendments of the WTO Agreement under its Art. X.
//!
//! In the Doha Round the chairs of the negotiating groups drafted texts "on
//! their own responsibility" and revised them after hearing the Members'
//! proposals for changes (the agriculture and NAMA chairs' texts of 2007–08
//! went through several revisions that way). Li Ke, "Stagnation and
//! Breakthrough of WTO Multilateral Trade Negotiations", *Journal of Hubei
//! University of Economics* 21(5), 2023, §2.1.2 ("The informal
//! decision-making mechanism works poorly"), says of this practice that
//! Members' proposals "are only for the chair's reference", that whether
//! the chair takes them up "depends more on national strength", and that
//! the timing of a text depends on the chair, with no binding rules.
//!
//! **Amendments.** A delegation that objected to the chair's text in the
//! last round, and states a level in this one, proposes an amendment: its
//! stated level (rappard reads "far from the text" as the delegation's own
//! objection, so no threshold is added). The chair takes each up with a
//! probability that grows with the proposer's trade weight `w`, its export
//! share in percent to the power α: `p = w / (w + 1)`. This is a
//! **modelling assumption** (the paper names "national strength", not a
//! formula), with α = 1 by default (`[chair] amendments = { alpha = 1.0 }`):
//! a Member with 1 % of world exports is taken up half the time, one with
//! 10 % ten times in eleven, one with 0.01 % once in a hundred; α = 0 gives
//! every Member one chance in two. The draw comes from the proposer's own
//! stream of the scenario's seed, keyed by the item and the round
//! ([`Rng::for_member`]), and proposals are taken in member-id order, so
//! the same scenario and seed take up the same amendments. Each amendment
//! taken up moves the text by `1/n` of the way from the text it amends to
//! the amendment's level, `n` the delegations that stated a level (the
//! chair gives it one more voice, as in a mean: a second **modelling
//! assumption**), and stays in the chair's texts: every later draft of the
//! item carries the moves of all the amendments taken up so far, as a
//! chair's revised text carries the changes it accepted. Off by default.
//!
//! **Timing.** With `[chair] issue_when_spread_below = x` the chair issues
//! a text only when the spread of the levels stated by the Members present
//! (highest less lowest) is below `x`; otherwise it records
//! `text-withheld` and waits for the next round. Delegations loosen their
//! instructions from round to round (`crate::strategy`), so a later text
//! meets wider tolerances. An ideal-point delegation states the same
//! level every round, so the spread changes only with who is present; the
//! chair therefore waits at most `[chair] withhold_at_most` rounds in a row
//! (default [`DEFAULT_WITHHOLD_AT_MOST`], a **modelling assumption**) and
//! then issues its text anyway. Off by default; it does not apply at a
//! decision meeting, where a text is needed.

use crate::member::{Development, ExportShare};
use crate::protocol::{Level, MAX_LEVEL};
use crate::rng::Rng;

/// A delegation with at least this share of world exports (0.0001 %
/// units: 1 %) counts as a large trader in the report's account of
/// amendments: at α = 1 its amendments are taken up at least half the
/// time.
pub const LARGE_TRADER_SHARE: ExportShare = 10_000;

/// Default for [`Timing::withhold_at_most`].
pub const DEFAULT_WITHHOLD_AT_MOST: u32 = 3;

/// Members' amendments are on, with this trade weight (module doc).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Amendments {
    /// The power α of the export share.
    pub alpha: f64,
}

impl Default for Amendments {
    fn default() -> Self {
        Self { alpha: 1.0 }
    }
}

impl Amendments {
    /// The chance, in 1/10,000, that the chair takes up an amendment of a
    /// delegation with export share `share`: `w / (w + 1)`, `w` the share in
    /// percent to the power α (none: no chance, unless α = 0).
    pub fn chance(&self, share: Option<ExportShare>) -> u32 {
        let pct = f64::from(share.unwrap_or(0)) / 10_000.0;
        let w = if self.alpha == 0.0 {
            1.0
        } else {
            pct.powf(self.alpha)
        };
        if !w.is_finite() {
            return 10_000;
        }
        (w / (w + 1.0) * 10_000.0).round() as u32
    }

    /// Whether the chair takes up `member`'s amendment on `item` in
    /// `round`, drawn from that member's stream of `seed` (module doc).
    pub fn taken_up(&self, seed: u64, item: &str, round: u32, member: &str, chance: u32) -> bool {
        let key = format!("amendment/{item}/{round}");
        let draw = Rng::for_member(seed, &key, member).range(0, 9_999);
        draw < chance
    }
}

/// Whether a delegation of this development status and export share is
/// counted among the least-developed countries / the large traders.
pub fn groups(development: Development, share: Option<ExportShare>) -> (bool, bool) {
    (
        development == Development::LeastDeveloped,
        share.is_some_and(|s| s >= LARGE_TRADER_SHARE),
    )
}

/// How far the amendments taken up in a round move the text: each by `1/n`
/// of the way from the text it amends (`against`) to its level, `n` the
/// delegations that stated a level.
pub fn shift(against: Level, taken_up: &[Level], n: usize) -> i32 {
    if n == 0 {
        return 0;
    }
    let sum: i64 = taken_up
        .iter()
        .map(|&a| i64::from(a) - i64::from(against))
        .sum();
    (sum as f64 / n as f64).round() as i32
}

/// The draft with the amendments taken up so far (their shifts summed),
/// kept on the scale.
pub fn amended(draft: Level, shifts: i32) -> Level {
    (i32::from(draft) + shifts).clamp(0, i32::from(MAX_LEVEL)) as Level
}

/// The chair's discretion over timing (module doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    /// A text is issued only when the spread is below this.
    pub spread_below: Level,
    /// Rounds in a row the chair withholds at most.
    pub withhold_at_most: u32,
}

/// The spread of the stated levels: highest less lowest (0 for none).
pub fn spread(levels: &[Level]) -> Level {
    let hi = levels.iter().max().copied().unwrap_or(0);
    let lo = levels.iter().min().copied().unwrap_or(0);
    hi - lo
}

impl Timing {
    /// Whether the chair withholds its text, the spread being `spread` and
    /// the text having been withheld `withheld` rounds in a row already.
    pub fn withholds(&self, spread: Level, withheld: u32) -> bool {
        spread >= self.spread_below && withheld < self.withhold_at_most
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Li Ke 2023, §2.1.2: uptake "depends more on national strength".
    /// At α = 1: 1 % of world exports, one chance in two; 10 %, ten in
    /// eleven; 0.01 %, about one in a hundred; none, none. α = 0: all even.
    #[test]
    fn the_chance_grows_with_trade_weight() {
        let a = Amendments::default();
        assert_eq!(a.chance(Some(10_000)), 5_000);
        assert_eq!(a.chance(Some(100_000)), 9_091);
        assert_eq!(a.chance(Some(100)), 99);
        assert_eq!(a.chance(None), 0);
        let even = Amendments { alpha: 0.0 };
        assert_eq!(even.chance(None), 5_000);
        assert_eq!(even.chance(Some(100_000)), 5_000);
    }

    #[test]
    fn draws_are_per_member_round_and_repeatable() {
        let a = Amendments::default();
        let all = |chance| {
            (1..=200)
                .filter(|r| a.taken_up(7, "x", *r, "USA", chance))
                .count()
        };
        assert_eq!(all(0), 0);
        assert_eq!(all(10_000), 200);
        let half = all(5_000);
        assert!((70..=130).contains(&half), "{half}");
        assert_eq!(half, all(5_000));
    }

    #[test]
    fn each_amendment_taken_up_is_one_more_voice() {
        assert_eq!(shift(3_000, &[], 12), 0);
        assert_eq!(shift(3_000, &[8_000], 10), 500);
        assert_eq!(shift(3_000, &[8_000, 8_000, 0], 10), 700);
        assert_eq!(shift(3_000, &[8_000], 0), 0);
        assert_eq!(amended(3_000, 700), 3_700);
        assert_eq!(amended(300, -700), 0);
        assert_eq!(amended(9_900, 700), MAX_LEVEL);
    }

    #[test]
    fn the_chair_waits_while_the_spread_is_wide_but_not_for_ever() {
        let t = Timing {
            spread_below: 3_000,
            withhold_at_most: 2,
        };
        assert_eq!(spread(&[2_000, 7_000, 4_000]), 5_000);
        assert!(t.withholds(5_000, 0));
        assert!(t.withholds(3_000, 1));
        assert!(!t.withholds(5_000, 2));
        assert!(!t.withholds(2_999, 0));
    }
}
