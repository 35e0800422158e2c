//! How the minutes write numbers, times and lists of Members.
//!
//! The record keeps whole numbers (levels out of 10,000, shares in 0.0001 %)
//! and instants in UTC; the minutes show them as a reader expects. These
//! helpers are the one place each form is decided, so that the same kind of
//! figure reads the same wherever it appears.

use std::fmt::Debug;

use chrono_tz::Tz;

use crate::member::MemberId;
use crate::protocol::{Level, MAX_LEVEL};
use crate::rules::How;
use crate::time::Timestamp;

/// Beyond this many Members, a list shows the first ones and a count.
const SHOWN: usize = 40;

/// A share in 0.0001 % units, as a percentage.
pub(super) fn pct(share: u32) -> String {
    format!("{}.{:02}%", share / 10_000, (share % 10_000) / 100)
}

/// A level out of 10,000, as a fraction with four decimals.
pub(super) fn level(l: Level) -> String {
    format!("{}.{:04}", l / MAX_LEVEL, l % MAX_LEVEL)
}

/// The UTC time of day.
pub(super) fn hm(t: Timestamp) -> String {
    t.datetime().format("%H:%M").to_string()
}

/// The time of day in a zone.
pub(super) fn hm_in(t: Timestamp, tz: &Tz) -> String {
    t.datetime().with_timezone(tz).format("%H:%M").to_string()
}

/// A variant's name in lower case (`Support` is `support`).
pub(super) fn lower(x: &impl Debug) -> String {
    format!("{x:?}").to_lowercase()
}

/// How an item was decided or agreed, without the rule.
pub(super) fn by(how: How) -> &'static str {
    match how {
        How::Consensus => "by consensus",
        How::Vote => "by vote",
        How::WrittenProcedure => "by written procedure",
    }
}

/// All the ids, or `none`.
pub(super) fn list(ids: &[MemberId]) -> String {
    if ids.is_empty() {
        "none".into()
    } else {
        ids.iter()
            .map(MemberId::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Short printout of a list of ids: all of them up to 40, else the first 40
/// and a count; `none` if there are none.
pub(super) fn short_list(ids: &[MemberId]) -> String {
    if ids.is_empty() {
        "none".into()
    } else {
        capped(ids, MemberId::to_string)
    }
}

/// The first 40 of `items` as `name` shows them, and how many more there
/// are, if any.
pub(super) fn capped<T>(items: &[T], name: impl Fn(&T) -> String) -> String {
    let shown: Vec<String> = items.iter().take(SHOWN).map(name).collect();
    let more = items.len().saturating_sub(SHOWN);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}
