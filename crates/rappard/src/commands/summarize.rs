//! `rappard summarize FILE...`: adoption rates with their intervals, from
//! the lines of one or more sweeps (shards merge by being read together).
//!
//! Per scenario, variant and item: runs, adoptions, the adoption rate with
//! its 95 % Wilson interval, the mean and quartiles of rounds and of days
//! to decision (over the runs that reached a decision meeting); and, for a
//! scenario with exactly two variants, the difference of the rates (first
//! minus second) with Newcombe's 95 % interval. Groups are keyed by the
//! scenario's name, the variant's place in the grid and the item's place on
//! the agenda, and every statistic is computed from sorted values, so the
//! summary does not depend on the order of the lines or of the files: the
//! merged shards of a sweep give the summary of the whole sweep, byte for
//! byte. A run seen twice (a shard given twice) is an error.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::io::BufRead;
use std::path::PathBuf;

use clap::ValueEnum;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::runs::Run;
use crate::stats::{Interval, Spread, Z95, newcombe, spread, wilson};

/// The command's arguments.
#[derive(clap::Args)]
pub struct Args {
    /// Lines written by `rappard sweep` (JSON Lines), shards included.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// How the summary is written.
    #[command(flatten)]
    output: Output,
}

/// How a summary is written (shared with `sweep --summary`).
#[derive(clap::Args)]
pub struct Output {
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: SummaryFormat,
    /// Also draw the rates and their intervals in this SVG file.
    #[arg(long)]
    svg: Option<PathBuf>,
}

/// The summary's formats.
#[derive(Clone, Copy, ValueEnum)]
enum SummaryFormat {
    /// A table for reading.
    Text,
    /// Comma-separated values, one row per rate or difference.
    Csv,
    /// One JSON object.
    Json,
}

/// Reads the files and prints their summary.
pub fn run(args: &Args) -> Result<()> {
    let mut tally = Tally::default();
    for path in &args.files {
        let name = path.display().to_string();
        let io = |source| Error::Io {
            what: format!("cannot read {name}"),
            source,
        };
        let file = std::fs::File::open(path).map_err(io)?;
        for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
            let line = line.map_err(io)?;
            if line.trim().is_empty() {
                continue;
            }
            let run: Run = serde_json::from_str(&line).map_err(|e| Error::BadInput {
                what: format!("{name}:{}", n + 1),
                reason: format!("not a line of rappard sweep: {e}"),
            })?;
            tally.add(run, &format!("{name}:{}", n + 1))?;
        }
    }
    tally.print(&args.output)
}

/// The runs read so far, grouped.
#[derive(Default)]
pub struct Tally {
    /// By scenario name and variant index.
    variants: BTreeMap<(String, usize), VariantTally>,
    /// Runs seen: scenario, variant index, seed.
    seen: HashSet<(String, usize, u64)>,
}

/// One variant of one scenario.
struct VariantTally {
    variant: BTreeMap<String, String>,
    /// By place on the agenda, then id.
    items: BTreeMap<(usize, String), ItemTally>,
}

/// One item under one variant.
#[derive(Default)]
struct ItemTally {
    runs: u64,
    adopted: u64,
    rounds: Vec<f64>,
    days: Vec<f64>,
}

/// One row of the summary: a rate.
#[derive(Serialize)]
struct Rate {
    scenario: String,
    variant: BTreeMap<String, String>,
    item: String,
    runs: u64,
    adopted: u64,
    adoption: Interval,
    rounds: Option<Spread>,
    days_to_decision: Option<Spread>,
}

/// One row of the summary: a difference of two variants' rates.
#[derive(Serialize)]
struct Difference {
    scenario: String,
    item: String,
    first: BTreeMap<String, String>,
    second: BTreeMap<String, String>,
    difference: Interval,
}

/// The whole summary.
#[derive(Serialize)]
struct Summary {
    rates: Vec<Rate>,
    differences: Vec<Difference>,
}

