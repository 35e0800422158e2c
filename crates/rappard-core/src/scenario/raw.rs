//! The scenario file as written: one struct per TOML table, read by serde.
//!
//! These structs check only the shape of the file: unknown keys are refused
//! (`deny_unknown_fields`) and types are those of TOML. Everything a check
//! needs to point at keeps its place in the file (`Spanned`), so that the
//! table parsers can name the line and column of a value they refuse. What
//! the values mean is left to those parsers.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// The whole file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    pub scenario: RawScenario,
    pub members: Option<RawMembers>,
    #[serde(default)]
    pub member: Vec<RawMember>,
    #[serde(default)]
    pub item: Vec<RawItem>,
    #[serde(default)]
    pub greenroom: Option<RawGreenRoom>,
    #[serde(default)]
    pub coalition: Vec<RawCoalition>,
    #[serde(default)]
    pub initiative: Vec<RawInitiative>,
    #[serde(default)]
    pub accession: Vec<RawAccession>,
    #[serde(default)]
    pub procedure: Option<RawProcedure>,
    #[serde(default)]
    pub chair: Option<RawChair>,
    #[serde(default)]
    pub capacity: Option<RawCapacity>,
    #[serde(default)]
    pub shock: Vec<RawShock>,
    #[serde(default)]
    pub rtas: Option<RawRtas>,
    #[serde(default)]
    pub rta: Vec<RawRta>,
    #[serde(default)]
    pub secretariat: Option<RawSecretariat>,
    #[serde(default)]
    pub pressure: Option<super::pressure::RawPressure>,
}

/// `[capacity]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCapacity {
    #[serde(default)]
    pub meetings_per_day: Option<Spanned<i64>>,
    #[serde(default)]
    pub by_development: Option<Spanned<BTreeMap<Spanned<String>, Spanned<i64>>>>,
    #[serde(default)]
    pub non_resident: Vec<Spanned<String>>,
}

/// The `sdt` key of `[[item]]` and `[[initiative]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSdt {
    pub tolerance_widening: Option<Spanned<f64>>,
    pub transition_years: Option<Spanned<i64>>,
    #[serde(rename = "for")]
    pub beneficiaries: Option<Vec<Spanned<String>>>,
}

/// `[[shock]]`: a political shock (`crate::shock`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawShock {
    pub kind: Spanned<String>,
    pub start: Spanned<toml::Value>,
    pub end: Spanned<toml::Value>,
    #[serde(default)]
    pub members: Vec<Spanned<String>>,
    pub factor: Option<Spanned<f64>>,
    pub in_person: Option<Spanned<Vec<Spanned<String>>>>,
}

/// `[rtas]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRtas {
    #[serde(default)]
    pub dataset: Option<Spanned<String>>,
    #[serde(default)]
    pub outside_option_weight: Option<Spanned<f64>>,
}

/// `[[rta]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRta {
    pub name: Spanned<String>,
    pub parties: Spanned<Vec<Spanned<String>>>,
    pub entry_into_force: Spanned<toml::Value>,
    pub depth: Spanned<String>,
    pub notified: Option<bool>,
    pub rules_of_origin: Option<Spanned<String>>,
    pub enabling_clause: Option<bool>,
    pub level: Option<Spanned<f64>>,
    pub dock_as: Option<Spanned<String>>,
}

/// `[secretariat]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSecretariat {
    #[serde(default)]
    pub mode: Option<Spanned<String>>,
    #[serde(default)]
    pub bridging_after: Option<Spanned<i64>>,
    #[serde(default)]
    pub link_after: Option<Spanned<i64>>,
}

/// `[chair]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawChair {
    #[serde(default)]
    pub drafting: Option<Spanned<String>>,
    #[serde(default)]
    pub alpha: Option<Spanned<f64>>,
    #[serde(default)]
    pub bias: Option<Spanned<RawBias>>,
    #[serde(default)]
    pub co_chairs_sign: Option<Spanned<String>>,
    #[serde(default)]
    pub revisions: Option<Spanned<i64>>,
    #[serde(default)]
    pub withdraw_after: Option<Spanned<i64>>,
    #[serde(default)]
    pub amendments: Option<Spanned<RawAmendments>>,
    #[serde(default)]
    pub issue_when_spread_below: Option<Spanned<f64>>,
    #[serde(default)]
    pub withhold_at_most: Option<Spanned<i64>>,
}

