//! `rappard demo`: a scenario over the network on 127.0.0.1.
//!
//! It makes a PKI in a temporary directory, starts real processes (one
//! Secretariat and N member processes, every delegation with its own
//! connection and certificate), reads the whole record as an observer,
//! prints it exactly as `simulate` does, and stops every process it
//! started. The Secretariat exiting, or a member process failing, before the
//! negotiation closes stops the demo with an error.
//!
//! With `--http ADDR` the Secretariat also serves the classroom's web front
//! and the demo prints its links first, then the minutes when the
//! negotiation closes, and keeps serving the pages until SIGINT or SIGTERM
//! (then exits 0); with `--human IDS` (`rappard
//! class`) those delegations are played by people from their browsers and
//! no member process plays them.
//!
//! The temporary directory holds the authority's key: it is removed however
//! the demo ends, at the end, on an error, and on SIGINT or SIGTERM, which
//! the demo listens for before it writes anything; it then stops every
//! process it started (and waits for each) before it exits (130, 143).

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use rappard_core::member::MemberId;
use rappard_core::record::{Event, Record};
use rappard_core::scenario::{self, Scenario};
use rappard_core::time::Timestamp;
use rappard_net::member::Connector;
use rappard_net::pki::{self, Credentials, Existing, Role, Validity};
use rappard_proto::{convert, v1};
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, Command};
use tracing::info;

use super::signals::Stop;
use super::{Format, Transport, connector, print_record};
use crate::error::{Error, Result};

/// The shipped full-membership scenario, for `demo` without arguments (a
/// copy of `examples/scenarios/wto-full.toml`; a test keeps them equal).
pub const WTO_FULL: &str = include_str!("../../scenarios/wto-full.toml");

// The command's arguments.
#[derive(clap::Args)]
pub struct Args {
    /// The scenario (default: the shipped full-membership scenario).
    scenario: Option<PathBuf>,
    /// Replace the scenario's seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Member processes.
    #[arg(long, default_value_t = 4)]
    processes: usize,
    /// Real seconds per simulated day (see `secretariat --pace`).
    #[arg(long)]
    pace: Option<f64>,
    /// Transport: gRPC over TCP+TLS, or the same inside QUIC.
    #[arg(long, value_enum, default_value = "grpc")]
    transport: Transport,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Serve the classroom's web front at this address (see `secretariat
    /// --http`); its links are printed on stdout before the minutes.
    #[arg(long, value_name = "ADDR")]
    http: Option<String>,
    /// Delegations played by people from a browser (with `--http`),
    /// comma-separated; the shipped strategies play the others.
    #[arg(long, value_name = "IDS", value_delimiter = ',', alias = "delegations")]
    human: Vec<String>,
    /// The address people type to reach `--http` (see `secretariat
    /// --public-url`).
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,
    /// Seconds a call waits for answers (see `secretariat --answer-timeout`).
    #[arg(long)]
    answer_timeout: Option<u64>,
    /// How the member processes hold the direct talks of an accession (see
    /// `member --talks`).
    #[arg(long, value_enum, default_value = "direct")]
    talks: super::member::Talks,
}

/// `rappard class`: a class on one machine, `demo` with people.
#[derive(clap::Args)]
pub struct ClassArgs {
    /// The scenario.
    scenario: PathBuf,
    /// The delegations played by people, comma-separated (each gets a join
    /// link); the shipped strategies play the others.
    #[arg(long, value_name = "IDS", value_delimiter = ',', required = true)]
    delegations: Vec<String>,
    /// Where to serve the dashboard and the people's pages (HTTPS).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8443")]
    http: String,
    /// The address people type to reach `--http` (`https://HOST:PORT`):
    /// with `--http 0.0.0.0:8443`, this laptop's name or address on the
    /// room's network. The links and their QR codes carry it.
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,
    /// Seconds a call waits for the people's answers.
    #[arg(long, default_value_t = super::secretariat::HUMAN_ANSWER_TIMEOUT)]
    answer_timeout: u64,
    /// Real seconds per simulated day (see `secretariat --pace`).
    #[arg(long)]
    pace: Option<f64>,
    /// Replace the scenario's seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Output format of the minutes printed at the end.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

impl ClassArgs {
    /// The demo this class is.
    pub fn into_demo(self) -> Args {
        Args {
            scenario: Some(self.scenario),
            seed: self.seed,
            processes: 1,
            pace: self.pace,
            transport: Transport::Grpc,
            format: self.format,
            http: Some(self.http),
            human: self.delegations,
            public_url: self.public_url,
            answer_timeout: Some(self.answer_timeout),
            talks: super::member::Talks::Direct,
        }
    }
}

/// Runs the demo in a temporary directory, removed at the end whatever
/// happened (an error, SIGINT, SIGTERM); `verbose` is passed on to the
/// processes it starts.
pub fn run(args: &Args, verbose: u8) -> Result<()> {
    let started = Instant::now();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Error::Runtime)?;
    let mut stop = {
        let _inside = runtime.enter();
        Stop::listen()?
    };
    let dir = std::env::temp_dir().join(format!("rappard-demo-{}", std::process::id()));
    let result = run_in(&dir, args, verbose, started, &runtime, &mut stop);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// What the demo's processes share.
struct Plan<'a> {
    args: &'a Args,
    verbose: u8,
    started: Instant,
    /// The rappard executable, for the processes.
    exe: PathBuf,
    /// The PKI directory, with the scenario.
    dir: &'a Path,
    scenario_file: PathBuf,
    /// Every delegation and applicant.
    ids: Vec<MemberId>,
}

