//! A delegation: the state machine of one Member's node.
//!
//! It holds the Member's private instructions and, per item, the
//! [`Strategy`] built from them (or drawn from the seed when the scenario
//! leaves the item to it). It answers the Secretariat's calls from what the
//! call says: the item, the round, the text, the rule. It never sees another
//! delegation's instructions, only what is in the record.
//!
//! On the network, an applicant makes its bilateral offers to Working Party
//! members directly ([`Delegation::hear_offer`]); each remembers what it
//! heard and answered, and answers the Secretariat's `BilateralResponse`
//! call from that ([`Delegation::answer_after_talks`]).

use std::collections::BTreeMap;

use crate::member::MemberId;
use crate::protocol::{Answer, Call, CallKind, PackageText, Reaction, Subject, Vote};
use crate::rules::Rule;
use crate::scenario::{Instructions, PositionSpec};
use crate::strategy::{FixedStance, IdealPoint, ItemView, Strategy};

/// The strategy a position spec calls for, for one member and item.
pub fn strategy_for(
    spec: Option<PositionSpec>,
    seed: u64,
    item: &str,
    member: &str,
) -> Box<dyn Strategy> {
    match spec {
        Some(PositionSpec::Stance(s)) => Box::new(FixedStance(s)),
        Some(PositionSpec::IdealPoint {
            ideal,
            tolerance,
            concession,
            ..
        }) => Box::new(IdealPoint::drawn(
            seed, item, member, ideal, tolerance, concession,
        )),
        None => Box::new(IdealPoint::drawn(seed, item, member, None, None, None)),
    }
}

/// How many items a delegation's strategies are searched as a list
/// before it keeps a map of them (`Delegation::strategy`).
const INDEXED_FROM: usize = 16;

/// One delegation (module doc).
#[derive(Debug)]
pub struct Delegation {
    id: MemberId,
    seed: u64,
    instructions: Instructions,
    /// Per item, in the order first asked.
    strategies: Vec<(String, Box<dyn Strategy>)>,
    /// The place of each item's strategy in `strategies`, kept once there
    /// are [`INDEXED_FROM`] of them: an item is looked up at every answer,
    /// and with hundreds of items a search of the list made a run grow
    /// with the square of the items. Below that, the list's search is
    /// cheaper than a map per delegation (10,000 delegations).
    strategy_of: BTreeMap<String, usize>,
    /// Offers heard directly from applicants, by (applicant, round): the
    /// offer and the answer given.
    heard: BTreeMap<(MemberId, u32), (u16, bool)>,
    /// The outside option its RTAs give it on multilateral items
    /// ([`crate::rta`]), if any.
    outside: Option<crate::rta::OutsideOption>,
}

impl Delegation {
    /// A delegation with its instructions and the run's seed.
    pub fn new(id: MemberId, seed: u64, instructions: Instructions) -> Self {
        Self {
            id,
            seed,
            instructions,
            strategies: Vec::new(),
            strategy_of: BTreeMap::new(),
            heard: BTreeMap::new(),
            outside: None,
        }
    }

    /// The same delegation with the outside option its RTAs give it
    /// ([`crate::rta`]; `None` leaves it as it is).
    pub fn with_outside_option(mut self, outside: Option<crate::rta::OutsideOption>) -> Self {
        self.outside = outside;
        self
    }

    /// Its member id.
    pub fn id(&self) -> &MemberId {
        &self.id
    }

    /// Replaces the strategy for one item (a teaching extension's hook).
    pub fn set_strategy(&mut self, item: &str, strategy: Box<dyn Strategy>) {
        match self.strategy_index(item) {
            Some(k) => self.strategies[k].1 = strategy,
            None => {
                self.push_strategy(item, strategy);
            }
        }
    }

    /// Its answer to a call, or `None` if the call does not ask it. Under a
    /// political shock the call names its pressure (`crate::shock`): it
    /// answers with its tolerance narrowed, and a rival in a trade war
    /// objects to what the other supported.
    pub fn answer(&mut self, call: &Call) -> Option<Answer> {
        let Some(p) = call.pressures.iter().find(|p| p.member == self.id) else {
            return self.answer_unpressed(call);
        };
        let key = call.subject.key();
        let pressed = match call.package {
            Some(_) => None,
            None => self
                .strategy(&key)
                .under_pressure(p.tolerance, p.concession_stopped),
        };
        let kept = pressed.map(|s| std::mem::replace(self.strategy(&key), s));
        let answer = self.answer_unpressed(call);
        if let Some(s) = kept {
            *self.strategy(&key) = s;
        }
        answer.map(|a| crate::shock::overlay(p, call.kind, a))
    }

