//! Delegation nodes: one connection and certificate per delegation, each
//! deciding with the core `Delegation` from its own instructions.
//!
//! A delegation joins, follows its own calls (`Subscribe` with
//! `only_my_calls`) and answers each. If the connection drops it reconnects
//! and resumes after the last sequence number it saw, so it misses nothing;
//! a delegation that starts late (or restarts) reads its calls from the
//! beginning, and the ones already closed are refused with
//! `FAILED_PRECONDITION`, which it passes over. It stops when the
//! Secretariat ends the stream (the negotiation closed).
//!
//! Bilateral talks of an accession run directly between nodes: every
//! delegation serves its own `rappard.v1.Delegation` service (gRPC over TLS
//! on 127.0.0.1, with a key of its own: `crate::talks`) and gives its
//! address and that certificate's fingerprint when it joins.
//! When the Secretariat calls for an applicant's offer, the applicant's node
//! asks the Secretariat for its counterparts (`Counterparts`) and makes the
//! offer to each of their nodes (`Offer`), accepting only the certificate
//! the Secretariat gave for each; each decides with its own
//! strategy and remembers what it answered. When the Secretariat then asks
//! the Working Party members for their answers, each answers as it did in
//! the direct talk; an offer it never heard from the applicant itself makes
//! no deal. The Secretariat records the outcome both sides report. The
//! decisions and the memory of the talks are the core `Delegation`'s
//! (`hear_offer`, `answer_after_talks`): the node only moves bytes.
//!
//! A node behind NAT, which no applicant can reach, serves no Delegation
//! service and gives no address ([`TalksMode::Relay`], `rappard member
//! --talks relay`): it opens the Secretariat's `Offers` stream instead and
//! replies to each offer relayed to it (`ReplyOffer`); an applicant makes
//! its offer to a counterpart without an address through the Secretariat
//! (`RelayOffer`). The same core calls decide, so the record is the same
//! (`crate::relay`).
//!
//! When an applicant's accession completes, its node makes a key of its
//! own, sends a certificate signing request (`MemberCertificate`) and
//! carries on with the member certificate the authority signs for it.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rappard_core::delegation::Delegation;
use rappard_core::protocol::{Answer, Call, CallKind};
use rappard_core::record::Event;
use rappard_proto::convert;
use rappard_proto::v1;
use rappard_proto::v1::delegation_client::DelegationClient;
use rappard_proto::v1::delegation_server::{Delegation as DelegationService, DelegationServer};
use rappard_proto::v1::secretariat_client::SecretariatClient;
use tokio::sync::Mutex;
use tokio::task::JoinHandle;
use tonic::transport::{Channel, Endpoint};
use tonic::{Request, Response, Status};
use tracing::{Instrument as _, debug, error_span, info, info_span, warn};

use crate::Error;
use crate::metrics::Metrics;
use crate::pki::Credentials;

/// How long a delegation keeps trying to reach the Secretariat after its
/// last working session before it gives up.
pub const OUTAGE_LIMIT: Duration = Duration::from_secs(300);

/// The first wait before reconnecting; it doubles after each failure in a
/// row, up to [`MAX_WAIT`].
const FIRST_WAIT: Duration = Duration::from_millis(100);

/// The longest wait between two attempts.
const MAX_WAIT: Duration = Duration::from_secs(5);

/// A delegation's failed sessions in a row, and the wait before the next
/// attempt: exponential backoff with jitter. A session that joined and
/// subscribed resets it ([`Retries::joined`]): a delegation gives up only
/// after [`OUTAGE_LIMIT`] *without a working session*, so a long
/// negotiation survives any number of separate outages.
#[derive(Debug, Default)]
struct Retries {
    failures: u32,
    /// When the current run of failures began.
    since: Option<tokio::time::Instant>,
}

impl Retries {
    /// The session joined and subscribed: the connection works again.
    fn joined(&mut self) {
        self.failures = 0;
        self.since = None;
    }

    /// A session failed with a connection error at `now`: how long to wait
    /// before reconnecting, or `None` to give up (past [`OUTAGE_LIMIT`]).
    /// The wait is [`FIRST_WAIT`] doubled for each failure in a row, at
    /// most [`MAX_WAIT`], times a random factor between 0.5 and 1 (so that
    /// a hundred delegations cut off together do not all come back in the
    /// same instant).
    fn failed(&mut self, now: tokio::time::Instant, jitter: f64) -> Option<Duration> {
        let since = *self.since.get_or_insert(now);
        if now.duration_since(since) >= OUTAGE_LIMIT {
            return None;
        }
        let doubled = FIRST_WAIT.saturating_mul(1u32 << self.failures.min(16));
        self.failures += 1;
        Some(
            doubled
                .min(MAX_WAIT)
                .mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0)),
        )
    }
}

/// A random number in [0, 1) for the jitter.
fn jitter() -> f64 {
    let mut b = [0u8; 4];
    let _ = getrandom::fill(&mut b);
    f64::from(u32::from_le_bytes(b)) / (f64::from(u32::MAX) + 1.0)
}