fn run_in(
    dir: &Path,
    args: &Args,
    verbose: u8,
    started: Instant,
    runtime: &tokio::runtime::Runtime,
    stop: &mut Stop,
) -> Result<()> {
    let (text, name) = scenario_text(args.scenario.as_deref())?;
    let sc = scenario::parse(&name, &text)?;
    let _ = std::fs::remove_dir_all(dir); // a leftover of an earlier process with this pid
    pki::create_private_dir(dir)?;
    let scenario_file = dir.join("scenario.toml");
    std::fs::write(&scenario_file, &text).map_err(|source| Error::Io {
        what: scenario_file.display().to_string(),
        source,
    })?;
    let ids = make_pki(dir, &sc)?;
    info!(
        "{} delegations, PKI in {} ({:.1} s)",
        ids.len(),
        dir.display(),
        started.elapsed().as_secs_f64()
    );
    let exe = std::env::current_exe().map_err(|source| Error::Io {
        what: "cannot find the rappard executable".into(),
        source,
    })?;
    let plan = Plan {
        args,
        verbose,
        started,
        exe,
        dir,
        scenario_file,
        ids,
    };
    let record = runtime.block_on(run_nodes(&plan, stop))?;
    info!(
        "negotiation closed, {} events, sha256 {}, {:.2} s in all",
        record.len(),
        record.sha256(),
        started.elapsed().as_secs_f64()
    );
    if args.http.is_none() {
        print_record(&record, args.format)?;
    }
    Ok(())
}

/// The scenario's text and the name errors give it.
fn scenario_text(path: Option<&Path>) -> Result<(String, String)> {
    Ok(match path {
        Some(p) => {
            let name = p.display().to_string();
            let text = std::fs::read_to_string(p).map_err(|source| Error::ReadScenario {
                path: name.clone(),
                source,
            })?;
            (text, name)
        }
        None => (WTO_FULL.to_owned(), "wto-full.toml (built in)".to_owned()),
    })
}

/// The PKI: an authority, the Secretariat, every delegation and applicant.
/// Returns the delegations and applicants.
fn make_pki(dir: &Path, sc: &Scenario) -> Result<Vec<MemberId>> {
    let ids: Vec<(MemberId, Role)> = sc
        .agenda
        .membership
        .delegations()
        .map(|m| (m.id.clone(), Role::Member))
        .chain(
            sc.agenda
                .accessions
                .iter()
                .map(|a| (a.applicant.id.clone(), Role::Applicant)),
        )
        .collect();
    pki::init(dir, Existing::Refuse, Validity::days(pki::AUTHORITY_DAYS))?;
    let secretariat =
        MemberId::new(pki::SECRETARIAT_ID).expect("the Secretariat's id `WTO` is a valid id");
    let days = Validity::days(pki::NODE_DAYS);
    pki::issue(dir, &secretariat, Role::Secretariat, Existing::Refuse, days)?;
    for (id, role) in &ids {
        pki::issue(dir, id, *role, Existing::Refuse, days)?;
    }
    Ok(ids.into_iter().map(|(id, _)| id).collect())
}

impl Plan<'_> {
    /// A `rappard` process, with `-v` as given to the demo; killed if the
    /// demo drops it.
    fn command(&self, subcommand: &str) -> Command {
        let mut c = Command::new(&self.exe);
        if self.verbose > 0 {
            c.arg(format!("-{}", "v".repeat(usize::from(self.verbose))));
        }
        c.arg(subcommand)
            .arg("--scenario")
            .arg(&self.scenario_file)
            .arg("--certs")
            .arg(self.dir)
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        if let Some(seed) = self.args.seed {
            c.args(["--seed", &seed.to_string()]);
        }
        c
    }
}

