//! rappard-net: rappard on the network.
//!
//! - [`pki`]: the authority and the nodes' certificates (rcgen), and reading
//!   a peer's identity from its certificate.
//! - [`secretariat`]: the Secretariat node. It drives the same core
//!   `Secretariat` state machine as the in-process simulation, serves the
//!   `rappard.v1.Secretariat` gRPC service (with health and reflection), and
//!   advances in lockstep: a call closes when every awaited delegation has
//!   answered, or when a real-time timeout passes.
//! - [`member`]: delegation nodes, each deciding with the core `Delegation`
//!   from its own instructions, over its own connection and certificate.
//!
//! Mutual TLS throughout, ring as the only crypto provider
//! ([`install_crypto`]).

pub mod member;
pub mod pki;
pub mod quic;
pub mod secretariat;
pub mod tls;

/// Installs ring as the process's rustls crypto provider. Call once at
/// start (and in test set-up); later calls do nothing.
pub fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
