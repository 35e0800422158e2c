//! `[[shock]]`: political shocks from outside the negotiating room
//! ([`crate::shock`] gives the mechanisms and their sources).
//!
//! ```toml
//! [[shock]]
//! kind = "trade-war"                 # trade-war, pandemic, populism, election
//! start = "2026-03-09T00:00:00Z"     # a UTC instant, as every instant
//! end = "2026-04-06T00:00:00Z"       # the end, not in the shock
//! members = ["CHN", "USA"]           # trade-war: the two rivals
//! factor = 0.5                       # the share of its tolerance kept
//!
//! [[shock]]
//! kind = "pandemic"
//! start = "2020-03-16T00:00:00Z"
//! end = "2022-06-12T07:00:00Z"
//! in_person = ["mc12"]               # default: every fixed meeting in it
//! ```
//!
//! A shock begins at or after the scenario's start and ends after it
//! begins. A trade war names two Members, `populism` and `election` one or
//! more, a pandemic none; `factor` (0–1, default 0.5) goes with every kind
//! but the pandemic, `in_person` (items with a fixed meeting) only with it.
//! Two pandemics may not overlap (the venue has one state at a time).

use super::ItemSpec;
use super::error::ScenarioError;
use super::raw::RawShock;
use super::resolve::Resolver;
use crate::shock::{DEFAULT_FACTOR, Shock, ShockKind, WHOLE};
use crate::time::Timestamp;

/// At most this many shocks in a scenario.
pub const MAX_SHOCKS: usize = 100;

/// Reads every `[[shock]]`.
pub(super) fn parse(
    who: &Resolver<'_>,
    raw: &[RawShock],
    start: Timestamp,
    items: &[ItemSpec],
) -> Result<Vec<Shock>, ScenarioError> {
    who.cx.at_most(raw.len(), MAX_SHOCKS, "shocks", || {
        let s = &raw[MAX_SHOCKS];
        (s.kind.span(), format!("shock[{MAX_SHOCKS}]"))
    })?;
    let mut out: Vec<Shock> = Vec::with_capacity(raw.len());
    for (i, r) in raw.iter().enumerate() {
        let shock = one(who, r, &format!("shock[{i}]"), start, items)?;
        if shock.kind == ShockKind::Pandemic
            && let Some(j) = out.iter().position(|o| {
                o.kind == ShockKind::Pandemic && o.start < shock.end && shock.start < o.end
            })
        {
            return Err(who.cx.at(
                r.start.span(),
                &format!("shock[{i}].start"),
                format!("this pandemic overlaps shock[{j}], another pandemic"),
            ));
        }
        out.push(shock);
    }
    Ok(out)
}

/// One `[[shock]]`, as `field`.
fn one(
    who: &Resolver<'_>,
    r: &RawShock,
    field: &str,
    start: Timestamp,
    items: &[ItemSpec],
) -> Result<Shock, ScenarioError> {
    let cx = who.cx;
    let kind = ShockKind::parse(r.kind.get_ref()).ok_or_else(|| {
        cx.at(
            r.kind.span(),
            &format!("{field}.kind"),
            format!(
                "unknown kind of shock `{}`; the kinds are trade-war, pandemic, populism, election",
                r.kind.get_ref()
            ),
        )
    })?;
    let begins = cx.instant(&r.start, &format!("{field}.start"))?;
    if begins < start {
        return Err(cx.at(
            r.start.span(),
            &format!("{field}.start"),
            format!("the shock ({begins}) begins before the scenario starts ({start})"),
        ));
    }
    let end = cx.instant(&r.end, &format!("{field}.end"))?;
    if end <= begins {
        return Err(cx.at(
            r.end.span(),
            &format!("{field}.end"),
            format!("the shock ends ({end}) before it begins ({begins})"),
        ));
    }
    let mut members = who.sorted(&r.members, &format!("{field}.members"))?;
    members.dedup();
    let wanted = match kind {
        ShockKind::TradeWar => (members.len() != 2).then_some("two Members, the rivals"),
        ShockKind::Pandemic => (!members.is_empty()).then_some("no Members: it reaches all"),
        ShockKind::Populism | ShockKind::Election => {
            members.is_empty().then_some("one Member or more")
        }
    };
    if let Some(wanted) = wanted {
        let span = r.members.first().map_or(r.kind.span(), |m| m.span());
        return Err(cx.at(
            span,
            &format!("{field}.members"),
            format!("a {} shock names {wanted}", kind.as_str()),
        ));
    }
    Ok(Shock {
        kind,
        start: begins,
        end,
        members,
        factor: factor(who, r, field, kind)?,
        in_person: in_person(who, r, field, kind, items)?,
    })
}

/// `factor`, 0 to 1, for every kind but the pandemic.
fn factor(
    who: &Resolver<'_>,
    r: &RawShock,
    field: &str,
    kind: ShockKind,
) -> Result<u16, ScenarioError> {
    let Some(f) = &r.factor else {
        return Ok(if kind.narrows() {
            DEFAULT_FACTOR
        } else {
            WHOLE
        });
    };
    let name = format!("{field}.factor");
    if !kind.narrows() {
        return Err(who.cx.at(
            f.span(),
            &name,
            "a pandemic narrows no tolerance: no `factor`",
        ));
    }
    who.cx.level(f, &name)
}

