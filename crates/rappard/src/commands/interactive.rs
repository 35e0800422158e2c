//! `rappard member --id BRA --interactive`: a delegation played by a
//! person at a terminal.
//!
//! For each call that awaits the delegation it prints the call (its kind,
//! subject, round, the chair's text), when it falls in the negotiation, the
//! real deadline for an answer in the delegation's local time and in the
//! person's, and the allowed choices; it reads one line from standard
//! input, asks again with what was wrong if the line is not one of the
//! choices, and hands the answer to the node, which sends it as it sends a
//! strategy's (`rappard_net::person`). The delegation's brief (its private
//! instructions from the scenario) is printed once, at the start.
//!
//! The Secretariat closes a call at its `--answer-timeout`; this side
//! stops waiting at its own `--answer-timeout` (give the same value),
//! counted from when the call reached the node, and the delegation is then
//! recorded as not answering, as an absent one is. When standard input
//! closes, the remaining calls go unanswered.

use std::io::{BufRead, Write};
use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rappard_core::member::MemberId;
use rappard_core::protocol::{Answer, Call, CallKind, MAX_LEVEL, Reaction, Stance, Stated, Vote};
use rappard_core::scenario::{Agenda, Instructions, PositionSpec};
use rappard_core::sessions::{GENEVA, Venue};
use rappard_core::time::Timestamp;
use rappard_net::person::{AnswerSource, Pending};
use tokio::sync::mpsc;

/// A person at a terminal (module doc).
pub struct Terminal {
    me: MemberId,
    /// Where the delegation sits.
    seat: Tz,
    /// The person's zone.
    user: Tz,
    /// How long to wait for a line.
    timeout: Duration,
    /// Lines of standard input, read by a thread of their own.
    lines: mpsc::UnboundedReceiver<String>,
}

impl Terminal {
    /// A terminal for delegation `me` of `agenda`; prints its brief and
    /// starts reading standard input.
    pub fn new(
        me: MemberId,
        agenda: &Agenda,
        instructions: &Instructions,
        user: Tz,
        timeout: Duration,
    ) -> Self {
        let seat = match agenda.venue {
            Venue::Geneva => GENEVA,
            Venue::Virtual => agenda
                .membership
                .get(me.as_str())
                .map_or(Tz::UTC, |m| m.time_zone),
        };
        say(&brief(&me, agenda, instructions, seat));
        let (tx, lines) = mpsc::unbounded_channel();
        std::thread::spawn(move || {
            for line in std::io::stdin().lock().lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            me,
            seat,
            user,
            timeout,
            lines,
        }
    }

    /// Asks until a valid line, the deadline, or the end of input.
    async fn ask(&mut self, call: &Call, at: Option<Timestamp>) -> Option<Answer> {
        let deadline = tokio::time::Instant::now() + self.timeout;
        let due = wall_clock() + chrono::Duration::seconds(self.timeout.as_secs() as i64);
        say(&self.describe(call, at, due));
        loop {
            prompt(&format!("{}> ", self.me));
            match tokio::time::timeout_at(deadline, self.lines.recv()).await {
                Err(_) => {
                    say(&format!(
                        "\nTime is up: {} is recorded as not answering call {}.",
                        self.me, call.call
                    ));
                    return None;
                }
                Ok(None) => {
                    say("\nStandard input closed: this call and the next go unanswered.");
                    return None;
                }
                Ok(Some(line)) => match parse(call, &line) {
                    Ok(a) => return Some(a),
                    Err(why) => say(&why),
                },
            }
        }
    }

    /// The call, its times and its choices.
    fn describe(&self, call: &Call, at: Option<Timestamp>, due: DateTime<Utc>) -> String {
        let mut s = format!(
            "\n--- Call {} on {} (round {}, rule {}): {} ---\n",
            call.call,
            call.subject,
            call.round,
            call.rule,
            kind_name(call.kind)
        );
        match (&call.package, call.text) {
            (Some(texts), _) => {
                for t in texts {
                    s += &format!(
                        "The text on {}: {} (version {})\n",
                        t.item,
                        level(t.text),
                        t.version
                    );
                }
            }
            (None, Some(text)) if call.kind == CallKind::BilateralResponse => {
                s += &format!("The offer: {}\n", level(text));
            }
            (None, Some(text)) => {
                s += &format!(
                    "The chair's text: {} (version {})\n",
                    level(text),
                    call.version
                )
            }
            (None, None) => s += "No text yet.\n",
        }
        if let Some(t) = at {
            let local = t.datetime().with_timezone(&self.seat);
            s += &format!(
                "In the negotiation: {} UTC, {} at {}'s seat ({})\n",
                t.datetime().format("%Y-%m-%d %H:%M"),
                local.format("%H:%M"),
                self.me,
                self.seat
            );
        }
        s += &format!(
            "Answer by {} your time ({}), {} {} time ({}): {} s\n",
            due.with_timezone(&self.user).format("%H:%M:%S"),
            self.user,
            due.with_timezone(&self.seat).format("%H:%M:%S"),
            self.me,
            self.seat,
            self.timeout.as_secs()
        );
        s += &format!("Choices: {}", choices(call.kind));
        s
    }
}

impl AnswerSource for Terminal {
    fn answer<'a>(&'a mut self, call: &'a Call, at: Option<Timestamp>) -> Pending<'a> {
        Box::pin(self.ask(call, at))
    }

