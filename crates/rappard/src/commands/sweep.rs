//! `rappard sweep`: the same scenarios under other rules over many seeds.
//!
//! The grid is every scenario, times every variant of the `--set` options
//! (their product), times every seed. Runs go to a rayon pool (`--jobs`);
//! each run's record is folded into its report, checked against the named
//! invariants and dropped, so memory stays flat whatever the number of runs.
//! Lines are written in grid order (scenario, variant, seed) whatever the
//! pool does: runs are taken in chunks, each chunk run in parallel and
//! written in order, so `--jobs 1` and `--jobs 8` write the same bytes.
//! `--shard I/N` keeps the runs whose index in the grid is I modulo N, for
//! sweeps spread over machines; `rappard summarize` merges the shards.

use std::io::Write;
use std::path::PathBuf;

use rappard_core::report::Report;
use rappard_core::scenario::Scenario;
use rappard_core::{invariants, simulation};
use rayon::prelude::*;

use super::summarize::{Output, Tally};
use crate::error::{Error, Result};
use crate::overrides::{Base, Set, Variant, grid};
use crate::runs::{Identity, Run};

/// The command's arguments.
#[derive(clap::Args)]
pub struct Args {
    /// Scenario files (TOML).
    #[arg(required = true)]
    scenarios: Vec<PathBuf>,
    /// Seeds: `A..B` (B excluded) or `A..=B` (B included).
    #[arg(long)]
    seeds: String,
    /// A scenario key and its values, `KEY=V1,V2,...` (repeatable; the
    /// grid is the product): `greenroom.policy=traditional,reformed`,
    /// `item[0].rule=consensus,two-thirds-of-members`.
    #[arg(long = "set", value_name = "KEY=V1,V2,...")]
    sets: Vec<String>,
    /// Runs at once (default: the number of cores).
    #[arg(long)]
    jobs: Option<usize>,
    /// Write the lines to this file (default: stdout; with --summary, not
    /// at all).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Run only the runs whose index in the grid is I modulo N (0-based).
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
    /// Print the summary (as `rappard summarize`) on stdout.
    #[arg(long)]
    summary: bool,
    /// How the summary is written.
    #[command(flatten)]
    output: Output,
}

/// One scenario under one variant, ready to run with any seed.
struct Cell {
    file: String,
    variant_index: usize,
    variant: Variant,
    scenario: Scenario,
}

/// Runs the sweep.
pub fn run(args: &Args) -> Result<()> {
    let seeds = parse_seeds(&args.seeds)?;
    let (shard, shards) = parse_shard(args.shard.as_deref())?;
    let sets = args
        .sets
        .iter()
        .map(|s| Set::parse(s))
        .collect::<Result<Vec<_>>>()?;
    let cells = cells(&args.scenarios, &sets)?;
    let jobs = args.jobs.unwrap_or(0);
    if args.jobs == Some(0) {
        return Err(Error::BadOption {
            option: "--jobs",
            reason: "at least 1".into(),
        });
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| Error::Run(format!("cannot start the pool: {e}")))?;
    let seeds_n = seeds.end - seeds.start;
    let total = cells.len() as u64 * seeds_n;
    let mut sink = sink(args.out.as_ref(), args.summary)?;
    let mut tally = args.summary.then(Tally::default);
    let bar = indicatif::ProgressBar::new(total.saturating_sub(shard).div_ceil(shards));
    let chunk = 64 * pool.current_num_threads().max(1);
    let mut next = shard;
    while next < total {
        let part: Vec<u64> = (next..total).step_by(shards as usize).take(chunk).collect();
        next = part.last().map_or(total, |l| l + shards);
        let lines: Vec<Result<(String, Run)>> = pool.install(|| {
            part.par_iter()
                .map(|&i| {
                    let cell = &cells[(i / seeds_n) as usize];
                    let r = one(cell, seeds.start + i % seeds_n);
                    bar.inc(1);
                    r
                })
                .collect()
        });
        write_lines(lines, sink.as_mut(), tally.as_mut(), args.out.as_ref())?;
    }
    bar.finish_and_clear();
    if let Some(mut w) = sink {
        w.flush().map_err(|e| write_error(args.out.as_ref(), e))?;
    }
    match tally {
        Some(t) => t.print(&args.output),
        None => Ok(()),
    }
}

