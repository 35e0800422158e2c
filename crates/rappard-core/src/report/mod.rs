//! The report and the minutes: folds over the record.
//!
//! Nothing here looks at the Secretariat's state: everything printed comes
//! from the record alone, which is the point of keeping one. [`Report`] is
//! the JSON summary (`rappard simulate --format json`), folded in `fold`;
//! [`minutes()`] the readable text, written by the `minutes` module. This
//! module holds the report's types, which are its public shape, and the few
//! conversions both folds share.

use serde::Serialize;

use crate::greenroom::Inclusiveness;
use crate::initiative::Status;
use crate::member::MemberId;
use crate::protocol::Level;
use crate::protocol::Package;
use crate::record::Record;
use crate::rules::{How, NamedRule, Outcome, Rule, Votes};
use crate::sessions::Venue;
use crate::time::{Interval, Timestamp};

mod blocs;
mod development;
mod family;
mod fold;
pub mod html;
mod minutes;
mod shocks;

pub use shocks::{Shares, ShockReport};

pub use development::{AttendanceReport, CapacityReport, FlexibilityReport, MissedReport};
mod rtas;

pub use rtas::{RtaReport, SpaghettiReport};
mod pressure;
mod proposals;

pub use blocs::{BlocReport, DefectionReport};
pub use pressure::{LinkageReport, PressureReport, WithdrawalReport};
pub use proposals::{AmendmentsReport, MemberUptake, UptakeReport};

/// The minutes: a readable account of the record, in order.
pub fn minutes(record: &Record) -> String {
    minutes::Minutes::write(record)
}

/// The record's size and fingerprint.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct RecordSummary {
    /// Number of events.
    pub events: usize,
    /// SHA-256 of the canonical encoding.
    pub sha256: String,
}

/// What became of one item.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ItemReport {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Rule listed for it.
    pub rule: Rule,
    /// Outcome.
    pub outcome: Outcome,
    /// How it was decided (`null` if it lapsed).
    pub how: Option<How>,
    /// Consultation rounds held.
    pub rounds: u32,
    /// The last text's version and level (0 to 10,000), if any.
    pub version: u32,
    /// The last text.
    pub text: Option<Level>,
    /// Members present at the decision (all Members for written procedure).
    pub present: Vec<MemberId>,
    /// Members that formally objected.
    pub objectors: Vec<MemberId>,
    /// Vote counts, if there was a vote.
    pub votes: Option<Votes>,
    /// Yes votes needed, if there was a vote.
    pub required: Option<u32>,
    /// The decision meeting (written procedure: circulation to deadline).
    pub meeting: Option<Interval>,
    /// The named rule (`waiver`, `amendment`, …), if the item has one.
    pub named_rule: Option<NamedRule>,
    /// The end of its consensus period, if it has one.
    pub consensus_until: Option<Timestamp>,
    /// An amendment submitted for acceptance: the instruments deposited, in
    /// order (`null` for other items).
    pub acceptances: Option<Vec<AcceptanceReport>>,
    /// The day an amendment entered into force, if it did.
    pub in_force_on: Option<Timestamp>,
    /// An amendment's count of acceptances: at its entry into force, or at
    /// the end of the run if it did not enter into force.
    pub acceptance_count: Option<AcceptanceCount>,
    /// The unweighted median of the levels the Members present stated in
    /// the consultation round before the last text (`null` if none was
    /// stated).
    pub median: Option<Level>,
    /// How far the last text lies from that median (`null` without both):
    /// for an adopted item, the adopted text's distance from the Members'
    /// median, the measure of the chair's power over the text.
    pub distance_from_median: Option<Level>,
    /// Revisions the co-chairs made to drafts one of them refused to sign.
    pub revisions: u32,
    /// Whether the chair withdrew the item (`[chair] withdraw_after`; its
    /// outcome is then `lapsed`).
    pub withdrawn: bool,
    /// Rounds in which the chair withheld its text (`[chair]
    /// issue_when_spread_below`); omitted when none.
    #[serde(skip_serializing_if = "is_zero")]
    pub texts_withheld: u32,
    /// Members' amendments the chair took up on the item (`[chair]
    /// amendments`); omitted when none.
    #[serde(skip_serializing_if = "is_zero")]
    pub amendments_taken_up: u32,
    /// Confessionals the Director-General held on the item (`[secretariat]
    /// mode = "proactive"`); what each delegation said is not in the record.
    pub confessionals: u32,
    /// The Director-General's bridging proposals on the item, in order.
    pub bridging_proposals: Vec<Level>,
    /// The item the Director-General linked this one with into a package
    /// (`[secretariat] link_after`); omitted when it was never linked. The
    /// item's decision is then the package's, and its `objectors` those
    /// of the package.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linked_with: Option<String>,
}

