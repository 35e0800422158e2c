//! The Secretariat's journal: the record and the answers taken, on disk,
//! so that a Secretariat killed at any point (`kill -9`, a power cut)
//! starts again where it was.
//!
//! A journal is one append-only file, `DIR/journal`: the 16 bytes
//! `rappard-journal\n`, then frames. A frame is its length (4 bytes,
//! little-endian, of what follows the checksum), a CRC-32 (4 bytes, of the
//! kind and the payload), a kind (one byte) and the payload:
//!
//! - `H`, first and only once: the header, JSON: the journal's format,
//!   the run's identity (a run id of 128 random bits chosen when the run
//!   started, the scenario's name and SHA-256, the seed) and the scenario's
//!   text, so that the journal alone can be replayed (`rappard verify`);
//! - `A`: an answer taken, as the `rappard.v1.AnswerRequest` that carried
//!   it (protobuf), with the answering member in its `member` field;
//! - `E`: a record entry, in the record's canonical encoding (the bytes the
//!   record's SHA-256 is taken over, without the newline).
//!
//! **When things are durable.** An answer is written before the delegation
//! is told it was taken, so it survives the death of the process (it is in
//! the operating system's cache). The entries a closed call produced (the
//! call closed, the events it led to, the next call issued) are written as
//! one group and the file is synced (`fsync`) before any of them is
//! published to anyone: once a delegation has seen an entry it survives a
//! power cut too, with the answers that led to it. One sync per closed
//! call: grouping keeps the cost to a few milliseconds per call.
//!
//! **Replay.** The state of the Secretariat is not stored: it is rebuilt by
//! driving the core with the journaled answers, closing a call wherever the
//! journal has entries after its answers. Every entry the core produces
//! must be byte for byte the journal's, or the start is refused. The call
//! that was open at the crash is open again, with the answers already
//! taken; delegations that answer it again are told their answer is a
//! repeat.
//!
//! **Damage.** A last frame cut short or failing its checksum is a write
//! torn by a crash: it was never acknowledged, and it is cut off (logged).
//! Anything else is refused with an error that says which frame, at which
//! byte offset, and why, and the file is left exactly as it was: a
//! corrupt frame before the last, a header of another scenario, seed or
//! format, an answer or entry the core does not produce.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use prost::Message as _;
use rappard_core::member::MemberId;
use rappard_core::protocol::Answer;
use rappard_core::record::{Entry, Record};
use rappard_core::scenario::Agenda;
use rappard_core::secretariat::Secretariat;
use rappard_proto::{convert, v1};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use tracing::warn;

use crate::Error;

/// The journal's format, in its header. A journal of a newer format is
/// refused, never read as if it were this one.
pub const FORMAT: u32 = 1;

/// The first bytes of a journal.
pub const MAGIC: &[u8; 16] = b"rappard-journal\n";

/// The journal's file name in the data directory.
pub const FILE_NAME: &str = "journal";

/// The largest frame a journal may hold (the header holds the scenario).
const MAX_FRAME: u32 = 64 * 1024 * 1024;

/// Frame kinds.
const HEADER: u8 = b'H';
const ANSWER: u8 = b'A';
const ENTRY: u8 = b'E';

/// Which run this is: kept in the journal's header, returned by `Join`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunIdentity {
    /// 128 random bits in hex, chosen when the run started.
    pub run_id: String,
    /// The scenario's name.
    pub scenario: String,
    /// The SHA-256 of the scenario file's text, in hex.
    pub scenario_sha256: String,
    /// The seed the run uses.
    pub seed: u64,
}

impl RunIdentity {
    /// A new run of a scenario (its text and seed), with a fresh run id.
    pub fn new(scenario: &str, text: &str, seed: u64) -> Result<Self, Error> {
        let mut id = [0u8; 16];
        getrandom::fill(&mut id).map_err(|e| Error::Internal(format!("a run id: {e}")))?;
        Ok(Self {
            run_id: hex(&id),
            scenario: scenario.to_owned(),
            scenario_sha256: sha256_hex(text.as_bytes()),
            seed,
        })
    }
}