/// `[chair] amendments = { alpha }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAmendments {
    #[serde(default)]
    pub alpha: Option<Spanned<f64>>,
}

/// `[chair] bias = { ideal, weight }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBias {
    pub ideal: Spanned<f64>,
    pub weight: Spanned<f64>,
}

/// `[procedure]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawProcedure {
    #[serde(default)]
    pub consensus_first: Option<Spanned<bool>>,
    #[serde(default)]
    pub quorum: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub working_days: Option<Spanned<bool>>,
    #[serde(default)]
    pub closed: Vec<Spanned<String>>,
    #[serde(default)]
    pub written_deadline_at: Option<Spanned<String>>,
}

/// `[scenario]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScenario {
    pub name: Spanned<String>,
    #[serde(default)]
    pub seed: Option<Spanned<i64>>,
    pub start: Spanned<toml::Value>,
    #[serde(default)]
    pub venue: Option<Spanned<String>>,
    #[serde(default)]
    pub session_hours: Option<Spanned<i64>>,
    #[serde(default)]
    pub package: Option<Spanned<String>>,
}

/// `[members]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMembers {
    #[serde(default)]
    pub dataset: Option<Spanned<String>>,
    /// Spanned as a whole too, so that an empty list has a place.
    #[serde(default)]
    pub only: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    pub office_hours: Option<Spanned<String>>,
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    /// A date, as a string or a TOML local date.
    #[serde(default)]
    pub as_of: Option<Spanned<toml::Value>>,
}

/// `[[member]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMember {
    pub id: Spanned<String>,
    pub name: Option<Spanned<String>>,
    pub time_zone: Option<Spanned<String>>,
    pub development: Option<Spanned<String>>,
    pub region: Option<Spanned<String>>,
    pub export_share: Option<Spanned<f64>>,
    pub office_hours: Option<Spanned<String>>,
    pub mission: Option<Spanned<String>>,
    pub meetings_per_day: Option<Spanned<i64>>,
}

/// A fixed meeting, `{ start, hours }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMeeting {
    pub start: Spanned<toml::Value>,
    pub hours: Spanned<i64>,
}

/// A delegation's position: a stance, or an ideal point.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPosition {
    pub stance: Option<Spanned<String>>,
    pub ideal: Option<Spanned<f64>>,
    pub tolerance: Option<Spanned<f64>>,
    pub concession: Option<Spanned<f64>>,
    pub importance: Option<Spanned<i64>>,
}

/// Positions by member id, as in `[item.positions]`.
pub(super) type RawPositions = BTreeMap<Spanned<String>, Spanned<RawPosition>>;

/// `[[item]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawItem {
    pub id: Spanned<String>,
    pub title: Option<Spanned<String>>,
    pub rule: Spanned<String>,
    pub fallback: Option<Spanned<String>>,
    pub meeting: Option<Spanned<RawMeeting>>,
    pub deadline_days: Option<Spanned<i64>>,
    pub co_chairs: Option<Spanned<Vec<Spanned<String>>>>,
    pub written_procedure_hours: Option<Spanned<i64>>,
    #[serde(default)]
    pub positions: RawPositions,
    pub others: Option<Spanned<RawPosition>>,
    #[serde(default)]
    pub concerned: Vec<Spanned<String>>,
    pub salience: Option<Spanned<f64>>,
    #[serde(default)]
    pub observers: Vec<Spanned<String>>,
    pub consensus_days: Option<Spanned<i64>>,
    pub acceptance: Option<Spanned<RawAcceptance>>,
    pub acceptance_days: Option<Spanned<RawAcceptanceDays>>,
    pub sdt: Option<Spanned<RawSdt>>,
}

/// `[item.acceptance]`: when Members accept an amendment, by member id (a
/// date, days after the decision, or `never`).
pub(super) type RawAcceptance = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

