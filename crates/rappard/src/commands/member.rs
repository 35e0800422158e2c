//! `rappard member`: delegation nodes, each with its own connection and
//! certificate, to the end of the negotiation.
//!
//! Each delegation takes only its own instructions from the scenario; without
//! one, each decides with the ideal-point strategy drawn from the seed the
//! Secretariat gives when it joins. A delegation that stops with an error
//! is logged when it stops; the others carry on, and the command fails at
//! the end. SIGINT and SIGTERM stop every delegation (exit 130 and 143).
//!
//! With `--interactive` one delegation is played by a person at the
//! terminal (`interactive`): its answers come from standard input.
//!
//! With `--metrics ADDR` the process serves the metrics of its delegations
//! at `http://ADDR/metrics` (`rappard_net::metrics`) and prints `metrics
//! ADDR` on stdout.

use std::path::PathBuf;
use std::sync::Arc;

use rappard_core::delegation::Delegation;
use rappard_core::member::MemberId;
use rappard_core::simulation;
use rappard_net::member::Connector;
use rappard_net::metrics::Metrics;
use rappard_net::pki::{self, Credentials};
use tokio::task::JoinSet;
use tracing::{debug, error, info};

use super::interactive::Terminal;
use super::signals::Stop;
use super::{Transport, connector, load_scenario, runtime};
use crate::error::{Error, Result};

// The command's arguments.
#[derive(clap::Args)]
pub struct Args {
    /// The scenario file: each delegation takes only its own
    /// instructions from it. Without one, each decides with the
    /// ideal-point strategy drawn from the seed the Secretariat gives.
    #[arg(long)]
    scenario: Option<PathBuf>,
    /// Replace the scenario's seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Delegation ids, comma-separated.
    #[arg(long, alias = "id", value_delimiter = ',', required = true)]
    ids: Vec<String>,
    /// The Secretariat's address, HOST:PORT.
    #[arg(long)]
    secretariat: String,
    /// The PKI directory.
    #[arg(long)]
    certs: PathBuf,
    /// Transport: gRPC over TCP+TLS, or the same inside QUIC.
    #[arg(long, value_enum, default_value = "grpc")]
    transport: Transport,
    /// Played by a person at this terminal: each call is printed and
    /// answered by a line of standard input (one delegation, and
    /// `--scenario` for its brief).
    #[arg(long)]
    interactive: bool,
    /// With `--interactive`: seconds to wait for a line before the
    /// delegation is recorded as not answering (give the Secretariat's
    /// `--answer-timeout`).
    #[arg(long, default_value_t = 60)]
    answer_timeout: u64,
    /// With `--interactive`: the person's IANA time zone for deadlines
    /// (default: `TZ` if it names one, else UTC).
    #[arg(long)]
    tz: Option<String>,
    /// Serve Prometheus metrics of these delegations at
    /// http://ADDR/metrics (plain HTTP; port 0: any free port; printed).
    /// Default: off.
    #[arg(long, value_name = "ADDR")]
    metrics: Option<String>,
    /// How the delegations hold the direct talks of an accession with an
    /// applicant: `direct` serves them on 127.0.0.1 (applicants on this
    /// host reach them); `relay` serves nothing and takes the applicants'
    /// offers through the Secretariat (a laptop behind NAT).
    #[arg(long, value_enum, default_value = "direct")]
    talks: Talks,
}

/// The values of `--talks`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Talks {
    /// Serve them on 127.0.0.1, for applicants on this host.
    Direct,
    /// Through the Secretariat, over the delegation's own connection.
    Relay,
}

impl Talks {
    /// Its name on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Direct => "direct",
            Self::Relay => "relay",
        }
    }
}

/// One delegation to run: its id, credentials, and its instructions from
/// the scenario (none without a scenario).
struct Mine {
    id: MemberId,
    creds: Credentials,
    delegation: Option<Delegation>,
    /// A person answering at this terminal (`--interactive`).
    person: Option<Box<dyn rappard_net::person::AnswerSource>>,
}

/// Runs the delegations until the negotiation closes (or SIGINT, SIGTERM).
pub fn run(args: Args) -> Result<()> {
    let mine = delegations(&args)?;
    let address = args.secretariat.trim_start_matches("https://").to_owned();
    runtime()?.block_on(async move {
        let mut stop = Stop::listen()?;
        rappard_net::install_crypto();
        let to = connector(&address, args.transport).await?;
        let metrics = Arc::new(Metrics::new());
        let _served = match &args.metrics {
            Some(addr) => Some(serve_metrics(addr, metrics.clone()).await?),
            None => None,
        };
        tokio::select! {
            r = run_all(&to, mine, (args.seed, args.talks), &metrics) => r,
            signal = stop.recv() => Err(Error::Interrupted {
                signal,
                what: "the delegations leave the negotiation",
            }),
        }
    })
}

/// Serves the metrics on `addr` until the returned guard is dropped, and
/// prints `metrics ADDR`.
async fn serve_metrics(
    addr: &str,
    metrics: Arc<Metrics>,
) -> Result<tokio::sync::oneshot::Sender<()>> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| Error::Listen {
            addr: addr.to_owned(),
            what: " (metrics)",
            source,
        })?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (served, _task) = rappard_net::metrics::serve(listener, metrics, async {
        let _ = stopped.await;
    })
    .await?;
    info!(addr = %served, "serving metrics at http://{served}/metrics");
    println!("metrics {served}");
    let _ = std::io::Write::flush(&mut std::io::stdout());
    Ok(stop)
}

