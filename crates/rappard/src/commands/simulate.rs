//! `rappard simulate`: a scenario in process, its minutes or report.

use std::path::PathBuf;

use rappard_core::simulation;

use super::{Format, load_scenario, print_record};
use crate::error::Result;

// The command's arguments.
#[derive(clap::Args)]
pub struct Args {
    /// The scenario file (TOML).
    scenario: PathBuf,
    /// Replace the scenario's seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// Runs the scenario and prints the record.
pub fn run(args: &Args) -> Result<()> {
    let sc = load_scenario(&args.scenario, args.seed)?;
    let record = simulation::run(&sc)?;
    print_record(&record, args.format)
}
