//! `[chair]`: how the chair drafts, how co-chairs sign, and when the chair
//! withdraws an item ([`crate::drafting`] and `secretariat::items` give the
//! mechanisms and their sources).
//!
//! ```toml
//! [chair]
//! drafting = "median"            # or "weighted-median"
//! alpha = 1.0                    # weighted-median: export share ^ alpha
//! bias = { ideal = 0.8, weight = 0.5 }   # the chair's own pull
//! co_chairs_sign = "median"      # or "national"
//! revisions = 2                  # co-chairs' revisions of a refused draft
//! withdraw_after = 6             # rounds without convergence
//! amendments = { alpha = 1.0 }   # Members' amendments, uptake by weight
//! issue_when_spread_below = 0.3  # the chair's timing
//! withhold_at_most = 3           # rounds in a row it waits at most
//! ```
//!
//! Without the table every key takes its default, today's chair: the plain
//! median, no bias, no withdrawal, no amendments, a text every round
//! ([`crate::proposal`] for amendments and timing).

use super::ChairSpec;
use super::error::{Ctx, ScenarioError};
use super::raw::RawChair;
use crate::drafting::{Bias, Chair, CoChairSigning, Drafting};
use crate::proposal::{Amendments, DEFAULT_WITHHOLD_AT_MOST, Timing};

/// Reads `[chair]`, or the defaults without it.
pub(super) fn parse(cx: &Ctx<'_>, c: Option<&RawChair>) -> Result<ChairSpec, ScenarioError> {
    let mut out = ChairSpec::default();
    let Some(c) = c else {
        return Ok(out);
    };
    out.chair = Chair {
        drafting: drafting(cx, c)?,
        bias: bias(cx, c)?,
    };
    if let Some(s) = &c.co_chairs_sign {
        out.co_chairs_sign = match s.get_ref().as_str() {
            "median" => CoChairSigning::Median,
            "national" => CoChairSigning::National,
            other => {
                return Err(cx.at(
                    s.span(),
                    "chair.co_chairs_sign",
                    format!("unknown signing model `{other}`; use median or national"),
                ));
            }
        };
    }
    if let Some(r) = &c.revisions {
        let x = *r.get_ref();
        if !(0..=5).contains(&x) {
            return Err(cx.at(r.span(), "chair.revisions", format!("{x} is outside 0..=5")));
        }
        out.revisions = x as u32;
    }
    out.withdraw_after = c
        .withdraw_after
        .as_ref()
        .map(|w| cx.positive(w, "chair.withdraw_after", 100))
        .transpose()?;
    out.amendments = amendments(cx, c)?;
    out.timing = timing(cx, c)?;
    Ok(out)
}

/// `amendments = { alpha }`, α in 0..4 (default 1).
fn amendments(cx: &Ctx<'_>, c: &RawChair) -> Result<Option<Amendments>, ScenarioError> {
    let Some(a) = &c.amendments else {
        return Ok(None);
    };
    let Some(alpha) = &a.get_ref().alpha else {
        return Ok(Some(Amendments::default()));
    };
    let x = *alpha.get_ref();
    if !(0.0..=4.0).contains(&x) {
        return Err(cx.at(
            alpha.span(),
            "chair.amendments.alpha",
            format!("{x} is outside 0..4"),
        ));
    }
    Ok(Some(Amendments { alpha: x }))
}

/// `issue_when_spread_below` (0–1) and `withhold_at_most` (1..=20).
fn timing(cx: &Ctx<'_>, c: &RawChair) -> Result<Option<Timing>, ScenarioError> {
    let Some(x) = &c.issue_when_spread_below else {
        if let Some(w) = &c.withhold_at_most {
            return Err(cx.at(
                w.span(),
                "chair.withhold_at_most",
                "`withhold_at_most` applies only with issue_when_spread_below",
            ));
        }
        return Ok(None);
    };
    let spread_below = cx.level(x, "chair.issue_when_spread_below")?;
    let withhold_at_most = cx.positive_or(
        c.withhold_at_most.as_ref(),
        "chair.withhold_at_most",
        20,
        DEFAULT_WITHHOLD_AT_MOST,
    )?;
    Ok(Some(Timing {
        spread_below,
        withhold_at_most,
    }))
}

/// `drafting` and `alpha`.
fn drafting(cx: &Ctx<'_>, c: &RawChair) -> Result<Drafting, ScenarioError> {
    let name = c
        .drafting
        .as_ref()
        .map(|d| (d.get_ref().as_str(), d.span()));
    match (name, &c.alpha) {
        (None | Some(("median", _)), Some(a)) => Err(cx.at(
            a.span(),
            "chair.alpha",
            "`alpha` applies only with drafting = \"weighted-median\"",
        )),
        (None | Some(("median", _)), None) => Ok(Drafting::Median),
        (Some(("weighted-median", _)), a) => {
            let alpha = a.as_ref().map_or(Ok(1.0), |a| {
                let x = *a.get_ref();
                if (0.0..=4.0).contains(&x) {
                    Ok(x)
                } else {
                    Err(cx.at(a.span(), "chair.alpha", format!("{x} is outside 0..4")))
                }
            })?;
            Ok(Drafting::WeightedMedian { alpha })
        }
        (Some((other, span)), _) => Err(cx.at(
            span,
            "chair.drafting",
            format!("unknown drafting policy `{other}`; use median or weighted-median"),
        )),
    }
}

