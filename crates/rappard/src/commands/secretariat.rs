//! `rappard secretariat`: the Secretariat node, until SIGINT (Ctrl-C) or
//! SIGTERM, after which it stops serving and exits 0.
//!
//! Prints `grpc ADDR` (and `quic ADDR`) on stdout once listening, and logs
//! the record's size and SHA-256 when the negotiation ends. A task of the
//! node that fails (a server, the lockstep driver, the journal) ends the
//! command with its error.
//!
//! It serves with `secretariat.pem` and `.key` from `--certs`, and checks
//! clients against `ca.pem` and the revocation list `ca.crl` there (read at
//! start and again whenever the file changes). The authority's key is
//! needed only to sign acceded applicants' member certificates, and only
//! with `--authority DIR`: without it the key can stay off this host, and
//! an acceded applicant's request is refused (`FAILED_PRECONDITION`).
//!
//! With `--data DIR` the node keeps its journal in DIR
//! (`rappard_net::journal`): started again on the same DIR after a crash
//! (even `kill -9`), it replays the journal and carries on where it was;
//! the delegations reconnect and answer the open call again. A journal
//! that cannot be replayed (corrupt, of another scenario or seed, of a
//! newer format) exits 2, naming the file and what is wrong where.
//!
//! With `--http ADDR` it also serves the classroom's web front over HTTPS
//! (`rappard_net::web`, docs/classroom.md): the live dashboard, and with
//! `--human IDS` a page for each delegation played by a person.
//!
//! With `--metrics ADDR` it serves its Prometheus metrics at
//! `http://ADDR/metrics` (plain HTTP; `rappard_net::metrics` lists them)
//! and prints `metrics ADDR` after the other addresses.
//!
//! The limits against floods (`rappard_net::limits`) have a flag each,
//! with the library's defaults.

use std::io::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use rappard_core::scenario::Scenario;
use rappard_net::limits::Limits;
use rappard_net::pki::{self, Credentials};
use rappard_net::secretariat::{DataDir, Listeners, Options};
use tracing::info;

use super::signals::Stop;
use super::{load_scenario_text, runtime};
use crate::error::{Error, Result};

// The command's arguments.
#[derive(clap::Args)]
pub struct Args {
    /// The scenario file.
    #[arg(long)]
    scenario: PathBuf,
    /// Replace the scenario's seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Address for gRPC (port 0: any free port; the address is printed).
    #[arg(long, default_value = "127.0.0.1:50051")]
    grpc: String,
    /// Address for QUIC (UDP; port 0: any free port; printed).
    #[arg(long)]
    quic: Option<String>,
    /// The PKI directory: ca.pem, secretariat.pem and .key, and the
    /// revocation list ca.crl if there is one.
    #[arg(long)]
    certs: PathBuf,
    /// The directory with the authority's key (ca.key, and the same
    /// ca.pem), to sign acceded applicants' member certificates; without
    /// it the Secretariat signs nothing, and ca.key can stay off this host.
    #[arg(long)]
    authority: Option<PathBuf>,
    /// Seconds a call waits for answers that do not come (default: 60,
    /// or 90 with delegations played by people, `--human`).
    #[arg(long)]
    answer_timeout: Option<u64>,
    /// Seconds to wait for every delegation to join before starting.
    #[arg(long, default_value_t = 120)]
    join_timeout: u64,
    /// Real seconds per simulated day, so people can watch (default: as
    /// fast as the delegations answer).
    #[arg(long)]
    pace: Option<f64>,
    /// Keep the journal in this directory, and resume from it if it holds
    /// one (default: the record lives in memory only).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Serve the classroom's web front over HTTPS at this address (port 0:
    /// any free port): the live dashboard, the pages of the delegations
    /// played by people, the teacher's controls (prints `http URL`,
    /// `teacher URL` and one `join ID URL` per `--human` delegation).
    #[arg(long, value_name = "ADDR")]
    http: Option<String>,
    /// Delegations played by people from a browser (with `--http`), by id,
    /// comma-separated: each gets a join link with its own secret token.
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    human: Vec<String>,
    /// The address people type to reach `--http` (`https://HOST:PORT`,
    /// e.g. the server's name when it listens on 0.0.0.0): the links
    /// printed, and their QR codes, carry it.
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,
    /// Serve Prometheus metrics at http://ADDR/metrics (plain HTTP; port
    /// 0: any free port; printed). Default: off.
    #[arg(long, value_name = "ADDR")]
    metrics: Option<String>,
    #[command(flatten)]
    limits: LimitArgs,
}

/// Answer timeout for calls when people play delegations, in seconds
/// (a modelling choice for a class: time to read and click).
pub const HUMAN_ANSWER_TIMEOUT: u64 = 90;

