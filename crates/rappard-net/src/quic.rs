//! The QUIC transport: the same gRPC service, carried by tonic's HTTP/2
//! inside QUIC bidirectional streams (quinn): each stream is wrapped as an
//! `AsyncRead + AsyncWrite`, served with tonic's `serve_with_incoming`, and
//! opened by the client through `connect_with_connector`. One service
//! implementation, so every status code, deadline, health and reflection
//! behaves as over TCP.
//!
//! Each delegation opens one QUIC connection (mutual TLS, ALPN
//! `rappard/1`) and one bidirectional stream in it for its HTTP/2
//! connection. The server reads the client certificate from the QUIC
//! connection and hands it to the service as connection info
//! ([`ConnectionInfo`]), the same as over TCP, so one identity check reads
//! either. As over TCP, a client without a certificate, or with one from
//! another authority, reaches the service and is refused `UNAUTHENTICATED`
//! (`crate::tls::DeferredClientVerifier`).
//!
//! Every QUIC socket (the Secretariat's, and the one endpoint the
//! delegations of a process share) asks the kernel for large receive and
//! send buffers ([`SOCKET_BUFFER_BYTES`]): all the connections of a
//! Secretariat arrive on one UDP socket, and when every delegation
//! answers a call at once, a default buffer (208 KiB on Linux) overflows
//! and the kernel drops datagrams, each of which QUIC then recovers after
//! a loss timer (measured and explained in `BENCHMARKS.md`).
//!
//! The limits are those of TCP ([`crate::limits`]): a connection over its
//! address's limit is refused before its handshake (and an address that
//! has not been validated is first sent a Retry, so that a spoofed source
//! address cannot take another's places); the handshake must end within
//! `handshake_timeout`; the connection's deadline is watched by its task,
//! which closes it with the reason; a QUIC connection may open at most
//! `streams_per_connection` streams at once.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use quinn::crypto::rustls::{QuicClientConfig, QuicServerConfig};
use rustls::pki_types::CertificateDer;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tracing::Instrument as _;

use crate::Error;
use crate::limits::{ConnectionInfo, Gate, Limits, Slot, warn_throttled};
use crate::pki::Credentials;

/// The ALPN of rappard over QUIC.
pub const ALPN: &[u8] = b"rappard/1";

fn quic_err(what: &str) -> impl FnOnce(String) -> Error + '_ {
    move |detail| Error::QuicConfig {
        what: what.to_owned(),
        detail,
    }
}

/// The transport settings of both sides: a connection silent for 30 s is
/// dead; each side sends a keep-alive after 2 s without traffic, which is
/// also what makes a restarted Secretariat answer a node's connection
/// with a stateless reset within 2 s ([`server_endpoint_config`]).
fn transport() -> quinn::TransportConfig {
    let mut t = quinn::TransportConfig::default();
    t.max_idle_timeout(Some(quinn::IdleTimeout::from(quinn::VarInt::from_u32(
        30_000,
    ))));
    t.keep_alive_interval(Some(Duration::from_secs(2)));
    t
}

/// The Secretariat's QUIC endpoint configuration, with a stateless-reset
/// key derived from its private key: the same after a restart. A
/// Secretariat started again on the same address (after a crash, from its
/// journal) answers the packets of the connections its previous process
/// held with a stateless reset their nodes accept, so they learn at once
/// that the connection is gone and reconnect, instead of waiting for the
/// idle timeout. The keys (of the resets and of the connection ids) are a
/// hash of the private key (with a label), so they reveal nothing of it
/// and only the holder of that key can make them.
pub fn server_endpoint_config(c: &Credentials) -> quinn::EndpointConfig {
    use sha2::Digest as _;
    let mut h = sha2::Sha256::new();
    h.update(b"rappard QUIC stateless reset key\n");
    h.update(c.key.as_bytes());
    let derived = h.finalize();
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &derived);
    let mut config = quinn::EndpointConfig::new(Arc::new(key));
    // The connection ids carry a hash the endpoint checks before anything
    // else, a stateless reset included: the new process must accept the
    // old one's ids, so their key is derived the same way.
    let mut cid_key = [0u8; 8];
    cid_key.copy_from_slice(&derived[..8]);
    let cid_key = u64::from_le_bytes(cid_key);
    // The nodes of a process tend to send their keep-alives together: a
    // reset for each, not one per 20 ms (quinn's default), so that all
    // of them learn at once. A reset is always smaller than the packet
    // that incites it, so this amplifies nothing.
    config.min_reset_interval(Duration::ZERO);
    config.cid_generator(move || {
        Box::new(quinn_proto::HashedConnectionIdGenerator::from_key(cid_key))
    });
    config
}

