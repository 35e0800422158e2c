//! Floods against the Secretariat's port, over real sockets: a small
//! negotiation (`greenroom-reformed`: 766 entries, about a second here; its
//! 139 delegations in this process on 127.0.0.1, each with its own
//! connection and certificate, and an observer reading the whole record)
//! runs undisturbed and then under one flood, in the same test,
//! against a `rappard secretariat` process with the shipped limits and at
//! most 1,024 open files (`ulimit -n 1024`, soft and hard): the common
//! limit under which 1,100 idle connections used to stop every
//! negotiation. Each test checks that the run under the flood gives the
//! record of `rappard simulate` (the same SHA-256); that it took at most
//! [`SLOWER`] times as long as the undisturbed run plus [`SLACK`] (a loose
//! bound, for a loaded 2-core machine: the ratios measured, and the target
//! of 1.5, are in `BENCHMARKS.md`); what the limits did to the flood; and
//! that the Secretariat's log stayed short.
//!
//! The floods: (a) 1,100 idle connections, TCP (half plain, half TLS
//! handshakes without a client certificate) or QUIC, each opened again
//! when the Secretariat closes it; (b) 1,500 plain TCP connections
//! reconnecting in a loop; (c) one member certificate opening 5,000
//! `Subscribe` streams and never reading them; (d) one member certificate
//! sending answers as fast as it can. The certificate of (c) and (d) is a
//! member certificate the authority issued to an id that takes no part in
//! the negotiation (`FLOOD`): limits are per certificate, so a flood under
//! a delegation's own certificate would crowd out that delegation (its
//! answers refused), never the others. The floods of (a) and (b) come from other loopback
//! addresses than the delegations (127.0.0.2 and up: another host, as an
//! attacker would be); limits are per address, so an attacker at the
//! delegations' own address could delay their (re)connections.
//!
//! Every flood is bounded in count and in time, sends only to 127.0.0.1,
//! and stops with the run. The tests take one lock, so that each run is
//! measured alone. This process needs more open files than 1,024 for the
//! flood's own sockets: it raises its soft limit (within the hard one) to
//! [`OPEN_FILES`], and fails if it cannot. The measured times and the
//! flood's counts are printed (`--nocapture`).

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use rappard_core::member::MemberId;
use rappard_core::record::Record;
use rappard_core::scenario::{self, Scenario};
use rappard_core::simulation;
use rappard_net::member::Connector;
use rappard_net::pki::{self, Existing, Role, Validity};
use rappard_proto::{convert, v1};
use rappard_tests::{Node, Scratch, rappard, root, timeout};
use tokio::io::AsyncReadExt as _;
use tokio::sync::watch;

/// The flooded run may take this many times the undisturbed run…
const SLOWER: f64 = 3.0;
/// …plus this (a loaded machine's noise on runs of about a second).
const SLACK: Duration = Duration::from_secs(10);
/// The soft limit of open files this process raises itself to.
const OPEN_FILES: u64 = 8192;
/// The scenario, unless `RAPPARD_FLOOD_SCENARIO` names another: long
/// enough to measure a ratio (a six-member scenario takes a tenth of a
/// second, mostly set-up), and with a whole membership connecting from one
/// address while the flood goes on.
const SCENARIO: &str = "examples/scenarios/greenroom-reformed.toml";

fn scenario_path() -> String {
    std::env::var("RAPPARD_FLOOD_SCENARIO").unwrap_or_else(|_| SCENARIO.to_owned())
}
/// The certificate of the floods that use one: a member certificate the
/// authority issued to an id that takes no part in the negotiation.
const FLOODER: &str = "FLOOD";

/// The transports.
#[derive(Clone, Copy, Debug)]
enum Transport {
    Grpc,
    Quic,
}

/// The scenario and its PKI (the Secretariat, every delegation, and the
/// [`FLOODER`]).
struct Setting {
    sc: Scenario,
    pki: Scratch,
}