/// Starts the processes, observes the record, and stops every process,
/// also when SIGINT or SIGTERM comes first (one that came while the PKI
/// was made is taken here, before any process starts).
async fn run_nodes(plan: &Plan<'_>, stop: &mut Stop) -> Result<Record> {
    let mut procs = Processes(Vec::new());
    let result = tokio::select! {
        biased;
        signal = stop.recv() => Err(Error::Interrupted {
            signal,
            what: "the demo stopped its processes and removed its directory",
        }),
        r = run_processes(plan, &mut procs) => r,
    };
    if let (Ok(record), Some(_)) = (&result, &plan.args.http) {
        // A class: the minutes now, and the dashboard and the people's
        // pages stay up (the outcomes, for the debrief) until Ctrl-C.
        let printed = print_record(record, plan.args.format);
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        if printed.is_ok() {
            info!("the negotiation is closed; the dashboard stays up until Ctrl-C");
            let signal = stop.recv().await;
            info!("{}: stopping", signal.name());
        }
        procs.stop().await;
        return printed.map(|()| record.clone());
    }
    procs.stop().await;
    result
}

async fn run_processes(plan: &Plan<'_>, procs: &mut Processes) -> Result<Record> {
    let (grpc, quic) = start_secretariat(plan, procs).await?;
    let transport = plan.args.transport;
    let addr = match transport {
        Transport::Grpc => grpc,
        Transport::Quic => quic,
    };
    start_members(plan, &addr, procs)?;
    info!(
        "Secretariat on {addr} ({}), {} member processes",
        transport.as_str(),
        procs.0.len() - 1
    );
    let record = tokio::select! {
        r = observe(plan, &addr) => r?,
        e = procs.failure() => return Err(e),
    };
    // Member processes end with the stream; the Secretariat is stopped.
    procs.wait_members(Duration::from_secs(30)).await;
    Ok(record)
}

/// Starts the Secretariat on any free ports; returns the gRPC and QUIC
/// addresses it prints.
async fn start_secretariat(plan: &Plan<'_>, procs: &mut Processes) -> Result<(String, String)> {
    let mut cmd = plan.command("secretariat");
    // The demo keeps one directory: the authority's key is there, to sign
    // acceded applicants' member certificates.
    cmd.args(["--grpc", "127.0.0.1:0", "--quic", "127.0.0.1:0"])
        .arg("--authority")
        .arg(plan.dir)
        .stdout(Stdio::piped());
    if let Some(p) = plan.args.pace {
        cmd.args(["--pace", &p.to_string()]);
    }
    if let Some(a) = &plan.args.http {
        cmd.args(["--http", a]);
    }
    if let Some(url) = &plan.args.public_url {
        cmd.args(["--public-url", url]);
    }
    if !plan.args.human.is_empty() {
        cmd.args(["--human", &plan.args.human.join(",")]);
    }
    if let Some(t) = plan.args.answer_timeout {
        cmd.args(["--answer-timeout", &t.to_string()]);
    }
    let sec = procs.spawn("the Secretariat".into(), &mut cmd)?;
    let out = sec
        .stdout
        .take()
        .expect("the Secretariat's stdout is piped");
    let mut lines = BufReader::new(out).lines();
    let mut listening = async |prefix: &str| {
        let line = lines.next_line().await.map_err(|source| Error::Io {
            what: "reading the Secretariat's output".into(),
            source,
        })?;
        line.as_deref()
            .and_then(|l| l.trim().strip_prefix(prefix))
            .map(str::to_owned)
            .ok_or_else(|| {
                Error::Run(format!(
                    "the Secretariat did not say where it listens (`{prefix}ADDR`); it said {line:?}"
                ))
            })
    };
    let grpc = listening("grpc ").await?;
    let quic = listening("quic ").await?;
    if plan.args.http.is_some() {
        // The classroom's links, passed on to whoever runs the class.
        let n = 2 + plan.args.human.len();
        for prefix in ["http ", "teacher "]
            .into_iter()
            .chain(std::iter::repeat_n("join ", n - 2))
        {
            let rest = listening(prefix).await?;
            super::links::print(prefix, &rest);
        }
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
    }
    Ok((grpc, quic))
}

/// Starts the member processes, the delegations spread over them in turn.
fn start_members(plan: &Plan<'_>, addr: &str, procs: &mut Processes) -> Result<()> {
    let n = plan.args.processes.max(1);
    let mut groups: Vec<Vec<&str>> = vec![Vec::new(); n];
    let people = &plan.args.human;
    let machines = plan
        .ids
        .iter()
        .filter(|id| !people.iter().any(|h| h == id.as_str()));
    for (k, id) in machines.enumerate() {
        groups[k % n].push(id.as_str());
    }
    for (k, g) in groups.into_iter().filter(|g| !g.is_empty()).enumerate() {
        let mut cmd = plan.command("member");
        cmd.args(["--secretariat", addr])
            .args(["--transport", plan.args.transport.as_str()])
            .args(["--ids", &g.join(",")])
            .args(["--talks", plan.args.talks.as_str()])
            .stdout(Stdio::null());
        procs.spawn(
            format!("member process {} ({} delegations)", k + 1, g.len()),
            &mut cmd,
        )?;
    }
    Ok(())
}