    /// Its answer to a call, under no pressure.
    fn answer_unpressed(&mut self, call: &Call) -> Option<Answer> {
        if call.awaited.binary_search(&self.id).is_err() {
            return None;
        }
        if let Some(texts) = &call.package {
            return Some(Answer::Objection(self.objects_to_package(call, texts)));
        }
        let key = call.subject.key();
        let view = ItemView {
            item: &key,
            round: call.round,
            rule: call.rule,
            widening: call
                .flexibility
                .as_ref()
                .map_or(0, |f| f.widening_for(&self.id)),
        };
        let text = call.text.unwrap_or(5_000);
        let on_accession = call.subject.applicant().is_some();
        // Issue linkage and pressure (`pressure`), from what the call says.
        let holds = call.shadow.as_ref().is_some_and(|s| s.holds_out(&self.id));
        let yields = call.shadow.as_ref().and_then(|s| s.yields(&self.id));
        let strategy = self.strategy(&key);
        if on_accession {
            match call.kind {
                CallKind::Objections => {
                    return Some(Answer::Objection(strategy.objects_to_others(&view)));
                }
                CallKind::Votes => return Some(Answer::Vote(strategy.vote_on_accession(&view))),
                _ => {}
            }
        }
        Some(match call.kind {
            CallKind::Positions => Answer::Position(strategy.position(&view, call.text)),
            // A co-chair signing by the Members' median acts for the group,
            // not its capital (`drafting::CoChairSigning`).
            CallKind::Signatures => Answer::Signature(match call.reference {
                Some(median) => crate::drafting::signs_by_median(text, median),
                None => strategy.sign(&view, text),
            }),
            CallKind::Reactions if holds => Answer::Reaction(Reaction::Object),
            CallKind::Reactions => Answer::Reaction(strategy.react(&view, text)),
            CallKind::Objections | CallKind::WrittenObjections | CallKind::PackageObjections => {
                let objects = holds || strategy.objects(&view, text);
                if objects && !holds && call.kind == CallKind::Objections && yields.is_some() {
                    Answer::Reservation
                } else {
                    Answer::Objection(objects)
                }
            }
            CallKind::Votes if holds => Answer::Vote(Vote::No),
            CallKind::Votes => Answer::Vote(strategy.vote(&view, text)),
            CallKind::Join => Answer::Join(strategy.joins(&view, call.text)),
            CallKind::Annex4Objections | CallKind::CertificationObjections => {
                Answer::Objection(strategy.objects_to_others(&view))
            }
            CallKind::BilateralOffer => Answer::Offer(strategy.offer(&view)),
            CallKind::BilateralResponse => Answer::Accept(strategy.accepts_offer(&view, text)),
            CallKind::Confessional => Answer::Confessional(strategy.acceptable(&view)),
        })
    }

    /// Whether it objects to a package. The whole package of a single
    /// undertaking (a `PackageObjections` call): if it objects to any
    /// item's text. A package of items linked by the Director-General (an
    /// `Objections` call carrying the texts): unless the items' weighted
    /// slack makes up its losses ([`crate::package_deal`]).
    fn objects_to_package(&mut self, call: &Call, texts: &[PackageText]) -> bool {
        let mut objects = false;
        let mut terms = Vec::with_capacity(texts.len());
        for t in texts {
            let view = ItemView {
                item: &t.item,
                round: t.round,
                rule: call.rule,
                widening: 0,
            };
            let importance = match self.instructions.get(&t.item) {
                Some(PositionSpec::IdealPoint {
                    importance: Some(w),
                    ..
                }) => *w,
                _ => crate::package_deal::DEFAULT_IMPORTANCE,
            };
            let s = self.strategy(&t.item);
            if call.kind == CallKind::PackageObjections {
                objects |= s.objects(&view, t.text);
            } else {
                let slack = s.slack(&view, t.text);
                terms.push(crate::package_deal::Term { slack, importance });
            }
        }
        objects
            || (call.kind != CallKind::PackageObjections && !crate::package_deal::accepts(&terms))
    }

    /// As a Working Party member: an applicant's offer in a bilateral round,
    /// heard directly from the applicant. It decides with its strategy for
    /// the accession, as it would answer the Secretariat's
    /// `BilateralResponse` call naming that offer, and remembers the offer
    /// and its answer (a later offer in the same round replaces it).
    pub fn hear_offer(&mut self, applicant: &MemberId, round: u32, offer: u16) -> bool {
        let item = Subject::Accession(applicant.clone()).key().into_owned();
        let view = ItemView {
            item: &item,
            round,
            rule: Rule::Consensus,
            widening: 0,
        };
        let accept = self.strategy(&item).accepts_offer(&view, offer);
        self.heard
            .insert((applicant.clone(), round), (offer, accept));
        accept
    }