impl Setting {
    fn new() -> Self {
        let name = scenario_path();
        let text = std::fs::read_to_string(root().join(&name)).expect("the scenario");
        let sc = scenario::parse(&name, &text).expect("a valid scenario");
        let pki = Scratch::new("rappard-flood");
        let dir = pki.path().join("pki");
        pki::init(&dir, Existing::Refuse, Validity::days(pki::AUTHORITY_DAYS)).expect("pki init");
        let issue = |id: &str, role| {
            let id = MemberId::new(id).expect("an id");
            let days = Validity::days(pki::NODE_DAYS);
            pki::issue(&dir, &id, role, Existing::Refuse, days).expect("pki issue");
        };
        issue(pki::SECRETARIAT_ID, Role::Secretariat);
        issue(FLOODER, Role::Member);
        for m in sc.agenda.membership.delegations() {
            issue(m.id.as_str(), Role::Member);
        }
        for a in &sc.agenda.accessions {
            issue(a.applicant.id.as_str(), Role::Applicant);
        }
        Self { sc, pki }
    }

    fn dir(&self) -> std::path::PathBuf {
        self.pki.path().join("pki")
    }

    fn creds(&self, id: &str) -> pki::Credentials {
        pki::load(&self.dir(), id).expect("credentials")
    }
}

/// A `rappard secretariat` process with the shipped limits and at most
/// 1,024 open files, and where it listens.
struct Secretariat {
    node: Node,
    grpc: SocketAddr,
    quic: SocketAddr,
}

impl Secretariat {
    fn start(dir: &Path) -> Self {
        let mut cmd = Command::new("sh");
        cmd.current_dir(root())
            .args(["-c", "ulimit -n 1024 && exec \"$0\" \"$@\""]);
        cmd.arg(rappard())
            .args(["secretariat", "--scenario", &scenario_path()]);
        cmd.args(["--grpc", "127.0.0.1:0", "--quic", "127.0.0.1:0", "--certs"]);
        cmd.arg(dir);
        let mut node = Node::spawn("secretariat", cmd);
        let mut addr = |what: &str| {
            let line = node.line(timeout(60));
            line.strip_prefix(what)
                .and_then(|a| a.trim().parse().ok())
                .unwrap_or_else(|| panic!("expected `{what} ADDR`, got {line:?}"))
        };
        let grpc = addr("grpc");
        let quic = addr("quic");
        Self { node, grpc, quic }
    }

    /// Its log so far (warnings, at the default level).
    fn log_lines(&self) -> usize {
        self.node.stderr().lines().count()
    }

    /// The processor time it has used so far, in seconds (Linux; 0
    /// elsewhere), for the report.
    fn cpu_secs(&self) -> f64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.node.id()));
        let ticks: u64 = stat
            .ok()
            .and_then(|s| {
                let after = s.rfind(')')?;
                let f: Vec<&str> = s[after + 1..].split_whitespace().collect();
                Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
            })
            .unwrap_or(0);
        ticks as f64 / 100.0
    }
}

/// One run of the negotiation: how long it took (from the delegations'
/// start to the end of the observer's record) and the record's SHA-256.
async fn negotiate(set: &Setting, sec: &Secretariat, transport: Transport) -> (Duration, String) {
    let to = match transport {
        Transport::Grpc => Connector::Grpc(format!("https://{}", sec.grpc)),
        Transport::Quic => Connector::Quic(
            sec.quic,
            rappard_net::quic::client_endpoint().expect("a QUIC endpoint"),
        ),
    };
    let started = Instant::now();
    let observer = observe(to.clone(), set.creds("secretariat"));
    let mut delegations = Vec::new();
    for (id, d) in simulation::delegations(&set.sc) {
        let (to, creds) = (to.clone(), set.creds(id.as_str()));
        delegations.push(tokio::spawn(async move {
            rappard_net::member::run(&to, &creds, d).await
        }));
    }
    let record = tokio::time::timeout(timeout(120), observer)
        .await
        .expect("the negotiation ends in time");
    let took = started.elapsed();
    for d in delegations {
        d.await
            .expect("a delegation's task")
            .expect("the delegation runs to the end");
    }
    (took, record.sha256())
}

/// The whole record, read as the demo's observer reads it.
async fn observe(to: Connector, creds: pki::Credentials) -> Record {
    let mut client = to.connect(&creds).await.expect("the observer connects");
    let mut stream = client
        .subscribe(v1::SubscribeRequest {
            after_seq: 0,
            only_my_calls: false,
            session: 0,
        })
        .await
        .expect("the observer subscribes")
        .into_inner();
    let mut record = Record::new();
    while let Some(e) = stream.message().await.expect("the record stream") {
        let entry = convert::entry_from_wire(&e).expect("a record entry");
        record.append(entry.at, entry.event);
    }
    record
}

