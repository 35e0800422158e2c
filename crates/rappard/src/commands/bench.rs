//! `rappard bench`: the cost of one consultation-and-decision round.
//!
//! One run is a whole negotiation of one item in which every delegation
//! accepts the first text: a day's session (scheduling at the best time for
//! all, presence, positions from every present delegation, the chair's text,
//! reactions), the text tabled, and the next day's session deciding it, by
//! consensus or by a majority vote. That is one consultation round and one
//! decision, with everything the Secretariat records, through the same
//! `Secretariat`/`Delegation` calls a network node makes. Three cases: venue
//! `geneva` decided by consensus and by majority vote (every delegation is
//! present and answers every call), and venue `virtual` (every delegation's
//! own time zone is converted, and only those whose office hours hold the
//! session answer).
//!
//! 166 members is the WTO dataset; any other size is a synthetic membership
//! that reuses the dataset's time zones in turn. Time is wall time of the
//! run, excluding building the scenario, measured over `--repeat` runs after
//! one warm-up; peak memory is the process's high-water mark.

use std::collections::BTreeMap;
use std::time::Instant;

use rappard_core::dataset;
use rappard_core::member::{Member, MemberId, Membership};
use rappard_core::procedure::{Procedure, Quorum};
use rappard_core::protocol::Package;
use rappard_core::record::Event;
use rappard_core::rules::Rule;
use rappard_core::scenario::{Agenda, ItemSpec, PositionSpec, Scenario};
use rappard_core::sessions::Venue;
use rappard_core::simulation;
use rappard_core::time::Timestamp;

use crate::error::{Error, Result};

// The command's arguments.
#[derive(clap::Args)]
pub struct Args {
    /// Membership sizes: 166 is the WTO dataset, any other number a
    /// synthetic membership of that size.
    #[arg(long, value_delimiter = ',', default_value = "166,1000,10000")]
    members: Vec<usize>,
    /// Runs per size and case (the first is a warm-up, not counted).
    #[arg(long, default_value_t = 30)]
    repeat: usize,
    /// Measure the lockstep over the network instead, against its floor
    /// (`--transport`, `--delegations`, `--items`): see `BENCHMARKS.md`.
    #[arg(long)]
    network: bool,
    /// With `--network`: gRPC over TCP+TLS, or the same inside QUIC.
    #[arg(long, value_enum, default_value = "grpc")]
    transport: super::Transport,
    /// With `--network`: delegations, one synthetic membership each
    /// (166 is the WTO dataset's 139 delegations).
    #[arg(long, value_delimiter = ',', default_value = "139,1000,2000")]
    delegations: Vec<usize>,
    /// With `--network`: agenda items, one after the other (each is three
    /// calls: positions, reactions, objections).
    #[arg(long, default_value_t = 10)]
    items: usize,
}

