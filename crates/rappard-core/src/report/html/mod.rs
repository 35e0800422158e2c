//! The HTML report: one self-contained page with SVG charts, folded from
//! the record.
//!
//! A class ends a negotiation by looking at what happened; the minutes are
//! long and the JSON report is for programs. This page shows, from the
//! record alone: attendance by time zone and day, the common window at the
//! venue, each open plurilateral initiative's climb to critical mass, the
//! vote tallies, the Green Rooms' inclusiveness, the accessions' stages
//! and the outcome of every item. It is one file with its CSS inline and
//! its charts as inline SVG drawn here (`charts`, one function per chart):
//! no script, nothing fetched, so it opens offline and can be mailed.
//!
//! Pure: no IO, no clock; the same record gives the same bytes. Every
//! string that comes from the scenario is escaped (`svg::esc`). The charts
//! illustrate the arguments of Li Ke, "Stagnation and Breakthrough of WTO
//! Multilateral Trade Negotiations", Journal of Hubei University of
//! Economics 21(5), 2023: the veto of one (§2.1.1: the outcome table's
//! objectors), the Green Room's exclusion (§2.1.2) and its reform (§3.2:
//! inclusiveness), the time-zone squeeze of virtual meetings (§2.2.1:
//! attendance by zone, common window) and critical mass (§3.1: the
//! initiatives' curves); `docs/report.md` says which chart shows what.

use std::fmt::Write;

use super::{ItemReport, Report};
use crate::record::Record;

mod charts;
mod facts;
mod svg;

pub use svg::esc;

/// The page's style: plain, printable, readable on a projector.
const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:820px;\
color:#222;line-height:1.4}h1{font-size:1.6em}h2{font-size:1.2em;margin-top:2em;\
border-bottom:1px solid #ccc}table{border-collapse:collapse;width:100%}th,td{border:1px \
solid #ccc;padding:3px 6px;text-align:left;font-size:.9em}svg text{font-size:11px;\
fill:#333}.grid{stroke:#ddd}.threshold,.required{stroke:#c0392b;stroke-dasharray:4 3;\
stroke-width:2}.curve{fill:none;stroke:#3b7dd8;stroke-width:2}.join{fill:#3b7dd8}\
.none{color:#777;font-style:italic}.meta{color:#555;font-size:.9em}";

/// The HTML report of a record (module doc).
pub fn html(record: &Record) -> String {
    let facts = facts::Facts::of(record);
    let report = Report::from_record(record);
    let mut out = String::new();
    let title = format!("rappard: {}", facts.scenario);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        esc(&title),
        esc(&title)
    );
    let _ = writeln!(
        out,
        "<p class=\"meta\">Seed {}, venue {}, {} Members, {} delegations, {} record entries, \
         record SHA-256 <code>{}</code>.</p>",
        facts.seed,
        facts.venue.map_or("?", |v| v.as_str()),
        report.members,
        report.delegations,
        report.record.events,
        report.record.sha256
    );
    section(
        &mut out,
        "outcomes",
        "Outcomes",
        "What became of each item.",
        &outcomes(&report),
    );
    for (id, title, what, body) in [
        (
            "attendance-by-zone",
            "Attendance by time zone and day",
            "Rows: the UTC offset of the delegations' seats (how many delegations); \
             columns: days with meetings; darker is more of them present.",
            charts::attendance(&facts),
        ),
        (
            "common-window",
            "Common-window hours",
            "Hours of each day in which at least 90 % of Members are in office hours together.",
            charts::common_windows(&facts),
        ),
        (
            "critical-mass",
            "Critical mass",
            "Each open plurilateral initiative: its participants' share of world exports \
             over time, against its critical mass (dashed).",
            critical_masses(&facts),
        ),
        (
            "vote-tallies",
            "Vote tallies",
            "Each decision taken by vote: yes (green), no (red), abstentions (grey); \
             the dashed mark is the yes votes required.",
            charts::votes(&facts),
        ),
        (
            "green-room-inclusiveness",
            "Green Room inclusiveness",
            "Each Green Room: shares of Members (blue), of LDC Members (orange) and of \
             regions (green) represented in it.",
            charts::green_rooms(&facts),
        ),
        (
            "accession-timeline",
            "Accession timeline",
            "Each applicant's stages, from its application to the end of the run, \
             one colour per stage in turn (hover a bar for its stage and date).",
            charts::accessions(&facts),
        ),
    ] {
        section(&mut out, id, title, what, &body);
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// A section with its heading, a sentence on what it shows, and its body.
fn section(out: &mut String, id: &str, title: &str, what: &str, body: &str) {
    let _ = write!(
        out,
        "<section id=\"{id}\">\n<h2>{title}</h2>\n<p>{what}</p>\n{body}</section>\n"
    );
}

/// Every initiative's curve, each under its id and topic.
fn critical_masses(f: &facts::Facts) -> String {
    if f.initiatives.is_empty() {
        return "<p class=\"none\">No initiative was launched.</p>\n".into();
    }
    let mut out = String::new();
    for (k, c) in f.initiatives.iter().enumerate() {
        let _ = writeln!(out, "<h3>{}</h3>", esc(&c.id));
        out.push_str(&charts::critical_mass(f, k));
    }
    out
}

/// The outcome table: items, then initiatives and accessions.
fn outcomes(r: &Report) -> String {
    let mut out = String::from(
        "<table class=\"outcomes\">\n<tr><th>item</th><th>title</th><th>rule</th>\
         <th>outcome</th><th>how</th><th>rounds</th><th>objectors</th><th>votes</th></tr>\n",
    );
    for item in &r.items {
        out.push_str(&item_row(item));
    }
    for i in &r.initiatives {
        let _ = writeln!(
            out,
            "<tr class=\"initiative\"><td>{}</td><td>initiative, {} participants, {:.2} % \
             of {:.2} %</td><td>critical mass</td><td>{}</td><td></td><td></td><td></td><td></td></tr>",
            esc(&i.id),
            i.participants.len(),
            i.share,
            i.threshold,
            i.status.as_str()
        );
    }
    for a in &r.accessions {
        let _ = writeln!(
            out,
            "<tr class=\"accession\"><td>{}</td><td>accession, {} bilateral deals</td>\
             <td>accession</td><td>{}</td><td></td><td></td><td></td><td></td></tr>",
            esc(a.applicant.as_str()),
            a.bilateral_deals.len(),
            a.status.as_str()
        );
    }
    out.push_str("</table>\n");
    out
}

/// One item's row.
fn item_row(item: &ItemReport) -> String {
    let votes = item.votes.map_or(String::new(), |v| {
        format!(
            "{} yes, {} no, {} abstain (required {})",
            v.yes,
            v.no,
            v.abstain,
            item.required.map_or("?".into(), |n| n.to_string())
        )
    });
    let objectors: Vec<&str> = item.objectors.iter().map(|m| m.as_str()).collect();
    format!(
        "<tr class=\"item\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
         <td>{}</td><td>{}</td></tr>\n",
        esc(&item.id),
        esc(&item.title),
        item.rule,
        kebab(&item.outcome),
        item.how.map_or(String::new(), |h| kebab(&h)),
        item.rounds,
        esc(&objectors.join(", ")),
        votes
    )
}

/// A unit variant's name as files write it (`written-procedure`).
fn kebab(x: &impl serde::Serialize) -> String {
    match serde_json::to_value(x) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}
