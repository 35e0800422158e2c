//! What the record shows of each political shock (`crate::shock`): the
//! outcomes of the agenda's items (and of the package) before it began,
//! while it lasted and after it ended, with the shares blocked and lapsed,
//! for the JSON report (`shocks`) and the minutes' last lines.
//!
//! An outcome falls in a period by the instant it is recorded: a decision
//! taken (adopted, blocked or rejected), or an item lapsing or withdrawn by
//! the chair (counted as lapsed, as the report's outcome says). Decisions on
//! initiatives and accessions are not counted, nor are the consensus
//! periods' "consensus not reached". A run without shocks has none of this.

use std::collections::HashSet;
use std::fmt::Write as _;

use serde::Serialize;

use crate::member::MemberId;
use crate::protocol::PACKAGE_KEY;
use crate::record::{Event, Record};
use crate::rules::Outcome;
use crate::shock::ShockKind;
use crate::time::Timestamp;

/// The outcomes of one period.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq)]
pub struct Shares {
    /// Outcomes recorded in the period.
    pub outcomes: u32,
    /// Of them, blocked (an objection under consensus).
    pub blocked: u32,
    /// Of them, lapsed (or withdrawn).
    pub lapsed: u32,
    /// `blocked` in percent of `outcomes` (0 without outcomes), one decimal.
    pub blocked_pct: f64,
    /// `lapsed` in percent of `outcomes` (0 without outcomes), one decimal.
    pub lapsed_pct: f64,
}

/// One shock as the record shows it.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ShockReport {
    /// The shock, from 0 in the scenario's order.
    pub shock: u32,
    /// Its kind.
    pub kind: ShockKind,
    /// The Members it names.
    pub members: Vec<MemberId>,
    /// When it began.
    pub start: Timestamp,
    /// When it ended (or was to end).
    pub end: Timestamp,
    /// Whether the record shows it ended.
    pub ended: bool,
    /// The items whose meetings it postponed.
    pub postponed: Vec<String>,
    /// Outcomes before it began.
    pub before: Shares,
    /// Outcomes while it lasted.
    pub during: Shares,
    /// Outcomes after it ended.
    pub after: Shares,
}

/// An outcome: when, and whether blocked or lapsed.
struct Outcomes(Vec<(Timestamp, Option<bool>)>);

impl Outcomes {
    fn of(record: &Record) -> Self {
        let mut items: HashSet<&str> = HashSet::from([PACKAGE_KEY]);
        let mut out = Vec::new();
        for e in record.entries() {
            match &e.event {
                Event::ItemListed { item, .. } => {
                    items.insert(item);
                }
                Event::DecisionTaken { item, outcome, .. } if items.contains(item.as_str()) => {
                    out.push((e.at, (*outcome == Outcome::Blocked).then_some(true)));
                }
                Event::ItemLapsed { .. } | Event::ItemWithdrawn { .. } => {
                    out.push((e.at, Some(false)));
                }
                _ => {}
            }
        }
        Self(out)
    }

    fn shares(&self, within: impl Fn(Timestamp) -> bool) -> Shares {
        let mut s = Shares::default();
        for (at, what) in &self.0 {
            if !within(*at) {
                continue;
            }
            s.outcomes += 1;
            match what {
                Some(true) => s.blocked += 1,
                Some(false) => s.lapsed += 1,
                None => {}
            }
        }
        let pct = |n: u32| {
            if s.outcomes == 0 {
                0.0
            } else {
                (f64::from(n) * 1_000.0 / f64::from(s.outcomes)).round() / 10.0
            }
        };
        s.blocked_pct = pct(s.blocked);
        s.lapsed_pct = pct(s.lapsed);
        s
    }
}

/// Every shock of the record, in the order they began.
pub fn reports(record: &Record) -> Vec<ShockReport> {
    let mut out: Vec<ShockReport> = Vec::new();
    for e in record.entries() {
        match &e.event {
            Event::ShockBegan {
                shock,
                kind,
                members,
                end,
                postponed,
                ..
            } => out.push(ShockReport {
                shock: *shock,
                kind: *kind,
                members: members.clone(),
                start: e.at,
                end: *end,
                ended: false,
                postponed: postponed.iter().map(|p| p.item.clone()).collect(),
                before: Shares::default(),
                during: Shares::default(),
                after: Shares::default(),
            }),
            Event::ShockEnded { shock, .. } => {
                if let Some(r) = out.iter_mut().find(|r| r.shock == *shock) {
                    r.ended = true;
                    r.end = e.at;
                }
            }
            _ => {}
        }
    }
    if out.is_empty() {
        return out;
    }
    let outcomes = Outcomes::of(record);
    for r in &mut out {
        let (start, end) = (r.start, r.end);
        r.before = outcomes.shares(|t| t < start);
        r.during = outcomes.shares(|t| start <= t && t < end);
        r.after = outcomes.shares(|t| end <= t);
    }
    out
}

/// The minutes' lines on the shocks, one per shock (empty without any).
pub fn minutes_lines(record: &Record) -> String {
    let mut out = String::new();
    for r in reports(record) {
        let who = if r.members.is_empty() {
            String::new()
        } else {
            let ids: Vec<&str> = r.members.iter().map(MemberId::as_str).collect();
            format!(" ({})", ids.join(", "))
        };
        let period = |name: &str, s: &Shares| {
            format!(
                "{name} {} of {} blocked, {} lapsed",
                s.blocked, s.outcomes, s.lapsed
            )
        };
        let _ = writeln!(
            out,
            "Shock {}, {}{who}, {} to {}: {}; {}; {}.",
            r.shock + 1,
            r.kind.as_str(),
            r.start,
            r.end,
            period("before,", &r.before),
            period("during,", &r.during),
            period("after,", &r.after),
        );
    }
    out
}
