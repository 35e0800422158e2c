//! `rappard report RUN --html OUT.html`: the HTML report of a finished run.
//!
//! RUN is a run's record as `rappard simulate --format record` (or `demo
//! --format record`) writes it: the record's canonical encoding, one JSON
//! object per line (JSON Lines), whose SHA-256 is the record's. The record
//! rather than the JSON report, because the charts need how the run got
//! where it ended (every meeting's attendance, each join to an initiative,
//! each accession stage), which only the record holds; `docs/report.md`.
//! RUN may also be a Secretariat's data directory (`secretariat --data
//! DIR`): its journal is checked and replayed as `rappard verify` does, and
//! the record it holds is reported.
//!
//! A file that cannot be read, a line that is not a record entry, a gap in
//! the sequence numbers or a record that does not open a negotiation is
//! refused with the file, the line and what is wrong (exit 2); nothing is
//! written then.

use std::path::{Path, PathBuf};

use rappard_core::record::{Entry, Event, Record};
use rappard_core::{report, scenario};
use rappard_net::journal;

use crate::error::{Error, Result};

// The command's arguments.
#[derive(clap::Args)]
pub struct Args {
    /// The run's record, as `simulate --format record` writes it.
    record: PathBuf,
    /// Where to write the HTML report (one self-contained file).
    #[arg(long, value_name = "OUT.html")]
    html: PathBuf,
}

/// Reads the record and writes its HTML report.
pub fn run(args: &Args) -> Result<()> {
    let record = read_record(&args.record)?;
    let page = report::html::html(&record);
    std::fs::write(&args.html, page).map_err(|e| Error::BadInput {
        what: args.html.display().to_string(),
        reason: format!("cannot write the report: {e}"),
    })
}

/// A record file, checked entry by entry, or the record of a data
/// directory's journal (module doc).
pub fn read_record(path: &Path) -> Result<Record> {
    if path.is_dir() {
        return journal_record(&path.join(journal::FILE_NAME));
    }
    let name = path.display().to_string();
    let bad = |line: Option<usize>, reason: String| Error::BadInput {
        what: match line {
            Some(n) => format!("{name}, line {n}"),
            None => name.clone(),
        },
        reason,
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| bad(None, format!("cannot read the record: {e}")))?;
    let mut record = Record::new();
    for (k, line) in text.lines().enumerate() {
        let entry: Entry = serde_json::from_str(line)
            .map_err(|e| bad(Some(k + 1), format!("not a record entry: {e}")))?;
        let expected = record.len() as u64 + 1;
        if entry.seq != expected {
            let reason = format!("sequence number {}, expected {expected}", entry.seq);
            return Err(bad(Some(k + 1), reason));
        }
        if k == 0 && !matches!(entry.event, Event::NegotiationOpened { .. }) {
            let reason = "the first entry is not `negotiation-opened`: not a run's record".into();
            return Err(bad(Some(1), reason));
        }
        record.append(entry.at, entry.event);
    }
    if record.is_empty() {
        return Err(bad(None, "empty: no record entries".into()));
    }
    Ok(record)
}

/// The record a Secretariat's journal holds, replayed through the core
/// with the scenario and seed its header keeps.
fn journal_record(path: &Path) -> Result<Record> {
    let scan = journal::scan(path)?;
    let name = format!("{} (the scenario kept in the journal)", path.display());
    let sc = scenario::parse(&name, &scan.scenario_text)?.with_seed(scan.run.seed);
    let replayed = journal::replay(path, sc.agenda, &scan.frames)?;
    let mut record = Record::new();
    for e in &replayed.secretariat.record().entries()[..replayed.entries] {
        record.append(e.at, e.event.clone());
    }
    Ok(record)
}
