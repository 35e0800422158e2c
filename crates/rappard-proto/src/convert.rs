//! Conversions between the wire types (`v1`) and the core's types.
//!
//! Every conversion from the wire checks what it reads and says which field
//! is wrong; the node runtimes turn a [`ConvertError`] into
//! `INVALID_ARGUMENT`.

use std::fmt;

use rappard_core::flexibility::Granted;
use rappard_core::member::MemberId;
use rappard_core::pressure::{Hold, Shadow};
use rappard_core::protocol::{
    Answer, Call, CallKind, MAX_LEVEL, PackageText, Reaction, Stance, Stated, Subject, Vote,
};
use rappard_core::record::{Entry, Event};
use rappard_core::rules::Rule;
use rappard_core::shock::Pressure;

use crate::v1;

/// A wire message that does not make a core value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConvertError {
    /// The field at fault, as `message.field`.
    pub field: &'static str,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConvertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "field `{}`: {}", self.field, self.message)
    }
}

impl std::error::Error for ConvertError {}

fn bad(field: &'static str, message: impl Into<String>) -> ConvertError {
    ConvertError {
        field,
        message: message.into(),
    }
}

/// The wire kind of a call kind.
pub fn kind_to_wire(kind: CallKind) -> v1::CallKind {
    match kind {
        CallKind::Positions => v1::CallKind::Positions,
        CallKind::Signatures => v1::CallKind::Signatures,
        CallKind::Reactions => v1::CallKind::Reactions,
        CallKind::Objections => v1::CallKind::Objections,
        CallKind::Votes => v1::CallKind::Votes,
        CallKind::WrittenObjections => v1::CallKind::WrittenObjections,
        CallKind::PackageObjections => v1::CallKind::PackageObjections,
        CallKind::Join => v1::CallKind::Join,
        CallKind::Annex4Objections => v1::CallKind::Annex4Objections,
        CallKind::CertificationObjections => v1::CallKind::CertificationObjections,
        CallKind::BilateralOffer => v1::CallKind::BilateralOffer,
        CallKind::BilateralResponse => v1::CallKind::BilateralResponse,
        CallKind::Confessional => v1::CallKind::Confessional,
    }
}

/// The call kind of a wire kind.
pub fn kind_from_wire(kind: i32) -> Result<CallKind, ConvertError> {
    Ok(
        match v1::CallKind::try_from(kind)
            .map_err(|_| bad("Call.kind", format!("unknown call kind {kind}")))?
        {
            v1::CallKind::Positions => CallKind::Positions,
            v1::CallKind::Signatures => CallKind::Signatures,
            v1::CallKind::Reactions => CallKind::Reactions,
            v1::CallKind::Objections => CallKind::Objections,
            v1::CallKind::Votes => CallKind::Votes,
            v1::CallKind::WrittenObjections => CallKind::WrittenObjections,
            v1::CallKind::PackageObjections => CallKind::PackageObjections,
            v1::CallKind::Join => CallKind::Join,
            v1::CallKind::Annex4Objections => CallKind::Annex4Objections,
            v1::CallKind::CertificationObjections => CallKind::CertificationObjections,
            v1::CallKind::BilateralOffer => CallKind::BilateralOffer,
            v1::CallKind::BilateralResponse => CallKind::BilateralResponse,
            v1::CallKind::Confessional => CallKind::Confessional,
            v1::CallKind::Unspecified => {
                return Err(bad("Call.kind", "the call kind is unspecified"));
            }
        },
    )
}

/// A core call on the wire.
pub fn call_to_wire(call: &Call) -> v1::Call {
    v1::Call {
        call: call.call,
        item: call.subject.key().into_owned(),
        kind: kind_to_wire(call.kind) as i32,
        round: call.round,
        version: call.version,
        text: call.text.map(u32::from),
        rule: call.rule.as_str().to_owned(),
        awaited: call.awaited.iter().map(|m| m.as_str().to_owned()).collect(),
        package: call
            .package
            .iter()
            .flatten()
            .map(|p| v1::PackageText {
                item: p.item.clone(),
                version: p.version,
                round: p.round,
                text: u32::from(p.text),
            })
            .collect(),
        reference: call.reference.map(u32::from),
        flexibility: call.flexibility.as_ref().map(|f| v1::Flexibility {
            widening: u32::from(f.widening),
            beneficiaries: f
                .beneficiaries
                .iter()
                .map(|m| m.as_str().to_owned())
                .collect(),
        }),
        pressures: call
            .pressures
            .iter()
            .map(|p| v1::Pressure {
                member: p.member.as_str().to_owned(),
                tolerance: u32::from(p.tolerance),
                concession_stopped: p.concession_stopped,
                rival_supported: p.rival_supported,
            })
            .collect(),
        shadow: call.shadow.as_ref().map(shadow_to_wire),
    }
}