/// How a node reaches the Secretariat.
#[derive(Clone, Debug)]
pub enum Connector {
    /// gRPC over TCP with TLS, at `https://HOST:PORT`.
    Grpc(String),
    /// gRPC inside QUIC, at an address, through a client endpoint shared by
    /// the delegations of the process; the server is verified under the
    /// name `localhost`.
    Quic(std::net::SocketAddr, quinn::Endpoint),
    /// gRPC inside QUIC to a host dialled by name or address (`HOST`, the
    /// address it resolved to, the endpoint): the server is verified under
    /// that name ([`crate::tls::SecretariatVerifier`]).
    QuicNamed(String, std::net::SocketAddr, quinn::Endpoint),
}

impl std::fmt::Display for Connector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Grpc(url) => write!(f, "{url}"),
            Self::Quic(addr, _) => write!(f, "quic://{addr}"),
            Self::QuicNamed(host, addr, _) => write!(f, "quic://{host}:{}", addr.port()),
        }
    }
}

impl Connector {
    /// The transport, as the metrics name it (`grpc`, `quic`).
    pub fn transport(&self) -> &'static str {
        match self {
            Self::Grpc(_) => "grpc",
            Self::Quic(..) | Self::QuicNamed(..) => "quic",
        }
    }

    /// A client with a node's credentials. The server must hold the
    /// Secretariat's certificate ([`crate::tls::SecretariatVerifier`]);
    /// another is refused with [`Error::NotTheSecretariat`], which a
    /// delegation does not retry.
    pub async fn connect(&self, creds: &Credentials) -> Result<SecretariatClient<Channel>, Error> {
        match self {
            Self::Grpc(url) => connect(url, creds).await,
            Self::Quic(addr, endpoint) => quic(creds, endpoint, *addr, "localhost").await,
            Self::QuicNamed(host, addr, endpoint) => quic(creds, endpoint, *addr, host).await,
        }
    }
}

/// A client over QUIC to the Secretariat at `addr`, verified under `name`.
async fn quic(
    creds: &Credentials,
    endpoint: &quinn::Endpoint,
    addr: std::net::SocketAddr,
    name: &str,
) -> Result<SecretariatClient<Channel>, Error> {
    let verifier = crate::tls::SecretariatVerifier::new(&creds.ca)?;
    let config = crate::quic::client_config_checked(creds, true, verifier.clone())?;
    let ch = crate::quic::channel_named(endpoint, addr, name, config)
        .await
        .map_err(|e| checked(e, &verifier, &addr.to_string()))?;
    Ok(SecretariatClient::new(ch).max_decoding_message_size(16 * 1024 * 1024))
}

/// A connection error, or [`Error::NotTheSecretariat`] if the handshake was
/// refused because of the server's role.
fn checked(e: Error, verifier: &crate::tls::SecretariatVerifier, to: &str) -> Error {
    match verifier.refusal() {
        Some(detail) => Error::NotTheSecretariat {
            to: to.to_owned(),
            detail,
        },
        None => e,
    }
}

use crate::CONNECT_TIMEOUT;

/// Connects a gRPC client with a node's credentials to the Secretariat at
/// `https://HOST:PORT`, over TCP with TLS made here (not by tonic) so that
/// the server's role is checked in the handshake ([`Connector::connect`]).
pub async fn connect(url: &str, creds: &Credentials) -> Result<SecretariatClient<Channel>, Error> {
    let refused = |detail: String| Error::Connect {
        to: url.to_owned(),
        detail,
    };
    let uri: tonic::transport::Uri = url.parse().map_err(|e| refused(format!("{e}")))?;
    let authority = uri
        .authority()
        .filter(|a| a.port().is_some())
        .ok_or_else(|| refused("expected https://HOST:PORT".into()))?
        .as_str()
        .to_owned();
    let verifier = crate::tls::SecretariatVerifier::new(&creds.ca)?;
    let mut tls = crate::tls::secretariat_client_config(creds, verifier.clone(), true)?;
    tls.alpn_protocols = vec![b"h2".to_vec()];
    let tls = tokio_rustls::TlsConnector::from(Arc::new(tls));
    // The server is verified under the host dialled (SecretariatVerifier
    // says how an older certificate, naming only localhost, is taken).
    let host = uri.host().unwrap_or("localhost").trim_matches(['[', ']']);
    let name = rustls::pki_types::ServerName::try_from(host.to_owned())
        .map_err(|e| refused(format!("the host `{host}`: {e}")))?;
    let to = authority.clone();
    let connector = tower::service_fn(move |_: tonic::transport::Uri| {
        let (tls, to, name) = (tls.clone(), to.clone(), name.clone());
        async move {
            let handshake = async {
                let tcp = tokio::net::TcpStream::connect(&to).await?;
                let _ = tcp.set_nodelay(true);
                tls.connect(name, tcp).await
            };
            let stream = tokio::time::timeout(CONNECT_TIMEOUT, handshake)
                .await
                .map_err(|_| std::io::Error::from(std::io::ErrorKind::TimedOut))??;
            Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(stream))
        }
    });
    let channel = Endpoint::from_shared(format!("http://{authority}"))
        .map_err(|e| refused(crate::causes(&e)))?
        .connect_timeout(CONNECT_TIMEOUT)
        .http2_keep_alive_interval(Duration::from_secs(20))
        .keep_alive_while_idle(true)
        .connect_with_connector(connector)
        .await
        .map_err(|e| checked(refused(crate::causes(&e)), &verifier, url))?;
    Ok(SecretariatClient::new(channel).max_decoding_message_size(16 * 1024 * 1024))
}

