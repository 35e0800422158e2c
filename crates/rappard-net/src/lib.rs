//! rappard-net: rappard on the network.
//!
//! - [`pki`]: the authority and the nodes' certificates (rcgen), and reading
//!   a peer's identity from its certificate.
//! - [`revocation`]: the authority's revocation list (`ca.crl`).
//! - [`talks`]: the TLS of the direct talks between delegations' nodes, with
//!   a key of each node's own that the Secretariat vouches for.
//! - [`secretariat`]: the Secretariat node. It drives the same core
//!   `Secretariat` state machine as the in-process simulation, serves the
//!   `rappard.v1.Secretariat` gRPC service (with health and reflection), and
//!   advances in lockstep: a call closes when every awaited delegation has
//!   answered, or when a real-time timeout passes.
//! - [`journal`]: the Secretariat's journal on disk, from which a
//!   Secretariat killed at any point starts again where it was.
//! - [`member`]: delegation nodes, each deciding with the core `Delegation`
//!   from its own instructions, over its own connection and certificate.
//! - [`metrics`]: the operators' Prometheus metrics and their `/metrics`
//!   HTTP server.
//! - [`limits`]: the Secretariat's limits against floods (handshakes,
//!   connections per address and per certificate, record streams, message
//!   sizes, answers per second, stuck subscribers).
//! - [`web`]: the classroom's web front over HTTPS: a live dashboard of the
//!   record, a page for each delegation played by a person, the teacher's
//!   controls.
//!
//! Mutual TLS throughout, ring as the only crypto provider
//! ([`install_crypto`]). Every fallible function returns the one [`Error`]
//! (in `error.rs`); `tonic::Status` appears only where a service answers.
//!
//! Diagnostics go through `tracing` (the binary chooses the subscriber):
//! spans `connection` (per accepted connection on the Secretariat, per
//! session of a delegation), `delegation` (per delegation, on both sides,
//! with its `member` id; on the Secretariat an answer's, and on a node an
//! offer heard in direct talks, also with the `call`) and `call` (per call:
//! `call`, `kind`, `item`); `info` for joins, leaves and calls closed, `warn`
//! for refused requests, failed handshakes, timeouts and reconnections
//! (on the Secretariat, what a flood can cause is throttled per kind,
//! [`limits::throttled`]), `debug` for answers. The `connection` and `delegation` spans, and the
//! Secretariat's `call` span, are at level `error` so that they are enabled,
//! and name who a warning is about, whatever the filter; a delegation's
//! own `call` spans are at `info` (one per call and delegation).

mod error;
pub mod journal;
pub mod limits;
pub mod member;
pub mod metrics;
pub mod person;
pub mod pki;
pub mod quic;
pub mod relay;
pub mod revocation;
pub mod secretariat;
pub mod talks;
pub mod tls;
pub mod web;

pub use error::Error;

/// How long a connection may take to set up (TCP and TLS, or the QUIC
/// handshake), over both transports: past it the attempt fails as a
/// connection error, and a delegation retries with backoff.
pub const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The accept queue asked for on the Secretariat's TCP listener
/// ([`tcp_listener`]); the kernel caps it (`net.core.somaxconn`, 4096 by
/// default on Linux since 5.4).
pub const LISTEN_BACKLOG: u32 = 4096;

/// A TCP listener on `addr` (the first address it resolves to that binds)
/// with an accept queue of [`LISTEN_BACKLOG`]. The standard library's
/// listener asks for 128 and tokio's for 1,024: when thousands of
/// delegations connect at once, a full queue drops their connections'
/// last packets, and the attempts time out and are retried, each retry
/// adding to the crowd (seen at 8,000 delegations).
pub async fn tcp_listener(addr: &str) -> std::io::Result<tokio::net::TcpListener> {
    let mut last = None;
    for a in tokio::net::lookup_host(addr).await? {
        let socket = if a.is_ipv4() {
            tokio::net::TcpSocket::new_v4()?
        } else {
            tokio::net::TcpSocket::new_v6()?
        };
        socket.set_reuseaddr(true)?;
        match socket.bind(a) {
            Ok(()) => return socket.listen(LISTEN_BACKLOG),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("`{addr}` names no address"),
        )
    }))
}

/// An error and its sources, joined by `: ` (tonic's transport errors say
/// little without their sources).
pub(crate) fn causes(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        let more = inner.to_string();
        if !s.contains(&more) {
            s.push_str(": ");
            s.push_str(&more);
        }
        source = inner.source();
    }
    s
}

/// Installs ring as the process's rustls crypto provider. Call once at
/// start (and in test set-up); later calls do nothing.
pub fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