/// The header frame's content.
#[derive(Debug, Serialize, Deserialize)]
struct Header {
    format: u32,
    #[serde(flatten)]
    run: RunIdentity,
    scenario_text: String,
}

/// One frame read back.
#[derive(Clone, Debug)]
pub struct Frame {
    /// Its byte offset in the file.
    pub offset: u64,
    /// Its kind (`H`, `A`, `E`).
    pub kind: u8,
    /// Its payload.
    pub payload: Vec<u8>,
}

/// A journal read back and checked frame by frame.
#[derive(Debug)]
pub struct Scan {
    /// The run it belongs to.
    pub run: RunIdentity,
    /// The scenario's text, as the run started with it.
    pub scenario_text: String,
    /// Every whole frame after the header.
    pub frames: Vec<Frame>,
    /// The length of the whole frames: what is kept.
    pub valid_len: u64,
    /// A torn last frame: its offset and why it is torn.
    pub torn: Torn,
}

/// What replaying a journal gave.
pub struct Replayed {
    /// The Secretariat as it was, with the call that was open open again.
    pub secretariat: Secretariat,
    /// How many record entries the journal holds (the core may have
    /// produced more, of a group torn by the crash: they were never
    /// published, and are journaled again).
    pub entries: usize,
    /// How many answers it holds.
    pub answers: usize,
}

fn damaged(path: &Path, detail: String) -> Error {
    Error::Journal {
        path: path.to_owned(),
        detail,
    }
}

/// Reads and checks a journal: the magic, the header, every frame's length
/// and checksum (module doc: a torn last frame is reported, not an error).
pub fn scan(path: &Path) -> Result<Scan, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    if !bytes.starts_with(MAGIC) {
        return Err(damaged(
            path,
            "not a rappard journal: it does not start with `rappard-journal`".into(),
        ));
    }
    let (frames, valid_len, torn) = frames(path, &bytes)?;
    let mut frames = frames.into_iter();
    let Some(first) = frames.next().filter(|f| f.kind == HEADER) else {
        return Err(damaged(
            path,
            format!(
                "no header at byte offset {} (the file was cut before the run started?)",
                MAGIC.len()
            ),
        ));
    };
    let header: Header = serde_json::from_slice(&first.payload)
        .map_err(|e| damaged(path, format!("the header at byte offset 16: {e}")))?;
    if header.format > FORMAT {
        return Err(damaged(
            path,
            format!(
                "format {} is newer than this rappard reads ({FORMAT}): use the rappard that wrote it",
                header.format
            ),
        ));
    }
    Ok(Scan {
        run: header.run,
        scenario_text: header.scenario_text,
        frames: frames.collect(),
        valid_len,
        torn,
    })
}

/// A torn last frame: its byte offset, and why it is taken as torn.
pub type Torn = Option<(u64, String)>;

/// Splits the bytes after the magic into frames: every whole frame, where
/// they end, and a torn last frame if there is one.
fn frames(path: &Path, bytes: &[u8]) -> Result<(Vec<Frame>, u64, Torn), Error> {
    let mut out = Vec::new();
    let mut at = MAGIC.len();
    while at < bytes.len() {
        match frame_at(bytes, at) {
            Ok((frame, next)) => {
                out.push(frame);
                at = next;
            }
            Err(why) if why.last && !whole_frame_after(bytes, at + 1) => {
                return Ok((out, at as u64, Some((at as u64, why.detail))));
            }
            Err(why) => {
                return Err(damaged(
                    path,
                    format!(
                        "frame {} at byte offset {at} is corrupt ({}), and {} more bytes follow it: refusing to start rather than lose them",
                        out.len() + 1,
                        why.detail,
                        bytes.len() - why.end.min(bytes.len())
                    ),
                ));
            }
        }
    }
    Ok((out, at as u64, None))
}

