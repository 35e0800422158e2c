//! Scenario files (TOML): what a negotiation is about, who takes part, and
//! what each delegation has been told.
//!
//! The format is documented for users in `docs/scenarios.md`. Parsing checks
//! everything it can before a run: unknown keys, unknown member ids, unknown
//! rules and stances, values out of range, a fixed meeting before the start.
//! Every error names the file, the line and column, and the field, and the
//! command line exits with code 2 on it; nothing is silently defaulted except
//! what the docs list as a default.
//!
//! A parsed [`Scenario`] splits into what is public, the [`Agenda`] the
//! Secretariat works from, and what is private, each delegation's
//! [`Instructions`], which only its own node holds.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use chrono_tz::Tz;
use serde::Deserialize;
use toml::Spanned;

use crate::coalition::{self, Coalition};
use crate::dataset;
use crate::greenroom;
use crate::member::{Development, Member, MemberId, Membership};
use crate::protocol::{Level, MAX_LEVEL, Stance};
use crate::rules::Rule;
use crate::sessions::{OfficeHours, Venue};
use crate::time::{Interval, Timestamp};

/// A scenario error: where, which field, what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// The file, as given.
    pub file: String,
    /// 1-based line (0 when the error has no place in the file).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// The field, as `table.key` (empty for a syntax error).
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        if !self.field.is_empty() {
            write!(f, ": field `{}`", self.field)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ScenarioError {}

/// How a Member's instructions fix its position on an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PositionSpec {
    /// A fixed stance.
    Stance(Stance),
    /// The ideal-point strategy; what is `None` is drawn from the seed.
    IdealPoint {
        /// Ideal level.
        ideal: Option<Level>,
        /// Tolerance.
        tolerance: Option<Level>,
        /// Concession per round.
        concession: Option<Level>,
    },
}

/// An agenda item, as the Secretariat knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemSpec {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Decision rule.
    pub rule: Rule,
    /// Voting fallback when consensus fails.
    pub fallback: Option<Rule>,
    /// A decision meeting fixed by the scenario.
    pub meeting: Option<Interval>,
    /// No new round starts at or after this instant.
    pub deadline: Timestamp,
    /// Co-chairs who must all sign a text (empty: a single chair).
    pub co_chairs: Vec<MemberId>,
    /// Length of a written procedure, in hours.
    pub written_procedure_hours: u32,
    /// The Members most concerned by the item (reserved Green Room seats).
    pub concerned: Vec<MemberId>,
}

/// An open plurilateral initiative, as the Secretariat knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InitiativeSpec {
    /// Id (shares the items' id space).
    pub id: String,
    /// Topic or sector.
    pub topic: String,
    /// Co-sponsors of the joint statement.
    pub sponsors: Vec<MemberId>,
    /// Members the scenario has join at launch.
    pub participants: Vec<MemberId>,
    /// Critical mass, in 0.0001 % of world exports.
    pub threshold: u32,
    /// MFN (in force on conclusion) or not (Annex 4).
    pub mfn: bool,
    /// No new round starts at or after this instant.
    pub deadline: Timestamp,
    /// A fixed Ministerial meeting for the Annex 4 decision.
    pub meeting: Option<Interval>,
}

/// An accession, as the Secretariat knows it.
#[derive(Clone, Debug, PartialEq)]
pub struct AccessionSpec {
    /// The applicant, with what is public about it.
    pub applicant: Member,
    /// When it applies.
    pub applied: Timestamp,
    /// Working Party members.
    pub working_party: Vec<MemberId>,
    /// Memorandum, questions and answers, days.
    pub memorandum_days: u32,
    /// Days between bilateral rounds.
    pub bilateral_round_days: u32,
    /// Bilateral rounds at most.
    pub bilateral_rounds: u32,
    /// From the last deal to the WP report meeting, days.
    pub report_days: u32,
    /// A fixed General Council or Ministerial meeting for the decision.
    pub decision_meeting: Option<Interval>,
    /// From the decision to the deposit of the instrument, days.
    pub ratification_days: u32,
}

/// The Green Room practice of a scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GreenRoomSpec {
    /// Whom the chair invites, and how openly.
    pub policy: greenroom::Policy,
    /// Seats.
    pub seats: u32,
    /// A text is "blocked by a few" when 1 to this many delegations object.
    pub few: u32,
}

/// Default for [`GreenRoomSpec::few`].
pub const DEFAULT_GREEN_ROOM_FEW: u32 = 5;

/// How the items of a round are adopted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Package {
    /// Each item is adopted when it is ripe (the seed paper's early harvest,
    /// lines 609–611).
    EarlyHarvest,
    /// Nothing is adopted until every item is agreed; then one decision on
    /// the whole package (the Doha Round's single undertaking, Doha
    /// Ministerial Declaration WT/MIN(01)/DEC/1, para. 47).
    SingleUndertaking,
}

impl Package {
    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EarlyHarvest => "early-harvest",
            Self::SingleUndertaking => "single-undertaking",
        }
    }
}

/// The item id reserved for the decision on the whole package.
pub const PACKAGE_ITEM: &str = "package";

/// What the Secretariat knows: the public part of a scenario.
#[derive(Clone, Debug)]
pub struct Agenda {
    /// Scenario name.
    pub name: String,
    /// Seed (public: it is printed in the minutes).
    pub seed: u64,
    /// Start of the negotiation.
    pub start: Timestamp,
    /// Venue.
    pub venue: Venue,
    /// Length of a day's session, in hours.
    pub session_hours: u32,
    /// The package rule.
    pub package: Package,
    /// Members.
    pub membership: Membership,
    /// Items, in the file's order.
    pub items: Vec<ItemSpec>,
    /// Green Rooms, if the chair convenes them.
    pub green_room: Option<GreenRoomSpec>,
    /// Coalitions (built in, then the scenario's).
    pub coalitions: Vec<Coalition>,
    /// Open plurilateral initiatives.
    pub initiatives: Vec<InitiativeSpec>,
    /// Accessions.
    pub accessions: Vec<AccessionSpec>,
}

