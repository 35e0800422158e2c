//! Members, delegations and the membership roll.
//!
//! A *Member* of the WTO is a State or separate customs territory (Marrakesh
//! Agreement Art. XII:1) or the European Union (Art. XI:1, XIV:1). A
//! *delegation* is who speaks for a Member at a meeting. The EU and its 27
//! member States are all Members, but in negotiations the States are
//! represented by the EU: they follow it and take no positions of their own.
//! Their presence follows the EU's (they are present when the EU delegation
//! is), and when the EU votes it casts as many votes as its member States
//! that are Members, and the States then do not vote (Art. IX:1: "Where the
//! European Communities exercise their right to vote, they shall have a
//! number of votes equal to the number of their member States which are
//! Members of the WTO").
//!
//! Caveats, listed rather than hidden:
//! - If a scenario keeps the EU but none of its member States, Art. IX:1 would
//!   give the EU no vote at all. rappard then gives the EU one vote, so that a
//!   small classroom scenario with the EU in it still works; the minutes say
//!   how many votes the EU holds.
//! - The votes all Members hold together ([`Membership::total_votes`]) are
//!   each Member one, the EU as many as its States and the States none: with
//!   the EU and all 27 States, 165 for 166 Members. The base of "two-thirds"
//!   and "three-fourths of the Members" (Art. IX:2–3, X:1, XII:2) is not
//!   that sum but the number of Members, the EU counted as one (111 and 125
//!   of 166), as the WTO counted the acceptances of the Agreement on
//!   Fisheries Subsidies. See `rules::vote`.
//!
//! Ties anywhere in rappard are broken by member id: the roll keeps Members
//! sorted by id, so an index order is an id order.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::sessions::OfficeHours;

/// The id of the European Union in the dataset and in scenarios.
pub const EU: &str = "EU";

/// A Member's id: ISO 3166-1 alpha-3 for States and customs territories
/// (`BRA`, `TWN`, `HKG`), `EU` for the European Union, or any id a scenario
/// gives to a Member it adds.
///
/// It is shared, not copied: cloning an id (as every event that names a
/// Member does) only counts a reference.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MemberId(Arc<str>);

impl MemberId {
    /// Makes an id, checking its form: 1 to 16 ASCII letters, digits, `-` or
    /// `_`.
    pub fn new(id: &str) -> Result<Self, String> {
        let ok = !id.is_empty()
            && id.len() <= 16
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(Arc::from(id)))
        } else {
            Err(format!(
                "`{id}` is not a member id (1 to 16 ASCII letters, digits, `-` or `_`)"
            ))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MemberId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for MemberId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Development status. The WTO has no definition: Members self-declare; the
/// dataset uses the UN LDC list and UNCTAD's developing economies (see
/// `data/README.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Development {
    /// Listed as developed (or not in UNCTAD's developing list).
    Developed,
    /// Developing economy.
    Developing,
    /// On the UN list of least-developed countries.
    LeastDeveloped,
}

impl Development {
    /// Parses `developed`, `developing` or `least-developed`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "developed" => Some(Self::Developed),
            "developing" => Some(Self::Developing),
            "least-developed" => Some(Self::LeastDeveloped),
            _ => None,
        }
    }

    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Developed => "developed",
            Self::Developing => "developing",
            Self::LeastDeveloped => "least-developed",
        }
    }
}

/// A share of world merchandise exports, in units of 0.0001 percent (the
/// precision of the dataset: `30.7159` % is `307159`). Integers keep every
/// sum exact and every run identical on every machine.
pub type ExportShare = u32;

/// One Member of the negotiation, with what the Secretariat knows of it
/// publicly. Its instructions (what it wants) are not here: they live with
/// its delegation.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    /// The Member's id.
    pub id: MemberId,
    /// Its name as the WTO spells it.
    pub name: String,
    /// Date it became a Member (ISO 8601), when known.
    pub membership_date: Option<String>,
    /// Continental region.
    pub region: String,
    /// Development status.
    pub development: Development,
    /// The IANA time zone of its capital.
    pub time_zone: Tz,
    /// Its local office hours, in the zone where its delegation sits.
    pub office_hours: OfficeHours,
    /// 2019 share of world merchandise exports, if known.
    pub export_share: Option<ExportShare>,
    /// Whether it is a member State of the EU.
    pub eu_member_state: bool,
}

/// The Members of a negotiation, sorted by id, with the EU's representation
/// of its member States worked out once.
#[derive(Clone, Debug)]
pub struct Membership {
    members: Vec<Member>,
    index: HashMap<MemberId, usize>,
    represented_by_eu: Vec<bool>,
    has_eu: bool,
    eu_votes: u32,
}

