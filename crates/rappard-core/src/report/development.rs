//! The report's account of delegations' capacity and of special and
//! differential treatment (`crate::capacity`, `crate::flexibility`): a
//! second, short pass over the record, after the main fold.
//!
//! For each delegation without a Geneva mission or with a limit on the
//! meetings it can follow: the meetings it was present at and absent from,
//! the business it missed over its capacity, and the decisions taken
//! without it (at a meeting, not counted present); and those figures summed
//! over the least-developed countries and over the limited ("small")
//! delegations. For each item or initiative with flexibilities: what they
//! are, how many delegations benefit and, for an initiative, how many of
//! them took part at the end.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Report;
use crate::flexibility::Flexibility;
use crate::member::MemberId;
use crate::protocol::MAX_LEVEL;
use crate::record::{Event, Record};

/// Capacity in the report.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct CapacityReport {
    /// Delegations without a Geneva mission.
    pub non_resident: Vec<MemberId>,
    /// Meetings a day, per limited delegation.
    pub meetings_per_day: BTreeMap<MemberId, u32>,
    /// Each delegation listed above, in id order.
    pub attendance: Vec<AttendanceReport>,
    /// Summed over the least-developed countries among them.
    pub least_developed: MissedReport,
    /// Summed over the delegations with a limit.
    pub small_delegations: MissedReport,
}

/// One delegation's attendance.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct AttendanceReport {
    /// The delegation.
    pub member: MemberId,
    /// Whether it is a least-developed country.
    pub least_developed: bool,
    /// Meetings it was present at (within its hours).
    pub present: u32,
    /// Meetings it was absent from (outside its hours).
    pub absent: u32,
    /// Pieces of business it missed over its capacity, by business.
    pub missed: Vec<String>,
    /// Items decided at a meeting without it.
    pub decisions_missed: Vec<String>,
}

/// Business and decisions missed by a group.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct MissedReport {
    /// Delegations in the group.
    pub delegations: u32,
    /// Pieces of business missed over capacity.
    pub business_missed: u32,
    /// Decisions taken at a meeting without them (one per delegation and
    /// decision).
    pub decisions_missed: u32,
}

/// An item's or initiative's flexibilities in the report.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct FlexibilityReport {
    /// Item or initiative.
    pub item: String,
    /// The widening of the tolerance, on the 0–1 scale.
    pub tolerance_widening: f64,
    /// The transition period, in years.
    pub transition_years: u32,
    /// Who benefits, by development status.
    #[serde(rename = "for")]
    pub beneficiaries_by: Vec<crate::member::Development>,
    /// Delegations that benefit.
    pub beneficiaries: u32,
    /// For an initiative: the beneficiaries among its participants at the
    /// end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beneficiaries_participating: Option<u32>,
}

/// Adds both accounts to a folded report.
pub(super) fn complete(report: &mut Report, record: &Record) {
    let mut capacity: Option<CapacityReport> = None;
    for e in record.entries() {
        match &e.event {
            Event::CapacityListed {
                non_resident,
                meetings_per_day,
                least_developed,
            } => {
                capacity = Some(listed(non_resident, meetings_per_day, least_developed));
            }
            Event::FlexibilitiesListed {
                item,
                flexibility,
                beneficiaries,
            } => report.flexibilities.push(flexibility_report(
                report,
                item,
                flexibility,
                beneficiaries,
            )),
            _ => {}
        }
        if let Some(c) = capacity.as_mut() {
            attend(c, &e.event);
        }
    }
    if let Some(c) = capacity.as_mut() {
        let add = |g: &mut MissedReport, a: &AttendanceReport| {
            g.delegations += 1;
            g.business_missed += a.missed.len() as u32;
            g.decisions_missed += a.decisions_missed.len() as u32;
        };
        for a in &c.attendance {
            if a.least_developed {
                add(&mut c.least_developed, a);
            }
            if c.meetings_per_day.contains_key(&a.member) {
                add(&mut c.small_delegations, a);
            }
        }
    }
    report.capacity = capacity;
}

fn listed(
    non_resident: &[MemberId],
    meetings_per_day: &BTreeMap<MemberId, u32>,
    least_developed: &[MemberId],
) -> CapacityReport {
    let mut listed: Vec<MemberId> = non_resident
        .iter()
        .chain(meetings_per_day.keys())
        .cloned()
        .collect();
    listed.sort();
    listed.dedup();
    CapacityReport {
        non_resident: non_resident.to_vec(),
        meetings_per_day: meetings_per_day.clone(),
        attendance: listed
            .into_iter()
            .map(|member| AttendanceReport {
                least_developed: least_developed.contains(&member),
                member,
                present: 0,
                absent: 0,
                missed: Vec::new(),
                decisions_missed: Vec::new(),
            })
            .collect(),
        ..CapacityReport::default()
    }
}

/// What one event changes in the delegations' attendance.
fn attend(c: &mut CapacityReport, event: &Event) {
    for a in &mut c.attendance {
        let m = &a.member;
        match event {
            Event::MeetingConvened {
                present, absent, ..
            } => {
                a.present += u32::from(present.contains(m));
                a.absent += u32::from(absent.contains(m));
            }
            Event::MeetingMissed {
                business, members, ..
            } if members.contains(m) => a.missed.push(business.clone()),
            Event::DecisionTaken { item, present, .. }
                if !present.is_empty() && !present.contains(m) =>
            {
                a.decisions_missed.push(item.clone());
            }
            _ => {}
        }
    }
}

fn flexibility_report(
    report: &Report,
    item: &str,
    f: &Flexibility,
    beneficiaries: &[MemberId],
) -> FlexibilityReport {
    let participating = report.initiatives.iter().find(|i| i.id == item).map(|i| {
        i.participants
            .iter()
            .filter(|p| beneficiaries.binary_search(p).is_ok())
            .count() as u32
    });
    FlexibilityReport {
        item: item.to_owned(),
        tolerance_widening: f64::from(f.tolerance_widening) / f64::from(MAX_LEVEL),
        transition_years: f.transition_years,
        beneficiaries_by: f.beneficiaries.clone(),
        beneficiaries: beneficiaries.len() as u32,
        beneficiaries_participating: participating,
    }
}
