//! TLS configurations for both ends of a gRPC connection, from a node's
//! credentials.
//!
//! The Secretariat asks every client for a certificate but does not make it
//! mandatory at the handshake, and checks who issued it after the handshake
//! ([`DeferredClientVerifier`], [`Authority`]): a call without a
//! certificate, or with one from a foreign authority, reaches the identity
//! check and is refused there with `UNAUTHENTICATED` and a message, rather
//! than failing as an opaque transport error, and the health service
//! answers probes over TLS without a certificate. Such connections are
//! bounded per address and closed soon after their handshake
//! ([`crate::limits`]); `Limits::require_client_certificate` refuses them at
//! the handshake instead. A delegation's own Delegation service
//! ([`server`]) verifies client certificates in the handshake.
//!
//! A node reaching the Secretariat checks, in the handshake and before it
//! shows its own certificate, that the server's certificate is from the
//! authority *and* carries the Secretariat's role, `rappard://secretariat/ID`
//! ([`SecretariatVerifier`]): members' certificates are server certificates
//! too (each node serves its Delegation service for direct talks), so the
//! authority alone would let a member's node pass for the Secretariat.

use std::sync::Arc;

use rustls::DigitallySignedStruct;
use rustls::DistinguishedName;
use rustls::SignatureScheme;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::server::WebPkiClientVerifier;
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use tonic::transport::{Certificate, ClientTlsConfig, Identity, ServerTlsConfig};
use tracing::Instrument as _;

use crate::Error;
use crate::limits::{ConnectionInfo, Gate, Guarded, warn_throttled};
use crate::pki::{Credentials, Role};

fn tls_err(what: &str) -> impl FnOnce(String) -> Error + '_ {
    move |detail| Error::TlsConfig {
        what: what.to_owned(),
        detail,
    }
}

/// A certificate chain (PEM), end entity first.
pub(crate) fn chain(pem: &str, what: &str) -> Result<Vec<CertificateDer<'static>>, Error> {
    CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| tls_err(what)(e.to_string()))
}

/// A private key (PEM).
pub(crate) fn key(pem: &str, what: &str) -> Result<PrivateKeyDer<'static>, Error> {
    PrivateKeyDer::from_pem_slice(pem.as_bytes()).map_err(|e| tls_err(what)(e.to_string()))
}

/// The authority's certificates as trust roots.
pub(crate) fn roots(ca: &str) -> Result<rustls::RootCertStore, Error> {
    let mut roots = rustls::RootCertStore::empty();
    for c in chain(ca, "the authority's certificate")? {
        roots
            .add(c)
            .map_err(|e| tls_err("the authority's certificate")(e.to_string()))?;
    }
    Ok(roots)
}

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
    pub fn new(ca: &str) -> Result<Self, Error> {
        let verifier = WebPkiClientVerifier::builder(Arc::new(roots(ca)?))
            .allow_unauthenticated()
            .build()
            .map_err(|e| tls_err("the client verifier")(e.to_string()))?;
        Ok(Self { verifier })
    }

    /// Whether the authority issued this chain (end entity first); if not,
    /// `UNAUTHENTICATED` with the reason.
    pub fn check(&self, chain: &[CertificateDer<'static>]) -> Result<(), Error> {
        let refused = |why: String| {
            Error::Unauthenticated(format!(
                "the client certificate was not issued by this negotiation's authority: {why}"
            ))
        };
        let (ee, rest) = chain
            .split_first()
            .ok_or_else(|| refused("no certificate".into()))?;
        self.verifier
            .verify_client_cert(ee, rest, UnixTime::now())
            .map(|_| ())
            .map_err(|e| refused(e.to_string()))
    }
}

