//! Drives the core with arbitrary operations and checks what it promises.
//!
//! Shared by the property tests (`tests/properties.rs`, with proptest) and
//! the fuzzers (`fuzz/`, which include this file by path): both hand it raw
//! numbers ([`RawOp`]), and the same numbers mean the same operations
//! whichever tool drew them, so a fuzzer's crash input and a property
//! test's failing case replay the same way.
//!
//! What is checked, by panicking with the broken promise:
//! - answers ([`answers`]): any answer, from any member or non-member, to
//!   any call id, of any kind, interleaved with closing calls, never
//!   panics; an answer is taken exactly when it fits (the open call, a
//!   delegation it awaits that has not answered, an answer of the kind
//!   asked, a level within 0..=10,000), and a refused one changes
//!   nothing: a twin Secretariat that only ever gets the answers taken
//!   asks the same calls and ends with the same record, byte for byte;
//! - runs ([`run_checked`]): a scenario runs to its end, every named
//!   invariant holds over its record, and a second run gives the same
//!   record;
//! - scenarios ([`mutate`], [`parse_checked`]): a shipped scenario with
//!   values replaced, removed, added or duplicated parses, or is refused
//!   with an error placed within the file.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use rappard_core::delegation::Delegation;
use rappard_core::invariants;
use rappard_core::member::MemberId;
use rappard_core::protocol::{Answer, Call, MAX_LEVEL, Reaction, Stance, Stated, Vote};
use rappard_core::record::Record;
use rappard_core::scenario::{self, Scenario};
use rappard_core::secretariat::Secretariat;
use rappard_core::simulation;

/// The shipped classroom scenario: six Members, co-chairs, a fallback vote.
pub const CLASSROOM: &str = include_str!("../../../../examples/scenarios/classroom.toml");

/// A small scenario that asks every kind of call but the package's.
pub const MIXED: &str = include_str!("../scenarios/mixed.toml");

/// One operation, read from five raw numbers: what to do, whom, which call,
/// which kind of answer, which value.
pub type RawOp = (u8, u8, u8, u8, u16);

/// A run that takes more calls than this is taken for one that never ends.
const MAX_CALLS: usize = 200_000;

/// A parsed scenario small enough to run many times a second: at most 40
/// Members and 12 items, initiatives and accessions together.
pub fn small(sc: &Scenario) -> bool {
    let a = &sc.agenda;
    a.membership.len() <= 40 && a.items.len() + a.initiatives.len() + a.accessions.len() <= 12
}

/// Parses a scenario that must parse.
pub fn scenario(name: &str, text: &str) -> Scenario {
    scenario::parse(name, text).unwrap_or_else(|e| panic!("{e}"))
}

/// Panics with the first broken invariant of a record, if any.
pub fn check_invariants(record: &Record) {
    let broken = invariants::check(record);
    assert!(broken.is_empty(), "{}", broken[0]);
}

/// Runs a scenario to its end, checks the invariants, and checks that a
/// second run gives the same record.
pub fn run_checked(sc: &Scenario) -> Record {
    let once = run_once(sc);
    check_invariants(&once);
    let again = run_once(sc);
    // Equal entries have equal canonical encodings (and the comparison
    // costs a fraction of encoding both).
    assert!(once == again, "the same scenario and seed gave two records");
    once
}

/// One run to the end with in-process delegations (as
/// `simulation::run`), bounded by [`MAX_CALLS`].
fn run_once(sc: &Scenario) -> Record {
    let mut s = Secretariat::new(sc.agenda.clone());
    let mut ds = simulation::delegations(sc);
    let mut calls = 0;
    while let Some(call) = s.step().cloned() {
        calls += 1;
        assert!(calls <= MAX_CALLS, "no end after {MAX_CALLS} calls");
        for m in &call.awaited {
            if let Some(answer) = ds.get_mut(m).and_then(|d| d.answer(&call)) {
                s.answer(m, call.call, answer)
                    .unwrap_or_else(|e| panic!("{m}'s own answer refused: {e}"));
            }
        }
        s.close_call();
    }
    s.into_record()
}

/// Parses `text`; a refusal must be placed within the file and name it.
/// Returns the scenario if it parses.
pub fn parse_checked(text: &str) -> Option<Scenario> {
    match scenario::parse("fuzz.toml", text) {
        Ok(sc) => Some(sc),
        Err(e) => {
            assert!(!e.message.is_empty(), "an error without a message");
            assert!(e.line <= text.lines().count() + 1, "{e}: past the end");
            assert!(e.to_string().starts_with("fuzz.toml"), "{e}");
            None
        }
    }
}

