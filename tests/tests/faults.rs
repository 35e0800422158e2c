//! Faults a class or a study meets, over real processes on 127.0.0.1:
//!
//! - a delegation that joins and then freezes (SIGSTOP) is recorded as not
//!   answering at each call's `--answer-timeout`, exactly as the core
//!   records a delegation that does not answer, and the run goes on;
//! - a second node for a delegation replaces the first, which is told why
//!   (`ABORTED`) and stops; the record is the simulation's;
//! - a Secretariat started again without its journal is a new run: the
//!   members that were in the old one stop with an error that says so,
//!   instead of resuming in the wrong run;
//! - delegations cut off by the network (a proxy in this test closes their
//!   connections and refuses new ones for a while) reconnect by themselves
//!   and the record is still the simulation's, byte for byte.

use std::io::ErrorKind;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use rappard_core::member::MemberId;
use rappard_core::scenario::{self, Scenario};
use rappard_core::secretariat::Secretariat;
use rappard_core::simulation;
use rappard_net::pki::{self, Existing, Role, Validity};
use rappard_tests::{Node, Scratch, command, root, slot, timeout, verify_journal};

/// Four Members, one item: a handful of calls.
const SMALL: &str = r#"[scenario]
name = "faults"
seed = 1
start = "2026-03-02T00:00:00Z"

[members]
dataset = "wto"
only = ["BRA", "CHN", "IND", "USA"]

[[item]]
id = "x"
rule = "consensus"
"#;

/// A scratch directory with the scenario file and a PKI for its
/// delegations.
struct Setup {
    tmp: Scratch,
    scenario: PathBuf,
    parsed: Scenario,
}

impl Setup {
    fn new(prefix: &str, text: &str) -> Setup {
        let tmp = Scratch::new(prefix);
        let scenario = tmp.path().join("scenario.toml");
        std::fs::write(&scenario, text).expect("write the scenario");
        let parsed = scenario::parse("scenario.toml", text).expect("the scenario parses");
        let certs = tmp.path().join("pki");
        pki::init(
            &certs,
            Existing::Refuse,
            Validity::days(pki::AUTHORITY_DAYS),
        )
        .expect("pki init");
        let wto = MemberId::new(pki::SECRETARIAT_ID).expect("id");
        pki::issue(
            &certs,
            &wto,
            Role::Secretariat,
            Existing::Refuse,
            Validity::days(pki::NODE_DAYS),
        )
        .expect("secretariat");
        for m in parsed.agenda.membership.delegations() {
            pki::issue(
                &certs,
                &m.id,
                Role::Member,
                Existing::Refuse,
                Validity::days(pki::NODE_DAYS),
            )
            .expect("member");
        }
        Setup {
            tmp,
            scenario,
            parsed,
        }
    }

    fn certs(&self) -> PathBuf {
        self.tmp.path().join("pki")
    }

    fn data(&self) -> PathBuf {
        self.tmp.path().join("data")
    }

    /// `rappard -v secretariat` on `grpc` (`127.0.0.1:0`: any port), with
    /// the journal unless `journal` is false; and its gRPC address.
    fn secretariat(&self, grpc: &str, journal: bool, extra: &[&str]) -> (Node, String) {
        let mut cmd = command();
        cmd.args(["-v", "secretariat", "--scenario"])
            .arg(&self.scenario)
            .arg("--certs")
            .arg(self.certs())
            .args(["--grpc", grpc])
            .args(extra);
        if journal {
            cmd.arg("--data").arg(self.data());
        }
        let mut node = Node::spawn("secretariat", cmd);
        let addr = node
            .line(timeout(60))
            .trim_start_matches("grpc ")
            .to_owned();
        (node, addr)
    }

    fn member(&self, addr: &str, ids: &str) -> Node {
        let mut cmd = command();
        cmd.args(["member", "--scenario"])
            .arg(&self.scenario)
            .arg("--certs")
            .arg(self.certs())
            .args(["--secretariat", addr, "--ids", ids]);
        Node::spawn(&format!("member {ids}"), cmd)
    }

    /// The record's SHA-256 the core gives when the delegations in
    /// `silent` never answer (none: `rappard simulate`'s).
    fn expected(&self, silent: &[&str]) -> String {
        let mut sec = Secretariat::new(self.parsed.agenda.clone());
        let mut delegations = simulation::delegations(&self.parsed);
        delegations.retain(|id, _| !silent.contains(&id.as_str()));
        simulation::drive(&mut sec, &mut delegations).expect("the core runs");
        sec.record().sha256()
    }

    /// `rappard verify` on the journal: the record's SHA-256 and state.
    fn verified(&self) -> (String, String) {
        verify_journal(&self.data())
    }
}

fn finish_ok(node: &mut Node) {
    let out = node.finish(timeout(300));
    assert!(out.status.success(), "a member failed: {}", out.stderr);
}

