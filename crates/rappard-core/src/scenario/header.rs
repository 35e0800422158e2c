//! The `[scenario]` table: name, seed, start, venue, session length and package
//! rule.
//!
//! These settings hold for the whole negotiation and are public: the
//! minutes print them. The start is needed by every later table (fixed
//! meetings may not precede it; deadlines count from it), so it is read
//! first.

use super::DEFAULT_SESSION_HOURS;
use super::error::{Ctx, ScenarioError};
use super::raw::RawScenario;
use crate::protocol::Package;
use crate::sessions::Venue;
use crate::time::Timestamp;

/// What `[scenario]` fixes, besides the name.
pub(super) struct Header {
    pub name: String,
    pub seed: u64,
    pub start: Timestamp,
    pub venue: Venue,
    pub session_hours: u32,
    pub package: Package,
}

/// Reads `[scenario]`.
pub(super) fn parse(cx: &Ctx<'_>, s: &RawScenario) -> Result<Header, ScenarioError> {
    let seed = match &s.seed {
        None => 0,
        Some(v) => u64::try_from(*v.get_ref())
            .map_err(|_| cx.at(v.span(), "scenario.seed", "a seed is a whole number from 0"))?,
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
        Some(v) => match v.get_ref().as_str() {
            "early-harvest" => Package::EarlyHarvest,
            "single-undertaking" => Package::SingleUndertaking,
            other => {
                return Err(cx.at(
                    v.span(),
                    "scenario.package",
                    format!(
                        "unknown package rule `{other}`; use early-harvest or single-undertaking"
                    ),
                ));
            }
        },
    };
    let session_hours = cx.positive_or(
        s.session_hours.as_ref(),
        "scenario.session_hours",
        24,
        DEFAULT_SESSION_HOURS,
    )?;
    Ok(Header {
        name: cx.text(&s.name, "scenario.name")?,
        seed,
        start,
        venue,
        session_hours,
        package,
    })
}