/// One instrument of acceptance of an amendment.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct AcceptanceReport {
    /// The Member (or applicant) that deposited it.
    pub member: MemberId,
    /// When.
    pub on: Timestamp,
    /// How many Members it counts for: 1, or the EU and its member States.
    pub counts_for: u32,
}

/// Acceptances of an amendment against its threshold (Art. X:3).
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub struct AcceptanceCount {
    /// Members that had accepted.
    pub accepted: u32,
    /// Two-thirds of the Members, rounded up.
    pub required: u32,
    /// Members then.
    pub members: u32,
}

/// Attendance at one meeting.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SessionReport {
    /// Meeting number.
    pub meeting: u32,
    /// `session` or `item-meeting`.
    pub kind: &'static str,
    /// The item of an item meeting.
    pub item: Option<String>,
    /// Start.
    pub start: Timestamp,
    /// End.
    pub end: Timestamp,
    /// Delegations present.
    pub delegations_present: usize,
    /// Delegations in all.
    pub delegations: usize,
    /// Members present (EU member States with the EU).
    pub members_present: u32,
    /// Members present as a percentage of all Members, one decimal.
    pub attendance_pct: f64,
    /// Delegations absent.
    pub absent: Vec<MemberId>,
}

/// One day's common window.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct DayReport {
    /// UTC date.
    pub date: String,
    /// Hours in which at least 90 % of Members are in office hours together.
    pub common_window_hours: f64,
    /// Those spans.
    pub common_windows: Vec<Interval>,
}

/// The JSON report of a run.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Report {
    /// Scenario name.
    pub scenario: String,
    /// Seed.
    pub seed: u64,
    /// Venue.
    pub venue: Option<Venue>,
    /// Number of Members.
    pub members: usize,
    /// Number of delegations.
    pub delegations: usize,
    /// The record.
    pub record: RecordSummary,
    /// Items, in agenda order.
    pub items: Vec<ItemReport>,
    /// Meetings, in order.
    pub sessions: Vec<SessionReport>,
    /// Days with meetings.
    pub days: Vec<DayReport>,
    /// The package rule and, under the single undertaking, its decision.
    pub package: PackageReport,
    /// Green Rooms, in order.
    pub green_rooms: Vec<GreenRoomReport>,
    /// Open plurilateral initiatives.
    pub initiatives: Vec<InitiativeReport>,
    /// Accessions.
    pub accessions: Vec<AccessionReport>,
    /// Delegations' capacity, when the scenario limits it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<CapacityReport>,
    /// Flexibilities for developing Members and LDCs, per item or
    /// initiative that has them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub flexibilities: Vec<FlexibilityReport>,
    /// Political shocks (`[[shock]]`), omitted without any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shocks: Vec<ShockReport>,
    /// Regional trade agreements in force at the start (omitted without).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rtas: Vec<RtaReport>,
    /// Each Member's spaghetti bowl and outside option (omitted without
    /// RTAs).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub spaghetti_bowl: Vec<SpaghettiReport>,
    /// Objections withdrawn under pressure, linkages, and the
    /// false-consensus index (`[pressure]`).
    pub pressure: PressureReport,
    /// Members' amendments to the chair's texts and their uptake by the
    /// chair, by the least-developed countries and by the large traders
    /// (`[chair] amendments`); omitted when none was proposed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amendments: Option<AmendmentsReport>,
    /// Coalitions acting as blocs (`[[coalition]] bloc = true`), omitted
    /// without any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blocs: Vec<BlocReport>,
}

