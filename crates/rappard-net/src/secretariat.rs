//! The Secretariat node: the core `Secretariat` behind the
//! `rappard.v1.Secretariat` gRPC service.
//!
//! Lockstep: the node waits until every expected delegation has joined (or
//! a join timeout passes), then runs the core: it takes the open call,
//! publishes it in the record, and closes it when every awaited delegation
//! has answered or the answer timeout passes (the ones that did not answer
//! are recorded as such). Answers are buffered by the core and applied in
//! member-id order, so the record does not depend on arrival order: with
//! every node up, it is the record of `rappard simulate`, byte for byte.
//!
//! Identity comes from the client certificate only ([`crate::pki`]); roles
//! are enforced here: a holder of an applicant's certificate may only make
//! its bilateral offers; when its accession completes it asks for its member
//! certificate (`MemberCertificate`, issued with the authority's key) and
//! reconnects with it. The Secretariat's own certificate may read but not
//! answer, and a request that names another member is refused.
//!
//! Errors, as gRPC statuses (the table is in `docs/protocol.md`):
//! `UNAUTHENTICATED` without a certificate or without a rappard name in it;
//! `PERMISSION_DENIED` for a delegation not asked, acting for another, or
//! acting beyond its role; `INVALID_ARGUMENT` for a malformed or mismatched
//! answer; `FAILED_PRECONDITION` for an answer to a closed call or a second
//! answer; `RESOURCE_EXHAUSTED` for a message over 64 KiB (over 4 MiB tonic
//! refuses it first, with `OUT_OF_RANGE`). None of them changes the record.

use std::collections::BTreeSet;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use rappard_core::member::MemberId;
use rappard_core::protocol::{Answer, AnswerError};
use rappard_core::record::{Event, Record};
use rappard_core::scenario::Agenda;
use rappard_core::secretariat::Secretariat;
use rappard_proto::convert;
use rappard_proto::v1;
use rappard_proto::v1::secretariat_server::{Secretariat as SecretariatService, SecretariatServer};
use tokio::net::TcpListener;
use tokio::sync::{Mutex, Notify, mpsc, watch};
use tokio_stream::Stream;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use crate::pki::{self, Credentials, Role};

/// The largest message the Secretariat accepts: a larger one is refused
/// with `RESOURCE_EXHAUSTED`.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// The largest message tonic decodes at all (above it tonic itself answers
/// `OUT_OF_RANGE`, before rappard sees the message).
pub const DECODE_LIMIT_BYTES: usize = 4 * 1024 * 1024;

fn check_size(m: &impl prost::Message) -> Result<(), Status> {
    let n = m.encoded_len();
    if n > MAX_MESSAGE_BYTES {
        return Err(Status::resource_exhausted(format!(
            "the message is {n} bytes; the Secretariat accepts at most {MAX_MESSAGE_BYTES}"
        )));
    }
    Ok(())
}

/// How the node runs.
#[derive(Clone, Debug)]
pub struct Options {
    /// How long a call stays open for answers that do not come.
    pub answer_timeout: Duration,
    /// How long to wait for every delegation to join before starting.
    pub join_timeout: Duration,
    /// The PKI directory with the authority's key, to issue member
    /// certificates to acceded applicants (none: it cannot).
    pub authority: Option<std::path::PathBuf>,
    /// Real seconds per simulated day, so people can watch (none: as fast
    /// as the delegations answer). A step waits at most 10 s.
    pub pace: Option<f64>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            answer_timeout: Duration::from_secs(60),
            join_timeout: Duration::from_secs(120),
            authority: None,
            pace: None,
        }
    }
}

struct Core {
    secretariat: Secretariat,
    finished: bool,
}

/// State shared by the service and the driver.
struct Shared {
    core: Mutex<Core>,
    /// The last sequence number published (and whether finished, in `core`).
    published: watch::Sender<u64>,
    answered: Notify,
    joined: Mutex<BTreeSet<MemberId>>,
    joined_changed: Notify,
    expected: BTreeSet<MemberId>,
    scenario: String,
    seed: u64,
    authority: Option<std::path::PathBuf>,
    /// Where each delegation serves direct talks, as it said when joining.
    talks: Mutex<std::collections::BTreeMap<MemberId, String>>,
    /// The authority that must have issued every caller's certificate.
    ca: crate::tls::Authority,
}

/// A running negotiation's handle: the record, once finished.
#[derive(Clone)]
pub struct Negotiation {
    shared: Arc<Shared>,
}

