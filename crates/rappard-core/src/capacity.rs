//! Delegations' capacity: where a delegation sits (a resident mission in
//! Geneva or none) and how many meetings it can follow in a day.
//!
//! Not every Member keeps a permanent mission in Geneva. The WTO runs a
//! "Geneva Week" for the Members and observers without one; their
//! delegates follow the work from their capitals. A delegation that is
//! *non-resident* keeps its capital's office hours even when the venue is
//! Geneva (`crate::sessions`). And a small delegation cannot sit in every
//! negotiating body that meets on a day: Li Ke, "Stagnation and
//! Breakthrough of WTO Multilateral Trade Negotiations", *Journal of Hubei
//! University of Economics* 21(5), 2023, §2.1.1 ("the formal decision-making
//! mechanism has defects": the time, money and staff that consensus
//! building consumes are costs "not every country can easily bear") and
//! §1.2.1 (technical assistance, capacity building and special and
//! differential treatment make up for developing countries' lack of
//! capacity).
//!
//! Consensus is reached when no Member *present* at the meeting formally
//! objects (Marrakesh Agreement, Art. IX:1, footnote 1). A delegation that
//! is over its capacity for the day misses the business and so cannot
//! object to it: absence cuts both ways, it cannot block and it cannot be
//! heard.
//!
//! The model, and its assumptions (each with its default):
//! - A *meeting* here is one piece of business taken up on a day: an
//!   item's consultations or decision (the same item again that day counts
//!   once), the package's decision, an initiative's round or its Annex 4
//!   decision, a Green Room. Meetings of accession Working Parties and
//!   General Council decisions on accessions are not counted (assumption).
//! - A delegation with a limit of `k` meetings a day takes up the first `k`
//!   pieces of business of the (UTC) day in the order the Secretariat takes
//!   them up (agenda order, then initiatives), and misses the rest
//!   (assumption: it does not choose by its interests). Delegations are
//!   considered in member-id order, so the record never depends on anything
//!   but the scenario and the seed.
//! - Default: every delegation resident in Geneva and unlimited, today's
//!   behaviour.
//! - Which Members have no Geneva mission is a fact the WTO publishes (the
//!   Geneva Week list); rappard ships no such list, and the default that
//!   every delegation is resident is an assumption a scenario overrides.
//! - A written procedure reaches every delegation in its capital: capacity
//!   does not limit it.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::member::MemberId;
use crate::time::Timestamp;

/// Whether a delegation keeps a permanent mission at the venue.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mission {
    /// A permanent mission in Geneva (the default).
    #[default]
    Resident,
    /// No mission in Geneva: the delegation follows from its capital.
    NonResident,
}

impl Mission {
    /// Parses `resident` or `non-resident`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "resident" => Some(Self::Resident),
            "non-resident" => Some(Self::NonResident),
            _ => None,
        }
    }
}

/// The delegations' capacity in a scenario (`[capacity]`, and `mission`
/// and `meetings_per_day` on `[[member]]`), resolved per delegation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CapacitySpec {
    /// Delegations without a Geneva mission, in id order.
    pub non_resident: BTreeSet<MemberId>,
    /// The meetings a day each limited delegation can follow (a delegation
    /// not listed is unlimited).
    pub meetings_per_day: BTreeMap<MemberId, u32>,
}

impl CapacitySpec {
    /// Whether it is the default: everyone resident and unlimited.
    pub fn is_default(&self) -> bool {
        self.non_resident.is_empty() && self.meetings_per_day.is_empty()
    }

    /// Whether `member` has no Geneva mission.
    pub fn is_non_resident(&self, member: &MemberId) -> bool {
        self.non_resident.contains(member)
    }

    /// The limit of `member`, if it has one.
    pub fn limit(&self, member: &MemberId) -> Option<u32> {
        self.meetings_per_day.get(member).copied()
    }
}

/// Who takes up which business on which day: the state the Secretariat
/// keeps to apply the limits.
#[derive(Clone, Debug, Default)]
pub struct Attendance {
    /// Per limited delegation: the day it last took business up, and the
    /// business it took up that day.
    taken: BTreeMap<MemberId, (Timestamp, BTreeSet<String>)>,
}

impl Attendance {
    /// Splits the delegations in the room (in id order) into those that
    /// take `business` up on `day` and those that miss it, both in id
    /// order, and counts the business against those that take it up.
    pub fn take_up(
        &mut self,
        spec: &CapacitySpec,
        day: Timestamp,
        business: &str,
        room: &[MemberId],
    ) -> (Vec<MemberId>, Vec<MemberId>) {
        let mut attending = Vec::with_capacity(room.len());
        let mut missed = Vec::new();
        for d in room {
            let Some(limit) = spec.limit(d) else {
                attending.push(d.clone());
                continue;
            };
            let (on, taken) = self
                .taken
                .entry(d.clone())
                .or_insert_with(|| (day, BTreeSet::new()));
            if *on != day {
                *on = day;
                taken.clear();
            }
            if taken.contains(business) || (taken.len() as u32) < limit {
                taken.insert(business.to_owned());
                attending.push(d.clone());
            } else {
                missed.push(d.clone());
            }
        }
        (attending, missed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> MemberId {
        MemberId::new(s).expect("id")
    }

    #[test]
    fn a_limited_delegation_misses_business_past_its_limit() {
        let spec = CapacitySpec {
            non_resident: BTreeSet::new(),
            meetings_per_day: BTreeMap::from([(id("MLI"), 1)]),
        };
        let day = Timestamp::parse("2026-03-02T00:00:00Z").expect("t");
        let next = day.plus_secs(86_400);
        let room = [id("MLI"), id("USA")];
        let mut a = Attendance::default();
        assert_eq!(a.take_up(&spec, day, "a", &room).1, Vec::<MemberId>::new());
        // The same item again that day is the same meeting.
        assert!(a.take_up(&spec, day, "a", &room).1.is_empty());
        let (went, missed) = a.take_up(&spec, day, "b", &room);
        assert_eq!((went, missed), (vec![id("USA")], vec![id("MLI")]));
        // A new day, a new count.
        assert!(a.take_up(&spec, next, "b", &room).1.is_empty());
    }
}
