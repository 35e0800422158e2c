//! `[[initiative]]`: open plurilateral initiatives (joint statement
//! initiatives) and the positions Members take on them.
//!
//! An initiative is launched by its co-sponsors, open to every Member, and
//! concludes at a critical mass of world exports ([`crate::initiative`]).
//! An MFN initiative enters into force for all on conclusion; a non-MFN one
//! must be added to Annex 4 by a Ministerial decision taken "exclusively by
//! consensus" (Marrakesh Agreement Art. X:9), which is why only a non-MFN
//! initiative may have objectors and a fixed meeting. Objectors object to
//! that decision whatever else the file says, so they cannot also be given a
//! position, be co-sponsors or join.

use std::collections::HashSet;

use toml::Spanned;

use super::error::ScenarioError;
use super::limits;
use super::positions::Book;
use super::raw::RawInitiative;
use super::resolve::Resolver;
use super::{InitiativeSpec, PositionSpec};
use crate::member::MemberId;
use crate::protocol::PACKAGE_KEY;
use crate::protocol::Stance;
use crate::protocol::Subject;
use crate::time::Timestamp;

/// Reads the `[[initiative]]` entries; each id must be new to `ids` (item
/// ids are in it already), and each position goes into `book`.
pub(super) fn parse(
    who: &Resolver<'_>,
    raw: &[RawInitiative],
    start: Timestamp,
    ids: &mut HashSet<String>,
    book: &mut Book,
) -> Result<Vec<InitiativeSpec>, ScenarioError> {
    who.cx
        .at_most(raw.len(), limits::MAX_INITIATIVES, "initiatives", || {
            let k = limits::MAX_INITIATIVES;
            (raw[k].id.span(), format!("initiative[{k}].id"))
        })?;
    raw.iter()
        .enumerate()
        .map(|(k, ri)| initiative(who, k, ri, start, ids, book))
        .collect()
}

/// Who takes part and who objects.
struct Sides {
    sponsors: Vec<MemberId>,
    participants: Vec<MemberId>,
    objectors: Vec<MemberId>,
}

/// One initiative, `initiative[k]`.
fn initiative(
    who: &Resolver<'_>,
    k: usize,
    ri: &RawInitiative,
    start: Timestamp,
    ids: &mut HashSet<String>,
    book: &mut Book,
) -> Result<InitiativeSpec, ScenarioError> {
    let cx = who.cx;
    let table = format!("initiative[{k}]");
    let field = |f: &str| format!("{table}.{f}");
    let id = initiative_id(who, ri, &field("id"), ids)?;
    let mfn = ri.mfn.unwrap_or(true);
    let sides = sides(who, ri, mfn, &field)?;
    let threshold = threshold(who, ri.threshold.as_ref(), mfn, &field("threshold"))?;
    let meeting = ri
        .meeting
        .as_ref()
        .map(|m| cx.meeting(m, &field("meeting"), start))
        .transpose()?;
    if mfn && meeting.is_some() {
        return Err(cx.at(
            ri.id.span(),
            &field("meeting"),
            "a meeting decides on Annex 4, which only a non-MFN initiative (mfn = false) needs",
        ));
    }
    let deadline = cx.deadline(ri.deadline_days.as_ref(), &field("deadline_days"), start)?;
    cx.listed_positions(book, &ri.positions, &table, &id, |m, pfield| {
        let member = who.member_or_applicant(m, pfield)?;
        if sides.objectors.contains(&member) {
            return Err(cx.at(
                m.span(),
                pfield,
                format!("`{member}` is listed among the objectors already"),
            ));
        }
        Ok(member)
    })?;
    for o in &sides.objectors {
        book.entry(o.clone())
            .or_default()
            .insert(id.clone(), PositionSpec::Stance(Stance::Object));
    }
    cx.other_positions(book, ri.others.as_ref(), &table, &id, who.membership)?;
    let topic = cx.text_opt(ri.topic.as_ref(), &field("topic"))?;
    Ok(InitiativeSpec {
        topic: topic.unwrap_or_else(|| id.clone()),
        id,
        sponsors: sides.sponsors,
        participants: sides.participants,
        threshold,
        mfn,
        deadline,
        meeting,
        opening_text: None,
    })
}