/// How a delegation's node holds the direct talks of an accession as a
/// Working Party member (module doc).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TalksMode {
    /// It serves its own Delegation service on 127.0.0.1 and gives the
    /// Secretariat its address: applicants on the same host reach it.
    #[default]
    Direct,
    /// It serves none and gives no address (a node behind NAT): offers
    /// come through the Secretariat, over the node's own connection.
    Relay,
}

/// A delegation's state, shared by its session with the Secretariat and its
/// own Delegation service for direct talks.
struct Node {
    /// The core delegation: it decides, and remembers the talks.
    delegation: Mutex<Delegation>,
    /// Direct talks held, as applicant or as Working Party member.
    talks: AtomicU64,
    /// A person who answers the calls instead of the strategies
    /// (`crate::person`).
    person: Option<Mutex<Box<dyn crate::person::AnswerSource>>>,
    /// The process's metrics ([`crate::metrics`]).
    metrics: Arc<Metrics>,
}

/// What a delegation did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Activity {
    /// Calls it answered.
    pub answered: u64,
    /// Direct talks it held with other delegations' nodes.
    pub talks: u64,
    /// The member certificate it was signed on accession, if it acceded.
    pub member_certificate: Option<MemberCertificate>,
}

/// A member certificate signed on accession, for the key the node made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberCertificate {
    /// The certificate (PEM).
    pub certificate: String,
    /// The public key of the key the node made (SubjectPublicKeyInfo,
    /// DER); the private key never left the node.
    pub public_key: Vec<u8>,
}

/// Where a delegation is in the record, across its sessions.
#[derive(Default)]
struct Progress {
    /// The last sequence number seen.
    last_seq: u64,
    /// Calls answered.
    answered: u64,
    /// The member certificate signed on accession.
    member_certificate: Option<MemberCertificate>,
    /// The run it is in, from its first `Join`.
    run_id: Option<String>,
    /// The latest call it took: its entry's sequence number, the call, and
    /// the answer it gave (none: the call asked nothing of it). After a
    /// reconnection the call is read again and, if it is still open, the
    /// same answer is sent again: the Secretariat takes it once.
    last_call: Option<(u64, u64, Option<Answer>)>,
}

impl Progress {
    /// Where to resume the feed: just before the latest call taken (so
    /// that an open call is answered again after a restart of the
    /// Secretariat), or after the last entry seen.
    fn resume_after(&self) -> u64 {
        match self.last_call {
            Some((seq, _, _)) => self.last_seq.min(seq.saturating_sub(1)),
            None => self.last_seq,
        }
    }

    /// Checks that the Secretariat still runs the run this delegation is
    /// in (the first `Join` decides).
    fn same_run(&mut self, run_id: &str) -> Result<(), Error> {
        match &self.run_id {
            Some(was) if was != run_id => Err(Error::RunChanged {
                was: was.clone(),
                now: run_id.to_owned(),
            }),
            Some(_) => Ok(()),
            None => {
                self.run_id = Some(run_id.to_owned());
                Ok(())
            }
        }
    }
}

/// Runs one delegation to the end of the negotiation. An applicant whose
/// accession completes takes its member certificate and carries on with it.
/// The delegation serves its own Delegation service on 127.0.0.1 for direct
/// talks while it runs; if that server fails, the delegation stops with its
/// error. Everything it logs is in a `delegation` span with its id
/// (`member`), and what it does for a call in a `call` span within it.
pub async fn run(
    to: &Connector,
    creds: &Credentials,
    delegation: Delegation,
) -> Result<Activity, Error> {
    run_with(to, creds, delegation, None, Arc::new(Metrics::new())).await
}

/// [`run`], recording in `metrics` (shared by the delegations of a
/// process, and served by `rappard member --metrics`).
pub async fn run_observed(
    to: &Connector,
    creds: &Credentials,
    delegation: Delegation,
    metrics: Arc<Metrics>,
) -> Result<Activity, Error> {
    run_with(to, creds, delegation, None, metrics).await
}

/// [`run_observed`], with the answers to calls taken from `person` when
/// there is one (`crate::person`): a delegation played by a person.
pub async fn run_with(
    to: &Connector,
    creds: &Credentials,
    delegation: Delegation,
    person: Option<Box<dyn crate::person::AnswerSource>>,
    metrics: Arc<Metrics>,
) -> Result<Activity, Error> {
    run_talking(to, creds, delegation, person, metrics, TalksMode::Direct).await
}

