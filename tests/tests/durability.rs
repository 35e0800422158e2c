//! Durability over real processes: a Secretariat killed with SIGKILL at
//! many points of a negotiation and started again on the same data
//! directory, or a member process killed and started again, and the run
//! still ends with the record of `rappard simulate`, byte for byte.
//!
//! The kill points are drawn from a seed the test prints (set
//! `RAPPARD_KILL_SEED` to run the same points again). A point is a number
//! of record entries in the journal: the test waits until the journal holds
//! that many (reading it as `rappard verify` does), then kills. Between
//! kills the members ride the outage out by themselves: they reconnect with
//! backoff, find the same run (its id is in the journal), and answer the
//! open call again.

use std::path::Path;
use std::time::{Duration, Instant};

use rappard_net::journal;
use rappard_tests::{
    Node, Scratch, command, scenario_pki, simulated, slot, timeout, verify_journal,
};

const SCENARIO: &str = "examples/scenarios/wto-full.toml";

/// How many times each test kills a process.
const KILLS: usize = 20;

/// A seed for the kill points: `RAPPARD_KILL_SEED`, or the clock.
fn kill_seed(test: &str) -> u64 {
    let seed = std::env::var("RAPPARD_KILL_SEED")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
        });
    eprintln!("{test}: kill points drawn from seed {seed} (RAPPARD_KILL_SEED={seed} repeats them)");
    seed
}

/// `n` distinct points in `1..len`, in order, from `seed` (splitmix64).
fn points(seed: u64, n: usize, len: u64) -> Vec<u64> {
    let mut state = seed;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut out = std::collections::BTreeSet::new();
    while out.len() < n {
        out.insert(1 + next() % (len - 1));
    }
    out.into_iter().collect()
}

/// The Secretariat's command on fixed addresses (`127.0.0.1:0` the first
/// time), with the journal in `data`.
struct Secretariat<'a> {
    certs: &'a Path,
    data: &'a Path,
    grpc: String,
    quic: String,
}

impl Secretariat<'_> {
    /// Starts it; learns its addresses from its first two lines.
    fn start(&mut self) -> Node {
        let mut cmd = command();
        cmd.args(["secretariat", "--scenario", SCENARIO])
            .arg("--certs")
            .arg(self.certs)
            .arg("--data")
            .arg(self.data)
            .args(["--grpc", &self.grpc, "--quic", &self.quic])
            .args(["--answer-timeout", "120", "--join-timeout", "60"]);
        let mut node = Node::spawn("secretariat", cmd);
        let within = timeout(60);
        self.grpc = node.line(within).trim_start_matches("grpc ").to_owned();
        self.quic = node.line(within).trim_start_matches("quic ").to_owned();
        node
    }
}

/// The number of record entries in the journal (0 if it is not there
/// yet, or torn at its start).
fn journaled(data: &Path) -> u64 {
    let path = data.join(journal::FILE_NAME);
    journal::scan(&path)
        .map(|s| s.frames.iter().filter(|f| f.kind == b'E').count() as u64)
        .unwrap_or(0)
}

