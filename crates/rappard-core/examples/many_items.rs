//! Simulates a scenario with more agenda items than a file may hold, for
//! the "Many agenda items" benchmark in `BENCHMARKS.md`.
//!
//! A scenario file holds at most 100 items, so this reads one item of a
//! file (the first) and repeats it N times in code, with the ids
//! `item-0001`, `item-0002`, …; positions are drawn from the seed per
//! Member and item, as for the file's own items. It prints the number of
//! events and the record's SHA-256; time and memory are measured around
//! it (`/usr/bin/time`).
//!
//! ```sh
//! cargo run --release -p rappard-core --example many_items -- bench/item.toml 800
//! ```

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(file), Some(n)) = (args.first(), args.get(1)) else {
        eprintln!("usage: many_items SCENARIO.toml N");
        return ExitCode::FAILURE;
    };
    let Ok(n) = n.parse::<usize>() else {
        eprintln!("N: not a number: {n}");
        return ExitCode::FAILURE;
    };
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{file}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut sc = match rappard_core::scenario::parse(file, &text) {
        Ok(sc) => sc,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let Some(first) = sc.agenda.items.first().cloned() else {
        eprintln!("{file}: no item to repeat");
        return ExitCode::FAILURE;
    };
    sc.agenda.items = (1..=n)
        .map(|k| {
            let mut item = first.clone();
            item.id = format!("item-{k:04}");
            item
        })
        .collect();
    match rappard_core::simulation::run(&sc) {
        Ok(record) => {
            println!(
                "{} items: {} events, sha256 {}",
                n,
                record.len(),
                record.sha256()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
