//! `[[coalition]]`: negotiating coalitions and their coordinators.
//!
//! With the dataset, the built-in coalitions come first
//! ([`crate::coalition::built_in`]); each `[[coalition]]` then adds one, or
//! replaces a built-in one that has its id. A coordinator speaks for its
//! coalition in Green Rooms, so it must be one of the coalition's members.
//! With the dataset, `members` may be left out for a coalition whose list
//! is shipped ([`crate::coalition::shipped`]: `cairns`, `ldc`,
//! `african-group`, `acp`, `g90`, `g20`). `bloc = true` makes the
//! coalition speak with one voice (it then needs a coordinator), with a
//! `defection_limit` on the 0–1 scale (default
//! [`crate::coalition::DEFAULT_DEFECTION_LIMIT`], a modelling assumption).

use super::error::ScenarioError;
use super::limits;
use super::raw::RawCoalition;
use super::resolve::Resolver;
use toml::Spanned;

use crate::coalition::{self, Bloc, Coalition, NotShipped};
use crate::member::MemberId;

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
        let built = one(who, k, rc, built_in)?;
        match out.iter_mut().find(|c| c.id == built.id) {
            Some(c) => *c = built,
            None => out.push(built),
        }
    }
    Ok(out)
}

/// One coalition, `coalition[k]`.
fn one(
    who: &Resolver<'_>,
    k: usize,
    rc: &RawCoalition,
    with_dataset: bool,
) -> Result<Coalition, ScenarioError> {
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
    let members = match &rc.members {
        Some(ids) => who.sorted(ids, &field("members"))?,
        None => shipped_members(who, k, rc, &id, with_dataset)?,
    };
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
    let bloc = bloc(who, k, rc, coordinator.is_some())?;
    Ok(Coalition {
        name: name.unwrap_or_else(|| id.clone()),
        id,
        members,
        coordinator,
        bloc,
    })
}

/// The shipped list `id` stands for, when `coalition[k]` has no `members`.
fn shipped_members(
    who: &Resolver<'_>,
    k: usize,
    rc: &RawCoalition,
    id: &str,
    with_dataset: bool,
) -> Result<Vec<MemberId>, ScenarioError> {
    let field = format!("coalition[{k}].members");
    let refuse = |why: String| who.cx.at(rc.id.span(), &field, why);
    if !with_dataset {
        return Err(refuse(format!(
            "`members` is required: shipped lists such as `{id}` need `dataset = \"wto\"`"
        )));
    }
    match coalition::shipped(id, who.membership) {
        Ok(members) if members.is_empty() => Err(refuse(format!(
            "no Member of the shipped list `{id}` is in the negotiation"
        ))),
        Ok(members) => Ok(members),
        Err(NotShipped::Partial { listed }) => Err(refuse(format!(
            "the shipped list `{id}` is partial ({listed} Members sourced): give `members`"
        ))),
        Err(NotShipped::Unknown) => Err(refuse(format!(
            "`members` is required: no list is shipped as `{id}` (shipped: cairns, ldc, \
             african-group, acp, g90, g20)"
        ))),
    }
}

/// `bloc` and `defection_limit` of `coalition[k]`.
fn bloc(
    who: &Resolver<'_>,
    k: usize,
    rc: &RawCoalition,
    has_coordinator: bool,
) -> Result<Option<Bloc>, ScenarioError> {
    let cx = who.cx;
    let on = rc.bloc.as_ref().is_some_and(|b| *b.get_ref());
    match (&rc.defection_limit, on) {
        (Some(l), false) => Err(cx.at(
            l.span(),
            &format!("coalition[{k}].defection_limit"),
            "a defection limit needs `bloc = true`",
        )),
        (_, false) => Ok(None),
        (_, true) if !has_coordinator => Err(cx.at(
            rc.bloc.as_ref().map_or(rc.id.span(), Spanned::span),
            &format!("coalition[{k}].bloc"),
            "a bloc follows its coordinator: give `coordinator`",
        )),
        (limit, true) => {
            let defection_limit = match limit {
                Some(l) => cx.level(l, &format!("coalition[{k}].defection_limit"))?,
                None => coalition::DEFAULT_DEFECTION_LIMIT,
            };
            Ok(Some(Bloc { defection_limit }))
        }
    }
}
