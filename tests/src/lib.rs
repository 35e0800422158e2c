//! Helpers for rappard's multi-node tests: the tests themselves are in
//! `tests/tests/` (`network.rs`: every shipped scenario over gRPC and over
//! QUIC against `rappard simulate`; `python.rs`: a delegation written in
//! Python). Every node is a real process of the `rappard` binary on
//! 127.0.0.1, listening on port 0.
//!
//! # How the tests find the `rappard` binary
//!
//! Cargo gives `CARGO_BIN_EXE_<name>` only to the tests of the package that
//! owns the binary, and a dev-dependency on the `rappard` package would not
//! build its binary (it has no library). So [`rappard`] asks Cargo itself,
//! once per test process: it runs `cargo build --package rappard --bin
//! rappard --message-format=json` in the workspace, with the profile (and
//! target triple, when one was given) of the running test, and takes the
//! path of the executable from Cargo's `compiler-artifact` message. The
//! binary is therefore never stale, even under `cargo test -p
//! rappard-tests`; when `cargo test --workspace` has just built it the call
//! is a no-op that takes a fraction of a second. The profile is read from
//! the directory the test executable runs from (`target/<profile>/deps`);
//! the nested build inherits the environment (`CARGO_TARGET_DIR`,
//! `RUSTFLAGS`) and configuration of the outer one, so both share one
//! target directory. Set `RAPPARD_BIN` to a path to test another binary
//! and skip the build.
//!
//! # Processes, waits and resources
//!
//! - A [`Node`] owns one child process and stops it when dropped, also when
//!   a test fails: it kills the child by its id and, on Linux, every process
//!   the child started (found in `/proc`), so a `rappard demo` that is
//!   stopped half-way leaves no Secretariat or member process behind.
//! - Every wait is for a condition (a line on stdout, the process's exit)
//!   with a deadline; no test sleeps for a fixed time. `RAPPARD_TEST_TIMEOUT`
//!   (seconds) replaces every deadline, for slow machines.
//! - [`slot`] bounds how many networked runs go at once, whatever the number
//!   of test threads: half the available cores by default (at least one),
//!   or `RAPPARD_TEST_JOBS`.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The workspace root (the parent of this crate's directory).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(".."))
}

/// Whether the tests run under CI (`CI` set, and not empty, `0` or
/// `false`): there a missing prerequisite is a failure, not a skip.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"))
}

/// A deadline of `default` seconds, or of `RAPPARD_TEST_TIMEOUT` seconds
/// when that is set.
pub fn timeout(default: u64) -> Duration {
    let secs = std::env::var("RAPPARD_TEST_TIMEOUT")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(default);
    Duration::from_secs(secs)
}

/// The `rappard` binary, built by Cargo if it is not up to date (see the
/// crate documentation). Panics, with Cargo's reason, if it cannot be built.
pub fn rappard() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| match std::env::var_os("RAPPARD_BIN") {
        Some(p) => PathBuf::from(p),
        None => build_rappard().unwrap_or_else(|e| panic!("cannot build rappard: {e}")),
    })
}

/// A `Command` for the `rappard` binary, run from the workspace root (where
/// the scenario paths of the tests are relative to).
pub fn command() -> Command {
    let mut c = Command::new(rappard());
    c.current_dir(root());
    c
}

fn cargo() -> PathBuf {
    std::env::var_os("CARGO")
        .map(PathBuf::from)
        .or_else(|| option_env!("CARGO").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("cargo"))
}

