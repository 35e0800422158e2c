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
use crate::pki::Credentials;

/// Connection failures in a row after which a delegation gives up.
const MAX_FAILURES: u32 = 20;

/// A delegation's count of failed sessions in a row, and the wait before
/// the next attempt. A session that joined and subscribed resets it
/// ([`Retries::joined`]): a delegation gives up after [`MAX_FAILURES`]
/// failures *in a row*, not over the whole run, so a long negotiation
/// survives any number of separate outages.
#[derive(Debug, Default)]
struct Retries {
    failures: u32,
}

impl Retries {
    /// The session joined and subscribed: the connection works again.
    fn joined(&mut self) {
        self.failures = 0;
    }

    /// A session failed with a connection error: how long to wait before
    /// reconnecting (100 ms more for each failure in a row, at most 1 s),
    /// or `None` to give up after [`MAX_FAILURES`] in a row.
    fn failed(&mut self) -> Option<Duration> {
        if self.failures >= MAX_FAILURES {
            return None;
        }
        self.failures += 1;
        Some(Duration::from_millis(
            100 * u64::from(self.failures.min(10)),
        ))
    }
}

/// How a node reaches the Secretariat.
#[derive(Clone, Debug)]
pub enum Connector {
    /// gRPC over TCP with TLS, at `https://HOST:PORT`.
    Grpc(String),
    /// gRPC inside QUIC, at an address, through a client endpoint shared by
    /// the delegations of the process.
    Quic(std::net::SocketAddr, quinn::Endpoint),
}

impl std::fmt::Display for Connector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Grpc(url) => write!(f, "{url}"),
            Self::Quic(addr, _) => write!(f, "quic://{addr}"),
        }
    }
}

