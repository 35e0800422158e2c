//! `[rtas]` and `[[rta]]`: the regional trade agreements in force around the
//! negotiation, and the weight of the outside option they give (rules,
//! sources and assumptions in [`crate::rta`]).
//!
//! `[rtas] dataset = "shipped"` includes the shipped selection
//! (`data/rtas.csv`): each row keeps its parties on the roll (EU member
//! States never are: the EU is the party), and a row with fewer than two
//! parties on the roll, or in force only after the start, is left out.
//! Each `[[rta]]` names its parties, which must be delegations on the roll,
//! and enters into force no later than the start: rappard counts the RTAs
//! in force when the negotiation opens. An `[[rta]]` with `dock_as` also
//! becomes an open plurilateral initiative of that id, sponsored by its
//! parties, opening on its level, with the initiatives' defaults (MFN,
//! 90 % critical mass, 30 days).

use std::collections::HashSet;

use chrono::NaiveDate;
use toml::Spanned;

use super::error::{Ctx, ScenarioError};
use super::raw::{RawRta, RawRtas};
use super::resolve::Resolver;
use super::{DEFAULT_DEADLINE_DAYS, InitiativeSpec, limits};
use crate::member::{MemberId, Membership};
use crate::rta::{BASIS, Depth, Rta, RtaSpec};
use crate::time::Timestamp;

/// Most `[[rta]]` entries a file may have.
pub const MAX_RTAS: usize = 1_000;

/// Reads `[rtas]` and the `[[rta]]` entries; docked RTAs are added to
/// `initiatives` (their ids must be new to `ids`).
pub(super) fn parse(
    who: &Resolver<'_>,
    table: Option<&RawRtas>,
    raw: &[RawRta],
    start: Timestamp,
    ids: &mut HashSet<String>,
    initiatives: &mut Vec<InitiativeSpec>,
) -> Result<RtaSpec, ScenarioError> {
    let cx = who.cx;
    cx.at_most(raw.len(), MAX_RTAS, "RTAs", || {
        (raw[MAX_RTAS].name.span(), format!("rta[{MAX_RTAS}].name"))
    })?;
    let mut spec = RtaSpec::default();
    let today = start.datetime().date_naive();
    if let Some(t) = table {
        if let Some(w) = &t.outside_option_weight {
            let x = *w.get_ref();
            if !(0.0..=1.0).contains(&x) {
                return Err(cx.at(
                    w.span(),
                    "rtas.outside_option_weight",
                    format!("{x} is outside 0..1"),
                ));
            }
            spec.weight = (x * f64::from(BASIS)).round() as u32;
        }
        if let Some(d) = &t.dataset {
            if d.get_ref() != "shipped" {
                return Err(cx.at(
                    d.span(),
                    "rtas.dataset",
                    format!(
                        "unknown RTA dataset `{}`: the one shipped is `shipped`",
                        d.get_ref()
                    ),
                ));
            }
            spec.rtas = shipped(cx, who.membership, today)?;
        }
    }
    let mut names: HashSet<String> = spec.rtas.iter().map(|r| r.name.clone()).collect();
    for (k, r) in raw.iter().enumerate() {
        let rta = one(who, k, r, today, &mut names)?;
        if let Some(id) = &rta.dock_as {
            let field = format!("rta[{k}].dock_as");
            initiatives.push(docked(cx, r, &rta, id, &field, start, ids)?);
        }
        spec.rtas.push(rta);
    }
    Ok(spec)
}

/// The shipped rows in force at the start with two parties on the roll.
fn shipped(cx: &Ctx<'_>, roll: &Membership, today: NaiveDate) -> Result<Vec<Rta>, ScenarioError> {
    let rows = crate::rta::shipped().map_err(|e| cx.nowhere("rtas.dataset", e))?;
    Ok(rows
        .into_iter()
        .filter(|r| r.entry_into_force <= today)
        .filter_map(|r| {
            let mut parties: Vec<MemberId> = r
                .parties
                .iter()
                .filter(|p| roll.get(p).is_some() && !roll.is_represented(p))
                .filter_map(|p| MemberId::new(p).ok())
                .collect();
            parties.sort();
            (parties.len() >= 2).then(|| Rta {
                level: r.depth.default_level(),
                name: r.name,
                parties,
                entry_into_force: r.entry_into_force,
                depth: r.depth,
                notified: true,
                rules_of_origin: r.rules_of_origin,
                enabling_clause: r.enabling_clause,
                dock_as: None,
            })
        })
        .collect())
}