/// A client verifier that asks every client for a certificate and checks,
/// in the handshake, that the client holds the key of the certificate it
/// shows, but leaves the question *who issued it* to the identity check of
/// the service ([`Authority::check`]). The connection is then set up for a
/// certificate from a foreign authority too, and its first call is refused
/// with `UNAUTHENTICATED` and a message that says why, rather than failing
/// as an opaque handshake error. No call is served without that check.
///
/// With `mandatory`, a client that shows no certificate fails the
/// handshake (`Limits::require_client_certificate`).
#[derive(Debug)]
pub struct DeferredClientVerifier {
    inner: Arc<dyn ClientCertVerifier>,
    mandatory: bool,
}

impl DeferredClientVerifier {
    /// For the authority; a certificate required at the handshake if
    /// `mandatory`.
    pub fn new(authority: &Authority, mandatory: bool) -> Arc<Self> {
        Arc::new(Self {
            inner: authority.verifier.clone(),
            mandatory,
        })
    }
}

impl ClientCertVerifier for DeferredClientVerifier {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        self.mandatory
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
/// with the deferred client check (a certificate required at the handshake
/// if `require_certificate`).
pub fn secretariat_rustls(
    c: &Credentials,
    authority: &Authority,
    require_certificate: bool,
) -> Result<rustls::ServerConfig, Error> {
    let mut cfg = secretariat_server_config(c, authority, require_certificate)?;
    cfg.alpn_protocols = vec![b"h2".to_vec()];
    Ok(cfg)
}

/// The Secretariat's rustls server configuration (its certificate, the
/// deferred client check), without ALPN: for TCP and for QUIC.
pub(crate) fn secretariat_server_config(
    c: &Credentials,
    authority: &Authority,
    require_certificate: bool,
) -> Result<rustls::ServerConfig, Error> {
    rustls::ServerConfig::builder()
        .with_client_cert_verifier(DeferredClientVerifier::new(authority, require_certificate))
        .with_single_cert(
            chain(&c.cert, "the Secretariat's certificate")?,
            key(&c.key, "the Secretariat's key")?,
        )
        .map_err(|e| tls_err("the Secretariat's certificate")(e.to_string()))
}

/// TLS connections accepted on a listener under the gate's limits
/// ([`crate::limits`]), each handshake in its own task (in a `connection`
/// span naming the peer's address): a connection over its address's limit
/// is closed at once; a handshake that fails or outlasts
/// `handshake_timeout` is logged (throttled) and dropped without stopping
/// the others.
pub fn accept(
    listener: tokio::net::TcpListener,
    config: rustls::ServerConfig,
    gate: Arc<Gate>,
) -> tokio_stream::wrappers::ReceiverStream<Result<Guarded<TlsStream>, std::io::Error>> {
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let (tx, rx) = tokio::sync::mpsc::channel(64);
    tokio::spawn(async move {
        loop {
            let (tcp, remote) = match listener.accept().await {
                Ok(c) => c,
                Err(e) => {
                    warn_throttled!("accept failed", error = %e, "accepting a TCP connection failed");
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                    continue;
                }
            };
            if tx.is_closed() {
                return;
            }
            let Some(slot) = gate.admit(remote, "tcp") else {
                continue;
            };
            let _ = tcp.set_nodelay(true);
            let span = tracing::error_span!("connection", transport = "tcp", %remote);
            let handshake = handshake(acceptor.clone(), tcp, remote, slot, gate.clone());
            let tx = tx.clone();
            tokio::spawn(
                async move {
                    if let Some(tls) = handshake.await {
                        let _ = tx.send(Ok(tls)).await;
                    }
                }
                .instrument(span),
            );
        }
    });
    tokio_stream::wrappers::ReceiverStream::new(rx)
}

/// A TLS stream of the Secretariat's.
pub type TlsStream = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;

/// One TLS handshake within `handshake_timeout`, and what the gate makes
/// of the connection after it; `None` (logged) if it failed.
async fn handshake(
    acceptor: tokio_rustls::TlsAcceptor,
    tcp: tokio::net::TcpStream,
    remote: std::net::SocketAddr,
    slot: crate::limits::Slot<std::net::IpAddr>,
    gate: Arc<Gate>,
) -> Option<Guarded<TlsStream>> {
    let timeout = gate.limits().handshake_timeout;
    let tls = match tokio::time::timeout(timeout, acceptor.accept(tcp)).await {
        Ok(Ok(tls)) => tls,
        Ok(Err(e)) => {
            warn_throttled!("TLS handshake failed", error = %e, "TLS handshake failed");
            return None;
        }
        Err(_) => {
            warn_throttled!(
                "TLS handshake timed out",
                "TLS handshake timed out after {} s (--handshake-timeout)",
                timeout.as_secs_f64()
            );
            return None;
        }
    };
    tracing::debug!("TLS handshake completed");
    let peer_certs = tls
        .get_ref()
        .1
        .peer_certificates()
        .map(|c| Arc::new(c.to_vec()));
    let (held, standing) = gate.settle(slot, peer_certs.as_deref().map(Vec::as_slice));
    let info = ConnectionInfo {
        remote,
        peer_certs,
        standing,
    };
    Some(Guarded::new(tls, info, held, gate))
}

/// The server certificate check of a node reaching the Secretariat: the
/// chain and name as webpki checks them against the authority, then the
/// role of the certificate's `rappard://ROLE/ID` name, which must be
/// `secretariat` (module doc). A refusal fails the handshake and is kept
/// ([`SecretariatVerifier::refusal`]) so that the caller can say why,
/// rather than report an opaque connection failure.
#[derive(Debug)]
pub struct SecretariatVerifier {
    inner: Arc<WebPkiServerVerifier>,
    refused: std::sync::Mutex<Option<String>>,
}

impl SecretariatVerifier {
    /// For the authority whose certificate is `ca` (PEM).
    pub fn new(ca: &str) -> Result<Arc<Self>, Error> {
        let inner = WebPkiServerVerifier::builder(Arc::new(roots(ca)?))
            .build()
            .map_err(|e| tls_err("the server verifier")(e.to_string()))?;
        Ok(Arc::new(Self {
            inner,
            refused: std::sync::Mutex::new(None),
        }))
    }