fn shadow_to_wire(s: &Shadow) -> v1::Shadow {
    v1::Shadow {
        objectors: s
            .objectors
            .iter()
            .map(|(m, d)| v1::ShadowObjector {
                member: m.as_str().to_owned(),
                dependence: u32::from(*d),
            })
            .collect(),
        supporters: s.supporters.iter().map(|m| m.as_str().to_owned()).collect(),
        max_objectors: s.max_objectors,
        threshold: u32::from(s.threshold),
        holds: s
            .holds
            .iter()
            .map(|h| v1::Hold {
                member: h.member.as_str().to_owned(),
                until: h.until.clone(),
                level: u32::from(h.level),
                adopted: h.adopted.map(u32::from),
            })
            .collect(),
    }
}

fn member(m: &str, field: &'static str) -> Result<MemberId, ConvertError> {
    MemberId::new(m).map_err(|e| bad(field, e))
}

fn shadow_from_wire(s: &v1::Shadow) -> Result<Shadow, ConvertError> {
    let objectors = s
        .objectors
        .iter()
        .map(|o| {
            Ok((
                member(&o.member, "Shadow.objectors.member")?,
                level(o.dependence, "Shadow.objectors.dependence")?,
            ))
        })
        .collect::<Result<Vec<_>, ConvertError>>()?;
    let supporters = s
        .supporters
        .iter()
        .map(|m| member(m, "Shadow.supporters"))
        .collect::<Result<Vec<_>, _>>()?;
    let holds = s
        .holds
        .iter()
        .map(|h| {
            Ok(Hold {
                member: member(&h.member, "Hold.member")?,
                until: h.until.clone(),
                level: level(h.level, "Hold.level")?,
                adopted: h.adopted.map(|a| level(a, "Hold.adopted")).transpose()?,
            })
        })
        .collect::<Result<Vec<_>, ConvertError>>()?;
    Ok(Shadow {
        objectors,
        supporters,
        max_objectors: s.max_objectors,
        threshold: level(s.threshold, "Shadow.threshold")?,
        holds,
    })
}

fn level(v: u32, field: &'static str) -> Result<u16, ConvertError> {
    if v > u32::from(MAX_LEVEL) {
        return Err(bad(field, format!("level {v} is beyond 0..={MAX_LEVEL}")));
    }
    Ok(v as u16)
}

/// A wire call as the core's.
pub fn call_from_wire(c: &v1::Call) -> Result<Call, ConvertError> {
    let awaited = c
        .awaited
        .iter()
        .map(|m| MemberId::new(m).map_err(|e| bad("Call.awaited", e)))
        .collect::<Result<Vec<_>, _>>()?;
    let package = if c.package.is_empty() {
        None
    } else {
        Some(
            c.package
                .iter()
                .map(|p| {
                    Ok(PackageText {
                        item: p.item.clone(),
                        version: p.version,
                        round: p.round,
                        text: level(p.text, "PackageText.text")?,
                    })
                })
                .collect::<Result<Vec<_>, ConvertError>>()?,
        )
    };
    Ok(Call {
        call: c.call,
        subject: c.item.parse::<Subject>().map_err(|e| bad("Call.item", e))?,
        kind: kind_from_wire(c.kind)?,
        round: c.round,
        version: c.version,
        text: c.text.map(|t| level(t, "Call.text")).transpose()?,
        rule: c.rule.parse::<Rule>().map_err(|e| bad("Call.rule", e))?,
        awaited,
        package,
        reference: c
            .reference
            .map(|r| level(r, "Call.reference"))
            .transpose()?,
        flexibility: c
            .flexibility
            .as_ref()
            .map(flexibility_from_wire)
            .transpose()?,
        pressures: c
            .pressures
            .iter()
            .map(|p| {
                Ok(Pressure {
                    member: MemberId::new(&p.member).map_err(|e| bad("Pressure.member", e))?,
                    tolerance: level(p.tolerance, "Pressure.tolerance")?,
                    concession_stopped: p.concession_stopped,
                    rival_supported: p.rival_supported,
                })
            })
            .collect::<Result<Vec<_>, ConvertError>>()?,
        shadow: c.shadow.as_ref().map(shadow_from_wire).transpose()?,
    })
}

/// A wire flexibility as the core's.
fn flexibility_from_wire(f: &v1::Flexibility) -> Result<Granted, ConvertError> {
    Ok(Granted {
        widening: level(f.widening, "Flexibility.widening")?,
        beneficiaries: f
            .beneficiaries
            .iter()
            .map(|m| MemberId::new(m).map_err(|e| bad("Flexibility.beneficiaries", e)))
            .collect::<Result<Vec<_>, _>>()?,
    })
}

