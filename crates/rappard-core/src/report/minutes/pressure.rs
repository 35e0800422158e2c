//! Pressure and linkage in the minutes (`[pressure]`; rules and sources in
//! [`crate::pressure`]): the linkages declared and satisfied, each
//! objection downgraded to a reservation, and, when there was one, the
//! false-consensus index at the end.

use std::fmt::Write as _;

use super::Minutes;
use super::format::{level, list};
use crate::record::{Event, Record};
use crate::report::Report;
use crate::time::Timestamp;

impl Minutes {
    /// One pressure or linkage event.
    pub(super) fn pressure(&mut self, at: Timestamp, event: &Event) {
        let w = &mut self.out;
        match event {
            Event::LinkageDeclared {
                member,
                item,
                until,
                level: l,
            } => {
                let _ = writeln!(
                    w,
                    "Linkage: {member} will object to [{item}] until [{until}] is adopted at {} or more",
                    level(*l)
                );
            }
            Event::LinkageSatisfied {
                member,
                item,
                until,
                text,
            } => {
                let _ = writeln!(
                    w,
                    "{at} [{item}] linkage satisfied: [{until}] adopted at {}; {member} lifts its hold",
                    level(*text)
                );
            }
            Event::ObjectionWithdrawn {
                item,
                member,
                dependence,
                depends_on,
                ..
            } => {
                let _ = writeln!(
                    w,
                    "  [{item}] {member} withdraws its objection under pressure, with a reservation (dependence {}.{:02}% on the supporters: {})",
                    dependence / 100,
                    dependence % 100,
                    list(depends_on)
                );
            }
            _ => {}
        }
    }

    /// The false-consensus index, after a run in which a Member withdrew
    /// an objection under pressure (nothing otherwise).
    pub(super) fn false_consensus(&mut self, record: &Record) {
        let any = record
            .entries()
            .iter()
            .any(|e| matches!(e.event, Event::ObjectionWithdrawn { .. }));
        if !any {
            return;
        }
        let p = Report::from_record(record).pressure;
        let _ = writeln!(
            self.out,
            "False consensus: {} of {} adopted texts lie outside the tolerance of a Member that stayed silent under pressure (index {:.3}).",
            p.adopted_under_pressure, p.adopted, p.false_consensus_index
        );
    }
}
