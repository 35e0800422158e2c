//! The SVG chart of `rappard summarize --svg`: each item's adoption rates,
//! one mark per variant side by side, with their 95 % intervals as
//! whiskers.
//!
//! Written by hand as a string: a self-contained file with no script and no
//! font beyond the generic `sans-serif`, which any browser or document tool
//! shows; a plotting crate would bring far more than these few shapes need.

use std::fmt::Write as _;

use crate::stats::Interval;

/// One mark: a rate under one variant.
pub struct Bar {
    /// The group it is drawn in (scenario and item).
    pub group: String,
    /// The variant's label.
    pub variant: String,
    /// The rate and its interval.
    pub rate: Interval,
}

/// Colours of the variants, in order (then again).
const COLOURS: [&str; 6] = [
    "#1b6ca8", "#d1495b", "#2a9d8f", "#e9a03b", "#6a4c93", "#555555",
];

const LEFT: f64 = 60.0;
const TOP: f64 = 30.0;
const PLOT_H: f64 = 240.0;
const STEP: f64 = 28.0;
const GAP: f64 = 36.0;

/// The chart of `bars` as an SVG document.
pub fn svg(bars: &[Bar]) -> String {
    let mut groups: Vec<&str> = Vec::new();
    let mut variants: Vec<&str> = Vec::new();
    for b in bars {
        if !groups.contains(&b.group.as_str()) {
            groups.push(&b.group);
        }
        if !variants.contains(&b.variant.as_str()) {
            variants.push(&b.variant);
        }
    }
    let group_w = STEP * variants.len().max(1) as f64 + GAP;
    let width = LEFT + group_w * groups.len() as f64 + 20.0;
    let legend_y = TOP + PLOT_H + 60.0;
    let height = legend_y + 20.0 * variants.len() as f64 + 10.0;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" \
         viewBox=\"0 0 {width:.0} {height:.0}\" font-family=\"sans-serif\" font-size=\"12\">\n\
         <title>Adoption rates with 95% Wilson intervals</title>\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    );
    axis(&mut s, width);
    for (g, name) in groups.iter().enumerate() {
        let x0 = LEFT + group_w * g as f64 + GAP / 2.0;
        let mid = x0 + STEP * variants.len() as f64 / 2.0;
        let _ = writeln!(
            s,
            "<text x=\"{mid:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            TOP + PLOT_H + 20.0,
            escape(name)
        );
        for b in bars.iter().filter(|b| b.group == *name) {
            let v = variants.iter().position(|v| *v == b.variant).unwrap_or(0);
            let x = x0 + STEP * (v as f64 + 0.5);
            mark(&mut s, x, b, COLOURS[v % COLOURS.len()]);
        }
    }
    for (v, name) in variants.iter().enumerate() {
        let y = legend_y + 20.0 * v as f64;
        let _ = writeln!(
            s,
            "<rect x=\"{LEFT}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            y - 10.0,
            COLOURS[v % COLOURS.len()],
            LEFT + 18.0,
            y,
            escape(name)
        );
    }
    s.push_str("</svg>\n");
    s
}

/// The y of a rate.
fn y_of(rate: f64) -> f64 {
    TOP + PLOT_H * (1.0 - rate.clamp(0.0, 1.0))
}

/// The rate axis, 0 to 1, with grid lines at quarters.
fn axis(s: &mut String, width: f64) {
    for q in 0..=4 {
        let r = f64::from(q) / 4.0;
        let y = y_of(r);
        let _ = writeln!(
            s,
            "<line x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#dddddd\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{r:.2}</text>",
            width - 20.0,
            LEFT - 6.0,
            y + 4.0
        );
    }
    let _ = writeln!(
        s,
        "<text x=\"14\" y=\"{:.1}\" transform=\"rotate(-90 14 {:.1})\" text-anchor=\"middle\">\
         adoption rate (95% CI)</text>",
        TOP + PLOT_H / 2.0,
        TOP + PLOT_H / 2.0
    );
}

/// A rate as a bar with its interval as a whisker.
fn mark(s: &mut String, x: f64, b: &Bar, colour: &str) {
    let r = b.rate;
    if !r.estimate.is_finite() {
        return;
    }
    let (top, base) = (y_of(r.estimate), y_of(0.0));
    let (lo, hi) = (y_of(r.low), y_of(r.high));
    let _ = writeln!(
        s,
        "<g><title>{}: {:.3} [{:.3}, {:.3}]</title>\
         <rect x=\"{:.1}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{colour}\" fill-opacity=\"0.6\"/>\
         <line x1=\"{x:.1}\" y1=\"{lo:.1}\" x2=\"{x:.1}\" y2=\"{hi:.1}\" stroke=\"black\"/>\
         <line x1=\"{:.1}\" y1=\"{lo:.1}\" x2=\"{:.1}\" y2=\"{lo:.1}\" stroke=\"black\"/>\
         <line x1=\"{:.1}\" y1=\"{hi:.1}\" x2=\"{:.1}\" y2=\"{hi:.1}\" stroke=\"black\"/></g>",
        escape(&b.variant),
        r.estimate,
        r.low,
        r.high,
        x - STEP * 0.35,
        STEP * 0.7,
        base - top,
        x - 5.0,
        x + 5.0,
        x - 5.0,
        x + 5.0,
    );
}

/// Text made safe for XML.
fn escape(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_one_mark_per_rate_and_escapes_labels() {
        let rate = |e: f64| Interval {
            estimate: e,
            low: e / 2.0,
            high: 1.0,
        };
        let bars = [
            Bar {
                group: "s · a".into(),
                variant: "k=<x>".into(),
                rate: rate(0.8),
            },
            Bar {
                group: "s · a".into(),
                variant: "k=y".into(),
                rate: rate(0.2),
            },
        ];
        let s = svg(&bars);
        assert!(s.starts_with("<svg") && s.ends_with("</svg>\n"));
        assert_eq!(s.matches("<g>").count(), 2);
        assert!(s.contains("k=&lt;x&gt;") && !s.contains("<x>"));
        assert!(!s.contains("<script"));
    }
}