/// `bias = { ideal, weight }`, both on the 0–1 scale.
fn bias(cx: &Ctx<'_>, c: &RawChair) -> Result<Option<Bias>, ScenarioError> {
    let Some(b) = &c.bias else {
        return Ok(None);
    };
    let b = b.get_ref();
    let ideal = cx.level(&b.ideal, "chair.bias.ideal")?;
    let weight = *b.weight.get_ref();
    if !(0.0..=1.0).contains(&weight) {
        return Err(cx.at(
            b.weight.span(),
            "chair.bias.weight",
            format!("{weight} is outside 0..1"),
        ));
    }
    Ok(Some(Bias { ideal, weight }))
}

#[cfg(test)]
mod tests {
    use super::super::parse as parse_file;
    use crate::drafting::{Bias, CoChairSigning, Drafting};
    use crate::proposal::{Amendments, Timing};

    const BASE: &str = r#"
[scenario]
name = "chair"
start = "2026-03-02T00:00:00Z"

[members]
dataset = "wto"
only = ["BRA", "IND", "USA"]

[[item]]
id = "x"
rule = "consensus"
"#;

    #[test]
    fn without_the_table_the_chair_is_todays() {
        let s = parse_file("c.toml", BASE).expect("valid");
        let c = s.agenda.chair;
        assert_eq!(c.chair.drafting, Drafting::Median);
        assert_eq!(c.chair.bias, None);
        assert_eq!(c.co_chairs_sign, CoChairSigning::Median);
        assert_eq!(c.revisions, 2);
        assert_eq!(c.withdraw_after, None);
        assert_eq!((c.amendments, c.timing), (None, None));
    }

    #[test]
    fn reads_every_key() {
        let text = format!(
            "{BASE}\n[chair]\ndrafting = \"weighted-median\"\nalpha = 0.5\n\
             bias = {{ ideal = 0.8, weight = 0.25 }}\nco_chairs_sign = \"national\"\n\
             revisions = 3\nwithdraw_after = 4\namendments = {{ alpha = 0.5 }}\n\
             issue_when_spread_below = 0.3\nwithhold_at_most = 2\n"
        );
        let c = parse_file("c.toml", &text).expect("valid").agenda.chair;
        assert_eq!(c.chair.drafting, Drafting::WeightedMedian { alpha: 0.5 });
        assert_eq!(
            c.chair.bias,
            Some(Bias {
                ideal: 8_000,
                weight: 0.25
            })
        );
        assert_eq!(c.co_chairs_sign, CoChairSigning::National);
        assert_eq!((c.revisions, c.withdraw_after), (3, Some(4)));
        assert_eq!(c.amendments, Some(Amendments { alpha: 0.5 }));
        assert_eq!(
            c.timing,
            Some(Timing {
                spread_below: 3_000,
                withhold_at_most: 2
            })
        );
        let text = format!("{BASE}\n[chair]\namendments = {{}}\nissue_when_spread_below = 0.5\n");
        let c = parse_file("c.toml", &text).expect("valid").agenda.chair;
        assert_eq!(c.amendments, Some(Amendments { alpha: 1.0 }));
        assert_eq!(c.timing.map(|t| t.withhold_at_most), Some(3));
    }

    #[test]
    fn bad_values_name_their_field_and_line() {
        let cases = [
            (
                "drafting = \"mean\"",
                "chair.drafting",
                "unknown drafting policy `mean`",
            ),
            ("alpha = 1.0", "chair.alpha", "only with drafting"),
            (
                "bias = { ideal = 1.5, weight = 0.1 }",
                "chair.bias.ideal",
                "outside 0..1",
            ),
            (
                "bias = { ideal = 0.5, weight = 2.0 }",
                "chair.bias.weight",
                "outside 0..1",
            ),
            (
                "co_chairs_sign = \"own\"",
                "chair.co_chairs_sign",
                "median or national",
            ),
            ("revisions = 9", "chair.revisions", "outside 0..=5"),
            (
                "withdraw_after = 0",
                "chair.withdraw_after",
                "outside 1..=100",
            ),
            (
                "amendments = { alpha = 5.0 }",
                "chair.amendments.alpha",
                "outside 0..4",
            ),
            (
                "issue_when_spread_below = 1.5",
                "chair.issue_when_spread_below",
                "outside 0..1",
            ),
            (
                "withhold_at_most = 2",
                "chair.withhold_at_most",
                "only with issue_when_spread_below",
            ),
        ];
        for (line, field, message) in cases {
            let text = format!("{BASE}\n[chair]\n{line}\n");
            let e = parse_file("c.toml", &text).expect_err(line);
            assert_eq!(e.field, field, "{line}: {e}");
            assert_eq!(e.line, 15, "{line}: {e}");
            assert!(e.message.contains(message), "{line}: {e}");
        }
        let e = parse_file("c.toml", &format!("{BASE}\n[chair]\nchair = 1\n")).expect_err("key");
        assert!(e.to_string().contains("unknown field `chair`"), "{e}");
    }
}