/// Runs `cargo build` for the `rappard` binary with the profile and target
/// of this test executable, and returns the executable Cargo reports.
fn build_rappard() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    // <target-dir>[/<triple>]/<profile>/deps/<test>-<hash>
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or_else(|| format!("{}: not in <profile>/deps", exe.display()))?;
    let mut cmd = Command::new(cargo());
    // The variables Cargo sets for this test crate are not the outer build's
    // configuration; left in, some build scripts (ring's) would see a change
    // and rebuild half the tree, and the next `cargo build` would rebuild it
    // back.
    for (key, _) in std::env::vars_os() {
        let Some(k) = key.to_str() else { continue };
        if k.starts_with("CARGO_PKG_")
            || k.starts_with("CARGO_BIN_")
            || matches!(
                k,
                "CARGO_MANIFEST_DIR"
                    | "CARGO_MANIFEST_PATH"
                    | "CARGO_MANIFEST_LINKS"
                    | "CARGO_CRATE_NAME"
                    | "CARGO_PRIMARY_PACKAGE"
                    | "CARGO_TARGET_TMPDIR"
                    | "CARGO_RUSTC_CURRENT_DIR"
                    | "OUT_DIR"
            )
        {
            cmd.env_remove(&key);
        }
    }
    cmd.current_dir(root()).args([
        "build",
        "--quiet",
        "--package",
        "rappard",
        "--bin",
        "rappard",
        "--message-format=json-render-diagnostics",
    ]);
    match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => {}
        Some("release") => {
            cmd.arg("--release");
        }
        Some(other) => {
            cmd.args(["--profile", other]);
        }
    }
    let target = env!("RAPPARD_TESTS_TARGET");
    if !target.is_empty()
        && profile_dir
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|n| n == target)
    {
        cmd.args(["--target", target]);
    }
    let out = cmd
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("{}: {e}", cargo().display()))?;
    if !out.status.success() {
        return Err(format!("cargo build exited with {}", out.status));
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| {
            v["reason"] == "compiler-artifact"
                && v["target"]["name"] == "rappard"
                && v["target"]["kind"]
                    .as_array()
                    .is_some_and(|k| k.iter().any(|x| x == "bin"))
        })
        .find_map(|v| v["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| "cargo reported no executable for the rappard binary".to_owned())
}

/// What a finished process left: its status, stdout and stderr.
#[derive(Debug)]
pub struct Finished {
    /// Exit status.
    pub status: ExitStatus,
    /// Everything it wrote on stdout that was not read with [`Node::line`].
    pub stdout: Vec<u8>,
    /// Everything it wrote on stderr.
    pub stderr: String,
}

/// A child process that is stopped when this is dropped. Its stdout is read
/// line by line ([`Node::line`]) and its stderr kept for error messages.
pub struct Node {
    name: String,
    child: Child,
    lines: Receiver<Vec<u8>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    stderr_done: Receiver<()>,
    exited: Option<ExitStatus>,
}

impl Node {
    /// Starts `cmd` with stdout and stderr piped; `name` is used in error
    /// messages.
    pub fn spawn(name: &str, cmd: Command) -> Node {
        Self::spawn_reading(name, cmd, Stdio::null())
    }

    /// [`Node::spawn`] with stdin piped: what the test writes to the
    /// returned handle is the process's standard input (closed when the
    /// handle is dropped).
    pub fn spawn_with_stdin(name: &str, cmd: Command) -> (Node, std::process::ChildStdin) {
        let mut node = Self::spawn_reading(name, cmd, Stdio::piped());
        let stdin = node.child.stdin.take().expect("stdin is piped");
        (node, stdin)
    }

    /// The next line on stdout, without its line end; `None` once stdout
    /// has closed. Panics if none comes within `within`.
    pub fn next_line(&mut self, within: Duration) -> Option<String> {
        match self.lines.recv_timeout(within) {
            Ok(l) => Some(String::from_utf8_lossy(&l).trim_end().to_owned()),
            Err(RecvTimeoutError::Disconnected) => None,
            Err(RecvTimeoutError::Timeout) => panic!(
                "{}: no line on stdout within {within:?}; stderr:\n{}",
                self.name,
                self.stderr()
            ),
        }
    }

    /// [`Node::spawn`], with `stdin` as the process's standard input.
    fn spawn_reading(name: &str, mut cmd: Command, stdin: Stdio) -> Node {
        let mut child = cmd
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{name}: cannot start {:?}: {e}", cmd.get_program()));
        let (line_tx, lines) = mpsc::channel();
        if let Some(out) = child.stdout.take() {
            std::thread::spawn(move || {
                let mut r = BufReader::new(out);
                loop {
                    let mut line = Vec::new();
                    match r.read_until(b'\n', &mut line) {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {
                            if line_tx.send(line).is_err() {
                                break;
                            }
                        }
                    }
                }
            });
        }
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let (done_tx, stderr_done) = mpsc::channel();
        if let Some(mut err) = child.stderr.take() {
            let buf = stderr.clone();
            std::thread::spawn(move || {
                let mut chunk = [0u8; 4096];
                while let Ok(n @ 1..) = err.read(&mut chunk) {
                    buf.lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .extend_from_slice(&chunk[..n]);
                }
                let _ = done_tx.send(());
            });
        }
        Node {
            name: name.to_owned(),
            child,
            lines,
            stderr,
            stderr_done,
            exited: None,
        }
    }

    /// The process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// What the process wrote on stderr so far.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap_or_else(PoisonError::into_inner))
            .into_owned()
    }

    /// The next line on stdout, without its line end; panics if none comes
    /// within `within` or stdout closes first.
    pub fn line(&mut self, within: Duration) -> String {
        match self.lines.recv_timeout(within) {
            Ok(l) => String::from_utf8_lossy(&l).trim_end().to_owned(),
            Err(RecvTimeoutError::Timeout) => panic!(
                "{}: no line on stdout within {within:?}; stderr:\n{}",
                self.name,
                self.stderr()
            ),
            Err(RecvTimeoutError::Disconnected) => panic!(
                "{}: stdout closed (exit {:?}); stderr:\n{}",
                self.name,
                self.child.try_wait().ok().flatten(),
                self.stderr()
            ),
        }
    }

    /// Waits until the process exits, for at most `within`; panics (and the
    /// drop stops the process) if it does not. Returns what it left.
    pub fn finish(&mut self, within: Duration) -> Finished {
        let status = self.wait_exit(within);
        let mut stdout = Vec::new();
        // The reader ends when the pipe closes, right after the exit.
        let until = Instant::now() + Duration::from_secs(10);
        while let Ok(l) = self
            .lines
            .recv_timeout(until.saturating_duration_since(Instant::now()))
        {
            stdout.extend_from_slice(&l);
        }
        let _ = self.stderr_done.recv_timeout(Duration::from_secs(10));
        Finished {
            status,
            stdout,
            stderr: self.stderr(),
        }
    }

    /// Waits until the process's stderr holds `needle`; panics after
    /// `within`, or if the process exits first.
    pub fn wait_stderr(&mut self, needle: &str, within: Duration) {
        let until = Instant::now() + within;
        while !self.stderr().contains(needle) {
            assert!(
                !self.has_exited(),
                "{}: exited before saying `{needle}`; stderr:\n{}",
                self.name,
                self.stderr()
            );
            assert!(
                Instant::now() < until,
                "{}: did not say `{needle}` within {within:?}; stderr:\n{}",
                self.name,
                self.stderr()
            );
            // Polls the stderr the reader thread collects.
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Kills the process with SIGKILL (`kill -9`: no chance to clean up or
    /// flush anything) and waits for it; what it wrote on stderr so far.
    pub fn kill9(&mut self) -> String {
        let _ = self.child.kill();
        if let Ok(s) = self.child.wait() {
            self.exited = Some(s);
        }
        self.stderr()
    }

    /// Whether the process has exited (without waiting).
    pub fn has_exited(&mut self) -> bool {
        if self.exited.is_none()
            && let Ok(Some(s)) = self.child.try_wait()
        {
            self.exited = Some(s);
        }
        self.exited.is_some()
    }

    /// The process's exit status once it has exited, within `within`.
    fn wait_exit(&mut self, within: Duration) -> ExitStatus {
        let until = Instant::now() + within;
        loop {
            match self.child.try_wait() {
                Ok(Some(s)) => {
                    self.exited = Some(s);
                    return s;
                }
                Ok(None) if Instant::now() < until => {
                    // Polls the exit condition; std has no wait with a timeout.
                    std::thread::sleep(Duration::from_millis(10));
                }
                Ok(None) => panic!(
                    "{}: still running after {within:?}; stderr:\n{}",
                    self.name,
                    self.stderr()
                ),
                Err(e) => panic!("{}: wait: {e}", self.name),
            }
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if self.exited.is_some() || matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        let pid = self.child.id();
        // Freeze the child so that it starts nothing more, then stop what it
        // started (children first: once the parent is gone they can no longer
        // be found), then the child itself.
        let _ = Command::new("kill")
            .args(["-STOP", &pid.to_string()])
            .stderr(Stdio::null())
            .status();
        let descendants = descendants(pid);
        if !descendants.is_empty() {
            let _ = Command::new("kill")
                .arg("-KILL")
                .args(descendants.iter().map(u32::to_string))
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The processes started by `pid`, their children and so on, from `/proc`
/// (Linux). Empty where `/proc` is not available.
fn descendants(pid: u32) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut parent_of = Vec::new();
    for e in dir.flatten() {
        let Some(p) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces.
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        let ppid = stat
            .rfind(')')
            .and_then(|i| stat[i + 1..].split_whitespace().nth(1))
            .and_then(|s| s.parse::<u32>().ok());
        if let Some(pp) = ppid {
            parent_of.push((p, pp));
        }
    }
    let mut found = vec![pid];
    let mut k = 0;
    while k < found.len() {
        let parent = found[k];
        found.extend(
            parent_of
                .iter()
                .filter(|&&(_, pp)| pp == parent)
                .map(|&(p, _)| p),
        );
        k += 1;
    }
    found.remove(0);
    found
}

/// A fresh directory under the system's temporary directory, removed when
/// this is dropped (also when a test fails).
pub struct Scratch(PathBuf);

impl Scratch {
    /// `<tmp>/<prefix>-<process id>-<n>`, a new one on each call, emptied
    /// first.
    pub fn new(prefix: &str) -> Scratch {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("{prefix}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        Scratch(dir)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `rappard verify DATA` on a Secretariat's data directory: the SHA-256 of
/// its journal's record and its state (`the negotiation closed`, or the
/// call a restart resumes). Panics if the journal does not verify.
pub fn verify_journal(data: &Path) -> (String, String) {
    let mut cmd = command();
    cmd.arg("verify").arg(data);
    let out = Node::spawn("verify", cmd).finish(timeout(120));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "verify: {stdout}{}", out.stderr);
    let field = |name: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_owned())
            .unwrap_or_else(|| panic!("verify printed no `{name}`: {stdout}"))
    };
    (field("sha256"), field("state"))
}

/// A permit to run one networked negotiation; see [`slot`].
pub struct Slot(());

static RUNNING: Mutex<usize> = Mutex::new(0);
static FREED: Condvar = Condvar::new();

/// Waits until fewer networked runs than the limit are going (half the
/// available cores, at least one, or `RAPPARD_TEST_JOBS`), and holds a place
/// until the returned permit is dropped.
pub fn slot() -> Slot {
    let limit = std::env::var("RAPPARD_TEST_JOBS")
        .ok()
        .and_then(|s| s.trim().parse::<usize>().ok())
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get() / 2)
                .unwrap_or(1)
        })
        .max(1);
    let mut running = RUNNING.lock().unwrap_or_else(PoisonError::into_inner);
    while *running >= limit {
        running = FREED.wait(running).unwrap_or_else(PoisonError::into_inner);
    }
    *running += 1;
    Slot(())
}

impl Drop for Slot {
    fn drop(&mut self) {
        *RUNNING.lock().unwrap_or_else(PoisonError::into_inner) -= 1;
        FREED.notify_one();
    }
}

/// Runs `rappard` to completion; panics if it fails.
pub fn rappard_ok(args: &[&str]) {
    let mut cmd = command();
    cmd.args(args);
    let out = Node::spawn(&format!("rappard {}", args.join(" ")), cmd).finish(timeout(120));
    assert!(out.status.success(), "{args:?}: {}", out.stderr);
}

/// A PKI in `certs` made with `rappard pki`: the authority, the
/// Secretariat (`WTO`) and a member certificate for each of `members`.
pub fn pki_for(certs: &str, members: &[&str]) {
    rappard_ok(&["pki", "init", "--certs", certs]);
    let secretariat = ["--id", "WTO", "--role", "secretariat"];
    rappard_ok(&[&["pki", "issue", "--certs", certs][..], &secretariat].concat());
    for id in members {
        rappard_ok(&[
            "pki", "issue", "--certs", certs, "--id", id, "--role", "member",
        ]);
    }
}

/// A PKI made in process in `dir` for `scenario` (a path from the
/// repository's root): the authority, the Secretariat, a member
/// certificate for every delegation and an applicant's for every
/// applicant. Gives the delegations' ids and the applicants'.
pub fn scenario_pki(dir: &Path, scenario: &str) -> (Vec<String>, Vec<String>) {
    use rappard_core::member::MemberId;
    use rappard_net::pki::{self, Existing, Role, Validity};
    let text = std::fs::read_to_string(root().join(scenario)).expect("scenario");
    let sc = rappard_core::scenario::parse(scenario, &text).expect("parses");
    let days = Validity::days(pki::NODE_DAYS);
    pki::init(dir, Existing::Refuse, Validity::days(pki::AUTHORITY_DAYS)).expect("pki init");
    let wto = MemberId::new(pki::SECRETARIAT_ID).expect("id");
    pki::issue(dir, &wto, Role::Secretariat, Existing::Refuse, days).expect("secretariat");
    let issue = |ids: Vec<MemberId>, role: Role| -> Vec<String> {
        for id in &ids {
            pki::issue(dir, id, role, Existing::Refuse, days).expect("a node's certificate");
        }
        ids.iter().map(ToString::to_string).collect()
    };
    let members = sc
        .agenda
        .membership
        .delegations()
        .map(|m| m.id.clone())
        .collect();
    let applicants = sc
        .agenda
        .accessions
        .iter()
        .map(|a| a.applicant.id.clone())
        .collect();
    (
        issue(members, Role::Member),
        issue(applicants, Role::Applicant),
    )
}

/// The record's SHA-256 and length from `rappard simulate SCENARIO`.
pub fn simulated(scenario: &str) -> (String, u64) {
    let mut cmd = command();
    cmd.args(["simulate", scenario, "--format", "json"]);
    let out = Node::spawn("simulate", cmd).finish(timeout(300));
    assert!(out.status.success(), "simulate: {}", out.stderr);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let sha = v["record"]["sha256"].as_str().expect("sha256").to_owned();
    let events = v["record"]["events"].as_u64().expect("events");
    (sha, events)
}
