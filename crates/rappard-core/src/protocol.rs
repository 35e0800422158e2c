//! The protocol's vocabulary: what the Secretariat asks and what a
//! delegation answers.
//!
//! Every other module speaks these words: the [`Secretariat`] issues a
//! [`Call`] on a [`Subject`] (an agenda item, an open plurilateral
//! initiative, an applicant's accession, or a package: the whole package
//! of a single undertaking, or two items the Director-General linked), of
//! a [`CallKind`], to the delegations it awaits; a [`Delegation`] gives an
//! [`Answer`] ([`Stated`] position, [`Reaction`] to a chair's text,
//! signature, formal objection, [`Vote`], decision to join, offer,
//! acceptance); an answer that does not fit is refused with an
//! [`AnswerError`] and changes nothing. The record ([`crate::record`]) and
//! the wire schema (`proto/rappard/v1/rappard.proto`) carry the same words.
//!
//! The negotiated matter is modelled as one dimension, a [`Level`] from 0 to
//! [`MAX_LEVEL`] (read it as the ambition of the text). This is a modelling
//! choice, the classic spatial model of negotiation, not a claim about any
//! real text.
//!
//! [`Secretariat`]: crate::secretariat::Secretariat
//! [`Delegation`]: crate::delegation::Delegation

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::member::MemberId;
use crate::rules::Rule;

/// A level on the negotiated dimension, 0 to 10,000.
pub type Level = u16;

/// The highest level.
pub const MAX_LEVEL: Level = 10_000;

/// A fixed stance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stance {
    /// Against, throughout.
    Object,
    /// In favour, throughout.
    Support,
    /// Neither, throughout.
    Abstain,
}

impl Stance {
    /// Parses `object`, `support` or `abstain`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "object" => Some(Self::Object),
            "support" => Some(Self::Support),
            "abstain" => Some(Self::Abstain),
            _ => None,
        }
    }
}

/// What a delegation says in a consultation round.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stated {
    /// The level it wants.
    Level(Level),
    /// A stance, with no level.
    Stance(Stance),
}

/// A delegation's reaction to a chair's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reaction {
    /// It can accept the text.
    Support,
    /// It reserves its position: not an objection.
    Reserve,
    /// It objects to the text.
    Object,
}

/// A vote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Vote {
    /// In favour.
    Yes,
    /// Against.
    No,
    /// Abstains (not a vote cast).
    Abstain,
}

/// The number of a call, from 1, in the order the Secretariat issued them.
pub type CallId = u64;

/// What a call is about.
///
/// In the record and on the wire a subject is written as its
/// [`key`](Subject::key): an item's or an initiative's id, `package` for the
/// whole package, and `accession:` followed by the applicant's id for an
/// accession. [`Display`](fmt::Display) writes that key and
/// [`FromStr`](std::str::FromStr) reads it back; nothing else in rappard
/// builds or takes apart a key. Agenda items and initiatives share one
/// namespace of ids (a scenario refuses an id used twice, the reserved
/// `package`, and ids with a `:`), so one variant names either: a
/// delegation answers on both alike.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    /// An agenda item or an open plurilateral initiative, by id.
    Item(String),
    /// The accession of an applicant (Marrakesh Agreement, Art. XII).
    Accession(MemberId),
    /// A package: the whole package under a single undertaking, or two
    /// items a proactive Director-General linked (the call's `package`
    /// names them; `crate::package_deal`).
    Package,
}

impl Subject {
    /// The key the subject is recorded under, also the key of a
    /// delegation's instructions for it.
    pub fn key(&self) -> Cow<'_, str> {
        match self {
            Self::Item(id) => Cow::Borrowed(id),
            Self::Accession(_) => Cow::Owned(self.to_string()),
            Self::Package => Cow::Borrowed(PACKAGE_KEY),
        }
    }

    /// The applicant, if the subject is an accession.
    pub fn applicant(&self) -> Option<&MemberId> {
        match self {
            Self::Accession(a) => Some(a),
            _ => None,
        }
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Item(id) => f.write_str(id),
            Self::Accession(applicant) => write!(f, "{ACCESSION_PREFIX}{applicant}"),
            Self::Package => f.write_str(PACKAGE_KEY),
        }
    }
}

impl std::str::FromStr for Subject {
    type Err = String;

    /// Reads a subject from its key (see [`Subject`]).
    fn from_str(key: &str) -> Result<Self, String> {
        if key == PACKAGE_KEY {
            return Ok(Self::Package);
        }
        if let Some(applicant) = key.strip_prefix(ACCESSION_PREFIX) {
            return MemberId::new(applicant).map(Self::Accession);
        }
        if key.is_empty() || key.contains(':') {
            return Err(format!("`{key}` is not an item, initiative or accession"));
        }
        Ok(Self::Item(key.to_owned()))
    }
}

impl Serialize for Subject {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.key())
    }
}