    /// Its answer to a call after direct talks: a `BilateralResponse` call
    /// is answered as the delegation answered the applicant in the talk
    /// ([`Self::hear_offer`]); an offer it never heard from the applicant,
    /// or not the one the call names, makes no deal. Every other call is
    /// answered as by [`Self::answer`]. `None` if the call does not ask it.
    pub fn answer_after_talks(&mut self, call: &Call) -> Option<Answer> {
        if call.kind != CallKind::BilateralResponse {
            return self.answer(call);
        }
        if call.awaited.binary_search(&self.id).is_err() {
            return None;
        }
        let heard = call
            .subject
            .applicant()
            .and_then(|a| self.heard.get(&(a.clone(), call.round)).copied());
        Some(Answer::Accept(
            matches!(heard, Some((offer, true)) if Some(offer) == call.text),
        ))
    }

    /// Its strategy for an item, made from its instructions on first use.
    fn strategy(&mut self, item: &str) -> &mut Box<dyn Strategy> {
        let (seed, id) = (self.seed, self.id.as_str());
        let spec = self.instructions.get(item).copied();
        let k = match self.strategy_index(item) {
            Some(k) => k,
            None => {
                let s = match self.outside.as_ref().filter(|o| o.applies_to(item)) {
                    Some(o) => o.strategy(spec, seed, item, id),
                    None => strategy_for(spec, seed, item, id),
                };
                self.push_strategy(item, s)
            }
        };
        &mut self.strategies[k].1
    }

    /// Where the strategy for `item` is in `strategies`, if it has one.
    fn strategy_index(&self, item: &str) -> Option<usize> {
        if self.strategies.len() < INDEXED_FROM {
            self.strategies.iter().position(|(i, _)| i == item)
        } else {
            self.strategy_of.get(item).copied()
        }
    }

