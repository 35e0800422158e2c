//! Two forces on a Member's objection beyond its own view of the text:
//! pressure from the Members that support it ("voting in the shadow") and
//! a hold-out that links one item to another.
//!
//! **Voting in the shadow.** Li Ke ("Stagnation and Breakthrough of WTO
//! Multilateral Trade Negotiations", Journal of Hubei University of
//! Economics 21(5), 2023, §2.1.1, the second defect of consensus decision
//! making, and note 6) argues that consensus hides the weight of the large
//! traders: a weak trading nation may in principle block what they agreed,
//! but for fear of deterrence and of larger economic losses it accepts,
//! even with misgivings; the paper calls this "voting in the shadow"
//! (不诉诸投票表决而利用多数国的压力影响其他谈判方的行为选择), and the
//! consensus so reached a possibly false agreement (虚伪的合意). The model:
//! at a decision meeting, a Member that would formally object, that
//! objected to the text in the last round alone or with few others (at most
//! `max_objectors`, itself included), and whose trade depends on the
//! Members that supported the text at least to `threshold`, downgrades its
//! objection to a reservation ([`Shadow::yields`]). **Dependence is a
//! proxy** unless the scenario gives it: rappard ships no bilateral trade
//! table, only each Member's 2019 share of world merchandise exports, so
//! the proxy is the supporters' combined share of world exports outside
//! the Member itself ([`dependence_proxy`]): how much of the market it
//! could sell to lies with them. It is not a measure of any Member's real
//! trade with them. The thresholds are **modelling assumptions**, with the
//! defaults of `scenario` (`[pressure]`), off unless a scenario turns them
//! on.
//!
//! **Issue linkage.** A Member may hold one item hostage to another: it
//! objects to item A until item B has been adopted at a level at least its
//! own ([`Shadow::holds_out`]). The episode: at the General Council of July
//! 2014 India withheld its consent to the Protocol of Amendment inserting
//! the Trade Facilitation Agreement into Annex 1A, linking it to a
//! permanent solution on public stockholding for food security purposes,
//! and the 31 July 2014 deadline of the Bali decision (WT/MIN(13)/36) was
//! missed; after the General Council's decision on public stockholding of
//! 27 November 2014 (WT/L/939), the Protocol was adopted the same day
//! (WT/L/940). Li Ke 2023 names the Trade Facilitation Agreement among the
//! few outcomes of the period (§1.1, note 1) and the growing entanglement
//! of trade issues with national power (§2.2.2), but does not discuss this
//! episode.
//!
//! Both are decided by the delegation (`delegation`), in-process and on a
//! member node alike, from what the Secretariat's call carries
//! ([`Shadow`]): the last round's objectors and their dependence, the
//! thresholds, and the linkages declared on the item with the linked
//! items' adopted levels. All of it is public: reactions, export shares
//! and decisions are in the record, and a linkage is declared in it
//! (`linkage-declared`). What stays private is whether the Member would
//! object at all.

use serde::{Deserialize, Serialize};

use crate::member::{ExportShare, MemberId};
use crate::protocol::Level;

/// Basis points: 10,000 is the whole.
pub const WHOLE: u16 = 10_000;

/// A share of world exports in the dataset's units (0.0001 %) that makes
/// the whole.
const WORLD: u64 = 1_000_000;

/// The supporters named in an `objection-withdrawn` event: the largest
/// exporters among them, at most this many.
pub const NAMED_SUPPORTERS: usize = 5;

/// A linkage declared on an item, as a call carries it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    /// The Member that holds the item.
    pub member: MemberId,
    /// The item it waits for.
    pub until: String,
    /// The level that item must be adopted at, at least.
    pub level: Level,
    /// The text that item was adopted (or agreed) at, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adopted: Option<Level>,
}

impl Hold {
    /// Whether the linked item reached the level.
    pub fn satisfied(&self) -> bool {
        self.adopted.is_some_and(|t| t >= self.level)
    }
}