impl<'de> Deserialize<'de> for Subject {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let key = std::borrow::Cow::<'de, str>::deserialize(d)?;
        key.parse().map_err(serde::de::Error::custom)
    }
}

/// How the items of a round are adopted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Package {
    /// Each item is adopted when it is ripe: the early harvest that Li Ke,
    /// "Stagnation and Breakthrough of WTO Multilateral Trade Negotiations",
    /// Journal of Hubei University of Economics 21(5), 2023, proposes in
    /// section III.3, "Improving the WTO's management effectiveness through
    /// multiple channels" (easy issues first, early harvests).
    EarlyHarvest,
    /// Nothing is adopted until every item is agreed; then one decision on
    /// the whole package (the Doha Round's single undertaking, Doha
    /// Ministerial Declaration WT/MIN(01)/DEC/1, para. 47).
    SingleUndertaking,
}

impl Package {
    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EarlyHarvest => "early-harvest",
            Self::SingleUndertaking => "single-undertaking",
        }
    }
}

/// The key under which the decision on the whole package is recorded.
pub const PACKAGE_KEY: &str = "package";

/// What an accession's key starts with, before the applicant's id.
const ACCESSION_PREFIX: &str = "accession:";

/// What a call asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallKind {
    /// Stated positions, in a consultation round.
    Positions,
    /// Co-chairs' signatures on a draft.
    Signatures,
    /// Reactions to a chair's text.
    Reactions,
    /// Formal objections at a decision meeting.
    Objections,
    /// Votes at a decision meeting.
    Votes,
    /// Objections in writing, by a deadline.
    WrittenObjections,
    /// Formal objections to the whole package (single undertaking).
    PackageObjections,
    /// Whether to join an open plurilateral initiative.
    Join,
    /// Formal objections to adding an agreement to Annex 4 (Art. X:9).
    Annex4Objections,
    /// An applicant's market-access offer, in bilateral talks.
    BilateralOffer,
    /// Working Party members' answers to an applicant's offer.
    BilateralResponse,
    /// Objections in writing to the certification of the schedule
    /// modifications that put an MFN plurilateral outcome into force (the
    /// 1980 procedures for the modification of schedules).
    CertificationObjections,
    /// The Director-General's confessionals: each delegation tells the
    /// Director-General, in private, the range of texts it could accept
    /// (`secretariat::mediation`). The answers go to the Secretariat only
    /// and are never written to the record.
    Confessional,
}

/// One item's text in a package put to decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageText {
    /// Item.
    pub item: String,
    /// Version.
    pub version: u32,
    /// The round a delegation judges it in (the item's last round + 1).
    pub round: u32,
    /// Text.
    pub text: Level,
}

/// A call: what the Secretariat asks, of whom. It is also in the record as
/// [`Event::CallIssued`](crate::record::Event::CallIssued).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    /// Call number.
    pub call: CallId,
    /// What it is about.
    pub subject: Subject,
    /// What is asked.
    pub kind: CallKind,
    /// Round (at a decision: last round + 1).
    pub round: u32,
    /// Text version (0 before the first text).
    pub version: u32,
    /// The text concerned, if any.
    pub text: Option<Level>,
    /// The rule of the decision.
    pub rule: Rule,
    /// Who is asked, in id order.
    pub awaited: Vec<MemberId>,
    /// The texts of a package decision: every item's under a single
    /// undertaking ([`CallKind::PackageObjections`]), or the two linked
    /// items' ([`CallKind::Objections`] on [`Subject::Package`]).
    pub package: Option<Vec<PackageText>>,
    /// On a co-chairs' [`CallKind::Signatures`] call, when co-chairs sign by
    /// the Members' median (`drafting::CoChairSigning::Median`): that median,
    /// the unweighted median of the levels stated in the round. `None`
    /// otherwise.
    pub reference: Option<Level>,
    /// On an item or initiative with flexibilities for developing Members
    /// and LDCs: the widening of the tolerance and who has it
    /// (`crate::flexibility`). `None` otherwise.
    pub flexibility: Option<crate::flexibility::Granted>,
    /// The pressure each delegation asked is under from a political shock
    /// in effect (`crate::shock`), in id order; empty without one.
    pub pressures: Vec<crate::shock::Pressure>,
    /// When a scenario turns on `[pressure]`: what the Members know of the
    /// pressure on the item (`pressure`). `None` otherwise.
    pub shadow: Option<crate::pressure::Shadow>,
}

