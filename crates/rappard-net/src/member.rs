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

use std::time::Duration;

use rappard_core::delegation::Delegation;
use rappard_core::record::Event;
use rappard_proto::convert;
use rappard_proto::v1;
use rappard_proto::v1::secretariat_client::SecretariatClient;
use tonic::transport::{Channel, Endpoint};

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

/// Runs one delegation to the end of the negotiation. Returns the number of
/// calls it answered. An applicant whose accession completes takes its
/// member certificate and carries on with it.
pub async fn run(
    to: &Connector,
    creds: &Credentials,
    mut delegation: Delegation,
) -> Result<u64, MemberError> {
    let mut creds = creds.clone();
    let mut last_seq = 0;
    let mut answered = 0;
    let mut failures = 0u32;
    loop {
        match session(to, &creds, &mut delegation, &mut last_seq, &mut answered).await {
            Ok(Ended::Closed) => return Ok(answered),
            Ok(Ended::Renewed(c)) => creds = c,
            Err(MemberError::Refused(s)) => return Err(MemberError::Refused(s)),
            Err(MemberError::BadCall(e)) => return Err(MemberError::BadCall(e)),
            Err(e) => {
                failures += 1;
                if failures > 20 {
                    return Err(e);
                }
                tokio::time::sleep(Duration::from_millis(100 * u64::from(failures.min(10)))).await;
            }
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

async fn session(
    to: &Connector,
    creds: &Credentials,
    delegation: &mut Delegation,
    last_seq: &mut u64,
    answered: &mut u64,
) -> Result<Ended, MemberError> {
    let mut client = to.connect(creds).await?;
    let me = client
        .join(v1::JoinRequest {})
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
        if let Some(a) = delegation.answer(&call) {
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

fn refused_or_transport(s: tonic::Status) -> MemberError {
    match s.code() {
        tonic::Code::Unavailable | tonic::Code::Unknown | tonic::Code::Cancelled => {
            MemberError::Transport(s.to_string())
        }
        _ => MemberError::Refused(s),
    }
}
