//! `[greenroom]`: whether the chair convenes Green Rooms, and how.
//!
//! Without the table the chair convenes none. With it, the policy says whom
//! the chair invites ([`crate::greenroom`] describes the traditional practice
//! and the reformed one, with their sources), `seats` how many, and `few`
//! when a text counts as "blocked by a few" and a Green Room is called.

use super::error::{Ctx, ScenarioError};
use super::raw::RawGreenRoom;
use super::{DEFAULT_GREEN_ROOM_FEW, GreenRoomSpec};
use crate::greenroom::Policy;

/// Reads `[greenroom]`, if the file has it.
pub(super) fn parse(
    cx: &Ctx<'_>,
    g: Option<&RawGreenRoom>,
) -> Result<Option<GreenRoomSpec>, ScenarioError> {
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
    Ok(Some(GreenRoomSpec { policy, seats, few }))
}