    /// Adds the strategy for a new item; returns its place.
    fn push_strategy(&mut self, item: &str, strategy: Box<dyn Strategy>) -> usize {
        let k = self.strategies.len();
        self.strategies.push((item.to_owned(), strategy));
        if self.strategies.len() == INDEXED_FROM {
            self.strategy_of = (self.strategies.iter().enumerate())
                .map(|(k, (i, _))| (i.clone(), k))
                .collect();
        } else if self.strategies.len() > INDEXED_FROM {
            self.strategy_of.insert(item.to_owned(), k);
        }
        k
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> MemberId {
        MemberId::new(s).expect("a member id")
    }

    /// USA wants 6,000 of COM's market access, tolerates 500 short of it in
    /// round 1 and 500 more each round after.
    fn usa() -> Delegation {
        let spec = PositionSpec::IdealPoint {
            ideal: Some(6_000),
            tolerance: Some(500),
            concession: Some(500),
            importance: None,
        };
        let key = Subject::Accession(id("COM")).key().into_owned();
        let instructions = Instructions::from([(key, spec)]);
        Delegation::new(id("USA"), 7, instructions)
    }

    fn response(applicant: &str, round: u32, offer: u16, awaited: &[&str]) -> Call {
        Call {
            call: 40 + u64::from(round),
            subject: Subject::Accession(id(applicant)),
            kind: CallKind::BilateralResponse,
            round,
            version: round,
            text: Some(offer),
            rule: Rule::Consensus,
            awaited: awaited.iter().map(|m| id(m)).collect(),
            package: None,
            reference: None,
            flexibility: None,
            pressures: Vec::new(),
            shadow: None,
        }
    }

    /// With more items than `INDEXED_FROM`, each item still gets its own
    /// strategy, found again at every call (the map, not the list).
    #[test]
    fn many_items_keep_their_own_strategies() {
        use crate::protocol::Stance;
        let item = |k: usize| format!("item-{k:02}");
        let stance = |k: usize| match k % 2 {
            0 => Stance::Object,
            _ => Stance::Support,
        };
        let instructions = (0..3 * INDEXED_FROM)
            .map(|k| (item(k), PositionSpec::Stance(stance(k))))
            .collect();
        let mut d = Delegation::new(id("USA"), 7, instructions);
        for round in 1..=2 {
            for k in 0..3 * INDEXED_FROM {
                let mut c = response("COM", round, 5_000, &["USA"]);
                c.subject = Subject::Item(item(k));
                c.kind = CallKind::Objections;
                let objects = stance(k) == Stance::Object;
                assert_eq!(
                    d.answer(&c),
                    Some(Answer::Objection(objects)),
                    "{}",
                    item(k)
                );
            }
        }
        assert_eq!(d.strategies.len(), 3 * INDEXED_FROM);
        assert_eq!(d.strategy_of.len(), 3 * INDEXED_FROM);
    }

    /// Deciding on an offer heard directly is deciding on the Secretariat's
    /// call that names it: the network and the simulation agree.
    #[test]
    fn an_offer_heard_is_decided_as_the_call_would_be() {
        for (round, offer) in [(1, 5_400), (1, 5_500), (2, 5_000), (2, 4_900), (3, 0)] {
            let heard = usa().hear_offer(&id("COM"), round, offer);
            let asked = usa().answer(&response("COM", round, offer, &["USA"]));
            assert_eq!(Some(Answer::Accept(heard)), asked, "round {round}, {offer}");
        }
    }

    #[test]
    fn the_response_call_is_answered_as_in_the_talk() {
        let mut d = usa();
        assert!(d.hear_offer(&id("COM"), 1, 5_600));
        assert!(!d.hear_offer(&id("COM"), 2, 4_000));
        let answer = |d: &mut Delegation, applicant, round, offer| {
            d.answer_after_talks(&response(applicant, round, offer, &["BRA", "USA"]))
        };
        // Accepted in the talk, and the call names the offer heard: a deal.
        assert_eq!(answer(&mut d, "COM", 1, 5_600), Some(Answer::Accept(true)));
        // Refused in the talk: no deal, whatever the strategy would say now.
        assert_eq!(answer(&mut d, "COM", 2, 4_000), Some(Answer::Accept(false)));
        // Not the offer heard, an offer never heard, another applicant's.
        assert_eq!(answer(&mut d, "COM", 1, 9_000), Some(Answer::Accept(false)));
        assert_eq!(answer(&mut d, "COM", 3, 9_000), Some(Answer::Accept(false)));
        assert_eq!(answer(&mut d, "TLS", 1, 5_600), Some(Answer::Accept(false)));
        // A call that does not ask it.
        assert_eq!(
            d.answer_after_talks(&response("COM", 1, 5_600, &["BRA"])),
            None
        );
    }

    #[test]
    fn a_later_offer_in_the_same_round_replaces_the_first() {
        let mut d = usa();
        assert!(!d.hear_offer(&id("COM"), 1, 1_000));
        assert!(d.hear_offer(&id("COM"), 1, 5_800));
        assert_eq!(
            d.answer_after_talks(&response("COM", 1, 5_800, &["USA"])),
            Some(Answer::Accept(true))
        );
    }

    /// The same two texts: objected to as a single undertaking's package
    /// (one text is beyond its tolerance), accepted as a package of linked
    /// items, where its gain on the item it weighs twice makes up the loss
    /// (`crate::package_deal`); weighed once, it is not made up.
    #[test]
    fn a_linked_package_is_weighed_across_its_items() {
        let point = |ideal, importance| PositionSpec::IdealPoint {
            ideal: Some(ideal),
            tolerance: Some(1_000),
            concession: Some(0),
            importance,
        };
        let usa = |w| {
            let instructions = Instructions::from([
                ("agri".to_owned(), point(8_000, None)),
                ("nama".to_owned(), point(5_000, w)),
            ]);
            Delegation::new(id("USA"), 7, instructions)
        };
        let text = |item: &str| PackageText {
            item: item.to_owned(),
            version: 3,
            round: 4,
            text: 5_000,
        };
        let mut call = response("COM", 1, 0, &["USA"]);
        call.subject = Subject::Package;
        call.package = Some(vec![text("agri"), text("nama")]);
        call.kind = CallKind::PackageObjections;
        assert_eq!(usa(Some(2)).answer(&call), Some(Answer::Objection(true)));
        call.kind = CallKind::Objections;
        // agri: 1,000 − 3,000 = −2,000; nama: 1,000 × 2 = 2,000.
        assert_eq!(usa(Some(2)).answer(&call), Some(Answer::Objection(false)));
        assert_eq!(usa(None).answer(&call), Some(Answer::Objection(true)));
    }

    /// Every other call is answered as `answer` answers it.
    #[test]
    fn other_calls_are_answered_as_without_talks() {
        let mut call = response("COM", 1, 5_000, &["USA"]);
        call.kind = CallKind::Objections;
        assert_eq!(usa().answer_after_talks(&call), usa().answer(&call));
        call.kind = CallKind::Votes;
        assert_eq!(usa().answer_after_talks(&call), usa().answer(&call));
        call.subject = Subject::Item("agriculture".into());
        call.kind = CallKind::Positions;
        assert_eq!(usa().answer_after_talks(&call), usa().answer(&call));
    }
}
