//! The minutes' lines for regional trade agreements: notification and
//! review, each Member's spaghetti bowl and outside option, docking
//! (rules in `crate::rta`).

use std::fmt::Write as _;

use super::Minutes;
use super::format::{capped, level, list};
use crate::record::Event;

/// `n thing` or `n things`.
fn plural(n: usize, thing: &str) -> String {
    if n == 1 {
        format!("1 {thing}")
    } else {
        format!("{n} {thing}s")
    }
}

/// Basis points as a percentage with two decimals.
fn bp(x: u32) -> String {
    format!("{}.{:02}%", x / 100, x % 100)
}

impl Minutes {
    /// RTAs: written in the opening, before the initiatives.
    pub(super) fn regional(&mut self, event: &Event) {
        let w = &mut self.out;
        match event {
            Event::RtaNotified {
                rta,
                parties,
                entry_into_force,
                depth,
                rules_of_origin,
                notified_on,
            } => {
                let _ = writeln!(
                    w,
                    "RTA {rta} ({}; rules of origin: {rules_of_origin}): in force {entry_into_force}, notified {notified_on}; parties {}",
                    depth.as_str(),
                    list(parties)
                );
            }
            Event::RtaReviewScheduled {
                rta,
                committee,
                data_due,
                consideration_by,
            } => {
                let _ = writeln!(
                    w,
                    "  transparency review of {rta} in the {}: data due {data_due}, consideration by {consideration_by}",
                    committee.as_str()
                );
            }
            Event::RtaNotNotified {
                rta,
                parties,
                entry_into_force,
            } => {
                let _ = writeln!(
                    w,
                    "RTA {rta}: in force {entry_into_force}, NOT notified (no review); parties {}",
                    list(parties)
                );
            }
            Event::SpaghettiBowl {
                member,
                agreements,
                rules_of_origin,
                covered,
                factor,
            } => {
                let _ = writeln!(
                    w,
                    "spaghetti bowl {member}: {} ({}), {} rules-of-origin regime{}; partners {} of others' exports; tolerance and concession x{}",
                    plural(agreements.len(), "agreement"),
                    capped(agreements, String::clone),
                    rules_of_origin,
                    if *rules_of_origin == 1 { "" } else { "s" },
                    bp(*covered),
                    bp(*factor)
                );
            }
            Event::RtaDocked {
                rta,
                initiative,
                opening_text,
            } => {
                let _ = writeln!(
                    w,
                    "RTA {rta} docked into the WTO as the open plurilateral initiative [{initiative}], opening text at level {}",
                    level(*opening_text)
                );
            }
            _ => {}
        }
    }
}