/// A Secretariat and its twin, which gets only the answers the first takes,
/// and what the open call has been answered by so far.
struct Twins {
    a: Secretariat,
    b: Secretariat,
    call: u64,
    answered: BTreeSet<MemberId>,
}

impl Twins {
    /// The open call of both (the same), or `None` at the end.
    fn step(&mut self) -> Option<Call> {
        let call = self.a.step().cloned();
        let twin = self.b.step().cloned();
        assert_eq!(call, twin, "a refused answer changed what is asked next");
        if let Some(c) = &call
            && c.call != self.call
        {
            self.call = c.call;
            self.answered.clear();
        }
        call
    }

    /// Gives an answer; checks that it is taken exactly when it fits and
    /// that a refused one changes nothing.
    fn give(&mut self, call: &Call, member: &MemberId, id: u64, answer: Answer) {
        let fits = id == call.call
            && call.awaited.binary_search(member).is_ok()
            && !self.answered.contains(member)
            && answer.fits(call.kind)
            && level_ok(answer);
        let before = observe(&self.a);
        match self.a.answer(member, id, answer) {
            Ok(()) => {
                assert!(
                    fits,
                    "{member}'s {answer:?} to call {id} taken for {call:?}"
                );
                self.b
                    .answer(member, id, answer)
                    .unwrap_or_else(|e| panic!("the twin refused what was taken: {e}"));
                self.answered.insert(member.clone());
            }
            Err(e) => {
                assert!(!fits, "{member}'s {answer:?} refused ({e}) for {call:?}");
                assert_eq!(observe(&self.a), before, "refused ({e}) but changed");
            }
        }
    }

    fn close(&mut self) {
        self.a.close_call();
        self.b.close_call();
    }
}

/// What a refused answer must leave as it was.
fn observe(s: &Secretariat) -> (Vec<MemberId>, bool, usize, bool) {
    (
        s.unanswered(),
        s.is_complete(),
        s.record().len(),
        s.is_finished(),
    )
}

/// Whether an answer's level, if it has one, is within 0..=MAX_LEVEL (as
/// the wire requires of positions and offers).
fn level_ok(answer: Answer) -> bool {
    match answer {
        Answer::Position(Stated::Level(l)) | Answer::Offer(l) => l <= MAX_LEVEL,
        _ => true,
    }
}

/// Every id a test may answer as: the delegations, the applicants, every
/// Member (EU member States among them), and an id nobody has.
fn roster(sc: &Scenario) -> Vec<MemberId> {
    let mut ids: BTreeSet<MemberId> = sc.agenda.membership.ids().collect();
    ids.extend(sc.agenda.accessions.iter().map(|a| a.applicant.id.clone()));
    ids.extend(MemberId::new("ZZZ"));
    ids.into_iter().collect()
}

/// A member: one the call awaits (even `pick`) or anyone on the roster.
fn pick_member(call: &Call, roster: &[MemberId], pick: u8) -> MemberId {
    let k = usize::from(pick >> 1);
    if pick & 1 == 0 && !call.awaited.is_empty() {
        call.awaited[k % call.awaited.len()].clone()
    } else {
        roster[k % roster.len()].clone()
    }
}

/// A call id: mostly the open one, else a neighbour or any.
fn pick_call(call: &Call, pick: u8) -> u64 {
    match pick % 8 {
        0..=4 => call.call,
        5 => call.call.wrapping_sub(1),
        6 => call.call.wrapping_add(1),
        _ => u64::from(pick) << 8,
    }
}

/// Any answer, of any kind, with any value (levels beyond 10,000 too).
pub fn raw_answer(kind: u8, v: u16) -> Answer {
    let yes = v & 1 == 1;
    match kind % 9 {
        0 => Answer::Position(Stated::Level(v)),
        1 => Answer::Position(Stated::Stance(
            [Stance::Object, Stance::Support, Stance::Abstain][usize::from(v % 3)],
        )),
        2 => Answer::Signature(yes),
        3 => Answer::Reaction(
            [Reaction::Support, Reaction::Reserve, Reaction::Object][usize::from(v % 3)],
        ),
        4 => Answer::Objection(yes),
        5 => Answer::Vote([Vote::Yes, Vote::No, Vote::Abstain][usize::from(v % 3)]),
        6 => Answer::Join(yes),
        7 => Answer::Offer(v),
        _ => Answer::Accept(yes),
    }
}

