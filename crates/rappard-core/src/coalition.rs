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
//!
//! # Shipped membership lists
//!
//! `data/coalitions.csv` holds lists a scenario can name by id in a
//! `[[coalition]]` without `members` ([`shipped`]); none of them is in a
//! negotiation unless a scenario names it, so runs without one are as
//! before. Each list's source, the date it is valid for and its caveats are
//! in `data/README.md`, read on 2026-11-30:
//!
//! - `african-group` (43 WTO Members) and `acp` (61 WTO Members): the
//!   WTO's "Groups in the WTO", updated 24 July 2015 (a copy of the WTO
//!   document; the WTO's own page could not be read here).
//! - `g90`: the G-90, derived as the African Group, the ACP and the LDCs
//!   (the definition WTO document TN/C/12 of 28 July 2008 uses: a statement
//!   "of African, ACP and LDC Groups" as the G90), with the LDC Members as
//!   listed by the WTO's page "Understanding the WTO: least-developed
//!   countries" (35 WTO Members; 45 LDCs on the UN list, so the page dates
//!   from December 2020 to December 2023). The three lists are of different
//!   dates: this is a reconstruction, not a list the WTO published.
//! - `g20`: the G-20 on agriculture, formed on 20 August 2003 before the
//!   Cancún Ministerial: the 22 Members on which the lists found agree
//!   (descriptions of "currently 23" members in encyclopaedia pages,
//!   undated, after 2005). The 23rd is disputed: Zimbabwe in some lists,
//!   Türkiye in another; both are in the data file, marked `disputed`, and
//!   neither is in the shipped list.
//! - `g33`: **partial**. No complete list of the G-33 (47 members in
//!   2024) could be found; the data file holds the 10 "main" members two
//!   pages of February 2024 name, marked `partial`, and a scenario that
//!   names `g33` without `members` is refused.

use serde::{Deserialize, Serialize};

use crate::member::{Development, MemberId, Membership};
use crate::protocol::Level;

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
    /// Whether it acts as a bloc (`crate::secretariat` applies it), and
    /// how far a member may stand from its coordinator and still follow.
    /// `None`, the default: it only counts for Green Room seats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bloc: Option<Bloc>,
}

/// A coalition that speaks with one voice: its members follow the
/// coordinator's reaction, objection or vote on an item unless their own
/// stated position on it is farther from the coordinator's than the
/// defection limit (a modelling assumption; see
/// `secretariat/blocs.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bloc {
    /// The defection limit, in levels (0 to 10,000).
    pub defection_limit: Level,
}

/// The defection limit when a scenario does not give one: 0.2 of the
/// scale (2,000 levels). A modelling assumption, not a measured value.
pub const DEFAULT_DEFECTION_LIMIT: Level = 2_000;

/// The shipped membership lists, one row per Member: `coalition`, `iso3`,
/// `status` (`listed`, `disputed`, `partial`) and the name as the source
/// spells it (sources in `data/README.md`).
pub const COALITIONS_CSV: &str = include_str!("../data/coalitions.csv");

/// Why a shipped list cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotShipped {
    /// No list is shipped under this id.
    Unknown,
    /// Only part of the list could be sourced (the G-33).
    Partial {
        /// Members listed.
        listed: usize,
    },
}

/// The ids of a shipped list with the given status, sorted.
fn rows_of<'a>(coalition: &'a str, status: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    COALITIONS_CSV.lines().skip(1).filter_map(move |line| {
        let mut f = line.splitn(4, ',');
        let (c, id, st) = (f.next()?, f.next()?, f.next()?);
        (c == coalition && st == status).then_some(id)
    })
}

/// A shipped list by id (module doc), limited to the Members of `roll`
/// that speak for themselves, sorted by id: `cairns`, `ldc`,
/// `african-group`, `acp`, `g90`, `g20`. `g33` is partial and refused.
pub fn shipped(id: &str, roll: &Membership) -> Result<Vec<MemberId>, NotShipped> {
    let ids: Vec<&str> = match id {
        "cairns" => CAIRNS_GROUP.to_vec(),
        "ldc" => {
            return Ok(roll
                .members()
                .iter()
                .filter(|m| m.development == Development::LeastDeveloped)
                .filter(|m| !roll.is_represented(m.id.as_str()))
                .map(|m| m.id.clone())
                .collect());
        }
        "g90" => ["african-group", "acp", "ldc-wto"]
            .iter()
            .flat_map(|c| rows_of(c, "listed"))
            .collect(),
        "african-group" | "acp" | "g20" => rows_of(id, "listed").collect(),
        "g33" => {
            return Err(NotShipped::Partial {
                listed: rows_of(id, "partial").count(),
            });
        }
        _ => return Err(NotShipped::Unknown),
    };
    let mut out: Vec<MemberId> = ids
        .into_iter()
        .filter(|id| !roll.is_represented(id))
        .filter_map(|id| roll.get(id).map(|m| m.id.clone()))
        .collect();
    out.sort();
    out.dedup();
    Ok(out)
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
            bloc: None,
        });
    }
    if !ldc.is_empty() {
        out.push(Coalition {
            id: "ldc".into(),
            name: "LDC Group".into(),
            members: ldc,
            coordinator: present("DJI"),
            bloc: None,
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

    /// The shipped lists, against the dataset (sources in the module doc
    /// and `data/README.md`): every id is a dataset Member; the African
    /// Group has 43 WTO Members and the ACP 61 (24 July 2015), the WTO's
    /// LDC page 35; the G-90 is their union, 72; the G-20 the 22 agreed
    /// Members, without the disputed Zimbabwe and Türkiye; the G-33 is
    /// refused as partial.
    #[test]
    fn shipped_lists_against_the_dataset() {
        let roll = dataset::wto().expect("dataset");
        for line in COALITIONS_CSV.lines().skip(1) {
            let id = line.split(',').nth(1).expect("iso3");
            assert!(roll.get(id).is_some(), "{id} is not in the dataset");
        }
        let n = |id: &str| shipped(id, &roll).map(|m| m.len());
        assert_eq!(n("african-group"), Ok(43));
        assert_eq!(n("acp"), Ok(61));
        assert_eq!(rows_of("ldc-wto", "listed").count(), 35);
        assert_eq!(n("g90"), Ok(72));
        assert_eq!(n("g20"), Ok(22));
        let g20 = shipped("g20", &roll).expect("g20");
        assert!(
            !g20.iter()
                .any(|m| m.as_str() == "ZWE" || m.as_str() == "TUR")
        );
        assert_eq!(
            rows_of("g20", "disputed").collect::<Vec<_>>(),
            ["ZWE", "TUR"]
        );
        assert_eq!(n("g33"), Err(NotShipped::Partial { listed: 10 }));
        assert_eq!(n("g77"), Err(NotShipped::Unknown));
        assert_eq!(n("cairns"), Ok(20));
        assert_eq!(n("ldc"), Ok(37));
    }
}