/// A flood under way, on its own single-threaded runtime (so that it takes
/// at most one core from the delegations and the Secretariat, as an
/// attacker elsewhere would take none); dropping the runtime stops it and
/// closes its sockets.
struct Flood {
    stop: watch::Sender<bool>,
    handle: tokio::runtime::Handle,
    thread: std::thread::JoinHandle<()>,
    tally: Arc<Tally>,
}

/// What a flood did.
#[derive(Debug, Default)]
struct Tally {
    /// Connections opened (TCP connected, QUIC or TLS handshake done), or
    /// requests accepted.
    opened: AtomicU64,
    /// Of the connections, those the Secretariat closed during the run.
    closed: AtomicU64,
    /// Attempts that failed at once (refused at connect or handshake).
    failed: AtomicU64,
    /// Requests refused `RESOURCE_EXHAUSTED`.
    exhausted: AtomicU64,
    /// Requests refused otherwise.
    other: AtomicU64,
}

impl Tally {
    fn get(n: &AtomicU64) -> u64 {
        n.load(Ordering::Relaxed)
    }

    fn add(n: &AtomicU64) {
        n.fetch_add(1, Ordering::Relaxed);
    }
}

/// What a flood's set-up is given (owned: it runs on the flood's runtime).
struct Target {
    grpc: SocketAddr,
    quic: SocketAddr,
    ca: String,
    flooder: pki::Credentials,
    tally: Arc<Tally>,
}

impl Flood {
    fn new() -> Self {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("the flood's runtime");
        let handle = rt.handle().clone();
        let (stop, mut stopped) = watch::channel(false);
        let thread = std::thread::spawn(move || {
            rt.block_on(async {
                let _ = stopped.wait_for(|s| *s).await;
            });
        });
        Self {
            stop,
            handle,
            thread,
            tally: Arc::default(),
        }
    }

    /// Sets the flood up on its runtime (`start` spawns what goes on) and
    /// waits until it is under way.
    async fn start<F, Fut>(&self, set: &Setting, sec: &Secretariat, start: F)
    where
        F: FnOnce(Target) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let target = Target {
            grpc: sec.grpc,
            quic: sec.quic,
            ca: std::fs::read_to_string(set.dir().join("ca.pem")).expect("ca.pem"),
            flooder: set.creds(FLOODER),
            tally: self.tally.clone(),
        };
        self.handle
            .spawn(start(target))
            .await
            .expect("the flood's set-up");
    }

    /// Stops the flood: its runtime is dropped with every task and socket.
    async fn stop(self) -> Arc<Tally> {
        let _ = self.stop.send(true);
        let thread = self.thread;
        tokio::task::spawn_blocking(move || thread.join())
            .await
            .expect("joining the flood")
            .expect("the flood's thread");
        self.tally
    }
}

/// A connection being held: resolves when the other side closes it.
type Held = Pin<Box<dyn Future<Output = ()> + Send>>;
/// Opens one connection of a flood.
type Opener =
    Arc<dyn Fn() -> Pin<Box<dyn Future<Output = std::io::Result<Held>> + Send>> + Send + Sync>;

/// Adds `slots` connections to the flood (on its runtime), each opened
/// again, at most once per `pace`, whenever the Secretariat closes or
/// refuses it; returns once every slot has tried once.
async fn hold(tally: &Arc<Tally>, slots: usize, pace: Duration, open: Opener) {
    let (tried_tx, mut tried) = tokio::sync::mpsc::channel::<()>(slots.max(1));
    for _ in 0..slots {
        let (open, tally, tried_tx) = (open.clone(), tally.clone(), tried_tx.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(pace);
            loop {
                tick.tick().await;
                let held = open().await;
                let _ = tried_tx.try_send(());
                match held {
                    Ok(held) => {
                        Tally::add(&tally.opened);
                        held.await;
                        Tally::add(&tally.closed);
                    }
                    Err(_) => Tally::add(&tally.failed),
                }
            }
        });
    }
    drop(tried_tx);
    for _ in 0..slots {
        if tried.recv().await.is_none() {
            break;
        }
    }
}

/// A TCP socket to `to` from the loopback address `from`.
async fn tcp(from: &str, to: SocketAddr) -> std::io::Result<tokio::net::TcpStream> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.bind(format!("{from}:0").parse().map_err(std::io::Error::other)?)?;
    socket.connect(to).await
}

