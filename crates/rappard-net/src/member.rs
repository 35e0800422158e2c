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
//! on 127.0.0.1, with its certificate) and gives its address when it joins.
//! When the Secretariat calls for an applicant's offer, the applicant's node
//! asks the Secretariat for its counterparts (`Counterparts`) and makes the
//! offer to each of their nodes (`Offer`); each decides with its own
//! strategy and remembers what it answered. When the Secretariat then asks
//! the Working Party members for their answers, each answers as it did in
//! the direct talk; an offer it never heard from the applicant itself makes
//! no deal. The Secretariat records the outcome both sides report.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rappard_core::delegation::Delegation;
use rappard_core::member::MemberId;
use rappard_core::protocol::{Answer, CallKind};
use rappard_core::record::Event;
use rappard_proto::convert;
use rappard_proto::v1;
use rappard_proto::v1::delegation_client::DelegationClient;
use rappard_proto::v1::delegation_server::{Delegation as DelegationService, DelegationServer};
use rappard_proto::v1::secretariat_client::SecretariatClient;
use tokio::sync::Mutex;
use tonic::transport::{Channel, Endpoint};
use tonic::{Request, Response, Status};

use crate::pki::Credentials;

/// Why a delegation stopped before the end.
#[derive(Debug)]
pub enum MemberError {
    /// It could not connect, or the connection kept failing.
    Transport(String),
    /// The Secretariat refused a request.
    Refused(tonic::Status),
    /// A call from the Secretariat could not be read.
    BadCall(convert::ConvertError),
}

impl std::fmt::Display for MemberError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Transport(e) => write!(f, "transport: {e}"),
            Self::Refused(s) => write!(f, "refused: {}: {}", s.code(), s.message()),
            Self::BadCall(e) => write!(f, "a call could not be read: {e}"),
        }
    }
}

impl std::error::Error for MemberError {}

/// How a node reaches the Secretariat.
#[derive(Clone, Debug)]
pub enum Connector {
    /// gRPC over TCP with TLS, at `https://HOST:PORT`.
    Grpc(String),
    /// gRPC inside QUIC, at an address, through a client endpoint shared by
    /// the delegations of the process.
    Quic(std::net::SocketAddr, quinn::Endpoint),
}

impl Connector {
    /// A client with a node's credentials.
    pub async fn connect(
        &self,
        creds: &Credentials,
    ) -> Result<SecretariatClient<Channel>, MemberError> {
        match self {
            Self::Grpc(url) => connect(url, creds).await,
            Self::Quic(addr, endpoint) => {
                let config = crate::quic::client_config(creds, true)
                    .map_err(|e| MemberError::Transport(e.to_string()))?;
                let ch = crate::quic::channel(endpoint, *addr, config)
                    .await
                    .map_err(|e| MemberError::Transport(e.to_string()))?;
                Ok(SecretariatClient::new(ch).max_decoding_message_size(16 * 1024 * 1024))
            }
        }
    }
}

/// Connects a gRPC client with a node's credentials.
pub async fn connect(
    url: &str,
    creds: &Credentials,
) -> Result<SecretariatClient<Channel>, MemberError> {
    let endpoint = Endpoint::from_shared(url.to_owned())
        .map_err(|e| MemberError::Transport(e.to_string()))?
        .tls_config(crate::tls::client(creds))
        .map_err(|e| MemberError::Transport(e.to_string()))?
        .connect_timeout(Duration::from_secs(20))
        .http2_keep_alive_interval(Duration::from_secs(20))
        .keep_alive_while_idle(true);
    let channel = endpoint
        .connect()
        .await
        .map_err(|e| MemberError::Transport(format!("{url}: {e}")))?;
    Ok(SecretariatClient::new(channel).max_decoding_message_size(16 * 1024 * 1024))
}

/// A delegation's state, shared by its session with the Secretariat and its
/// own Delegation service for direct talks.
struct Node {
    delegation: Mutex<Delegation>,
    /// Offers heard directly from applicants, by (applicant, round), with
    /// the answer given.
    heard: Mutex<HashMap<(String, u32), (u16, bool)>>,
    /// Direct talks held, as applicant or as Working Party member.
    talks: AtomicU64,
}

/// What a delegation did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Activity {
    /// Calls it answered.
    pub answered: u64,
    /// Direct talks it held with other delegations' nodes.
    pub talks: u64,
}