impl Negotiation {
    /// Waits for the negotiation to end and returns its record.
    pub async fn finished(&self) -> Record {
        let mut rx = self.shared.published.subscribe();
        loop {
            {
                let core = self.shared.core.lock().await;
                if core.finished {
                    return core.secretariat.record().clone();
                }
            }
            if rx.changed().await.is_err() {
                let core = self.shared.core.lock().await;
                return core.secretariat.record().clone();
            }
        }
    }
}

/// Who is speaking, from the certificate.
fn peer<T>(
    req: &Request<T>,
    authority: &crate::tls::Authority,
) -> Result<(MemberId, Role), Status> {
    let certs = req
        .peer_certs()
        .or_else(|| {
            req.extensions()
                .get::<crate::quic::QuicConnectInfo>()
                .and_then(|i| i.peer_certs.clone())
        })
        .filter(|c| !c.is_empty())
        .ok_or_else(|| {
            Status::unauthenticated(
                "no client certificate: connect with a certificate issued by `rappard pki issue`",
            )
        })?;
    authority.check(&certs).map_err(|e| {
        Status::unauthenticated(format!(
            "the client certificate was not issued by this negotiation's authority: {e}"
        ))
    })?;
    pki::identity(certs[0].as_ref()).ok_or_else(|| {
        Status::unauthenticated("the client certificate carries no rappard://ROLE/ID name")
    })
}

fn status_of(e: &AnswerError) -> Status {
    let msg = e.to_string();
    match e {
        AnswerError::NoOpenCall
        | AnswerError::StaleCall { .. }
        | AnswerError::AlreadyAnswered { .. } => Status::failed_precondition(msg),
        AnswerError::NotAwaited { .. } => Status::permission_denied(msg),
        AnswerError::WrongAnswer { .. } | AnswerError::LevelOutOfRange(_) => {
            Status::invalid_argument(msg)
        }
    }
}

struct Service {
    shared: Arc<Shared>,
}

type EntryStream = Pin<Box<dyn Stream<Item = Result<v1::RecordEntry, Status>> + Send>>;

#[tonic::async_trait]
impl SecretariatService for Service {
    async fn join(&self, req: Request<v1::JoinRequest>) -> Result<Response<v1::JoinReply>, Status> {
        let (id, role) = peer(&req, &self.shared.ca)?;
        let talks = req.get_ref().talks_address.trim().to_owned();
        if !talks.is_empty() {
            self.shared.talks.lock().await.insert(id.clone(), talks);
        }
        self.shared.joined.lock().await.insert(id.clone());
        self.shared.joined_changed.notify_waiters();
        let last_seq = self.shared.core.lock().await.secretariat.record().len() as u64;
        Ok(Response::new(v1::JoinReply {
            member: id.to_string(),
            role: match role {
                Role::Member => v1::Role::Member,
                Role::Applicant => v1::Role::Applicant,
                Role::Secretariat => v1::Role::Secretariat,
            } as i32,
            scenario: self.shared.scenario.clone(),
            seed: self.shared.seed,
            last_seq,
        }))
    }

    type SubscribeStream = EntryStream;