/// A delegation that joined and froze is recorded as not answering each
/// call at the answer timeout, and the negotiation goes on to its end
/// with the record the core gives when that delegation never answers.
#[test]
fn a_frozen_delegation_is_recorded_as_not_answering() {
    let _slot = slot();
    let s = Setup::new("rappard-silent", SMALL);
    let (mut sec, addr) = s.secretariat("127.0.0.1:0", true, &["--answer-timeout", "2"]);
    let mut frozen = s.member(&addr, "USA");
    sec.wait_stderr("joined member=USA", timeout(60));
    let stopped = std::process::Command::new("kill")
        .args(["-STOP", &frozen.id().to_string()])
        .status()
        .expect("kill -STOP");
    assert!(stopped.success());
    let mut others = s.member(&addr, "BRA,CHN,IND");
    finish_ok(&mut others);
    let (sha, state) = s.verified();
    assert_eq!(state, "the negotiation closed");
    assert_eq!(sha, s.expected(&["USA"]));
    assert_ne!(
        sha,
        s.expected(&[]),
        "USA's silence must show in the record"
    );
    let log = sec.stderr();
    assert!(
        log.contains("call closed at the answer timeout: USA did not answer"),
        "{log}"
    );
    frozen.kill9();
}

/// A second node of a delegation replaces the first: the first is told
/// why and stops; the record is the simulation's.
#[test]
fn a_second_node_of_a_delegation_replaces_the_first() {
    let _slot = slot();
    let s = Setup::new("rappard-twice", SMALL);
    let (mut sec, addr) = s.secretariat("127.0.0.1:0", true, &[]);
    let mut first = s.member(&addr, "USA");
    sec.wait_stderr("joined member=USA", timeout(60));
    let mut second = s.member(&addr, "USA");
    let out = first.finish(timeout(60));
    assert!(!out.status.success(), "the first node must stop");
    assert!(
        out.stderr
            .contains("another node of USA joined after this one"),
        "{}",
        out.stderr
    );
    sec.wait_stderr("its earlier session is replaced", timeout(10));
    let mut others = s.member(&addr, "BRA,CHN,IND");
    finish_ok(&mut others);
    finish_ok(&mut second);
    let (sha, state) = s.verified();
    assert_eq!(state, "the negotiation closed");
    assert_eq!(sha, s.expected(&[]));
}

/// A Secretariat killed and started again *without* its journal is a new
/// run: the members that were in the old one stop, saying so.
#[test]
fn members_refuse_a_secretariat_restarted_without_its_journal() {
    let _slot = slot();
    let s = Setup::new("rappard-newrun", SMALL);
    // Paced, so that the run is still going when it is killed.
    let (mut sec, addr) = s.secretariat("127.0.0.1:0", false, &["--pace", "5"]);
    let mut members = s.member(&addr, "BRA,CHN,IND,USA");
    sec.wait_stderr("call closed", timeout(60));
    sec.kill9();
    let (_again, again_addr) = s.secretariat(&addr, false, &["--pace", "5"]);
    assert_eq!(again_addr, addr);
    let out = members.finish(timeout(120));
    assert!(!out.status.success(), "the members must not carry on");
    assert!(
        out.stderr.contains("the Secretariat now runs another run"),
        "{}",
        out.stderr
    );
}

/// A TCP proxy that can cut every connection through it and refuse new
/// ones for a while.
struct Proxy {
    addr: String,
    cut: Arc<AtomicBool>,
    refused: Arc<AtomicUsize>,
    open: Arc<Mutex<Vec<TcpStream>>>,
    stop: Arc<AtomicBool>,
}

impl Proxy {
    fn start(to: &str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr").to_string();
        listener.set_nonblocking(true).expect("nonblocking");
        let p = Proxy {
            addr,
            cut: Arc::new(AtomicBool::new(false)),
            refused: Arc::new(AtomicUsize::new(0)),
            open: Arc::new(Mutex::new(Vec::new())),
            stop: Arc::new(AtomicBool::new(false)),
        };
        let (cut, refused, open, stop) = (
            p.cut.clone(),
            p.refused.clone(),
            p.open.clone(),
            p.stop.clone(),
        );
        let to = to.to_owned();
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let client = match listener.accept() {
                    Ok((c, _)) => c,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        // A non-blocking accept, so the thread can stop.
                        std::thread::sleep(Duration::from_millis(5));
                        continue;
                    }
                    Err(_) => return,
                };
                if cut.load(Ordering::Relaxed) {
                    refused.fetch_add(1, Ordering::Relaxed);
                    drop(client);
                    continue;
                }
                let _ = client.set_nonblocking(false);
                let Ok(server) = TcpStream::connect(&to) else {
                    continue;
                };
                pipe(&client, &server, &open);
            }
        });
        p
    }

    /// Closes every connection and refuses new ones until [`Proxy::heal`].
    fn cut(&self) {
        self.cut.store(true, Ordering::Relaxed);
        for c in self
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .drain(..)
        {
            let _ = c.shutdown(Shutdown::Both);
        }
    }

    fn heal(&self) {
        self.cut.store(false, Ordering::Relaxed);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.cut();
    }
}

