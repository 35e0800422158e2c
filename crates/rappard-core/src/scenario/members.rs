//! The roll: `[members]` and `[[member]]`.
//!
//! `[members]` takes Members from the built-in dataset (`dataset = "wto"`,
//! see [`crate::dataset`]), keeps those that were Members on `as_of` (their
//! membership date, the date of WTO membership, on or before it), keeps
//! `only` some of them, leaves out those in `exclude`, and sets everyone's
//! default office hours. Each `[[member]]` then overrides fields of a Member
//! already on the roll or adds a new one. The whole dataset is kept beside
//! the roll, because an applicant for accession left out of the roll is
//! taken from it.
//!
//! `as_of` picks Members by date only. The dataset's EU-member-State flag is
//! today's (the EU27 since the United Kingdom left on 31 January 2020,
//! WT/GC/206), so before 1 February 2020 the EU of an `as_of` roll speaks
//! for the wrong set of States, and may cast the wrong number of votes; the
//! caveat is documented in `docs/scenarios.md`, not warned about.
//!
//! `[[member]]` and `[[accession]]` describe a Member the same way (name,
//! time zone, development status, region, export share), so the reading of
//! that description, [`profile`], lives here once for both. So does the
//! check that the export shares of the whole scenario add up to a share of
//! world exports that can exist ([`check_export_total`]). The roll holds
//! at most [`super::limits::MAX_MEMBERS`], and `only` and `exclude` name
//! each id once.

use std::collections::HashSet;

use chrono::NaiveDate;
use chrono_tz::Tz;
use toml::Spanned;

use super::AccessionSpec;
use super::error::{Ctx, ScenarioError};
use super::limits;
use super::raw::{RawFile, RawMember, RawMembers, RawProfile};
use crate::dataset;
use crate::member::{Development, ExportShare, Member, MemberId, Membership};
use crate::sessions::OfficeHours;

/// The roll and what later tables need from `[members]`.
pub(super) struct Roll {
    /// The Members of the negotiation.
    pub membership: Membership,
    /// The whole dataset, before `as_of`, `only` and `exclude`: applicants
    /// come from it.
    pub dataset: Vec<Member>,
    /// The default office hours.
    pub office_hours: OfficeHours,
    /// Whether the scenario takes its Members from the dataset (then the
    /// built-in coalitions are in too).
    pub with_dataset: bool,
}

/// Reads `[members]` and the `[[member]]` entries.
pub(super) fn parse(
    cx: &Ctx<'_>,
    table: Option<&RawMembers>,
    entries: &[RawMember],
) -> Result<Roll, ScenarioError> {
    let (mut members, dataset, office_hours) = match table {
        None => (Vec::new(), Vec::new(), OfficeHours::standard()),
        Some(t) => from_table(cx, t)?,
    };
    for m in &mut members {
        m.office_hours = office_hours;
    }
    add_or_override(cx, &mut members, &dataset, entries, office_hours)?;
    if members.is_empty() {
        return Err(cx.nowhere(
            "members",
            "the scenario has no Members: add [members] dataset = \"wto\" or [[member]] entries",
        ));
    }
    Ok(Roll {
        membership: Membership::new(members),
        dataset,
        office_hours,
        with_dataset: table.is_some_and(|t| t.dataset.is_some()),
    })
}