/// The last `n` lines of a node's stderr, for a failure message, without
/// the reconnections every kill causes (one per delegation).
fn tail(node: &Node, n: usize) -> String {
    let all = node.stderr();
    let lines: Vec<&str> = all
        .lines()
        .filter(|l| !l.contains("reconnecting in"))
        .collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Waits until the journal holds `n` entries, or the Secretariat exits.
/// A run that stalls fails with the end of every node's log.
fn wait_for_entries(data: &Path, n: u64, secretariat: &mut Node, members: &[Node]) {
    let until = Instant::now() + timeout(300);
    while journaled(data) < n {
        assert!(
            !secretariat.has_exited(),
            "the Secretariat exited before entry {n}: {}",
            secretariat.stderr()
        );
        if Instant::now() >= until {
            let logs: Vec<String> = members
                .iter()
                .enumerate()
                .map(|(k, m)| format!("member process {k}:\n{}", tail(m, 30)))
                .collect();
            panic!(
                "the journal never reached {n} entries (it holds {});\nthe Secretariat:\n{}\n{}",
                journaled(data),
                tail(secretariat, 60),
                logs.join("\n")
            );
        }
        // Polls the journal's length; a file has no change notification
        // that works everywhere.
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn members(
    certs: &Path,
    addr: &str,
    transport: &str,
    ids: &[String],
    processes: usize,
) -> Vec<Node> {
    let mut groups: Vec<Vec<&str>> = vec![Vec::new(); processes];
    for (k, id) in ids.iter().enumerate() {
        groups[k % processes].push(id);
    }
    groups
        .into_iter()
        .enumerate()
        .map(|(k, g)| member(certs, addr, transport, &g.join(","), k))
        .collect()
}

fn member(certs: &Path, addr: &str, transport: &str, ids: &str, k: usize) -> Node {
    let mut cmd = command();
    cmd.args(["member", "--scenario", SCENARIO])
        .arg("--certs")
        .arg(certs)
        .args([
            "--secretariat",
            addr,
            "--transport",
            transport,
            "--ids",
            ids,
        ]);
    Node::spawn(&format!("member process {k}"), cmd)
}

/// Waits for every member process to end the negotiation with exit 0.
fn members_finish(members: &mut [Node]) {
    for m in members {
        let out = m.finish(timeout(600));
        assert!(
            out.status.success(),
            "a member process failed: {}",
            out.stderr
        );
    }
}

/// One kill -9 run: a scratch directory with the PKI and the data
/// directory, and what `rappard simulate` gives for the scenario.
struct Run {
    _tmp: Scratch,
    certs: std::path::PathBuf,
    data: std::path::PathBuf,
    ids: Vec<String>,
    expected: String,
    len: u64,
}

impl Run {
    fn new(prefix: &str) -> Run {
        let (expected, len) = simulated(SCENARIO);
        let tmp = Scratch::new(prefix);
        let certs = tmp.path().join("pki");
        let data = tmp.path().join("data");
        let ids = scenario_pki(&certs, SCENARIO).0;
        Run {
            _tmp: tmp,
            certs,
            data,
            ids,
            expected,
            len,
        }
    }

    /// Starts the Secretariat on any free ports; it, and the address
    /// members reach it at over `transport`.
    fn start(&self, transport: &str) -> (Secretariat<'_>, Node, String) {
        let mut sec = Secretariat {
            certs: &self.certs,
            data: &self.data,
            grpc: "127.0.0.1:0".into(),
            quic: "127.0.0.1:0".into(),
        };
        let node = sec.start();
        let addr = if transport == "quic" {
            sec.quic.clone()
        } else {
            sec.grpc.clone()
        };
        (sec, node, addr)
    }

    /// The journal's record, checked against the simulation's.
    fn check(&self, test: &str) -> String {
        let (sha, state) = verify_journal(&self.data);
        assert_eq!(state, "the negotiation closed");
        assert_eq!(
            sha, self.expected,
            "{test}: the record differs from the simulation's"
        );
        state
    }
}

/// Kills the Secretariat at `KILLS` points and starts it again each time
/// on the same data directory and addresses.
fn secretariat_killed(transport: &str) {
    let _slot = slot();
    let test = format!("secretariat_killed over {transport}");
    let run = Run::new("rappard-kill9");
    let (mut sec, mut node, addr) = run.start(transport);
    let mut members = members(&run.certs, &addr, transport, &run.ids, 3);
    let started = Instant::now();
    for (k, point) in points(kill_seed(&test), KILLS, run.len)
        .into_iter()
        .enumerate()
    {
        wait_for_entries(&run.data, point, &mut node, &members);
        node.kill9();
        eprintln!(
            "{test}: kill {} at {} entries (asked {point})",
            k + 1,
            journaled(&run.data)
        );
        node = sec.start();
    }
    members_finish(&mut members);
    let state = run.check(&test);
    eprintln!(
        "{test}: {KILLS} kills, the run ended in {:.1} s: {state}",
        started.elapsed().as_secs_f64()
    );
    drop(node);
}

/// Kills a member process at `KILLS` points and starts it again each
/// time with the same delegations.
fn member_killed(transport: &str) {
    let _slot = slot();
    let test = format!("member_killed over {transport}");
    let run = Run::new("rappard-kill9m");
    let (_sec, mut node, addr) = run.start(transport);
    let victims = run
        .ids
        .iter()
        .step_by(3)
        .cloned()
        .collect::<Vec<_>>()
        .join(",");
    let others: Vec<String> = run
        .ids
        .iter()
        .enumerate()
        .filter(|(k, _)| k % 3 != 0)
        .map(|(_, i)| i.clone())
        .collect();
    let mut rest = members(&run.certs, &addr, transport, &others, 2);
    let mut victim = member(&run.certs, &addr, transport, &victims, 9);
    for (k, point) in points(kill_seed(&test), KILLS, run.len)
        .into_iter()
        .enumerate()
    {
        wait_for_entries(&run.data, point, &mut node, std::slice::from_ref(&victim));
        victim.kill9();
        eprintln!("{test}: kill {} at {} entries", k + 1, journaled(&run.data));
        victim = member(&run.certs, &addr, transport, &victims, 9);
    }
    rest.push(victim);
    members_finish(&mut rest);
    run.check(&test);
    drop(node);
}

#[test]
fn secretariat_killed_grpc() {
    secretariat_killed("grpc");
}

#[test]
fn secretariat_killed_quic() {
    secretariat_killed("quic");
}

#[test]
fn member_killed_grpc() {
    member_killed("grpc");
}

#[test]
fn member_killed_quic() {
    member_killed("quic");
}