/// The processes the demo started, the Secretariat first, each with what
/// it is.
struct Processes(Vec<(String, Child)>);

impl Processes {
    fn spawn(&mut self, what: String, cmd: &mut Command) -> Result<&mut Child> {
        let child = cmd.spawn().map_err(|source| Error::Io {
            what: format!("cannot start {what}"),
            source,
        })?;
        self.0.push((what, child));
        Ok(&mut self.0.last_mut().expect("just pushed").1)
    }

    /// Waits for a process to fail: the Secretariat ending at all, or a
    /// member process ending with an error, before the negotiation closes.
    async fn failure(&mut self) -> Error {
        loop {
            for (k, (what, child)) in self.0.iter_mut().enumerate() {
                match child.try_wait() {
                    Ok(Some(status)) if k == 0 || !status.success() => {
                        return Error::Run(format!(
                            "{what} ended ({status}) before the negotiation closed"
                        ));
                    }
                    Ok(_) => {}
                    Err(source) => {
                        return Error::Io {
                            what: format!("waiting for {what}"),
                            source,
                        };
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits up to `limit` in all for the member processes to end.
    async fn wait_members(&mut self, limit: Duration) {
        let deadline = tokio::time::Instant::now() + limit;
        for (_, child) in self.0.iter_mut().skip(1) {
            let _ = tokio::time::timeout_at(deadline, child.wait()).await;
        }
    }

    /// Ends every process still running, and waits for each.
    async fn stop(&mut self) {
        for (_, child) in &mut self.0 {
            let _ = child.start_kill();
            let _ = child.wait().await;
        }
    }
}

/// Reads the whole record as an observer (the Secretariat's certificate),
/// with progress on stderr.
async fn observe(plan: &Plan<'_>, addr: &str) -> Result<Record> {
    let creds = pki::load(plan.dir, "secretariat").map_err(Error::Observer)?;
    rappard_net::install_crypto();
    let to = connector(addr, plan.args.transport).await?;
    let mut client = connect_observer(&to, &creds).await?;
    let mut stream = client
        .subscribe(v1::SubscribeRequest {
            after_seq: 0,
            only_my_calls: false,
            session: 0,
        })
        .await
        .map_err(|s| Error::Observer(s.into()))?
        .into_inner();
    let mut record = Record::new();
    let mut progress = Progress::new(plan.started);
    while let Some(e) = stream
        .message()
        .await
        .map_err(|s| Error::Observer(s.into()))?
    {
        let entry = convert::entry_from_wire(&e).map_err(|e| Error::Observer(e.into()))?;
        if entry.seq != record.len() as u64 + 1 {
            return Err(Error::Run(format!(
                "the record skipped from {} to {}",
                record.len(),
                entry.seq
            )));
        }
        let done = matches!(entry.event, Event::NegotiationClosed { .. });
        let at = entry.at;
        record.append(entry.at, entry.event);
        progress.show(record.len(), at, done);
    }
    Ok(record)
}

/// Connects the observer, trying for a few seconds while the Secretariat
/// starts.
async fn connect_observer(
    to: &Connector,
    creds: &Credentials,
) -> Result<v1::secretariat_client::SecretariatClient<tonic::transport::Channel>> {
    let mut tries = 0;
    loop {
        match to.connect(creds).await {
            Ok(c) => return Ok(c),
            Err(e) if tries < 100 => {
                tracing::debug!(error = %e, "the Secretariat is not there yet");
                tries += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => return Err(Error::Observer(e)),
        }
    }
}

/// The demo's progress: a bar on a terminal, a line now and then otherwise.
struct Progress {
    tty: bool,
    next: usize,
    started: Instant,
}

impl Progress {
    fn new(started: Instant) -> Self {
        let tty = std::io::stderr().is_terminal();
        Self {
            tty,
            next: if tty { 100 } else { 1_000 },
            started,
        }
    }

    /// After an entry: `events` in the record, the last at `at`.
    fn show(&mut self, events: usize, at: Timestamp, done: bool) {
        if events < self.next && !done {
            return;
        }
        let elapsed = self.started.elapsed().as_secs_f64();
        if self.tty {
            eprint!("\rdemo: {events:>7} events, simulated {at}, {elapsed:.1} s ");
            if done {
                eprintln!();
            }
            self.next += 100;
        } else {
            info!("{events} events, simulated {at} ({elapsed:.1} s)");
            self.next += 2_000;
        }
    }
}
