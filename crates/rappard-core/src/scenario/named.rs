//! The keys of `[[item]]` that go with a named rule (`rule = "waiver"`,
//! `"amendment"`, …; [`crate::rules::named`]): `consensus_days`, the length
//! of the consensus period of a waiver (Art. IX:3(a): at most 90 days) or an
//! amendment (Art. X:1: 90 days, or longer); and for an amendment,
//! `[item.acceptance]`, the acceptances the scenario fixes, and
//! `acceptance_days`, the model's mean delays for the others
//! ([`crate::amendment`]).
//!
//! A named rule sets its own vote, so `fallback` is refused with one; each
//! of these keys is refused with a rule it does not go with, rather than
//! ignored.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use toml::Spanned;

use super::DEFAULT_DEADLINE_DAYS;
use super::error::ScenarioError;
use super::limits::MAX_ACCEPTANCE_DAYS;
use super::raw::{RawAcceptance, RawAcceptanceDays, RawItem};
use super::resolve::Resolver;
use crate::amendment::{AcceptanceSpec, DEFAULT_MEAN_DAYS, Given, MeanDays};
use crate::rules::NamedRule;
use crate::time::Timestamp;

/// Seconds in a day.
const DAY_SECS: i64 = 86_400;

/// What the named rule of an item brings.
pub(super) struct Named {
    /// The end of the consensus period, if the rule has one.
    pub consensus_until: Option<Timestamp>,
    /// How Members accept it, for an amendment.
    pub acceptance: Option<AcceptanceSpec>,
    /// The default of `deadline_days`: 30 days after the consensus period
    /// if there is one, else the usual default.
    pub default_deadline_days: u32,
}

/// Reads the keys that go with `named` in `item[k]` (all refused without a
/// named rule that takes them).
pub(super) fn parse(
    who: &Resolver<'_>,
    ri: &RawItem,
    k: usize,
    named: Option<NamedRule>,
    start: Timestamp,
) -> Result<Named, ScenarioError> {
    let field = |f: &str| format!("item[{k}].{f}");
    let rule = ri.rule.get_ref();
    if let (Some(n), Some(f)) = (named, &ri.fallback) {
        let message = format!("`{n}` sets its own vote ({}): remove `fallback`", n.rule());
        return Err(who.cx.at(f.span(), &field("fallback"), message));
    }
    let days = consensus_days(who, ri, named, &field("consensus_days"))?;
    let consensus_until = days.map(|d| start.plus_secs(i64::from(d) * DAY_SECS));
    let needs_acceptance = named.is_some_and(NamedRule::needs_acceptance);
    let refuse = |span: std::ops::Range<usize>, key: &str| {
        let message = format!("`{key}` goes with rule = \"amendment\" (Art. X:3), not `{rule}`");
        Err(who.cx.at(span, &field(key), message))
    };
    if !needs_acceptance {
        if let Some(a) = &ri.acceptance {
            return refuse(a.span(), "acceptance");
        }
        if let Some(a) = &ri.acceptance_days {
            return refuse(a.span(), "acceptance_days");
        }
    }
    let acceptance = needs_acceptance
        .then(|| acceptance(who, ri, &field, start))
        .transpose()?;
    Ok(Named {
        consensus_until,
        acceptance,
        default_deadline_days: days.map_or(DEFAULT_DEADLINE_DAYS, |d| d + DEFAULT_DEADLINE_DAYS),
    })
}

/// The length of the consensus period: the scenario's, within the bounds
/// the article sets, or its default; `None` for a rule without one.
fn consensus_days(
    who: &Resolver<'_>,
    ri: &RawItem,
    named: Option<NamedRule>,
    field: &str,
) -> Result<Option<u32>, ScenarioError> {
    let period = named.and_then(NamedRule::period);
    let (Some(p), Some(v)) = (period, &ri.consensus_days) else {
        if let Some(v) = &ri.consensus_days {
            let message = format!(
                "`consensus_days` goes with a waiver (Art. IX:3(a)) or an amendment (Art. X:1), not `{}`",
                ri.rule.get_ref()
            );
            return Err(who.cx.at(v.span(), field, message));
        }
        return Ok(period.map(|p| p.default_days));
    };
    let d = *v.get_ref();
    if d < i64::from(p.min_days) || d > i64::from(p.max_days) {
        let message = format!(
            "{d} days is outside {}..={} ({})",
            p.min_days, p.max_days, p.why
        );
        return Err(who.cx.at(v.span(), field, message));
    }
    Ok(Some(d as u32))
}