pub(crate) fn membership(n: usize) -> Result<Membership, String> {
    let wto = dataset::wto().map_err(|e| e.to_string())?;
    if n == wto.len() {
        return Ok(wto);
    }
    let base = wto.members();
    let members = (0..n)
        .map(|i| {
            let b = &base[i % base.len()];
            Ok(Member {
                id: MemberId::new(&format!("M{i:06}"))?,
                name: format!("Member {i}"),
                membership_date: None,
                region: b.region.clone(),
                development: b.development,
                time_zone: b.time_zone,
                office_hours: b.office_hours,
                export_share: None,
                eu_member_state: false,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Membership::new(members))
}

/// The benchmark's scenario: `items` items (`bench`, then `bench-2`, …),
/// each negotiated as the module doc says, one after the other.
pub(crate) fn scenario(
    n: usize,
    venue: Venue,
    rule: Rule,
    items: usize,
) -> Result<Scenario, String> {
    let membership = membership(n)?;
    let start = Timestamp::parse("2026-03-02T00:00:00Z")?;
    let ids: Vec<String> = (1..=items.max(1))
        .map(|k| match k {
            1 => "bench".to_owned(),
            k => format!("bench-{k}"),
        })
        .collect();
    let item = |id: &String| ItemSpec {
        id: id.clone(),
        title: "Benchmark item".into(),
        rule,
        fallback: None,
        meeting: None,
        deadline: start.plus_secs(30 * 86_400),
        co_chairs: Vec::new(),
        written_procedure_hours: 72,
        concerned: Vec::new(),
        salience: 0,
        observers: Vec::new(),
        named: None,
        consensus_until: None,
        acceptance: None,
    };
    let accept = PositionSpec::IdealPoint {
        ideal: None,
        tolerance: Some(10_000),
        concession: Some(0),
        importance: None,
    };
    let instructions = membership
        .delegations()
        .map(|m| {
            let mine = ids.iter().map(|id| (id.clone(), accept)).collect();
            (m.id.clone(), mine)
        })
        .collect::<BTreeMap<_, BTreeMap<_, _>>>();
    Ok(Scenario {
        agenda: Agenda {
            name: format!("bench-{n}"),
            seed: 1,
            start,
            venue,
            session_hours: 3,
            package: Package::EarlyHarvest,
            membership,
            items: ids.iter().map(item).collect(),
            green_room: None,
            coalitions: Vec::new(),
            initiatives: Vec::new(),
            accessions: Vec::new(),
            // The same round whatever the calendar and attendance, and a
            // `majority` decision that votes: the benchmark measures the
            // round, not the rules of procedure.
            procedure: Procedure {
                consensus_first: false,
                quorum: Quorum::None,
                working_days: false,
                ..Procedure::default()
            },
            chair: Default::default(),
            capacity: Default::default(),
            flexibilities: Default::default(),
            shocks: Vec::new(),
            rtas: Default::default(),
            secretariat: Default::default(),
            pressure: Default::default(),
        },
        instructions,
    })
}

pub(crate) fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs the benchmark and prints a Markdown table.
pub fn run(args: &Args) -> Result<()> {
    if args.network {
        return super::netbench::run(&args.delegations, args.transport, args.items);
    }
    let repeat = args.repeat.max(1);
    println!(
        "| members | venue | decision | delegations answering | events | mean per round | min | per member |"
    );
    println!("|---:|---|---|---:|---:|---:|---:|---:|");
    let cases = [
        (Venue::Geneva, Rule::Consensus),
        (Venue::Geneva, Rule::Majority),
        (Venue::Virtual, Rule::Consensus),
    ];
    for &n in &args.members {
        for (venue, rule) in cases {
            let sc = scenario(n, venue, rule, 1).map_err(|reason| Error::BadOption {
                option: "--members",
                reason,
            })?;
            let m = measure(&sc, repeat)?;
            let mean = m.times.iter().sum::<f64>() / m.times.len() as f64;
            let min = m.times.iter().copied().fold(f64::INFINITY, f64::min);
            println!(
                "| {n} | {} | {} | {} | {} | {:.3} ms | {:.3} ms | {:.2} µs |",
                venue.as_str(),
                rule.as_str(),
                m.answering,
                m.events,
                mean * 1e3,
                min * 1e3,
                mean * 1e6 / n as f64
            );
        }
    }
    if let Some(kib) = peak_rss_kib() {
        println!(
            "\npeak resident memory of the process: {:.1} MiB",
            kib as f64 / 1024.0
        );
    }
    Ok(())
}

/// What the runs of one case measured.
struct Measured {
    /// Seconds per run, after the warm-up.
    times: Vec<f64>,
    /// Events in the record.
    events: usize,
    /// Delegations that stated a position.
    answering: usize,
}

/// Runs a scenario `repeat` times after one warm-up.
fn measure(sc: &Scenario, repeat: usize) -> Result<Measured> {
    let mut m = Measured {
        times: Vec::with_capacity(repeat),
        events: 0,
        answering: 0,
    };
    for k in 0..=repeat {
        let t = Instant::now();
        let record = simulation::run(sc)?;
        let dt = t.elapsed();
        m.events = record.len();
        m.answering = record
            .entries()
            .iter()
            .filter(|e| matches!(e.event, Event::PositionStated { .. }))
            .count();
        if k > 0 {
            m.times.push(dt.as_secs_f64());
        }
    }
    Ok(m)
}