/// `[members]`: the Members taken from the dataset, the whole dataset, and
/// the default office hours.
fn from_table(
    cx: &Ctx<'_>,
    t: &RawMembers,
) -> Result<(Vec<Member>, Vec<Member>, OfficeHours), ScenarioError> {
    let office_hours = match &t.office_hours {
        None => OfficeHours::standard(),
        Some(h) => h
            .get_ref()
            .parse()
            .map_err(|e: String| cx.at(h.span(), "members.office_hours", e))?,
    };
    let dataset = match &t.dataset {
        None => Vec::new(),
        Some(d) => load(cx, d)?,
    };
    let as_of = match (&t.as_of, &t.dataset) {
        (None, _) => None,
        (Some(v), None) => {
            return Err(cx.at(
                v.span(),
                "members.as_of",
                "`as_of` picks from a dataset: add dataset = \"wto\"",
            ));
        }
        (Some(v), Some(_)) => Some(as_of_date(cx, v)?),
    };
    let mut members = match as_of {
        None => dataset.clone(),
        Some(date) => members_on(cx, &dataset, date)?,
    };
    if let Some(only) = &t.only {
        if t.dataset.is_none() {
            // The first id, as ever; the list itself when it is empty.
            let span = only.get_ref().first().map_or(only.span(), Spanned::span);
            return Err(cx.at(
                span,
                "members.only",
                "`only` picks from a dataset: add dataset = \"wto\"",
            ));
        }
        keep_only(cx, &dataset, &mut members, only.get_ref(), as_of)?;
    }
    // An id in `exclude` that had not yet joined on `as_of` is out already.
    let mut excluded = HashSet::new();
    for id in &t.exclude {
        in_dataset(cx, &dataset, id, "members.exclude")?;
        if !excluded.insert(id.get_ref().as_str()) {
            return Err(listed_twice(cx, id, "members.exclude"));
        }
        members.retain(|m| m.id.as_str() != id.get_ref());
    }
    Ok((members, dataset, office_hours))
}

/// `as_of`: a date, as `"YYYY-MM-DD"` or a TOML local date.
fn as_of_date(cx: &Ctx<'_>, v: &Spanned<toml::Value>) -> Result<NaiveDate, ScenarioError> {
    let text = match v.get_ref() {
        toml::Value::String(s) => s.clone(),
        toml::Value::Datetime(d) => d.to_string(),
        other => other.to_string(),
    };
    let date = NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| {
        cx.at(
            v.span(),
            "members.as_of",
            format!("`{text}` is not a date: write it \"YYYY-MM-DD\", e.g. \"2008-07-21\""),
        )
    })?;
    cx.in_range(date, v.span(), "members.as_of")
}

/// The error for a member id given twice in one list, at the second.
pub(super) fn listed_twice(cx: &Ctx<'_>, id: &Spanned<String>, field: &str) -> ScenarioError {
    cx.at(
        id.span(),
        field,
        format!("`{}` is listed twice", id.get_ref()),
    )
}

/// The day a dataset Member joined the WTO (the dataset checks that every
/// row has one).
fn joined(m: &Member) -> Option<NaiveDate> {
    let date = m.membership_date.as_deref()?;
    NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()
}

/// The dataset Members that were Members on `date`: those whose membership
/// date is on or before it.
fn members_on(
    cx: &Ctx<'_>,
    dataset: &[Member],
    date: NaiveDate,
) -> Result<Vec<Member>, ScenarioError> {
    let mut out = Vec::new();
    for m in dataset {
        let Some(since) = joined(m) else {
            return Err(cx.nowhere(
                "members.as_of",
                format!("the dataset gives no membership date for `{}`", m.id),
            ));
        };
        if since <= date {
            out.push(m.clone());
        }
    }
    Ok(out)
}

/// The built-in dataset named by `dataset`.
fn load(cx: &Ctx<'_>, d: &Spanned<String>) -> Result<Vec<Member>, ScenarioError> {
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
    dataset::parse(dataset::WTO_MEMBERS_CSV)
        .map_err(|e| cx.at(d.span(), "members.dataset", e.to_string()))
}

/// An id that must be in the dataset.
fn in_dataset(
    cx: &Ctx<'_>,
    dataset: &[Member],
    id: &Spanned<String>,
    field: &str,
) -> Result<(), ScenarioError> {
    if dataset.iter().any(|m| m.id.as_str() == id.get_ref()) {
        return Ok(());
    }
    Err(cx.at(
        id.span(),
        field,
        format!("unknown member id `{}` (not in the dataset)", id.get_ref()),
    ))
}

