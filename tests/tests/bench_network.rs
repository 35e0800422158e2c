//! `rappard bench --network` over real sockets: a Secretariat and every
//! delegation of a synthetic membership on 127.0.0.1, each delegation with
//! its own certificate and connection, over gRPC and over QUIC. The command
//! checks the record against `simulate`'s itself and fails if it differs;
//! here it must succeed and report, for every call of the lockstep, an
//! empty fan-out round over the same connections (the probes), every one
//! answered by every delegation (the floor is a time, not a timeout). No
//! time is asserted: the numbers go to `BENCHMARKS.md`.

use rappard_tests::{Node, command, slot, timeout};

/// The table row the benchmark printed for `transport`, split in cells.
fn row(transport: &str) -> Vec<String> {
    let _slot = slot();
    let name = format!("bench --network over {transport}");
    let mut cmd = command();
    cmd.args([
        "bench",
        "--network",
        "--transport",
        transport,
        "--delegations",
        "12",
        "--items",
        "2",
    ]);
    let out = Node::spawn(&name, cmd).finish(timeout(300));
    assert!(out.status.success(), "{name}: {}", out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let line = stdout
        .lines()
        .find(|l| l.starts_with(&format!("| {transport} | 12 |")))
        .unwrap_or_else(|| panic!("{name}: no row for 12 delegations in\n{stdout}"));
    line.split('|').map(|c| c.trim().to_owned()).collect()
}

/// The cells: transport, delegations, calls, lockstep p50 and p99, floor
/// p50 and p99, ratio, core, certificates, start-up.
fn check(transport: &str) {
    let cells = row(transport);
    let calls: usize = cells[3].parse().expect("a number of calls");
    assert!(calls >= 2, "two items make calls: {cells:?}");
    for (i, what) in [(4, "lockstep p50"), (6, "floor p50"), (7, "floor p99")] {
        let ms: f64 = cells[i]
            .trim_end_matches(" ms")
            .parse()
            .unwrap_or_else(|e| panic!("{what} `{}`: {e}", cells[i]));
        assert!(ms > 0.0, "{what} must be measured: {cells:?}");
    }
}

#[test]
fn grpc() {
    check("grpc");
}

#[test]
fn quic() {
    check("quic");
}