impl Connector {
    /// A client with a node's credentials. The server must hold the
    /// Secretariat's certificate ([`crate::tls::SecretariatVerifier`]);
    /// another is refused with [`Error::NotTheSecretariat`], which a
    /// delegation does not retry.
    pub async fn connect(&self, creds: &Credentials) -> Result<SecretariatClient<Channel>, Error> {
        match self {
            Self::Grpc(url) => connect(url, creds).await,
            Self::Quic(addr, endpoint) => {
                let verifier = crate::tls::SecretariatVerifier::new(&creds.ca)?;
                let config = crate::quic::client_config_checked(creds, true, verifier.clone())?;
                let ch = crate::quic::channel(endpoint, *addr, config)
                    .await
                    .map_err(|e| checked(e, &verifier, &addr.to_string()))?;
                Ok(SecretariatClient::new(ch).max_decoding_message_size(16 * 1024 * 1024))
            }
        }
    }
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

/// How long a connection to the Secretariat may take to set up.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

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
    let to = authority.clone();
    let connector = tower::service_fn(move |_: tonic::transport::Uri| {
        let (tls, to) = (tls.clone(), to.clone());
        async move {
            let handshake = async {
                let tcp = tokio::net::TcpStream::connect(&to).await?;
                let _ = tcp.set_nodelay(true);
                let name = rustls::pki_types::ServerName::try_from("localhost")
                    .map_err(std::io::Error::other)?;
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

/// A delegation's state, shared by its session with the Secretariat and its
/// own Delegation service for direct talks.
struct Node {
    /// The core delegation: it decides, and remembers the talks.
    delegation: Mutex<Delegation>,
    /// Direct talks held, as applicant or as Working Party member.
    talks: AtomicU64,
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
}

/// Runs one delegation to the end of the negotiation. An applicant whose
/// accession completes takes its member certificate and carries on with it.
/// The delegation serves its own Delegation service on 127.0.0.1 for direct
/// talks while it runs; if that server fails, the delegation stops with its
/// error. Everything it logs is in a `delegation` span with its id.
pub async fn run(
    to: &Connector,
    creds: &Credentials,
    delegation: Delegation,
) -> Result<Activity, Error> {
    let span = error_span!("delegation", id = %delegation.id());
    let node = Arc::new(Node {
        delegation: Mutex::new(delegation),
        talks: AtomicU64::new(0),
    });
    async move {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let identity = crate::talks::TalksIdentity::generate(creds)?;
        let (talks_address, mut server) = serve_talks(node.clone(), &identity, &creds.ca, async {
            let _ = stopped.await;
        })
        .await?;
        let talks_pin = identity.fingerprint();
        let mut progress = Progress::default();
        let result = tokio::select! {
            r = sessions(to, creds, &node, (&talks_address, talks_pin), &mut progress) => r,
            r = &mut server => Err(server_stopped(r)),
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
/// after a connection failure (up to [`MAX_FAILURES`] in a row,
/// [`Retries`]), and with the member
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
                let Some(wait) = retries.failed() else {
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
        after_seq = progress.last_seq,
        "joined"
    );
    let mut stream = client
        .subscribe(v1::SubscribeRequest {
            after_seq: progress.last_seq,
            only_my_calls: true,
        })
        .await?
        .into_inner();
    retries.joined();
    while let Some(entry) = stream.message().await? {
        if let Some(call) = &entry.call {
            let call = convert::call_from_wire(call)?;
            let span =
                info_span!("call", call = call.call, kind = ?call.kind, item = %call.subject);
            take_call(&mut client, creds, node, &call, progress)
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

/// Answers one call (after making the offers directly, for an applicant's
/// bilateral offer).
async fn take_call(
    client: &mut SecretariatClient<Channel>,
    creds: &Credentials,
    node: &Arc<Node>,
    call: &Call,
    progress: &mut Progress,
) -> Result<(), Error> {
    let answer = node.delegation.lock().await.answer_after_talks(call);
    if let (CallKind::BilateralOffer, Some(Answer::Offer(offer))) = (call.kind, answer) {
        offer_directly(client, creds, node, call, offer).await?;
    }
    let Some(a) = answer else {
        return Ok(());
    };
    let sent = client
        .answer(v1::AnswerRequest {
            call: call.call,
            member: String::new(),
            answer: Some(convert::answer_to_wire(a)),
        })
        .await
        .map_err(Error::from);
    match sent {
        Ok(_) => {
            progress.answered += 1;
            debug!(answer = ?a, "answered");
        }
        // Catching up after a late start or a reconnection: the call has
        // closed, or this delegation answered it before the connection
        // dropped. Nothing to do.
        Err(Error::FailedPrecondition(why)) => debug!(answer = ?a, "not taken: {why}"),
        Err(e) => return Err(e),
    }
    Ok(())
}

/// As an applicant: makes this round's offer to each Working Party member
/// without a deal, directly to its node.
async fn offer_directly(
    client: &mut SecretariatClient<Channel>,
    creds: &Credentials,
    node: &Arc<Node>,
    call: &Call,
    offer: u16,
) -> Result<(), Error> {
    let counterparts = client
        .counterparts(v1::CounterpartsRequest {})
        .await?
        .into_inner()
        .counterparts;
    for c in counterparts
        .into_iter()
        .filter(|c| !c.talks_address.is_empty())
    {
        let channel = crate::talks::connect(
            &c.talks_address,
            &c.member,
            &c.talks_certificate_sha256,
            creds,
        )
        .await?;
        let reply = DelegationClient::new(channel)
            .offer(v1::OfferRequest {
                call: call.call,
                round: call.round,
                offer: u32::from(offer),
            })
            .await?
            .into_inner();
        debug!(member = %c.member, offer, accept = reply.accept, "offer made directly");
        node.talks.fetch_add(1, Ordering::Relaxed);
    }
    Ok(())
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
        let offer = u16::try_from(body.offer)
            .ok()
            .filter(|o| *o <= rappard_core::protocol::MAX_LEVEL)
            .ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "field `OfferRequest.offer`: {} is beyond 0..=10000",
                    body.offer
                ))
            })?;
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
        let span = error_span!("delegation", id = %self.me);
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

    /// A delegation gives up after `MAX_FAILURES` failed sessions in a
    /// row, waiting a little longer after each.
    #[test]
    fn retries_give_up_after_max_failures_in_a_row() {
        let mut r = Retries::default();
        let waits: Vec<_> = std::iter::from_fn(|| r.failed()).collect();
        assert_eq!(waits.len(), MAX_FAILURES as usize);
        assert_eq!(waits[0], Duration::from_millis(100));
        assert_eq!(waits[9], Duration::from_secs(1));
        assert_eq!(waits.last(), Some(&Duration::from_secs(1)));
        assert_eq!(r.failed(), None);
    }

    /// A session that joined resets the count: outages separated by a
    /// working session each get the full allowance, however many there
    /// are over the run.
    #[test]
    fn a_joined_session_resets_the_failures() {
        let mut r = Retries::default();
        for _ in 0..5 {
            for _ in 0..MAX_FAILURES - 1 {
                assert!(r.failed().is_some());
            }
            r.joined();
        }
        assert_eq!(r.failed(), Some(Duration::from_millis(100)));
    }
}
