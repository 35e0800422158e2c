//! `[[item]]`: the agenda items and the positions Members take on them.
//!
//! An item has a decision rule ([`crate::rules`]), optionally a voting
//! fallback for when consensus fails, a fixed decision meeting, a deadline,
//! co-chairs and the Members most concerned. Co-chairs follow Li Ke,
//! "Stagnation and Breakthrough of WTO Multilateral Trade Negotiations",
//! Journal of Hubei University of Economics 21(5), 2023, section III.2,
//! "Gradually removing the drawbacks of informal decision-making
//! mechanisms": each topic may have three chairs, and a draft needs the
//! other chairs' signatures. The reserved Green Room seats for the Members
//! most concerned come from the same section (its note 8: Brazil for
//! coffee).
//!
//! An item's `salience` (0 to 1, default 0) and its international
//! `observers` (default none) shape its reformed Green Room, after the same
//! section ([`crate::greenroom`]).
//!
//! The rule may be a plain rule or a named one (`waiver`, `amendment`, …):
//! the keys that go with a named rule are read in `named`.
//!
//! Item ids share one space with initiative ids, and `package` is reserved
//! for the decision on the whole package.

use std::collections::HashSet;
use std::str::FromStr;

use toml::Spanned;

use super::error::ScenarioError;
use super::limits;
use super::positions::Book;
use super::raw::RawItem;
use super::resolve::Resolver;
use super::{DEFAULT_WRITTEN_PROCEDURE_HOURS, ItemSpec};
use crate::member::MemberId;
use crate::protocol::PACKAGE_KEY;
use crate::protocol::Subject;
use crate::rules::Rule;
use crate::rules::named::parse_item_rule;
use crate::time::Timestamp;

/// Reads the `[[item]]` entries, in the file's order; each id goes into
/// `ids`, and each position into `book`.
pub(super) fn parse(
    who: &Resolver<'_>,
    raw: &[RawItem],
    start: Timestamp,
    ids: &mut HashSet<String>,
    book: &mut Book,
) -> Result<Vec<ItemSpec>, ScenarioError> {
    who.cx.at_most(raw.len(), limits::MAX_ITEMS, "items", || {
        let k = limits::MAX_ITEMS;
        (raw[k].id.span(), format!("item[{k}].id"))
    })?;
    raw.iter()
        .enumerate()
        .map(|(k, ri)| item(who, k, ri, start, ids, book))
        .collect()
}

/// One item, `item[k]`.
fn item(
    who: &Resolver<'_>,
    k: usize,
    ri: &RawItem,
    start: Timestamp,
    ids: &mut HashSet<String>,
    book: &mut Book,
) -> Result<ItemSpec, ScenarioError> {
    let cx = who.cx;
    let table = format!("item[{k}]");
    let field = |f: &str| format!("{table}.{f}");
    let id = item_id(who, ri, &field("id"), ids)?;
    let (rule, named) =
        parse_item_rule(ri.rule.get_ref()).map_err(|e| cx.at(ri.rule.span(), &field("rule"), e))?;
    let by_name = super::named::parse(who, ri, k, named, start)?;
    let fallback = ri
        .fallback
        .as_ref()
        .map(|f| fallback(who, rule, f, &field("fallback")))
        .transpose()?;
    let meeting = ri
        .meeting
        .as_ref()
        .map(|m| cx.meeting(m, &field("meeting"), start))
        .transpose()?;
    let deadline = cx.deadline_or(
        ri.deadline_days.as_ref(),
        &field("deadline_days"),
        start,
        by_name.default_deadline_days,
    )?;
    let written_procedure_hours = cx.positive_or(
        ri.written_procedure_hours.as_ref(),
        &field("written_procedure_hours"),
        24 * 365,
        DEFAULT_WRITTEN_PROCEDURE_HOURS,
    )?;
    let co_chairs = match &ri.co_chairs {
        None => Vec::new(),
        Some(cc) => co_chairs(who, cc, &field("co_chairs"))?,
    };
    cx.listed_positions(book, &ri.positions, &table, &id, |m, f| {
        who.member_or_applicant(m, f)
    })?;
    cx.other_positions(book, ri.others.as_ref(), &table, &id, who.membership)?;
    let concerned = who.distinct(&ri.concerned, &field("concerned"))?;
    let salience = ri
        .salience
        .as_ref()
        .map_or(Ok(0), |v| cx.level(v, &field("salience")))?;
    let observers = observers(who, &ri.observers, &field("observers"))?;
    let title = cx.text_opt(ri.title.as_ref(), &field("title"))?;
    Ok(ItemSpec {
        title: title.unwrap_or_else(|| id.clone()),
        id,
        rule,
        fallback,
        meeting,
        deadline,
        co_chairs,
        written_procedure_hours,
        concerned,
        salience,
        observers,
        named,
        consensus_until: by_name.consensus_until,
        acceptance: by_name.acceptance,
    })
}

