//! One line of `rappard sweep`'s output: a run's identity and its outcome
//! measures, taken from the JSON report ([`Report`]) and nothing else.
//!
//! `rappard summarize` reads these lines back, so the type is both written
//! and read here. Enumerations (outcomes, statuses, policies) are kept as
//! the report spells them. Days are counted from the scenario's `start`,
//! in days of 24 hours rounded to a thousandth.

use std::collections::BTreeMap;

use rappard_core::report::{Report, SessionReport};
use rappard_core::time::{Interval, Timestamp};
use serde::{Deserialize, Serialize};

/// One run.
#[derive(Debug, Serialize, Deserialize)]
pub struct Run {
    /// The scenario's name (`[scenario] name`).
    pub scenario: String,
    /// Its file, as given.
    pub file: String,
    /// The variant's place in the grid (the same in every shard).
    pub variant_index: usize,
    /// The overrides: key to value, as given.
    pub variant: BTreeMap<String, String>,
    /// The seed.
    pub seed: u64,
    /// The record's SHA-256.
    pub sha256: String,
    /// The record's number of events.
    pub events: usize,
    /// Items, in agenda order.
    pub items: Vec<ItemRun>,
    /// The package.
    pub package: PackageRun,
    /// Plurilateral initiatives.
    pub initiatives: Vec<InitiativeRun>,
    /// Accessions.
    pub accessions: Vec<AccessionRun>,
    /// Green Rooms, in order.
    pub green_rooms: Vec<GreenRoomRun>,
}

/// What became of an item.
#[derive(Debug, Serialize, Deserialize)]
pub struct ItemRun {
    /// Id.
    pub id: String,
    /// `adopted`, `blocked`, `rejected` or `lapsed`.
    pub outcome: String,
    /// `consensus`, `vote`, `written-procedure`, or `null`.
    pub how: Option<String>,
    /// Consultation rounds held.
    pub rounds: u32,
    /// From the start to the end of the decision meeting (for written
    /// procedure, its deadline), if there was one.
    pub days_to_decision: Option<f64>,
    /// Attendance at the decision meeting, percent of Members, if the
    /// report has that meeting.
    pub attendance_pct: Option<f64>,
    /// Members that formally objected.
    pub objectors: usize,
}

/// The package.
#[derive(Debug, Serialize, Deserialize)]
pub struct PackageRun {
    /// `early-harvest` or `single-undertaking`.
    pub rule: String,
    /// Under the single undertaking, its outcome.
    pub outcome: Option<String>,
    /// Items agreed on the way.
    pub agreed: usize,
}

/// Where an initiative ended.
#[derive(Debug, Serialize, Deserialize)]
pub struct InitiativeRun {
    /// Id.
    pub id: String,
    /// Its status, as in the report.
    pub status: String,
    /// Participants at the end.
    pub participants: usize,
    /// Their share of world exports, percent.
    pub share: f64,
}

/// Where an accession ended.
#[derive(Debug, Serialize, Deserialize)]
pub struct AccessionRun {
    /// The applicant.
    pub applicant: String,
    /// Its last stage.
    pub status: String,
    /// From the start to its membership, if it became a Member.
    pub days_to_membership: Option<f64>,
    /// Bilateral deals made.
    pub bilateral_deals: usize,
}

/// One Green Room.
#[derive(Debug, Serialize, Deserialize)]
pub struct GreenRoomRun {
    /// Item.
    pub item: String,
    /// Policy.
    pub policy: String,
    /// Invitees.
    pub participants: usize,
    /// Members represented, percent.
    pub members_pct: f64,
    /// LDC Members represented, percent.
    pub ldcs_pct: f64,
    /// Regions represented, percent.
    pub regions_pct: f64,
    /// Whether the room agreed on a compromise.
    pub agreed: Option<bool>,
    /// Whether the outcome was reported to all Members.
    pub reported: bool,
}

/// Which run a line is.
pub struct Identity<'a> {
    /// The scenario file.
    pub file: &'a str,
    /// The variant's place in the grid.
    pub variant_index: usize,
    /// The overrides.
    pub variant: &'a [(String, String)],
}

impl Run {
    /// The line of a run from its report; `start` is the scenario's.
    pub fn of(id: &Identity<'_>, report: &Report, start: Timestamp) -> Self {
        let days = |t: Timestamp| ((t.unix() - start.unix()) as f64 / 86.4).round() / 1000.0;
        let items = report
            .items
            .iter()
            .map(|it| ItemRun {
                id: it.id.clone(),
                outcome: name(&it.outcome),
                how: it.how.as_ref().map(name),
                rounds: it.rounds,
                days_to_decision: it.meeting.map(|m| days(m.end)),
                attendance_pct: attendance(&report.sessions, &it.id, it.meeting),
                objectors: it.objectors.len(),
            })
            .collect();
        Self {
            scenario: report.scenario.clone(),
            file: id.file.to_owned(),
            variant_index: id.variant_index,
            variant: id.variant.iter().cloned().collect(),
            seed: report.seed,
            sha256: report.record.sha256.clone(),
            events: report.record.events,
            items,
            package: PackageRun {
                rule: name(&report.package.rule),
                outcome: report.package.outcome.as_ref().map(name),
                agreed: report.package.agreed.len(),
            },
            initiatives: report
                .initiatives
                .iter()
                .map(|i| InitiativeRun {
                    id: i.id.clone(),
                    status: name(&i.status),
                    participants: i.participants.len(),
                    share: i.share,
                })
                .collect(),
            accessions: report
                .accessions
                .iter()
                .map(|a| AccessionRun {
                    applicant: a.applicant.to_string(),
                    status: name(&a.status),
                    days_to_membership: a.member_since.map(days),
                    bilateral_deals: a.bilateral_deals.len(),
                })
                .collect(),
            green_rooms: report.green_rooms.iter().map(green_room).collect(),
        }
    }
}

/// A Green Room's line.
fn green_room(g: &rappard_core::report::GreenRoomReport) -> GreenRoomRun {
    GreenRoomRun {
        item: g.item.clone(),
        policy: name(&g.policy),
        participants: g.participants.len(),
        members_pct: g.inclusiveness.members_pct,
        ldcs_pct: g.inclusiveness.ldcs_pct,
        regions_pct: g.inclusiveness.regions_pct,
        agreed: g.agreed,
        reported: g.reported,
    }
}

/// Attendance at an item's decision meeting: its own item meeting, else
/// the session that holds the meeting.
fn attendance(sessions: &[SessionReport], item: &str, meeting: Option<Interval>) -> Option<f64> {
    let meeting = meeting?;
    let own = sessions
        .iter()
        .rev()
        .find(|s| s.item.as_deref() == Some(item));
    let holding = || {
        sessions
            .iter()
            .find(|s| s.start <= meeting.start && meeting.end <= s.end)
    };
    own.or_else(holding).map(|s| s.attendance_pct)
}

/// A value's name as the report writes it (its JSON string).
fn name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(e) => format!("<{e}>"),
    }
}
