//! The `rappard` command line.
//!
//! - `rappard simulate SCENARIO [--seed N] [--format text|json]` runs a
//!   scenario in process and prints the minutes (text) or the report (JSON,
//!   alone on stdout; messages go to stderr). It checks the record's named
//!   invariants after the run.
//! - `rappard bench [--members 166,10000] [--repeat N]` measures one
//!   consultation-and-decision round of the core (see `BENCHMARKS.md`).
//! - `rappard pki init|issue`, `rappard secretariat`, `rappard member` and
//!   `rappard demo` run the negotiation on the network (`net`).
//!
//! Exit codes: 0 success; 1 an unexpected failure (an internal error);
//! 2 bad input (an unreadable or malformed scenario, a bad option);
//! 3 a broken invariant (a bug in rappard: please report it).

mod bench;
mod net;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use rappard_core::{invariants, report, simulation};

#[derive(Parser)]
#[command(
    name = "rappard",
    version,
    about = "A simulator of WTO multilateral trade negotiations"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Format {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario in process and print the minutes or the JSON report.
    Simulate {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// Replace the scenario's seed.
        #[arg(long)]
        seed: Option<u64>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Make the authority and the nodes' certificates.
    Pki {
        #[command(subcommand)]
        command: PkiCommand,
    },
    /// Run the Secretariat node (serves until Ctrl-C).
    Secretariat {
        /// The scenario file.
        #[arg(long)]
        scenario: PathBuf,
        /// Replace the scenario's seed.
        #[arg(long)]
        seed: Option<u64>,
        /// Address for gRPC (port 0: any free port; the address is printed).
        #[arg(long, default_value = "127.0.0.1:50051")]
        grpc: String,
        /// Address for QUIC (UDP; port 0: any free port; printed).
        #[arg(long)]
        quic: Option<String>,
        /// The PKI directory.
        #[arg(long)]
        certs: PathBuf,
        /// Seconds a call waits for answers that do not come.
        #[arg(long, default_value_t = 60)]
        answer_timeout: u64,
        /// Seconds to wait for every delegation to join before starting.
        #[arg(long, default_value_t = 120)]
        join_timeout: u64,
        /// Real seconds per simulated day, so people can watch (default: as
        /// fast as the delegations answer).
        #[arg(long)]
        pace: Option<f64>,
    },
    /// Run one or more delegation nodes.
    Member {
        /// The scenario file: each delegation takes only its own
        /// instructions from it. Without one, each decides with the
        /// ideal-point strategy drawn from the seed the Secretariat gives.
        #[arg(long)]
        scenario: Option<PathBuf>,
        /// Replace the scenario's seed.
        #[arg(long)]
        seed: Option<u64>,
        /// Delegation ids, comma-separated.
        #[arg(long, alias = "id", value_delimiter = ',', required = true)]
        ids: Vec<String>,
        /// The Secretariat's address, HOST:PORT.
        #[arg(long)]
        secretariat: String,
        /// The PKI directory.
        #[arg(long)]
        certs: PathBuf,
        /// Transport: gRPC over TCP+TLS, or the same inside QUIC.
        #[arg(long, value_enum, default_value = "grpc")]
        transport: Transport,
    },
    /// Run a scenario over the network on 127.0.0.1: a PKI, the Secretariat
    /// and member processes; prints the minutes like `simulate`.
    Demo {
        /// The scenario (default: the shipped full-membership scenario).
        scenario: Option<PathBuf>,
        /// Replace the scenario's seed.
        #[arg(long)]
        seed: Option<u64>,
        /// Member processes.
        #[arg(long, default_value_t = 4)]
        processes: usize,
        /// Real seconds per simulated day (see `secretariat --pace`).
        #[arg(long)]
        pace: Option<f64>,
        /// Transport: gRPC over TCP+TLS, or the same inside QUIC.
        #[arg(long, value_enum, default_value = "grpc")]
        transport: Transport,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Measure one consultation-and-decision round of the core.
    Bench {
        /// Membership sizes: 166 is the WTO dataset, any other number a
        /// synthetic membership of that size.
        #[arg(long, value_delimiter = ',', default_value = "166,1000,10000")]
        members: Vec<usize>,
        /// Runs per size and case (the first is a warm-up, not counted).
        #[arg(long, default_value_t = 30)]
        repeat: usize,
    },
}

/// The transports.
#[derive(Clone, Copy, ValueEnum)]
enum Transport {
    /// gRPC over TCP with TLS.
    Grpc,
    /// The same gRPC inside QUIC streams.
    Quic,
}

#[derive(Subcommand)]
enum PkiCommand {
    /// Make a new authority in a directory.
    Init {
        /// The PKI directory.
        #[arg(long)]
        certs: PathBuf,
    },
    /// Issue a node's certificate and key.
    Issue {
        /// The PKI directory.
        #[arg(long)]
        certs: PathBuf,
        /// Member id (for the Secretariat, any id: `WTO`).
        #[arg(long)]
        id: String,
        /// `member`, `applicant` or `secretariat`.
        #[arg(long)]
        role: String,
    },
}

fn simulate(path: &std::path::Path, seed: Option<u64>, format: Format) -> ExitCode {
    let sc = match net::load_scenario(path, seed) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let record = match simulation::run(&sc) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("internal error: a delegation's answer was refused: {e}");
            return ExitCode::from(1);
        }
    };
    print_record(&record, format)
}

/// Prints a record's minutes or report, and checks its invariants (exit 3
/// if one is broken).
pub(crate) fn print_record(record: &rappard_core::record::Record, format: Format) -> ExitCode {
    let record = record.clone();
    let broken = invariants::check(&record);
    match format {
        Format::Text => print!("{}", report::minutes(&record)),
        Format::Json => {
            let r = report::Report::from_record(&record);
            match serde_json::to_string_pretty(&r) {
                Ok(json) => println!("{json}"),
                Err(e) => {
                    eprintln!("internal error: cannot encode the report: {e}");
                    return ExitCode::from(1);
                }
            }
        }
    }
    if !broken.is_empty() {
        for v in &broken {
            eprintln!("error: {v}");
        }
        return ExitCode::from(3);
    }
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cli.command {
        Command::Simulate {
            scenario,
            seed,
            format,
        } => simulate(&scenario, seed, format),
        Command::Bench { members, repeat } => bench::run(&members, repeat),
        Command::Pki { command } => match command {
            PkiCommand::Init { certs } => net::pki_init(&certs),
            PkiCommand::Issue { certs, id, role } => net::pki_issue(&certs, &id, &role),
        },
        Command::Secretariat {
            scenario,
            seed,
            grpc,
            quic,
            certs,
            answer_timeout,
            join_timeout,
            pace,
        } => net::secretariat(
            &scenario,
            seed,
            &grpc,
            quic.as_deref(),
            &certs,
            rappard_net::secretariat::Options {
                answer_timeout: std::time::Duration::from_secs(answer_timeout),
                join_timeout: std::time::Duration::from_secs(join_timeout),
                authority: Some(certs.clone()),
                pace,
            },
        ),
        Command::Member {
            scenario,
            seed,
            ids,
            secretariat,
            certs,
            transport,
        } => net::member(
            scenario.as_deref(),
            seed,
            &ids,
            &secretariat,
            &certs,
            matches!(transport, Transport::Quic),
        ),
        Command::Demo {
            scenario,
            seed,
            processes,
            pace,
            transport,
            format,
        } => net::demo(
            scenario.as_deref(),
            net::DemoOptions {
                seed,
                processes,
                pace,
                quic: matches!(transport, Transport::Quic),
                format,
            },
        ),
    }
}