/// Writes a chunk's lines in order and adds them to the summary.
fn write_lines(
    lines: Vec<Result<(String, Run)>>,
    mut sink: Option<&mut Box<dyn Write>>,
    mut tally: Option<&mut Tally>,
    out: Option<&PathBuf>,
) -> Result<()> {
    for line in lines {
        let (text, run) = line?;
        if let Some(w) = sink.as_mut() {
            writeln!(w, "{text}").map_err(|e| write_error(out, e))?;
        }
        if let Some(t) = tally.as_mut() {
            t.add(run, "sweep")?;
        }
    }
    Ok(())
}

/// Every scenario under every variant, each checked by the scenario parser
/// before anything runs.
fn cells(files: &[PathBuf], sets: &[Set]) -> Result<Vec<Cell>> {
    let variants = grid(sets);
    let mut cells = Vec::new();
    for path in files {
        let base = Base::read(path)?;
        base.check(sets)?;
        for (variant_index, variant) in variants.iter().enumerate() {
            cells.push(Cell {
                file: base.file.clone(),
                variant_index,
                scenario: base.variant(sets, variant)?,
                variant: variant.clone(),
            });
        }
    }
    Ok(cells)
}

/// One run: its line, and the line as data for the summary.
fn one(cell: &Cell, seed: u64) -> Result<(String, Run)> {
    let sc = cell.scenario.clone().with_seed(seed);
    let record = simulation::run(&sc)?;
    let broken = invariants::check(&record);
    if !broken.is_empty() {
        return Err(Error::Invariants(broken));
    }
    let report = Report::from_record(&record);
    drop(record);
    let id = Identity {
        file: &cell.file,
        variant_index: cell.variant_index,
        variant: &cell.variant,
    };
    let run = Run::of(&id, &report, sc.agenda.start);
    Ok((serde_json::to_string(&run)?, run))
}

/// Where the lines go: the file, stdout, or nowhere (`--summary` without
/// `--out`).
fn sink(out: Option<&PathBuf>, summary: bool) -> Result<Option<Box<dyn Write>>> {
    Ok(match out {
        Some(p) => {
            let f = std::fs::File::create(p).map_err(|e| write_error(Some(p), e))?;
            Some(Box::new(std::io::BufWriter::new(f)))
        }
        None if summary => None,
        None => Some(Box::new(std::io::BufWriter::new(std::io::stdout().lock()))),
    })
}

/// An error writing the lines.
fn write_error(out: Option<&PathBuf>, source: std::io::Error) -> Error {
    Error::Io {
        what: match out {
            Some(p) => format!("cannot write {}", p.display()),
            None => "cannot write to stdout".into(),
        },
        source,
    }
}

/// `A..B` or `A..=B`, not empty.
fn parse_seeds(s: &str) -> Result<std::ops::Range<u64>> {
    let bad = |reason: &str| Error::BadOption {
        option: "--seeds",
        reason: format!("{s}: {reason}"),
    };
    let (a, b, inclusive) = match s.split_once("..=") {
        Some((a, b)) => (a, b, true),
        None => {
            let (a, b) = s
                .split_once("..")
                .ok_or_else(|| bad("expected A..B or A..=B"))?;
            (a, b, false)
        }
    };
    let a: u64 = a.trim().parse().map_err(|_| bad("A is not a seed"))?;
    let b: u64 = b.trim().parse().map_err(|_| bad("B is not a seed"))?;
    let end = if inclusive { b.checked_add(1) } else { Some(b) };
    match end {
        Some(end) if end > a => Ok(a..end),
        _ => Err(bad("no seed in the range")),
    }
}

/// `I/N` with I < N (`0/1` without the option).
fn parse_shard(s: Option<&str>) -> Result<(u64, u64)> {
    let Some(s) = s else { return Ok((0, 1)) };
    let bad = || Error::BadOption {
        option: "--shard",
        reason: format!("{s}: expected I/N with 0 <= I < N"),
    };
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let i: u64 = i.parse().map_err(|_| bad())?;
    let n: u64 = n.parse().map_err(|_| bad())?;
    if n == 0 || i >= n {
        return Err(bad());
    }
    Ok((i, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_and_shards() {
        assert_eq!(parse_seeds("1..21").ok(), Some(1..21));
        assert_eq!(parse_seeds("1..=20").ok(), Some(1..21));
        assert!(parse_seeds("5..5").is_err());
        assert!(parse_seeds("a..5").is_err());
        assert!(parse_seeds("5").is_err());
        assert_eq!(parse_shard(Some("2/3")).ok(), Some((2, 3)));
        assert_eq!(parse_shard(None).ok(), Some((0, 1)));
        assert!(parse_shard(Some("3/3")).is_err());
        assert!(parse_shard(Some("0/0")).is_err());
    }
}
