//! Members' amendments to the chair's text and texts the chair withholds,
//! in the minutes (`crate::proposal`).

use std::fmt::Write as _;

use super::Minutes;
use super::format::level;
use crate::record::Event;

impl Minutes {
    /// An amendment proposed, taken up or not; a text withheld.
    pub(super) fn proposals(&mut self, event: &Event) {
        let w = &mut self.out;
        match event {
            Event::AmendmentProposed {
                item,
                round,
                member,
                level: asked,
                against,
                chance,
                ..
            } => {
                let _ = writeln!(
                    w,
                    "  [{item}] round {round}: {member} proposes an amendment, {} for {} (a {}.{:02}% chance of uptake)",
                    level(*asked),
                    level(*against),
                    chance / 100,
                    chance % 100
                );
            }
            Event::AmendmentTakenUp {
                item,
                round,
                member,
            } => {
                let _ = writeln!(
                    w,
                    "  [{item}] round {round}: the chair takes up {member}'s amendment"
                );
            }
            Event::AmendmentNotTakenUp {
                item,
                round,
                member,
            } => {
                let _ = writeln!(
                    w,
                    "  [{item}] round {round}: the chair does not take up {member}'s amendment"
                );
            }
            Event::TextWithheld {
                item,
                round,
                spread,
                below,
            } => {
                let _ = writeln!(
                    w,
                    "  [{item}] round {round}: the chair withholds its text; the positions stated span {}, not below {}",
                    level(*spread),
                    level(*below)
                );
            }
            _ => {}
        }
    }
}
