//! The `rappard` command line.
//!
//! - `rappard simulate SCENARIO [--seed N] [--format text|json|record|html]` runs a
//!   scenario in process and prints the minutes (text) or the report (JSON,
//!   alone on stdout; messages go to stderr). It checks the record's named
//!   invariants after the run.
//! - `rappard sweep SCENARIO... --seeds A..B [--set KEY=V1,V2]...` runs
//!   scenarios under variants of their keys over many seeds, in parallel,
//!   and writes one JSON line per run; `rappard summarize FILE...` gives
//!   adoption rates with their intervals (see `docs/sweeps.md`).
//! - `rappard bench [--members 166,10000] [--repeat N]` measures one
//!   consultation-and-decision round of the core (see `BENCHMARKS.md`).
//! - `rappard pki init|issue`, `rappard secretariat`, `rappard member` and
//!   `rappard demo` run the negotiation on the network.
//! - `rappard report RUN --html OUT.html` writes the HTML report of a run's
//!   record (`simulate --format record`), with its charts.
//! - `rappard view RUN` serves the classroom's dashboard over a finished
//!   run's record.
//! - `rappard verify DIR` checks a Secretariat's journal (`secretariat
//!   --data DIR`) without changing it and prints its record's SHA-256.
//! - `rappard health ADDR --certs DIR` asks a Secretariat's gRPC health
//!   service whether it serves (exit 0), for container probes.
//!
//! One module per command (`commands/`); one error type ([`error::Error`]),
//! whose `exit_code` is the one place an error becomes an exit code.
//!
//! Exit codes: 0 success; 1 an unexpected failure (an internal error);
//! 2 bad input (an unreadable or malformed scenario, a bad option);
//! 3 a broken invariant (a bug in rappard: please report it); 130
//! interrupted by SIGINT (Ctrl-C) and 143 by SIGTERM (`member`, `demo`;
//! `secretariat` stops on either and exits 0).
//!
//! Diagnostics go to stderr through `tracing` (`logging.rs`): `RUST_LOG`
//! filters them; without it, `-v` raises the default; `--log-format json`
//! writes them as JSON lines. Minutes, reports and
//! listening addresses go to stdout.

mod chart;
mod commands;
mod error;
mod logging;
mod overrides;
mod runs;
mod stats;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::commands::{
    bench, demo, health, member, pki, report, secretariat, simulate, summarize, sweep, verify, view,
};
use crate::error::Error;

#[derive(Parser)]
#[command(
    name = "rappard",
    version,
    about = "A simulator of WTO multilateral trade negotiations"
)]
struct Cli {
    /// More diagnostics on stderr: -v for the network nodes' joins, leaves
    /// and calls, -vv for every answer, -vvv for everything (`RUST_LOG`,
    /// if set, decides instead).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    /// How diagnostics on stderr are written: text, or one JSON object a
    /// line with the spans' fields (member, call) for log collectors.
    #[arg(long, value_enum, default_value = "text", global = true)]
    log_format: logging::LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario in process and print the minutes or the JSON report.
    Simulate(simulate::Args),
    /// Run scenarios under variants of their keys over many seeds, one
    /// JSON line per run.
    Sweep(sweep::Args),
    /// Summarize sweeps: adoption rates with 95 % intervals.
    Summarize(summarize::Args),
    /// Make the authority and the nodes' certificates.
    Pki {
        #[command(subcommand)]
        command: pki::Command,
    },
    /// Run the Secretariat node (serves until Ctrl-C or SIGTERM).
    Secretariat(secretariat::Args),
    /// Run one or more delegation nodes.
    Member(member::Args),
    /// Run a scenario over the network on 127.0.0.1: a PKI, the Secretariat
    /// and member processes; prints the minutes like `simulate`.
    Demo(demo::Args),
    /// Run a class on this machine: `demo` with some delegations played by
    /// people from their browsers (prints the dashboard, the teacher's and
    /// one join link per delegation), the others by the shipped strategies.
    Class(demo::ClassArgs),
    /// Measure one consultation-and-decision round of the core.
    Bench(bench::Args),
    /// Write the HTML report of a run's record (`simulate --format
    /// record`): one self-contained page with SVG charts.
    Report(report::Args),
    /// Ask a Secretariat's gRPC health service whether it serves (for
    /// probes): prints SERVING and exits 0, or exits 1.
    Health(health::Args),
    /// Check a Secretariat's journal (`secretariat --data DIR`) and print
    /// the SHA-256 of its record.
    Verify(verify::Args),
    /// Serve the classroom's dashboard over a finished run's record (or a
    /// Secretariat's data directory), for the debrief.
    View(view::Args),
}

fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Simulate(args) => simulate::run(&args),
        Command::Sweep(args) => sweep::run(&args),
        Command::Summarize(args) => summarize::run(&args),
        Command::Pki { command } => pki::run(command),
        Command::Secretariat(args) => secretariat::run(args),
        Command::Member(args) => member::run(args),
        Command::Demo(args) => demo::run(&args, cli.verbose),
        Command::Class(args) => demo::run(&args.into_demo(), cli.verbose),
        Command::Bench(args) => bench::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::View(args) => view::run(&args),
        Command::Report(args) => report::run(&args),
        Command::Health(args) => health::run(&args),
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => return Error::Usage(e).exit(),
    };
    logging::init(cli.verbose, cli.log_format);
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => e.exit(),
    }
}
