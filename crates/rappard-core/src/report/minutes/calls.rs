//! Calls in the minutes: what the Secretariat asked, and the answers.
//!
//! A call is written as one line when it closes, not as its answers come
//! in: the line names the item and what was asked, then either each answer
//! by name (few answers, or answers that matter one by one, such as
//! objections and signatures) or the counts (many positions, reactions,
//! votes or joins), then who did not answer. So the answers are kept in a
//! [`CallNote`] from the call's issue to its close.

use std::fmt::Write as _;

use super::Minutes;
use super::format::{level, lower, short_list};
use crate::member::MemberId;
use crate::protocol::CallKind;
use crate::protocol::{Reaction, Stated, Vote};
use crate::record::Event;
use crate::rules::Votes;
use crate::time::Timestamp;

/// Up to this many answers, each is listed by name; beyond, they are counted.
const LIST_ANSWERS_UP_TO: usize = 12;

/// An open call: what it asks, and the answers so far.
pub(super) struct CallNote {
    item: String,
    kind: CallKind,
    round: u32,
    /// How many were asked.
    awaited: usize,
    /// Each answer as the minutes name it (`CHE support`).
    answers: Vec<String>,
    tally: Tally,
}

/// The answers to a call, counted by kind of answer. A call is only ever
/// answered in the kind it asks for, so one field counts for each call.
#[derive(Default)]
pub(super) struct Tally {
    /// Positions stated.
    stated: u32,
    /// Reactions to a text.
    reactions: Reactions,
    /// Votes, weighted by the votes each delegation holds.
    votes: Votes,
    /// Members that joined an initiative.
    pub(super) joined: u32,
    /// Bilateral deals made with an applicant.
    pub(super) deals: u32,
}

/// Reactions to a text, counted.
#[derive(Default)]
struct Reactions {
    support: u32,
    reserve: u32,
    object: u32,
}

impl Minutes {
    /// Counts an answer to an open call.
    pub(super) fn count(&mut self, call: u64, count: impl FnOnce(&mut Tally)) {
        if let Some(n) = self.open_calls.get_mut(&call) {
            count(&mut n.tally);
        }
    }

    /// Records an answer to an open call, by name.
    pub(super) fn answer(&mut self, call: u64, answer: String) {
        if let Some(n) = self.open_calls.get_mut(&call) {
            n.answers.push(answer);
        }
    }

    /// Calls issued, the answers to them (positions, signatures,
    /// reactions, objections and votes), and calls closed.
    pub(super) fn calls(&mut self, at: Timestamp, event: &Event) {
        match event {
            Event::CallIssued {
                call,
                subject,
                kind,
                round,
                awaited,
                ..
            } => {
                match kind {
                    CallKind::WrittenObjections => {
                        let _ = writeln!(self.out, "\n{at} written procedure closes");
                    }
                    CallKind::CertificationObjections => {
                        let _ = writeln!(
                            self.out,
                            "\n{at} the three months for objections to the schedule modifications end"
                        );
                    }
                    _ => {}
                }
                let note = CallNote {
                    item: subject.key().into_owned(),
                    kind: *kind,
                    round: *round,
                    awaited: awaited.len(),
                    answers: Vec::new(),
                    tally: Tally::default(),
                };
                self.open_calls.insert(*call, note);
            }
            Event::PositionStated {
                call,
                member,
                position,
            } => {
                let said = match position {
                    Stated::Level(l) => level(*l),
                    Stated::Stance(s) => lower(s),
                };
                self.counted(*call, format!("{member} {said}"), |t| t.stated += 1);
            }
            Event::ReactionGiven {
                call,
                member,
                reaction,
            } => {
                let said = format!("{member} {}", lower(reaction));
                self.counted(*call, said, |t| t.reactions.add(*reaction));
            }
            Event::VoteCast {
                call,
                member,
                vote,
                weight,
            } => self.vote(*call, member, *vote, *weight),
            Event::DraftSigned {
                call,
                member,
                signed,
            } => {
                let said = if *signed { "signs" } else { "does not sign" };
                self.answer(*call, format!("{member} {said}"));
            }
            Event::ObjectionRaised { call, member } => {
                self.answer(*call, format!("{member} objects"));
            }
            Event::CallClosed { call, unanswered } => self.call_closed(at, *call, unanswered),
            _ => {}
        }
    }