    /// Why the last handshake was refused because of the server's role,
    /// if it was.
    pub fn refusal(&self) -> Option<String> {
        self.refused.lock().ok().and_then(|r| r.clone())
    }

    fn refuse(&self, why: String) -> rustls::Error {
        if let Ok(mut r) = self.refused.lock() {
            *r = Some(why.clone());
        }
        rustls::Error::General(why)
    }
}

/// Why a server certificate the authority issued is not the Secretariat's
/// (`None`: it is).
pub fn not_the_secretariat(end_entity: &[u8]) -> Option<String> {
    match crate::pki::identity(end_entity) {
        Some((_, Role::Secretariat)) => None,
        Some((id, role)) => Some(format!(
            "its certificate names rappard://{}/{id}, not rappard://secretariat/…: a {} node cannot serve as the Secretariat",
            role.as_str(),
            role.as_str()
        )),
        None => Some("its certificate carries no rappard://secretariat/… name".into()),
    }
}

impl ServerCertVerifier for SecretariatVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verified = self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )?;
        match not_the_secretariat(end_entity.as_ref()) {
            None => Ok(verified),
            Some(why) => Err(self.refuse(why)),
        }
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

/// A node's rustls client configuration for the Secretariat: the
/// [`SecretariatVerifier`], and its certificate if `with_cert`; no ALPN.
pub(crate) fn secretariat_client_config(
    c: &Credentials,
    verifier: Arc<SecretariatVerifier>,
    with_cert: bool,
) -> Result<rustls::ClientConfig, Error> {
    let builder = rustls::ClientConfig::builder()
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    if !with_cert {
        return Ok(builder.with_no_client_auth());
    }
    builder
        .with_client_auth_cert(
            chain(&c.cert, "the client certificate")?,
            key(&c.key, "the client key")?,
        )
        .map_err(|e| tls_err("the client certificate")(e.to_string()))
}
