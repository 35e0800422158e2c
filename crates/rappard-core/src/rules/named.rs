//! Named rules: the decision procedures the Marrakesh Agreement Establishing
//! the World Trade Organization sets for particular matters. A scenario
//! names the matter (`rule = "waiver"`) and rappard decides it the way the
//! Agreement says, built from the plain rules of this module's parent.
//!
//! | name | source | how it is decided |
//! |---|---|---|
//! | `waiver` | Art. IX:3 and IX:3(a) | consensus during a consensus period (default 90 days, at most 90), then three-fourths of the Members |
//! | `waiver-transition` | Art. IX:3, footnote 4 | consensus only, during the period and after it |
//! | `interpretation` | Art. IX:2 (with IX:1) | consensus first, then three-fourths of the Members |
//! | `amendment` | Art. X:1 and X:3 | consensus for 90 days (or a longer period), then two-thirds of the Members decide to submit it for acceptance; it enters into force when two-thirds of the Members have accepted it |
//! | `accession` | Art. XII:2; WT/L/93 | consensus first, then two-thirds of the Members |
//!
//! The sources, as far as they could be checked:
//!
//! - **Art. IX:1.** "The WTO shall continue the practice of decision-making
//!   by consensus followed under GATT 1947. Except as otherwise provided,
//!   where a decision cannot be arrived at by consensus, the matter at issue
//!   shall be decided by voting."
//! - **Art. IX:2.** Interpretations of the Agreement are adopted by a
//!   three-fourths majority of the Members (paraphrased: the exact English
//!   wording could not be checked here).
//! - **Art. IX:3(a).** "A request for a waiver concerning this Agreement
//!   shall be submitted to the Ministerial Conference for consideration
//!   pursuant to the practice of decision-making by consensus. The
//!   Ministerial Conference shall establish a time-period, which shall not
//!   exceed 90 days, to consider the request. If consensus is not reached
//!   during the time-period, any decision to grant a waiver shall be taken
//!   by three fourths of the Members." (From English fragments and the
//!   official Russian translation; a full English copy was not seen.)
//! - **Art. IX:3, footnote 4.** A waiver of an obligation subject to a
//!   transition period or a period for staged implementation that the
//!   requesting Member has not performed by the end of that period is
//!   decided only by consensus (paraphrased from the Russian translation).
//! - **Art. X:1.** "…for a period of 90 days after the proposal has been
//!   tabled formally at the Ministerial Conference any decision by the
//!   Ministerial Conference to submit the proposed amendment to the Members
//!   for acceptance shall be taken by consensus" (unless the Ministerial
//!   Conference "decides on a longer period"). "If consensus is not reached
//!   at a meeting of the Ministerial Conference within the established
//!   period, the Ministerial Conference shall decide by a two-thirds
//!   majority of the Members whether to submit the proposed amendment to
//!   the Members for acceptance."
//! - **Art. X:3.** An amendment that alters the rights and obligations of
//!   the Members takes effect for the Members that have accepted it upon
//!   acceptance by two-thirds of the Members, and thereafter for each other
//!   Member upon acceptance by it (paraphrased: the wording could not be
//!   checked here). How acceptances are modelled is in [`crate::amendment`].
//! - **Art. XII:2.** "Decisions on accession shall be taken by the
//!   Ministerial Conference. The Ministerial Conference shall approve the
//!   agreement on the terms of accession by a two-thirds majority of the
//!   Members of the WTO." The General Council's Decision-Making Procedures
//!   under Articles IX and XII (WT/L/93, November 1995) apply consensus to
//!   accessions "unless a Member requested a vote or consensus could not be
//!   reached" (the summary in the WTO Accession Handbook).
//!
//! How they are built from the plain rules: each named rule is recorded
//! with the plain rule that finally decides it ([`NamedRule::rule`]:
//! three-fourths or two-thirds of the Members, or consensus for a
//! `waiver-transition`), and consensus is sought before that vote as for
//! any voting rule (`crate::procedure`, Art. IX:1). A waiver or an
//! amendment adds its consensus period ([`NamedRule::period`]): while it
//! runs, a formal objection at the decision does not lead to a vote but
//! sends the item back to consultation; once it has run, an objection sends
//! the item to the vote. These periods are in the Agreement's text, so
//! `[procedure] consensus_first = false` (a counterfactual) does not shorten
//! them: it only lets the vote come at once after the period.
//!
//! Modelling choices, listed rather than hidden:
//! - The period runs from the item's listing, the start of the negotiation,
//!   which stands for the submission of the request or the formal tabling of
//!   the proposal.
//! - Art. IX:3(a) sets one time-period to consider every waiver request, so
//!   a `waiver-transition` has the period too; after it, an objection blocks
//!   it (footnote 4: no vote).
//! - Other amendment procedures of Art. X (amendments that need acceptance
//!   by all Members, Art. X:2; additions to Annex 4 "exclusively by
//!   consensus", Art. X:9, which rappard runs for plurilateral initiatives)
//!   are not named rules here.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::Rule;

/// The matters with a procedure of their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NamedRule {
    /// A waiver of an obligation (Art. IX:3).
    Waiver,
    /// A waiver of an obligation subject to a transition period that the
    /// Member has not performed by its end (Art. IX:3, footnote 4).
    WaiverTransition,
    /// An authoritative interpretation (Art. IX:2).
    Interpretation,
    /// An amendment submitted to the Members for acceptance (Art. X:1, X:3).
    Amendment,
    /// An accession (Art. XII:2; WT/L/93).
    Accession,
}

/// The bounds and default of a consensus period, in days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    /// The length when the scenario gives none.
    pub default_days: u32,
    /// The shortest a scenario may set.
    pub min_days: u32,
    /// The longest a scenario may set.
    pub max_days: u32,
    /// Why the bounds are what they are, for error messages.
    pub why: &'static str,
}