/// Drives a scenario with `ops`, then to its end with its delegations'
/// own answers; checks the promises of the module doc and returns the
/// record.
pub fn answers(sc: &Scenario, ops: &[RawOp]) -> Record {
    let mut t = Twins {
        a: Secretariat::new(sc.agenda.clone()),
        b: Secretariat::new(sc.agenda.clone()),
        call: 0,
        answered: BTreeSet::new(),
    };
    let mut ds = simulation::delegations(sc);
    let roster = roster(sc);
    for &(what, who, which, kind, value) in ops {
        let Some(call) = t.step() else { break };
        let member = pick_member(&call, &roster, who);
        match what % 8 {
            0..=3 => t.give(
                &call,
                &member,
                pick_call(&call, which),
                raw_answer(kind, value),
            ),
            4 => {
                if let Some(answer) = ds.get_mut(&member).and_then(|d| d.answer(&call)) {
                    t.give(&call, &member, call.call, answer);
                }
            }
            5 => {
                answer_all(&mut t, &mut ds, &call);
                t.close();
            }
            6 => t.close(),
            _ => {
                let answer = raw_answer(kind, value);
                t.give(&call, &member, call.call, answer);
                t.give(&call, &member, call.call, answer);
            }
        }
    }
    let mut calls = 0;
    while let Some(call) = t.step() {
        calls += 1;
        assert!(calls <= MAX_CALLS, "no end after {MAX_CALLS} calls");
        answer_all(&mut t, &mut ds, &call);
        t.close();
    }
    assert!(
        t.a.record() == t.b.record(),
        "refused answers changed the record"
    );
    check_invariants(t.a.record());
    t.a.into_record()
}

/// Every awaited delegation that has not answered gives its own answer.
fn answer_all(t: &mut Twins, ds: &mut BTreeMap<MemberId, Delegation>, call: &Call) {
    for m in &call.awaited {
        if t.answered.contains(m) {
            continue;
        }
        if let Some(answer) = ds.get_mut(m).and_then(|d| d.answer(call)) {
            t.give(call, m, call.call, answer);
        }
    }
}

/// Keys a mutation may add, from every table of the format.
const KEYS: [&str; 40] = [
    "id",
    "rule",
    "fallback",
    "meeting",
    "deadline_days",
    "co_chairs",
    "positions",
    "others",
    "concerned",
    "consensus_days",
    "acceptance",
    "acceptance_days",
    "title",
    "sponsors",
    "participants",
    "objectors",
    "threshold",
    "mfn",
    "topic",
    "applicant",
    "applied",
    "working_party",
    "bilateral_rounds",
    "bilateral_round_days",
    "memorandum_days",
    "decision_meeting",
    "members",
    "coordinator",
    "dataset",
    "only",
    "exclude",
    "as_of",
    "office_hours",
    "time_zone",
    "export_share",
    "venue",
    "package",
    "session_hours",
    "quorum",
    "written_procedure_hours",
];

/// Strings a mutation may put anywhere: ids, rules, stances, instants,
/// zones, hours, and what is refused.
const STRINGS: [&str; 34] = [
    "BRA",
    "IND",
    "USA",
    "EU",
    "DEU",
    "AAA",
    "NEW",
    "ZZZ",
    "",
    "consensus",
    "majority",
    "two-thirds-of-members",
    "written-procedure",
    "waiver",
    "waiver-transition",
    "amendment",
    "accession",
    "object",
    "support",
    "abstain",
    "2026-03-02T00:00:00Z",
    "2026-03-04T14:00:00Z",
    "9999-12-31T23:59:59Z",
    "1946-12-31T23:59:59Z",
    "2026-03-10",
    "package",
    "a:b",
    "Asia/Tokyo",
    "Mars/Base",
    "virtual",
    "single-undertaking",
    "reformed",
    "18:00-09:00",
    "never",
];

/// Whole numbers a mutation may put anywhere: bounds and beyond.
const INTEGERS: [i64; 14] = [
    0,
    -1,
    1,
    2,
    3,
    5,
    24,
    90,
    100,
    101,
    3650,
    3651,
    i64::MAX,
    i64::MIN,
];

/// Numbers with a fraction.
const FLOATS: [f64; 8] = [0.0, 0.5, 1.0, 1.5, -0.1, 100.0, 100.5, f64::NAN];

/// Applies `ops` to a scenario's TOML: each replaces, removes, adds or
/// duplicates a value somewhere in it. Returns the new text (the same text
/// if it is not TOML).
pub fn mutate(text: &str, ops: &[RawOp]) -> String {
    let Ok(table) = text.parse::<toml::Table>() else {
        return text.to_owned();
    };
    let mut doc = toml::Value::Table(table);
    for &op in ops {
        mutate_once(&mut doc, op);
    }
    match doc {
        toml::Value::Table(t) => toml::to_string(&t).unwrap_or_else(|_| text.to_owned()),
        _ => text.to_owned(),
    }
}

/// One mutation: walk down `depth % 3` levels, then change the container
/// reached.
fn mutate_once(doc: &mut toml::Value, (depth, path, pick, what, v): RawOp) {
    mutate_at(doc, depth % 3, path, pick, what, v);
}

