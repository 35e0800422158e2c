//! Transport equivalence over real processes: for every shipped scenario,
//! `rappard demo` (a PKI, a Secretariat process and member processes on
//! 127.0.0.1, port 0, with mutual TLS) gives the record of `rappard
//! simulate`, byte for byte (the same SHA-256), over gRPC and over QUIC. The
//! Secretariat applies answers in member-id order whatever order they
//! arrive in, so the network cannot change the record while every node is
//! up.
//!
//! One test per scenario and transport (`wto_full::quic`, …), so that a
//! failure names both; they run in parallel, at most as many networked runs
//! at once as `rappard_tests::slot` allows.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use rappard_tests::{Node, Scratch, command, root, slot, timeout};
use serde_json::Value;

fn sha(name: &str, stdout: &[u8]) -> String {
    let v: Value = serde_json::from_slice(stdout)
        .unwrap_or_else(|e| panic!("{name}: stdout is not one JSON document: {e}"));
    v["record"]["sha256"]
        .as_str()
        .unwrap_or_else(|| panic!("{name}: no record.sha256"))
        .to_owned()
}

/// The record's SHA-256 from `rappard simulate`, computed once per
/// scenario and seed (the gRPC and QUIC tests share it).
fn simulated(scenario: &str, seed: Option<u64>) -> String {
    static DONE: Mutex<BTreeMap<String, String>> = Mutex::new(BTreeMap::new());
    let key = format!("{scenario} {seed:?}");
    if let Some(s) = DONE
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key)
    {
        return s.clone();
    }
    let name = format!("simulate {scenario}");
    let mut cmd = command();
    cmd.args(["simulate", scenario, "--format", "json"]);
    if let Some(s) = seed {
        cmd.args(["--seed", &s.to_string()]);
    }
    let out = Node::spawn(&name, cmd).finish(timeout(300));
    assert!(out.status.success(), "{name}: {}", out.stderr);
    let s = sha(&name, &out.stdout);
    DONE.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(key, s.clone());
    s
}

/// The record's SHA-256 from `rappard demo` over `transport`.
fn networked(scenario: &str, transport: &str, seed: Option<u64>, processes: u32) -> String {
    let _slot = slot();
    let name = format!("demo {scenario} over {transport}");
    // The demo keeps its PKI in the temporary directory; this one is
    // removed even if the demo has to be stopped.
    let tmp = Scratch::new("rappard-network");
    let mut cmd = command();
    cmd.env("TMPDIR", tmp.path());
    cmd.args([
        "demo",
        scenario,
        "--transport",
        transport,
        "--processes",
        &processes.to_string(),
        "--format",
        "json",
    ]);
    if let Some(s) = seed {
        cmd.args(["--seed", &s.to_string()]);
    }
    let out = Node::spawn(&name, cmd).finish(timeout(900));
    assert!(out.status.success(), "{name}: {}", out.stderr);
    sha(&name, &out.stdout)
}

fn equivalent(stem: &str, transport: &str) {
    let scenario = format!("examples/scenarios/{stem}.toml");
    let simulated = simulated(&scenario, None);
    let networked = networked(&scenario, transport, None, 3);
    assert_eq!(
        simulated, networked,
        "{scenario}: the record over {transport} differs from the simulation's"
    );
}

/// One module per shipped scenario, with a test per transport.
macro_rules! scenarios {
    ($($module:ident: $stem:literal,)*) => {
        /// The scenarios that have tests here.
        const COVERED: &[&str] = &[$($stem),*];
        $(
            mod $module {
                #[test]
                fn grpc() {
                    super::equivalent($stem, "grpc");
                }

                #[test]
                fn quic() {
                    super::equivalent($stem, "quic");
                }
            }
        )*
    };
}

scenarios! {
    accessions_2024: "accessions-2024",
    appellate_body: "appellate-body",
    cancun_2003: "cancun-2003",
    cancun_2003_blocs: "cancun-2003-blocs",
    chair_amendments: "chair-amendments",
    chair_biased: "chair-biased",
    chair_biased_co_chairs: "chair-biased-co-chairs",
    chair_median: "chair-median",
    chair_no_amendments: "chair-no-amendments",
    chair_no_timing: "chair-no-timing",
    chair_timing: "chair-timing",
    chair_weighted_median: "chair-weighted-median",
    classroom: "classroom",
    doha_early_harvest: "doha-early-harvest",
    doha_single_undertaking: "doha-single-undertaking",
    eu_votes: "eu-votes",
    fisheries_subsidies: "fisheries-subsidies",
    geneva_2020: "geneva-2020",
    greenroom_consultation: "greenroom-consultation",
    greenroom_reformed: "greenroom-reformed",
    greenroom_reformed_no_objector_seats: "greenroom-reformed-no-objector-seats",
    greenroom_salient: "greenroom-salient",
    greenroom_traditional: "greenroom-traditional",
    ifd_annex4: "ifd-annex4",
    ita_critical_mass: "ita-critical-mass",
    jsi_flexibilities: "jsi-flexibilities",
    jsi_no_flexibilities: "jsi-no-flexibilities",
    ldc_capacity: "ldc-capacity",
    ldc_capacity_unlimited: "ldc-capacity-unlimited",
    no_pandemic_2020: "no-pandemic-2020",
    no_trade_war: "no-trade-war",
    package_link_off: "package-link-off",
    package_link_on: "package-link-on",
    pandemic_2020: "pandemic-2020",
    pressure_off: "pressure-off",
    pressure_on: "pressure-on",
    rta_none: "rta-none",
    rta_world: "rta-world",
    secretariat_passive: "secretariat-passive",
    secretariat_proactive: "secretariat-proactive",
    singapore_issues: "singapore-issues",
    singapore_issues_withdrawn: "singapore-issues-withdrawn",
    tf_protocol_2014: "tf-protocol-2014",
    tf_protocol_2014_linked: "tf-protocol-2014-linked",
    time_zones: "time-zones",
    trade_facilitation: "trade-facilitation",
    trade_war: "trade-war",
    virtual_2020: "virtual-2020",
    wto_full: "wto-full",
}

/// A scenario added to `examples/scenarios/` needs its line above.
#[test]
fn every_shipped_scenario_has_its_tests() {
    let mut shipped: Vec<String> = std::fs::read_dir(root().join("examples/scenarios"))
        .expect("examples/scenarios")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    shipped.sort();
    assert_eq!(
        shipped, COVERED,
        "add the missing scenarios to `scenarios!`"
    );
}

/// Another seed changes the record over the network as in process.
#[test]
fn demo_honours_the_seed() {
    let scenario = "examples/scenarios/classroom.toml";
    assert_eq!(
        simulated(scenario, Some(9)),
        networked(scenario, "quic", Some(9), 2)
    );
}