/// Copies bytes both ways between two sockets, each way in a thread; the
/// sockets are kept so that a cut can close them.
fn pipe(a: &TcpStream, b: &TcpStream, open: &Arc<Mutex<Vec<TcpStream>>>) {
    let clones = [a.try_clone(), b.try_clone(), a.try_clone(), b.try_clone()];
    let [Ok(a1), Ok(b1), Ok(a2), Ok(b2)] = clones else {
        return;
    };
    {
        let mut open = open.lock().unwrap_or_else(PoisonError::into_inner);
        for s in [a, b] {
            if let Ok(c) = s.try_clone() {
                open.push(c);
            }
        }
    }
    for (mut from, mut to) in [(a1, b1), (b2, a2)] {
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut from, &mut to);
            let _ = to.shutdown(Shutdown::Both);
            let _ = from.shutdown(Shutdown::Both);
        });
    }
}

/// Delegations cut off by the network for a while reconnect by themselves;
/// the Secretariat waits for their answers (the answer timeout is longer
/// than the cut) and the record is the simulation's.
#[test]
fn delegations_cut_off_for_a_while_catch_up() {
    let _slot = slot();
    let text =
        std::fs::read_to_string(root().join("examples/scenarios/wto-full.toml")).expect("wto-full");
    let s = Setup::new("rappard-cut", &text);
    let (mut sec, addr) = s.secretariat("127.0.0.1:0", true, &["--answer-timeout", "120"]);
    let proxy = Proxy::start(&addr);
    let ids: Vec<String> = s
        .parsed
        .agenda
        .membership
        .delegations()
        .map(|m| m.id.to_string())
        .collect();
    let (cut_off, direct): (Vec<_>, Vec<_>) = ids.iter().enumerate().partition(|(k, _)| k % 4 == 0);
    let join = |v: Vec<(usize, &String)>| {
        v.into_iter()
            .map(|(_, i)| i.as_str())
            .collect::<Vec<_>>()
            .join(",")
    };
    let (cut_off, direct) = (join(cut_off), join(direct));
    let n_cut = cut_off.split(',').count();
    let mut far = s.member(&proxy.addr, &cut_off);
    let mut near = s.member(&addr, &direct);
    sec.wait_stderr("call closed", timeout(120));
    let started = Instant::now();
    proxy.cut();
    // Cut until the delegations behind the proxy have tried to come back
    // three times each (with their backoff, most of a second or more).
    let until = Instant::now() + timeout(120);
    while proxy.refused.load(Ordering::Relaxed) < 3 * n_cut {
        assert!(
            Instant::now() < until,
            "the cut-off delegations never tried to reconnect"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    proxy.heal();
    eprintln!(
        "{n_cut} delegations cut off for {:.1} s ({} connections refused)",
        started.elapsed().as_secs_f64(),
        proxy.refused.load(Ordering::Relaxed)
    );
    finish_ok(&mut near);
    finish_ok(&mut far);
    let (sha, state) = s.verified();
    assert_eq!(state, "the negotiation closed");
    assert_eq!(sha, s.expected(&[]));
}

/// A delegation that answers faster than the Secretariat's answer rate
/// (`--max-answers-per-second`) is refused with `RESOURCE_EXHAUSTED`,
/// "send it again later": it waits and sends the same answer again, and
/// the run ends with the simulation's record, instead of the delegation
/// giving up at its first refusal.
#[test]
fn answers_over_the_rate_are_sent_again_later() {
    let _slot = slot();
    let s = Setup::new("rappard-rate", SMALL);
    let rate = ["--max-answers-per-second", "1", "--answer-burst", "1"];
    let (_sec, addr) = s.secretariat("127.0.0.1:0", true, &rate);
    let mut cmd = command();
    cmd.args(["-vv", "member", "--scenario"])
        .arg(&s.scenario)
        .arg("--certs")
        .arg(s.certs())
        .args(["--secretariat", &addr, "--ids", "BRA,CHN,IND,USA"]);
    let mut members = Node::spawn("member BRA,CHN,IND,USA", cmd);
    let out = members.finish(timeout(300));
    assert!(out.status.success(), "a member failed: {}", out.stderr);
    assert!(
        out.stderr.contains("answer refused as too fast"),
        "the rate was never reached, so the test shows nothing: {}",
        out.stderr
    );
    let (sha, state) = s.verified();
    assert_eq!(state, "the negotiation closed");
    assert_eq!(sha, s.expected(&[]));
}
