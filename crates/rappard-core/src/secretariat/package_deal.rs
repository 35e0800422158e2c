//! The Director-General links two stalled items into a package
//! (`[secretariat] mode = "proactive"` with `link_after`).
//!
//! Li Ke, "Stagnation and Breakthrough of WTO Multilateral Trade
//! Negotiations", *Journal of Hubei University of Economics* 21(5), 2023,
//! finds the Director-General limited to "habitually announcing
//! postponements" (§2.1.3) and asks for a Secretariat that narrows
//! differences and bridges divides (§3.3, first point). A
//! Director-General's main tool across items is the package: DG Pascal
//! Lamy put a package on agriculture and industrial goods (NAMA) to
//! ministers at the mini-ministerial of 21–29 July 2008, which failed on
//! 29 July 2008 over the special safeguard mechanism for developing
//! countries' agriculture (WTO news of 21–30 July 2008); the "Bali package"
//! was adopted at the Ninth Ministerial Conference, 3–7 December 2013 (the
//! Bali Ministerial Declaration, WT/MIN(13)/DEC: the symbol as given to
//! us, not checked here); the "Geneva package" at the Twelfth, 12–17 June
//! 2022 (its outcome document WT/MIN(22)/24).
//!
//! - **When.** After a round that ends with objections, an item that has
//!   gone `link_after` rounds in a row without movement (objectors, and no
//!   fewer than the round before; confessionals do not reset the count) is
//!   linked with the first other item in agenda order in the same state.
//!   Both must be in consultation, have a chair's text, and be decided by
//!   plain consensus (no voting fallback, no named rule, no fixed meeting):
//!   items under other rules are never linked. Linking comes before the
//!   chair's withdrawal and the Director-General's confessionals on that
//!   item; a bridging proposal on the other item not yet put to a round is
//!   superseded by the package.
//! - **What.** The package is the two items' latest texts
//!   ([`Event::PackageLinked`]). It is put to decision at the next session
//!   as one call on the package (`Subject::Package`) that asks the Members
//!   present for formal objections ([`CallKind::Objections`]) and carries
//!   the two texts; a delegation weighs them together
//!   ([`crate::package_deal`]).
//! - **Decision.** Under the items' rule, consensus (Marrakesh Agreement
//!   Art. IX:1 and footnote 1): any objection to the package blocks both
//!   items, as in July 2008; without one both are adopted
//!   ([`Event::LinkedPackageDecided`], then a decision on each item, each
//!   naming the package's objectors).
//!
//! **Modelling assumptions**, named as such: a package links two items,
//! never more; `link_after` is off by default (no package: the proactive
//! Secretariat of before); the texts are not renegotiated once linked; the
//! cross-item acceptance model of [`crate::package_deal`].

use super::items::Phase;
use super::{ClosedCall, Continuation, Secretariat, Work};
use crate::protocol::{CallKind, PackageText};
use crate::record::Event;
use crate::rules::Rule;
use crate::scenario::SecretariatMode;

/// A package of two linked items.
#[derive(Clone, Debug)]
pub(super) struct LinkedPackage {
    /// The items, in agenda order.
    items: [usize; 2],
    /// Still waiting for its decision.
    open: bool,
}

impl Secretariat {
    /// Whether `item` may be linked after `k` rounds without movement.
    fn linkable(&self, item: usize, k: u32) -> bool {
        let (spec, st) = (&self.agenda.items[item], &self.items[item]);
        st.phase == Phase::Consulting
            && st.stalled >= k
            && st.text.is_some()
            && st.announced_green_room.is_none()
            && !self.green_rooms.iter().any(|(i, _)| *i == item)
            && spec.rule == Rule::Consensus
            && spec.fallback.is_none()
            && spec.named.is_none()
            && spec.meeting.is_none()
    }

    /// After a round on `item` that ended with objections and left it in
    /// consultation: a proactive Director-General with `link_after` links
    /// it with another item stalled as long, if there is one. Returns
    /// whether it did.
    pub(super) fn link_on_stall(&mut self, item: usize) -> bool {
        let spec = self.agenda.secretariat;
        let in_session = self.meeting.as_ref().is_some_and(|m| m.session);
        let Some(k) = spec.link_after else {
            return false;
        };
        if spec.mode != SecretariatMode::Proactive || !in_session || !self.linkable(item, k) {
            return false;
        }
        let Some(other) = (0..self.items.len()).find(|&j| j != item && self.linkable(j, k)) else {
            return false;
        };
        let items = [item.min(other), item.max(other)];
        let mut ids = Vec::with_capacity(2);
        let mut texts = Vec::with_capacity(2);
        let mut stalled = Vec::with_capacity(2);
        for i in items {
            let st = &mut self.items[i];
            st.phase = Phase::Linked;
            st.pending_text = None;
            texts.push(st.text.unwrap_or(0));
            stalled.push(st.stalled);
            ids.push(self.agenda.items[i].id.clone());
        }
        self.linked.push(LinkedPackage { items, open: true });
        self.emit(Event::PackageLinked {
            items: ids,
            texts,
            stalled,
        });
        true
    }

    /// The decisions on linked packages a session brings.
    pub(super) fn linked_work(&self) -> Vec<Work> {
        (0..self.linked.len())
            .filter(|&k| self.linked[k].open)
            .map(Work::DecideLinked)
            .collect()
    }

    /// The business a package's decision is, for `[capacity]`: its items.
    pub(super) fn linked_business(&self, k: usize) -> String {
        let ids: Vec<&str> = self.linked.get(k).map_or_else(Vec::new, |p| {
            p.items
                .iter()
                .map(|&i| self.agenda.items[i].id.as_str())
                .collect()
        });
        ids.join("+")
    }

    /// Puts a linked package to decision: formal objections of the Members
    /// present to both texts at once. Without a quorum it waits for the
    /// next session; if an item has left the package (the single
    /// undertaking failed), the package is dropped.
    pub(super) fn put_linked_to_decision(&mut self, k: usize) {
        let items = self.linked[k].items;
        if items.iter().any(|&i| self.items[i].phase != Phase::Linked) {
            self.linked[k].open = false;
            return;
        }
        if !self.quorum_for(self.linked_business(k)) {
            return;
        }
        let texts = items
            .iter()
            .map(|&i| {
                let st = &self.items[i];
                PackageText {
                    item: self.agenda.items[i].id.clone(),
                    version: st.version,
                    round: st.round + 1,
                    text: st.text.unwrap_or(0),
                }
            })
            .collect();
        let call = self.package_call(CallKind::Objections, texts);
        self.issue_call(call, Continuation::Linked { package: k });
    }

    /// The package is decided by consensus: any objection blocks both
    /// items; each item's decision is then recorded.
    pub(super) fn linked_package_decided(&mut self, k: usize, closed: ClosedCall) {
        let objectors = self.record_objections(closed.call, closed.answers);
        self.close_recorded(closed.call, closed.unanswered);
        self.linked[k].open = false;
        let items = self.linked[k].items;
        let d = self.apply_rule(Rule::Consensus, objectors.clone(), None);
        self.emit(Event::LinkedPackageDecided {
            items: items
                .iter()
                .map(|&i| self.agenda.items[i].id.clone())
                .collect(),
            outcome: d.outcome,
            objectors: objectors.clone(),
        });
        for i in items {
            let d = self.apply_rule(Rule::Consensus, objectors.clone(), None);
            self.decide(i, d, None);
        }
    }
}
