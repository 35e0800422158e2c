//! The report's regional trade agreements: each RTA with its notification
//! and review timetable, each Member's spaghetti bowl and outside option,
//! folded from the `Regional` family of events (rules in `crate::rta`).

use serde::Serialize;

use super::Report;
use crate::member::MemberId;
use crate::record::Event;
use crate::rta::{Committee, Depth};

/// One RTA in force at the start.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct RtaReport {
    /// Name.
    pub name: String,
    /// Parties on the roll.
    pub parties: Vec<MemberId>,
    /// Entry into force, `YYYY-MM-DD`.
    pub entry_into_force: String,
    /// `wto-plus` or `wto-extra`, if notified (`null` if not).
    pub depth: Option<Depth>,
    /// Whether it was notified.
    pub notified: bool,
    /// The reviewing committee, if notified.
    pub committee: Option<Committee>,
    /// Consideration normally concluded by, if notified.
    pub consideration_by: Option<String>,
    /// The initiative it was docked as, if any.
    pub docked_as: Option<String>,
}

/// One Member's spaghetti bowl and outside option.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SpaghettiReport {
    /// The Member.
    pub member: MemberId,
    /// Overlapping agreements it is party to.
    pub agreements: u32,
    /// Distinct rules-of-origin regimes among them.
    pub rules_of_origin: u32,
    /// Its RTA partners' share of the other delegations' exports, percent.
    pub covered_pct: f64,
    /// The factor on its tolerance and concession, percent.
    pub factor_pct: f64,
}

/// Folds one event of the `Regional` family into the report.
pub(super) fn fold(r: &mut Report, event: &Event) {
    match event {
        Event::RtaNotified {
            rta,
            parties,
            entry_into_force,
            depth,
            ..
        } => r.rtas.push(RtaReport {
            name: rta.clone(),
            parties: parties.clone(),
            entry_into_force: entry_into_force.clone(),
            depth: Some(*depth),
            notified: true,
            committee: None,
            consideration_by: None,
            docked_as: None,
        }),
        Event::RtaReviewScheduled {
            rta,
            committee,
            consideration_by,
            ..
        } => {
            if let Some(x) = r.rtas.iter_mut().find(|x| &x.name == rta) {
                x.committee = Some(*committee);
                x.consideration_by = Some(consideration_by.clone());
            }
        }
        Event::RtaNotNotified {
            rta,
            parties,
            entry_into_force,
        } => r.rtas.push(RtaReport {
            name: rta.clone(),
            parties: parties.clone(),
            entry_into_force: entry_into_force.clone(),
            depth: None,
            notified: false,
            committee: None,
            consideration_by: None,
            docked_as: None,
        }),
        Event::SpaghettiBowl {
            member,
            agreements,
            rules_of_origin,
            covered,
            factor,
        } => r.spaghetti_bowl.push(SpaghettiReport {
            member: member.clone(),
            agreements: agreements.len() as u32,
            rules_of_origin: *rules_of_origin,
            covered_pct: f64::from(*covered) / 100.0,
            factor_pct: f64::from(*factor) / 100.0,
        }),
        Event::RtaDocked {
            rta, initiative, ..
        } => {
            if let Some(x) = r.rtas.iter_mut().find(|x| &x.name == rta) {
                x.docked_as = Some(initiative.clone());
            }
        }
        _ => {}
    }
}
