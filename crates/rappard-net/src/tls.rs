//! TLS configurations for both ends of a gRPC connection, from a node's
//! credentials.
//!
//! The Secretariat asks every client for a certificate but does not make it
//! mandatory at the handshake, and checks who issued it after the handshake
//! ([`DeferredClientVerifier`], [`Authority`]): a call without a
//! certificate, or with one from a foreign authority, reaches the identity
//! check and is refused there with `UNAUTHENTICATED` and a message, rather
//! than failing as an opaque transport error. A delegation's own Delegation
//! service ([`server`]) verifies client certificates in the handshake.

use std::sync::Arc;

use rustls::DigitallySignedStruct;
use rustls::DistinguishedName;
use rustls::SignatureScheme;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use rustls::server::WebPkiClientVerifier;
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
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

/// The negotiation's authority, to check a client's certificate chain after
/// the handshake (module doc of [`DeferredClientVerifier`]).
#[derive(Clone, Debug)]
pub struct Authority {
    verifier: Arc<dyn ClientCertVerifier>,
}

impl Authority {
    /// The authority whose certificate is `ca` (PEM).
    pub fn new(ca: &str) -> Result<Self, String> {
        let mut roots = rustls::RootCertStore::empty();
        for c in CertificateDer::pem_slice_iter(ca.as_bytes()) {
            roots
                .add(c.map_err(|e| format!("the authority's certificate: {e}"))?)
                .map_err(|e| format!("the authority's certificate: {e}"))?;
        }
        let verifier = WebPkiClientVerifier::builder(Arc::new(roots))
            .allow_unauthenticated()
            .build()
            .map_err(|e| format!("the client verifier: {e}"))?;
        Ok(Self { verifier })
    }

    /// Whether the authority issued this chain (end entity first).
    pub fn check(&self, chain: &[CertificateDer<'static>]) -> Result<(), String> {
        let (ee, rest) = chain.split_first().ok_or("no certificate")?;
        self.verifier
            .verify_client_cert(ee, rest, UnixTime::now())
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// A client verifier that asks every client for a certificate and checks,
/// in the handshake, that the client holds the key of the certificate it
/// shows, but leaves the question *who issued it* to the identity check of
/// the service ([`Authority::check`]). The connection is then set up for a
/// certificate from a foreign authority too, and its first call is refused
/// with `UNAUTHENTICATED` and a message that says why, rather than failing
/// as an opaque handshake error. No call is served without that check.
#[derive(Debug)]
pub struct DeferredClientVerifier {
    inner: Arc<dyn ClientCertVerifier>,
}

impl DeferredClientVerifier {
    /// For the authority.
    pub fn new(authority: &Authority) -> Arc<Self> {
        Arc::new(Self {
            inner: authority.verifier.clone(),
        })
    }
}

impl ClientCertVerifier for DeferredClientVerifier {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        false
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.inner.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// The Secretariat's rustls configuration for gRPC over TCP (ALPN `h2`),
/// with the deferred client check.
pub fn secretariat_rustls(
    c: &Credentials,
    authority: &Authority,
) -> Result<rustls::ServerConfig, String> {
    let chain = CertificateDer::pem_slice_iter(c.cert.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("the Secretariat's certificate: {e}"))?;
    let key = PrivateKeyDer::from_pem_slice(c.key.as_bytes())
        .map_err(|e| format!("the Secretariat's key: {e}"))?;
    let mut cfg = rustls::ServerConfig::builder()
        .with_client_cert_verifier(DeferredClientVerifier::new(authority))
        .with_single_cert(chain, key)
        .map_err(|e| format!("the Secretariat's certificate: {e}"))?;
    cfg.alpn_protocols = vec![b"h2".to_vec()];
    Ok(cfg)
}

/// TLS connections accepted on a listener, each handshake in its own task;
/// failed handshakes are dropped without stopping the others.
pub fn accept(
    listener: tokio::net::TcpListener,
    config: rustls::ServerConfig,
) -> tokio_stream::wrappers::ReceiverStream<
    Result<tokio_rustls::server::TlsStream<tokio::net::TcpStream>, std::io::Error>,
> {
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let (tx, rx) = tokio::sync::mpsc::channel(64);
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                continue;
            };
            let _ = tcp.set_nodelay(true);
            if tx.is_closed() {
                return;
            }
            let acceptor = acceptor.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                if let Ok(Ok(tls)) =
                    tokio::time::timeout(std::time::Duration::from_secs(20), acceptor.accept(tcp))
                        .await
                {
                    let _ = tx.send(Ok(tls)).await;
                }
            });
        }
    });
    tokio_stream::wrappers::ReceiverStream::new(rx)
}