    fn outcome(&mut self, call: &Call, refused: Option<&str>) {
        match refused {
            None => say(&format!("Call {}: answer taken.", call.call)),
            Some(why) => say(&format!("Call {}: answer not taken: {why}", call.call)),
        }
    }
}

/// Prints a message and a newline on stdout, at once.
fn say(s: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{s}");
    let _ = out.flush();
}

/// Prints a prompt without a newline, at once.
fn prompt(s: &str) {
    let mut out = std::io::stdout().lock();
    let _ = write!(out, "{s}");
    let _ = out.flush();
}

/// Now, from the system clock (the command's, never the core's).
fn wall_clock() -> DateTime<Utc> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// A level as the 0–1 scale, two decimals.
fn level(l: u16) -> String {
    format!("{}.{:02}", l / MAX_LEVEL, (l % MAX_LEVEL) / 100)
}

/// What a call asks, in words.
fn kind_name(kind: CallKind) -> &'static str {
    match kind {
        CallKind::Positions => "state your position",
        CallKind::Signatures => "sign the draft as co-chair",
        CallKind::Reactions => "react to the chair's text",
        CallKind::Objections => "object to the decision, or not",
        CallKind::Votes => "vote",
        CallKind::WrittenObjections => "object in writing, or not",
        CallKind::PackageObjections => "object to the whole package, or not",
        CallKind::Join => "join the initiative, or not",
        CallKind::Annex4Objections => "object to adding the agreement to Annex 4, or not",
        CallKind::BilateralOffer => "make your market-access offer",
        CallKind::BilateralResponse => "accept the applicant's offer, or not",
        CallKind::CertificationObjections => "object to the certification, or not",
        CallKind::Confessional => {
            "tell the Director-General, in private, the texts you could accept"
        }
    }
}

/// The choices of a call's kind.
pub fn choices(kind: CallKind) -> &'static str {
    match kind {
        CallKind::Positions => "a level from 0 to 1 (e.g. 0.45), or object, support, abstain",
        CallKind::Signatures => "sign, refuse",
        CallKind::Reactions => "support, reserve, object",
        CallKind::Votes => "yes, no, abstain",
        CallKind::Join => "join, stay-out",
        CallKind::BilateralOffer => "a level from 0 to 1 (e.g. 0.45)",
        CallKind::BilateralResponse => "accept, refuse",
        CallKind::Confessional => "a range such as 0.40-0.60, or none",
        _ => "object, no-objection",
    }
}

/// A typed line as the answer to a call, or what is wrong with it.
pub fn parse(call: &Call, line: &str) -> Result<Answer, String> {
    let word = line.trim().to_lowercase();
    let answer = match (call.kind, word.as_str()) {
        (CallKind::Positions, "object") => Some(Answer::Position(Stated::Stance(Stance::Object))),
        (CallKind::Positions, "support") => Some(Answer::Position(Stated::Stance(Stance::Support))),
        (CallKind::Positions, "abstain") => Some(Answer::Position(Stated::Stance(Stance::Abstain))),
        (CallKind::Positions, w) => scale(w).map(|l| Answer::Position(Stated::Level(l))),
        (CallKind::BilateralOffer, w) => scale(w).map(Answer::Offer),
        (CallKind::Signatures, "sign") => Some(Answer::Signature(true)),
        (CallKind::Signatures, "refuse") => Some(Answer::Signature(false)),
        (CallKind::Reactions, "support") => Some(Answer::Reaction(Reaction::Support)),
        (CallKind::Reactions, "reserve") => Some(Answer::Reaction(Reaction::Reserve)),
        (CallKind::Reactions, "object") => Some(Answer::Reaction(Reaction::Object)),
        (CallKind::Votes, "yes") => Some(Answer::Vote(Vote::Yes)),
        (CallKind::Votes, "no") => Some(Answer::Vote(Vote::No)),
        (CallKind::Votes, "abstain") => Some(Answer::Vote(Vote::Abstain)),
        (CallKind::Join, "join") => Some(Answer::Join(true)),
        (CallKind::Join, "stay-out") => Some(Answer::Join(false)),
        (CallKind::BilateralResponse, "accept") => Some(Answer::Accept(true)),
        (CallKind::BilateralResponse, "refuse") => Some(Answer::Accept(false)),
        (CallKind::Confessional, "none") => Some(Answer::Confessional(None)),
        (CallKind::Confessional, w) => w.split_once('-').and_then(|(lo, hi)| {
            let (lo, hi) = (scale(lo.trim())?, scale(hi.trim())?);
            (lo <= hi).then_some(Answer::Confessional(Some((lo, hi))))
        }),
        (
            CallKind::Objections
            | CallKind::WrittenObjections
            | CallKind::PackageObjections
            | CallKind::Annex4Objections
            | CallKind::CertificationObjections,
            w,
        ) => match w {
            "object" => Some(Answer::Objection(true)),
            "no-objection" => Some(Answer::Objection(false)),
            _ => None,
        },
        _ => None,
    };
    answer.ok_or_else(|| {
        format!(
            "`{}` is not a choice for this call. Type one of: {}",
            line.trim(),
            choices(call.kind)
        )
    })
}