impl Tally {
    /// Adds a run; `whence` names it in errors.
    pub fn add(&mut self, run: Run, whence: &str) -> Result<()> {
        let key = (run.scenario.clone(), run.variant_index, run.seed);
        if !self.seen.insert(key) {
            return Err(Error::BadInput {
                what: whence.to_owned(),
                reason: format!(
                    "{} variant {} seed {} appears twice (a shard given twice?)",
                    run.scenario, run.variant_index, run.seed
                ),
            });
        }
        let v = self
            .variants
            .entry((run.scenario.clone(), run.variant_index))
            .or_insert_with(|| VariantTally {
                variant: run.variant.clone(),
                items: BTreeMap::new(),
            });
        for (place, item) in run.items.into_iter().enumerate() {
            let t = v.items.entry((place, item.id)).or_default();
            t.runs += 1;
            t.adopted += u64::from(item.outcome == "adopted");
            t.rounds.push(f64::from(item.rounds));
            t.days.extend(item.days_to_decision);
        }
        Ok(())
    }

    /// The summary's rows.
    fn summary(mut self) -> Summary {
        let mut rates = Vec::new();
        for ((scenario, _), v) in &mut self.variants {
            for ((_, item), t) in &mut v.items {
                rates.push(Rate {
                    scenario: scenario.clone(),
                    variant: v.variant.clone(),
                    item: item.clone(),
                    runs: t.runs,
                    adopted: t.adopted,
                    adoption: wilson(t.adopted, t.runs, Z95).unwrap_or(Interval {
                        estimate: f64::NAN,
                        low: f64::NAN,
                        high: f64::NAN,
                    }),
                    rounds: spread(&mut t.rounds),
                    days_to_decision: spread(&mut t.days),
                });
            }
        }
        let differences = differences(&rates);
        Summary { rates, differences }
    }

    /// Prints the summary, and draws it if asked.
    pub fn print(self, output: &Output) -> Result<()> {
        let summary = self.summary();
        let text = match output.format {
            SummaryFormat::Text => text(&summary),
            SummaryFormat::Csv => csv(&summary),
            SummaryFormat::Json => serde_json::to_string_pretty(&summary)? + "\n",
        };
        print!("{text}");
        if let Some(path) = &output.svg {
            let svg = crate::chart::svg(&chart_rows(&summary));
            std::fs::write(path, svg).map_err(|source| Error::Io {
                what: format!("cannot write {}", path.display()),
                source,
            })?;
        }
        Ok(())
    }
}

/// For each scenario with exactly two variants, the difference of each
/// item's rates.
fn differences(rates: &[Rate]) -> Vec<Difference> {
    let mut by_scenario: BTreeMap<&str, Vec<&Rate>> = BTreeMap::new();
    for r in rates {
        by_scenario.entry(&r.scenario).or_default().push(r);
    }
    let mut out = Vec::new();
    for (scenario, rows) in by_scenario {
        let mut variants: Vec<&BTreeMap<String, String>> = Vec::new();
        for r in &rows {
            if !variants.contains(&&r.variant) {
                variants.push(&r.variant);
            }
        }
        let [first, second] = variants[..] else {
            continue;
        };
        for a in rows.iter().filter(|r| &r.variant == first) {
            let b = rows
                .iter()
                .find(|r| &r.variant == second && r.item == a.item);
            if let Some(b) = b.filter(|b| b.runs > 0 && a.runs > 0) {
                out.push(Difference {
                    scenario: scenario.to_owned(),
                    item: a.item.clone(),
                    first: first.clone(),
                    second: second.clone(),
                    difference: newcombe(a.adoption, b.adoption),
                });
            }
        }
    }
    out
}

