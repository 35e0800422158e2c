//! Simulated time.
//!
//! The core never reads a clock: every instant is a [`Timestamp`] computed
//! from the scenario's start and the Secretariat's schedule. A timestamp is a
//! whole second in UTC and is written as `2026-03-02T08:00:00Z`, the one
//! canonical form used in the record, so that the record's bytes do not
//! depend on a formatting library's choices.

use std::fmt;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

/// An instant of simulated time, UTC, to the second.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    /// The instant `secs` seconds after 1970-01-01T00:00:00Z.
    pub fn from_unix(secs: i64) -> Option<Self> {
        DateTime::from_timestamp(secs, 0).map(Self)
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    pub fn unix(self) -> i64 {
        self.0.timestamp()
    }

    /// Parses an RFC 3339 instant (`2026-03-02T08:00:00Z`, or with an offset
    /// such as `+01:00`), dropping fractions of a second.
    pub fn parse(s: &str) -> Result<Self, String> {
        match DateTime::parse_from_rfc3339(s) {
            Ok(t) => Ok(Self::from_datetime(t.with_timezone(&Utc))),
            // TOML local date-times have no offset: refuse them by name.
            Err(_) if NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").is_ok() => Err(
                format!("`{s}` has no time zone: write it in UTC with a `Z`"),
            ),
            Err(_) => Err(format!(
                "`{s}` is not an RFC 3339 instant such as 2026-03-02T08:00:00Z"
            )),
        }
    }

    /// The chrono value.
    pub fn datetime(self) -> DateTime<Utc> {
        self.0
    }

    /// From a chrono value (fractions of a second dropped).
    pub fn from_datetime(t: DateTime<Utc>) -> Self {
        Self::from_unix(t.timestamp()).unwrap_or(Self(t))
    }

    /// This instant plus `secs` seconds (saturating at the calendar's end).
    pub fn plus_secs(self, secs: i64) -> Self {
        Self::from_unix(self.unix().saturating_add(secs)).unwrap_or(self)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%dT%H:%M:%SZ"))
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A span of simulated time, `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Interval {
    /// First instant.
    pub start: Timestamp,
    /// First instant after the span.
    pub end: Timestamp,
}

impl Interval {
    /// Whether `other` lies wholly inside this span.
    pub fn contains(&self, other: &Interval) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// Length in seconds.
    pub fn secs(&self) -> i64 {
        self.end.unix() - self.start.unix()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_canonically() {
        let t = Timestamp::parse("2026-03-02T09:00:00+01:00").expect("valid");
        assert_eq!(t.to_string(), "2026-03-02T08:00:00Z");
        let t = Timestamp::parse("2026-03-02T08:00:00.75Z").expect("valid");
        assert_eq!(t.to_string(), "2026-03-02T08:00:00Z");
        assert!(
            Timestamp::parse("2026-03-02T08:00:00")
                .unwrap_err()
                .contains("no time zone")
        );
        assert!(Timestamp::parse("yesterday").is_err());
    }
}
