//! How a delegation decides: the [`Strategy`] trait and the strategies that
//! ship with rappard.
//!
//! A delegation's instructions are private to its node: the Secretariat only
//! ever sees what the delegation says (a stated position, a reaction to the
//! chair's text, a signature, a formal objection, a vote). A strategy turns
//! what the delegation sees in the record into what it says.
//!
//! The negotiated matter is modelled as one dimension, a *level* from 0 to
//! 10,000 (read it as the ambition of the text: 0 the least, 10,000 the
//! most). This is a modelling choice, the classic spatial model of
//! negotiation, not a claim about any real text.
//!
//! - [`IdealPoint`]: the delegation has an ideal level, a tolerance (how far
//!   from its ideal a text may be and still have its support) and a
//!   concession (how much the tolerance widens every round, as capitals
//!   loosen instructions). In round `r` (from 1) the tolerance is
//!   `tolerance + concession × (r − 1)`. It states its ideal; it supports a
//!   text within its tolerance, reserves its position on one that the next
//!   round's tolerance would reach, and objects otherwise. At a decision it
//!   formally objects only to a text beyond its tolerance; in a vote it says
//!   yes within its tolerance, abstains in the reserve band, no beyond.
//!   Under special and differential treatment a beneficiary's tolerance is
//!   wider by the item's widening in every round (`crate::flexibility`).
//!   Unless the scenario fixes them, the three are drawn from the seed per
//!   Member and item: ideal uniform in 0–10,000, tolerance in 500–3,000,
//!   concession in 200–800 (model parameters, not facts).
//! - [`FixedStance`]: says the same throughout: `object` objects and votes
//!   no, `support` supports and votes yes, `abstain` reserves, never
//!   objects, and abstains.
//!
//! In accession talks an ideal-point applicant offers its ideal level of
//! market access and raises it by its concession every round; an
//! ideal-point Working Party member requests its ideal and accepts an offer
//! short of it by no more than its tolerance. With a stance, an applicant
//! offers everything (`support`) or nothing; a WP member that `object`s
//! never makes a deal, the others accept any offer.
//!
//! On an open plurilateral initiative, a delegation joins when it would not
//! object to the convenors' latest text (before one, to the middle of the
//! scale); with a fixed stance, `support` joins at once and the others never
//! do. Only `object` objects to adding a non-MFN agreement to Annex 4, or
//! to an applicant's Working Party report or accession (and votes no on
//! it); the default is to let others go ahead.

use std::fmt;

use crate::protocol::{Level, MAX_LEVEL, Reaction, Stance, Stated, Vote};
use crate::rng::Rng;
use crate::rules::Rule;

/// What a delegation knows of the item when asked.
#[derive(Clone, Copy, Debug)]
pub struct ItemView<'a> {
    /// The item's id.
    pub item: &'a str,
    /// The consultation round (from 1); at a decision, one more than the
    /// last round.
    pub round: u32,
    /// The rule the decision is taken under.
    pub rule: Rule,
    /// The widening of the tolerance this delegation has on the item under
    /// special and differential treatment (`crate::flexibility`); 0
    /// without.
    pub widening: Level,
}

