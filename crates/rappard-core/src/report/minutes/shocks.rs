//! The minutes of political shocks (`crate::shock`): when each begins, with
//! what it does, and when it ends.

use std::fmt::Write as _;

use super::Minutes;
use super::format::list;
use crate::record::Event;
use crate::shock::ShockKind;
use crate::time::Timestamp;

impl Minutes {
    /// A shock begins or ends.
    pub(super) fn shocks(&mut self, at: Timestamp, event: &Event) {
        match event {
            Event::ShockBegan {
                shock,
                kind,
                members,
                end,
                factor,
                postponed,
            } => {
                let what = match kind {
                    ShockKind::TradeWar => format!(
                        "trade war between {}: each objects to what the other supports",
                        list(members)
                    ),
                    ShockKind::Pandemic => "pandemic: the venue turns virtual".to_owned(),
                    ShockKind::Populism | ShockKind::Election => {
                        format!("{} in {}: concessions stop", kind.as_str(), list(members))
                    }
                };
                let kept = factor
                    .map(|f| format!("; each keeps {}.{:02} % of its tolerance", f / 100, f % 100))
                    .unwrap_or_default();
                let _ = writeln!(
                    self.out,
                    "SHOCK {} BEGAN {at}: {what}{kept}; until {end}.",
                    shock + 1
                );
                for p in postponed {
                    let _ = writeln!(
                        self.out,
                        "  in-person meeting on [{}] postponed from {} to {}",
                        p.item, p.from.start, p.to.start
                    );
                }
            }
            Event::ShockEnded { shock, kind } => {
                let back = if *kind == ShockKind::Pandemic {
                    ": the venue returns to the scenario's"
                } else {
                    ""
                };
                let _ = writeln!(
                    self.out,
                    "SHOCK {} ENDED {at} ({}){back}.",
                    shock + 1,
                    kind.as_str()
                );
            }
            _ => {}
        }
    }
}