/// Where an accession ended.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct AccessionReport {
    /// The applicant.
    pub applicant: MemberId,
    /// Its last stage: `member`, `stalled`, `rejected`, or a stage under way.
    pub status: crate::accession::Stage,
    /// Since when it is a Member, if it became one.
    pub member_since: Option<Timestamp>,
    /// Bilateral deals made.
    pub bilateral_deals: Vec<MemberId>,
}

/// Where an initiative ended.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct InitiativeReport {
    /// Id.
    pub id: String,
    /// Participants at the end.
    pub participants: Vec<MemberId>,
    /// Their share of world exports, percent.
    pub share: f64,
    /// Critical mass, percent.
    pub threshold: f64,
    /// MFN or not.
    pub mfn: bool,
    /// `negotiating`, `not-concluded`, `concluded`, `in-force`,
    /// `annex4-incorporated` or `annex4-blocked`.
    pub status: Status,
}

/// One Green Room.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct GreenRoomReport {
    /// Item.
    pub item: String,
    /// Policy.
    pub policy: crate::greenroom::Policy,
    /// Invitees.
    pub participants: Vec<MemberId>,
    /// Shares represented, in percent with one decimal.
    pub inclusiveness: InclusivenessReport,
    /// Whether the room agreed on a compromise.
    pub agreed: Option<bool>,
    /// Whether the outcome was reported to all Members.
    pub reported: bool,
    /// Seats added for the item's salience (`[greenroom] growth`).
    #[serde(skip_serializing_if = "is_zero")]
    pub salience_seats: u32,
    /// International organisations observing, with no vote.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub observers: Vec<String>,
    /// The consultation of all Members after the room, if held.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consultation: Option<ConsultationReport>,
}

/// The consultation of all Members after a Green Room.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ConsultationReport {
    /// Members that objected to the room's text.
    pub objectors: Vec<MemberId>,
    /// The room's text, 0 to 1.
    pub text: f64,
    /// The text the chair brings to the next round, 0 to 1.
    pub next_text: f64,
}

/// Inclusiveness in percent.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct InclusivenessReport {
    /// Members represented.
    pub members_pct: f64,
    /// LDC Members represented.
    pub ldcs_pct: f64,
    /// Regions represented.
    pub regions_pct: f64,
}

/// The package rule and its outcome.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct PackageReport {
    /// `early-harvest` or `single-undertaking`.
    pub rule: Package,
    /// Under the single undertaking: `adopted`, `blocked` (an objection to
    /// the package), `lapsed` (an item was not agreed); `null` under early
    /// harvest.
    pub outcome: Option<Outcome>,
    /// Items agreed before the package decision or failure.
    pub agreed: Vec<String>,
}

impl InclusivenessReport {
    /// The record's per mille figures as percentages.
    fn of(inc: &Inclusiveness) -> Self {
        Self {
            members_pct: permille_pct(inc.members_permille),
            ldcs_pct: permille_pct(inc.ldcs_permille),
            regions_pct: permille_pct(inc.regions_permille),
        }
    }
}

/// Hours in a day's common windows.
fn common_hours(windows: &[Interval]) -> f64 {
    windows.iter().map(|w| w.secs()).sum::<i64>() as f64 / 3600.0
}

/// For `skip_serializing_if`.
fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// A per mille figure as a percentage.
fn permille_pct(permille: u32) -> f64 {
    f64::from(permille) / 10.0
}