/// The Secretariat's QUIC server configuration, under `limits`.
pub fn server_config(
    c: &Credentials,
    authority: &crate::tls::Authority,
    limits: &Limits,
) -> Result<quinn::ServerConfig, Error> {
    let mut tls =
        crate::tls::secretariat_server_config(c, authority, limits.require_client_certificate)?;
    tls.alpn_protocols = vec![ALPN.to_vec()];
    let crypto = QuicServerConfig::try_from(tls)
        .map_err(|e| quic_err("the server's TLS for QUIC")(e.to_string()))?;
    let mut cfg = quinn::ServerConfig::with_crypto(Arc::new(crypto));
    let mut transport = transport();
    transport
        .max_concurrent_bidi_streams(limits.streams_per_connection.into())
        .max_concurrent_uni_streams(0u32.into());
    cfg.transport_config(Arc::new(transport));
    Ok(cfg)
}

/// A node's QUIC client configuration (with its certificate if `with_cert`),
/// which accepts only the Secretariat's certificate as the server's
/// ([`crate::tls::SecretariatVerifier`]).
pub fn client_config(c: &Credentials, with_cert: bool) -> Result<quinn::ClientConfig, Error> {
    client_config_checked(c, with_cert, crate::tls::SecretariatVerifier::new(&c.ca)?)
}

/// [`client_config`] with a verifier the caller keeps, to read why a
/// handshake was refused.
pub(crate) fn client_config_checked(
    c: &Credentials,
    with_cert: bool,
    verifier: Arc<crate::tls::SecretariatVerifier>,
) -> Result<quinn::ClientConfig, Error> {
    let mut tls = crate::tls::secretariat_client_config(c, verifier, with_cert)?;
    tls.alpn_protocols = vec![ALPN.to_vec()];
    let crypto = QuicClientConfig::try_from(tls)
        .map_err(|e| quic_err("the client's TLS for QUIC")(e.to_string()))?;
    let mut cfg = quinn::ClientConfig::new(Arc::new(crypto));
    cfg.transport_config(Arc::new(transport()));
    Ok(cfg)
}

/// One bidirectional QUIC stream, as the byte stream of an HTTP/2
/// connection.
pub struct QuicStream {
    send: quinn::SendStream,
    recv: quinn::RecvStream,
    info: ConnectionInfo,
}

impl AsyncRead for QuicStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        AsyncRead::poll_read(Pin::new(&mut self.recv), cx, buf)
    }
}

impl AsyncWrite for QuicStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        AsyncWrite::poll_write(Pin::new(&mut self.send), cx, buf).map_err(io::Error::other)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        AsyncWrite::poll_flush(Pin::new(&mut self.send), cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        AsyncWrite::poll_shutdown(Pin::new(&mut self.send), cx)
    }
}

impl tonic::transport::server::Connected for QuicStream {
    type ConnectInfo = ConnectionInfo;

    fn connect_info(&self) -> Self::ConnectInfo {
        self.info.clone()
    }
}

