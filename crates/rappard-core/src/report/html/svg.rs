//! The few SVG and HTML pieces the charts are drawn with.
//!
//! Hand-written rather than a plotting crate: the charts are rectangles,
//! lines, circles and text, and writing them here keeps every number in
//! the file ours (integers, or one fixed decimal), so the same record
//! gives the same bytes on every machine and with every dependency
//! version. Escaping is the five characters HTML gives meaning to; every
//! string that comes from a scenario (names, ids, titles) goes through
//! [`esc`].

use std::fmt::Write;

use crate::time::Timestamp;

/// Text made safe for HTML and SVG content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A chart: an `<svg>` element of a given size, with its id and a
/// `<title>` for screen readers.
pub struct Svg {
    out: String,
}

impl Svg {
    /// Opens a chart `width` × `height` pixels.
    pub fn new(id: &str, width: u32, height: u32, title: &str) -> Self {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "<svg class=\"chart\" id=\"{id}\" xmlns=\"http://www.w3.org/2000/svg\" \
             width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" \
             role=\"img\"><title>{}</title>",
            esc(title)
        );
        Self { out }
    }

    /// A rectangle of a class, with a tooltip.
    pub fn rect(&mut self, class: &str, (x, y, w, h): (i64, i64, i64, i64), fill: &str, tip: &str) {
        let _ = writeln!(
            self.out,
            "<rect class=\"{class}\" x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" \
             fill=\"{fill}\"><title>{}</title></rect>",
            esc(tip)
        );
    }

    /// A line.
    pub fn line(&mut self, class: &str, (x1, y1): (i64, i64), (x2, y2): (i64, i64)) {
        let _ = writeln!(
            self.out,
            "<line class=\"{class}\" x1=\"{x1}\" y1=\"{y1}\" x2=\"{x2}\" y2=\"{y2}\"/>"
        );
    }

    /// A polyline through points.
    pub fn polyline(&mut self, class: &str, points: &[(i64, i64)]) {
        let pts: Vec<String> = points.iter().map(|(x, y)| format!("{x},{y}")).collect();
        let _ = writeln!(
            self.out,
            "<polyline class=\"{class}\" points=\"{}\"/>",
            pts.join(" ")
        );
    }

    /// A circle with a tooltip.
    pub fn dot(&mut self, class: &str, (x, y): (i64, i64), tip: &str) {
        let _ = writeln!(
            self.out,
            "<circle class=\"{class}\" cx=\"{x}\" cy=\"{y}\" r=\"4\"><title>{}</title></circle>",
            esc(tip)
        );
    }

    /// Text at a point; `anchor` is `start`, `middle` or `end`.
    pub fn text(&mut self, (x, y): (i64, i64), anchor: &str, s: &str) {
        let _ = writeln!(
            self.out,
            "<text x=\"{x}\" y=\"{y}\" text-anchor=\"{anchor}\">{}</text>",
            esc(s)
        );
    }

    /// The finished element.
    pub fn end(mut self) -> String {
        self.out.push_str("</svg>\n");
        self.out
    }
}

/// A time axis: instants from `from` to `to` onto `x0..x1` pixels.
#[derive(Clone, Copy)]
pub struct TimeAxis {
    from: i64,
    span: i64,
    x0: i64,
    width: i64,
}

impl TimeAxis {
    /// The axis; an empty span is widened to one day.
    pub fn new(from: Timestamp, to: Timestamp, x0: i64, x1: i64) -> Self {
        let span = (to.unix() - from.unix()).max(86_400);
        Self {
            from: from.unix(),
            span,
            x0,
            width: x1 - x0,
        }
    }

    /// The pixel of an instant.
    pub fn x(&self, t: Timestamp) -> i64 {
        self.x0 + (t.unix() - self.from) * self.width / self.span
    }
}

/// A share in 0.0001 % units as a percentage with two decimals.
pub fn pct(share: u32) -> String {
    format!("{}.{:02} %", share / 10_000, (share % 10_000) / 100)
}

/// A per mille figure as a percentage with one decimal.
pub fn permille(p: u32) -> String {
    format!("{}.{} %", p / 10, p % 10)
}

/// A fill from white (0) to dark blue (1,000 per mille), in whole steps.
pub fn shade(permille: u32) -> String {
    let p = i64::from(permille.min(1_000));
    let mix = |from: i64, to: i64| from + (to - from) * p / 1_000;
    format!("rgb({},{},{})", mix(247, 8), mix(251, 69), mix(255, 148))
}

/// The UTC date and time of an instant, to the minute.
pub fn when(t: Timestamp) -> String {
    t.datetime().format("%Y-%m-%d %H:%M UTC").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_five_html_characters_are_escaped_and_nothing_else() {
        assert_eq!(
            esc(r#"<a href="x">Côte d'Ivoire & co</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Côte d&#39;Ivoire &amp; co&lt;/a&gt;"
        );
        assert_eq!(esc("BRA"), "BRA");
    }

    #[test]
    fn figures_are_written_with_fixed_decimals() {
        assert_eq!(pct(917_800), "91.78 %");
        assert_eq!(permille(615), "61.5 %");
        assert_eq!(shade(0), "rgb(247,251,255)");
        assert_eq!(shade(1_000), "rgb(8,69,148)");
        assert_eq!(shade(5_000), shade(1_000));
    }

    #[test]
    fn the_time_axis_maps_its_span_onto_its_pixels() {
        let t = |s| Timestamp::parse(s).expect("instant");
        let axis = TimeAxis::new(
            t("2026-03-02T00:00:00Z"),
            t("2026-03-04T00:00:00Z"),
            100,
            300,
        );
        assert_eq!(axis.x(t("2026-03-02T00:00:00Z")), 100);
        assert_eq!(axis.x(t("2026-03-03T00:00:00Z")), 200);
        assert_eq!(axis.x(t("2026-03-04T00:00:00Z")), 300);
    }
}