    /// Records an answer to an open call by name, and counts it.
    fn counted(&mut self, call: u64, answer: String, count: impl FnOnce(&mut Tally)) {
        self.count(call, count);
        self.answer(call, answer);
    }

    /// A vote, named with its weight when a delegation holds more than one.
    fn vote(&mut self, call: u64, member: &MemberId, vote: Vote, weight: u32) {
        let weighs = if weight == 1 {
            String::new()
        } else {
            format!(" ({weight} votes)")
        };
        let said = format!("{member} {}{weighs}", lower(&vote));
        self.counted(call, said, |t| {
            let votes = &mut t.votes;
            match vote {
                Vote::Yes => votes.yes += weight,
                Vote::No => votes.no += weight,
                Vote::Abstain => votes.abstain += weight,
            }
        });
    }

    /// A call closes: its line, with who did not answer. An applicant's
    /// offer opens a bilateral round, so its line carries the time.
    fn call_closed(&mut self, at: Timestamp, call: u64, unanswered: &[MemberId]) {
        let Some(n) = self.open_calls.remove(&call) else {
            return;
        };
        let w = &mut self.out;
        if n.kind == CallKind::BilateralOffer {
            let _ = write!(w, "{at} ");
        } else {
            let _ = write!(w, "  ");
        }
        let _ = write!(w, "[{}] {}: {}", n.item, n.head(), n.body());
        if !unanswered.is_empty() {
            let _ = write!(w, "; no answer from {}", short_list(unanswered));
        }
        let _ = writeln!(w);
    }
}

impl Reactions {
    fn add(&mut self, reaction: Reaction) {
        match reaction {
            Reaction::Support => self.support += 1,
            Reaction::Reserve => self.reserve += 1,
            Reaction::Object => self.object += 1,
        }
    }
}

impl CallNote {
    /// What was asked.
    fn head(&self) -> String {
        let round = self.round;
        match self.kind {
            CallKind::Positions => format!("round {round}: positions"),
            CallKind::Signatures => "co-chairs' signatures".into(),
            CallKind::Reactions => format!("round {round}: reactions"),
            CallKind::Objections => "formal objections".into(),
            CallKind::Votes => "vote".into(),
            CallKind::WrittenObjections => "written objections".into(),
            CallKind::PackageObjections => "formal objections to the whole package".into(),
            CallKind::Join => format!("round {round}: joining"),
            CallKind::BilateralOffer => format!("bilateral round {round}: offer"),
            CallKind::BilateralResponse => {
                format!("bilateral round {round}: Working Party members without a deal")
            }
            CallKind::Annex4Objections => {
                "formal objections to adding it to Annex 4 (Art. X:9)".into()
            }
            CallKind::CertificationObjections => {
                "objections to certifying the schedule modifications".into()
            }
            CallKind::Confessional => format!("confessionals before round {round}"),
        }
    }

    /// Whether each answer is named, rather than counted.
    fn names_answers(&self) -> bool {
        self.kind != CallKind::Join
            && (self.awaited <= LIST_ANSWERS_UP_TO
                || matches!(
                    self.kind,
                    CallKind::Objections
                        | CallKind::WrittenObjections
                        | CallKind::Signatures
                        | CallKind::PackageObjections
                        | CallKind::Annex4Objections
                        | CallKind::CertificationObjections
                ))
    }

    /// The answers: by name, or counted.
    fn body(&self) -> String {
        let t = &self.tally;
        if self.kind == CallKind::BilateralResponse {
            format!("{} of {} accept", t.deals, self.awaited)
        } else if self.kind == CallKind::Confessional {
            format!("{} asked, each in private", self.awaited)
        } else if self.names_answers() {
            if self.answers.is_empty() {
                "none".into()
            } else {
                self.answers.join(", ")
            }
        } else {
            match self.kind {
                CallKind::Positions => format!("{} stated", t.stated),
                CallKind::Reactions => {
                    let r = &t.reactions;
                    format!(
                        "{} support, {} reserve, {} object",
                        r.support, r.reserve, r.object
                    )
                }
                CallKind::Votes => {
                    let v = &t.votes;
                    format!("{} yes, {} no, {} abstain", v.yes, v.no, v.abstain)
                }
                CallKind::Join => format!("{} of {} asked join", t.joined, self.awaited),
                _ => String::new(),
            }
        }
    }
}
