//! The statistics of `rappard summarize`: Wilson score intervals for an
//! adoption rate, Newcombe's interval for the difference of two rates, and
//! the mean and quartiles of a sample.
//!
//! Written here rather than taken from a crate: the statistics crates we
//! looked at (statrs among them) give distributions and quantile functions
//! but not these intervals, and each formula is a few lines. They are tested
//! against published values below. References: E. B. Wilson, "Probable
//! inference, the law of succession, and statistical inference", JASA 22
//! (1927) 209–212; R. G. Newcombe, "Interval estimation for the difference
//! between independent proportions: comparison of eleven methods",
//! Statistics in Medicine 17 (1998) 873–890 (method 10).

use serde::Serialize;

/// The 97.5 % quantile of the standard normal distribution: a two-sided
/// 95 % interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// A proportion and its 95 % interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Interval {
    /// The estimate.
    pub estimate: f64,
    /// The lower bound.
    pub low: f64,
    /// The upper bound.
    pub high: f64,
}

/// The Wilson score interval of `successes` out of `trials` at `z`
/// (`None` for no trials). Wilson 1927; the usual closed form:
/// (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n).
pub fn wilson(successes: u64, trials: u64, z: f64) -> Option<Interval> {
    if trials == 0 || successes > trials {
        return None;
    }
    let n = trials as f64;
    let p = successes as f64 / n;
    let z2 = z * z;
    let centre = p + z2 / (2.0 * n);
    let spread = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    let denom = 1.0 + z2 / n;
    Some(Interval {
        estimate: p,
        low: ((centre - spread) / denom).max(0.0),
        high: ((centre + spread) / denom).min(1.0),
    })
}

/// The difference `a − b` of two independent proportions with Newcombe's
/// hybrid score interval (Newcombe 1998, method 10), built from the two
/// Wilson intervals.
pub fn newcombe(a: Interval, b: Interval) -> Interval {
    let d = a.estimate - b.estimate;
    let below = ((a.estimate - a.low).powi(2) + (b.high - b.estimate).powi(2)).sqrt();
    let above = ((a.high - a.estimate).powi(2) + (b.estimate - b.low).powi(2)).sqrt();
    Interval {
        estimate: d,
        low: d - below,
        high: d + above,
    }
}

/// The mean and quartiles of a sample.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Spread {
    /// How many values.
    pub n: usize,
    /// Their mean.
    pub mean: f64,
    /// First quartile.
    pub q1: f64,
    /// Median.
    pub median: f64,
    /// Third quartile.
    pub q3: f64,
}

/// The mean and quartiles of `values` (`None` if empty). The values are
/// sorted first, so the result does not depend on their order (the mean is
/// summed in sorted order too: merged shards give the same bits).
/// Quartiles interpolate linearly between order statistics (Hyndman and
/// Fan's type 7, the default of R and NumPy).
pub fn spread(values: &mut [f64]) -> Option<Spread> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    let mean = values.iter().sum::<f64>() / n as f64;
    Some(Spread {
        n,
        mean,
        q1: quantile(values, 0.25),
        median: quantile(values, 0.5),
        q3: quantile(values, 0.75),
    })
}

/// The `q` quantile of sorted, non-empty `values` (type 7).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 5e-4
    }

    #[test]
    fn wilson_matches_published_values() {
        // 8 of 10: [0.490, 0.943] (Newcombe 1998, and any Wilson table).
        let w = wilson(8, 10, Z95).expect("interval");
        assert!(close(w.low, 0.4902) && close(w.high, 0.9433), "{w:?}");
        // 81/263 → [0.2553, 0.3662], the example of Newcombe's companion
        // paper on one proportion (Statistics in Medicine 17 (1998) 857–872).
        let w = wilson(81, 263, Z95).expect("interval");
        assert!(close(w.low, 0.2553) && close(w.high, 0.3662), "{w:?}");
        // 0 of 10 starts at 0; 10 of 10 ends at 1.
        let w = wilson(0, 10, Z95).expect("interval");
        assert!(close(w.low, 0.0) && close(w.high, 0.2775), "{w:?}");
        let w = wilson(10, 10, Z95).expect("interval");
        assert!(close(w.low, 0.7225) && close(w.high, 1.0), "{w:?}");
        assert_eq!(wilson(0, 0, Z95), None);
    }

    #[test]
    fn newcombe_matches_the_published_example() {
        // Newcombe 1998, Table II, example (a): 56/70 − 48/80 → [0.0524, 0.3339].
        let a = wilson(56, 70, Z95).expect("a");
        let b = wilson(48, 80, Z95).expect("b");
        let d = newcombe(a, b);
        assert!(close(d.estimate, 0.2), "{d:?}");
        assert!(close(d.low, 0.0524) && close(d.high, 0.3339), "{d:?}");
    }

    #[test]
    fn quartiles_interpolate_and_ignore_order() {
        let mut v = vec![4.0, 1.0, 3.0, 2.0];
        let s = spread(&mut v).expect("spread");
        assert_eq!((s.n, s.mean), (4, 2.5));
        assert_eq!((s.q1, s.median, s.q3), (1.75, 2.5, 3.25));
        assert_eq!(spread(&mut []), None);
    }
}