/// The briefs of the delegations played by people: each must be a
/// delegation or applicant of the scenario.
fn classroom(args: &Args, sc: &Scenario) -> Result<rappard_net::web::Classroom> {
    if !args.human.is_empty() && args.http.is_none() {
        return Err(Error::BadOption {
            option: "--human",
            reason: "people play from a browser: give --http ADDR too".into(),
        });
    }
    let mut briefs = std::collections::BTreeMap::new();
    for id in &args.human {
        let known = sc
            .agenda
            .membership
            .delegations()
            .any(|m| m.id.as_str() == id)
            || sc
                .agenda
                .accessions
                .iter()
                .any(|a| a.applicant.id.as_str() == id);
        let member = rappard_core::member::MemberId::new(id.trim())
            .ok()
            .filter(|_| known)
            .ok_or_else(|| Error::BadOption {
                option: "--human",
                reason: format!("`{id}` is not a delegation of the scenario"),
            })?;
        let brief = sc.instructions_of(&member);
        briefs.insert(member, brief);
    }
    let public_url = match &args.public_url {
        Some(url) if args.http.is_none() => {
            return Err(Error::BadOption {
                option: "--public-url",
                reason: format!("`{url}` is where people reach --http: give --http ADDR too"),
            });
        }
        Some(url) => Some(super::links::public_url(url)?),
        None => None,
    };
    Ok(rappard_net::web::Classroom { briefs, public_url })
}

/// The limits against floods (`rappard_net::limits`; docs/reliability.md).
#[derive(clap::Args)]
#[command(next_help_heading = "Limits against floods")]
struct LimitArgs {
    /// Seconds a TLS or QUIC handshake may take; then the connection is
    /// closed.
    #[arg(long, value_name = "SECS", value_parser = positive_u64(), default_value_t = Limits::default().handshake_timeout.as_secs())]
    handshake_timeout: u64,
    /// Seconds after its handshake within which a connection must make a
    /// request; a connection without a certificate of the negotiation's
    /// authority is closed then in any case.
    #[arg(long, value_name = "SECS", value_parser = positive_u64(), default_value_t = Limits::default().first_request_timeout.as_secs())]
    first_request_timeout: u64,
    /// Connections from one IP address that are not yet authenticated (in
    /// the handshake, or without a certificate of the authority); more are
    /// closed at accept.
    #[arg(long, value_name = "N", value_parser = positive_u64(), default_value_t = Limits::default().connections_per_address as u64)]
    max_connections_per_address: u64,
    /// Connections per certificate; a newer one closes the oldest.
    #[arg(long, value_name = "N", value_parser = positive_u64(), default_value_t = Limits::default().connections_per_member as u64)]
    max_connections_per_member: u64,
    /// Open record streams (Subscribe) per certificate; more are refused
    /// RESOURCE_EXHAUSTED.
    #[arg(long, value_name = "N", value_parser = positive_u64(), default_value_t = Limits::default().subscriptions_per_member as u64)]
    max_subscriptions_per_member: u64,
    /// Answers per second per certificate, on average; more are refused
    /// RESOURCE_EXHAUSTED.
    #[arg(long, value_name = "N", value_parser = positive_u32(), default_value_t = Limits::default().answers_per_second)]
    max_answers_per_second: u32,
    /// Answers a certificate may send at once, above the rate.
    #[arg(long, value_name = "N", value_parser = positive_u32(), default_value_t = Limits::default().answer_burst)]
    answer_burst: u32,
    /// Seconds a subscriber may leave its full buffer of entries untaken;
    /// then its stream is cut off (UNAVAILABLE) and it may resume.
    #[arg(long, value_name = "SECS", value_parser = positive_u64(), default_value_t = Limits::default().subscriber_timeout.as_secs())]
    subscriber_timeout: u64,
    /// Refuse a TLS or QUIC handshake without a client certificate (then
    /// health probes need a certificate too).
    #[arg(long)]
    require_client_certificate: bool,
}

fn positive_u64() -> clap::builder::RangedU64ValueParser<u64> {
    clap::value_parser!(u64).range(1..)
}

fn positive_u32() -> clap::builder::RangedI64ValueParser<u32> {
    clap::value_parser!(u32).range(1..)
}

impl LimitArgs {
    /// The limits these flags give.
    fn limits(&self) -> Limits {
        let count = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        Limits {
            handshake_timeout: Duration::from_secs(self.handshake_timeout),
            first_request_timeout: Duration::from_secs(self.first_request_timeout),
            connections_per_address: count(self.max_connections_per_address),
            connections_per_member: count(self.max_connections_per_member),
            subscriptions_per_member: count(self.max_subscriptions_per_member),
            answers_per_second: self.max_answers_per_second,
            answer_burst: self.answer_burst,
            subscriber_timeout: Duration::from_secs(self.subscriber_timeout),
            require_client_certificate: self.require_client_certificate,
            ..Limits::default()
        }
    }
}