/// Whether a whole frame (its length and checksum right) starts anywhere
/// from `from` on. A torn write leaves none after the torn frame; a
/// corrupt length in the middle of a journal does (the frames it seems to
/// swallow), and must not be taken for a torn end and cut off.
fn whole_frame_after(bytes: &[u8], from: usize) -> bool {
    (from..bytes.len()).any(|at| frame_at(bytes, at).is_ok())
}

/// Why a frame could not be read, and whether it is the file's last.
struct Bad {
    detail: String,
    end: usize,
    last: bool,
}

/// The frame at byte offset `at`, and the offset after it.
fn frame_at(bytes: &[u8], at: usize) -> Result<(Frame, usize), Bad> {
    let rest = &bytes[at..];
    let torn = |detail: String| Bad {
        detail,
        end: bytes.len(),
        last: true,
    };
    if rest.len() < 9 {
        return Err(torn(format!(
            "{} bytes, less than a frame's head",
            rest.len()
        )));
    }
    let len = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]);
    let crc = u32::from_le_bytes([rest[4], rest[5], rest[6], rest[7]]);
    if len == 0 || len > MAX_FRAME {
        let detail = format!("a length of {len} bytes");
        let end = bytes.len();
        // A length of zero is what a crash leaves in a file extended but
        // not yet written (zeros): torn if only zeros follow.
        let last = rest.iter().all(|b| *b == 0);
        return Err(Bad { detail, end, last });
    }
    let end = at + 8 + len as usize;
    if end > bytes.len() {
        return Err(torn(format!(
            "{len} bytes announced, {} there",
            rest.len() - 8
        )));
    }
    let body = &bytes[at + 8..end];
    if crc32fast::hash(body) != crc {
        return Err(Bad {
            detail: "its checksum does not match".into(),
            end,
            last: end == bytes.len(),
        });
    }
    let frame = Frame {
        offset: at as u64,
        kind: body[0],
        payload: body[1..].to_vec(),
    };
    Ok((frame, end))
}

/// Replays a scanned journal through the core (module doc): the
/// Secretariat as it was, or an error naming the first frame the core does
/// not reproduce.
pub fn replay(path: &Path, agenda: Agenda, frames: &[Frame]) -> Result<Replayed, Error> {
    let mut sec = Secretariat::new(agenda);
    let mut entries = 0usize;
    let mut answers = 0usize;
    for f in frames {
        let at = |what: String| damaged(path, format!("frame at byte offset {}: {what}", f.offset));
        match f.kind {
            ENTRY => {
                if entries == sec.record().len() {
                    if sec.open_call().is_some() {
                        sec.close_call();
                    }
                    sec.step();
                }
                let made = sec.record().entries().get(entries).ok_or_else(|| {
                    at(format!(
                        "entry {} is in the journal but the negotiation had closed",
                        entries + 1
                    ))
                })?;
                if Record::canonical_entry(made) != f.payload {
                    return Err(at(format!(
                        "entry {} differs from what the scenario gives: `{}` in the journal, `{}` replayed (another scenario, seed or rappard version?)",
                        entries + 1,
                        String::from_utf8_lossy(&f.payload),
                        String::from_utf8_lossy(&Record::canonical_entry(made)),
                    )));
                }
                entries += 1;
            }
            ANSWER => {
                let (member, call, answer) = decode_answer(&f.payload).map_err(&at)?;
                if entries != sec.record().len() {
                    return Err(at(format!(
                        "an answer of {member} where the journal lacks entry {}",
                        entries + 1
                    )));
                }
                sec.answer(&member, call, answer).map_err(|e| {
                    at(format!(
                        "the answer of {member} to call {call} is refused: {e}"
                    ))
                })?;
                answers += 1;
            }
            other => return Err(at(format!("unknown frame kind {other:#04x}"))),
        }
    }
    Ok(Replayed {
        secretariat: sec,
        entries,
        answers,
    })
}

