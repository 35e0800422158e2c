//! A delegation: the state machine of one Member's node.
//!
//! It holds the Member's private instructions and, per item, the
//! [`Strategy`] built from them (or drawn from the seed when the scenario
//! leaves the item to it). It answers the Secretariat's calls from what the
//! call says: the item, the round, the text, the rule. It never sees another
//! delegation's instructions, only what is in the record.

use crate::member::MemberId;
use crate::protocol::{Answer, Call, CallKind};
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
        }) => Box::new(IdealPoint::drawn(
            seed, item, member, ideal, tolerance, concession,
        )),
        None => Box::new(IdealPoint::drawn(seed, item, member, None, None, None)),
    }
}

/// One delegation (module doc).
#[derive(Debug)]
pub struct Delegation {
    id: MemberId,
    seed: u64,
    instructions: Instructions,
    /// Per item, in the order first asked (a short list: a linear search
    /// beats hashing the item id on every call).
    strategies: Vec<(String, Box<dyn Strategy>)>,
}

impl Delegation {
    /// A delegation with its instructions and the run's seed.
    pub fn new(id: MemberId, seed: u64, instructions: Instructions) -> Self {
        Self {
            id,
            seed,
            instructions,
            strategies: Vec::new(),
        }
    }

    /// Its member id.
    pub fn id(&self) -> &MemberId {
        &self.id
    }

    /// Replaces the strategy for one item (a teaching extension's hook).
    pub fn set_strategy(&mut self, item: &str, strategy: Box<dyn Strategy>) {
        match self.strategies.iter_mut().find(|(i, _)| i == item) {
            Some(slot) => slot.1 = strategy,
            None => self.strategies.push((item.to_owned(), strategy)),
        }
    }

    /// Its answer to a call, or `None` if the call does not ask it.
    pub fn answer(&mut self, call: &Call) -> Option<Answer> {
        if call.awaited.binary_search(&self.id).is_err() {
            return None;
        }
        if let Some(texts) = &call.package {
            // The whole package: it objects if it objects to any item's text.
            let mut objects = false;
            for t in texts {
                let view = ItemView {
                    item: &t.item,
                    round: t.round,
                    rule: call.rule,
                };
                let s = self.strategy(&t.item);
                objects |= s.objects(&view, t.text);
            }
            return Some(Answer::Objection(objects));
        }
        let key = call.subject.key();
        let view = ItemView {
            item: &key,
            round: call.round,
            rule: call.rule,
        };
        let text = call.text.unwrap_or(5_000);
        let on_accession = call.subject.applicant().is_some();
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
            CallKind::Signatures => Answer::Signature(strategy.sign(&view, text)),
            CallKind::Reactions => Answer::Reaction(strategy.react(&view, text)),
            CallKind::Objections | CallKind::WrittenObjections | CallKind::PackageObjections => {
                Answer::Objection(strategy.objects(&view, text))
            }
            CallKind::Votes => Answer::Vote(strategy.vote(&view, text)),
            CallKind::Join => Answer::Join(strategy.joins(&view, call.text)),
            CallKind::Annex4Objections => Answer::Objection(strategy.objects_to_others(&view)),
            CallKind::BilateralOffer => Answer::Offer(strategy.offer(&view)),
            CallKind::BilateralResponse => Answer::Accept(strategy.accepts_offer(&view, text)),
        })
    }

    /// Its strategy for an item, made from its instructions on first use.
    fn strategy(&mut self, item: &str) -> &mut Box<dyn Strategy> {
        let (seed, id) = (self.seed, self.id.as_str());
        let spec = self.instructions.get(item).copied();
        let k = match self.strategies.iter().position(|(i, _)| i == item) {
            Some(k) => k,
            None => {
                let s = strategy_for(spec, seed, item, id);
                self.strategies.push((item.to_owned(), s));
                self.strategies.len() - 1
            }
        };
        &mut self.strategies[k].1
    }
}
