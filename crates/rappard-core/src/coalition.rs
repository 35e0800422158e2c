//! Negotiating coalitions and their coordinators.
//!
//! WTO Members negotiate in groups (the Cairns Group, the LDC Group, the
//! G-33, the African Group…) whose coordinator speaks for them in small
//! meetings such as Green Rooms. rappard ships two, built from the dataset
//! when a scenario uses `dataset = "wto"`; a scenario may define more with
//! `[[coalition]]` or replace these by reusing their ids.
//!
//! - `cairns`, the Cairns Group of agricultural exporters, chaired by
//!   Australia. Members: Argentina, Australia, Brazil, Canada, Chile,
//!   Colombia, Costa Rica, Guatemala, Indonesia, Malaysia, New Zealand,
//!   Pakistan, Paraguay, Peru, the Philippines, South Africa, Thailand,
//!   Uruguay and Viet Nam (the group's own site, "About The Cairns Group"),
//!   and Ukraine, welcomed as a full member before MC13 in February 2024
//!   (Australian trade minister's media release, "Australia welcomes Ukraine
//!   to the Cairns Group"). Not checked against the WTO's own list of
//!   groups, which could not be read here.
//! - `ldc`, the LDC Group: the Members that the dataset lists as
//!   least-developed (37; see `data/README.md` for the list's source and its
//!   caveats on graduation). Coordinator: Djibouti, which WTO news items of
//!   2023–24 name as coordinator of the WTO LDC Group. The coordinator
//!   rotates; who holds it in 2026 could not be checked: set it in a
//!   scenario when it matters.

use serde::{Deserialize, Serialize};

use crate::member::{Development, MemberId, Membership};

/// A coalition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coalition {
    /// Id, such as `cairns`.
    pub id: String,
    /// Name.
    pub name: String,
    /// Its Members in the negotiation, by id.
    pub members: Vec<MemberId>,
    /// Who speaks for it, if it is in the negotiation.
    pub coordinator: Option<MemberId>,
}

/// The Cairns Group's Members (module doc), by id.
pub const CAIRNS_GROUP: [&str; 20] = [
    "ARG", "AUS", "BRA", "CAN", "CHL", "COL", "CRI", "GTM", "IDN", "MYS", "NZL", "PAK", "PRY",
    "PER", "PHL", "ZAF", "THA", "UKR", "URY", "VNM",
];

/// The built-in coalitions, limited to the Members of `roll`. A coalition
/// with no Member in the negotiation is left out.
pub fn built_in(roll: &Membership) -> Vec<Coalition> {
    let present = |id: &str| roll.get(id).map(|m| m.id.clone());
    let mut cairns: Vec<MemberId> = CAIRNS_GROUP.iter().filter_map(|id| present(id)).collect();
    cairns.sort();
    let ldc: Vec<MemberId> = roll
        .members()
        .iter()
        .filter(|m| m.development == Development::LeastDeveloped)
        .map(|m| m.id.clone())
        .collect();
    let mut out = Vec::new();
    if !cairns.is_empty() {
        out.push(Coalition {
            id: "cairns".into(),
            name: "Cairns Group".into(),
            members: cairns,
            coordinator: present("AUS"),
        });
    }
    if !ldc.is_empty() {
        out.push(Coalition {
            id: "ldc".into(),
            name: "LDC Group".into(),
            members: ldc,
            coordinator: present("DJI"),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset;

    /// Cairns Group: 20 members chaired by Australia; LDC Group: the 37 LDC
    /// Members of the dataset, coordinated by Djibouti (module doc).
    #[test]
    fn built_in_coalitions_from_the_dataset() {
        let roll = dataset::wto().expect("dataset");
        let c = built_in(&roll);
        assert_eq!(c[0].id, "cairns");
        assert_eq!(c[0].members.len(), 20);
        assert_eq!(c[0].coordinator.as_ref().map(MemberId::as_str), Some("AUS"));
        assert_eq!(c[1].id, "ldc");
        assert_eq!(c[1].members.len(), 37);
        assert_eq!(c[1].coordinator.as_ref().map(MemberId::as_str), Some("DJI"));
    }
}