fn decode_answer(payload: &[u8]) -> Result<(MemberId, u64, Answer), String> {
    let req = v1::AnswerRequest::decode(payload).map_err(|e| format!("an answer: {e}"))?;
    let member = MemberId::new(&req.member).map_err(|e| format!("an answer's member: {e}"))?;
    let answer = convert::answer_from_wire(req.answer.as_ref())
        .map_err(|e| format!("an answer of {member}: {e}"))?;
    Ok((member, req.call, answer))
}

/// An open journal, appended to by the Secretariat.
pub struct Journal {
    path: PathBuf,
    file: File,
    /// How many record entries are journaled.
    entries: usize,
}

/// A journal opened for a run: new, or replayed.
pub struct Opened {
    /// The journal, ready to append.
    pub journal: Journal,
    /// The run.
    pub run: RunIdentity,
    /// The Secretariat, rebuilt from the journal or new.
    pub secretariat: Secretariat,
    /// `Some` when the journal existed: what was replayed.
    pub resumed: Option<(usize, usize)>,
}

/// Opens the journal in `dir` for a scenario (its name, text and seed,
/// and the agenda parsed from it): replays an existing one, after checking
/// it is of this scenario and seed, or starts a new one with a new run id.
pub fn open(dir: &Path, text: &str, agenda: Agenda) -> Result<Opened, Error> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_owned(),
        source,
    })?;
    let path = dir.join(FILE_NAME);
    if !path.exists() {
        let run = RunIdentity::new(&agenda.name, text, agenda.seed)?;
        let journal = Journal::create(&path, &run, text)?;
        let secretariat = Secretariat::new(agenda);
        return Ok(Opened {
            journal,
            run,
            secretariat,
            resumed: None,
        });
    }
    let scan = scan(&path)?;
    check_same_run(&path, &scan.run, text, &agenda)?;
    if let Some((offset, why)) = &scan.torn {
        warn!(journal = %path.display(), offset, "the last frame was torn by a crash ({why}): cut off");
    }
    let replayed = replay(&path, agenda, &scan.frames)?;
    let file = OpenOptions::new()
        .write(true)
        .open(&path)
        .and_then(|f| {
            f.set_len(scan.valid_len)?;
            f.sync_all()?;
            Ok(f)
        })
        .map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
    let mut journal = Journal {
        path,
        file,
        entries: replayed.entries,
    };
    journal.seek_end()?;
    Ok(Opened {
        journal,
        run: scan.run,
        secretariat: replayed.secretariat,
        resumed: Some((replayed.entries, replayed.answers)),
    })
}

/// Refuses a journal of another scenario or seed, saying which.
fn check_same_run(
    path: &Path,
    run: &RunIdentity,
    text: &str,
    agenda: &Agenda,
) -> Result<(), Error> {
    let sha = sha256_hex(text.as_bytes());
    if run.scenario_sha256 != sha {
        return Err(damaged(
            path,
            format!(
                "it is the journal of another scenario: `{}` with SHA-256 {}, not this one ({sha}): give the scenario it was started with, or another data directory",
                run.scenario, run.scenario_sha256
            ),
        ));
    }
    if run.seed != agenda.seed {
        return Err(damaged(
            path,
            format!(
                "it is the journal of seed {}, not {}: give the seed it was started with, or another data directory",
                run.seed, agenda.seed
            ),
        ));
    }
    Ok(())
}

impl Journal {
    fn create(path: &Path, run: &RunIdentity, text: &str) -> Result<Self, Error> {
        let io = |source| Error::Io {
            path: path.to_owned(),
            source,
        };
        let header = Header {
            format: FORMAT,
            run: run.clone(),
            scenario_text: text.to_owned(),
        };
        let json = serde_json::to_vec(&header)
            .map_err(|e| Error::Internal(format!("the journal's header: {e}")))?;
        let mut bytes = MAGIC.to_vec();
        push_frame(&mut bytes, HEADER, &json);
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(io)?;
        file.write_all(&bytes).map_err(io)?;
        file.sync_all().map_err(io)?;
        if let Some(dir) = path.parent() {
            File::open(dir).and_then(|d| d.sync_all()).map_err(io)?;
        }
        Ok(Self {
            path: path.to_owned(),
            file,
            entries: 0,
        })
    }