/// `[item.acceptance]` and `acceptance_days` of an amendment.
fn acceptance(
    who: &Resolver<'_>,
    ri: &RawItem,
    field: &dyn Fn(&str) -> String,
    start: Timestamp,
) -> Result<AcceptanceSpec, ScenarioError> {
    let mut given = BTreeMap::new();
    let table = ri.acceptance.as_ref().map(Spanned::get_ref);
    for (id, v) in table.into_iter().flat_map(RawAcceptance::iter) {
        let f = format!("{}.{}", field("acceptance"), id.get_ref());
        let m = who.member_or_applicant(id, &f)?;
        given.insert(m, given_acceptance(who, v, &f, start)?);
    }
    let mean_days = match &ri.acceptance_days {
        None => DEFAULT_MEAN_DAYS,
        Some(d) => mean_days(who, d.get_ref(), &field("acceptance_days"))?,
    };
    Ok(AcceptanceSpec { given, mean_days })
}

/// One Member's acceptance: a date (`"2017-02-22"` or a TOML date), a
/// number of days after the decision, or `"never"`.
fn given_acceptance(
    who: &Resolver<'_>,
    v: &Spanned<toml::Value>,
    field: &str,
    start: Timestamp,
) -> Result<Given, ScenarioError> {
    let refuse = |message: String| Err(who.cx.at(v.span(), field, message));
    let date = match v.get_ref() {
        toml::Value::String(s) if s == "never" => return Ok(Given::Never),
        toml::Value::Integer(n) if (0..=MAX_ACCEPTANCE_DAYS).contains(n) => {
            return Ok(Given::DaysAfter(*n as u32));
        }
        toml::Value::Integer(n) => {
            return refuse(format!("{n} days is outside 0..={MAX_ACCEPTANCE_DAYS}"));
        }
        toml::Value::String(s) => s.clone(),
        toml::Value::Datetime(d) => d.to_string(),
        other => {
            return refuse(format!(
                "expected a date (\"2017-02-22\"), a number of days after the decision, or \"never\"; found a {}",
                other.type_str()
            ));
        }
    };
    let Ok(d) = NaiveDate::parse_from_str(&date, "%Y-%m-%d") else {
        return refuse(format!(
            "`{date}` is not a date (\"2017-02-22\"), a number of days, or \"never\""
        ));
    };
    if d < start.datetime().date_naive() {
        return refuse(format!("{d} is before the scenario starts ({start})"));
    }
    let d = who.cx.in_range(d, v.span(), field)?;
    Ok(Given::On(d))
}

/// `acceptance_days = { developed = …, developing = …, least-developed = … }`:
/// the means given, the defaults for the others.
fn mean_days(
    who: &Resolver<'_>,
    d: &RawAcceptanceDays,
    field: &str,
) -> Result<MeanDays, ScenarioError> {
    let read = |v: &Option<Spanned<i64>>, key: &str, default: u32| {
        v.as_ref().map_or(Ok(default), |v| {
            who.cx
                .positive(v, &format!("{field}.{key}"), MAX_ACCEPTANCE_DAYS)
        })
    };
    let dflt = DEFAULT_MEAN_DAYS;
    Ok(MeanDays {
        developed: read(&d.developed, "developed", dflt.developed)?,
        developing: read(&d.developing, "developing", dflt.developing)?,
        least_developed: read(&d.least_developed, "least-developed", dflt.least_developed)?,
    })
}