/// What one delegation has been told: its position per item (items not
/// listed are left to the ideal-point strategy drawn from the seed).
pub type Instructions = BTreeMap<String, PositionSpec>;

/// A whole scenario.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The public part.
    pub agenda: Agenda,
    /// Each delegation's private instructions, by member id.
    pub instructions: BTreeMap<MemberId, Instructions>,
}

impl Scenario {
    /// Replaces the seed (the `--seed` option).
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.agenda.seed = seed;
        self
    }

    /// The instructions of one delegation (empty if the scenario gives none).
    pub fn instructions_of(&self, id: &MemberId) -> Instructions {
        self.instructions.get(id).cloned().unwrap_or_default()
    }
}

// ---- the file as written ------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    scenario: RawScenario,
    members: Option<RawMembers>,
    #[serde(default)]
    member: Vec<RawMember>,
    #[serde(default)]
    item: Vec<RawItem>,
    #[serde(default)]
    greenroom: Option<RawGreenRoom>,
    #[serde(default)]
    coalition: Vec<RawCoalition>,
    #[serde(default)]
    initiative: Vec<RawInitiative>,
    #[serde(default)]
    accession: Vec<RawAccession>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccession {
    applicant: Spanned<String>,
    name: Option<String>,
    time_zone: Option<Spanned<String>>,
    development: Option<Spanned<String>>,
    region: Option<String>,
    export_share: Option<Spanned<f64>>,
    applied: Option<Spanned<toml::Value>>,
    working_party: Option<Vec<Spanned<String>>>,
    memorandum_days: Option<Spanned<i64>>,
    bilateral_round_days: Option<Spanned<i64>>,
    bilateral_rounds: Option<Spanned<i64>>,
    report_days: Option<Spanned<i64>>,
    ratification_days: Option<Spanned<i64>>,
    decision_meeting: Option<Spanned<RawMeeting>>,
    #[serde(default)]
    positions: BTreeMap<Spanned<String>, Spanned<RawPosition>>,
    others: Option<Spanned<RawPosition>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInitiative {
    id: Spanned<String>,
    topic: Option<String>,
    sponsors: Spanned<Vec<Spanned<String>>>,
    threshold: Option<Spanned<f64>>,
    mfn: Option<bool>,
    #[serde(default)]
    participants: Vec<Spanned<String>>,
    #[serde(default)]
    objectors: Vec<Spanned<String>>,
    deadline_days: Option<Spanned<i64>>,
    meeting: Option<Spanned<RawMeeting>>,
    #[serde(default)]
    positions: BTreeMap<Spanned<String>, Spanned<RawPosition>>,
    others: Option<Spanned<RawPosition>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGreenRoom {
    policy: Spanned<String>,
    seats: Option<Spanned<i64>>,
    few: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCoalition {
    id: Spanned<String>,
    name: Option<String>,
    members: Vec<Spanned<String>>,
    coordinator: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: String,
    #[serde(default)]
    seed: Option<Spanned<i64>>,
    start: Spanned<toml::Value>,
    #[serde(default)]
    venue: Option<Spanned<String>>,
    #[serde(default)]
    session_hours: Option<Spanned<i64>>,
    #[serde(default)]
    package: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMembers {
    #[serde(default)]
    dataset: Option<Spanned<String>>,
    #[serde(default)]
    only: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    office_hours: Option<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMember {
    id: Spanned<String>,
    name: Option<String>,
    time_zone: Option<Spanned<String>>,
    development: Option<Spanned<String>>,
    region: Option<String>,
    export_share: Option<Spanned<f64>>,
    office_hours: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeeting {
    start: Spanned<toml::Value>,
    hours: Spanned<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    id: Spanned<String>,
    title: Option<String>,
    rule: Spanned<String>,
    fallback: Option<Spanned<String>>,
    meeting: Option<Spanned<RawMeeting>>,
    deadline_days: Option<Spanned<i64>>,
    co_chairs: Option<Spanned<Vec<Spanned<String>>>>,
    written_procedure_hours: Option<Spanned<i64>>,
    #[serde(default)]
    positions: BTreeMap<Spanned<String>, Spanned<RawPosition>>,
    others: Option<Spanned<RawPosition>>,
    #[serde(default)]
    concerned: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPosition {
    stance: Option<Spanned<String>>,
    ideal: Option<Spanned<f64>>,
    tolerance: Option<Spanned<f64>>,
    concession: Option<Spanned<f64>>,
}

/// Default length of a day's session.
pub const DEFAULT_SESSION_HOURS: u32 = 3;
/// Default days before an item without agreement lapses.
pub const DEFAULT_DEADLINE_DAYS: u32 = 30;
/// Default length of a written procedure.
pub const DEFAULT_WRITTEN_PROCEDURE_HOURS: u32 = 72;

struct Ctx<'a> {
    file: &'a str,
    text: &'a str,
}

impl Ctx<'_> {
    fn at(&self, span: Range<usize>, field: &str, message: impl Into<String>) -> ScenarioError {
        let (line, column) = line_col(self.text, span.start);
        ScenarioError {
            file: self.file.to_owned(),
            line,
            column,
            field: field.to_owned(),
            message: message.into(),
        }
    }

    fn level(&self, v: &Spanned<f64>, field: &str) -> Result<Level, ScenarioError> {
        let x = *v.get_ref();
        if !(0.0..=1.0).contains(&x) {
            return Err(self.at(v.span(), field, format!("{x} is outside 0..1")));
        }
        Ok((x * f64::from(MAX_LEVEL)).round() as Level)
    }

    fn instant(&self, v: &Spanned<toml::Value>, field: &str) -> Result<Timestamp, ScenarioError> {
        let s = match v.get_ref() {
            toml::Value::String(s) => s.clone(),
            toml::Value::Datetime(d) => d.to_string(),
            other => {
                return Err(self.at(
                    v.span(),
                    field,
                    format!(
                        "expected an instant such as \"2026-03-02T08:00:00Z\", found a {}",
                        other.type_str()
                    ),
                ));
            }
        };
        Timestamp::parse(&s).map_err(|e| self.at(v.span(), field, e))
    }

    fn position(
        &self,
        pos: &Spanned<RawPosition>,
        pfield: &str,
    ) -> Result<PositionSpec, ScenarioError> {
        let p = pos.get_ref();
        Ok(match (&p.stance, &p.ideal) {
            (Some(_), Some(i)) => {
                return Err(self.at(
                    i.span(),
                    pfield,
                    "give either a stance or an ideal point, not both",
                ));
            }
            (Some(st), None) => {
                if let Some(x) = p.tolerance.as_ref().or(p.concession.as_ref()) {
                    return Err(self.at(
                        x.span(),
                        pfield,
                        "tolerance and concession go with an ideal, not with a stance",
                    ));
                }
                PositionSpec::Stance(Stance::parse(st.get_ref()).ok_or_else(|| {
                    self.at(
                        st.span(),
                        &format!("{pfield}.stance"),
                        format!(
                            "unknown stance `{}`; use object, support or abstain",
                            st.get_ref()
                        ),
                    )
                })?)
            }
            (None, ideal) => {
                if ideal.is_none() && p.tolerance.is_none() && p.concession.is_none() {
                    return Err(self.at(pos.span(), pfield, "a position needs a stance or an ideal (with optional tolerance and concession)"));
                }
                PositionSpec::IdealPoint {
                    ideal: ideal
                        .as_ref()
                        .map(|v| self.level(v, &format!("{pfield}.ideal")))
                        .transpose()?,
                    tolerance: p
                        .tolerance
                        .as_ref()
                        .map(|v| self.level(v, &format!("{pfield}.tolerance")))
                        .transpose()?,
                    concession: p
                        .concession
                        .as_ref()
                        .map(|v| self.level(v, &format!("{pfield}.concession")))
                        .transpose()?,
                }
            }
        })
    }

    fn meeting(
        &self,
        m: &Spanned<RawMeeting>,
        field: &str,
        start: Timestamp,
    ) -> Result<Interval, ScenarioError> {
        let st = self.instant(&m.get_ref().start, &format!("{field}.start"))?;
        let hours = self.positive(&m.get_ref().hours, &format!("{field}.hours"), 24)?;
        if st < start {
            return Err(self.at(
                m.get_ref().start.span(),
                &format!("{field}.start"),
                format!("the meeting ({st}) is before the scenario starts ({start})"),
            ));
        }
        Ok(Interval {
            start: st,
            end: st.plus_secs(i64::from(hours) * 3600),
        })
    }

    fn positive(&self, v: &Spanned<i64>, field: &str, max: i64) -> Result<u32, ScenarioError> {
        let x = *v.get_ref();
        if x < 1 || x > max {
            return Err(self.at(v.span(), field, format!("{x} is outside 1..={max}")));
        }
        Ok(x as u32)
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The field at a byte offset, as `table.key`: the last table header above
/// it and the key on its line. Used to name the field of a syntax or type
/// error that the TOML parser reports only by position.
fn field_at(text: &str, offset: usize) -> String {
    let before = &text[..offset.min(text.len())];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let line = &text[line_start..line_end];
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"').to_owned())
        .filter(|k| !k.is_empty() && !k.starts_with('['));
    let table = before[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_owned());
    match (table, key) {
        (Some(t), Some(k)) => format!("{t}.{k}"),
        (None, Some(k)) => k,
        (Some(_), None) if line.trim_start().starts_with('[') => line
            .trim()
            .trim_matches(|c| c == '[' || c == ']')
            .trim()
            .to_owned(),
        (Some(t), None) => t,
        (None, None) => String::new(),
    }
}

/// Parses a scenario from its text; `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
    let cx = Ctx { file, text };
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        let (line, column) = line_col(text, span.start);
        ScenarioError {
            file: file.to_owned(),
            line,
            column,
            field: field_at(text, span.start),
            message: e.message().trim().to_owned(),
        }
    })?;

    // [scenario]
    let s = &raw.scenario;
    let seed = match &s.seed {
        None => 0,
        Some(v) if *v.get_ref() < 0 => {
            return Err(cx.at(v.span(), "scenario.seed", "a seed is a whole number from 0"));
        }
        Some(v) => *v.get_ref() as u64,
    };
    let start = cx.instant(&s.start, "scenario.start")?;
    let venue = match &s.venue {
        None => Venue::Geneva,
        Some(v) => match v.get_ref().as_str() {
            "geneva" => Venue::Geneva,
            "virtual" => Venue::Virtual,
            other => {
                return Err(cx.at(
                    v.span(),
                    "scenario.venue",
                    format!("unknown venue `{other}`; the venues are geneva, virtual"),
                ));
            }
        },
    };
    let package = match &s.package {
        None => Package::EarlyHarvest,
        Some(v) => {
            match v.get_ref().as_str() {
                "early-harvest" => Package::EarlyHarvest,
                "single-undertaking" => Package::SingleUndertaking,
                other => {
                    return Err(cx.at(
                    v.span(),
                    "scenario.package",
                    format!("unknown package rule `{other}`; use early-harvest or single-undertaking"),
                ));
                }
            }
        }
    };
    let session_hours = match &s.session_hours {
        None => DEFAULT_SESSION_HOURS,
        Some(v) => cx.positive(v, "scenario.session_hours", 24)?,
    };

    // [members]
    let mut members: Vec<Member> = Vec::new();
    // The whole dataset, before `only` and `exclude`: applicants come from it.
    let mut dataset_members: Vec<Member> = Vec::new();
    let mut default_hours = OfficeHours::standard();
    if let Some(m) = &raw.members {
        if let Some(h) = &m.office_hours {
            default_hours = h
                .get_ref()
                .parse()
                .map_err(|e: String| cx.at(h.span(), "members.office_hours", e))?;
        }
        if let Some(d) = &m.dataset {
            if d.get_ref() != "wto" {
                return Err(cx.at(
                    d.span(),
                    "members.dataset",
                    format!(
                        "unknown dataset `{}`; the built-in dataset is wto",
                        d.get_ref()
                    ),
                ));
            }
            members = dataset::parse(dataset::WTO_MEMBERS_CSV)
                .map_err(|e| cx.at(d.span(), "members.dataset", e.to_string()))?;
            dataset_members = members.clone();
        }
        if let Some(only) = &m.only {
            if m.dataset.is_none() {
                return Err(cx.at(
                    only[0].span(),
                    "members.only",
                    "`only` picks from a dataset: add dataset = \"wto\"",
                ));
            }
            let mut keep = HashSet::new();
            for id in only {
                if !members.iter().any(|mm| mm.id.as_str() == id.get_ref()) {
                    return Err(cx.at(
                        id.span(),
                        "members.only",
                        format!("unknown member id `{}` (not in the dataset)", id.get_ref()),
                    ));
                }
                if !keep.insert(id.get_ref().clone()) {
                    return Err(cx.at(
                        id.span(),
                        "members.only",
                        format!("`{}` is listed twice", id.get_ref()),
                    ));
                }
            }
            members.retain(|mm| keep.contains(mm.id.as_str()));
        }
        for id in &m.exclude {
            if !dataset_members
                .iter()
                .any(|mm| mm.id.as_str() == id.get_ref())
            {
                return Err(cx.at(
                    id.span(),
                    "members.exclude",
                    format!("unknown member id `{}` (not in the dataset)", id.get_ref()),
                ));
            }
            members.retain(|mm| mm.id.as_str() != id.get_ref());
        }
    }
    for m in &mut members {
        m.office_hours = default_hours;
    }

    // [[member]]: override or add.
    let mut overridden = HashSet::new();
    for (k, rm) in raw.member.iter().enumerate() {
        let field = |f: &str| format!("member[{k}].{f}");
        let id =
            MemberId::new(rm.id.get_ref()).map_err(|e| cx.at(rm.id.span(), &field("id"), e))?;
        if !overridden.insert(id.clone()) {
            return Err(cx.at(
                rm.id.span(),
                &field("id"),
                format!("member `{id}` is defined twice"),
            ));
        }
        let time_zone = match &rm.time_zone {
            None => None,
            Some(z) => Some(Tz::from_str(z.get_ref()).map_err(|_| {
                cx.at(
                    z.span(),
                    &field("time_zone"),
                    format!("unknown IANA time zone `{}`", z.get_ref()),
                )
            })?),
        };
        let development = match &rm.development {
            None => None,
            Some(d) => Some(Development::parse(d.get_ref()).ok_or_else(|| {
                cx.at(d.span(), &field("development"), format!("unknown development status `{}`; use developed, developing or least-developed", d.get_ref()))
            })?),
        };
        let export_share = match &rm.export_share {
            None => None,
            Some(v) => {
                let x = *v.get_ref();
                if !(0.0..=100.0).contains(&x) {
                    return Err(cx.at(
                        v.span(),
                        &field("export_share"),
                        format!("{x} is not a percentage in 0..100"),
                    ));
                }
                Some((x * 10_000.0).round() as u32)
            }
        };
        let office_hours = match &rm.office_hours {
            None => None,
            Some(h) => Some(
                h.get_ref()
                    .parse::<OfficeHours>()
                    .map_err(|e| cx.at(h.span(), &field("office_hours"), e))?,
            ),
        };
        if let Some(existing) = members.iter_mut().find(|m| m.id == id) {
            if let Some(n) = &rm.name {
                existing.name = n.clone();
            }
            if let Some(z) = time_zone {
                existing.time_zone = z;
            }
            if let Some(d) = development {
                existing.development = d;
            }
            if let Some(r) = &rm.region {
                existing.region = r.clone();
            }
            if export_share.is_some() {
                existing.export_share = export_share;
            }
            if let Some(h) = office_hours {
                existing.office_hours = h;
            }
        } else {
            let Some(time_zone) = time_zone else {
                return Err(cx.at(
                    rm.id.span(),
                    &field("time_zone"),
                    format!("`{id}` is not in the dataset: a new member needs a time_zone"),
                ));
            };
            members.push(Member {
                id: id.clone(),
                name: rm.name.clone().unwrap_or_else(|| id.to_string()),
                membership_date: None,
                region: rm.region.clone().unwrap_or_default(),
                development: development.unwrap_or(Development::Developing),
                time_zone,
                office_hours: office_hours.unwrap_or(default_hours),
                export_share,
                eu_member_state: false,
            });
        }
    }
    if members.is_empty() {
        return Err(ScenarioError {
            file: file.to_owned(),
            line: 0,
            column: 0,
            field: "members".into(),
            message:
                "the scenario has no Members: add [members] dataset = \"wto\" or [[member]] entries"
                    .into(),
        });
    }
    let membership = Membership::new(members);

    // [[item]]
    let mut items = Vec::new();
    let mut instructions: BTreeMap<MemberId, Instructions> = BTreeMap::new();
    let mut item_ids = HashSet::new();
    let known = |id: &Spanned<String>, field: &str| -> Result<MemberId, ScenarioError> {
        let m = membership.get(id.get_ref()).ok_or_else(|| {
            cx.at(
                id.span(),
                field,
                format!("unknown member id `{}`", id.get_ref()),
            )
        })?;
        if membership.is_represented(m.id.as_str()) {
            return Err(cx.at(
                id.span(),
                field,
                format!("`{}` is an EU member State, represented by the EU in negotiations: give the position to EU", m.id),
            ));
        }
        Ok(m.id.clone())
    };
    // Applicants may be given positions on items and initiatives: they take
    // part once they are Members.
    let applicants: HashSet<&str> = raw
        .accession
        .iter()
        .map(|a| a.applicant.get_ref().as_str())
        .collect();
    let known_or_applicant = |id: &Spanned<String>,
                              field: &str|
     -> Result<MemberId, ScenarioError> {
        if applicants.contains(id.get_ref().as_str()) && membership.get(id.get_ref()).is_none() {
            return MemberId::new(id.get_ref()).map_err(|e| cx.at(id.span(), field, e));
        }
        known(id, field)
    };
    for (k, ri) in raw.item.iter().enumerate() {
        let field = |f: &str| format!("item[{k}].{f}");
        let id = ri.id.get_ref().trim().to_owned();
        if id.is_empty() || id.len() > 64 {
            return Err(cx.at(
                ri.id.span(),
                &field("id"),
                "an item id has 1 to 64 characters",
            ));
        }
        if id == PACKAGE_ITEM {
            return Err(cx.at(
                ri.id.span(),
                &field("id"),
                format!("`{PACKAGE_ITEM}` is reserved for the decision on the whole package"),
            ));
        }
        if !item_ids.insert(id.clone()) {
            return Err(cx.at(
                ri.id.span(),
                &field("id"),
                format!("item `{id}` is defined twice"),
            ));
        }
        let rule = Rule::from_str(ri.rule.get_ref())
            .map_err(|e| cx.at(ri.rule.span(), &field("rule"), e))?;
        let fallback = match &ri.fallback {
            None => None,
            Some(f) => {
                let fb = Rule::from_str(f.get_ref())
                    .map_err(|e| cx.at(f.span(), &field("fallback"), e))?;
                if rule != Rule::Consensus {
                    return Err(cx.at(f.span(), &field("fallback"), format!("a fallback applies when consensus fails, but this item's rule is {rule}")));
                }
                if !fb.is_vote() {
                    return Err(cx.at(f.span(), &field("fallback"), format!("the fallback must be a vote (majority, two-thirds-of-members, three-fourths-of-members), not {fb}")));
                }
                Some(fb)
            }
        };
        let meeting = ri
            .meeting
            .as_ref()
            .map(|m| cx.meeting(m, &field("meeting"), start))
            .transpose()?;
        let deadline_days = match &ri.deadline_days {
            None => DEFAULT_DEADLINE_DAYS,
            Some(v) => cx.positive(v, &field("deadline_days"), 3650)?,
        };
        let written_procedure_hours = match &ri.written_procedure_hours {
            None => DEFAULT_WRITTEN_PROCEDURE_HOURS,
            Some(v) => cx.positive(v, &field("written_procedure_hours"), 24 * 365)?,
        };
        let mut co_chairs = Vec::new();
        if let Some(cc) = &ri.co_chairs {
            for c in cc.get_ref() {
                let m = known(c, &field("co_chairs"))?;
                if co_chairs.contains(&m) {
                    return Err(cx.at(
                        c.span(),
                        &field("co_chairs"),
                        format!("`{m}` is named twice"),
                    ));
                }
                co_chairs.push(m);
            }
            if !(2..=5).contains(&co_chairs.len()) {
                return Err(cx.at(
                    cc.span(),
                    &field("co_chairs"),
                    format!(
                        "{} co-chairs; name 2 to 5 (the seed paper proposes three)",
                        co_chairs.len()
                    ),
                ));
            }
        }
        for (who, pos) in &ri.positions {
            let pfield = format!("item[{k}].positions.{}", who.get_ref());
            let member = known_or_applicant(who, &pfield)?;
            let spec = cx.position(pos, &pfield)?;
            instructions
                .entry(member)
                .or_default()
                .insert(id.clone(), spec);
        }
        if let Some(others) = &ri.others {
            let spec = cx.position(others, &field("others"))?;
            for m in membership.delegations() {
                let own = instructions.entry(m.id.clone()).or_default();
                own.entry(id.clone()).or_insert(spec);
            }
        }
        let mut concerned = Vec::new();
        for c in &ri.concerned {
            let m = known(c, &field("concerned"))?;
            if !concerned.contains(&m) {
                concerned.push(m);
            }
        }
        items.push(ItemSpec {
            title: ri.title.clone().unwrap_or_else(|| id.clone()),
            id,
            rule,
            fallback,
            meeting,
            deadline: start.plus_secs(i64::from(deadline_days) * 86_400),
            co_chairs,
            written_procedure_hours,
            concerned,
        });
    }

    let mut initiatives = Vec::new();
    for (k, ri) in raw.initiative.iter().enumerate() {
        let field = |f: &str| format!("initiative[{k}].{f}");
        let id = ri.id.get_ref().trim().to_owned();
        if id.is_empty() || id.len() > 64 {
            return Err(cx.at(
                ri.id.span(),
                &field("id"),
                "an initiative id has 1 to 64 characters",
            ));
        }
        if id == PACKAGE_ITEM || !item_ids.insert(id.clone()) {
            return Err(cx.at(
                ri.id.span(),
                &field("id"),
                format!("`{id}` is already an item or initiative id"),
            ));
        }
        let list = |v: &[Spanned<String>], f: &str| -> Result<Vec<MemberId>, ScenarioError> {
            let mut out = Vec::new();
            for m in v {
                let m = known(m, &field(f))?;
                if !out.contains(&m) {
                    out.push(m);
                }
            }
            out.sort();
            Ok(out)
        };
        let sponsors = list(ri.sponsors.get_ref(), "sponsors")?;
        if sponsors.is_empty() {
            return Err(cx.at(
                ri.sponsors.span(),
                &field("sponsors"),
                "a joint statement needs at least one co-sponsor",
            ));
        }
        let participants = list(&ri.participants, "participants")?;
        let objectors = list(&ri.objectors, "objectors")?;
        let mfn = ri.mfn.unwrap_or(true);
        if let Some(o) = objectors
            .iter()
            .find(|o| sponsors.contains(o) || participants.contains(o))
        {
            return Err(cx.at(
                ri.id.span(),
                &field("objectors"),
                format!("`{o}` cannot both take part and object to the agreement"),
            ));
        }
        if mfn && !objectors.is_empty() {
            return Err(cx.at(
                ri.id.span(),
                &field("objectors"),
                "objectors oppose adding a non-MFN agreement to Annex 4: set mfn = false",
            ));
        }
        let threshold = match &ri.threshold {
            None => (crate::initiative::DEFAULT_THRESHOLD_PCT * 10_000.0) as u32,
            Some(v) => {
                let x = *v.get_ref();
                if !(x > 0.0 && x <= 100.0) {
                    return Err(cx.at(
                        v.span(),
                        &field("threshold"),
                        format!("{x} is not a percentage of world exports in (0, 100]"),
                    ));
                }
                (x * 10_000.0).round() as u32
            }
        };
        let meeting = ri
            .meeting
            .as_ref()
            .map(|m| cx.meeting(m, &field("meeting"), start))
            .transpose()?;
        if mfn && meeting.is_some() {
            return Err(cx.at(
                ri.id.span(),
                &field("meeting"),
                "a meeting decides on Annex 4, which only a non-MFN initiative (mfn = false) needs",
            ));
        }
        let deadline_days = match &ri.deadline_days {
            None => DEFAULT_DEADLINE_DAYS,
            Some(v) => cx.positive(v, &field("deadline_days"), 3650)?,
        };
        for (who, pos) in &ri.positions {
            let pfield = format!("initiative[{k}].positions.{}", who.get_ref());
            let member = known_or_applicant(who, &pfield)?;
            if objectors.contains(&member) {
                return Err(cx.at(
                    who.span(),
                    &pfield,
                    format!("`{member}` is listed among the objectors already"),
                ));
            }
            let spec = cx.position(pos, &pfield)?;
            instructions
                .entry(member)
                .or_default()
                .insert(id.clone(), spec);
        }
        for o in &objectors {
            instructions
                .entry(o.clone())
                .or_default()
                .insert(id.clone(), PositionSpec::Stance(Stance::Object));
        }
        if let Some(others) = &ri.others {
            let spec = cx.position(others, &field("others"))?;
            for m in membership.delegations() {
                instructions
                    .entry(m.id.clone())
                    .or_default()
                    .entry(id.clone())
                    .or_insert(spec);
            }
        }
        initiatives.push(InitiativeSpec {
            topic: ri.topic.clone().unwrap_or_else(|| id.clone()),
            id,
            sponsors,
            participants,
            threshold,
            mfn,
            deadline: start.plus_secs(i64::from(deadline_days) * 86_400),
            meeting,
        });
    }

    let mut accessions: Vec<AccessionSpec> = Vec::new();
    for (k, ra) in raw.accession.iter().enumerate() {
        let field = |f: &str| format!("accession[{k}].{f}");
        let id = MemberId::new(ra.applicant.get_ref())
            .map_err(|e| cx.at(ra.applicant.span(), &field("applicant"), e))?;
        if membership.get(id.as_str()).is_some() {
            return Err(cx.at(
                ra.applicant.span(),
                &field("applicant"),
                format!("`{id}` is already a Member; leave it out with [members] exclude"),
            ));
        }
        if accessions.iter().any(|a| a.applicant.id == id) {
            return Err(cx.at(
                ra.applicant.span(),
                &field("applicant"),
                format!("`{id}` applies twice"),
            ));
        }
        let mut applicant = match dataset_members.iter().find(|m| m.id == id) {
            Some(m) => m.clone(),
            None => {
                let Some(z) = &ra.time_zone else {
                    return Err(cx.at(
                        ra.applicant.span(),
                        &field("time_zone"),
                        format!("`{id}` is not in the dataset: give its time_zone"),
                    ));
                };
                Member {
                    id: id.clone(),
                    name: id.to_string(),
                    membership_date: None,
                    region: String::new(),
                    development: Development::Developing,
                    time_zone: Tz::from_str(z.get_ref()).map_err(|_| {
                        cx.at(
                            z.span(),
                            &field("time_zone"),
                            format!("unknown IANA time zone `{}`", z.get_ref()),
                        )
                    })?,
                    office_hours: default_hours,
                    export_share: None,
                    eu_member_state: false,
                }
            }
        };
        applicant.office_hours = default_hours;
        applicant.membership_date = None;
        if let Some(n) = &ra.name {
            applicant.name = n.clone();
        }
        if let Some(z) = &ra.time_zone {
            applicant.time_zone = Tz::from_str(z.get_ref()).map_err(|_| {
                cx.at(
                    z.span(),
                    &field("time_zone"),
                    format!("unknown IANA time zone `{}`", z.get_ref()),
                )
            })?;
        }
        if let Some(d) = &ra.development {
            applicant.development = Development::parse(d.get_ref()).ok_or_else(|| {
                cx.at(
                    d.span(),
                    &field("development"),
                    format!("unknown development status `{}`", d.get_ref()),
                )
            })?;
        }
        if let Some(r) = &ra.region {
            applicant.region = r.clone();
        }
        if let Some(v) = &ra.export_share {
            let x = *v.get_ref();
            if !(0.0..=100.0).contains(&x) {
                return Err(cx.at(
                    v.span(),
                    &field("export_share"),
                    format!("{x} is not a percentage in 0..100"),
                ));
            }
            applicant.export_share = Some((x * 10_000.0).round() as u32);
        }
        let applied = match &ra.applied {
            None => start,
            Some(v) => {
                let t = cx.instant(v, &field("applied"))?;
                if t < start {
                    return Err(cx.at(
                        v.span(),
                        &field("applied"),
                        format!("{t} is before the scenario starts ({start})"),
                    ));
                }
                t
            }
        };
        let working_party = match &ra.working_party {
            Some(list) => {
                let mut out = Vec::new();
                for m in list {
                    let m = known(m, &field("working_party"))?;
                    if !out.contains(&m) {
                        out.push(m);
                    }
                }
                out.sort();
                out
            }
            None => membership
                .delegations()
                .filter(|m| {
                    m.export_share.unwrap_or(0) >= crate::accession::defaults::WORKING_PARTY_SHARE
                })
                .map(|m| m.id.clone())
                .collect(),
        };
        let days = |v: &Option<Spanned<i64>>, f: &str, default: u32| match v {
            None => Ok(default),
            Some(v) => cx.positive(v, &field(f), 3650),
        };
        use crate::accession::defaults as d;
        let key = crate::accession::subject(id.as_str());
        for (who, pos) in &ra.positions {
            let pfield = format!("accession[{k}].positions.{}", who.get_ref());
            let member = if who.get_ref() == id.as_str() {
                id.clone()
            } else {
                known(who, &pfield)?
            };
            let spec = cx.position(pos, &pfield)?;
            instructions
                .entry(member)
                .or_default()
                .insert(key.clone(), spec);
        }
        if let Some(others) = &ra.others {
            let spec = cx.position(others, &field("others"))?;
            for m in membership.delegations() {
                instructions
                    .entry(m.id.clone())
                    .or_default()
                    .entry(key.clone())
                    .or_insert(spec);
            }
        }
        accessions.push(AccessionSpec {
            applicant,
            applied,
            working_party,
            memorandum_days: days(&ra.memorandum_days, "memorandum_days", d::MEMORANDUM_DAYS)?,
            bilateral_round_days: days(
                &ra.bilateral_round_days,
                "bilateral_round_days",
                d::BILATERAL_ROUND_DAYS,
            )?,
            bilateral_rounds: days(
                &ra.bilateral_rounds,
                "bilateral_rounds",
                d::BILATERAL_ROUNDS,
            )?,
            report_days: days(&ra.report_days, "report_days", d::REPORT_DAYS)?,
            decision_meeting: ra
                .decision_meeting
                .as_ref()
                .map(|m| cx.meeting(m, &field("decision_meeting"), start))
                .transpose()?,
            ratification_days: days(
                &ra.ratification_days,
                "ratification_days",
                d::RATIFICATION_DAYS,
            )?,
        });
    }

    if items.is_empty() && initiatives.is_empty() && accessions.is_empty() {
        return Err(ScenarioError {
            file: file.to_owned(),
            line: 0,
            column: 0,
            field: "item".into(),
            message: "the scenario has nothing to negotiate: add an [[item]] or an [[initiative]]"
                .into(),
        });
    }

    let green_room = match &raw.greenroom {
        None => None,
        Some(g) => {
            let policy = match g.policy.get_ref().as_str() {
                "traditional" => greenroom::Policy::Traditional,
                "reformed" => greenroom::Policy::Reformed,
                other => {
                    return Err(cx.at(
                        g.policy.span(),
                        "greenroom.policy",
                        format!("unknown Green Room policy `{other}`; use traditional or reformed"),
                    ));
                }
            };
            let seats = match &g.seats {
                None => policy.default_seats(),
                Some(v) => cx.positive(v, "greenroom.seats", 200)?,
            };
            let few = match &g.few {
                None => DEFAULT_GREEN_ROOM_FEW,
                Some(v) => cx.positive(v, "greenroom.few", 200)?,
            };
            Some(GreenRoomSpec { policy, seats, few })
        }
    };
    let mut coalitions = if raw.members.as_ref().is_some_and(|m| m.dataset.is_some()) {
        coalition::built_in(&membership)
    } else {
        Vec::new()
    };
    for (k, rc) in raw.coalition.iter().enumerate() {
        let field = |f: &str| format!("coalition[{k}].{f}");
        let id = rc.id.get_ref().trim().to_owned();
        if id.is_empty() {
            return Err(cx.at(rc.id.span(), &field("id"), "a coalition needs an id"));
        }
        let mut members = Vec::new();
        for m in &rc.members {
            let m = known(m, &field("members"))?;
            if !members.contains(&m) {
                members.push(m);
            }
        }
        members.sort();
        let coordinator = match &rc.coordinator {
            None => None,
            Some(c) => {
                let c_id = known(c, &field("coordinator"))?;
                if !members.contains(&c_id) {
                    return Err(cx.at(
                        c.span(),
                        &field("coordinator"),
                        format!("the coordinator `{c_id}` is not among the coalition's members"),
                    ));
                }
                Some(c_id)
            }
        };
        let built = Coalition {
            name: rc.name.clone().unwrap_or_else(|| id.clone()),
            id: id.clone(),
            members,
            coordinator,
        };
        match coalitions.iter_mut().find(|c| c.id == id) {
            Some(c) => *c = built,
            None => coalitions.push(built),
        }
    }

    Ok(Scenario {
        agenda: Agenda {
            name: s.name.clone(),
            seed,
            start,
            venue,
            session_hours,
            package,
            membership,
            items,
            green_room,
            coalitions,
            initiatives,
            accessions,
        },
        instructions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"
[scenario]
name = "small"
seed = 7
start = "2026-03-02T00:00:00Z"
venue = "virtual"

[members]
dataset = "wto"
only = ["BRA", "IND", "USA", "EU", "DEU"]

[[member]]
id = "XKX"
name = "Newland"
time_zone = "Europe/Belgrade"

[[item]]
id = "agri"
rule = "consensus"
fallback = "majority"
[item.positions]
IND = { stance = "object" }
USA = { ideal = 0.8, tolerance = 0.1 }
"#;

    #[test]
    fn parses_a_small_scenario() {
        let s = parse("small.toml", SMALL).expect("valid");
        assert_eq!(s.agenda.membership.len(), 6);
        assert_eq!(s.agenda.venue, Venue::Virtual);
        assert_eq!(s.agenda.items[0].fallback, Some(Rule::Majority));
        let usa = MemberId::new("USA").expect("id");
        assert_eq!(
            s.instructions[&usa]["agri"],
            PositionSpec::IdealPoint {
                ideal: Some(8_000),
                tolerance: Some(1_000),
                concession: None
            }
        );
        assert!(s.agenda.membership.is_represented("DEU"));
    }

    fn err(text: &str) -> ScenarioError {
        parse("bad.toml", text).expect_err("must be refused")
    }

    #[test]
    fn an_unknown_rule_names_line_and_field() {
        let e = err(&SMALL.replace("rule = \"consensus\"", "rule = \"consensu\""));
        assert_eq!((e.line, e.field.as_str()), (19, "item[0].rule"));
        assert!(e.message.contains("unknown rule `consensu`"), "{e}");
        assert!(e.to_string().starts_with("bad.toml:19:"), "{e}");
    }

    #[test]
    fn an_unknown_member_is_an_error() {
        let e = err(&SMALL.replace("IND = {", "INX = {"));
        assert_eq!(e.line, 22);
        assert!(e.message.contains("unknown member id `INX`"), "{e}");
        let e = err(&SMALL.replace("\"BRA\", \"IND\"", "\"BRA\", \"ZZZ\""));
        assert_eq!((e.line, e.field.as_str()), (10, "members.only"));
    }

    #[test]
    fn an_eu_state_cannot_take_its_own_position() {
        let e = err(&SMALL.replace("IND = {", "DEU = {"));
        assert!(e.message.contains("represented by the EU"), "{e}");
    }

    #[test]
    fn type_and_syntax_errors_name_the_field() {
        let e = err(&SMALL.replace("seed = 7", "seed = \"seven\""));
        assert_eq!((e.line, e.field.as_str()), (4, "scenario.seed"));
        let e = err(&SMALL.replace("venue = \"virtual\"", "venue = \"moon\""));
        assert!(e.message.contains("unknown venue"), "{e}");
        let e = err(&SMALL.replace("rule = \"consensus\"", "rul = \"consensus\""));
        assert!(e.message.contains("unknown field `rul`"), "{e}");
        assert_eq!(e.line, 19);
        let e = err(&SMALL.replace("tolerance = 0.1", "tolerance = 1.5"));
        assert!(e.field.ends_with("positions.USA.tolerance"), "{e}");
        let e = err(&SMALL.replace("[members]", "[members"));
        assert_eq!(e.line, 8);
    }

    #[test]
    fn times_must_be_utc_instants() {
        let e = err(&SMALL.replace("\"2026-03-02T00:00:00Z\"", "\"2026-03-02 morning\""));
        assert_eq!(e.field, "scenario.start");
        let e = err(&SMALL.replace("\"2026-03-02T00:00:00Z\"", "2026-03-02T00:00:00"));
        assert!(e.message.contains("no time zone"), "{e}");
        let ok = parse(
            "x",
            &SMALL.replace("\"2026-03-02T00:00:00Z\"", "2026-03-02T00:00:00Z"),
        )
        .expect("TOML datetime");
        assert_eq!(ok.agenda.start.to_string(), "2026-03-02T00:00:00Z");
    }

    #[test]
    fn a_fallback_must_be_a_vote_after_consensus() {
        let e = err(&SMALL.replace(
            "fallback = \"majority\"",
            "fallback = \"written-procedure\"",
        ));
        assert!(e.message.contains("must be a vote"), "{e}");
    }
}
