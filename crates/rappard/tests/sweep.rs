//! `rappard sweep` and `rappard summarize` as a researcher drives them, with
//! real `rappard` processes: lines that parse and say what was run, the
//! same bytes whatever the number of jobs, shards that merge into the
//! summary of the whole sweep, and bad `--set` keys refused with exit
//! code 2 naming the key.

use std::path::PathBuf;

mod common;
use common::{ok, rappard};

use serde_json::Value;

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rappard-sweep-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

const SCENARIO: &str = "examples/scenarios/classroom.toml";
const SET: &str = "item[1].rule=consensus,two-thirds-of-members";

/// The small sweep: 2 variants × 20 seeds.
fn sweep(extra: &[&str]) -> Vec<u8> {
    let mut args = vec!["sweep", SCENARIO, "--seeds", "1..21", "--set", SET];
    args.extend_from_slice(extra);
    ok(&args)
}

#[test]
fn a_small_sweep_writes_one_line_per_run_in_grid_order() {
    let out = sweep(&["--jobs", "2"]);
    let lines: Vec<Value> = String::from_utf8(out)
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 40);
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line["scenario"], "classroom");
        assert_eq!(line["variant_index"], i / 20);
        assert_eq!(line["seed"], (i % 20 + 1) as u64);
        let rule = if i < 20 {
            "consensus"
        } else {
            "two-thirds-of-members"
        };
        assert_eq!(line["variant"]["item[1].rule"], rule);
        assert_eq!(line["sha256"].as_str().map(str::len), Some(64));
        assert!(line["events"].as_u64().unwrap_or(0) > 10);
        let items = line["items"].as_array().expect("items");
        assert_eq!(items.len(), 2);
        assert_eq!(items[1]["id"], "ecom");
        for key in ["outcome", "how", "rounds", "days_to_decision", "objectors"] {
            assert!(items[1].get(key).is_some(), "item lacks {key}");
        }
    }
    // A run of the sweep is the run of `simulate` with that seed and rule.
    let report = ok(&["simulate", SCENARIO, "--seed", "7", "--format", "json"]);
    let report: Value = serde_json::from_slice(&report).expect("report");
    assert_eq!(lines[6]["sha256"], report["record"]["sha256"]);
    assert_eq!(
        lines[6]["items"][1]["outcome"],
        report["items"][1]["outcome"]
    );
    // The rule changed the runs.
    let hashes = |v: &[Value]| v.iter().map(|l| l["sha256"].clone()).collect::<Vec<_>>();
    assert_ne!(hashes(&lines[..20]), hashes(&lines[20..]));
}

#[test]
fn the_number_of_jobs_does_not_change_a_byte() {
    let one = sweep(&["--jobs", "1"]);
    let two = sweep(&["--jobs", "2"]);
    assert!(!one.is_empty());
    assert!(one == two, "--jobs 1 and --jobs 2 differ");
}

#[test]
fn merged_shards_give_the_summary_of_the_whole_sweep() {
    let dir = scratch();
    let whole = dir.join("whole.jsonl");
    let whole_s = whole.to_str().expect("utf-8 path");
    sweep(&["--out", whole_s]);
    let mut shards = Vec::new();
    for i in 0..3 {
        let p = dir.join(format!("shard-{i}.jsonl"));
        let shard = format!("{i}/3");
        sweep(&["--shard", &shard, "--out", p.to_str().expect("utf-8 path")]);
        shards.push(p.to_str().expect("utf-8 path").to_owned());
    }
    let counts: Vec<usize> = shards
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("shard").lines().count())
        .collect();
    assert_eq!(counts, [14, 13, 13]);
    for format in ["text", "json", "csv"] {
        let expected = ok(&["summarize", whole_s, "--format", format]);
        let mut args = vec!["summarize", "--format", format];
        args.extend(shards.iter().map(String::as_str).rev());
        assert!(
            ok(&args) == expected,
            "the merged shards' {format} summary differs"
        );
        assert_eq!(sweep(&["--summary", "--format", format]), expected);
    }
    let json: Value =
        serde_json::from_slice(&ok(&["summarize", whole_s, "--format", "json"])).expect("json");
    assert_eq!(json["rates"].as_array().map(Vec::len), Some(4));
    assert_eq!(json["differences"].as_array().map(Vec::len), Some(2));
    let r = &json["rates"][0];
    assert_eq!(r["runs"], 20);
    let (low, est, high) = (
        r["adoption"]["low"].as_f64().expect("low"),
        r["adoption"]["estimate"].as_f64().expect("estimate"),
        r["adoption"]["high"].as_f64().expect("high"),
    );
    assert!(0.0 <= low && low <= est && est <= high && high <= 1.0);
    // A shard given twice is refused.
    let twice = rappard(&["summarize", &shards[0], &shards[0]]);
    assert_eq!(twice.status.code(), Some(2));
    let svg = dir.join("rates.svg");
    ok(&["summarize", whole_s, "--svg", svg.to_str().expect("utf-8")]);
    let svg = std::fs::read_to_string(svg).expect("svg written");
    assert!(svg.starts_with("<svg") && svg.contains("fish") && !svg.contains("<script"));
    let _ = std::fs::remove_dir_all(dir);
}

fn refused(args: &[&str]) -> String {
    let out = rappard(args);
    assert_eq!(out.status.code(), Some(2), "{args:?} should exit 2");
    assert!(out.stdout.is_empty(), "nothing runs on bad input");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn bad_set_keys_and_values_exit_2_naming_them() {
    let base = ["sweep", SCENARIO, "--seeds", "1..3", "--set"];
    let with = |set: &str| {
        let mut a = base.to_vec();
        a.push(set);
        refused(&a)
    };
    let err = with("item[0].rle=consensus");
    assert!(err.contains("--set item[0].rle=consensus"), "{err}");
    assert!(err.contains("rle"), "{err}");
    let err = with("item[1].rule=consensus,most-votes");
    assert!(err.contains("item[1].rule=most-votes"), "{err}");
    assert!(err.contains("field `item[1].rule`"), "{err}");
    let err = with("item[5].rule=consensus");
    assert!(err.contains("item[5]"), "{err}");
    let err = with("greenroom.policy=reformed");
    assert!(err.contains("no greenroom"), "{err}");
    let err = with("item.rule");
    assert!(err.contains("KEY=V1"), "{err}");
    let err = refused(&["sweep", SCENARIO, "--seeds", "3..1"]);
    assert!(err.contains("--seeds"), "{err}");
    let err = refused(&["sweep", SCENARIO, "--seeds", "1..3", "--shard", "3/3"]);
    assert!(err.contains("--shard"), "{err}");
}
