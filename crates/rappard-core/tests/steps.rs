//! The Secretariat one call at a time: golden scripts in `tests/steps/`,
//! run with the `goldenscript` crate.
//!
//! Each script sets up a small scenario and drives the Secretariat the way a
//! driver does (the module doc of `rappard_core::secretariat`): `step` until
//! a call is open, `answer` for the awaited delegations, `close` the call.
//! After each command the script shows what the record gained, one event a
//! line, so the protocol can be read move by move. At the end of a script
//! every named invariant (`rappard_core::invariants`) must hold over the
//! record.
//!
//! Commands:
//!
//! - `scenario '<TOML>'`: a scenario in the format of `docs/scenarios.md`,
//!   quoted with `'` (it may span lines, and holds no `'`); prints the
//!   opening events.
//! - `step`: runs until a call is open; prints the events on the way, then
//!   the call: its number, item, kind, round, text and awaited delegations.
//!   Prints `finished` when the negotiation has ended.
//! - `answer [MEMBER...] [KIND=VALUE]`: answers the open call for the named
//!   delegations (none named: every awaited one that has not answered). With
//!   `KIND=VALUE` each gives that answer: `position=4000` (a level) or
//!   `position=object|support|abstain` (a stance), `signature=BOOL`,
//!   `reaction=support|reserve|object`, `objection=BOOL`,
//!   `vote=yes|no|abstain`, `join=BOOL`, `offer=LEVEL`, `accept=BOOL`.
//!   Without it each answers by its own strategy (its instructions in the
//!   scenario). Prints who is still awaited. A refused answer is an error
//!   (expect it with `!answer`).
//! - `close`: closes the open call (those who did not answer are recorded
//!   as such) and prints the events it appended.
//! - `run [until=KIND]`: lets every awaited delegation that has not answered
//!   answer by its strategy and closes the call, call after call, up to the
//!   next call of kind `KIND` (e.g. `objections`, `bilateral-offer`; left
//!   open for the script to answer) or to the end. Prints the events.
//!
//! An event prints as `SEQ type field=value …` under a line `@ INSTANT`
//! each time the simulated clock moves; a call prints as
//! `call N: item=… kind=… round=… …`.
//!
//! To write or change a script, run
//! `UPDATE_GOLDENFILES=1 cargo test -p rappard-core --test steps`, then
//! read the diff of `tests/steps/` before committing it.

use std::collections::BTreeMap;
use std::error::Error;

use rappard_core::delegation::Delegation;
use rappard_core::member::MemberId;
use rappard_core::protocol::{Answer, Call, CallKind, Reaction, Stance, Stated, Vote};
use rappard_core::record::{Entry, Event};
use rappard_core::secretariat::Secretariat;
use rappard_core::{invariants, scenario, simulation};

type Failure = Box<dyn Error>;

/// The script commands (module doc).
#[derive(goldenscript::Command)]
enum Command {
    /// Sets up a scenario from inline TOML.
    Scenario(String),
    /// Runs until a call is open.
    Step,
    /// Answers the open call.
    Answer {
        #[arg(optional)]
        members: Vec<String>,
        #[arg(key, many, optional)]
        answer: Vec<(String, String)>,
    },
    /// Closes the open call.
    Close,
    /// Lets delegations answer by their strategies.
    Run {
        #[arg(key)]
        until: Option<String>,
    },
}

/// A Secretariat, its delegations, and how much of the record is printed.
struct Negotiation {
    secretariat: Secretariat,
    delegations: BTreeMap<MemberId, Delegation>,
    /// Entries printed so far.
    printed: usize,
    /// The instant of the last entry printed.
    at: Option<String>,
    /// The call `step` opened, until it is closed.
    open: Option<Call>,
}

#[derive(Default)]
struct Runner {
    negotiation: Option<Negotiation>,
}

impl goldenscript::Runner for Runner {
    type Command = Command;

    fn run(&mut self, command: &Command, _: &goldenscript::Context) -> Result<String, Failure> {
        if let Command::Scenario(text) = command {
            let sc = scenario::parse("script.toml", text)?;
            let mut n = Negotiation {
                secretariat: Secretariat::new(sc.agenda.clone()),
                delegations: simulation::delegations(&sc),
                printed: 0,
                at: None,
                open: None,
            };
            let mut out = String::new();
            n.print_new(&mut out);
            self.negotiation = Some(n);
            return Ok(out);
        }
        let n = self
            .negotiation
            .as_mut()
            .ok_or("no scenario: start the script with `scenario`")?;
        match command {
            Command::Scenario(_) => unreachable!("handled above"),
            Command::Step => Ok(n.step()),
            Command::Answer { members, answer } => n.answer(members, answer),
            Command::Close => {
                n.open.take().ok_or("no call is open: `step` first")?;
                n.secretariat.close_call();
                let mut out = String::new();
                n.print_new(&mut out);
                Ok(out)
            }
            Command::Run { until } => n.run(until.as_deref()),
        }
    }