/// The streams of every connection the endpoint accepts under the gate's
/// limits (module doc), for `serve_with_incoming`. Each connection is
/// handled in a `connection` span naming the peer's address; a refused or
/// failed handshake is logged (throttled) and dropped.
pub fn incoming(
    endpoint: quinn::Endpoint,
    gate: Arc<Gate>,
) -> ReceiverStream<Result<QuicStream, io::Error>> {
    let (tx, rx) = mpsc::channel(64);
    tokio::spawn(async move {
        while let Some(incoming) = endpoint.accept().await {
            let remote = incoming.remote_address();
            if !incoming.remote_address_validated() && incoming.may_retry() {
                // The client comes back with a token that proves its address.
                let _ = incoming.retry();
                continue;
            }
            let Some(slot) = gate.admit(remote, "quic") else {
                incoming.refuse();
                continue;
            };
            let tx = tx.clone();
            let span = tracing::error_span!("connection", transport = "quic", %remote);
            tokio::spawn(accept_streams(incoming, slot, gate.clone(), tx).instrument(span));
        }
    });
    ReceiverStream::new(rx)
}

/// One incoming QUIC connection: the handshake within `handshake_timeout`,
/// then each bidirectional stream the peer opens, until it closes the
/// connection or its deadline closes it.
async fn accept_streams(
    incoming: quinn::Incoming,
    slot: Slot<std::net::IpAddr>,
    gate: Arc<Gate>,
    tx: mpsc::Sender<Result<QuicStream, io::Error>>,
) {
    let timeout = gate.limits().handshake_timeout;
    let conn = match tokio::time::timeout(timeout, incoming).await {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => {
            warn_throttled!("QUIC handshake failed", error = %e, "QUIC handshake failed");
            return;
        }
        Err(_) => {
            warn_throttled!(
                "QUIC handshake timed out",
                "QUIC handshake timed out after {} s (--handshake-timeout)",
                timeout.as_secs_f64()
            );
            return;
        }
    };
    tracing::debug!("QUIC connection accepted");
    let peer_certs = conn
        .peer_identity()
        .and_then(|any| any.downcast::<Vec<CertificateDer<'static>>>().ok())
        .map(|b| Arc::new(*b));
    let (_held, standing) = gate.settle(slot, peer_certs.as_deref().map(Vec::as_slice));
    let info = ConnectionInfo {
        remote: conn.remote_address(),
        peer_certs,
        standing,
    };
    let deadline = gate.deadline(&info.standing);
    tokio::pin!(deadline);
    loop {
        let (send, recv) = tokio::select! {
            accepted = conn.accept_bi() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::debug!(reason = %e, "QUIC connection closed");
                    return;
                }
            },
            why = &mut deadline => {
                warn_throttled!("connection closed at its deadline", "connection closed: {why}");
                conn.close(DEADLINE_PASSED, why.as_bytes());
                return;
            }
        };
        let s = QuicStream {
            send,
            recv,
            info: info.clone(),
        };
        if tx.send(Ok(s)).await.is_err() {
            return;
        }
    }
}

/// The application's code when the Secretariat closes a QUIC connection
/// at its deadline (`crate::limits`): the reason says which.
const DEADLINE_PASSED: quinn::VarInt = quinn::VarInt::from_u32(0x52);

/// A tonic channel to the Secretariat over QUIC: one connection from
/// `endpoint`, one stream in it; the server is verified under the name
/// `localhost`.
pub async fn channel(
    endpoint: &quinn::Endpoint,
    addr: SocketAddr,
    config: quinn::ClientConfig,
) -> Result<tonic::transport::Channel, Error> {
    channel_named(endpoint, addr, "localhost", config).await
}