/// Resolves when the other side closes `s`.
async fn until_closed(mut s: impl tokio::io::AsyncRead + Unpin) {
    let mut buf = [0u8; 512];
    while let Ok(1..) = s.read(&mut buf).await {}
}

/// Plain TCP connections that send nothing.
fn plain_tcp(from: &'static str, to: SocketAddr) -> Opener {
    Arc::new(move || {
        Box::pin(async move {
            let s = tcp(from, to).await?;
            Ok(Box::pin(until_closed(s)) as Held)
        })
    })
}

/// TLS connections that complete the handshake without a client
/// certificate, then send nothing.
fn tls_without_certificate(from: &'static str, to: SocketAddr, ca: &str) -> Opener {
    use rustls::pki_types::pem::PemObject as _;
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls::pki_types::CertificateDer::pem_slice_iter(ca.as_bytes()) {
        roots.add(c.expect("a certificate")).expect("a root");
    }
    let mut config = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec()];
    let tls = tokio_rustls::TlsConnector::from(Arc::new(config));
    Arc::new(move || {
        let tls = tls.clone();
        Box::pin(async move {
            let name = rustls::pki_types::ServerName::try_from("localhost")
                .map_err(std::io::Error::other)?;
            let s = tls.connect(name, tcp(from, to).await?).await?;
            Ok(Box::pin(until_closed(s)) as Held)
        })
    })
}

/// QUIC connections that complete the handshake without a client
/// certificate, then open nothing (the endpoint is made on the flood's
/// runtime: call this there).
fn quic_without_certificate(from: &str, to: SocketAddr, creds: &pki::Credentials) -> Opener {
    let endpoint = quinn::Endpoint::client(format!("{from}:0").parse().expect("an address"))
        .expect("a QUIC endpoint");
    let config = rappard_net::quic::client_config(creds, false).expect("a QUIC config");
    Arc::new(move || {
        let (endpoint, config) = (endpoint.clone(), config.clone());
        Box::pin(async move {
            let conn = endpoint
                .connect_with(config, to, "localhost")
                .map_err(std::io::Error::other)?
                .await?;
            Ok(Box::pin(async move {
                conn.closed().await;
            }) as Held)
        })
    })
}

/// Runs the negotiation undisturbed, then under the flood `start` sets up
/// (on a fresh Secretariat each time); checks the record and the bound on
/// the slowdown; returns the flood's tally and the flooded Secretariat's
/// log length.
fn under_flood<F, Fut>(name: &str, transport: Transport, start: F) -> (Arc<Tally>, usize)
where
    F: FnOnce(Target) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let began = Instant::now();
    let set = Setting::new();
    let expected = simulation::run(&set.sc).expect("the simulation").sha256();
    eprintln!(
        "{name}: set-up (PKI, simulation) {:.1} s",
        began.elapsed().as_secs_f64()
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let sec = Secretariat::start(&set.dir());
    let (calm, sha) = rt.block_on(negotiate(&set, &sec, transport));
    assert_eq!(sha, expected, "{name}: the undisturbed run");
    let calm_cpu = sec.cpu_secs();
    drop(sec);
    let sec = Secretariat::start(&set.dir());
    let flood = Flood::new();
    rt.block_on(flood.start(&set, &sec, start));
    let (flooded, sha) = rt.block_on(negotiate(&set, &sec, transport));
    let tally = rt.block_on(flood.stop());
    assert_eq!(
        sha, expected,
        "{name}: the run under the flood gives the simulation's record"
    );
    let ratio = flooded.as_secs_f64() / calm.as_secs_f64();
    eprintln!(
        "{name} over {transport:?}: undisturbed {:.3} s, flooded {:.3} s, ratio {ratio:.2}; the Secretariat's processor time {calm_cpu:.2} s, flooded {:.2} s; flood {tally:?}",
        calm.as_secs_f64(),
        flooded.as_secs_f64(),
        sec.cpu_secs(),
    );
    let bound = calm.mul_f64(SLOWER) + SLACK;
    assert!(
        flooded <= bound,
        "{name}: {flooded:?} under the flood, more than {bound:?} ({SLOWER} times {calm:?} and {SLACK:?})"
    );
    let log = sec.log_lines();
    eprintln!("{name}: the flooded Secretariat logged {log} lines");
    (tally, log)
}