/// The initiative's id: 1 to 64 bytes, not used by an item or an
/// earlier initiative, not `package`.
fn initiative_id(
    who: &Resolver<'_>,
    ri: &RawInitiative,
    field: &str,
    ids: &mut HashSet<String>,
) -> Result<String, ScenarioError> {
    let id = ri.id.get_ref().trim().to_owned();
    if id.is_empty() || id.len() > limits::MAX_ID_BYTES {
        return Err(who.cx.at(
            ri.id.span(),
            field,
            format!("an initiative id has 1 to {} bytes", limits::MAX_ID_BYTES),
        ));
    }
    if !matches!(id.parse::<Subject>(), Ok(Subject::Item(_))) {
        return Err(who.cx.at(
            ri.id.span(),
            field,
            format!(
                "`{id}` cannot be an initiative id: an id has no `:` and is not `{PACKAGE_KEY}`"
            ),
        ));
    }
    if !ids.insert(id.clone()) {
        return Err(who.cx.at(
            ri.id.span(),
            field,
            format!("`{id}` is already an item or initiative id"),
        ));
    }
    Ok(id)
}

/// Co-sponsors (at least one), participants and objectors, each a sorted
/// list; no one both takes part and objects, and only a non-MFN initiative
/// has objectors.
fn sides(
    who: &Resolver<'_>,
    ri: &RawInitiative,
    mfn: bool,
    field: &dyn Fn(&str) -> String,
) -> Result<Sides, ScenarioError> {
    let cx = who.cx;
    let sponsors = who.sorted(ri.sponsors.get_ref(), &field("sponsors"))?;
    if sponsors.is_empty() {
        return Err(cx.at(
            ri.sponsors.span(),
            &field("sponsors"),
            "a joint statement needs at least one co-sponsor",
        ));
    }
    let participants = who.sorted(&ri.participants, &field("participants"))?;
    let objectors = who.sorted(&ri.objectors, &field("objectors"))?;
    if let Some(o) = objectors
        .iter()
        .find(|o| sponsors.contains(o) || participants.contains(o))
    {
        return Err(cx.at(
            ri.id.span(),
            &field("objectors"),
            format!("`{o}` cannot both take part and object to the agreement"),
        ));
    }
    if mfn && !objectors.is_empty() {
        return Err(cx.at(
            ri.id.span(),
            &field("objectors"),
            "objectors oppose adding a non-MFN agreement to Annex 4: set mfn = false",
        ));
    }
    Ok(Sides {
        sponsors,
        participants,
        objectors,
    })
}

/// The critical mass, a percentage of world exports in (0, 100], by
/// default [`crate::initiative::DEFAULT_THRESHOLD_PCT`].
/// The critical mass: 90 % of world exports by default for an MFN
/// initiative, none for a non-MFN one, which binds only its parties
/// (module doc of `crate::initiative`).
fn threshold(
    who: &Resolver<'_>,
    v: Option<&Spanned<f64>>,
    mfn: bool,
    field: &str,
) -> Result<u32, ScenarioError> {
    let Some(v) = v else {
        let pct = if mfn {
            crate::initiative::DEFAULT_THRESHOLD_PCT
        } else {
            0.0
        };
        return Ok((pct * 10_000.0) as u32);
    };
    let x = *v.get_ref();
    if !(0.0..=100.0).contains(&x) {
        return Err(who.cx.at(
            v.span(),
            field,
            format!("{x} is not a percentage of world exports in [0, 100]"),
        ));
    }
    Ok((x * 10_000.0).round() as u32)
}