    fn seek_end(&mut self) -> Result<(), Error> {
        use std::io::Seek as _;
        self.file
            .seek(std::io::SeekFrom::End(0))
            .map(|_| ())
            .map_err(|source| Error::Io {
                path: self.path.clone(),
                source,
            })
    }

    /// Appends an answer taken (not synced: module doc).
    pub fn append_answer(
        &mut self,
        member: &MemberId,
        call: u64,
        answer: Answer,
    ) -> Result<(), Error> {
        let req = v1::AnswerRequest {
            call,
            member: member.to_string(),
            answer: Some(convert::answer_to_wire(answer)),
            session: 0,
        };
        let mut bytes = Vec::new();
        push_frame(&mut bytes, ANSWER, &req.encode_to_vec());
        self.write(&bytes)
    }

    /// Appends the record's entries not journaled yet, as one group, and
    /// syncs the file: after this they may be published.
    pub fn append_entries(&mut self, record: &Record) -> Result<(), Error> {
        let new = record.entries().get(self.entries..).unwrap_or_default();
        if new.is_empty() {
            return Ok(());
        }
        let mut bytes = Vec::new();
        for e in new {
            push_frame(&mut bytes, ENTRY, &Record::canonical_entry(e));
        }
        self.write(&bytes)?;
        self.file.sync_data().map_err(|source| Error::Io {
            path: self.path.clone(),
            source,
        })?;
        self.entries += new.len();
        Ok(())
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.file.write_all(bytes).map_err(|source| Error::Io {
            path: self.path.clone(),
            source,
        })
    }
}

fn push_frame(out: &mut Vec<u8>, kind: u8, payload: &[u8]) {
    let mut body = Vec::with_capacity(payload.len() + 1);
    body.push(kind);
    body.extend_from_slice(payload);
    let len =
        u32::try_from(body.len()).expect("a frame is smaller than 4 GiB: scenarios are bounded");
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
    out.extend_from_slice(&body);
}