/// One flood test at a time, in a process allowed enough open files.
fn exclusive() -> std::sync::MutexGuard<'static, ()> {
    static ONE: Mutex<()> = Mutex::new(());
    let guard = ONE.lock().unwrap_or_else(PoisonError::into_inner);
    let soft =
        rlimit::increase_nofile_limit(OPEN_FILES).expect("raising the soft open-files limit");
    assert!(
        soft >= 4096,
        "these tests need 4,096 open files, and the hard limit allows {soft} (ulimit -Hn)"
    );
    rappard_net::install_crypto();
    guard
}

/// The log of the flooded Secretariat stays short: its warnings are
/// throttled per kind (five at once, then one every two seconds).
const LOG_LINES: usize = 200;

/// (a) over TCP: 1,100 idle connections from 127.0.0.2, half plain TCP,
/// half TLS handshakes without a client certificate. The address gets 256
/// places; the others are closed at accept and opened again once a second.
#[test]
fn idle_connections_over_tcp() {
    let _one = exclusive();
    let (tally, log) = under_flood("idle connections", Transport::Grpc, async |t: Target| {
        let pace = Duration::from_secs(1);
        hold(&t.tally, 550, pace, plain_tcp("127.0.0.2", t.grpc)).await;
        let tls = tls_without_certificate("127.0.0.2", t.grpc, &t.ca);
        hold(&t.tally, 550, pace, tls).await;
    });
    let refused = Tally::get(&tally.closed) + Tally::get(&tally.failed);
    assert!(
        refused >= 1_100 - 256,
        "the connections over the address's 256 places are refused: {tally:?}"
    );
    assert!(log <= LOG_LINES, "{log} lines of log");
}

/// (a) over QUIC: 1,100 connections from 127.0.0.3 completing the QUIC
/// handshake without a client certificate, then idle. The address gets
/// 256 places; the others are refused, and tried again once a second.
#[test]
fn idle_connections_over_quic() {
    let _one = exclusive();
    let (tally, log) = under_flood(
        "idle QUIC connections",
        Transport::Quic,
        async |t: Target| {
            let open = quic_without_certificate("127.0.0.3", t.quic, &t.flooder);
            hold(&t.tally, 1_100, Duration::from_secs(1), open).await;
        },
    );
    assert!(
        Tally::get(&tally.failed) >= 1_100 - 256,
        "the connections over the address's 256 places are refused: {tally:?}"
    );
    assert!(log <= LOG_LINES, "{log} lines of log");
}

/// (b) 1,500 plain TCP connections from 127.0.0.4, each opened again as
/// soon as it is closed (at most ten times a second).
#[test]
fn reconnecting_tcp_connections() {
    let _one = exclusive();
    let (tally, log) = under_flood("reconnecting TCP", Transport::Grpc, async |t: Target| {
        let open = plain_tcp("127.0.0.4", t.grpc);
        hold(&t.tally, 1_500, Duration::from_millis(100), open).await;
    });
    assert!(
        Tally::get(&tally.opened) + Tally::get(&tally.failed) > 1_500,
        "the connections reconnected: {tally:?}"
    );
    assert!(log <= LOG_LINES, "{log} lines of log");
}

/// A client of the Secretariat.
type Client = v1::secretariat_client::SecretariatClient<tonic::transport::Channel>;

/// `n` clients of the [`FLOODER`]'s certificate, each its own connection
/// (at most the 8 the Secretariat keeps per certificate: a ninth would
/// close the oldest).
async fn flooder_clients(t: &Target, n: usize) -> Vec<Client> {
    let to = Connector::Grpc(format!("https://{}", t.grpc));
    let mut clients = Vec::new();
    for _ in 0..n {
        clients.push(to.connect(&t.flooder).await.expect("the flooder connects"));
    }
    clients
}

/// Counts a refusal.
fn refused(tally: &Tally, s: &tonic::Status) {
    if s.code() == tonic::Code::ResourceExhausted {
        Tally::add(&tally.exhausted);
    } else {
        Tally::add(&tally.other);
    }
}