/// A delegation's answer to a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// To [`CallKind::Positions`].
    Position(Stated),
    /// To [`CallKind::Signatures`].
    Signature(bool),
    /// To [`CallKind::Reactions`].
    Reaction(Reaction),
    /// To [`CallKind::Objections`] and [`CallKind::WrittenObjections`]:
    /// whether it formally objects.
    Objection(bool),
    /// To [`CallKind::Votes`].
    Vote(Vote),
    /// To [`CallKind::Join`]: whether it joins the initiative.
    Join(bool),
    /// To [`CallKind::BilateralOffer`]: the applicant's market-access offer.
    Offer(Level),
    /// To [`CallKind::BilateralResponse`]: whether the offer makes a deal.
    Accept(bool),
    /// To [`CallKind::Confessional`]: the range of texts, lowest and
    /// highest level, the delegation would not object to (`None`: no text
    /// at all). Private to the Secretariat.
    Confessional(Option<(Level, Level)>),
    /// To [`CallKind::Objections`]: no formal objection, but an objection
    /// downgraded to a reservation under pressure (`pressure`).
    Reservation,
}

impl Answer {
    /// Whether it answers a call of this kind.
    pub fn fits(&self, kind: CallKind) -> bool {
        matches!(
            (self, kind),
            (Answer::Position(_), CallKind::Positions)
                | (Answer::Signature(_), CallKind::Signatures)
                | (Answer::Reaction(_), CallKind::Reactions)
                | (
                    Answer::Objection(_),
                    CallKind::Objections
                        | CallKind::WrittenObjections
                        | CallKind::PackageObjections
                )
                | (Answer::Vote(_), CallKind::Votes)
                | (Answer::Join(_), CallKind::Join)
                | (Answer::Offer(_), CallKind::BilateralOffer)
                | (Answer::Accept(_), CallKind::BilateralResponse)
                | (Answer::Confessional(_), CallKind::Confessional)
                | (Answer::Reservation, CallKind::Objections)
                | (
                    Answer::Objection(_),
                    CallKind::Annex4Objections | CallKind::CertificationObjections
                )
        )
    }

    /// What it is, in words, for error messages.
    pub fn name(&self) -> &'static str {
        match self {
            Answer::Position(_) => "a position",
            Answer::Signature(_) => "a signature",
            Answer::Reaction(_) => "a reaction",
            Answer::Objection(_) => "an objection",
            Answer::Vote(_) => "a vote",
            Answer::Join(_) => "a decision to join",
            Answer::Offer(_) => "an offer",
            Answer::Accept(_) => "an acceptance",
            Answer::Confessional(_) => "an acceptable range",
            Answer::Reservation => "a reservation",
        }
    }
}

/// Why an answer is refused. Refusing changes nothing in the record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnswerError {
    /// No call is open.
    NoOpenCall,
    /// The answer is to another call than the open one.
    StaleCall {
        /// The open call.
        open: u64,
        /// The call answered.
        answered: u64,
    },
    /// This delegation is not asked (absent, represented, not a Member, or
    /// not a co-chair).
    NotAwaited {
        /// Who answered.
        member: MemberId,
        /// The call.
        call: u64,
    },
    /// This delegation has already answered the call.
    AlreadyAnswered {
        /// Who answered.
        member: MemberId,
        /// The call.
        call: u64,
    },
    /// The answer does not fit what was asked.
    WrongAnswer {
        /// What was asked.
        expected: CallKind,
        /// What was given.
        given: &'static str,
    },
    /// A stated level or an offer beyond 0..=10,000.
    LevelOutOfRange(u16),
    /// An acceptable range whose low end is above its high end.
    EmptyRange {
        /// Low end.
        low: u16,
        /// High end.
        high: u16,
    },
}

impl std::fmt::Display for AnswerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoOpenCall => write!(f, "no call is open"),
            Self::StaleCall { open, answered } => {
                write!(f, "call {answered} is closed; the open call is {open}")
            }
            Self::NotAwaited { member, call } => {
                write!(f, "{member} is not asked in call {call}")
            }
            Self::AlreadyAnswered { member, call } => {
                write!(f, "{member} has already answered call {call}")
            }
            Self::WrongAnswer { expected, given } => {
                write!(f, "call asks for {expected:?}, not {given}")
            }
            Self::LevelOutOfRange(l) => write!(f, "level {l} is beyond 0..={MAX_LEVEL}"),
            Self::EmptyRange { low, high } => {
                write!(
                    f,
                    "the range {low}..={high} is empty: its low end is above its high end"
                )
            }
        }
    }
}

impl std::error::Error for AnswerError {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every subject is written as its key and read back the same; what is
    /// not a key is refused.
    #[test]
    fn subjects_round_trip_through_their_keys() {
        let bra = MemberId::new("BRA").expect("id");
        for s in [
            Subject::Item("agri".to_owned()),
            Subject::Accession(bra),
            Subject::Package,
        ] {
            assert_eq!(s.key().parse::<Subject>(), Ok(s.clone()));
        }
        assert_eq!(Subject::Package.key(), "package");
        assert!("accession:".parse::<Subject>().is_err());
        assert!("a:b".parse::<Subject>().is_err());
        assert!("".parse::<Subject>().is_err());
    }
}