/// `only`: keeps the listed Members of the dataset, each listed once and
/// each a Member on `as_of`, if given.
fn keep_only(
    cx: &Ctx<'_>,
    dataset: &[Member],
    members: &mut Vec<Member>,
    only: &[Spanned<String>],
    as_of: Option<NaiveDate>,
) -> Result<(), ScenarioError> {
    let mut keep = HashSet::new();
    for id in only {
        in_dataset(cx, dataset, id, "members.only")?;
        if let Some(date) = as_of
            && !members.iter().any(|m| m.id.as_str() == id.get_ref())
        {
            let since = dataset
                .iter()
                .find(|m| m.id.as_str() == id.get_ref())
                .and_then(|m| m.membership_date.clone())
                .unwrap_or_default();
            return Err(cx.at(
                id.span(),
                "members.only",
                format!(
                    "`{}` was not yet a Member on {date} (`members.as_of`): it joined the WTO on {since}",
                    id.get_ref()
                ),
            ));
        }
        if !keep.insert(id.get_ref().clone()) {
            return Err(listed_twice(cx, id, "members.only"));
        }
    }
    members.retain(|m| keep.contains(m.id.as_str()));
    Ok(())
}

/// `[[member]]`: overrides a Member on the roll, or adds one.
fn add_or_override(
    cx: &Ctx<'_>,
    members: &mut Vec<Member>,
    dataset: &[Member],
    entries: &[RawMember],
    office_hours: OfficeHours,
) -> Result<(), ScenarioError> {
    let mut seen = HashSet::new();
    for (k, rm) in entries.iter().enumerate() {
        let field = |f: &str| format!("member[{k}].{f}");
        let id =
            MemberId::new(rm.id.get_ref()).map_err(|e| cx.at(rm.id.span(), &field("id"), e))?;
        if !seen.insert(id.clone()) {
            return Err(cx.at(
                rm.id.span(),
                &field("id"),
                format!("member `{id}` is defined twice"),
            ));
        }
        let profile = profile(cx, &rm.profile(), &field)?;
        if let Some(existing) = members.iter_mut().find(|m| m.id == id) {
            profile.apply(existing);
            continue;
        }
        let Some(time_zone) = profile.time_zone else {
            return Err(cx.at(
                rm.id.span(),
                &field("time_zone"),
                not_on_the_roll(&id, dataset),
            ));
        };
        if members.len() >= limits::MAX_MEMBERS {
            return Err(cx.at(
                rm.id.span(),
                &field("id"),
                format!(
                    "a scenario has at most {} Members; `{id}` would be one more",
                    limits::MAX_MEMBERS
                ),
            ));
        }
        let mut m = new_member(id, time_zone, office_hours);
        profile.apply(&mut m);
        members.push(m);
    }
    Ok(())
}

/// Why a `[[member]]` without a time zone cannot be added: its id is not in
/// the dataset, or `[members]` leaves that dataset Member out.
fn not_on_the_roll(id: &MemberId, dataset: &[Member]) -> String {
    match dataset.iter().find(|m| &m.id == id) {
        None => format!("`{id}` is not in the dataset: a new member needs a time_zone"),
        Some(m) => format!(
            "`{id}` is in the dataset, but [members] leaves it out (`only`, `exclude`, or \
             `as_of`: it joined the WTO on {}): a new member needs a time_zone",
            m.membership_date.as_deref().unwrap_or("an unknown date")
        ),
    }
}

/// A Member the dataset does not know, with the defaults of
/// `docs/scenarios.md`: named by its id, developing, no region, no known
/// export share.
pub(super) fn new_member(id: MemberId, time_zone: Tz, office_hours: OfficeHours) -> Member {
    Member {
        name: id.to_string(),
        id,
        membership_date: None,
        region: String::new(),
        development: Development::Developing,
        time_zone,
        office_hours,
        export_share: None,
        eu_member_state: false,
    }
}