/// Requests sent by `workers` tasks over `clients` until `total` were sent;
/// `send` sends one and keeps what the Secretariat accepted.
fn send_requests<F, Fut, K>(
    tally: &Arc<Tally>,
    clients: &[Client],
    workers: usize,
    total: u64,
    send: F,
) where
    F: Fn(Client) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Result<K, tonic::Status>> + Send,
    K: Send + 'static,
{
    let sent = Arc::new(AtomicU64::new(0));
    for w in 0..workers {
        let client = clients[w % clients.len()].clone();
        let (send, sent, tally) = (send.clone(), sent.clone(), tally.clone());
        tokio::spawn(async move {
            // What was accepted is held until the flood stops.
            let mut kept = Vec::new();
            while sent.fetch_add(1, Ordering::Relaxed) < total {
                match send(client.clone()).await {
                    Ok(k) => {
                        Tally::add(&tally.opened);
                        kept.push(k);
                    }
                    Err(s) => refused(&tally, &s),
                }
            }
            std::future::pending::<()>().await;
        });
    }
}

/// One `Subscribe` of the whole record, never read.
async fn subscribe(mut c: Client) -> Result<tonic::Streaming<v1::RecordEntry>, tonic::Status> {
    let request = v1::SubscribeRequest {
        after_seq: 0,
        only_my_calls: false,
        session: 0,
    };
    c.subscribe(request).await.map(tonic::Response::into_inner)
}

/// (c) The [`FLOODER`]'s certificate opens 5,000 `Subscribe` streams, 64
/// at a time over 8 connections, and reads none of them. In the first
/// burst of 100, before the negotiation starts, exactly four are accepted
/// (the limit per certificate) and the others refused
/// `RESOURCE_EXHAUSTED`; the other 4,900 go on during the run, all refused
/// `RESOURCE_EXHAUSTED` (but those sent after the record has ended, when
/// the four streams have ended with it).
#[test]
fn record_streams_from_one_certificate() {
    let _one = exclusive();
    let first = Arc::new(Tally::default());
    let burst = first.clone();
    let (tally, log) = under_flood("record streams", Transport::Grpc, async move |t: Target| {
        let clients = flooder_clients(&t, 8).await;
        let sent = (0..100).map(|i| tokio::spawn(subscribe(clients[i % 8].clone())));
        let mut kept = Vec::new();
        for s in sent.collect::<Vec<_>>() {
            match s.await.expect("a request's task") {
                Ok(stream) => {
                    Tally::add(&burst.opened);
                    kept.push(stream);
                }
                Err(s) => refused(&burst, &s),
            }
        }
        tokio::spawn(async move {
            let _kept = kept;
            std::future::pending::<()>().await;
        });
        send_requests(&t.tally, &clients, 64, 4_900, subscribe);
    });
    assert_eq!(
        (Tally::get(&first.opened), Tally::get(&first.exhausted)),
        (4, 96),
        "four record streams for the certificate: {first:?}"
    );
    assert_eq!(Tally::get(&tally.other), 0, "{tally:?}");
    assert!(Tally::get(&tally.exhausted) > 0, "{tally:?}");
    assert!(log <= LOG_LINES, "{log} lines of log");
}

/// (d) The [`FLOODER`]'s certificate sends answers as fast as 64 tasks
/// over 8 connections can, up to 50,000: the Secretariat takes 100 at
/// once and 50 a second (to refuse them: the flooder is not awaited), and
/// refuses the others `RESOURCE_EXHAUSTED` before taking the core's lock.
#[test]
fn answers_from_one_certificate() {
    let _one = exclusive();
    let started = Instant::now();
    let (tally, log) = under_flood("answers", Transport::Grpc, async |t: Target| {
        let clients = flooder_clients(&t, 8).await;
        send_requests(&t.tally, &clients, 64, 50_000, async |mut c: Client| {
            let position = v1::answer_request::Answer::Position(v1::Stated {
                stated: Some(v1::stated::Stated::Level(5_000)),
            });
            let request = v1::AnswerRequest {
                call: 1,
                member: String::new(),
                answer: Some(position),
                session: 0,
            };
            c.answer(request).await.map(|_| ())
        });
    });
    let secs = started.elapsed().as_secs_f64();
    let taken = Tally::get(&tally.other) + Tally::get(&tally.opened);
    assert!(
        Tally::get(&tally.exhausted) > 0,
        "answers over the rate are refused: {tally:?}"
    );
    assert!(
        taken as f64 <= 100.0 + 50.0 * secs + 10.0,
        "at most 100 answers at once and 50 a second reach the core ({secs:.1} s): {tally:?}"
    );
    assert!(log <= LOG_LINES, "{log} lines of log");
}
