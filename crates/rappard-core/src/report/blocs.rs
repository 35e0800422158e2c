//! The report's account of coalitions acting as blocs (`[[coalition]]
//! bloc = true`; rules and sources in `secretariat/blocs.rs`): per bloc,
//! the calls on which it spoke, the items on which it voted as one
//! throughout, the members that followed their coordinator, and each
//! defection.

use serde::Serialize;

use crate::member::MemberId;
use crate::protocol::{Level, MAX_LEVEL};
use crate::record::{Event, Record};

/// One member keeping its own answer against its bloc.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct DefectionReport {
    /// The call.
    pub call: u64,
    /// Item.
    pub item: String,
    /// Who left the bloc on this call.
    pub member: MemberId,
    /// Its own answer.
    pub answer: String,
    /// Its distance from the coordinator's position, 0–1 (absent when it
    /// could not be measured).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance: Option<f64>,
}

/// One bloc over the run.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct BlocReport {
    /// The coalition's id.
    pub coalition: String,
    /// Its coordinator.
    pub coordinator: MemberId,
    /// Its members in the negotiation.
    pub members: usize,
    /// The defection limit, 0–1.
    pub defection_limit: f64,
    /// Calls on which the bloc spoke (its coordinator and another member
    /// answered).
    pub calls: u32,
    /// Of those, calls with no defection.
    pub calls_as_one: u32,
    /// Items on which it spoke and no member ever defected, in the order
    /// they came up.
    pub items_as_one: Vec<String>,
    /// Items with at least one defection, in the order they came up.
    pub items_split: Vec<String>,
    /// Answers changed to follow the coordinator, over all calls.
    pub followed: u32,
    /// Defections, in order.
    pub defections: Vec<DefectionReport>,
}

/// A level as a share of the scale, four decimals.
fn share(l: Level) -> f64 {
    f64::from(l) / f64::from(MAX_LEVEL)
}

/// Folds the record's bloc events, one report per bloc in the order formed.
pub(super) fn fold(record: &Record) -> Vec<BlocReport> {
    let mut out: Vec<BlocReport> = Vec::new();
    for e in record.entries() {
        match &e.event {
            Event::BlocFormed {
                coalition,
                coordinator,
                members,
                defection_limit,
            } => out.push(BlocReport {
                coalition: coalition.clone(),
                coordinator: coordinator.clone(),
                members: members.len(),
                defection_limit: share(*defection_limit),
                calls: 0,
                calls_as_one: 0,
                items_as_one: Vec::new(),
                items_split: Vec::new(),
                followed: 0,
                defections: Vec::new(),
            }),
            Event::BlocSpoke {
                coalition,
                item,
                followed,
                as_one,
                ..
            } => {
                let Some(b) = out.iter_mut().find(|b| &b.coalition == coalition) else {
                    continue;
                };
                b.calls += 1;
                b.followed += followed.len() as u32;
                if *as_one {
                    b.calls_as_one += 1;
                    if !b.items_as_one.contains(item) && !b.items_split.contains(item) {
                        b.items_as_one.push(item.clone());
                    }
                } else {
                    b.items_as_one.retain(|i| i != item);
                    if !b.items_split.contains(item) {
                        b.items_split.push(item.clone());
                    }
                }
            }
            Event::BlocDefection {
                call,
                item,
                coalition,
                member,
                answer,
                distance,
            } => {
                if let Some(b) = out.iter_mut().find(|b| &b.coalition == coalition) {
                    b.defections.push(DefectionReport {
                        call: *call,
                        item: item.clone(),
                        member: member.clone(),
                        answer: answer.clone(),
                        distance: distance.map(share),
                    });
                }
            }
            _ => {}
        }
    }
    out
}
