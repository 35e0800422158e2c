//! The charts of the HTML report, one function each, drawn from [`Facts`].
//!
//! Each returns an HTML fragment: an inline `<svg class="chart">` (or a
//! sentence saying the run had nothing to draw), with one `<title>`
//! tooltip per mark so that a reader can hover to read the figure. What
//! each chart shows, and the argument of the paper it illustrates (Li Ke,
//! "Stagnation and Breakthrough of WTO Multilateral Trade Negotiations",
//! 2023), is in `docs/report.md`.

use std::collections::BTreeMap;

use chrono::Offset;
use chrono_tz::Tz;

use super::facts::Facts;
use super::svg::{Svg, TimeAxis, esc, pct, permille, shade, when};
use crate::member::MemberId;

/// Left margin for row labels.
const LABEL: i64 = 130;
/// Chart width.
const WIDTH: i64 = 760;

/// A paragraph for a chart with nothing to draw.
fn none(what: &str) -> String {
    format!("<p class=\"none\">{}</p>\n", esc(what))
}

/// A UTC offset in seconds as `UTC+05:30`.
fn offset_name(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    format!("UTC{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60)
}

/// Delegations grouped by the UTC offset of their seat at the start.
fn zones(f: &Facts) -> BTreeMap<i32, Vec<MemberId>> {
    let mut zones: BTreeMap<i32, Vec<MemberId>> = BTreeMap::new();
    for (id, entry) in &f.delegations {
        let secs = match (entry.seat.parse::<Tz>(), f.start) {
            (Ok(tz), Some(t)) => t.datetime().with_timezone(&tz).offset().fix(),
            _ => chrono::Utc.fix(),
        }
        .local_minus_utc();
        zones.entry(secs).or_default().push(id.clone());
    }
    zones
}

/// Attendance by time zone and day: one row per UTC offset of the
/// delegations' seats, one column per day with meetings; a cell is the
/// share of those delegations present, over that day's meetings.
pub fn attendance(f: &Facts) -> String {
    let zones = zones(f);
    let mut days: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (k, m) in f.meetings.iter().enumerate() {
        let date = m.start.datetime().format("%Y-%m-%d").to_string();
        days.entry(date).or_default().push(k);
    }
    if zones.is_empty() || days.is_empty() {
        return none("No meetings were held.");
    }
    let cols = days.len() as i64;
    let cell = ((WIDTH - LABEL) / cols).clamp(4, 40);
    let height = 40 + 20 * zones.len() as i64;
    let mut svg = Svg::new(
        "attendance",
        (LABEL + cell * cols + 10).max(LABEL + 320) as u32,
        height as u32,
        "Attendance by time zone and day",
    );
    for (r, (secs, ids)) in zones.iter().enumerate() {
        let y = 30 + 20 * r as i64;
        svg.text(
            (LABEL - 6, y + 14),
            "end",
            &format!("{} ({})", offset_name(*secs), ids.len()),
        );
        for (c, (date, meetings)) in days.iter().enumerate() {
            let possible = (meetings.len() * ids.len()) as u32;
            let present: usize = meetings
                .iter()
                .map(|&k| {
                    ids.iter()
                        .filter(|id| f.meetings[k].present.binary_search(id).is_ok())
                        .count()
                })
                .sum();
            let pm = present as u32 * 1_000 / possible.max(1);
            let tip = format!(
                "{date}, {}: {present} of {possible} seats filled at {} meeting(s) ({})",
                offset_name(*secs),
                meetings.len(),
                permille(pm)
            );
            let x = LABEL + cell * c as i64;
            svg.rect("cell", (x, y, cell - 1, 19), &shade(pm), &tip);
        }
    }
    let first = days.keys().next().map_or("", String::as_str);
    let last = days.keys().next_back().map_or("", String::as_str);
    svg.text(
        (LABEL, 18),
        "start",
        &format!("{first} … {last} ({cols} days)"),
    );
    svg.end()
}

/// Hours of the common window (at least 90 % of Members in office hours)
/// on each day, at the run's venue.
pub fn common_windows(f: &Facts) -> String {
    if f.days.is_empty() {
        return none("No day of meetings was opened.");
    }
    let venue = f.venue.map_or("?", |v| v.as_str());
    let cols = f.days.len() as i64;
    let bar = ((WIDTH - 60) / cols).clamp(3, 40);
    let (top, h) = (20, 160);
    let mut svg = Svg::new(
        "common-windows",
        (60 + bar * cols + 10) as u32,
        (top + h + 30) as u32,
        &format!("Common-window hours per day, venue {venue}"),
    );
    for hours in [0, 6, 12, 18, 24] {
        let y = top + h - h * hours / 24;
        svg.line("grid", (56, y), (60 + bar * cols, y));
        svg.text((52, y + 4), "end", &format!("{hours} h"));
    }
    for (k, (date, secs)) in f.days.iter().enumerate() {
        let bh = h * secs / 86_400;
        let tip = format!(
            "{date} at {venue}: {}.{} h",
            secs / 3600,
            secs % 3600 * 10 / 3600
        );
        svg.rect(
            "bar",
            (60 + bar * k as i64, top + h - bh, bar - 1, bh),
            "#3b7dd8",
            &tip,
        );
    }
    svg.text(
        (60, top + h + 20),
        "start",
        &format!("{venue}, {cols} days"),
    );
    svg.end()
}

/// One initiative's participants' share of world exports over time,
/// against its critical mass.
pub fn critical_mass(f: &Facts, k: usize) -> String {
    let c = &f.initiatives[k];
    let (Some(start), Some(end)) = (c.points.first().map(|p| p.0), f.end) else {
        return String::new();
    };
    let (top, h) = (20_i64, 180_i64);
    let max = c
        .points
        .iter()
        .map(|p| p.1)
        .max()
        .unwrap_or(0)
        .max(c.threshold) as i64
        * 11
        / 10;
    let max = max.max(1);
    let y = |share: u32| top + h - h * i64::from(share) / max;
    let axis = TimeAxis::new(start, end, 60, WIDTH - 20);
    let mut svg = Svg::new(
        &format!("critical-mass-{k}"),
        WIDTH as u32,
        (top + h + 30) as u32,
        &format!("Critical mass of {}", c.id),
    );
    svg.line("grid", (56, y(0)), (WIDTH - 20, y(0)));
    svg.text((52, y(0) + 4), "end", "0 %");
    svg.text((52, top + 4), "end", &pct(max as u32));
    svg.line(
        "threshold",
        (60, y(c.threshold)),
        (WIDTH - 20, y(c.threshold)),
    );
    svg.text(
        (WIDTH - 20, y(c.threshold) - 4),
        "end",
        &format!("critical mass {}", pct(c.threshold)),
    );
    let mut pts = Vec::with_capacity(c.points.len() * 2 + 1);
    for (t, share, _) in &c.points {
        if let Some(&(_, last)) = pts.last() {
            pts.push((axis.x(*t), last));
        }
        pts.push((axis.x(*t), y(*share)));
    }
    if let Some(&(_, last)) = pts.last() {
        pts.push((axis.x(end), last));
    }
    svg.polyline("curve", &pts);
    for (t, share, who) in &c.points {
        let by = who
            .as_ref()
            .map_or("launch".to_owned(), |m| format!("{m} joins"));
        svg.dot(
            "join",
            (axis.x(*t), y(*share)),
            &format!("{}: {by}, {}", when(*t), pct(*share)),
        );
    }
    svg.text((60, top + h + 20), "start", &when(start));
    svg.text((WIDTH - 20, top + h + 20), "end", &when(end));
    svg.end()
}

/// Every decision taken by vote: yes, no and abstentions (weighted), with
/// the yes votes the rule required.
pub fn votes(f: &Facts) -> String {
    if f.votes.is_empty() {
        return none("No decision was taken by vote.");
    }
    let max = f
        .votes
        .iter()
        .map(|t| t.votes.yes + t.votes.no + t.votes.abstain)
        .chain(f.votes.iter().filter_map(|t| t.required))
        .max()
        .unwrap_or(1)
        .max(1) as i64;
    let span = WIDTH - LABEL - 20;
    let w = |n: u32| span * i64::from(n) / max;
    let mut svg = Svg::new(
        "votes",
        WIDTH as u32,
        (20 + 26 * f.votes.len()) as u32,
        "Vote tallies",
    );
    for (r, t) in f.votes.iter().enumerate() {
        let y = 10 + 26 * r as i64;
        let outcome = super::kebab(&t.outcome);
        svg.text(
            (LABEL - 6, y + 14),
            "end",
            &format!("{} ({outcome})", t.item),
        );
        let mut x = LABEL;
        for (n, class, fill) in [
            (t.votes.yes, "yes", "#2e8b57"),
            (t.votes.no, "no", "#c0392b"),
            (t.votes.abstain, "abstain", "#999999"),
        ] {
            svg.rect(
                class,
                (x, y, w(n), 20),
                fill,
                &format!("{}: {n} {class}", t.item),
            );
            x += w(n);
        }
        if let Some(req) = t.required {
            svg.line(
                "required",
                (LABEL + w(req), y - 3),
                (LABEL + w(req), y + 23),
            );
        }
    }
    svg.end()
}

/// Each Green Room's inclusiveness: the shares of Members, of LDC Members
/// and of regions represented in it.
pub fn green_rooms(f: &Facts) -> String {
    if f.rooms.is_empty() {
        return none("No Green Room was held.");
    }
    let (top, h, group) = (20_i64, 150_i64, 100_i64);
    let mut svg = Svg::new(
        "green-rooms",
        (60 + group * f.rooms.len() as i64 + 20) as u32,
        (top + h + 50) as u32,
        "Green Room inclusiveness",
    );
    for p in [0, 50, 100] {
        let y = top + h - h * p / 100;
        svg.line("grid", (56, y), (60 + group * f.rooms.len() as i64, y));
        svg.text((52, y + 4), "end", &format!("{p} %"));
    }
    for (k, room) in f.rooms.iter().enumerate() {
        let x0 = 60 + group * k as i64 + 10;
        let inc = room.inclusiveness;
        for (j, (pm, class, fill)) in [
            (inc.members_permille, "members", "#3b7dd8"),
            (inc.ldcs_permille, "ldcs", "#e67e22"),
            (inc.regions_permille, "regions", "#16a085"),
        ]
        .into_iter()
        .enumerate()
        {
            let bh = h * i64::from(pm.min(1_000)) / 1_000;
            let tip = format!(
                "{} ({}, {}, {} invited): {class} {}",
                room.item,
                room.policy.as_str(),
                when(room.at),
                room.participants,
                permille(pm)
            );
            svg.rect(
                class,
                (x0 + 26 * j as i64, top + h - bh, 24, bh),
                fill,
                &tip,
            );
        }
        svg.text((x0 + 38, top + h + 16), "middle", &room.item);
        svg.text((x0 + 38, top + h + 32), "middle", room.policy.as_str());
    }
    svg.end()
}

/// Each accession's stages on a time line from the run's start to its end.
pub fn accessions(f: &Facts) -> String {
    let (Some(start), Some(end)) = (f.start, f.end) else {
        return none("No accession was under way.");
    };
    if f.accessions.is_empty() {
        return none("No accession was under way.");
    }
    let axis = TimeAxis::new(start, end, LABEL, WIDTH - 20);
    let mut svg = Svg::new(
        "accessions",
        WIDTH as u32,
        (40 + 30 * f.accessions.len()) as u32,
        "Accession timeline",
    );
    for (r, t) in f.accessions.iter().enumerate() {
        let y = 10 + 30 * r as i64;
        svg.text(
            (LABEL - 6, y + 14),
            "end",
            &format!("{} {}", t.applicant, t.name),
        );
        for (k, (at, stage)) in t.stages.iter().enumerate() {
            let next = t.stages.get(k + 1).map_or(end, |s| s.0);
            let (x0, x1) = (axis.x(*at), axis.x(next));
            let tip = format!("{}: {} from {}", t.applicant, stage.as_str(), when(*at));
            svg.rect("stage", (x0, y, (x1 - x0).max(2), 20), stage_fill(k), &tip);
        }
    }
    let y = 20 + 30 * f.accessions.len() as i64;
    svg.text((LABEL, y), "start", &when(start));
    svg.text((WIDTH - 20, y), "end", &when(end));
    svg.end()
}

/// Alternating fills so that consecutive stages stand apart.
fn stage_fill(k: usize) -> &'static str {
    [
        "#8e44ad", "#3b7dd8", "#16a085", "#e67e22", "#2e8b57", "#c0392b",
    ][k % 6]
}
