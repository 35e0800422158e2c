//! Reading one value of a scenario: an instant, a fixed meeting, a count in
//! a range, a level, a time zone, an export share, a development status.
//!
//! Each reader checks its value and refuses it with an error that names
//! the field and points at the value, so the same kind of value is checked
//! and worded the same in every table. Units are converted here once: a
//! level from 0–1 to 0–[`MAX_LEVEL`], an export share from percent to
//! 0.0001 % ([`ExportShare`]), days and hours to instants.

use std::ops::Range;
use std::str::FromStr;

use chrono::NaiveDate;

use chrono_tz::Tz;
use toml::Spanned;

use super::error::{Ctx, ScenarioError};
use super::limits;
use super::raw::RawMeeting;
use crate::member::{Development, ExportShare};
use crate::protocol::{Level, MAX_LEVEL};
use crate::time::{Interval, Timestamp};

/// Seconds in a day.
const DAY_SECS: i64 = 86_400;

impl Ctx<'_> {
    /// A level on the 0–1 scale.
    pub fn level(&self, v: &Spanned<f64>, field: &str) -> Result<Level, ScenarioError> {
        let x = *v.get_ref();
        if !(0.0..=1.0).contains(&x) {
            return Err(self.at(v.span(), field, format!("{x} is outside 0..1")));
        }
        Ok((x * f64::from(MAX_LEVEL)).round() as Level)
    }

    /// A UTC instant, as a string or a TOML date-time.
    pub fn instant(
        &self,
        v: &Spanned<toml::Value>,
        field: &str,
    ) -> Result<Timestamp, ScenarioError> {
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
        let t = Timestamp::parse(&s).map_err(|e| self.at(v.span(), field, e))?;
        if !(limits::FIRST_INSTANT_UNIX..=limits::LAST_INSTANT_UNIX).contains(&t.unix()) {
            return Err(self.at(v.span(), field, outside_dates(&t.to_string())));
        }
        Ok(t)
    }

    /// A date `YYYY-MM-DD` (as read by the caller) within the dates a
    /// scenario may give.
    pub fn in_range(
        &self,
        d: NaiveDate,
        span: Range<usize>,
        field: &str,
    ) -> Result<NaiveDate, ScenarioError> {
        let first = NaiveDate::parse_from_str(limits::FIRST_DATE, "%Y-%m-%d").ok();
        let last = NaiveDate::parse_from_str(limits::LAST_DATE, "%Y-%m-%d").ok();
        if first.is_some_and(|f| d < f) || last.is_some_and(|l| d > l) {
            return Err(self.at(span, field, outside_dates(&d.to_string())));
        }
        Ok(d)
    }

    /// A free text (a name, a title, a topic, a region): at most
    /// [`limits::MAX_TEXT_CHARS`] characters.
    pub fn text(&self, v: &Spanned<String>, field: &str) -> Result<String, ScenarioError> {
        let n = v.get_ref().chars().count();
        if n > limits::MAX_TEXT_CHARS {
            return Err(self.at(
                v.span(),
                field,
                format!(
                    "{n} characters; a text has at most {}",
                    limits::MAX_TEXT_CHARS
                ),
            ));
        }
        Ok(v.get_ref().clone())
    }

    /// An optional free text ([`Ctx::text`]).
    pub fn text_opt(
        &self,
        v: Option<&Spanned<String>>,
        field: &str,
    ) -> Result<Option<String>, ScenarioError> {
        v.map(|v| self.text(v, field)).transpose()
    }

    /// Refuses a table's `[[entries]]` past the most it may have, at the
    /// first entry too many (`span`, `field` such as `item[100].id`).
    pub fn at_most(
        &self,
        count: usize,
        max: usize,
        what: &str,
        first_too_many: impl FnOnce() -> (Range<usize>, String),
    ) -> Result<(), ScenarioError> {
        if count <= max {
            return Ok(());
        }
        let (span, field) = first_too_many();
        Err(self.at(
            span,
            &field,
            format!("{count} {what}; a scenario has at most {max}"),
        ))
    }

    /// A whole number in `1..=max`.
    pub fn positive(&self, v: &Spanned<i64>, field: &str, max: i64) -> Result<u32, ScenarioError> {
        let x = *v.get_ref();
        if x < 1 || x > max {
            return Err(self.at(v.span(), field, format!("{x} is outside 1..={max}")));
        }
        Ok(x as u32)
    }

    /// A whole number in `1..=max`, or `default` when the key is absent.
    pub fn positive_or(
        &self,
        v: Option<&Spanned<i64>>,
        field: &str,
        max: i64,
        default: u32,
    ) -> Result<u32, ScenarioError> {
        v.map_or(Ok(default), |v| self.positive(v, field, max))
    }

    /// The instant `deadline_days` (at most ten years, by default
    /// [`super::DEFAULT_DEADLINE_DAYS`]) after the start.
    pub fn deadline(
        &self,
        days: Option<&Spanned<i64>>,
        field: &str,
        start: Timestamp,
    ) -> Result<Timestamp, ScenarioError> {
        self.deadline_or(days, field, start, super::DEFAULT_DEADLINE_DAYS)
    }

    /// The instant `deadline_days` (at most ten years, by default
    /// `default`) after the start.
    pub fn deadline_or(
        &self,
        days: Option<&Spanned<i64>>,
        field: &str,
        start: Timestamp,
        default: u32,
    ) -> Result<Timestamp, ScenarioError> {
        let days = self.positive_or(days, field, limits::MAX_DAYS, default)?;
        Ok(start.plus_secs(i64::from(days) * DAY_SECS))
    }

    /// A fixed meeting, `{ start, hours }`, at or after the scenario's start.
    pub fn meeting(
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

    /// An IANA time zone.
    pub fn time_zone(&self, z: &Spanned<String>, field: &str) -> Result<Tz, ScenarioError> {
        Tz::from_str(z.get_ref()).map_err(|_| {
            self.at(
                z.span(),
                field,
                format!("unknown IANA time zone `{}`", z.get_ref()),
            )
        })
    }

    /// A share of world exports given in percent, 0–100.
    pub fn export_share(
        &self,
        v: &Spanned<f64>,
        field: &str,
    ) -> Result<ExportShare, ScenarioError> {
        let x = *v.get_ref();
        if !(0.0..=100.0).contains(&x) {
            return Err(self.at(
                v.span(),
                field,
                format!("{x} is not a percentage in 0..100"),
            ));
        }
        Ok((x * 10_000.0).round() as ExportShare)
    }

    /// A development status.
    pub fn development(
        &self,
        d: &Spanned<String>,
        field: &str,
    ) -> Result<Development, ScenarioError> {
        Development::parse(d.get_ref()).ok_or_else(|| {
            self.at(
                d.span(),
                field,
                format!(
                    "unknown development status `{}`; use developed, developing or least-developed",
                    d.get_ref()
                ),
            )
        })
    }
}

/// Why a date or instant is refused: it lies outside what a scenario may
/// give ([`limits`]).
fn outside_dates(given: &str) -> String {
    format!(
        "{given} is outside the dates a scenario may give, {} to {} (the record's dates must stay within what the wire carries)",
        limits::FIRST_DATE,
        limits::LAST_DATE
    )
}