/// Walks down `depth` more levels (while there are tables or arrays), then
/// replaces, removes, adds or duplicates a value of the container reached.
fn mutate_at(at: &mut toml::Value, depth: u8, path: u8, pick: u8, what: u8, v: u16) {
    if depth > 0
        && let Some(c) = child(at, path)
        && matches!(c, toml::Value::Table(_) | toml::Value::Array(_))
    {
        return mutate_at(c, depth - 1, path.rotate_left(3), pick, what, v);
    }
    let new = value(v);
    match (at, what % 6) {
        (toml::Value::Table(t), 0) => {
            let key = t.keys().nth(usize::from(pick) % t.len().max(1)).cloned();
            if let Some(k) = key {
                t.insert(k, new);
            }
        }
        (toml::Value::Table(t), 4 | 5) => {
            let n = usize::from(pick) % t.len().max(1);
            if let Some((_, old)) = t.iter_mut().nth(n) {
                *old = same_type(old, v);
            }
        }
        (toml::Value::Table(t), 1) => {
            let key = t.keys().nth(usize::from(pick) % t.len().max(1)).cloned();
            if let Some(k) = key {
                t.remove(&k);
            }
        }
        (toml::Value::Table(t), _) => {
            t.insert(KEYS[usize::from(pick) % KEYS.len()].to_owned(), new);
        }
        (toml::Value::Array(a), 0) if !a.is_empty() => {
            let k = usize::from(pick) % a.len();
            a[k] = new;
        }
        (toml::Value::Array(a), 4 | 5) if !a.is_empty() => {
            let k = usize::from(pick) % a.len();
            a[k] = same_type(&a[k], v);
        }
        (toml::Value::Array(a), 1) if !a.is_empty() => {
            a.remove(usize::from(pick) % a.len());
        }
        (toml::Value::Array(a), 2 | 3) if !a.is_empty() => {
            let copy = a[usize::from(pick) % a.len()].clone();
            a.push(copy);
        }
        (toml::Value::Array(a), _) => a.push(new),
        _ => {}
    }
}

/// A child of a table (by key order) or an array.
fn child(v: &mut toml::Value, pick: u8) -> Option<&mut toml::Value> {
    match v {
        toml::Value::Table(t) if !t.is_empty() => {
            let n = usize::from(pick) % t.len();
            t.iter_mut().nth(n).map(|(_, c)| c)
        }
        toml::Value::Array(a) if !a.is_empty() => {
            let n = usize::from(pick) % a.len();
            a.get_mut(n)
        }
        _ => None,
    }
}

/// A value of the type of `old`, from `v` (a table or an array of tables
/// is kept): what a user changing a value most often writes.
fn same_type(old: &toml::Value, v: u16) -> toml::Value {
    let k = usize::from(v);
    match old {
        toml::Value::Integer(_) => toml::Value::Integer(INTEGERS[k % INTEGERS.len()]),
        toml::Value::Float(_) => toml::Value::Float(FLOATS[k % FLOATS.len()]),
        toml::Value::String(_) => toml::Value::String(STRINGS[k % STRINGS.len()].to_owned()),
        toml::Value::Boolean(b) => toml::Value::Boolean(!b),
        toml::Value::Array(a) if a.iter().all(toml::Value::is_str) => value(5 + 8 * (v % 64)),
        other => other.clone(),
    }
}

/// A value of any TOML type, from `v`.
fn value(v: u16) -> toml::Value {
    let k = usize::from(v >> 3);
    match v % 8 {
        0 => toml::Value::Integer(INTEGERS[k % INTEGERS.len()]),
        1 => toml::Value::Float(FLOATS[k % FLOATS.len()]),
        2 | 3 => toml::Value::String(STRINGS[k % STRINGS.len()].to_owned()),
        4 => toml::Value::Boolean(k % 2 == 0),
        5 => toml::Value::Array(
            STRINGS[..8]
                .iter()
                .cycle()
                .skip(k % 8)
                .take(k % 4)
                .map(|s| toml::Value::String((*s).to_owned()))
                .collect(),
        ),
        6 => {
            let mut t = toml::Table::new();
            t.insert(
                "stance".into(),
                toml::Value::String(STRINGS[17 + k % 3].into()),
            );
            toml::Value::Table(t)
        }
        _ => {
            let mut t = toml::Table::new();
            let start = STRINGS[20 + k % 4];
            t.insert("start".into(), toml::Value::String(start.into()));
            t.insert(
                "hours".into(),
                toml::Value::Integer(INTEGERS[k % INTEGERS.len()]),
            );
            toml::Value::Table(t)
        }
    }
}