/// A number from 0 to 1 as a level (0 to 10,000), to the nearest ten
/// thousandth.
fn scale(w: &str) -> Option<u16> {
    let x: f64 = w.parse().ok()?;
    (0.0..=1.0)
        .contains(&x)
        .then(|| (x * f64::from(MAX_LEVEL)).round() as u16)
}

/// The delegation's brief: its instructions, item by item.
fn brief(me: &MemberId, agenda: &Agenda, instructions: &Instructions, seat: Tz) -> String {
    let mut s = format!(
        "You are the delegation of {me} in \"{}\" (venue {}, your seat's zone {seat}).\n\
         Your brief (private: no other delegation sees it):\n",
        agenda.name,
        agenda.venue.as_str()
    );
    for item in &agenda.items {
        let what = match instructions.get(&item.id) {
            Some(PositionSpec::Stance(st)) => format!(
                "hold the stance `{}` throughout",
                format!("{st:?}").to_lowercase()
            ),
            Some(PositionSpec::IdealPoint {
                ideal,
                tolerance,
                concession,
                ..
            }) => format!(
                "aim for a text near {}; accept one within {} of it, {} more each round",
                ideal.map_or("(your choice)".into(), level),
                tolerance.map_or("(your choice)".into(), level),
                concession.map_or("(your choice)".into(), level)
            ),
            None => "no instructions: use your judgement".into(),
        };
        s += &format!("- {} ({}): {what}\n", item.id, item.title);
    }
    s += "Levels run from 0 (least ambitious text) to 1 (most ambitious).";
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use rappard_core::protocol::Subject;
    use rappard_core::rules::Rule;

    fn call(kind: CallKind) -> Call {
        Call {
            call: 1,
            subject: Subject::Item("fish".into()),
            kind,
            round: 1,
            version: 1,
            text: Some(6_000),
            rule: Rule::Consensus,
            awaited: vec![MemberId::new("BRA").expect("id")],
            package: None,
            reference: None,
            flexibility: None,
            pressures: Vec::new(),
            shadow: None,
        }
    }

    #[test]
    fn typed_choices_become_answers() {
        let p = |k, l| parse(&call(k), l);
        assert_eq!(
            p(CallKind::Positions, " 0.45 "),
            Ok(Answer::Position(Stated::Level(4_500)))
        );
        assert_eq!(
            p(CallKind::Positions, "Object"),
            Ok(Answer::Position(Stated::Stance(Stance::Object)))
        );
        assert_eq!(
            p(CallKind::Reactions, "reserve"),
            Ok(Answer::Reaction(Reaction::Reserve))
        );
        assert_eq!(
            p(CallKind::Votes, "abstain"),
            Ok(Answer::Vote(Vote::Abstain))
        );
        assert_eq!(
            p(CallKind::Objections, "no-objection"),
            Ok(Answer::Objection(false))
        );
        assert_eq!(p(CallKind::Join, "join"), Ok(Answer::Join(true)));
        assert_eq!(
            p(CallKind::Signatures, "refuse"),
            Ok(Answer::Signature(false))
        );
    }

    #[test]
    fn anything_else_is_refused_with_the_choices() {
        for (kind, line) in [
            (CallKind::Positions, "1.5"),
            (CallKind::Positions, "-0.1"),
            (CallKind::Positions, "reserve"),
            (CallKind::Reactions, "yes"),
            (CallKind::Votes, ""),
            (CallKind::Objections, "maybe"),
        ] {
            let e = parse(&call(kind), line).expect_err(line);
            assert!(e.contains(choices(kind)), "{e}");
        }
    }
}