/// Runs one delegation to the end of the negotiation. An applicant whose
/// accession completes takes its member certificate and carries on with it.
/// The delegation serves its own Delegation service on 127.0.0.1 for direct
/// talks while it runs.
pub async fn run(
    to: &Connector,
    creds: &Credentials,
    delegation: Delegation,
) -> Result<Activity, MemberError> {
    let node = Arc::new(Node {
        delegation: Mutex::new(delegation),
        heard: Mutex::new(HashMap::new()),
        talks: AtomicU64::new(0),
    });
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let talks_address = serve_talks(node.clone(), creds, async {
        let _ = stopped.await;
    })
    .await?;
    let mut creds = creds.clone();
    let mut last_seq = 0;
    let mut answered = 0;
    let mut failures = 0u32;
    let result = loop {
        match session(
            to,
            &creds,
            &node,
            &talks_address,
            &mut last_seq,
            &mut answered,
        )
        .await
        {
            Ok(Ended::Closed) => break Ok(()),
            Ok(Ended::Renewed(c)) => creds = c,
            Err(MemberError::Refused(s)) => break Err(MemberError::Refused(s)),
            Err(MemberError::BadCall(e)) => break Err(MemberError::BadCall(e)),
            Err(e) => {
                failures += 1;
                if failures > 20 {
                    break Err(e);
                }
                tokio::time::sleep(Duration::from_millis(100 * u64::from(failures.min(10)))).await;
            }
        }
    };
    let _ = stop.send(());
    result.map(|()| Activity {
        answered,
        talks: node.talks.load(Ordering::Relaxed),
    })
}

/// How a session ended without error.
enum Ended {
    /// The negotiation closed.
    Closed,
    /// The accession completed: reconnect with the member certificate.
    Renewed(Credentials),
}

async fn session(
    to: &Connector,
    creds: &Credentials,
    node: &Arc<Node>,
    talks_address: &str,
    last_seq: &mut u64,
    answered: &mut u64,
) -> Result<Ended, MemberError> {
    let mut client = to.connect(creds).await?;
    let me = client
        .join(v1::JoinRequest {
            talks_address: talks_address.to_owned(),
        })
        .await
        .map_err(refused_or_transport)?
        .into_inner();
    let mut stream = client
        .subscribe(v1::SubscribeRequest {
            after_seq: *last_seq,
            only_my_calls: true,
        })
        .await
        .map_err(refused_or_transport)?
        .into_inner();
    while let Some(entry) = stream.message().await.map_err(refused_or_transport)? {
        let Some(call) = &entry.call else {
            let e = convert::entry_from_wire(&entry).map_err(MemberError::BadCall)?;
            if let Event::AccessionCompleted { applicant, .. } = &e.event
                && applicant.as_str() == me.member
                && me.role == v1::Role::Applicant as i32
            {
                let reply = client
                    .member_certificate(v1::MemberCertificateRequest {})
                    .await
                    .map_err(refused_or_transport)?
                    .into_inner();
                *last_seq = entry.seq;
                return Ok(Ended::Renewed(Credentials {
                    ca: creds.ca.clone(),
                    cert: reply.certificate,
                    key: reply.key,
                }));
            }
            *last_seq = entry.seq;
            continue;
        };
        let call = convert::call_from_wire(call).map_err(MemberError::BadCall)?;
        let answer = match call.kind {
            CallKind::BilateralResponse => {
                // Answer as in the direct talk: an offer not heard from the
                // applicant itself, or not the one the call names, makes no deal.
                let applicant = call
                    .subject
                    .applicant()
                    .map(|a| a.as_str().to_owned())
                    .unwrap_or_default();
                let heard = node
                    .heard
                    .lock()
                    .await
                    .get(&(applicant, call.round))
                    .copied();
                Some(Answer::Accept(
                    matches!(heard, Some((offer, true)) if Some(offer) == call.text),
                ))
            }
            _ => node.delegation.lock().await.answer(&call),
        };
        if let (CallKind::BilateralOffer, Some(Answer::Offer(offer))) = (call.kind, answer) {
            offer_directly(&mut client, creds, node, &call, offer).await?;
        }
        if let Some(a) = answer {
            let sent = client
                .answer(v1::AnswerRequest {
                    call: call.call,
                    member: String::new(),
                    answer: Some(convert::answer_to_wire(a)),
                })
                .await;
            match sent {
                Ok(_) => *answered += 1,
                // Catching up after a late start or a reconnection: the call
                // has closed, or this delegation answered it before the
                // connection dropped. Nothing to do.
                Err(s) if s.code() == tonic::Code::FailedPrecondition => {}
                Err(s) => return Err(refused_or_transport(s)),
            }
        }
        *last_seq = entry.seq;
    }
    Ok(Ended::Closed)
}

