//! `rappard view RUN [--http ADDR]`: the classroom's dashboard over a
//! finished run, for the debrief or for a run made by `simulate` or a
//! sweep.
//!
//! RUN is read as `rappard report` reads it (`report::read_record`): a
//! record file (`simulate --format record`) or a Secretariat's data
//! directory, checked entry by entry; a bad file exits 2 with the file,
//! the line and what is wrong. The dashboard is the live one
//! (`rappard_net::web::serve_replay`): it starts with the run's end in
//! view, and its event stream replays the record from the first entry.
//! Plain HTTP on the loopback address by default (the record is the run's
//! public minutes, and nothing can be answered through it); it prints
//! `http URL` and serves until SIGINT or SIGTERM (exit 0).

use std::io::Write as _;
use std::path::PathBuf;

use tracing::info;

use super::report::read_record;
use super::runtime;
use super::signals::Stop;
use crate::error::{Error, Result};

// The command's arguments.
#[derive(clap::Args)]
pub struct Args {
    /// The run's record (`simulate --format record`) or a Secretariat's
    /// data directory (`secretariat --data DIR`).
    record: PathBuf,
    /// Where to serve the dashboard (port 0: any free port; printed).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    http: String,
}

/// Reads the record and serves its dashboard until a signal.
pub fn run(args: &Args) -> Result<()> {
    let record = read_record(&args.record)?;
    runtime()?.block_on(async {
        let mut stop = Stop::listen()?;
        let listener = tokio::net::TcpListener::bind(&args.http)
            .await
            .map_err(|source| Error::Listen {
                addr: args.http.clone(),
                what: " (HTTP)",
                source,
            })?;
        let (stopped_tx, stopped) = tokio::sync::oneshot::channel::<()>();
        let link = rappard_net::web::serve_replay(&record, listener, async {
            let _ = stopped.await;
        })
        .await?;
        println!("http {link}");
        let _ = std::io::stdout().flush();
        let signal = stop.recv().await;
        info!("{}: stopping", signal.name());
        let _ = stopped_tx.send(());
        Ok(())
    })
}