/// One `[[rta]]`, `rta[k]`.
fn one(
    who: &Resolver<'_>,
    k: usize,
    r: &RawRta,
    today: NaiveDate,
    names: &mut HashSet<String>,
) -> Result<Rta, ScenarioError> {
    let cx = who.cx;
    let field = |f: &str| format!("rta[{k}].{f}");
    let name = cx.text(&r.name, &field("name"))?.trim().to_owned();
    if name.is_empty() {
        return Err(cx.at(r.name.span(), &field("name"), "an RTA needs a name"));
    }
    if !names.insert(name.clone()) {
        return Err(cx.at(
            r.name.span(),
            &field("name"),
            format!("`{name}` is listed already (by an earlier [[rta]] or the shipped dataset)"),
        ));
    }
    let parties = who.sorted(r.parties.get_ref(), &field("parties"))?;
    if parties.len() < 2 {
        return Err(cx.at(
            r.parties.span(),
            &field("parties"),
            "an RTA has at least two parties on the roll",
        ));
    }
    let entry_into_force = date(cx, &r.entry_into_force, &field("entry_into_force"))?;
    if entry_into_force > today {
        return Err(cx.at(
            r.entry_into_force.span(),
            &field("entry_into_force"),
            format!(
                "{entry_into_force} is after the start ({today}): rappard counts the RTAs in force when the negotiation opens"
            ),
        ));
    }
    let depth = Depth::parse(r.depth.get_ref()).ok_or_else(|| {
        cx.at(
            r.depth.span(),
            &field("depth"),
            format!(
                "unknown depth `{}`: `wto-plus` or `wto-extra`",
                r.depth.get_ref()
            ),
        )
    })?;
    let level = match &r.level {
        Some(v) => cx.level(v, &field("level"))?,
        None => depth.default_level(),
    };
    let rules_of_origin = cx
        .text_opt(r.rules_of_origin.as_ref(), &field("rules_of_origin"))?
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    let dock_as = r.dock_as.as_ref().map(|d| d.get_ref().trim().to_owned());
    Ok(Rta {
        name,
        parties,
        entry_into_force,
        depth,
        notified: r.notified.unwrap_or(true),
        rules_of_origin,
        enabling_clause: r.enabling_clause.unwrap_or(false),
        level,
        dock_as,
    })
}

/// A date, as `"YYYY-MM-DD"` or a TOML local date.
fn date(cx: &Ctx<'_>, v: &Spanned<toml::Value>, field: &str) -> Result<NaiveDate, ScenarioError> {
    let text = match v.get_ref() {
        toml::Value::String(s) => s.clone(),
        toml::Value::Datetime(d) => d.to_string(),
        other => other.to_string(),
    };
    let d = NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| {
        cx.at(
            v.span(),
            field,
            format!("`{text}` is not a date: write it \"YYYY-MM-DD\", e.g. \"2018-12-30\""),
        )
    })?;
    cx.in_range(d, v.span(), field)
}

/// The open plurilateral initiative a docked RTA becomes.
fn docked(
    cx: &Ctx<'_>,
    r: &RawRta,
    rta: &Rta,
    id: &str,
    field: &str,
    start: Timestamp,
    ids: &mut HashSet<String>,
) -> Result<InitiativeSpec, ScenarioError> {
    let span = r.dock_as.as_ref().map_or(r.name.span(), |d| d.span());
    let ok = !id.is_empty()
        && id.len() <= limits::MAX_ID_BYTES
        && matches!(
            id.parse::<crate::protocol::Subject>(),
            Ok(crate::protocol::Subject::Item(_))
        );
    if !ok {
        return Err(cx.at(
            span,
            field,
            format!(
                "`{id}` cannot be an initiative id: 1 to {} bytes, no `:`, not `{}`",
                limits::MAX_ID_BYTES,
                crate::protocol::PACKAGE_KEY
            ),
        ));
    }
    if !ids.insert(id.to_owned()) {
        return Err(cx.at(
            span,
            field,
            format!("`{id}` is already an item or initiative id"),
        ));
    }
    let days = i64::from(DEFAULT_DEADLINE_DAYS);
    Ok(InitiativeSpec {
        id: id.to_owned(),
        topic: format!("{} chapter, docked", rta.name),
        sponsors: rta.parties.clone(),
        participants: Vec::new(),
        threshold: (crate::initiative::DEFAULT_THRESHOLD_PCT * 10_000.0) as u32,
        mfn: true,
        deadline: start.plus_secs(days * 86_400),
        meeting: None,
        opening_text: Some(rta.level),
    })
}