    fn end_script(&mut self) -> Result<(), Failure> {
        let Some(n) = &self.negotiation else {
            return Ok(());
        };
        let broken = invariants::check(n.secretariat.record());
        if broken.is_empty() {
            return Ok(());
        }
        let lines: Vec<String> = broken.iter().map(ToString::to_string).collect();
        Err(lines.join("\n").into())
    }
}

impl Negotiation {
    /// `step`: runs to the next call and prints it.
    fn step(&mut self) -> String {
        let call = self.secretariat.step().cloned();
        let mut out = String::new();
        let issued = self.print_new(&mut out);
        match &call {
            // Issued when the last call closed, and printed then.
            Some(call) if !issued.contains(&call.call) => {
                out.push_str(&call_line(call));
                out.push('\n');
            }
            Some(_) => {}
            None => out.push_str("finished\n"),
        }
        self.open = call;
        out
    }

    /// `answer`: the named (or all remaining) delegations answer.
    fn answer(
        &mut self,
        members: &[String],
        answer: &[(String, String)],
    ) -> Result<String, Failure> {
        let call = self.open.clone().ok_or("no call is open: `step` first")?;
        let who: Vec<MemberId> = if members.is_empty() {
            self.secretariat.unanswered()
        } else {
            members
                .iter()
                .map(|m| MemberId::new(m))
                .collect::<Result<_, _>>()?
        };
        let given = match answer {
            [] => None,
            [(kind, value)] => Some(parse_answer(kind, value)?),
            _ => return Err("give one KIND=VALUE".into()),
        };
        for m in &who {
            let a = match given {
                Some(a) => a,
                None => self.by_strategy(m, &call)?,
            };
            self.secretariat.answer(m, call.call, a)?;
        }
        let left = self.secretariat.unanswered();
        Ok(if left.is_empty() {
            "all answered\n".into()
        } else {
            format!("awaiting {}\n", ids(&left))
        })
    }

    /// What a delegation's own strategy answers.
    fn by_strategy(&mut self, m: &MemberId, call: &Call) -> Result<Answer, Failure> {
        let answer = self.delegations.get_mut(m).and_then(|d| d.answer(call));
        answer.ok_or_else(|| format!("{m} is not asked in call {}", call.call).into())
    }

    /// `run`: strategies answer call after call.
    fn run(&mut self, until: Option<&str>) -> Result<String, Failure> {
        let until = until.map(kind).transpose()?;
        let mut out = String::new();
        loop {
            let Some(call) = self.secretariat.step().cloned() else {
                self.print_new(&mut out);
                out.push_str("finished\n");
                return Ok(out);
            };
            let fresh = self.secretariat.unanswered().len() == call.awaited.len();
            if until == Some(call.kind) && fresh {
                if !self.print_new(&mut out).contains(&call.call) {
                    out.push_str(&call_line(&call));
                    out.push('\n');
                }
                self.open = Some(call);
                return Ok(out);
            }
            for m in self.secretariat.unanswered() {
                if let Some(a) = self.delegations.get_mut(&m).and_then(|d| d.answer(&call)) {
                    self.secretariat.answer(&m, call.call, a)?;
                }
            }
            self.secretariat.close_call();
            self.open = None;
        }
    }

    /// Prints the entries not printed yet; returns the calls among them.
    fn print_new(&mut self, out: &mut String) -> Vec<u64> {
        let entries = &self.secretariat.record().entries()[self.printed..];
        let mut calls = Vec::new();
        for e in entries {
            let at = e.at.to_string();
            if self.at.as_ref() != Some(&at) {
                out.push_str(&format!("@ {at}\n"));
                self.at = Some(at);
            }
            if let Event::CallIssued { call, .. } = &e.event {
                calls.push(*call);
            }
            out.push_str(&format!("{} {}\n", e.seq, render(e)));
        }
        self.printed += entries.len();
        calls
    }
}

/// A call in one line (a package decision lists its texts).
fn call_line(c: &Call) -> String {
    let mut s = format!(
        "call {}: item={} kind={} round={} version={}",
        c.call,
        c.subject,
        kebab(&c.kind),
        c.round,
        c.version
    );
    if let Some(t) = c.text {
        s += &format!(" text={t}");
    }
    if let Some(r) = c.reference {
        s += &format!(" reference={r}");
    }
    s += &format!(" rule={} awaited=[{}]", c.rule, ids(&c.awaited));
    for t in c.package.iter().flatten() {
        s += &format!(" {}:v{}={}", t.item, t.version, t.text);
    }
    s
}

fn ids(members: &[MemberId]) -> String {
    let v: Vec<&str> = members.iter().map(MemberId::as_str).collect();
    v.join(",")
}

