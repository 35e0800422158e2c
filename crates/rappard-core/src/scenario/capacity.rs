//! `[capacity]` and the `mission` and `meetings_per_day` keys of
//! `[[member]]`: where delegations sit and how many meetings a day they can
//! follow ([`crate::capacity`] gives the model and its sources).
//!
//! ```toml
//! [capacity]
//! meetings_per_day = 3                         # every delegation
//! by_development = { least-developed = 1 }     # per development status
//! non_resident = ["GMB", "MWI"]                # no Geneva mission
//!
//! [[member]]
//! id = "MWI"
//! mission = "non-resident"                     # or "resident"
//! meetings_per_day = 1                         # this delegation
//! ```
//!
//! A member's own key wins over its development status, which wins over
//! the table's `meetings_per_day`. Without any of them every delegation is
//! resident and unlimited, today's behaviour.

use std::collections::{BTreeMap, BTreeSet};

use toml::Spanned;

use super::error::ScenarioError;
use super::raw::{RawCapacity, RawMember};
use super::resolve::Resolver;
use crate::capacity::{CapacitySpec, Mission};
use crate::member::{Development, MemberId};

/// The most meetings a day a scenario may give a delegation.
const MAX_MEETINGS_PER_DAY: i64 = 50;

/// Reads `[capacity]` and the members' keys.
pub(super) fn parse(
    who: &Resolver<'_>,
    c: Option<&RawCapacity>,
    members: &[RawMember],
) -> Result<CapacitySpec, ScenarioError> {
    let cx = who.cx;
    let mut spec = CapacitySpec::default();
    let mut everyone = None;
    let mut by_development: BTreeMap<Development, u32> = BTreeMap::new();
    if let Some(c) = c {
        everyone = c
            .meetings_per_day
            .as_ref()
            .map(|v| cx.positive(v, "capacity.meetings_per_day", MAX_MEETINGS_PER_DAY))
            .transpose()?;
        if let Some(table) = &c.by_development {
            for (status, n) in table.get_ref() {
                let field = format!("capacity.by_development.{}", status.get_ref());
                let d = cx.development(status, &field)?;
                by_development.insert(d, cx.positive(n, &field, MAX_MEETINGS_PER_DAY)?);
            }
        }
        let ids = who.distinct(&c.non_resident, "capacity.non_resident")?;
        spec.non_resident.extend(ids);
    }
    for m in who.membership.delegations() {
        let limit = by_development.get(&m.development).copied().or(everyone);
        if let Some(k) = limit {
            spec.meetings_per_day.insert(m.id.clone(), k);
        }
    }
    members_keys(who, members, &mut spec)?;
    Ok(spec)
}

/// The `mission` and `meetings_per_day` keys of `[[member]]`.
fn members_keys(
    who: &Resolver<'_>,
    members: &[RawMember],
    spec: &mut CapacitySpec,
) -> Result<(), ScenarioError> {
    for (k, m) in members.iter().enumerate() {
        if m.mission.is_none() && m.meetings_per_day.is_none() {
            continue;
        }
        let id = who.member(&m.id, &format!("member[{k}].id"))?;
        if let Some(mission) = &m.mission {
            set_mission(who, mission, k, &id, &mut spec.non_resident)?;
        }
        if let Some(n) = &m.meetings_per_day {
            let field = format!("member[{k}].meetings_per_day");
            let n = who.cx.positive(n, &field, MAX_MEETINGS_PER_DAY)?;
            spec.meetings_per_day.insert(id, n);
        }
    }
    Ok(())
}

fn set_mission(
    who: &Resolver<'_>,
    mission: &Spanned<String>,
    k: usize,
    id: &MemberId,
    non_resident: &mut BTreeSet<MemberId>,
) -> Result<(), ScenarioError> {
    match Mission::parse(mission.get_ref()) {
        Some(Mission::NonResident) => {
            non_resident.insert(id.clone());
        }
        Some(Mission::Resident) => {
            non_resident.remove(id);
        }
        None => {
            return Err(who.cx.at(
                mission.span(),
                &format!("member[{k}].mission"),
                format!(
                    "unknown mission `{}`; use resident or non-resident",
                    mission.get_ref()
                ),
            ));
        }
    }
    Ok(())
}