/// [`channel`], verifying the server under `name` (the host name or
/// address dialled; `crate::tls::SecretariatVerifier` says how).
pub async fn channel_named(
    endpoint: &quinn::Endpoint,
    addr: SocketAddr,
    name: &str,
    config: quinn::ClientConfig,
) -> Result<tonic::transport::Channel, Error> {
    let connect = |detail: String| Error::Connect {
        to: addr.to_string(),
        detail,
    };
    let connecting = endpoint
        .connect_with(config, addr, name)
        .map_err(|e| connect(format!("QUIC: {e}")))?;
    let conn = tokio::time::timeout(crate::CONNECT_TIMEOUT, connecting)
        .await
        .map_err(|_| {
            connect(format!(
                "QUIC handshake: no answer within {} s",
                crate::CONNECT_TIMEOUT.as_secs()
            ))
        })?
        .map_err(|e| connect(format!("QUIC handshake: {e}")))?;
    let info = ConnectionInfo::client(addr);
    let connector = tower::service_fn(move |_uri: tonic::transport::Uri| {
        let conn = conn.clone();
        let info = info.clone();
        async move {
            let (send, recv) = conn.open_bi().await.map_err(io::Error::other)?;
            Ok::<_, io::Error>(hyper_util::rt::TokioIo::new(QuicStream {
                send,
                recv,
                info,
            }))
        }
    });
    tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
        .map_err(|e| connect(e.to_string()))?
        .connect_with_connector(connector)
        .await
        .map_err(|e| connect(format!("HTTP/2 over QUIC: {}", crate::causes(&e))))
}

/// A client endpoint on an ephemeral port of every IPv4 interface, to share
/// among the delegations of one process, with large socket buffers
/// ([`size_buffers`]). (Bound to the loopback address it could reach only
/// a Secretariat on the same host.)
pub fn client_endpoint() -> Result<quinn::Endpoint, Error> {
    client_endpoint_for(&SocketAddr::from(([127, 0, 0, 1], 0)))
}

/// A client endpoint like [`client_endpoint`]'s, of the address family of
/// `server`: every IPv6 interface for an IPv6 server, every IPv4 interface
/// otherwise.
pub fn client_endpoint_for(server: &SocketAddr) -> Result<quinn::Endpoint, Error> {
    let addr = match server {
        SocketAddr::V4(_) => SocketAddr::from(([0, 0, 0, 0], 0)),
        SocketAddr::V6(_) => SocketAddr::from((std::net::Ipv6Addr::UNSPECIFIED, 0)),
    };
    let listen = |source| Error::Listen {
        what: "for QUIC (a client endpoint)",
        addr: addr.to_string(),
        source,
    };
    let socket = std::net::UdpSocket::bind(addr).map_err(listen)?;
    size_buffers(&socket);
    let runtime = Arc::new(quinn::TokioRuntime);
    quinn::Endpoint::new(quinn::EndpointConfig::default(), None, socket, runtime).map_err(listen)
}

/// The receive and send buffers asked for every QUIC socket: 8 MiB, room
/// for the datagrams of thousands of connections arriving at once. The
/// kernel grants at most `net.core.rmem_max` and `net.core.wmem_max`
/// (Linux doubles what it grants, for its bookkeeping).
pub const SOCKET_BUFFER_BYTES: usize = 8 << 20;

/// Asks for [`SOCKET_BUFFER_BYTES`] of receive and send buffer on a QUIC
/// socket (module doc); says (`info`) when the kernel grants less than a
/// quarter of it, with the setting that limits it. A socket whose buffers
/// cannot be changed keeps its own: QUIC still works, only slower under
/// bursts.
pub fn size_buffers(socket: &std::net::UdpSocket) {
    let Ok(state) = quinn::udp::UdpSocketState::new(socket.into()) else {
        return;
    };
    let _ = state.set_recv_buffer_size(socket.into(), SOCKET_BUFFER_BYTES);
    let _ = state.set_send_buffer_size(socket.into(), SOCKET_BUFFER_BYTES);
    let granted = state.recv_buffer_size(socket.into()).unwrap_or(0);
    if granted < SOCKET_BUFFER_BYTES / 4 {
        tracing::info!(
            granted,
            asked = SOCKET_BUFFER_BYTES,
            "the QUIC socket's receive buffer is small (raise net.core.rmem_max): bursts of datagrams may be dropped and recovered late"
        );
    } else {
        tracing::debug!(granted, "QUIC socket receive buffer");
    }
}
