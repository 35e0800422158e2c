//! `[procedure]`: the rules of procedure the negotiation runs under
//! ([`crate::procedure`] gives each rule, its source and its default).
//!
//! ```toml
//! [procedure]
//! consensus_first = true       # consensus sought before any vote (Art. IX:1)
//! quorum = "majority"          # "majority" of the Members, "none", or a number
//! working_days = true          # meetings on Geneva working days only
//! closed = ["2026-12-25"]      # Geneva dates with no meeting
//! written_deadline_at = "18:00" # Geneva time of a written procedure's deadline
//! ```
//!
//! Without the table every rule takes its default.

use chrono::NaiveDate;

use super::error::{Ctx, ScenarioError};
use super::raw::RawProcedure;
use crate::procedure::{Procedure, Quorum};

/// Reads `[procedure]`, or the defaults without it.
pub(super) fn parse(cx: &Ctx<'_>, p: Option<&RawProcedure>) -> Result<Procedure, ScenarioError> {
    let mut out = Procedure::default();
    let Some(p) = p else {
        return Ok(out);
    };
    if let Some(v) = &p.consensus_first {
        out.consensus_first = *v.get_ref();
    }
    if let Some(v) = &p.working_days {
        out.working_days = *v.get_ref();
    }
    if let Some(q) = &p.quorum {
        out.quorum = quorum(cx, q)?;
    }
    if let Some(t) = &p.written_deadline_at {
        out.written_deadline_at =
            chrono::NaiveTime::parse_from_str(t.get_ref(), "%H:%M").map_err(|_| {
                cx.at(
                    t.span(),
                    "procedure.written_deadline_at",
                    "a time of day is written HH:MM (Geneva time)",
                )
            })?;
    }
    for (k, d) in p.closed.iter().enumerate() {
        let field = format!("procedure.closed[{k}]");
        let date = NaiveDate::parse_from_str(d.get_ref(), "%Y-%m-%d")
            .map_err(|_| cx.at(d.span(), &field, "a closed date is written YYYY-MM-DD"))?;
        let date = cx.in_range(date, d.span(), &field)?;
        out.closed.push(date);
    }
    out.closed.sort();
    out.closed.dedup();
    Ok(out)
}

/// `quorum`: `"majority"`, `"none"`, or a number of Members from 1.
fn quorum(cx: &Ctx<'_>, q: &toml::Spanned<toml::Value>) -> Result<Quorum, ScenarioError> {
    let bad = || {
        cx.at(
            q.span(),
            "procedure.quorum",
            "a quorum is \"majority\" (of the Members), \"none\", or a number of Members from 1 to 100000",
        )
    };
    match q.get_ref() {
        toml::Value::String(s) if s == "majority" => Ok(Quorum::MajorityOfMembers),
        toml::Value::String(s) if s == "none" => Ok(Quorum::None),
        toml::Value::Integer(n) if (1..=100_000).contains(n) => {
            Ok(Quorum::Members(u32::try_from(*n).map_err(|_| bad())?))
        }
        _ => Err(bad()),
    }
}