/// International organisations observing a reformed Green Room on the
/// item (`observers`): short names, none empty or given twice.
fn observers(
    who: &Resolver<'_>,
    raw: &[Spanned<String>],
    field: &str,
) -> Result<Vec<String>, ScenarioError> {
    let mut out: Vec<String> = Vec::new();
    for o in raw {
        let name = who.cx.text(o, field)?.trim().to_owned();
        if name.is_empty() || name.len() > limits::MAX_ID_BYTES {
            let n = limits::MAX_ID_BYTES;
            let msg = format!("an observer is named in 1 to {n} bytes");
            return Err(who.cx.at(o.span(), field, msg));
        }
        if out.contains(&name) {
            let msg = format!("observer `{name}` is listed twice");
            return Err(who.cx.at(o.span(), field, msg));
        }
        out.push(name);
    }
    Ok(out)
}

/// The item's id: 1 to 64 bytes, not `package`, not used before.
fn item_id(
    who: &Resolver<'_>,
    ri: &RawItem,
    field: &str,
    ids: &mut HashSet<String>,
) -> Result<String, ScenarioError> {
    let id = ri.id.get_ref().trim().to_owned();
    let refuse = |message: String| Err(who.cx.at(ri.id.span(), field, message));
    if id.is_empty() || id.len() > limits::MAX_ID_BYTES {
        return refuse(format!(
            "an item id has 1 to {} bytes",
            limits::MAX_ID_BYTES
        ));
    }
    if id == PACKAGE_KEY {
        return refuse(format!(
            "`{PACKAGE_KEY}` is reserved for the decision on the whole package"
        ));
    }
    if !matches!(id.parse::<Subject>(), Ok(Subject::Item(_))) {
        return refuse(format!("`{id}` cannot be an item id: an id has no `:`"));
    }
    if !ids.insert(id.clone()) {
        return refuse(format!("item `{id}` is defined twice"));
    }
    Ok(id)
}

/// The voting fallback of a consensus item.
fn fallback(
    who: &Resolver<'_>,
    rule: Rule,
    f: &Spanned<String>,
    field: &str,
) -> Result<Rule, ScenarioError> {
    let cx = who.cx;
    let fb = Rule::from_str(f.get_ref()).map_err(|e| cx.at(f.span(), field, e))?;
    if rule != Rule::Consensus {
        return Err(cx.at(
            f.span(),
            field,
            format!("a fallback applies when consensus fails, but this item's rule is {rule}"),
        ));
    }
    if !fb.is_vote() {
        return Err(cx.at(
            f.span(),
            field,
            format!(
                "the fallback must be a vote (majority, two-thirds-of-members, three-fourths-of-members), not {fb}"
            ),
        ));
    }
    Ok(fb)
}

/// Two to five co-chairs, none listed twice.
fn co_chairs(
    who: &Resolver<'_>,
    cc: &Spanned<Vec<Spanned<String>>>,
    field: &str,
) -> Result<Vec<MemberId>, ScenarioError> {
    let out = who.distinct(cc.get_ref(), field)?;
    if !(2..=5).contains(&out.len()) {
        return Err(who.cx.at(
            cc.span(),
            field,
            format!(
                "{} co-chairs; name 2 to 5 (Li Ke 2023, §3.2, proposes three)",
                out.len()
            ),
        ));
    }
    Ok(out)
}
