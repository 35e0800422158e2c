//! The report's account of pressure and linkage (`[pressure]`; rules and
//! sources in [`crate::pressure`]), and the **false-consensus index**: the
//! share of adopted texts that lie outside the tolerance of a Member that
//! stayed silent under pressure. A Member downgrades its objection only to
//! a text it would have objected to, one outside its tolerance, so every
//! adopted item with an `objection-withdrawn` counts; the index is the
//! paper's "false agreement" (Li Ke 2023, §2.1.1) made countable, within
//! the model and its proxy for dependence.

use serde::Serialize;

use super::ItemReport;
use crate::member::MemberId;
use crate::protocol::Level;
use crate::record::{Event, Record};
use crate::rules::Outcome;

/// One objection downgraded to a reservation.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct WithdrawalReport {
    /// Item.
    pub item: String,
    /// The Member.
    pub member: MemberId,
    /// Its dependence on the supporters, percent (proxy unless given).
    pub dependence_pct: f64,
    /// The largest exporters among the supporters.
    pub depends_on: Vec<MemberId>,
}

/// One linkage declared.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct LinkageReport {
    /// The Member.
    pub member: MemberId,
    /// The item it held.
    pub item: String,
    /// The item it waited for.
    pub until: String,
    /// The level it waited for.
    pub level: Level,
    /// The text `until` was adopted at, if the linkage was satisfied.
    pub satisfied_at: Option<Level>,
}

/// Pressure and linkage in a run.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct PressureReport {
    /// Objections withdrawn under pressure, in order.
    pub objections_withdrawn: Vec<WithdrawalReport>,
    /// Linkages, in order.
    pub linkages: Vec<LinkageReport>,
    /// Items adopted.
    pub adopted: u32,
    /// Of those, items on which a Member withdrew its objection.
    pub adopted_under_pressure: u32,
    /// `adopted_under_pressure / adopted`, three decimals (0 without an
    /// adopted item).
    pub false_consensus_index: f64,
}

/// Folds the record's pressure events, against the items' outcomes.
pub(super) fn fold(record: &Record, items: &[ItemReport]) -> PressureReport {
    let mut out = PressureReport::default();
    for e in record.entries() {
        match &e.event {
            Event::ObjectionWithdrawn {
                item,
                member,
                dependence,
                depends_on,
                ..
            } => out.objections_withdrawn.push(WithdrawalReport {
                item: item.clone(),
                member: member.clone(),
                dependence_pct: f64::from(*dependence) / 100.0,
                depends_on: depends_on.clone(),
            }),
            Event::LinkageDeclared {
                member,
                item,
                until,
                level,
            } => out.linkages.push(LinkageReport {
                member: member.clone(),
                item: item.clone(),
                until: until.clone(),
                level: *level,
                satisfied_at: None,
            }),
            Event::LinkageSatisfied {
                member,
                item,
                until,
                text,
            } => {
                let l = out
                    .linkages
                    .iter_mut()
                    .find(|l| &l.member == member && &l.item == item && &l.until == until);
                if let Some(l) = l {
                    l.satisfied_at = Some(*text);
                }
            }
            _ => {}
        }
    }
    let adopted: Vec<&ItemReport> = items
        .iter()
        .filter(|i| i.outcome == Outcome::Adopted)
        .collect();
    out.adopted = adopted.len() as u32;
    out.adopted_under_pressure = adopted
        .iter()
        .filter(|i| out.objections_withdrawn.iter().any(|w| w.item == i.id))
        .count() as u32;
    out.false_consensus_index = index(out.adopted_under_pressure, out.adopted);
    out
}

/// A share, three decimals; 0 of 0 is 0.
pub(super) fn index(part: u32, whole: u32) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    (f64::from(part) / f64::from(whole) * 1_000.0).round() / 1_000.0
}