/// How a delegation decides. One value per delegation and item.
pub trait Strategy: fmt::Debug + Send {
    /// Its stated position in a consultation round; `text` is the chair's
    /// latest text, if any.
    fn position(&mut self, view: &ItemView<'_>, text: Option<Level>) -> Stated;
    /// Its reaction to a chair's text.
    fn react(&mut self, view: &ItemView<'_>, text: Level) -> Reaction;
    /// As a co-chair: whether it signs a draft. By default, when it would not
    /// object to it as a delegation.
    fn sign(&mut self, view: &ItemView<'_>, text: Level) -> bool {
        self.react(view, text) != Reaction::Object
    }
    /// At a decision meeting (or by written procedure): whether it formally
    /// objects.
    fn objects(&mut self, view: &ItemView<'_>, text: Level) -> bool;
    /// Its vote.
    fn vote(&mut self, view: &ItemView<'_>, text: Level) -> Vote;
    /// Whether it joins an open plurilateral initiative, seeing the
    /// convenors' latest text (if any). By default, when it would not object
    /// to that text (before one, to the middle of the scale).
    fn joins(&mut self, view: &ItemView<'_>, text: Option<Level>) -> bool {
        self.react(view, text.unwrap_or(MAX_LEVEL / 2)) != Reaction::Object
    }
    /// Whether it formally objects to letting others go ahead: adding a
    /// non-MFN agreement it stayed out of to Annex 4, or adopting an
    /// applicant's Working Party report or accession. By default not:
    /// blocking others is a political choice a scenario names (`objectors`,
    /// or a stance).
    fn objects_to_others(&mut self, _view: &ItemView<'_>) -> bool {
        false
    }
    /// Its vote on an accession, when consensus failed. By default yes.
    fn vote_on_accession(&mut self, _view: &ItemView<'_>) -> Vote {
        Vote::Yes
    }
    /// As an applicant: its market-access offer in a bilateral round. By
    /// default it stands still at the middle of the scale.
    fn offer(&mut self, _view: &ItemView<'_>) -> Level {
        MAX_LEVEL / 2
    }
    /// As a Working Party member: whether an applicant's offer makes a
    /// bilateral deal. By default, when it would not object to it.
    fn accepts_offer(&mut self, view: &ItemView<'_>, offer: Level) -> bool {
        self.react(view, offer) != Reaction::Object
    }
    /// The strategy under a political shock (`crate::shock`): keeping
    /// `kept` (in 1/10,000) of its tolerance, and with its concessions
    /// stopped if `stopped`. `None`: unchanged, as a fixed stance is.
    fn under_pressure(&self, _kept: u16, _stopped: bool) -> Option<Box<dyn Strategy>> {
        None
    }

    /// In a package of items (`crate::package_deal`): how far inside its
    /// tolerance of `view.round` the text lies, in levels (tolerance minus
    /// distance; negative beyond it), or `None` if it objects to the text
    /// whatever the rest of the package. By default 0 for a text it would
    /// not formally object to (nothing to trade), `None` otherwise.
    fn slack(&mut self, view: &ItemView<'_>, text: Level) -> Option<i64> {
        (!self.objects(view, text)).then_some(0)
    }

    /// In a Director-General's confessional (private to the Secretariat):
    /// the lowest and highest text it would not object to in round
    /// `view.round`, or `None` if it would object to every text. By
    /// default, the span of the levels (in steps of 100) at which
    /// [`Strategy::react`] does not object.
    fn acceptable(&mut self, view: &ItemView<'_>) -> Option<(Level, Level)> {
        let fine: Vec<Level> = (0..=MAX_LEVEL)
            .step_by(100)
            .filter(|&l| self.react(view, l) != Reaction::Object)
            .collect();
        Some((*fine.first()?, *fine.last()?))
    }
}

/// The ideal-point strategy (module doc).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdealPoint {
    /// Ideal level.
    pub ideal: Level,
    /// Tolerance in round 1.
    pub tolerance: Level,
    /// Widening of the tolerance per round.
    pub concession: Level,
}

impl IdealPoint {
    /// Draws the parameters the scenario leaves open from the member's own
    /// stream of the seed (see `rng`).
    pub fn drawn(
        seed: u64,
        item: &str,
        member: &str,
        ideal: Option<Level>,
        tolerance: Option<Level>,
        concession: Option<Level>,
    ) -> Self {
        let mut rng = Rng::for_member(seed, item, member);
        // Always draw all three, so that fixing one does not shift the others.
        let drawn = (
            rng.range(0, u32::from(MAX_LEVEL)) as Level,
            rng.range(500, 3_000) as Level,
            rng.range(200, 800) as Level,
        );
        Self {
            ideal: ideal.unwrap_or(drawn.0),
            tolerance: tolerance.unwrap_or(drawn.1),
            concession: concession.unwrap_or(drawn.2),
        }
    }

    fn tolerance_in(&self, round: u32) -> u32 {
        u32::from(self.tolerance) + u32::from(self.concession) * round.saturating_sub(1)
    }

    /// The tolerance in `round` with the flexibility `view` gives.
    fn tolerance_with(&self, view: &ItemView<'_>, round: u32) -> u32 {
        self.tolerance_in(round) + u32::from(view.widening)
    }

    fn distance(&self, text: Level) -> u32 {
        u32::from(self.ideal.abs_diff(text))
    }
}

impl Strategy for IdealPoint {
    fn position(&mut self, _view: &ItemView<'_>, _text: Option<Level>) -> Stated {
        Stated::Level(self.ideal)
    }

    fn react(&mut self, view: &ItemView<'_>, text: Level) -> Reaction {
        let d = self.distance(text);
        if d <= self.tolerance_with(view, view.round) {
            Reaction::Support
        } else if d <= self.tolerance_with(view, view.round + 1) {
            Reaction::Reserve
        } else {
            Reaction::Object
        }
    }

    fn objects(&mut self, view: &ItemView<'_>, text: Level) -> bool {
        self.distance(text) > self.tolerance_with(view, view.round)
    }

    fn slack(&mut self, view: &ItemView<'_>, text: Level) -> Option<i64> {
        Some(i64::from(self.tolerance_with(view, view.round)) - i64::from(self.distance(text)))
    }

    fn vote(&mut self, view: &ItemView<'_>, text: Level) -> Vote {
        match self.react(view, text) {
            Reaction::Support => Vote::Yes,
            Reaction::Reserve => Vote::Abstain,
            Reaction::Object => Vote::No,
        }
    }

    /// An applicant opens at its ideal and raises its offer by the
    /// concession every round.
    fn offer(&mut self, view: &ItemView<'_>) -> Level {
        let raised =
            u32::from(self.ideal) + u32::from(self.concession) * view.round.saturating_sub(1);
        raised.min(u32::from(MAX_LEVEL)) as Level
    }

    /// The texts within the tolerance of the round after `view.round`:
    /// those it supports or reserves on, never objects to.
    fn acceptable(&mut self, view: &ItemView<'_>) -> Option<(Level, Level)> {
        let t = self.tolerance_in(view.round + 1);
        let low = u32::from(self.ideal).saturating_sub(t);
        let high = (u32::from(self.ideal) + t).min(u32::from(MAX_LEVEL));
        Some((low as Level, high as Level))
    }

    /// A WP member requests its ideal level of market access and accepts an
    /// offer that falls short of it by no more than its tolerance.
    fn accepts_offer(&mut self, view: &ItemView<'_>, offer: Level) -> bool {
        u32::from(offer) + self.tolerance_in(view.round) >= u32::from(self.ideal)
    }

    /// Its tolerance in every round narrowed to `kept`; with its concessions
    /// stopped, it stands on its first round's tolerance, narrowed.
    fn under_pressure(&self, kept: u16, stopped: bool) -> Option<Box<dyn Strategy>> {
        let scaled = |l| crate::shock::scaled(l, kept);
        Some(Box::new(Self {
            ideal: self.ideal,
            tolerance: scaled(self.tolerance),
            concession: if stopped { 0 } else { scaled(self.concession) },
        }))
    }
}

/// The fixed-stance strategy (module doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FixedStance(pub Stance);

impl Strategy for FixedStance {
    fn position(&mut self, _view: &ItemView<'_>, _text: Option<Level>) -> Stated {
        Stated::Stance(self.0)
    }

    fn react(&mut self, _view: &ItemView<'_>, _text: Level) -> Reaction {
        match self.0 {
            Stance::Object => Reaction::Object,
            Stance::Support => Reaction::Support,
            Stance::Abstain => Reaction::Reserve,
        }
    }

    fn objects(&mut self, _view: &ItemView<'_>, _text: Level) -> bool {
        self.0 == Stance::Object
    }

    fn vote(&mut self, _view: &ItemView<'_>, _text: Level) -> Vote {
        match self.0 {
            Stance::Object => Vote::No,
            Stance::Support => Vote::Yes,
            Stance::Abstain => Vote::Abstain,
        }
    }

    fn joins(&mut self, _view: &ItemView<'_>, _text: Option<Level>) -> bool {
        self.0 == Stance::Support
    }

    fn objects_to_others(&mut self, _view: &ItemView<'_>) -> bool {
        self.0 == Stance::Object
    }

    fn vote_on_accession(&mut self, view: &ItemView<'_>) -> Vote {
        self.vote(view, 0)
    }

    fn offer(&mut self, _view: &ItemView<'_>) -> Level {
        match self.0 {
            Stance::Support => MAX_LEVEL,
            Stance::Object | Stance::Abstain => 0,
        }
    }

    fn accepts_offer(&mut self, _view: &ItemView<'_>, _offer: Level) -> bool {
        self.0 != Stance::Object
    }

    fn acceptable(&mut self, _view: &ItemView<'_>) -> Option<(Level, Level)> {
        (self.0 != Stance::Object).then_some((0, MAX_LEVEL))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(round: u32) -> ItemView<'static> {
        ItemView {
            item: "agri",
            round,
            rule: Rule::Consensus,
            widening: 0,
        }
    }

    /// The tolerance widens by the concession each round: a text 1,500 away
    /// is objected to in round 1, reserved on in round 2 (round 3 would
    /// reach it), supported in round 3.
    #[test]
    fn ideal_point_concedes_round_by_round() {
        let mut s = IdealPoint {
            ideal: 5_000,
            tolerance: 1_000,
            concession: 250,
        };
        assert_eq!(s.react(&view(1), 6_500), Reaction::Object);
        assert_eq!(s.react(&view(2), 6_500), Reaction::Reserve);
        assert_eq!(s.react(&view(3), 6_500), Reaction::Support);
        assert!(s.objects(&view(2), 6_500));
        assert!(!s.objects(&view(3), 6_500));
        assert_eq!(s.vote(&view(1), 5_200), Vote::Yes);
        assert_eq!(s.vote(&view(1), 8_000), Vote::No);
        assert_eq!(s.position(&view(1), None), Stated::Level(5_000));
        // In a confessional: what it would not object to in round 1, the
        // tolerance of round 2 either side of the ideal.
        assert_eq!(s.acceptable(&view(1)), Some((3_750, 6_250)));
        assert_eq!(s.react(&view(1), 6_250), Reaction::Reserve);
        assert_eq!(s.react(&view(1), 6_251), Reaction::Object);
        // In a package: tolerance minus distance, negative beyond it.
        assert_eq!(s.slack(&view(1), 5_400), Some(600));
        assert_eq!(s.slack(&view(1), 6_500), Some(-500));
        assert_eq!(s.slack(&view(3), 6_500), Some(0));
    }

    #[test]
    fn fixed_stances_say_the_same_throughout() {
        let mut o = FixedStance(Stance::Object);
        let mut a = FixedStance(Stance::Abstain);
        for r in 1..5 {
            assert!(o.objects(&view(r), 5_000));
            assert_eq!(o.vote(&view(r), 5_000), Vote::No);
            assert!(!a.objects(&view(r), 0));
            assert_eq!(a.vote(&view(r), 0), Vote::Abstain);
            assert_eq!(a.react(&view(r), 0), Reaction::Reserve);
        }
        assert!(!o.sign(&view(1), 5_000));
        assert!(a.sign(&view(1), 5_000));
        assert_eq!(o.acceptable(&view(1)), None);
        assert_eq!(o.slack(&view(1), 5_000), None);
        assert_eq!(a.slack(&view(1), 0), Some(0));
        assert_eq!(a.acceptable(&view(1)), Some((0, MAX_LEVEL)));
    }

    #[test]
    fn draws_are_per_member_and_keep_fixed_values() {
        let a = IdealPoint::drawn(1, "agri", "BRA", None, None, None);
        let b = IdealPoint::drawn(1, "agri", "BRA", Some(7), None, None);
        assert_eq!(b.ideal, 7);
        assert_eq!((a.tolerance, a.concession), (b.tolerance, b.concession));
        assert!((500..=3_000).contains(&a.tolerance));
        assert!((200..=800).contains(&a.concession));
    }
}
