//! Named rules and amendments in the minutes.
//!
//! An item under a named rule says on the agenda what it is and how it is
//! decided (a waiver: consensus until the end of its period, then
//! three-fourths of the Members). A waiver or an amendment whose consensus
//! fails during its period says that no vote is taken yet, and until when.
//! An amendment, once the decision to submit it is taken, is accepted
//! Member by Member: each deposit is a line with the count against
//! two-thirds of the Members, and the day the count reaches it the
//! amendment enters into force (Marrakesh Agreement Art. X:3).

use std::fmt::Write as _;

use super::Minutes;
use super::format::{list, short_list};
use crate::member::MemberId;
use crate::protocol::PACKAGE_KEY;
use crate::record::Event;
use crate::rules::{NamedRule, Rule};
use crate::time::Timestamp;

/// The date of an instant, or the instant itself if it is not midnight
/// UTC.
pub(super) fn day(t: Timestamp) -> String {
    if t.unix() % 86_400 == 0 {
        t.datetime().format("%Y-%m-%d").to_string()
    } else {
        t.to_string()
    }
}

/// How an item under a named rule is decided, for the agenda.
pub(super) fn named_rule(n: NamedRule, rule: Rule, until: Option<Timestamp>) -> String {
    let mut out = format!("{n} ({})", n.source());
    let _ = match (until, rule) {
        (Some(u), Rule::Consensus) => write!(
            out,
            ": by consensus only; the period for consensus runs until {}",
            day(u)
        ),
        (Some(u), _) => write!(out, ": by consensus until {}, then {rule}", day(u)),
        (None, _) => write!(out, ": {rule}"),
    };
    if n.needs_acceptance() {
        out.push_str("; in force when two-thirds of the Members have accepted it");
    }
    out
}

impl Minutes {
    /// No consensus during a consensus period: no vote yet.
    pub(super) fn consensus_not_reached(
        &mut self,
        item: &str,
        objectors: &[MemberId],
        until: Timestamp,
    ) {
        let _ = writeln!(
            self.out,
            "  [{item}] consensus not reached (objections: {}); the period for consensus runs until {}: no vote before then, consultations continue",
            list(objectors),
            day(until)
        );
    }

    /// A decision adopted `item` (or the whole package, with every item in
    /// it): an amendment now goes to the Members.
    pub(super) fn submitted_for_acceptance(&mut self, item: &str) {
        let mut amendments: Vec<&String> = self
            .named
            .iter()
            .filter(|(i, n)| **n == NamedRule::Amendment && (*i == item || item == PACKAGE_KEY))
            .map(|(i, _)| i)
            .collect();
        amendments.sort();
        for a in amendments {
            let _ = writeln!(
                self.out,
                "  [{a}] the amendment is submitted to the Members for acceptance: it enters into force for those that accept it once two-thirds of the Members have (Art. X:3)"
            );
        }
    }

    /// Acceptances deposited, and the amendment's entry into force.
    pub(super) fn amendments(&mut self, at: Timestamp, event: &Event) {
        let date = at.datetime().format("%Y-%m-%d");
        match event {
            Event::AcceptanceDeposited {
                item,
                member,
                covers,
                applicant,
                accepted,
                required,
                members,
            } => {
                let who = match (covers.len(), applicant) {
                    (0, false) => format!("{member} accepts"),
                    (0, true) => {
                        format!("{member} accepts as an applicant, to count once it is a Member")
                    }
                    (n, _) => format!("{member} accepts, for itself and its {n} member States"),
                };
                let _ = write!(
                    self.out,
                    "{date} [{item}] {who}: {accepted} of {members} Members have accepted"
                );
                if self.in_force.contains(item) {
                    let _ = writeln!(self.out);
                } else {
                    let _ = writeln!(self.out, ", {required} needed");
                }
            }
            Event::AmendmentInForce {
                item,
                in_force_for,
                accepted,
                required,
                members,
            } => {
                if self.in_force.insert(item.clone()) {
                    let _ = writeln!(
                        self.out,
                        "\n{date} [{item}] ENTERS INTO FORCE for the {accepted} Members that have accepted it: two-thirds of the {members} Members, {required}, were needed (Art. X:3)"
                    );
                } else {
                    let _ = writeln!(
                        self.out,
                        "  [{item}] now in force for {} too",
                        short_list(in_force_for)
                    );
                }
            }
            _ => {}
        }
    }
}
