//! `[[accession]]`: governments acceding to the WTO (Marrakesh Agreement
//! Art. XII) and the positions Members take on their accession.
//!
//! The applicant is not a Member while it accedes: it must not be on the
//! roll (a dataset Member is left out with `[members] exclude` and taken
//! from the dataset here), and a new one needs at least a time zone. The
//! procedure and its default timetable are in [`crate::accession`]; this
//! parser only checks the file's timetable and Working Party. Positions on
//! the accession are filed under the key of its [`Subject`], which no item
//! or initiative id can take (their ids cannot contain a `:`).

use toml::Spanned;

use super::AccessionSpec;
use super::error::ScenarioError;
use super::limits;
use super::members::{self, Roll};
use super::positions::Book;
use super::raw::RawAccession;
use super::resolve::Resolver;
use crate::accession::defaults as d;
use crate::member::{Member, MemberId};
use crate::protocol::Subject;
use crate::time::Timestamp;

/// Reads the `[[accession]]` entries; each position goes into `book`.
pub(super) fn parse(
    who: &Resolver<'_>,
    roll: &Roll,
    raw: &[RawAccession],
    start: Timestamp,
    book: &mut Book,
) -> Result<Vec<AccessionSpec>, ScenarioError> {
    who.cx
        .at_most(raw.len(), limits::MAX_ACCESSIONS, "accessions", || {
            let k = limits::MAX_ACCESSIONS;
            (raw[k].applicant.span(), format!("accession[{k}].applicant"))
        })?;
    let mut out: Vec<AccessionSpec> = Vec::new();
    for (k, ra) in raw.iter().enumerate() {
        let spec = accession(who, roll, k, ra, start, &out, book)?;
        out.push(spec);
    }
    Ok(out)
}

/// One accession, `accession[k]`; `earlier` are those read before it.
fn accession(
    who: &Resolver<'_>,
    roll: &Roll,
    k: usize,
    ra: &RawAccession,
    start: Timestamp,
    earlier: &[AccessionSpec],
    book: &mut Book,
) -> Result<AccessionSpec, ScenarioError> {
    let cx = who.cx;
    let table = format!("accession[{k}]");
    let field = |f: &str| format!("{table}.{f}");
    let applicant = applicant(who, roll, ra, earlier, &field)?;
    let id = applicant.id.clone();
    let applied = applied(who, ra.applied.as_ref(), &field("applied"), start)?;
    let working_party = match &ra.working_party {
        Some(list) => who.sorted(list, &field("working_party"))?,
        None => default_working_party(who),
    };
    let days = |v: &Option<Spanned<i64>>, f: &str, default: u32| {
        cx.positive_or(v.as_ref(), &field(f), limits::MAX_DAYS, default)
    };
    let subject = Subject::Accession(id.clone()).key().into_owned();
    cx.listed_positions(book, &ra.positions, &table, &subject, |m, pfield| {
        if m.get_ref() == id.as_str() {
            Ok(id.clone())
        } else {
            who.member(m, pfield)
        }
    })?;
    cx.other_positions(book, ra.others.as_ref(), &table, &subject, who.membership)?;
    Ok(AccessionSpec {
        applicant,
        applied,
        working_party,
        memorandum_days: days(&ra.memorandum_days, "memorandum_days", d::MEMORANDUM_DAYS)?,
        bilateral_round_days: days(
            &ra.bilateral_round_days,
            "bilateral_round_days",
            d::BILATERAL_ROUND_DAYS,
        )?,
        bilateral_rounds: cx.positive_or(
            ra.bilateral_rounds.as_ref(),
            &field("bilateral_rounds"),
            limits::MAX_BILATERAL_ROUNDS,
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
    })
}

/// The applicant: not a Member, applying once, from the dataset or new
/// (then with a time zone), with what the entry says about it.
fn applicant(
    who: &Resolver<'_>,
    roll: &Roll,
    ra: &RawAccession,
    earlier: &[AccessionSpec],
    field: &dyn Fn(&str) -> String,
) -> Result<Member, ScenarioError> {
    let cx = who.cx;
    let span = ra.applicant.span();
    let id = MemberId::new(ra.applicant.get_ref())
        .map_err(|e| cx.at(span.clone(), &field("applicant"), e))?;
    if who.membership.get(id.as_str()).is_some() {
        return Err(cx.at(
            span,
            &field("applicant"),
            format!("`{id}` is already a Member; leave it out with [members] exclude"),
        ));
    }
    if earlier.iter().any(|a| a.applicant.id == id) {
        return Err(cx.at(span, &field("applicant"), format!("`{id}` applies twice")));
    }
    let known = roll.dataset.iter().find(|m| m.id == id);
    let no_time_zone = || {
        cx.at(
            span.clone(),
            &field("time_zone"),
            format!("`{id}` is not in the dataset: give its time_zone"),
        )
    };
    // Before the entry's other fields, as ever.
    if known.is_none() && ra.time_zone.is_none() {
        return Err(no_time_zone());
    }
    let profile = members::profile(cx, &ra.profile(), field)?;
    let mut applicant = match (known, profile.time_zone) {
        (Some(m), _) => m.clone(),
        (None, Some(tz)) => members::new_member(id.clone(), tz, roll.office_hours),
        (None, None) => return Err(no_time_zone()),
    };
    applicant.office_hours = roll.office_hours;
    applicant.membership_date = None;
    profile.apply(&mut applicant);
    Ok(applicant)
}

/// When the applicant applies: at the start, or later.
fn applied(
    who: &Resolver<'_>,
    v: Option<&Spanned<toml::Value>>,
    field: &str,
    start: Timestamp,
) -> Result<Timestamp, ScenarioError> {
    let Some(v) = v else {
        return Ok(start);
    };
    let t = who.cx.instant(v, field)?;
    if t < start {
        return Err(who.cx.at(
            v.span(),
            field,
            format!("{t} is before the scenario starts ({start})"),
        ));
    }
    Ok(t)
}

/// The default Working Party: the delegations with at least
/// [`d::WORKING_PARTY_SHARE`] of world exports.
fn default_working_party(who: &Resolver<'_>) -> Vec<MemberId> {
    who.membership
        .delegations()
        .filter(|m| m.export_share.unwrap_or(0) >= d::WORKING_PARTY_SHARE)
        .map(|m| m.id.clone())
        .collect()
}