/// A variant as one label: `key=value, key=value`, or `(as written)`.
pub fn label(variant: &BTreeMap<String, String>) -> String {
    if variant.is_empty() {
        return "(as written)".into();
    }
    variant
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `mean (q1–q3)`, or `-`.
fn brief(s: Option<&Spread>) -> String {
    s.map_or("-".into(), |s| {
        format!("{:.1} ({:.1}–{:.1})", s.mean, s.q1, s.q3)
    })
}

/// The text table.
fn text(summary: &Summary) -> String {
    let mut rows = vec![[
        "scenario".to_owned(),
        "variant".into(),
        "item".into(),
        "runs".into(),
        "adopted".into(),
        "rate [95% CI]".into(),
        "rounds mean (q1–q3)".into(),
        "days to decision mean (q1–q3)".into(),
    ]];
    for r in &summary.rates {
        let a = r.adoption;
        rows.push([
            r.scenario.clone(),
            label(&r.variant),
            r.item.clone(),
            r.runs.to_string(),
            r.adopted.to_string(),
            format!("{:.3} [{:.3}, {:.3}]", a.estimate, a.low, a.high),
            brief(r.rounds.as_ref()),
            brief(r.days_to_decision.as_ref()),
        ]);
    }
    let mut out = table(&rows);
    for d in &summary.differences {
        let x = d.difference;
        let _ = writeln!(
            out,
            "\n{} {}: difference of adoption rates ({}) − ({}) = {:.3} [{:.3}, {:.3}] (95% CI, Newcombe)",
            d.scenario,
            d.item,
            label(&d.first),
            label(&d.second),
            x.estimate,
            x.low,
            x.high
        );
    }
    out
}

/// Rows as columns padded to their widest cell.
fn table<const N: usize>(rows: &[[String; N]]) -> String {
    let mut widths = [0; N];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect();
        let _ = writeln!(out, "{}", cells.join("  ").trim_end());
    }
    out
}

/// The CSV: one row per rate (`kind` = `rate`) and per difference
/// (`kind` = `difference`, its variant `A − B`, its counts empty).
fn csv(summary: &Summary) -> String {
    let mut out = String::from(
        "kind,scenario,variant,item,runs,adopted,estimate,low,high,\
         rounds_mean,rounds_q1,rounds_median,rounds_q3,\
         days_n,days_mean,days_q1,days_median,days_q3\n",
    );
    let spread_cells = |s: Option<&Spread>, with_n: bool| -> Vec<String> {
        let mut v: Vec<String> = match s {
            Some(s) => [s.mean, s.q1, s.median, s.q3]
                .iter()
                .map(|x| x.to_string())
                .collect(),
            None => vec![String::new(); 4],
        };
        if with_n {
            v.insert(0, s.map_or("0".into(), |s| s.n.to_string()));
        }
        v
    };
    for r in &summary.rates {
        let a = r.adoption;
        let mut cells = vec![
            "rate".into(),
            r.scenario.clone(),
            label(&r.variant),
            r.item.clone(),
            r.runs.to_string(),
            r.adopted.to_string(),
            a.estimate.to_string(),
            a.low.to_string(),
            a.high.to_string(),
        ];
        cells.extend(spread_cells(r.rounds.as_ref(), false));
        cells.extend(spread_cells(r.days_to_decision.as_ref(), true));
        csv_row(&mut out, &cells);
    }
    for d in &summary.differences {
        let x = d.difference;
        let mut cells = vec![
            "difference".into(),
            d.scenario.clone(),
            format!("{} − {}", label(&d.first), label(&d.second)),
            d.item.clone(),
            String::new(),
            String::new(),
            x.estimate.to_string(),
            x.low.to_string(),
            x.high.to_string(),
        ];
        cells.extend(std::iter::repeat_n(String::new(), 9));
        csv_row(&mut out, &cells);
    }
    out
}

/// One CSV row, each cell quoted when it needs to be (RFC 4180: a comma,
/// a quote or a line break; quotes doubled). Written here: one rule, no
/// need for a crate.
fn csv_row(out: &mut String, cells: &[String]) {
    let quoted: Vec<String> = cells
        .iter()
        .map(|c| {
            if c.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c.clone()
            }
        })
        .collect();
    let _ = writeln!(out, "{}", quoted.join(","));
}

/// The rates as the chart draws them.
fn chart_rows(summary: &Summary) -> Vec<crate::chart::Bar> {
    summary
        .rates
        .iter()
        .map(|r| crate::chart::Bar {
            group: format!("{} · {}", r.scenario, r.item),
            variant: label(&r.variant),
            rate: r.adoption,
        })
        .collect()
}