/// [`run_with`], holding the direct talks as `talks` says
/// ([`TalksMode`]).
pub async fn run_talking(
    to: &Connector,
    creds: &Credentials,
    delegation: Delegation,
    person: Option<Box<dyn crate::person::AnswerSource>>,
    metrics: Arc<Metrics>,
    talks: TalksMode,
) -> Result<Activity, Error> {
    let span = error_span!("delegation", member = %delegation.id());
    let node = Arc::new(Node {
        delegation: Mutex::new(delegation),
        talks: AtomicU64::new(0),
        person: person.map(Mutex::new),
        metrics,
    });
    async move {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (talks_address, talks_pin, mut server) = match talks {
            TalksMode::Direct => {
                let identity = crate::talks::TalksIdentity::generate(creds)?;
                let (address, server) = serve_talks(node.clone(), &identity, &creds.ca, async {
                    let _ = stopped.await;
                })
                .await?;
                (address, identity.fingerprint().to_vec(), Some(server))
            }
            TalksMode::Relay => (String::new(), Vec::new(), None),
        };
        let mut progress = Progress::default();
        let served = async {
            match server.as_mut() {
                Some(server) => server.await,
                None => std::future::pending().await,
            }
        };
        let result = tokio::select! {
            r = sessions(to, creds, &node, (&talks_address, &talks_pin), &mut progress) => r,
            r = served => Err(server_stopped(r)),
        };
        let _ = stop.send(());
        result.map(|()| Activity {
            answered: progress.answered,
            talks: node.talks.load(Ordering::Relaxed),
            member_certificate: progress.member_certificate,
        })
    }
    .instrument(span)
    .await
}

/// The error of the Delegation service's task, which ended before the
/// delegation did.
fn server_stopped(r: Result<Result<(), Error>, tokio::task::JoinError>) -> Error {
    let task = "Delegation service for direct talks";
    let detail = match r {
        Ok(Ok(())) => "it stopped".to_owned(),
        Ok(Err(e)) => e.to_string(),
        Err(e) => crate::secretariat::join_error(e),
    };
    Error::Task { task, detail }
}