/// `acceptance_days`: the model's mean delays by development status.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAcceptanceDays {
    pub developed: Option<Spanned<i64>>,
    pub developing: Option<Spanned<i64>>,
    #[serde(rename = "least-developed")]
    pub least_developed: Option<Spanned<i64>>,
}

/// `[[initiative]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawInitiative {
    pub id: Spanned<String>,
    pub topic: Option<Spanned<String>>,
    pub sponsors: Spanned<Vec<Spanned<String>>>,
    pub threshold: Option<Spanned<f64>>,
    pub mfn: Option<bool>,
    #[serde(default)]
    pub participants: Vec<Spanned<String>>,
    #[serde(default)]
    pub objectors: Vec<Spanned<String>>,
    pub deadline_days: Option<Spanned<i64>>,
    pub meeting: Option<Spanned<RawMeeting>>,
    #[serde(default)]
    pub positions: RawPositions,
    pub others: Option<Spanned<RawPosition>>,
    pub sdt: Option<Spanned<RawSdt>>,
}

/// `[[accession]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAccession {
    pub applicant: Spanned<String>,
    pub name: Option<Spanned<String>>,
    pub time_zone: Option<Spanned<String>>,
    pub development: Option<Spanned<String>>,
    pub region: Option<Spanned<String>>,
    pub export_share: Option<Spanned<f64>>,
    pub applied: Option<Spanned<toml::Value>>,
    pub working_party: Option<Vec<Spanned<String>>>,
    pub memorandum_days: Option<Spanned<i64>>,
    pub bilateral_round_days: Option<Spanned<i64>>,
    pub bilateral_rounds: Option<Spanned<i64>>,
    pub report_days: Option<Spanned<i64>>,
    pub ratification_days: Option<Spanned<i64>>,
    pub decision_meeting: Option<Spanned<RawMeeting>>,
    #[serde(default)]
    pub positions: RawPositions,
    pub others: Option<Spanned<RawPosition>>,
}

/// `[greenroom]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawGreenRoom {
    pub policy: Spanned<String>,
    pub seats: Option<Spanned<i64>>,
    pub few: Option<Spanned<i64>>,
    pub objector_seats: Option<Spanned<bool>>,
    pub growth: Option<Spanned<i64>>,
    pub consultation: Option<Spanned<bool>>,
    pub consultation_weight: Option<Spanned<f64>>,
    /// Structure name to the Members of that structure.
    #[serde(default)]
    pub structure: BTreeMap<Spanned<String>, Vec<Spanned<String>>>,
}

/// `[[coalition]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCoalition {
    pub id: Spanned<String>,
    pub name: Option<Spanned<String>>,
    pub members: Option<Vec<Spanned<String>>>,
    pub coordinator: Option<Spanned<String>>,
    pub bloc: Option<Spanned<bool>>,
    pub defection_limit: Option<Spanned<f64>>,
}

/// What `[[member]]` and `[[accession]]` both say about a Member, borrowed
/// from either: one reader ([`super::members`]) serves both.
pub(super) struct RawProfile<'a> {
    pub name: Option<&'a Spanned<String>>,
    pub time_zone: Option<&'a Spanned<String>>,
    pub development: Option<&'a Spanned<String>>,
    pub region: Option<&'a Spanned<String>>,
    pub export_share: Option<&'a Spanned<f64>>,
    pub office_hours: Option<&'a Spanned<String>>,
}

impl RawMember {
    pub fn profile(&self) -> RawProfile<'_> {
        RawProfile {
            name: self.name.as_ref(),
            time_zone: self.time_zone.as_ref(),
            development: self.development.as_ref(),
            region: self.region.as_ref(),
            export_share: self.export_share.as_ref(),
            office_hours: self.office_hours.as_ref(),
        }
    }
}

impl RawAccession {
    pub fn profile(&self) -> RawProfile<'_> {
        RawProfile {
            name: self.name.as_ref(),
            time_zone: self.time_zone.as_ref(),
            development: self.development.as_ref(),
            region: self.region.as_ref(),
            export_share: self.export_share.as_ref(),
            office_hours: None,
        }
    }
}