/// A value's serde name (kebab-case), without quotes.
fn kebab<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(e) => format!("<{e}>"),
    }
}

/// A call kind from its kebab-case name.
fn kind(s: &str) -> Result<CallKind, Failure> {
    Ok(serde_json::from_value(serde_json::Value::String(s.into()))?)
}

/// An answer from `KIND=VALUE`.
fn parse_answer(kind: &str, value: &str) -> Result<Answer, Failure> {
    let named = |v: &str| serde_json::Value::String(v.into());
    Ok(match kind {
        "position" => match Stance::parse(value) {
            Some(s) => Answer::Position(Stated::Stance(s)),
            None => Answer::Position(Stated::Level(value.parse()?)),
        },
        "signature" => Answer::Signature(value.parse()?),
        "reaction" => Answer::Reaction(serde_json::from_value::<Reaction>(named(value))?),
        "objection" => Answer::Objection(value.parse()?),
        "vote" => Answer::Vote(serde_json::from_value::<Vote>(named(value))?),
        "join" => Answer::Join(value.parse()?),
        "offer" => Answer::Offer(value.parse()?),
        "accept" => Answer::Accept(value.parse()?),
        other => return Err(format!("no answer of kind {other}").into()),
    })
}

/// An event in one line: its type, then its fields as `name=value`, in
/// the order the record gives them.
fn render(e: &Entry) -> String {
    let json = serde_json::to_string(&e.event).unwrap_or_default();
    let Ok(Fields(fields)) = serde_json::from_str::<Fields>(&json) else {
        return json;
    };
    if let Some(call) = e.event.issued_call() {
        return call_line(&call);
    }
    // The type comes first: the record tags each event with it.
    let mut s = String::new();
    for (k, v) in &fields {
        match (k.as_str(), &e.event) {
            ("type", _) => s += &compact(v),
            _ if v.is_null() => {}
            // The roll: each Member's id and votes (0: represented by the EU).
            ("members", Event::RollCalled { members, .. }) => {
                let m: Vec<String> = members
                    .iter()
                    .map(|m| format!("{}:{}", m.id, m.votes))
                    .collect();
                s += &format!(" members=[{}]", m.join(","));
            }
            _ => s += &format!(" {k}={}", compact(v)),
        }
    }
    s
}

/// An event's fields in the order they were written.
struct Fields(Vec<(String, serde_json::Value)>);

impl<'de> serde::Deserialize<'de> for Fields {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Fields;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an event")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Fields, A::Error> {
                let mut fields = Vec::new();
                while let Some(kv) = map.next_entry()? {
                    fields.push(kv);
                }
                Ok(Fields(fields))
            }
        }
        d.deserialize_map(Visit)
    }
}

/// A JSON value without quotes: lists as `[a,b]`, objects as `{k:v}` (with
/// no null fields), an interval as `start..end`, a tagged value as
/// `kind{k:v}`.
fn compact(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => format!("[{}]", a.iter().map(compact).collect::<Vec<_>>().join(",")),
        Value::Object(o) => {
            if let (Some(start), Some(end), 2) = (o.get("start"), o.get("end"), o.len()) {
                return format!("{}..{}", compact(start), compact(end));
            }
            let kv: Vec<String> = o
                .iter()
                .filter(|(k, v)| *k != "kind" && !v.is_null())
                .map(|(k, v)| format!("{k}:{}", compact(v)))
                .collect();
            let tag = o.get("kind").map(compact).unwrap_or_default();
            if kv.is_empty() {
                tag
            } else {
                format!("{tag}{{{}}}", kv.join(","))
            }
        }
        other => other.to_string(),
    }
}

/// Runs one script of `tests/steps/`.
fn script(name: &str) {
    let path = format!("{}/tests/steps/{name}.txt", env!("CARGO_MANIFEST_DIR"));
    goldenscript::run(&mut Runner::default(), &path).unwrap_or_else(|e| panic!("{path}: {e}"));
}

macro_rules! scripts {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                script(stringify!($name));
            }
        )*

        /// Every script in `tests/steps/` has its test above.
        #[test]
        fn every_script_is_run() {
            let dir = format!("{}/tests/steps", env!("CARGO_MANIFEST_DIR"));
            let listed = [$(stringify!($name)),*];
            for f in std::fs::read_dir(&dir).expect("tests/steps") {
                let path = f.expect("entry").path();
                if path.extension().is_some_and(|e| e == "txt") {
                    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
                    assert!(listed.contains(&stem), "{stem}.txt is not in scripts! in tests/steps.rs");
                }
            }
        }
    };
}

scripts! {
    consensus_absent_objector,
    co_chaired_text,
    vote_fallback,
    written_procedure,
    accession,
    green_room,
    waiver_period,
    amendment_acceptance,
}
