//! Texts and decisions in the minutes.
//!
//! An item's way to a decision: the chair's texts issued or withheld, the
//! rounds that end with objections, the text tabled, its circulation for
//! written procedure, the decision (or, during a consensus period, consensus
//! not reached), the item lapsing, under the single undertaking the item
//! agreed for the whole package, and the packages of two stalled items a
//! proactive Director-General links.

use std::fmt::Write as _;

use super::Minutes;
use super::format::{by, level, list, short_list};
use crate::record::Event;
use crate::rules::{How, Outcome};
use crate::time::Timestamp;

impl Minutes {
    /// The chair's texts, and the rounds that end with objections.
    pub(super) fn texts(&mut self, event: &Event) {
        let w = &mut self.out;
        match event {
            Event::DraftIssued {
                item,
                version,
                text,
            } => {
                let _ = writeln!(
                    w,
                    "  [{item}] chair's text v{version} issued at level {}",
                    level(*text)
                );
            }
            Event::DraftWithheld {
                item,
                round,
                unsigned,
            } => {
                let _ = writeln!(
                    w,
                    "  [{item}] round {round}: no text issued, not signed by {}",
                    list(unsigned)
                );
            }
            Event::TextDrafted {
                item,
                round,
                policy,
                biased,
                median,
                text,
            } => {
                let bias = if *biased {
                    ", with the chair's bias"
                } else {
                    ""
                };
                let _ = writeln!(
                    w,
                    "  [{item}] round {round}: the chair drafts at {} ({policy}{bias}); the Members' median is {}, {} away",
                    level(*text),
                    level(*median),
                    level(text.abs_diff(*median))
                );
            }
            Event::DraftRevised {
                item,
                round,
                revision,
                unsigned,
                text,
            } => {
                let _ = writeln!(
                    w,
                    "  [{item}] round {round}: not signed by {}; the co-chairs' revision {revision} at {}",
                    list(unsigned),
                    level(*text)
                );
            }
            Event::RevisionsExhausted {
                item,
                round,
                unsigned,
                text,
            } => {
                let _ = writeln!(
                    w,
                    "  [{item}] round {round}: still not signed by {}; revisions exhausted, the chair goes on with {}",
                    list(unsigned),
                    level(*text)
                );
            }
            Event::ConfessionalsHeld { item, round, heard } => {
                let _ = writeln!(
                    w,
                    "  [{item}] after round {round}: the Director-General hears {} in confessionals (what each said stays with the Secretariat)",
                    short_list(heard)
                );
            }
            Event::BridgingProposed { item, round, text } => {
                let _ = writeln!(
                    w,
                    "  [{item}] after round {round}: the Director-General's bridging proposal at {}, the text with the fewest objections",
                    level(*text)
                );
            }
            Event::PackageLinked {
                items,
                texts,
                stalled,
            } => {
                let each: Vec<String> = items
                    .iter()
                    .zip(texts)
                    .zip(stalled)
                    .map(|((i, t), k)| format!("[{i}] at {} (stalled {k} rounds)", level(*t)))
                    .collect();
                let _ = writeln!(
                    w,
                    "  the Director-General links {} into a package, to be decided together",
                    each.join(" and ")
                );
            }
            Event::RoundConcluded {
                item,
                round,
                objectors,
            } if !objectors.is_empty() => {
                let _ = writeln!(
                    w,
                    "  [{item}] round {round} ends with objections from {}",
                    short_list(objectors)
                );
            }
            Event::TextTabled {
                item,
                version,
                reason,
            } => {
                let _ = writeln!(
                    w,
                    "  [{item}] text v{version} tabled for decision ({reason})"
                );
            }
            _ => {}
        }
    }

    /// Written procedure opened, decisions taken, items lapsed.
    pub(super) fn decisions(&mut self, at: Timestamp, event: &Event) {
        let w = &mut self.out;
        match event {
            Event::WrittenProcedureOpened {
                item,
                version,
                deadline,
            } => {
                let _ = writeln!(
                    w,
                    "  [{item}] text v{version} circulated for written procedure until {deadline}"
                );
            }
            Event::DecisionTaken {
                item,
                version,
                rule,
                outcome,
                how,
                present,
                objectors,
                votes,
                required,
                ..
            } => {
                let adopted = *outcome == Outcome::Adopted;
                let outcome = format!("{outcome:?}").to_uppercase();
                let how = match how {
                    How::Vote => format!("{} ({rule})", by(*how)),
                    _ => by(*how).to_owned(),
                };
                let on = if *version == 0 {
                    String::new()
                } else {
                    format!(" on text v{version}")
                };
                let _ = write!(
                    w,
                    "  [{item}] DECISION{on}: {outcome} {how}; {} Members present; objections: {}",
                    present.len(),
                    list(objectors)
                );
                if let (Some(v), Some(req)) = (votes, required) {
                    let _ = write!(
                        w,
                        "; {} yes, {} no, {} abstain, {req} yes needed",
                        v.yes, v.no, v.abstain
                    );
                }
                let _ = writeln!(w);
                if adopted {
                    self.submitted_for_acceptance(item);
                }
            }
            Event::WrittenProcedureFailed { item, objectors } => {
                let _ = writeln!(
                    w,
                    "\n{at} [{item}] WRITTEN PROCEDURE FAILED: objected to by {}; the matter returns to the next formal meeting",
                    list(objectors)
                );
            }
            Event::ConsensusNotReached {
                item,
                objectors,
                until,
                ..
            } => self.consensus_not_reached(item, objectors, *until),
            Event::NoQuorum {
                item,
                present,
                required,
            } => {
                let _ = writeln!(
                    w,
                    "  [{item}] NO QUORUM: {present} Members present, {required} needed; the decision moves to the next meeting"
                );
            }
            Event::LinkedPackageDecided {
                items,
                outcome,
                objectors,
            } => {
                let items: Vec<String> = items.iter().map(|i| format!("[{i}]")).collect();
                let outcome = format!("{outcome:?}").to_uppercase();
                let _ = writeln!(
                    w,
                    "  PACKAGE {}: {outcome} by consensus; objections to the package: {}",
                    items.join("+"),
                    list(objectors)
                );
            }
            Event::ItemLapsed { item, reason } => {
                let _ = writeln!(w, "\n{at} [{item}] LAPSED: {reason}");
            }
            Event::ItemWithdrawn {
                item,
                rounds,
                objectors,
            } => {
                let _ = writeln!(
                    w,
                    "\n{at} [{item}] WITHDRAWN by the chair after {rounds} rounds without convergence (objections from {})",
                    short_list(objectors)
                );
            }
            _ => self.pressure(at, event),
        }
    }

    /// Under the single undertaking: an item agreed, to be adopted with the
    /// whole package.
    pub(super) fn package(&mut self, event: &Event) {
        if let Event::ItemAgreed { item, version, how } = event {
            let _ = writeln!(
                self.out,
                "  [{item}] text v{version} AGREED {}, to be adopted with the whole package",
                by(*how)
            );
        }
    }
}
