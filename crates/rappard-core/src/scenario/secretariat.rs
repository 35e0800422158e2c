//! `[secretariat]`: whether the Director-General stays passive on a
//! stalled item or steps in with confessionals and a bridging proposal
//! (the mechanism, its sources and its assumptions are in
//! `secretariat::mediation`), and whether a proactive Director-General
//! links two stalled items into a package (`link_after`; the mechanism in
//! `secretariat::package_deal`, the delegations' side in
//! [`crate::package_deal`]).
//!
//! ```toml
//! [secretariat]
//! mode = "proactive"     # or "passive" (the default)
//! bridging_after = 2     # rounds in a row without movement
//! link_after = 3         # link two items stalled this long (default: never)
//! ```
//!
//! Without the table, the Secretariat is passive: today's behaviour.
//! Without `link_after`, a proactive Secretariat links nothing: the
//! behaviour before packages were modelled.

use super::error::{Ctx, ScenarioError};
use super::raw::RawSecretariat;

/// How the Secretariat meets a stall.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SecretariatMode {
    /// It does nothing about a stall: rounds go on until the item is
    /// tabled or lapses at its deadline.
    #[default]
    Passive,
    /// The Director-General holds confessionals and makes a bridging
    /// proposal once an item has stalled.
    Proactive,
}

impl SecretariatMode {
    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Passive => "passive",
            Self::Proactive => "proactive",
        }
    }
}

/// The Secretariat's office (`[secretariat]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SecretariatSpec {
    /// Passive or proactive.
    pub mode: SecretariatMode,
    /// Rounds in a row without movement before a proactive
    /// Director-General steps in.
    pub bridging_after: u32,
    /// Rounds in a row without movement after which a proactive
    /// Director-General links two such items into a package; `None` (the
    /// default): never.
    pub link_after: Option<u32>,
}

impl Default for SecretariatSpec {
    fn default() -> Self {
        Self {
            mode: SecretariatMode::Passive,
            bridging_after: crate::secretariat::DEFAULT_BRIDGING_AFTER,
            link_after: None,
        }
    }
}

/// Reads `[secretariat]`, or the defaults without it.
pub(super) fn parse(
    cx: &Ctx<'_>,
    s: Option<&RawSecretariat>,
) -> Result<SecretariatSpec, ScenarioError> {
    let mut out = SecretariatSpec::default();
    let Some(s) = s else {
        return Ok(out);
    };
    if let Some(m) = &s.mode {
        out.mode = match m.get_ref().as_str() {
            "passive" => SecretariatMode::Passive,
            "proactive" => SecretariatMode::Proactive,
            other => {
                return Err(cx.at(
                    m.span(),
                    "secretariat.mode",
                    format!("unknown mode `{other}`; use passive or proactive"),
                ));
            }
        };
    }
    out.bridging_after = cx.positive_or(
        s.bridging_after.as_ref(),
        "secretariat.bridging_after",
        100,
        out.bridging_after,
    )?;
    if let Some(k) = &s.link_after {
        let field = "secretariat.link_after";
        if out.mode != SecretariatMode::Proactive {
            return Err(cx.at(
                k.span(),
                field,
                "only a proactive Director-General links items: set mode = \"proactive\"",
            ));
        }
        out.link_after = Some(cx.positive(k, field, 100)?);
    }
    Ok(out)
}