/// `in_person`, with a pandemic only: items with a fixed meeting.
fn in_person(
    who: &Resolver<'_>,
    r: &RawShock,
    field: &str,
    kind: ShockKind,
    items: &[ItemSpec],
) -> Result<Option<Vec<String>>, ScenarioError> {
    let Some(list) = &r.in_person else {
        return Ok(None);
    };
    let name = format!("{field}.in_person");
    if kind != ShockKind::Pandemic {
        return Err(who
            .cx
            .at(list.span(), &name, "`in_person` goes with a pandemic only"));
    }
    let mut out: Vec<String> = Vec::new();
    for id in list.get_ref() {
        let id_str = id.get_ref();
        let Some(item) = items.iter().find(|it| &it.id == id_str) else {
            return Err(who
                .cx
                .at(id.span(), &name, format!("unknown item `{id_str}`")));
        };
        if item.meeting.is_none() {
            return Err(who.cx.at(
                id.span(),
                &name,
                format!("item `{id_str}` has no fixed meeting to postpone"),
            ));
        }
        if out.contains(id_str) {
            return Err(who
                .cx
                .at(id.span(), &name, format!("`{id_str}` is listed twice")));
        }
        out.push(id_str.clone());
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::super::parse as parse_file;

    const BASE: &str = r#"
[scenario]
name = "shocks"
start = "2026-03-02T00:00:00Z"

[members]
dataset = "wto"
only = ["BRA", "CHN", "USA"]

[[item]]
id = "x"
rule = "consensus"
meeting = { start = "2026-03-20T09:00:00Z", hours = 3 }
"#;

    fn error(shock: &str) -> String {
        let text = format!("{BASE}\n[[shock]]\n{shock}");
        parse_file("s.toml", &text)
            .expect_err("refused")
            .to_string()
    }

    #[test]
    fn a_good_shock_is_read_with_its_defaults() {
        let text = format!(
            "{BASE}\n[[shock]]\nkind = \"trade-war\"\nstart = \"2026-03-05T00:00:00Z\"\nend = \"2026-03-15T00:00:00Z\"\nmembers = [\"USA\", \"CHN\"]\n"
        );
        let s = parse_file("s.toml", &text).expect("parsed");
        let shock = &s.agenda.shocks[0];
        assert_eq!(shock.factor, crate::shock::DEFAULT_FACTOR);
        assert_eq!(shock.members[0].as_str(), "CHN", "sorted by id");
    }

    #[test]
    fn bad_shocks_name_file_line_and_field() {
        let e = error(
            "kind = \"war\"\nstart = \"2026-03-05T00:00:00Z\"\nend = \"2026-03-15T00:00:00Z\"\n",
        );
        assert!(
            e.contains("s.toml:16:") && e.contains("`shock[0].kind`"),
            "{e}"
        );
        assert!(e.contains("unknown kind of shock `war`"), "{e}");
        let e = error(
            "kind = \"trade-war\"\nstart = \"2026-03-05T00:00:00Z\"\nend = \"2026-03-15T00:00:00Z\"\nmembers = [\"USA\"]\n",
        );
        assert!(
            e.contains("`shock[0].members`") && e.contains("two Members"),
            "{e}"
        );
        let e = error(
            "kind = \"election\"\nstart = \"2026-03-05T00:00:00Z\"\nend = \"2026-03-01T00:00:00Z\"\nmembers = [\"USA\"]\n",
        );
        assert!(
            e.contains("`shock[0].end`") && e.contains("before it begins"),
            "{e}"
        );
        let e = error(
            "kind = \"populism\"\nstart = \"2026-03-01T00:00:00Z\"\nend = \"2026-03-09T00:00:00Z\"\nmembers = [\"USA\"]\n",
        );
        assert!(
            e.contains("`shock[0].start`") && e.contains("before the scenario"),
            "{e}"
        );
        let e = error(
            "kind = \"pandemic\"\nstart = \"2026-03-05T00:00:00Z\"\nend = \"2026-03-15T00:00:00Z\"\nfactor = 0.5\n",
        );
        assert!(e.contains("`shock[0].factor`"), "{e}");
        let e = error(
            "kind = \"pandemic\"\nstart = \"2026-03-05T00:00:00Z\"\nend = \"2026-03-15T00:00:00Z\"\nin_person = [\"y\"]\n",
        );
        assert!(
            e.contains("`shock[0].in_person`") && e.contains("unknown item"),
            "{e}"
        );
        let e = error(
            "kind = \"election\"\nstart = \"2026-03-05T00:00:00Z\"\nend = \"2026-03-15T00:00:00Z\"\nmembers = [\"USA\"]\nfactor = 1.5\n",
        );
        assert!(
            e.contains("`shock[0].factor`") && e.contains("outside 0..1"),
            "{e}"
        );
        let e = error(
            "kind = \"election\"\nstart = \"2026-03-05T00:00:00Z\"\nend = \"2026-03-15T00:00:00Z\"\nmembers = [\"XXX\"]\n",
        );
        assert!(e.contains("unknown member id `XXX`"), "{e}");
    }
}