/// What a call tells the delegations of the pressure on an item (module
/// doc). Carried only when a scenario turns a force on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shadow {
    /// The Members that objected to the text in the last round, in id
    /// order, each with its dependence on the supporters, in basis points.
    /// Empty without `[pressure] shadow`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objectors: Vec<(MemberId, u16)>,
    /// The largest exporters among the supporters of the last round
    /// (at most [`NAMED_SUPPORTERS`], by export share, ties by id).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supporters: Vec<MemberId>,
    /// The most objectors, itself included, under which a Member yields.
    #[serde(default)]
    pub max_objectors: u32,
    /// The dependence, in basis points, at or above which it yields.
    #[serde(default)]
    pub threshold: u16,
    /// Linkages declared on the item.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holds: Vec<Hold>,
}

impl Shadow {
    /// Whether `member`, if it would object, downgrades its objection to a
    /// reservation; its dependence if so. It must have objected in the last
    /// round, with no more than `max_objectors` objectors in all, and
    /// depend on the supporters at least to `threshold`.
    pub fn yields(&self, member: &MemberId) -> Option<u16> {
        if self.objectors.len() > self.max_objectors as usize {
            return None;
        }
        let (_, dependence) = self.objectors.iter().find(|(m, _)| m == member)?;
        (*dependence >= self.threshold).then_some(*dependence)
    }

    /// Whether `member` holds the item: it declared a linkage on it that is
    /// not yet satisfied.
    pub fn holds_out(&self, member: &MemberId) -> bool {
        self.holds
            .iter()
            .any(|h| &h.member == member && !h.satisfied())
    }
}

/// The proxy for a Member's dependence on the supporters (module doc):
/// their combined share of world exports over the share outside the Member
/// itself, in basis points, at most the whole.
pub fn dependence_proxy(supporters: ExportShare, own: ExportShare) -> u16 {
    let outside = WORLD.saturating_sub(u64::from(own)).max(1);
    let bp = u64::from(supporters) * u64::from(WHOLE) / outside;
    bp.min(u64::from(WHOLE)) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> MemberId {
        MemberId::new(s).expect("id")
    }

    fn shadow(objectors: &[(&str, u16)]) -> Shadow {
        Shadow {
            objectors: objectors.iter().map(|(m, d)| (id(m), *d)).collect(),
            supporters: vec![id("USA")],
            max_objectors: 1,
            threshold: 5_000,
            holds: Vec::new(),
        }
    }

    #[test]
    fn a_lone_dependent_objector_yields() {
        assert_eq!(shadow(&[("KEN", 6_000)]).yields(&id("KEN")), Some(6_000));
        assert_eq!(shadow(&[("KEN", 5_000)]).yields(&id("KEN")), Some(5_000));
        // Not dependent enough, not an objector, or not alone.
        assert_eq!(shadow(&[("KEN", 4_999)]).yields(&id("KEN")), None);
        assert_eq!(shadow(&[("KEN", 6_000)]).yields(&id("EGY")), None);
        let two = shadow(&[("EGY", 9_000), ("KEN", 9_000)]);
        assert_eq!(two.yields(&id("KEN")), None);
    }

    #[test]
    fn a_hold_lifts_when_the_linked_item_reaches_its_level() {
        let mut s = shadow(&[]);
        s.holds.push(Hold {
            member: id("IND"),
            until: "food".into(),
            level: 6_000,
            adopted: None,
        });
        assert!(s.holds_out(&id("IND")));
        assert!(!s.holds_out(&id("USA")));
        s.holds[0].adopted = Some(5_999);
        assert!(s.holds_out(&id("IND")));
        s.holds[0].adopted = Some(6_000);
        assert!(!s.holds_out(&id("IND")));
    }

    #[test]
    fn the_proxy_is_the_supporters_share_outside_the_member() {
        // Supporters with 40 % of world exports, the Member 0.1 %.
        assert_eq!(dependence_proxy(400_000, 1_000), 4_004);
        assert_eq!(dependence_proxy(0, 0), 0);
        assert_eq!(dependence_proxy(1_000_000, 500_000), WHOLE);
    }
}
