//! TLS configurations for both ends of a gRPC connection, from a node's
//! credentials.
//!
//! The Secretariat asks every client for a certificate but does not make it
//! mandatory at the handshake, so that a call without one reaches the
//! identity check and is refused there with `UNAUTHENTICATED` and a
//! message, rather than failing as an opaque transport error. A certificate
//! that the authority did not sign still fails the handshake.

use tonic::transport::{Certificate, ClientTlsConfig, Identity, ServerTlsConfig};

use crate::pki::Credentials;

/// The Secretariat's server configuration.
pub fn server(c: &Credentials) -> ServerTlsConfig {
    ServerTlsConfig::new()
        .identity(Identity::from_pem(&c.cert, &c.key))
        .client_ca_root(Certificate::from_pem(&c.ca))
        .client_auth_optional(true)
}

/// A node's client configuration (its certificate, the authority, and the
/// Secretariat's name `localhost`).
pub fn client(c: &Credentials) -> ClientTlsConfig {
    ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(&c.ca))
        .identity(Identity::from_pem(&c.cert, &c.key))
        .domain_name("localhost")
}

/// A client configuration without a certificate of its own (for tests of
/// refusal, and for tools that only check health).
pub fn client_anonymous(ca: &str) -> ClientTlsConfig {
    ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(ca))
        .domain_name("localhost")
}
