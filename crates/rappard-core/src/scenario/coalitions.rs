//! `[[coalition]]`: negotiating coalitions and their coordinators.
//!
//! With the dataset, the built-in coalitions come first
//! ([`crate::coalition::built_in`]); each `[[coalition]]` then adds one, or
//! replaces a built-in one that has its id. A coordinator speaks for its
//! coalition in Green Rooms, so it must be one of the coalition's members.

use super::error::ScenarioError;
use super::limits;
use super::raw::RawCoalition;
use super::resolve::Resolver;
use crate::coalition::{self, Coalition};

/// The coalitions: the built-in ones if `built_in`, then the file's.
pub(super) fn parse(
    who: &Resolver<'_>,
    raw: &[RawCoalition],
    built_in: bool,
) -> Result<Vec<Coalition>, ScenarioError> {
    let mut out = if built_in {
        coalition::built_in(who.membership)
    } else {
        Vec::new()
    };
    for (k, rc) in raw.iter().enumerate() {
        let built = one(who, k, rc)?;
        match out.iter_mut().find(|c| c.id == built.id) {
            Some(c) => *c = built,
            None => out.push(built),
        }
    }
    Ok(out)
}

/// One coalition, `coalition[k]`.
fn one(who: &Resolver<'_>, k: usize, rc: &RawCoalition) -> Result<Coalition, ScenarioError> {
    let cx = who.cx;
    let field = |f: &str| format!("coalition[{k}].{f}");
    let id = rc.id.get_ref().trim().to_owned();
    if id.is_empty() || id.len() > limits::MAX_ID_BYTES {
        return Err(cx.at(
            rc.id.span(),
            &field("id"),
            format!("a coalition id has 1 to {} bytes", limits::MAX_ID_BYTES),
        ));
    }
    let members = who.sorted(&rc.members, &field("members"))?;
    let coordinator = match &rc.coordinator {
        None => None,
        Some(c) => {
            let c_id = who.member(c, &field("coordinator"))?;
            if !members.contains(&c_id) {
                return Err(cx.at(
                    c.span(),
                    &field("coordinator"),
                    format!("the coordinator `{c_id}` is not among the coalition's members"),
                ));
            }
            Some(c_id)
        }
    };
    let name = cx.text_opt(rc.name.as_ref(), &field("name"))?;
    Ok(Coalition {
        name: name.unwrap_or_else(|| id.clone()),
        id,
        members,
        coordinator,
    })
}
