//! `[pressure]`: pressure on lone objectors ("voting in the shadow") and
//! issue linkage; [`crate::pressure`] gives the mechanisms and their
//! sources.
//!
//! ```toml
//! [pressure]
//! shadow = true           # objectors may yield under pressure
//! max_objectors = 1       # at most this many objectors, itself included
//! threshold = 0.5         # dependence on the supporters, 0..1
//! dependence = { KEN = 0.7 }   # instead of the export-share proxy
//!
//! [[pressure.linkage]]
//! member = "IND"
//! item = "tf-protocol"    # objects to this item
//! until = "stockholding"  # until this one is adopted
//! level = 0.5             # at this level at least
//! ```
//!
//! Without the table every key takes its default: no pressure, no linkage,
//! today's behaviour.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::ItemSpec;
use super::error::ScenarioError;
use super::resolve::Resolver;
use crate::member::MemberId;
use crate::protocol::Level;

/// Default for [`PressureSpec::max_objectors`]: alone.
pub const DEFAULT_MAX_OBJECTORS: u32 = 1;

/// Default for [`PressureSpec::threshold`]: half, in basis points.
pub const DEFAULT_THRESHOLD: u16 = 5_000;

/// `[pressure]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPressure {
    #[serde(default)]
    shadow: Option<Spanned<bool>>,
    #[serde(default)]
    max_objectors: Option<Spanned<i64>>,
    #[serde(default)]
    threshold: Option<Spanned<f64>>,
    #[serde(default)]
    dependence: BTreeMap<Spanned<String>, Spanned<f64>>,
    #[serde(default)]
    linkage: Vec<RawLinkage>,
}

/// `[[pressure.linkage]]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLinkage {
    member: Spanned<String>,
    item: Spanned<String>,
    until: Spanned<String>,
    level: Spanned<f64>,
}

/// Pressure and linkage (`[pressure]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PressureSpec {
    /// Whether objectors may yield under pressure (`shadow`).
    pub shadow: bool,
    /// The most objectors, itself included, under which a Member yields.
    pub max_objectors: u32,
    /// The dependence at or above which it yields, in basis points.
    pub threshold: u16,
    /// Dependence given by the scenario, in basis points, instead of the
    /// export-share proxy.
    pub dependence: BTreeMap<MemberId, u16>,
    /// Linkages, in the file's order.
    pub linkages: Vec<Linkage>,
}

impl Default for PressureSpec {
    fn default() -> Self {
        Self {
            shadow: false,
            max_objectors: DEFAULT_MAX_OBJECTORS,
            threshold: DEFAULT_THRESHOLD,
            dependence: BTreeMap::new(),
            linkages: Vec::new(),
        }
    }
}

/// A Member's hold on one item until another reaches a level.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Linkage {
    /// The Member.
    pub member: MemberId,
    /// The item it objects to.
    pub item: String,
    /// The item it waits for.
    pub until: String,
    /// The level `until` must be adopted at, at least.
    pub level: Level,
}

/// A 0..1 value in basis points.
fn basis_points(who: &Resolver<'_>, v: &Spanned<f64>, field: &str) -> Result<u16, ScenarioError> {
    let x = *v.get_ref();
    if !(0.0..=1.0).contains(&x) {
        return Err(who.cx.at(v.span(), field, format!("{x} is outside 0..1")));
    }
    Ok((x * 10_000.0).round() as u16)
}

/// Reads `[pressure]`, or the defaults without it.
pub(super) fn parse(
    who: &Resolver<'_>,
    p: Option<&RawPressure>,
    items: &[ItemSpec],
) -> Result<PressureSpec, ScenarioError> {
    let mut out = PressureSpec::default();
    let Some(p) = p else {
        return Ok(out);
    };
    out.shadow = p.shadow.as_ref().is_some_and(|s| *s.get_ref());
    if let Some(m) = &p.max_objectors {
        out.max_objectors = who.cx.positive(m, "pressure.max_objectors", 1_000)?;
    }
    if let Some(t) = &p.threshold {
        out.threshold = basis_points(who, t, "pressure.threshold")?;
    }
    for (id, d) in &p.dependence {
        let field = format!("pressure.dependence.{}", id.get_ref());
        let member = who.member(id, &field)?;
        out.dependence.insert(member, basis_points(who, d, &field)?);
    }
    for (k, l) in p.linkage.iter().enumerate() {
        out.linkages.push(linkage(who, l, k, items)?);
    }
    Ok(out)
}

/// One `[[pressure.linkage]]`.
fn linkage(
    who: &Resolver<'_>,
    l: &RawLinkage,
    k: usize,
    items: &[ItemSpec],
) -> Result<Linkage, ScenarioError> {
    let field = |key: &str| format!("pressure.linkage[{k}].{key}");
    let member = who.member(&l.member, &field("member"))?;
    let item_id = |v: &Spanned<String>, key: &str| {
        let id = v.get_ref();
        if items.iter().any(|it| &it.id == id) {
            Ok(id.clone())
        } else {
            Err(who
                .cx
                .at(v.span(), &field(key), format!("unknown item `{id}`")))
        }
    };
    let item = item_id(&l.item, "item")?;
    let until = item_id(&l.until, "until")?;
    if item == until {
        return Err(who.cx.at(
            l.until.span(),
            &field("until"),
            "an item cannot wait for itself",
        ));
    }
    let level = who.cx.level(&l.level, &field("level"))?;
    Ok(Linkage {
        member,
        item,
        until,
        level,
    })
}