/// The delegations of `--ids`, with their credentials and instructions.
fn delegations(args: &Args) -> Result<Vec<Mine>> {
    if args.interactive {
        return interactive(args).map(|m| vec![m]);
    }
    let mut all = match &args.scenario {
        Some(path) => {
            let sc = load_scenario(path, args.seed)?;
            Some((sc.agenda.name.clone(), simulation::delegations(&sc)))
        }
        None => None,
    };
    let mut mine = Vec::with_capacity(args.ids.len());
    for id in &args.ids {
        let delegation = match &mut all {
            Some((name, all)) => Some(all.remove(id.as_str()).ok_or_else(|| Error::BadOption {
                option: "--ids",
                reason: format!("`{id}` is not a delegation or applicant of {name}"),
            })?),
            None => None,
        };
        let id_ok = MemberId::new(id).map_err(|reason| Error::BadOption {
            option: "--ids",
            reason,
        })?;
        let creds = pki::load(&args.certs, id).map_err(Error::Credentials)?;
        mine.push(Mine {
            id: id_ok,
            creds,
            delegation,
            person: None,
        });
    }
    Ok(mine)
}

/// The one delegation of `--interactive`, played at this terminal.
fn interactive(args: &Args) -> Result<Mine> {
    let bad = |reason: String| Error::BadOption {
        option: "--interactive",
        reason,
    };
    let [id] = args.ids.as_slice() else {
        return Err(bad(format!("plays one delegation, not {}", args.ids.len())));
    };
    let Some(path) = &args.scenario else {
        return Err(bad("needs --scenario, for the delegation's brief".into()));
    };
    let user = user_zone(args.tz.as_deref())?;
    let sc = load_scenario(path, args.seed)?;
    let id_ok = MemberId::new(id).map_err(|reason| Error::BadOption {
        option: "--ids",
        reason,
    })?;
    let mut all = simulation::delegations(&sc);
    let delegation = all.remove(id.as_str()).ok_or_else(|| Error::BadOption {
        option: "--ids",
        reason: format!(
            "`{id}` is not a delegation or applicant of {}",
            sc.agenda.name
        ),
    })?;
    let creds = pki::load(&args.certs, id).map_err(Error::Credentials)?;
    let instructions = sc.instructions_of(&id_ok);
    let timeout = std::time::Duration::from_secs(args.answer_timeout);
    let term = Terminal::new(id_ok.clone(), &sc.agenda, &instructions, user, timeout);
    Ok(Mine {
        id: id_ok,
        creds,
        delegation: Some(delegation),
        person: Some(Box::new(term)),
    })
}

/// The person's time zone: `--tz`, else `TZ` if it names an IANA zone,
/// else UTC.
fn user_zone(tz: Option<&str>) -> Result<chrono_tz::Tz> {
    match tz {
        Some(name) => name.parse().map_err(|_| Error::BadOption {
            option: "--tz",
            reason: format!("`{name}` is not an IANA time zone"),
        }),
        None => Ok(std::env::var("TZ")
            .ok()
            .and_then(|v| v.trim_start_matches(':').parse().ok())
            .unwrap_or(chrono_tz::Tz::UTC)),
    }
}

/// Runs every delegation in its own task; logs each that fails as it
/// stops, and fails if one did.
async fn run_all(
    to: &Connector,
    mine: Vec<Mine>,
    (seed, talks): (Option<u64>, Talks),
    metrics: &Arc<Metrics>,
) -> Result<()> {
    let total = mine.len();
    let mut tasks = JoinSet::new();
    for m in mine {
        let to = to.clone();
        let metrics = metrics.clone();
        tasks.spawn(async move {
            let id = m.id.to_string();
            (id, run_one(&to, m, (seed, talks), metrics).await)
        });
    }
    let mut failed = Vec::new();
    let (mut answered, mut talks) = (0, 0);
    while let Some(done) = tasks.join_next().await {
        let e = match done {
            Ok((id, Ok(activity))) => {
                debug!(delegation = %id, answered = activity.answered, talks = activity.talks, "done");
                answered += activity.answered;
                talks += activity.talks;
                continue;
            }
            Ok((id, Err(source))) => Error::Delegation { id, source },
            Err(e) => Error::Run(format!("a delegation's task failed: {e}")),
        };
        // Said now if others run on; the command's error says the first.
        if !tasks.is_empty() {
            error!("{e}");
        }
        failed.push(e);
    }
    info!(
        delegations = total,
        failed = failed.len(),
        answered,
        talks,
        "the delegations have left"
    );
    let n = failed.len();
    match failed.into_iter().next() {
        None => Ok(()),
        Some(first) if n == 1 => Err(first),
        Some(first) => Err(Error::Delegations {
            failed: n,
            total,
            first: Box::new(first),
        }),
    }
}

/// One delegation, to the end. Without instructions, it asks the
/// Secretariat for the run's seed first (unless `--seed` gives it).
async fn run_one(
    to: &Connector,
    m: Mine,
    (seed, talks): (Option<u64>, Talks),
    metrics: Arc<Metrics>,
) -> Result<rappard_net::member::Activity, rappard_net::Error> {
    let delegation = match m.delegation {
        Some(d) => d,
        None => {
            let seed = match seed {
                Some(s) => s,
                None => {
                    let mut client = to.connect(&m.creds).await?;
                    let joined = client
                        .join(rappard_proto::v1::JoinRequest::default())
                        .await?;
                    joined.into_inner().seed
                }
            };
            Delegation::new(m.id, seed, Default::default())
        }
    };
    let talks = match talks {
        Talks::Direct => rappard_net::member::TalksMode::Direct,
        Talks::Relay => rappard_net::member::TalksMode::Relay,
    };
    rappard_net::member::run_talking(to, &m.creds, delegation, m.person, metrics, talks).await
}
