//! `rappard verify PATH`: checks a Secretariat's journal (the data
//! directory given to `rappard secretariat --data`, or the journal file in
//! it) without changing it, and prints what it holds and the SHA-256 of
//! its record.
//!
//! It checks what a restart checks (`rappard_net::journal`): the format,
//! every frame's length and checksum, and, by replaying it through the
//! core with the scenario and seed its header keeps, that every entry is
//! the one the scenario gives; then the record's invariants. A torn last
//! frame is reported (a restart cuts it off; `verify` leaves it). Exit 0
//! for a sound journal, 2 for a damaged one (the error names the frame and
//! its byte offset), 3 for a record that breaks an invariant.

use std::path::{Path, PathBuf};

use rappard_core::{invariants, scenario};
use rappard_net::journal;

use crate::error::{Error, Result};

// The command's arguments.
#[derive(clap::Args)]
pub struct Args {
    /// The data directory, or the journal file in it.
    path: PathBuf,
}

/// Checks the journal and prints its summary.
pub fn run(args: &Args) -> Result<()> {
    let path = journal_path(&args.path);
    let scan = journal::scan(&path)?;
    let name = format!("{} (the scenario kept in the journal)", path.display());
    let sc = scenario::parse(&name, &scan.scenario_text)?.with_seed(scan.run.seed);
    let replayed = journal::replay(&path, sc.agenda, &scan.frames)?;
    let sec = &replayed.secretariat;
    let journaled = &sec.record().entries()[..replayed.entries];
    let mut record = rappard_core::record::Record::new();
    for e in journaled {
        record.append(e.at, e.event.clone());
    }
    println!("journal   {}", path.display());
    println!("run       {}", scan.run.run_id);
    println!(
        "scenario  {} (SHA-256 {}), seed {}",
        scan.run.scenario, scan.run.scenario_sha256, scan.run.seed
    );
    println!(
        "entries   {} record entries, {} answers",
        replayed.entries, replayed.answers
    );
    if let Some((offset, why)) = &scan.torn {
        println!(
            "torn      the last frame, at byte offset {offset}, was torn by a crash ({why}): a restart cuts it off"
        );
    }
    let state = match sec.open_call() {
        _ if sec.is_finished() && replayed.entries == sec.record().len() => {
            "the negotiation closed".to_owned()
        }
        Some(call) => format!(
            "call {} open ({} answers taken); a restart resumes it",
            call.call,
            call.awaited.len() - sec.unanswered().len()
        ),
        None => "between calls; a restart resumes".to_owned(),
    };
    println!("state     {state}");
    println!("sha256    {}", record.sha256());
    let broken = if sec.is_finished() {
        invariants::check(&record)
    } else {
        Vec::new()
    };
    if broken.is_empty() {
        Ok(())
    } else {
        Err(Error::Invariants(broken))
    }
}

/// The journal file: `PATH/journal` for a directory, PATH otherwise.
fn journal_path(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.join(journal::FILE_NAME)
    } else {
        path.to_owned()
    }
}