/// As an applicant: makes this round's offer to each Working Party member
/// without a deal, directly to its node.
async fn offer_directly(
    client: &mut SecretariatClient<Channel>,
    creds: &Credentials,
    node: &Arc<Node>,
    call: &rappard_core::protocol::Call,
    offer: u16,
) -> Result<(), MemberError> {
    let counterparts = client
        .counterparts(v1::CounterpartsRequest {})
        .await
        .map_err(refused_or_transport)?
        .into_inner()
        .counterparts;
    for c in counterparts
        .into_iter()
        .filter(|c| !c.talks_address.is_empty())
    {
        let url = format!("https://{}", c.talks_address);
        let channel = Endpoint::from_shared(url.clone())
            .map_err(|e| MemberError::Transport(e.to_string()))?
            .tls_config(crate::tls::client(creds))
            .map_err(|e| MemberError::Transport(e.to_string()))?
            .connect()
            .await
            .map_err(|e| {
                MemberError::Transport(format!("talks with {} at {url}: {e}", c.member))
            })?;
        DelegationClient::new(channel)
            .offer(v1::OfferRequest {
                call: call.call,
                round: call.round,
                offer: u32::from(offer),
            })
            .await
            .map_err(refused_or_transport)?;
        node.talks.fetch_add(1, Ordering::Relaxed);
    }
    Ok(())
}

/// The Delegation service of one node.
struct Talks {
    node: Arc<Node>,
    me: MemberId,
}

#[tonic::async_trait]
impl DelegationService for Talks {
    async fn offer(
        &self,
        req: Request<v1::OfferRequest>,
    ) -> Result<Response<v1::OfferReply>, Status> {
        let certs = req.peer_certs().ok_or_else(|| {
            Status::unauthenticated(
                "no client certificate: an applicant talks with its own certificate",
            )
        })?;
        let (applicant, role) = certs
            .first()
            .and_then(|c| crate::pki::identity(c.as_ref()))
            .ok_or_else(|| {
                Status::unauthenticated("the client certificate carries no rappard://ROLE/ID name")
            })?;
        if role != crate::pki::Role::Applicant {
            return Err(Status::permission_denied(format!(
                "{applicant} is not an applicant: only an applicant makes offers"
            )));
        }
        let body = req.into_inner();
        let offer = u16::try_from(body.offer)
            .ok()
            .filter(|o| *o <= rappard_core::protocol::MAX_LEVEL)
            .ok_or_else(|| {
                Status::invalid_argument(format!(
                    "field `OfferRequest.offer`: {} is beyond 0..=10000",
                    body.offer
                ))
            })?;
        let call = rappard_core::protocol::Call {
            call: body.call,
            subject: rappard_core::protocol::Subject::Accession(applicant.clone()),
            kind: CallKind::BilateralResponse,
            round: body.round,
            version: body.round,
            text: Some(offer),
            rule: rappard_core::rules::Rule::Consensus,
            awaited: vec![self.me.clone()],
            package: None,
        };
        let accept = matches!(
            self.node.delegation.lock().await.answer(&call),
            Some(Answer::Accept(true))
        );
        self.node
            .heard
            .lock()
            .await
            .insert((applicant.to_string(), body.round), (offer, accept));
        self.node.talks.fetch_add(1, Ordering::Relaxed);
        Ok(Response::new(v1::OfferReply { accept }))
    }
}

/// Serves a node's Delegation service on 127.0.0.1 (any port), with its
/// certificate; returns its address.
async fn serve_talks(
    node: Arc<Node>,
    creds: &Credentials,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<String, MemberError> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| MemberError::Transport(format!("listening for direct talks: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| MemberError::Transport(e.to_string()))?
        .to_string();
    let me = node.delegation.lock().await.id().clone();
    let server = tonic::transport::Server::builder()
        .tls_config(crate::tls::server(creds))
        .map_err(|e| MemberError::Transport(e.to_string()))?
        .add_service(DelegationServer::new(Talks { node, me }))
        .serve_with_incoming_shutdown(
            tokio_stream::wrappers::TcpListenerStream::new(listener),
            shutdown,
        );
    tokio::spawn(server);
    Ok(addr)
}

fn refused_or_transport(s: tonic::Status) -> MemberError {
    match s.code() {
        tonic::Code::Unavailable | tonic::Code::Unknown | tonic::Code::Cancelled => {
            MemberError::Transport(s.to_string())
        }
        _ => MemberError::Refused(s),
    }
}
