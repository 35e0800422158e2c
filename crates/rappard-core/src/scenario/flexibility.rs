//! The `sdt` key of `[[item]]` and `[[initiative]]`: flexibilities for
//! developing Members and LDCs ([`crate::flexibility`] gives the model and
//! its sources).
//!
//! ```toml
//! [[item]]
//! id = "fish"
//! rule = "consensus"
//! sdt = { tolerance_widening = 0.1, transition_years = 2, for = ["developing", "least-developed"] }
//! ```
//!
//! `tolerance_widening` is a share of the 0–1 scale (default 0),
//! `transition_years` a whole number of years in 0..=30 (default 0), `for`
//! the development statuses that benefit (default developing and
//! least-developed). Without `sdt`, no flexibility: today's behaviour.

use std::collections::BTreeMap;

use toml::Spanned;

use super::error::{Ctx, ScenarioError};
use super::raw::{RawInitiative, RawItem, RawSdt};
use crate::flexibility::Flexibility;
use crate::member::Development;

/// The longest transition period a scenario may give, in years.
const MAX_TRANSITION_YEARS: i64 = 30;

/// The flexibilities of the items and initiatives that have them, by id.
pub(super) fn parse(
    cx: &Ctx<'_>,
    items: &[RawItem],
    initiatives: &[RawInitiative],
) -> Result<BTreeMap<String, Flexibility>, ScenarioError> {
    let mut out = BTreeMap::new();
    for (k, i) in items.iter().enumerate() {
        if let Some(sdt) = &i.sdt {
            let field = format!("item[{k}].sdt");
            out.insert(i.id.get_ref().clone(), one(cx, sdt, &field)?);
        }
    }
    for (k, i) in initiatives.iter().enumerate() {
        if let Some(sdt) = &i.sdt {
            let field = format!("initiative[{k}].sdt");
            out.insert(i.id.get_ref().clone(), one(cx, sdt, &field)?);
        }
    }
    Ok(out)
}

/// One `sdt` table.
fn one(cx: &Ctx<'_>, sdt: &Spanned<RawSdt>, field: &str) -> Result<Flexibility, ScenarioError> {
    let s = sdt.get_ref();
    let tolerance_widening = s
        .tolerance_widening
        .as_ref()
        .map(|v| cx.level(v, &format!("{field}.tolerance_widening")))
        .transpose()?
        .unwrap_or(0);
    let transition_years = match &s.transition_years {
        Some(y) => {
            let x = *y.get_ref();
            if !(0..=MAX_TRANSITION_YEARS).contains(&x) {
                return Err(cx.at(
                    y.span(),
                    &format!("{field}.transition_years"),
                    format!("{x} is outside 0..={MAX_TRANSITION_YEARS}"),
                ));
            }
            x as u32
        }
        None => 0,
    };
    let beneficiaries = match &s.beneficiaries {
        Some(list) => {
            let mut out = Vec::new();
            for d in list {
                let d = cx.development(d, &format!("{field}.for"))?;
                if !out.contains(&d) {
                    out.push(d);
                }
            }
            out.sort();
            out
        }
        None => vec![Development::Developing, Development::LeastDeveloped],
    };
    if beneficiaries.is_empty() {
        return Err(cx.at(
            sdt.span(),
            &format!("{field}.for"),
            "names no development status; use developing and/or least-developed",
        ));
    }
    Ok(Flexibility {
        tolerance_widening,
        transition_years,
        beneficiaries,
    })
}