/// The record entries a journal holds, in order, decoded.
pub fn entries(scan: &Scan) -> Result<Vec<Entry>, String> {
    scan.frames
        .iter()
        .filter(|f| f.kind == ENTRY)
        .map(|f| {
            serde_json::from_slice(&f.payload)
                .map_err(|e| format!("entry at byte offset {}: {e}", f.offset))
        })
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    //! The journal's promises, case by case: a full journal replays to the
    //! simulation's record; a journal cut mid-call reopens the call with
    //! its answers; a torn last frame is cut off; everything else is
    //! refused, naming the frame and its offset, with the file unchanged.

    use super::*;
    use rappard_core::scenario::{self, Scenario};
    use rappard_core::simulation;

    const TEXT: &str = include_str!("../../../examples/scenarios/classroom.toml");

    fn scenario(text: &str) -> Scenario {
        scenario::parse("classroom.toml", text).expect("the scenario parses")
    }

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("rappard-journal-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    /// Runs the classroom scenario as the node does (entries journaled
    /// before a call is published, answers as they are taken), stopping
    /// with call `stop` open after `half` of its answers, or at the end.
    fn run(dir: &Path, stop: Option<(u64, usize)>) -> Secretariat {
        let sc = scenario(TEXT);
        let mut opened = open(dir, TEXT, sc.agenda.clone()).expect("a new journal");
        assert!(opened.resumed.is_none());
        let (mut sec, j) = (opened.secretariat, &mut opened.journal);
        let mut delegations = simulation::delegations(&sc);
        while let Some(call) = sec.step().cloned() {
            j.append_entries(sec.record()).expect("entries");
            for (k, m) in call.awaited.iter().enumerate() {
                if stop.is_some_and(|(c, half)| c == call.call && k == half) {
                    return sec;
                }
                if let Some(a) = delegations.get_mut(m).and_then(|d| d.answer(&call)) {
                    sec.answer(m, call.call, a).expect("taken");
                    j.append_answer(m, call.call, a).expect("journaled");
                }
            }
            sec.close_call();
        }
        j.append_entries(sec.record()).expect("entries");
        sec
    }

    fn journal_bytes(dir: &Path) -> Vec<u8> {
        std::fs::read(dir.join(FILE_NAME)).expect("the journal")
    }

    fn refused(dir: &Path, text: &str, seed: Option<u64>) -> String {
        let before = journal_bytes(dir);
        let mut sc = scenario(text);
        if let Some(s) = seed {
            sc = sc.with_seed(s);
        }
        let e = open(dir, text, sc.agenda).err().expect("refused");
        assert!(matches!(e, Error::Journal { .. }), "{e}");
        assert_eq!(
            journal_bytes(dir),
            before,
            "a refused journal is left as it was"
        );
        e.to_string()
    }

    #[test]
    fn a_full_journal_replays_to_the_simulations_record() {
        let d = dir("full");
        let done = run(&d, None);
        let expected = simulation::run(&scenario(TEXT)).expect("runs");
        assert_eq!(done.record().sha256(), expected.sha256());
        let again = open(&d, TEXT, scenario(TEXT).agenda).expect("replayed");
        let (entries, _) = again.resumed.expect("resumed");
        assert_eq!(entries, expected.len());
        assert!(again.secretariat.is_finished() || again.secretariat.open_call().is_none());
        assert_eq!(again.secretariat.record().sha256(), expected.sha256());
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn a_journal_cut_mid_call_reopens_the_call_with_its_answers() {
        let d = dir("mid");
        let before = run(&d, Some((3, 2)));
        let open_call = before.open_call().expect("call 3 is open").clone();
        let again = open(&d, TEXT, scenario(TEXT).agenda).expect("replayed");
        let sec = again.secretariat;
        assert_eq!(sec.open_call(), Some(&open_call));
        assert_eq!(sec.unanswered(), before.unanswered());
        for m in &open_call.awaited[..2] {
            assert_eq!(sec.answer_taken(m, 3), before.answer_taken(m, 3), "{m}");
        }
        assert_eq!(sec.record(), before.record());
        assert_eq!(
            again.run.run_id,
            scan(&d.join(FILE_NAME)).expect("scan").run.run_id
        );
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn a_torn_last_frame_is_cut_off() {
        let d = dir("torn");
        run(&d, Some((2, 1)));
        let whole = journal_bytes(&d);
        // A crash in the middle of writing the next frame: its head and
        // part of its body.
        let mut torn = whole.clone();
        let mut next = Vec::new();
        push_frame(&mut next, ENTRY, b"{\"seq\":99}");
        torn.extend_from_slice(&next[..next.len() - 3]);
        std::fs::write(d.join(FILE_NAME), &torn).expect("write");
        let s = scan(&d.join(FILE_NAME)).expect("scan");
        assert_eq!(s.torn.as_ref().map(|t| t.0), Some(whole.len() as u64));
        open(&d, TEXT, scenario(TEXT).agenda).expect("the torn frame is cut off");
        assert_eq!(journal_bytes(&d), whole);
        // The same with a whole last frame whose checksum fails, and with
        // zeros the file system left after a crash.
        for tail in [
            {
                let mut b = next.clone();
                let last = b.len() - 1;
                b[last] ^= 0xff;
                b
            },
            vec![0u8; 12],
        ] {
            let mut torn = whole.clone();
            torn.extend_from_slice(&tail);
            std::fs::write(d.join(FILE_NAME), &torn).expect("write");
            open(&d, TEXT, scenario(TEXT).agenda).expect("cut off");
            assert_eq!(journal_bytes(&d), whole);
        }
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn a_corrupt_frame_before_the_last_is_refused_where_it_is() {
        let d = dir("corrupt");
        run(&d, None);
        let mut bytes = journal_bytes(&d);
        let s = scan(&d.join(FILE_NAME)).expect("scan");
        let third = &s.frames[2];
        let at = third.offset as usize + 12;
        bytes[at] ^= 0x20;
        std::fs::write(d.join(FILE_NAME), &bytes).expect("write");
        let e = refused(&d, TEXT, None);
        assert!(
            e.contains(&format!("at byte offset {}", third.offset)),
            "{e}"
        );
        assert!(e.contains("checksum"), "{e}");
        let _ = std::fs::remove_dir_all(&d);
    }

    /// A length field corrupted into a large value looks like a torn end
    /// (it announces more bytes than follow): the whole frames after it
    /// show it is not, and the journal is refused, not cut.
    #[test]
    fn a_corrupt_length_is_not_taken_for_a_torn_end() {
        let d = dir("length");
        run(&d, None);
        let mut bytes = journal_bytes(&d);
        let s = scan(&d.join(FILE_NAME)).expect("scan");
        let at = s.frames[5].offset as usize;
        let len = bytes.len() as u32;
        bytes[at..at + 4].copy_from_slice(&len.to_le_bytes());
        std::fs::write(d.join(FILE_NAME), &bytes).expect("write");
        let e = refused(&d, TEXT, None);
        assert!(e.contains(&format!("at byte offset {at}")), "{e}");
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn another_scenario_or_seed_is_refused() {
        let d = dir("other");
        run(&d, Some((2, 0)));
        let other = TEXT.replacen("seed = ", "seed = 1", 1);
        let e = refused(&d, &other, None);
        assert!(e.contains("another scenario"), "{e}");
        let e = refused(&d, TEXT, Some(999));
        assert!(e.contains("seed 999") || e.contains("not 999"), "{e}");
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn a_newer_format_is_refused() {
        let d = dir("newer");
        std::fs::create_dir_all(&d).expect("dir");
        let sc = scenario(TEXT);
        let header = Header {
            format: FORMAT + 1,
            run: RunIdentity::new(&sc.agenda.name, TEXT, sc.agenda.seed).expect("id"),
            scenario_text: TEXT.to_owned(),
        };
        let mut bytes = MAGIC.to_vec();
        push_frame(
            &mut bytes,
            HEADER,
            &serde_json::to_vec(&header).expect("json"),
        );
        std::fs::write(d.join(FILE_NAME), &bytes).expect("write");
        let e = refused(&d, TEXT, None);
        assert!(
            e.contains(&format!("format {}", FORMAT + 1)) && e.contains("newer"),
            "{e}"
        );
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn an_entry_the_scenario_does_not_give_is_refused() {
        let d = dir("differs");
        run(&d, None);
        let s = scan(&d.join(FILE_NAME)).expect("scan");
        // Rewrite the fourth frame (an entry) with other content and a
        // valid checksum: only the replay can tell.
        let f = &s.frames[3];
        assert_eq!(f.kind, ENTRY);
        let bytes = journal_bytes(&d);
        let start = f.offset as usize;
        let end = start + 8 + 1 + f.payload.len();
        let changed = String::from_utf8(f.payload.clone())
            .expect("utf-8")
            .replacen("\"seq\":", "\"seq\":1", 1);
        let mut frame = Vec::new();
        push_frame(&mut frame, ENTRY, changed.as_bytes());
        let mut out = bytes[..start].to_vec();
        out.extend_from_slice(&frame);
        out.extend_from_slice(&bytes[end..]);
        std::fs::write(d.join(FILE_NAME), &out).expect("write");
        let e = refused(&d, TEXT, None);
        assert!(e.contains("differs from what the scenario gives"), "{e}");
        assert!(e.contains(&format!("byte offset {}", f.offset)), "{e}");
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn a_file_that_is_not_a_journal_is_refused() {
        let d = dir("not");
        std::fs::create_dir_all(&d).expect("dir");
        std::fs::write(d.join(FILE_NAME), b"[scenario]\nname = \"x\"\n").expect("write");
        let e = refused(&d, TEXT, None);
        assert!(e.contains("not a rappard journal"), "{e}");
        let _ = std::fs::remove_dir_all(&d);
    }
}