/// A core answer on the wire.
pub fn answer_to_wire(a: Answer) -> v1::answer_request::Answer {
    use v1::answer_request::Answer as W;
    match a {
        Answer::Position(Stated::Level(l)) => W::Position(v1::Stated {
            stated: Some(v1::stated::Stated::Level(u32::from(l))),
        }),
        Answer::Position(Stated::Stance(s)) => W::Position(v1::Stated {
            stated: Some(v1::stated::Stated::Stance(match s {
                Stance::Object => v1::Stance::Object,
                Stance::Support => v1::Stance::Support,
                Stance::Abstain => v1::Stance::Abstain,
            } as i32)),
        }),
        Answer::Signature(b) => W::Signature(b),
        Answer::Reaction(r) => W::Reaction(match r {
            Reaction::Support => v1::Reaction::Support,
            Reaction::Reserve => v1::Reaction::Reserve,
            Reaction::Object => v1::Reaction::Object,
        } as i32),
        Answer::Objection(b) => W::Objection(b),
        Answer::Vote(v) => W::Vote(match v {
            Vote::Yes => v1::Vote::Yes,
            Vote::No => v1::Vote::No,
            Vote::Abstain => v1::Vote::Abstain,
        } as i32),
        Answer::Join(b) => W::Join(b),
        Answer::Offer(l) => W::Offer(u32::from(l)),
        Answer::Accept(b) => W::Accept(b),
        Answer::Confessional(range) => W::Confessional(match range {
            Some((low, high)) => v1::AcceptableRange {
                any: true,
                low: u32::from(low),
                high: u32::from(high),
            },
            None => v1::AcceptableRange::default(),
        }),
        Answer::Reservation => W::Reservation(true),
    }
}

/// A wire answer as the core's.
pub fn answer_from_wire(a: Option<&v1::answer_request::Answer>) -> Result<Answer, ConvertError> {
    use v1::answer_request::Answer as W;
    let Some(a) = a else {
        return Err(bad("AnswerRequest.answer", "no answer given"));
    };
    Ok(match *a {
        W::Position(s) => Answer::Position(match s.stated {
            Some(v1::stated::Stated::Level(l)) => Stated::Level(level(l, "Stated.level")?),
            Some(v1::stated::Stated::Stance(s)) => Stated::Stance(match v1::Stance::try_from(s) {
                Ok(v1::Stance::Object) => Stance::Object,
                Ok(v1::Stance::Support) => Stance::Support,
                Ok(v1::Stance::Abstain) => Stance::Abstain,
                _ => return Err(bad("Stated.stance", format!("{s} is not a stance"))),
            }),
            None => return Err(bad("Stated.stated", "a position needs a level or a stance")),
        }),
        W::Signature(b) => Answer::Signature(b),
        W::Reaction(r) => Answer::Reaction(match v1::Reaction::try_from(r) {
            Ok(v1::Reaction::Support) => Reaction::Support,
            Ok(v1::Reaction::Reserve) => Reaction::Reserve,
            Ok(v1::Reaction::Object) => Reaction::Object,
            _ => {
                return Err(bad(
                    "AnswerRequest.reaction",
                    format!("{r} is not a reaction"),
                ));
            }
        }),
        W::Objection(b) => Answer::Objection(b),
        W::Vote(v) => Answer::Vote(match v1::Vote::try_from(v) {
            Ok(v1::Vote::Yes) => Vote::Yes,
            Ok(v1::Vote::No) => Vote::No,
            Ok(v1::Vote::Abstain) => Vote::Abstain,
            _ => return Err(bad("AnswerRequest.vote", format!("{v} is not a vote"))),
        }),
        W::Join(b) => Answer::Join(b),
        W::Offer(l) => Answer::Offer(level(l, "AnswerRequest.offer")?),
        W::Accept(b) => Answer::Accept(b),
        W::Confessional(r) => Answer::Confessional(if r.any {
            let low = level(r.low, "AcceptableRange.low")?;
            let high = level(r.high, "AcceptableRange.high")?;
            if low > high {
                return Err(bad(
                    "AcceptableRange.low",
                    format!("{low} is above the high end {high}"),
                ));
            }
            Some((low, high))
        } else {
            None
        }),
        W::Reservation(true) => Answer::Reservation,
        W::Reservation(false) => Answer::Objection(false),
    })
}