/// The consensus period of a waiver: "a time-period, which shall not exceed
/// 90 days" (Art. IX:3(a)).
const WAIVER_PERIOD: Period = Period {
    default_days: 90,
    min_days: 1,
    max_days: 90,
    why: "Art. IX:3(a): the period to consider a waiver request shall not exceed 90 days",
};

/// The consensus period of an amendment: 90 days "unless the Ministerial
/// Conference decides on a longer period" (Art. X:1). The Agreement sets no
/// longest period; rappard stops at 300 days because it holds sessions for
/// a year after the start at most (`secretariat::schedule`), and the item
/// needs sessions after its period to be voted on.
const AMENDMENT_PERIOD: Period = Period {
    default_days: 90,
    min_days: 90,
    max_days: 300,
    why: "Art. X:1: the period for consensus on an amendment is 90 days, or longer if the Ministerial Conference so decides; rappard holds sessions for a year at most, so it takes up to 300 days",
};

impl NamedRule {
    /// Every named rule, in the order the docs list them.
    pub const ALL: [NamedRule; 5] = [
        NamedRule::Waiver,
        NamedRule::WaiverTransition,
        NamedRule::Interpretation,
        NamedRule::Amendment,
        NamedRule::Accession,
    ];

    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiver => "waiver",
            Self::WaiverTransition => "waiver-transition",
            Self::Interpretation => "interpretation",
            Self::Amendment => "amendment",
            Self::Accession => "accession",
        }
    }

    /// The article it comes from, for the minutes.
    pub fn source(self) -> &'static str {
        match self {
            Self::Waiver => "Art. IX:3",
            Self::WaiverTransition => "Art. IX:3, fn. 4",
            Self::Interpretation => "Art. IX:2",
            Self::Amendment => "Art. X:1, X:3",
            Self::Accession => "Art. XII:2",
        }
    }

    /// The plain rule that finally decides it: the vote after consensus
    /// fails, or consensus for a waiver of a transition obligation.
    pub fn rule(self) -> Rule {
        match self {
            Self::Waiver | Self::Interpretation => Rule::ThreeFourthsOfMembers,
            Self::Amendment | Self::Accession => Rule::TwoThirdsOfMembers,
            Self::WaiverTransition => Rule::Consensus,
        }
    }

    /// Its consensus period, if it has one (waivers and amendments).
    pub fn period(self) -> Option<Period> {
        match self {
            Self::Waiver | Self::WaiverTransition => Some(WAIVER_PERIOD),
            Self::Amendment => Some(AMENDMENT_PERIOD),
            Self::Interpretation | Self::Accession => None,
        }
    }

    /// Whether a decision under it is followed by the Members' acceptances
    /// (Art. X:3).
    pub fn needs_acceptance(self) -> bool {
        self == Self::Amendment
    }
}

impl fmt::Display for NamedRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for NamedRule {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown named rule `{s}`"))
    }
}

/// Reads the `rule` of an item: a plain rule, or a named rule with the
/// plain rule it decides by.
pub fn parse_item_rule(s: &str) -> Result<(Rule, Option<NamedRule>), String> {
    if let Ok(rule) = s.parse::<Rule>() {
        return Ok((rule, None));
    }
    if let Ok(named) = s.parse::<NamedRule>() {
        return Ok((named.rule(), Some(named)));
    }
    let names: Vec<&str> = Rule::ALL
        .iter()
        .map(|r| r.as_str())
        .chain(NamedRule::ALL.iter().map(|r| r.as_str()))
        .collect();
    Err(format!(
        "unknown rule `{s}`; the rules are {}",
        names.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each named rule decides by the plain rule its article sets: a waiver
    /// and an interpretation by three-fourths of the Members (Art. IX:2,
    /// IX:3), an amendment and an accession by two-thirds (Art. X:1,
    /// XII:2), a waiver of a transition obligation only by consensus
    /// (Art. IX:3, fn. 4).
    #[test]
    fn each_named_rule_decides_by_its_article() {
        let plain = |s: &str| parse_item_rule(s).expect("known");
        assert_eq!(
            plain("waiver"),
            (Rule::ThreeFourthsOfMembers, Some(NamedRule::Waiver))
        );
        assert_eq!(
            plain("waiver-transition"),
            (Rule::Consensus, Some(NamedRule::WaiverTransition))
        );
        assert_eq!(plain("interpretation").0, Rule::ThreeFourthsOfMembers);
        assert_eq!(plain("amendment").0, Rule::TwoThirdsOfMembers);
        assert_eq!(plain("accession").0, Rule::TwoThirdsOfMembers);
        assert_eq!(plain("majority"), (Rule::Majority, None));
        let e = parse_item_rule("unanimity").expect_err("unknown");
        assert!(
            e.ends_with(
                "written-procedure, waiver, waiver-transition, interpretation, amendment, accession"
            ),
            "{e}"
        );
    }

    /// Art. IX:3(a): a waiver's period "shall not exceed 90 days"; Art.
    /// X:1: an amendment's is 90 days or longer. Interpretations and
    /// accessions have none.
    #[test]
    fn consensus_periods_follow_the_articles() {
        let w = NamedRule::Waiver.period().expect("period");
        assert_eq!((w.default_days, w.max_days), (90, 90));
        let a = NamedRule::Amendment.period().expect("period");
        assert_eq!((a.default_days, a.min_days), (90, 90));
        assert!(a.max_days > 90, "longer periods are allowed");
        assert!(NamedRule::Interpretation.period().is_none());
        assert!(NamedRule::Accession.period().is_none());
        assert!(NamedRule::Amendment.needs_acceptance());
        assert!(!NamedRule::Waiver.needs_acceptance());
    }
}