impl Membership {
    /// Builds the roll from Members in any order. Duplicate ids are the
    /// caller's error: the last one wins here, so callers check first.
    pub fn new(mut members: Vec<Member>) -> Self {
        members.sort_by(|a, b| a.id.cmp(&b.id));
        members.dedup_by(|a, b| a.id == b.id);
        let index = members
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id.clone(), i))
            .collect::<HashMap<_, _>>();
        let has_eu = index.contains_key(EU);
        let represented_by_eu: Vec<bool> = members
            .iter()
            .map(|m| has_eu && m.eu_member_state)
            .collect();
        let states = represented_by_eu.iter().filter(|r| **r).count() as u32;
        Self {
            members,
            index,
            represented_by_eu,
            has_eu,
            eu_votes: states.max(1),
        }
    }

    /// All Members, sorted by id.
    pub fn members(&self) -> &[Member] {
        &self.members
    }

    /// Every Member's id, sorted (the EU's member States among them): who
    /// is present at a meeting of all Members.
    pub fn ids(&self) -> impl Iterator<Item = MemberId> + '_ {
        self.members.iter().map(|m| m.id.clone())
    }

    /// Number of Members.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether there are no Members.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The Member with this id.
    pub fn get(&self, id: &str) -> Option<&Member> {
        self.index.get(id).map(|&i| &self.members[i])
    }

    /// The position of a Member in the roll (an id order).
    pub fn position(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// Whether the Member at roll position `i` is represented by the EU (an
    /// EU member State while the EU is in the negotiation).
    pub fn is_represented_at(&self, i: usize) -> bool {
        self.represented_by_eu[i]
    }

    /// Whether this Member is represented by the EU.
    pub fn is_represented(&self, id: &str) -> bool {
        self.position(id).is_some_and(|i| self.represented_by_eu[i])
    }

    /// The delegations: the Members that speak for themselves, in id order.
    pub fn delegations(&self) -> impl Iterator<Item = &Member> {
        self.members
            .iter()
            .zip(&self.represented_by_eu)
            .filter(|(_, r)| !**r)
            .map(|(m, _)| m)
    }

    /// Number of delegations.
    pub fn delegation_count(&self) -> usize {
        self.represented_by_eu.iter().filter(|r| !**r).count()
    }

    /// How many Members a delegation stands for at a meeting: the EU 1 + its
    /// member States in the negotiation, everyone else 1.
    pub fn members_represented(&self, id: &str) -> u32 {
        if self.has_eu && id == EU {
            1 + self.represented_by_eu.iter().filter(|r| **r).count() as u32
        } else {
            1
        }
    }

    /// The votes a delegation casts (Art. IX:1): the EU as many as its member
    /// States that are Members (at least one, see the module caveat), every
    /// other delegation one.
    pub fn votes_of(&self, id: &str) -> u32 {
        if self.has_eu && id == EU {
            self.eu_votes
        } else {
            1
        }
    }

    /// All the votes the Members hold together: the base of
    /// "two-thirds/three-fourths of the Members".
    pub fn total_votes(&self) -> u32 {
        self.delegations()
            .map(|m| self.votes_of(m.id.as_str()))
            .sum()
    }
}

impl std::borrow::Borrow<str> for MemberId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset;

    /// Art. IX:1: the EU votes with as many votes as its member States that
    /// are Members, and they then do not vote; 166 Members hold 165 votes
    /// (the base of a two-thirds vote is the 166 Members, not the votes).
    #[test]
    fn eu_votes_for_its_states_and_they_are_not_delegations() {
        let roll = dataset::wto().expect("dataset loads");
        assert_eq!(roll.len(), 166);
        assert_eq!(roll.votes_of(EU), 27);
        assert!(roll.is_represented("DEU"));
        assert!(!roll.is_represented("USA"));
        assert_eq!(roll.delegation_count(), 166 - 27);
        assert_eq!(roll.total_votes(), 165);
        assert_eq!(roll.members_represented(EU), 28);
    }

    /// Without the EU in the negotiation its States speak for themselves.
    #[test]
    fn without_the_eu_its_states_are_delegations() {
        let roll = dataset::wto().expect("dataset loads");
        let members: Vec<Member> = roll
            .members()
            .iter()
            .filter(|m| m.id.as_str() != EU)
            .cloned()
            .collect();
        let roll = Membership::new(members);
        assert!(!roll.is_represented("DEU"));
        assert_eq!(roll.delegation_count(), 165);
        assert_eq!(roll.votes_of("DEU"), 1);
        assert_eq!(roll.total_votes(), 165);
    }

    #[test]
    fn member_ids_are_checked() {
        assert!(MemberId::new("BRA").is_ok());
        assert!(MemberId::new("").is_err());
        assert!(MemberId::new("B R A").is_err());
    }
}