/// Serves the negotiation until SIGINT or SIGTERM.
pub fn run(args: Args) -> Result<()> {
    if args.data.is_some()
        && args
            .scenario
            .to_string_lossy()
            .starts_with(super::SYNTHETIC)
    {
        return Err(Error::BadOption {
            option: "--scenario",
            reason:
                "a synthetic scenario is not kept in a journal: give a scenario file with --data"
                    .into(),
        });
    }
    let (sc, text) = load_scenario_text(&args.scenario, args.seed)?;
    let creds = pki::load(&args.certs, "secretariat").map_err(Error::Credentials)?;
    if let Some(dir) = &args.authority {
        check_authority(dir, &creds)?;
    }
    runtime()?.block_on(serve(args, (sc, text), creds))
}

/// Refuses an `--authority` directory without the authority's key, or with
/// another authority than the one of `--certs`.
fn check_authority(dir: &std::path::Path, creds: &Credentials) -> Result<()> {
    let refused = |reason: String| Error::BadOption {
        option: "--authority",
        reason,
    };
    if !dir.join("ca.key").is_file() {
        return Err(refused(format!("{} has no ca.key", dir.display())));
    }
    let ca = std::fs::read_to_string(dir.join("ca.pem"))
        .map_err(|e| refused(format!("{}: {e}", dir.join("ca.pem").display())))?;
    if ca.trim() != creds.ca.trim() {
        return Err(refused(format!(
            "{} is not the authority of --certs (its ca.pem differs)",
            dir.display()
        )));
    }
    Ok(())
}

async fn serve(args: Args, (sc, text): (Scenario, String), creds: Credentials) -> Result<()> {
    let mut stop = Stop::listen()?;
    let (stopped_tx, stopped) = tokio::sync::watch::channel(None);
    tokio::spawn(async move {
        let signal = stop.recv().await;
        info!("{}: stopping", signal.name());
        let _ = stopped_tx.send(Some(signal));
    });
    let signalled = move || {
        let mut rx = stopped.clone();
        async move {
            let _ = rx.wait_for(Option::is_some).await;
        }
    };
    rappard_net::install_crypto();
    let listen = |addr: &str, what| {
        let addr = addr.to_owned();
        move |source| Error::Listen { addr, what, source }
    };
    let grpc = rappard_net::tcp_listener(&args.grpc)
        .await
        .map_err(listen(&args.grpc, ""))?;
    let grpc_addr = grpc.local_addr().map_err(listen(&args.grpc, ""))?;
    let quic = match &args.quic {
        Some(a) => Some(std::net::UdpSocket::bind(a).map_err(listen(a, " (UDP)"))?),
        None => None,
    };
    let quic_addr = match (&quic, &args.quic) {
        (Some(u), Some(a)) => Some(u.local_addr().map_err(listen(a, " (UDP)"))?),
        _ => None,
    };
    let classroom = classroom(&args, &sc)?;
    let answer_timeout = args.answer_timeout.unwrap_or(if args.human.is_empty() {
        60
    } else {
        HUMAN_ANSWER_TIMEOUT
    });
    let web = match &args.http {
        Some(a) => Some(
            tokio::net::TcpListener::bind(a)
                .await
                .map_err(listen(a, " (HTTPS)"))?,
        ),
        None => None,
    };
    let metrics = match &args.metrics {
        Some(a) => Some(
            tokio::net::TcpListener::bind(a)
                .await
                .map_err(listen(a, " (metrics)"))?,
        ),
        None => None,
    };
    let options = Options {
        answer_timeout: Duration::from_secs(answer_timeout),
        join_timeout: Duration::from_secs(args.join_timeout),
        authority: args.authority.clone(),
        revocations: Some(args.certs.join(rappard_net::revocation::FILE)),
        pace: args.pace,
        data: args.data.clone().map(|dir| DataDir {
            dir,
            scenario_text: text,
        }),
        limits: args.limits.limits(),
        probes: false,
    };
    let shutdown = signalled();
    let listeners = Listeners {
        grpc: Some(grpc),
        quic,
    };
    let n =
        rappard_net::secretariat::serve(sc.agenda, &creds, listeners, options, shutdown).await?;
    match n.resumed() {
        Some((entries, answers)) => info!(
            run = %n.run().run_id,
            entries,
            answers,
            "resumed from the journal"
        ),
        None => info!(run = %n.run().run_id, "a new run"),
    }
    println!("grpc {grpc_addr}");
    if let Some(q) = quic_addr {
        println!("quic {q}");
    }
    if let Some(listener) = web {
        let links =
            rappard_net::web::serve(n.clone(), &creds, listener, classroom, signalled()).await?;
        super::links::print("http ", &links.dashboard);
        super::links::print("teacher ", &links.teacher);
        for (id, link) in &links.joins {
            super::links::print("join ", &format!("{id} {link}"));
        }
    }
    if let Some(listener) = metrics {
        let (addr, _task) = rappard_net::metrics::serve(listener, n.metrics(), signalled()).await?;
        info!(%addr, "serving metrics at http://{addr}/metrics");
        println!("metrics {addr}");
    }
    let _ = std::io::stdout().flush();
    tokio::select! {
        record = n.finished() => {
            let record = record?;
            info!(events = record.len(), sha256 = %record.sha256(), "negotiation closed");
            signalled().await;
        }
        () = signalled() => {}
    }
    Ok(())
}