/// Sessions with the Secretariat until the negotiation closes: reconnects
/// after a connection failure (for up to [`OUTAGE_LIMIT`] without a
/// working session, [`Retries`]), and with the member
/// certificate after an accession.
async fn sessions(
    to: &Connector,
    creds: &Credentials,
    node: &Arc<Node>,
    talks: (&str, &[u8]),
    progress: &mut Progress,
) -> Result<(), Error> {
    let mut creds = creds.clone();
    let mut retries = Retries::default();
    loop {
        let span = error_span!("connection", to = %to);
        let ended = session(to, &creds, node, talks, progress, &mut retries)
            .instrument(span)
            .await;
        match ended {
            Ok(Ended::Closed) => {
                info!(
                    answered = progress.answered,
                    "the negotiation closed: leaving"
                );
                return Ok(());
            }
            Ok(Ended::Renewed(c)) => {
                info!("accession completed: reconnecting with the member certificate");
                creds = c;
            }
            Err(e) if e.is_connection() => {
                let Some(wait) = retries.failed(tokio::time::Instant::now(), jitter()) else {
                    warn!(error = %e, "no working session for {} s: giving up", OUTAGE_LIMIT.as_secs());
                    return Err(e);
                };
                warn!(
                    error = %e,
                    failures = retries.failures,
                    "connection to the Secretariat failed; reconnecting in {} ms",
                    wait.as_millis()
                );
                tokio::time::sleep(wait).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// How a session ended without error.
enum Ended {
    /// The negotiation closed.
    Closed,
    /// The accession completed: reconnect with the member certificate.
    Renewed(Credentials),
}

/// One connection to the Secretariat: join, follow the calls that await
/// this delegation, answer each.
async fn session(
    to: &Connector,
    creds: &Credentials,
    node: &Arc<Node>,
    (talks_address, talks_pin): (&str, &[u8]),
    progress: &mut Progress,
    retries: &mut Retries,
) -> Result<Ended, Error> {
    let mut client = to.connect(creds).await?;
    let me = client
        .join(v1::JoinRequest {
            talks_address: talks_address.to_owned(),
            talks_certificate_sha256: talks_pin.to_vec(),
        })
        .await?
        .into_inner();
    info!(
        member = %me.member,
        role = match me.role() {
            v1::Role::Member => "member",
            v1::Role::Applicant => "applicant",
            v1::Role::Secretariat => "secretariat",
            v1::Role::Unspecified => "unspecified",
        },
        scenario = %me.scenario,
        run = %me.run_id,
        after_seq = progress.resume_after(),
        "joined"
    );
    progress.same_run(&me.run_id)?;
    let mut relayed = if talks_address.is_empty() {
        take_relayed(&mut client, node, me.session).await?
    } else {
        None
    };
    let mut stream = client
        .subscribe(v1::SubscribeRequest {
            after_seq: progress.resume_after(),
            only_my_calls: true,
            session: me.session,
        })
        .await?
        .into_inner();
    retries.joined();
    let role = match me.role() {
        v1::Role::Member => "member",
        v1::Role::Applicant => "applicant",
        v1::Role::Secretariat => "secretariat",
        v1::Role::Unspecified => "unspecified",
    };
    let _connected = node.metrics.connected(to.transport(), role);
    loop {
        let entry = tokio::select! {
            m = stream.message() => m?,
            r = relay_ended(&mut relayed), if relayed.is_some() => {
                r?;
                relayed = None;
                continue;
            }
        };
        let Some(entry) = entry else { break };
        if entry.probe != 0 {
            // A probe of the network path: reply at once; not a record
            // entry, so the place in the record stays.
            let probe = v1::ProbeRequest {
                probe: entry.probe,
                session: me.session,
            };
            client.probe(probe).await?;
            continue;
        }
        node.metrics.record_entries(entry.seq);
        if let Some(call) = &entry.call {
            let call = convert::call_from_wire(call)?;
            let span =
                info_span!("call", call = call.call, kind = ?call.kind, item = %call.subject);
            let session = me.session;
            let at = rappard_core::time::Timestamp::parse(&entry.at).ok();
            take_call(
                &mut client,
                creds,
                node,
                (&call, entry.seq, session, at),
                progress,
            )
            .instrument(span)
            .await?;
        } else if accession_completed(&entry, &me)? {
            let renewed = member_credentials(&mut client, creds, &me.member, progress).await?;
            progress.last_seq = entry.seq;
            return Ok(Ended::Renewed(renewed));
        }
        progress.last_seq = entry.seq;
    }
    Ok(Ended::Closed)
}

/// As an acceded applicant: makes a key of the node's own, asks the
/// Secretariat to sign its request, and returns the member credentials
/// (the key never leaves the node).
async fn member_credentials(
    client: &mut SecretariatClient<Channel>,
    creds: &Credentials,
    me: &str,
    progress: &mut Progress,
) -> Result<Credentials, Error> {
    let id = rappard_core::member::MemberId::new(me)
        .map_err(|e| Error::Internal(format!("the id {me} the Secretariat gave: {e}")))?;
    let own = crate::pki::member_request(&id)?;
    let reply = client
        .member_certificate(v1::MemberCertificateRequest {
            csr: own.csr.clone(),
        })
        .await?
        .into_inner();
    progress.member_certificate = Some(MemberCertificate {
        certificate: reply.certificate.clone(),
        public_key: own.public_key,
    });
    Ok(Credentials {
        ca: creds.ca.clone(),
        cert: reply.certificate,
        key: own.key,
    })
}

/// Whether an entry that is not a call says this applicant has acceded.
fn accession_completed(entry: &v1::RecordEntry, me: &v1::JoinReply) -> Result<bool, Error> {
    let e = convert::entry_from_wire(entry)?;
    Ok(matches!(
        &e.event,
        Event::AccessionCompleted { applicant, .. }
            if applicant.as_str() == me.member && me.role == v1::Role::Applicant as i32
    ))
}

/// Answers one call (its entry's sequence number and this node's session
/// with it), after making the offers directly for an applicant's
/// bilateral offer. A call taken already (read again after a
/// reconnection) is answered as before, without deciding or talking again.
async fn take_call(
    client: &mut SecretariatClient<Channel>,
    creds: &Credentials,
    node: &Arc<Node>,
    (call, seq, session, at): (&Call, u64, u64, Option<rappard_core::time::Timestamp>),
    progress: &mut Progress,
) -> Result<(), Error> {
    let read = tokio::time::Instant::now();
    let _open = node.metrics.call_open();
    let answer = match progress.last_call {
        Some((_, id, answer)) if id == call.call => answer,
        _ => {
            let answer = decide(node, call, at).await;
            if let (CallKind::BilateralOffer, Some(Answer::Offer(offer))) = (call.kind, answer) {
                offer_directly(client, creds, node, call, offer).await;
            }
            progress.last_call = Some((seq, call.call, answer));
            answer
        }
    };
    let Some(a) = answer else {
        return Ok(());
    };
    let request = v1::AnswerRequest {
        call: call.call,
        member: String::new(),
        answer: Some(convert::answer_to_wire(a)),
        session,
    };
    let sent = send_answer(client, node, request).await;
    match sent {
        Ok(reply) if reply.get_ref().repeat => debug!(answer = ?a, "answered again: a repeat"),
        Ok(_) => {
            progress.answered += 1;
            node.metrics.answer(&a);
            node.metrics.call_closed(read.elapsed());
            debug!(answer = ?a, "answered");
            tell_person(node, call, None).await;
        }
        // Catching up after a late start or a reconnection: the call has
        // closed, or this delegation answered it before the connection
        // dropped. Nothing to do.
        Err(Error::FailedPrecondition(why)) => {
            debug!(answer = ?a, "not taken: {why}");
            tell_person(node, call, Some(&why)).await;
        }
        Err(e) => return Err(e),
    }
    Ok(())
}

/// The first wait before sending an answer again that the Secretariat
/// refused as too fast; it doubles up to [`ANSWER_MAX_WAIT`].
const ANSWER_FIRST_WAIT: Duration = Duration::from_millis(20);

/// The longest wait between two tries of the same answer.
const ANSWER_MAX_WAIT: Duration = Duration::from_secs(1);

/// Sends an answer; when the Secretariat refuses it as faster than its
/// answer rate (`RESOURCE_EXHAUSTED`, "send it again later"), waits and
/// sends it again, with the wait doubling up to [`ANSWER_MAX_WAIT`]. The
/// call stays open meanwhile: the Secretariat closes it at its answer
/// timeout, and a try after that is refused with `FAILED_PRECONDITION`,
/// which ends the loop like any refusal other than the rate's.
async fn send_answer(
    client: &mut SecretariatClient<Channel>,
    node: &Node,
    request: v1::AnswerRequest,
) -> Result<Response<v1::AnswerReply>, Error> {
    let mut wait = ANSWER_FIRST_WAIT;
    loop {
        let refused = match client.answer(request.clone()).await {
            Ok(reply) => return Ok(reply),
            Err(status) => status,
        };
        node.metrics.refusal(refused.code());
        if refused.code() != tonic::Code::ResourceExhausted {
            return Err(Error::from(refused));
        }
        debug!(
            "answer refused as too fast; sending it again in {} ms: {}",
            wait.as_millis(),
            refused.message()
        );
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(ANSWER_MAX_WAIT);
    }
}

/// The answer to a call: the person's, if a person plays this delegation
/// and the call awaits it (but for a `BilateralResponse`, answered as in
/// the direct talk), else the core delegation's.
async fn decide(
    node: &Arc<Node>,
    call: &Call,
    at: Option<rappard_core::time::Timestamp>,
) -> Option<Answer> {
    if let Some(person) = &node.person
        && call.kind != CallKind::BilateralResponse
    {
        let me = node.delegation.lock().await.id().clone();
        if call.awaited.binary_search(&me).is_err() {
            return None;
        }
        return person.lock().await.answer(call, at).await;
    }
    node.delegation.lock().await.answer_after_talks(call)
}

/// Tells the person, if any, what became of its answer.
async fn tell_person(node: &Arc<Node>, call: &Call, refused: Option<&str>) {
    if let Some(person) = &node.person {
        person.lock().await.outcome(call, refused);
    }
}

/// How long an applicant waits for one Working Party member's node in the
/// direct talks (connecting, and its reply): a silent counterpart makes no
/// deal.
pub const TALKS_DEADLINE: Duration = Duration::from_secs(10);

/// As an applicant: makes this round's offer to each Working Party member
/// without a deal, directly to its node. A counterpart that cannot be
/// reached, refuses, or does not reply within [`TALKS_DEADLINE`] makes no
/// deal (logged): it answers the Secretariat's call on its side as having
/// heard no offer.
async fn offer_directly(
    client: &mut SecretariatClient<Channel>,
    creds: &Credentials,
    node: &Arc<Node>,
    call: &Call,
    offer: u16,
) {
    let counterparts = match client.counterparts(v1::CounterpartsRequest {}).await {
        Ok(reply) => reply.into_inner().counterparts,
        Err(e) => {
            warn!(error = %Error::from(e), "no counterparts for the direct talks: no offer made");
            return;
        }
    };
    for c in counterparts {
        let request = v1::OfferRequest {
            call: call.call,
            round: call.round,
            offer: u32::from(offer),
        };
        // No address: the node is behind NAT (or has not joined); the
        // Secretariat relays the offer, or says why it cannot.
        let relay = c.talks_address.is_empty();
        let talk = async {
            if relay {
                relay_to(client, &c.member, request).await
            } else {
                offer_to(creds, &c, request).await
            }
        };
        match tokio::time::timeout(TALKS_DEADLINE, talk).await {
            Ok(Ok(accept)) => {
                let how = if relay {
                    "through the Secretariat"
                } else {
                    "directly"
                };
                debug!(member = %c.member, offer, accept, "offer made {how}");
                node.talks.fetch_add(1, Ordering::Relaxed);
            }
            Ok(Err(e)) => warn!(member = %c.member, error = %e, "direct talks failed: no deal"),
            Err(_) => warn!(
                member = %c.member,
                "no reply in the direct talks within {} s: no deal",
                TALKS_DEADLINE.as_secs()
            ),
        }
    }
}

/// One offer to one counterpart's node: whether it accepts.
async fn offer_to(
    creds: &Credentials,
    c: &v1::Counterpart,
    request: v1::OfferRequest,
) -> Result<bool, Error> {
    let channel = crate::talks::connect(
        &c.talks_address,
        &c.member,
        &c.talks_certificate_sha256,
        creds,
    )
    .await?;
    let reply = DelegationClient::new(channel).offer(request).await?;
    Ok(reply.into_inner().accept)
}

/// One offer through the Secretariat to `member`'s node, which gave no
/// talks address: whether it accepts.
async fn relay_to(
    client: &mut SecretariatClient<Channel>,
    member: &str,
    offer: v1::OfferRequest,
) -> Result<bool, Error> {
    let reply = client
        .relay_offer(v1::RelayOfferRequest {
            member: member.to_owned(),
            offer: Some(offer),
        })
        .await?;
    Ok(reply.into_inner().accept)
}

/// The task that takes a relayed node's offers; aborted when the session
/// that opened it ends.
struct Relayed(JoinHandle<Result<(), Error>>);

impl Drop for Relayed {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// For a node that gave no talks address: opens its `Offers` stream and
/// takes the offers relayed to it in a task of its own (none from a
/// Secretariat without the relay: then no applicant reaches this node).
async fn take_relayed(
    client: &mut SecretariatClient<Channel>,
    node: &Arc<Node>,
    session: u64,
) -> Result<Option<Relayed>, Error> {
    let offers = match client.offers(v1::OffersRequest { session }).await {
        Ok(offers) => offers.into_inner(),
        Err(s) if s.code() == tonic::Code::Unimplemented => {
            warn!("this Secretariat relays no offers: no applicant can reach this node");
            return Ok(None);
        }
        Err(s) => return Err(s.into()),
    };
    let task = relayed_offers(client.clone(), node.clone(), offers, session);
    Ok(Some(Relayed(tokio::spawn(task.in_current_span()))))
}

/// When the task of [`take_relayed`] ends: `Ok` if its stream ended (the
/// negotiation closed), else why it failed.
async fn relay_ended(relayed: &mut Option<Relayed>) -> Result<(), Error> {
    match relayed {
        Some(Relayed(task)) => match task.await {
            Ok(r) => r,
            Err(e) => Err(Error::Task {
                task: "relayed offers",
                detail: crate::secretariat::join_error(e),
            }),
        },
        None => std::future::pending().await,
    }
}

/// Hears each offer the Secretariat relays, as the Delegation service
/// would, and replies.
async fn relayed_offers(
    mut client: SecretariatClient<Channel>,
    node: Arc<Node>,
    mut offers: tonic::Streaming<v1::RelayedOffer>,
    session: u64,
) -> Result<(), Error> {
    while let Some(relayed) = offers.message().await? {
        let call = relayed.offer.as_ref().map_or(0, |o| o.call);
        let span = error_span!("call", call);
        let accept = match hear_relayed(&node, &relayed).instrument(span.clone()).await {
            Ok(accept) => accept,
            Err(e) => {
                span.in_scope(|| warn!(error = %e, "a relayed offer was refused"));
                continue;
            }
        };
        let reply = v1::ReplyOfferRequest {
            relay: relayed.relay,
            accept,
            session,
        };
        client.reply_offer(reply).await?;
    }
    Ok(())
}

/// A relayed offer, decided and remembered by the core delegation as one
/// made directly (the Secretariat read the applicant from its
/// certificate).
async fn hear_relayed(node: &Node, relayed: &v1::RelayedOffer) -> Result<bool, Error> {
    let offer = relayed
        .offer
        .as_ref()
        .ok_or_else(|| Error::InvalidArgument("field `RelayedOffer.offer`: missing".into()))?;
    let applicant = rappard_core::member::MemberId::new(&relayed.applicant)
        .map_err(|why| Error::InvalidArgument(format!("field `RelayedOffer.applicant`: {why}")))?;
    let level = offer_level(offer.offer, "RelayedOffer.offer.offer")?;
    let accept = node
        .delegation
        .lock()
        .await
        .hear_offer(&applicant, offer.round, level);
    node.talks.fetch_add(1, Ordering::Relaxed);
    debug!(%applicant, round = offer.round, offer = level, accept, "offer heard through the Secretariat");
    Ok(accept)
}

/// An offer's level, 0 to 10,000; otherwise `INVALID_ARGUMENT` naming
/// `field`.
fn offer_level(offer: u32, field: &str) -> Result<u16, Error> {
    u16::try_from(offer)
        .ok()
        .filter(|o| *o <= rappard_core::protocol::MAX_LEVEL)
        .ok_or_else(|| {
            Error::InvalidArgument(format!("field `{field}`: {offer} is beyond 0..=10000"))
        })
}

/// The Delegation service of one node.
struct Talks {
    node: Arc<Node>,
    /// The delegation's id, for its logs.
    me: String,
}

impl Talks {
    /// An applicant's offer: who makes it (from its certificate), checked,
    /// then decided and remembered by the core delegation.
    async fn hear(&self, req: Request<v1::OfferRequest>) -> Result<v1::OfferReply, Error> {
        let certs = req.peer_certs().ok_or_else(|| {
            Error::Unauthenticated(
                "no client certificate: an applicant talks with its own certificate".into(),
            )
        })?;
        let (applicant, role) = certs
            .first()
            .and_then(|c| crate::pki::identity(c.as_ref()))
            .ok_or_else(|| {
                Error::Unauthenticated(
                    "the client certificate carries no rappard://ROLE/ID name".into(),
                )
            })?;
        if role != crate::pki::Role::Applicant {
            return Err(Error::PermissionDenied(format!(
                "{applicant} is not an applicant: only an applicant makes offers"
            )));
        }
        let body = req.into_inner();
        let offer = offer_level(body.offer, "OfferRequest.offer")?;
        let accept = self
            .node
            .delegation
            .lock()
            .await
            .hear_offer(&applicant, body.round, offer);
        self.node.talks.fetch_add(1, Ordering::Relaxed);
        debug!(%applicant, round = body.round, offer, accept, "offer heard");
        Ok(v1::OfferReply { accept })
    }
}

#[tonic::async_trait]
impl DelegationService for Talks {
    async fn offer(
        &self,
        req: Request<v1::OfferRequest>,
    ) -> Result<Response<v1::OfferReply>, Status> {
        let span = error_span!("delegation", member = %self.me, call = req.get_ref().call);
        let heard = self.hear(req).instrument(span.clone()).await;
        heard.map(Response::new).map_err(|e| {
            span.in_scope(|| warn!(error = %e, "an offer was refused"));
            e.into_status()
        })
    }
}

/// Serves a node's Delegation service on 127.0.0.1 (any port), with its
/// talks identity (client certificates from the authority whose
/// certificate is `ca`), until `shutdown`; returns its address and the
/// server's task.
async fn serve_talks(
    node: Arc<Node>,
    identity: &crate::talks::TalksIdentity,
    ca: &str,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(String, JoinHandle<Result<(), Error>>), Error> {
    let addr = "127.0.0.1:0";
    let listen = |source| Error::Listen {
        what: "for direct talks",
        addr: addr.to_owned(),
        source,
    };
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(listen)?;
    let addr = listener.local_addr().map_err(listen)?.to_string();
    let me = node.delegation.lock().await.id().to_string();
    let server = tonic::transport::Server::builder()
        .tls_config(identity.server_tls(ca))
        .map_err(|e| Error::TlsConfig {
            what: "the Delegation service's TLS configuration".into(),
            detail: crate::causes(&e),
        })?
        .add_service(DelegationServer::new(Talks { node, me }))
        .serve_with_incoming_shutdown(
            tokio_stream::wrappers::TcpListenerStream::new(listener),
            shutdown,
        );
    debug!(%addr, "serving direct talks");
    let task = tokio::spawn(
        async move {
            server
                .await
                .map_err(|e| Error::Transport(crate::causes(&e)))
        }
        .in_current_span(),
    );
    Ok((addr, task))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Waits double from 100 ms up to 5 s, each cut by the jitter to
    /// between half and all of it; a delegation gives up once it has had
    /// no working session for `OUTAGE_LIMIT`.
    #[test]
    fn retries_back_off_exponentially_and_give_up_after_the_outage_limit() {
        let t0 = tokio::time::Instant::now();
        let mut r = Retries::default();
        let full: Vec<_> = (0..8).map(|_| r.failed(t0, 1.0).expect("retry")).collect();
        let ms: Vec<u128> = full.iter().map(Duration::as_millis).collect();
        assert_eq!(ms, [100, 200, 400, 800, 1600, 3200, 5000, 5000]);
        let mut r = Retries::default();
        assert_eq!(r.failed(t0, 0.0), Some(Duration::from_millis(50)));
        assert_eq!(r.failed(t0, 0.5), Some(Duration::from_millis(150)));
        assert!(
            r.failed(t0 + OUTAGE_LIMIT - Duration::from_millis(1), 1.0)
                .is_some()
        );
        assert_eq!(r.failed(t0 + OUTAGE_LIMIT, 1.0), None);
        let j = jitter();
        assert!((0.0..1.0).contains(&j), "{j}");
    }

    /// A session that joined resets the count and the clock: outages
    /// separated by a working session each get the full allowance,
    /// however many there are over the run.
    #[test]
    fn a_joined_session_resets_the_failures() {
        let t0 = tokio::time::Instant::now();
        let mut r = Retries::default();
        for i in 0..5u32 {
            let start = t0 + OUTAGE_LIMIT * i;
            for _ in 0..10 {
                assert!(r.failed(start, 1.0).is_some());
            }
            r.joined();
        }
        assert_eq!(
            r.failed(t0 + OUTAGE_LIMIT * 9, 1.0),
            Some(Duration::from_millis(100))
        );
    }

    /// The feed resumes just before the latest call taken, so that a call
    /// still open after a restart of the Secretariat is answered again;
    /// a delegation that finds another run stops.
    #[test]
    fn progress_resumes_before_the_latest_call_and_keeps_its_run() {
        let mut p = Progress::default();
        assert_eq!(p.resume_after(), 0);
        p.last_seq = 40;
        p.last_call = Some((37, 5, None));
        assert_eq!(p.resume_after(), 36);
        p.same_run("a").expect("the first run");
        p.same_run("a").expect("the same run");
        let e = p.same_run("b").expect_err("another run");
        assert!(matches!(e, Error::RunChanged { .. }), "{e}");
        assert!(e.is_definite() && !e.is_connection());
    }
}
