//! `[greenroom]`: whether the chair convenes Green Rooms, and how.
//!
//! Without the table the chair convenes none. With it, the policy says whom
//! the chair invites ([`crate::greenroom`] describes the traditional practice
//! and the reformed one, with their sources), `seats` how many, and `few`
//! when a text counts as "blocked by a few" and a Green Room is called.
//!
//! The keys that complete the reform of Li Ke, "Stagnation and Breakthrough
//! of WTO Multilateral Trade Negotiations", Journal of Hubei University of
//! Economics 21(5), 2023, §3.2, are each off by default: `objector_seats`
//! (no), `growth` (0 seats), `[greenroom.structure]` (no structure
//! assigned), `consultation` (no) with its `consultation_weight` (0.5).

use std::collections::BTreeMap;

use toml::Spanned;

use super::error::ScenarioError;
use super::raw::RawGreenRoom;
use super::resolve::Resolver;
use super::{DEFAULT_CONSULTATION_WEIGHT, DEFAULT_GREEN_ROOM_FEW, GreenRoomSpec};
use crate::greenroom::{Policy, Structure};
use crate::member::MemberId;
use crate::protocol::Level;

/// Most seats a salient item may add.
const MAX_GROWTH: i64 = 200;

/// Reads `[greenroom]`, if the file has it.
pub(super) fn parse(
    who: &Resolver<'_>,
    g: Option<&RawGreenRoom>,
) -> Result<Option<GreenRoomSpec>, ScenarioError> {
    let cx = who.cx;
    let Some(g) = g else {
        return Ok(None);
    };
    let policy = match g.policy.get_ref().as_str() {
        "traditional" => Policy::Traditional,
        "reformed" => Policy::Reformed,
        other => {
            return Err(cx.at(
                g.policy.span(),
                "greenroom.policy",
                format!("unknown Green Room policy `{other}`; use traditional or reformed"),
            ));
        }
    };
    let seats = cx.positive_or(
        g.seats.as_ref(),
        "greenroom.seats",
        200,
        policy.default_seats(),
    )?;
    let few = cx.positive_or(g.few.as_ref(), "greenroom.few", 200, DEFAULT_GREEN_ROOM_FEW)?;
    let growth = match &g.growth {
        None => 0,
        Some(v) if (0..=MAX_GROWTH).contains(v.get_ref()) => *v.get_ref() as u32,
        Some(v) => {
            let msg = format!("{} is outside 0..={MAX_GROWTH}", v.get_ref());
            return Err(cx.at(v.span(), "greenroom.growth", msg));
        }
    };
    Ok(Some(GreenRoomSpec {
        policy,
        seats,
        few,
        objector_seats: g.objector_seats.as_ref().is_some_and(|b| *b.get_ref()),
        growth,
        structure: structure(who, &g.structure)?,
        consultation: consultation(who, g)?,
    }))
}

/// `consultation` and its `consultation_weight`.
fn consultation(who: &Resolver<'_>, g: &RawGreenRoom) -> Result<Option<Level>, ScenarioError> {
    let on = g.consultation.as_ref().is_some_and(|b| *b.get_ref());
    match (&g.consultation_weight, on) {
        (Some(w), false) => Err(who.cx.at(
            w.span(),
            "greenroom.consultation_weight",
            "a weight needs `consultation = true`",
        )),
        (Some(w), true) => Ok(Some(who.cx.level(w, "greenroom.consultation_weight")?)),
        (None, true) => {
            let w = Spanned::new(0..0, DEFAULT_CONSULTATION_WEIGHT);
            Ok(Some(who.cx.level(&w, "greenroom.consultation_weight")?))
        }
        (None, false) => Ok(None),
    }
}

/// `[greenroom.structure]`: structure name to its Members, each Member in
/// one structure at most.
fn structure(
    who: &Resolver<'_>,
    raw: &BTreeMap<Spanned<String>, Vec<Spanned<String>>>,
) -> Result<BTreeMap<MemberId, Structure>, ScenarioError> {
    let mut out = BTreeMap::new();
    for (name, members) in raw {
        let field = format!("greenroom.structure.{}", name.get_ref());
        let Some(s) = Structure::parse(name.get_ref()) else {
            let names: Vec<&str> = Structure::ALL.iter().map(|s| s.as_str()).collect();
            let msg = format!(
                "unknown industry structure `{}`; use {}",
                name.get_ref(),
                names.join(", ")
            );
            return Err(who.cx.at(name.span(), "greenroom.structure", msg));
        };
        for id in who.distinct(members, &field)? {
            if let Some(before) = out.insert(id.clone(), s) {
                let span = members
                    .iter()
                    .find(|m| m.get_ref() == id.as_str())
                    .map_or(name.span(), |m| m.span());
                let msg = format!("{id} is already `{}`", before.as_str());
                return Err(who.cx.at(span, &field, msg));
            }
        }
    }
    Ok(out)
}