/// What a `[[member]]` or `[[accession]]` entry says about a Member, read
/// and checked; what it leaves out is `None`.
pub(super) struct Profile {
    name: Option<String>,
    pub time_zone: Option<Tz>,
    development: Option<Development>,
    region: Option<String>,
    export_share: Option<ExportShare>,
    office_hours: Option<OfficeHours>,
}

impl Profile {
    /// Overrides the fields of `m` that the entry gives.
    pub fn apply(self, m: &mut Member) {
        if let Some(n) = self.name {
            m.name = n;
        }
        if let Some(z) = self.time_zone {
            m.time_zone = z;
        }
        if let Some(d) = self.development {
            m.development = d;
        }
        if let Some(r) = self.region {
            m.region = r;
        }
        if self.export_share.is_some() {
            m.export_share = self.export_share;
        }
        if let Some(h) = self.office_hours {
            m.office_hours = h;
        }
    }
}

/// Reads a Member's description; `field` names a key of the entry.
pub(super) fn profile(
    cx: &Ctx<'_>,
    p: &RawProfile<'_>,
    field: &dyn Fn(&str) -> String,
) -> Result<Profile, ScenarioError> {
    Ok(Profile {
        name: cx.text_opt(p.name, &field("name"))?,
        time_zone: p
            .time_zone
            .map(|z| cx.time_zone(z, &field("time_zone")))
            .transpose()?,
        development: p
            .development
            .map(|d| cx.development(d, &field("development")))
            .transpose()?,
        region: cx.text_opt(p.region, &field("region"))?,
        export_share: p
            .export_share
            .map(|v| cx.export_share(v, &field("export_share")))
            .transpose()?,
        office_hours: p
            .office_hours
            .map(|h| {
                h.get_ref()
                    .parse::<OfficeHours>()
                    .map_err(|e| cx.at(h.span(), &field("office_hours"), e))
            })
            .transpose()?,
    })
}

/// The most the export shares of a scenario's Members and applicants may
/// add up to, in 0.0001 %: all of world exports, twice, since the EU's row
/// counts the exports of its member States again (the dataset's rows add up
/// to about 129 %).
const MAX_EXPORT_TOTAL: u64 = 2 * 100 * 10_000;

/// Refuses export shares that add up to more of world exports than exists
/// ([`MAX_EXPORT_TOTAL`]); sums of shares, such as an initiative's critical
/// mass, then stay far from overflowing. The error points at the last share
/// the file gives, since the dataset's own shares never reach the bound.
pub(super) fn check_export_total(
    cx: &Ctx<'_>,
    membership: &Membership,
    accessions: &[AccessionSpec],
    raw: &RawFile,
) -> Result<(), ScenarioError> {
    let total: u64 = membership
        .members()
        .iter()
        .chain(accessions.iter().map(|a| &a.applicant))
        .filter_map(|m| m.export_share)
        .map(u64::from)
        .sum();
    if total <= MAX_EXPORT_TOTAL {
        return Ok(());
    }
    let message = format!(
        "the export shares of the Members and applicants add up to {}.{:04} %, more than \
         world exports allow (200 %: 100 %, and the EU member States' exports again in the EU's row)",
        total / 10_000,
        total % 10_000
    );
    let members = raw.member.iter().enumerate().filter_map(|(k, m)| {
        let v = m.export_share.as_ref()?;
        Some((v.span(), format!("member[{k}].export_share")))
    });
    let applicants = raw.accession.iter().enumerate().filter_map(|(k, a)| {
        let v = a.export_share.as_ref()?;
        Some((v.span(), format!("accession[{k}].export_share")))
    });
    Err(
        match members.chain(applicants).max_by_key(|(s, _)| s.start) {
            Some((span, field)) => cx.at(span, &field, message),
            None => cx.nowhere("members", message),
        },
    )
}