    async fn subscribe(
        &self,
        req: Request<v1::SubscribeRequest>,
    ) -> Result<Response<Self::SubscribeStream>, Status> {
        let (me, _) = peer(&req, &self.shared.ca)?;
        let v1::SubscribeRequest {
            after_seq,
            only_my_calls,
        } = req.into_inner();
        let shared = self.shared.clone();
        let (tx, rx) = mpsc::channel(256);
        let mut published = shared.published.subscribe();
        tokio::spawn(async move {
            let mut cursor = after_seq;
            loop {
                let (batch, finished) = {
                    let core = shared.core.lock().await;
                    let batch: Vec<v1::RecordEntry> = core
                        .secretariat
                        .record()
                        .since(cursor)
                        .iter()
                        .filter(|e| {
                            !only_my_calls
                                || match &e.event {
                                    Event::CallIssued { awaited, .. } => {
                                        awaited.binary_search(&me).is_ok()
                                    }
                                    Event::AccessionCompleted { applicant, .. } => *applicant == me,
                                    _ => false,
                                }
                        })
                        .map(convert::entry_to_wire)
                        .collect();
                    cursor = core.secretariat.record().len() as u64;
                    (batch, core.finished)
                };
                for e in batch {
                    if tx.send(Ok(e)).await.is_err() {
                        return;
                    }
                }
                if finished {
                    return;
                }
                if published.changed().await.is_err() {
                    return;
                }
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }

    async fn answer(
        &self,
        req: Request<v1::AnswerRequest>,
    ) -> Result<Response<v1::AnswerReply>, Status> {
        let (me, role) = peer(&req, &self.shared.ca)?;
        check_size(req.get_ref())?;
        let body = req.into_inner();
        if !body.member.is_empty() && body.member != me.as_str() {
            return Err(Status::permission_denied(format!(
                "{me} cannot answer for {}: a delegation acts only for itself",
                body.member
            )));
        }
        if role == Role::Secretariat {
            return Err(Status::permission_denied(
                "the Secretariat's certificate reads the record but does not answer",
            ));
        }
        let answer = convert::answer_from_wire(body.answer.as_ref())
            .map_err(|e| Status::invalid_argument(e.to_string()))?;
        {
            let mut core = self.shared.core.lock().await;
            if role == Role::Applicant && !matches!(answer, Answer::Offer(_)) {
                return Err(Status::permission_denied(format!(
                    "{me} holds an applicant's certificate: it may only make its offers in bilateral talks (a Member asks for its member certificate first), not give {}",
                    match answer {
                        Answer::Vote(_) => "a vote",
                        Answer::Objection(_) => "an objection",
                        Answer::Join(_) => "a decision to join an initiative",
                        _ => "this answer",
                    }
                )));
            }
            core.secretariat
                .answer(&me, body.call, answer)
                .map_err(|e| status_of(&e))?;
        }
        self.shared.answered.notify_waiters();
        Ok(Response::new(v1::AnswerReply {}))
    }

    async fn counterparts(
        &self,
        req: Request<v1::CounterpartsRequest>,
    ) -> Result<Response<v1::CounterpartsReply>, Status> {
        let (me, _) = peer(&req, &self.shared.ca)?;
        let members = self
            .shared
            .core
            .lock()
            .await
            .secretariat
            .bilateral_counterparts(me.as_str())
            .ok_or_else(|| {
                Status::failed_precondition(format!("{me} is not an applicant in this negotiation"))
            })?;
        let talks = self.shared.talks.lock().await;
        Ok(Response::new(v1::CounterpartsReply {
            counterparts: members
                .into_iter()
                .map(|m| v1::Counterpart {
                    talks_address: talks.get(&m).cloned().unwrap_or_default(),
                    member: m.to_string(),
                })
                .collect(),
        }))
    }

    async fn member_certificate(
        &self,
        req: Request<v1::MemberCertificateRequest>,
    ) -> Result<Response<v1::MemberCertificateReply>, Status> {
        let (me, role) = peer(&req, &self.shared.ca)?;
        if role != Role::Applicant {
            return Err(Status::failed_precondition(format!(
                "{me} holds a {} certificate already: only an acceded applicant is issued a member certificate",
                role.as_str()
            )));
        }
        let is_member = self
            .shared
            .core
            .lock()
            .await
            .secretariat
            .agenda()
            .membership
            .get(me.as_str())
            .is_some();
        if !is_member {
            return Err(Status::failed_precondition(format!(
                "{me} is not a Member yet: its accession has not completed"
            )));
        }
        let Some(dir) = &self.shared.authority else {
            return Err(Status::failed_precondition(
                "this Secretariat keeps no authority key and cannot issue certificates",
            ));
        };
        let (certificate, key) = pki::issue_pem(dir, &me, Role::Member)
            .map_err(|e| Status::internal(format!("issuing the certificate of {me}: {e}")))?;
        Ok(Response::new(v1::MemberCertificateReply {
            certificate,
            key,
        }))
    }
}

/// Where the Secretariat listens.
pub struct Listeners {
    /// gRPC over TCP with TLS.
    pub grpc: Option<TcpListener>,
    /// gRPC inside QUIC.
    pub quic: Option<std::net::UdpSocket>,
}

/// Why the Secretariat could not start.
#[derive(Debug)]
pub enum ServeError {
    /// gRPC/TLS set-up.
    Grpc(tonic::transport::Error),
    /// TLS or QUIC set-up.
    Quic(crate::quic::QuicError),
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Grpc(e) => write!(f, "gRPC: {e}"),
            Self::Quic(e) => write!(f, "QUIC: {e}"),
        }
    }
}

impl std::error::Error for ServeError {}

/// Starts a negotiation: the service on every listener (with health and
/// reflection), and the driver. The servers stop when `shutdown`
/// completes; the handle gives the record.
pub async fn serve(
    agenda: Agenda,
    creds: &Credentials,
    listeners: Listeners,
    options: Options,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<Negotiation, ServeError> {
    let expected: BTreeSet<MemberId> = agenda
        .membership
        .delegations()
        .map(|m| m.id.clone())
        .chain(agenda.accessions.iter().map(|a| a.applicant.id.clone()))
        .collect();
    let authority = crate::tls::Authority::new(&creds.ca)
        .map_err(|e| ServeError::Quic(crate::quic::QuicError(e)))?;
    let (published, _) = watch::channel(0);
    let shared = Arc::new(Shared {
        scenario: agenda.name.clone(),
        seed: agenda.seed,
        authority: options.authority.clone(),
        talks: Mutex::new(std::collections::BTreeMap::new()),
        ca: authority.clone(),
        core: Mutex::new(Core {
            secretariat: Secretariat::new(agenda),
            finished: false,
        }),
        published,
        answered: Notify::new(),
        joined: Mutex::new(BTreeSet::new()),
        joined_changed: Notify::new(),
        expected,
    });
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    let stopped = move || {
        let mut rx = stop_rx.clone();
        async move {
            let _ = rx.wait_for(|s| *s).await;
        }
    };
    if let Some(listener) = listeners.grpc {
        let tls = crate::tls::secretariat_rustls(creds, &authority)
            .map_err(|e| ServeError::Quic(crate::quic::QuicError(e)))?;
        let router = router(&shared, tonic::transport::Server::builder()).await;
        tokio::spawn(
            router.serve_with_incoming_shutdown(crate::tls::accept(listener, tls), stopped()),
        );
    }
    if let Some(socket) = listeners.quic {
        let config = crate::quic::server_config(creds, &authority).map_err(ServeError::Quic)?;
        let endpoint = quinn::Endpoint::new(
            quinn::EndpointConfig::default(),
            Some(config),
            socket,
            Arc::new(quinn::TokioRuntime),
        )
        .map_err(|e| ServeError::Quic(crate::quic::QuicError(format!("the QUIC endpoint: {e}"))))?;
        let router = router(&shared, tonic::transport::Server::builder()).await;
        let stop = stopped();
        let closing = endpoint.clone();
        tokio::spawn(async move {
            let _ = router
                .serve_with_incoming_shutdown(crate::quic::incoming(endpoint), stop)
                .await;
            closing.close(0u32.into(), b"shutdown");
        });
    }
    tokio::spawn(drive(shared.clone(), options));
    Ok(Negotiation { shared })
}

/// The services of one transport: health, reflection (v1 and v1alpha) and
/// the Secretariat.
async fn router(
    shared: &Arc<Shared>,
    builder: tonic::transport::Server,
) -> tonic::transport::server::Router {
    let (health, health_service) = tonic_health::server::health_reporter();
    health.set_serving::<SecretariatServer<Service>>().await;
    let reflection_v1 = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(v1::FILE_DESCRIPTOR_SET)
        .build_v1()
        .ok();
    let reflection_v1alpha = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(v1::FILE_DESCRIPTOR_SET)
        .build_v1alpha()
        .ok();
    let service = SecretariatServer::new(Service {
        shared: shared.clone(),
    })
    .max_decoding_message_size(DECODE_LIMIT_BYTES);
    builder
        .http2_keepalive_interval(Some(Duration::from_secs(20)))
        .add_service(health_service)
        .add_optional_service(reflection_v1)
        .add_optional_service(reflection_v1alpha)
        .add_service(service)
}

/// The lockstep driver (module doc).
async fn drive(shared: Arc<Shared>, options: Options) {
    let until = tokio::time::Instant::now() + options.join_timeout;
    loop {
        let changed = shared.joined_changed.notified();
        tokio::pin!(changed);
        changed.as_mut().enable();
        if shared.expected.is_subset(&*shared.joined.lock().await) {
            break;
        }
        if tokio::time::timeout_at(until, changed).await.is_err() {
            break;
        }
    }
    let mut sim_before: Option<i64> = None;
    loop {
        let (open, sim_now) = {
            let mut core = shared.core.lock().await;
            let open = core.secretariat.step().is_some();
            let sim_now = core
                .secretariat
                .record()
                .entries()
                .last()
                .map(|e| e.at.unix());
            if !open {
                core.finished = true;
            }
            let seq = core.secretariat.record().len() as u64;
            shared.published.send_replace(seq);
            (open, sim_now)
        };
        if !open {
            return;
        }
        if let (Some(pace), Some(now), Some(before)) = (options.pace, sim_now, sim_before) {
            let real = ((now - before).max(0) as f64 / 86_400.0 * pace).min(10.0);
            if real > 0.0 {
                tokio::time::sleep(Duration::from_secs_f64(real)).await;
            }
        }
        sim_before = sim_now.or(sim_before);
        let deadline = tokio::time::Instant::now() + options.answer_timeout;
        loop {
            let answered = shared.answered.notified();
            tokio::pin!(answered);
            answered.as_mut().enable();
            if shared.core.lock().await.secretariat.is_complete() {
                break;
            }
            if tokio::time::timeout_at(deadline, answered).await.is_err() {
                break;
            }
        }
        shared.core.lock().await.secretariat.close_call();
    }
}
