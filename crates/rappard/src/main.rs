//! The `rappard` command line.
//!
//! - `rappard simulate SCENARIO [--seed N] [--format text|json]` runs a
//!   scenario in process and prints the minutes (text) or the report (JSON,
//!   alone on stdout; messages go to stderr). It checks the record's named
//!   invariants after the run.
//! - `rappard bench [--members 166,10000] [--repeat N]` measures one
//!   consultation-and-decision round of the core (see `BENCHMARKS.md`).
//!
//! Exit codes: 0 success; 1 an unexpected failure (an internal error);
//! 2 bad input (an unreadable or malformed scenario, a bad option);
//! 3 a broken invariant (a bug in rappard: please report it).

mod bench;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use rappard_core::{invariants, report, scenario, simulation};

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
enum Format {
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

fn simulate(path: &PathBuf, seed: Option<u64>, format: Format) -> ExitCode {
    let name = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read scenario {name}: {e}");
            return ExitCode::from(2);
        }
    };
    let mut sc = match scenario::parse(&name, &text) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(seed) = seed {
        sc = sc.with_seed(seed);
    }
    let record = match simulation::run(&sc) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("internal error: a delegation's answer was refused: {e}");
            return ExitCode::from(1);
        }
    };
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
    }
}