/// A record entry on the wire: its canonical encoding, and the call typed.
pub fn entry_to_wire(e: &Entry) -> v1::RecordEntry {
    let canonical = String::from_utf8(rappard_core::record::Record::canonical_entry(e))
        .expect("JSON from serde_json is UTF-8");
    let call = e.event.issued_call().as_ref().map(call_to_wire);
    v1::RecordEntry {
        seq: e.seq,
        at: e.at.to_string(),
        canonical,
        call,
        probe: 0,
    }
}

/// A record entry as a delegation's own feed (`only_my_calls`) carries it
/// to `me`, or `None` if it does not go there: a call that awaits `me`,
/// typed, with `awaited` naming `me` alone and no canonical encoding (the
/// canonical entry names every awaited Member, so it would make each
/// delegation's feed grow with the membership: read the whole record, with
/// its fingerprint, from a feed of the whole record); `me`'s own
/// `accession-completed` entry, whole.
pub fn own_entry_to_wire(e: &Entry, me: &MemberId) -> Option<v1::RecordEntry> {
    match &e.event {
        Event::CallIssued { .. } => Some(v1::RecordEntry {
            seq: e.seq,
            at: e.at.to_string(),
            canonical: String::new(),
            call: Some(call_to_wire(&e.event.issued_call_for(me)?)),
            probe: 0,
        }),
        Event::AccessionCompleted { applicant, .. } if applicant == me => Some(entry_to_wire(e)),
        _ => None,
    }
}

/// A wire record entry as the core's, from its canonical encoding.
pub fn entry_from_wire(e: &v1::RecordEntry) -> Result<Entry, ConvertError> {
    let entry: Entry = serde_json::from_str(&e.canonical)
        .map_err(|err| bad("RecordEntry.canonical", err.to_string()))?;
    if entry.seq != e.seq {
        return Err(bad(
            "RecordEntry.seq",
            format!("{} differs from the canonical entry's {}", e.seq, entry.seq),
        ));
    }
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every answer survives the round trip through the wire.
    #[test]
    fn answers_round_trip() {
        let all = [
            Answer::Position(Stated::Level(4_200)),
            Answer::Position(Stated::Stance(Stance::Abstain)),
            Answer::Signature(true),
            Answer::Reaction(Reaction::Reserve),
            Answer::Objection(true),
            Answer::Vote(Vote::No),
            Answer::Join(false),
            Answer::Offer(7_000),
            Answer::Accept(true),
            Answer::Confessional(Some((3_000, 6_500))),
            Answer::Confessional(None),
            Answer::Reservation,
        ];
        for a in all {
            let w = answer_to_wire(a);
            assert_eq!(answer_from_wire(Some(&w)), Ok(a));
        }
        let e = answer_from_wire(Some(&v1::answer_request::Answer::Vote(0))).unwrap_err();
        assert_eq!(e.field, "AnswerRequest.vote");
        let e = answer_from_wire(Some(&v1::answer_request::Answer::Offer(10_001))).unwrap_err();
        assert!(e.message.contains("beyond"));
        assert!(answer_from_wire(None).is_err());
        let upside_down = v1::AcceptableRange {
            any: true,
            low: 6_000,
            high: 5_000,
        };
        let e = answer_from_wire(Some(&v1::answer_request::Answer::Confessional(upside_down)))
            .unwrap_err();
        assert_eq!(e.field, "AcceptableRange.low");
    }

    /// A call survives the round trip, package texts included.
    #[test]
    fn calls_round_trip() {
        let call = Call {
            call: 7,
            subject: Subject::Item("agri".into()),
            kind: CallKind::PackageObjections,
            round: 3,
            version: 2,
            text: Some(5_000),
            rule: Rule::Consensus,
            awaited: vec![
                MemberId::new("BRA").expect("id"),
                MemberId::new("USA").expect("id"),
            ],
            package: Some(vec![PackageText {
                item: "agri".into(),
                version: 2,
                round: 3,
                text: 5_000,
            }]),
            reference: Some(4_500),
            flexibility: Some(Granted {
                widening: 1_000,
                beneficiaries: vec![MemberId::new("MWI").expect("id")],
            }),
            pressures: vec![Pressure {
                member: MemberId::new("USA").expect("id"),
                tolerance: 5_000,
                concession_stopped: false,
                rival_supported: true,
            }],
            shadow: Some(Shadow {
                objectors: vec![(MemberId::new("KEN").unwrap(), 6_000)],
                supporters: vec![MemberId::new("USA").unwrap()],
                max_objectors: 1,
                threshold: 5_000,
                holds: vec![Hold {
                    member: MemberId::new("IND").unwrap(),
                    until: "stockholding".into(),
                    level: 5_000,
                    adopted: Some(5_500),
                }],
            }),
        };
        assert_eq!(call_from_wire(&call_to_wire(&call)), Ok(call));
    }
}
