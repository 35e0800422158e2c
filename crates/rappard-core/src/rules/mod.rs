//! Decision rules of the WTO, each in its own module with its citation.
//!
//! | rule | source | base |
//! |---|---|---|
//! | [`consensus`] | Marrakesh Agreement Art. IX:1 and footnote 1 | Members present at the meeting |
//! | [`vote`] `majority` | Art. IX:1 | votes cast (yes + no) |
//! | [`vote`] `two-thirds-of-members` | Art. X:1, XII:2 | all Members, the EU included, present or not |
//! | [`vote`] `three-fourths-of-members` | Art. IX:2, IX:3 | all Members, the EU included, present or not |
//! | [`written_procedure`] | WTO practice 2020–21 (General Council, Goods Council) | all Members, whatever their time zone |
//!
//! A scenario may also name the matter instead of the rule ([`named`]):
//! `waiver` (Art. IX:3), `waiver-transition` (Art. IX:3, fn. 4),
//! `interpretation` (Art. IX:2), `amendment` (Art. X:1, X:3) and `accession`
//! (Art. XII:2, WT/L/93). Each is decided by one of the rules above, with a
//! consensus period for waivers and amendments and the Members' acceptances
//! after an amendment.
//!
//! A rule is an implementation of [`DecisionRule`]: it says what it asks of
//! delegations (a formal objection or a vote, at a meeting or in writing) and
//! turns the answers into an outcome. A new rule for a teaching extension is
//! one more implementation plus its name in [`Rule`].

pub mod consensus;
pub mod named;
pub mod vote;
pub mod written_procedure;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::member::MemberId;

pub use named::NamedRule;

/// The rules a scenario can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// No Member present formally objects (Art. IX:1, fn. 1).
    Consensus,
    /// A majority of the votes cast (Art. IX:1).
    Majority,
    /// Two-thirds of the Members (Art. X:1, XII:2).
    TwoThirdsOfMembers,
    /// Three-fourths of the Members (Art. IX:2, IX:3).
    ThreeFourthsOfMembers,
    /// No Member objects in writing by the deadline.
    WrittenProcedure,
}

impl Rule {
    /// Every rule, in the order the docs list them.
    pub const ALL: [Rule; 5] = [
        Rule::Consensus,
        Rule::Majority,
        Rule::TwoThirdsOfMembers,
        Rule::ThreeFourthsOfMembers,
        Rule::WrittenProcedure,
    ];

    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Consensus => "consensus",
            Self::Majority => "majority",
            Self::TwoThirdsOfMembers => "two-thirds-of-members",
            Self::ThreeFourthsOfMembers => "three-fourths-of-members",
            Self::WrittenProcedure => "written-procedure",
        }
    }

    /// Whether the rule is decided by a vote.
    pub fn is_vote(self) -> bool {
        matches!(
            self,
            Self::Majority | Self::TwoThirdsOfMembers | Self::ThreeFourthsOfMembers
        )
    }

    /// The implementation of this rule.
    pub fn implementation(self) -> &'static dyn DecisionRule {
        match self {
            Self::Consensus => &consensus::Consensus,
            Self::Majority => &vote::MAJORITY,
            Self::TwoThirdsOfMembers => &vote::TWO_THIRDS_OF_MEMBERS,
            Self::ThreeFourthsOfMembers => &vote::THREE_FOURTHS_OF_MEMBERS,
            Self::WrittenProcedure => &written_procedure::WrittenProcedure,
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Rule {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|r| r.as_str()).collect();
                format!("unknown rule `{s}`; the rules are {}", names.join(", "))
            })
    }
}

/// What a rule asks of delegations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ballot {
    /// Whether they formally object, at a meeting (present delegations only).
    ObjectionAtMeeting,
    /// A vote, at a meeting (present delegations only).
    VoteAtMeeting,
    /// Whether they object, in writing, by a deadline (every delegation).
    ObjectionInWriting,
}

/// The outcome of an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// The decision was taken.
    Adopted,
    /// An objection stopped it (consensus, written procedure).
    Blocked,
    /// A vote fell short of its threshold.
    Rejected,
    /// No text reached a decision before the deadline.
    Lapsed,
}

/// How a decision was taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum How {
    /// At a meeting, by consensus.
    Consensus,
    /// At a meeting, by vote.
    Vote,
    /// In writing.
    WrittenProcedure,
}

/// Vote counts, weighted (the EU's votes count as many as it holds).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Votes {
    /// Votes in favour.
    pub yes: u32,
    /// Votes against.
    pub no: u32,
    /// Abstentions (not votes cast).
    pub abstain: u32,
}

/// The answers a rule decides on.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    /// Delegations that formally objected (only those the rule asked).
    pub objectors: Vec<MemberId>,
    /// Weighted votes, when the rule votes.
    pub votes: Votes,
    /// The number of Members, the EU included: the base of "two-thirds" and
    /// "three-fourths of the Members" (Art. IX:2, IX:3, X:1, XII:2). It is
    /// not the number of votes: the EU casts as many votes as its member
    /// States that are Members, but counts as one Member in the base.
    pub members: u32,
}

/// A decision rule.
pub trait DecisionRule: Sync {
    /// Its name in files and in the record.
    fn rule(&self) -> Rule;
    /// What it asks of delegations.
    fn ballot(&self) -> Ballot;
    /// How a decision under it is recorded.
    fn how(&self) -> How;
    /// The outcome of a tally.
    fn decide(&self, tally: &Tally) -> Outcome;
    /// The yes votes needed, for a rule that votes.
    fn required(&self, _tally: &Tally) -> Option<u32> {
        None
    }
}
