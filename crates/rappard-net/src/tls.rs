//! TLS configurations for both ends of a gRPC connection to the
//! Secretariat, from a node's credentials.
//!
//! The Secretariat asks every client for a certificate but does not make it
//! mandatory at the handshake, and checks it after the handshake, on every
//! call ([`DeferredClientVerifier`], [`Authority`]): a call without a
//! certificate, with one from a foreign authority, a revoked or an expired
//! one, reaches the identity check and is refused there with
//! `UNAUTHENTICATED` and a message that names the certificate's holder and
//! why, rather than failing as an opaque transport error. The authority's
//! revocation list (`crate::revocation`) is read at start and again when
//! its file changes. The health service answers probes over TLS without a certificate.
//! Connections without a certificate of the authority are bounded per
//! address and closed soon after their handshake ([`crate::limits`]);
//! `Limits::require_client_certificate` refuses a handshake without a
//! certificate instead.
//!
//! A node reaching the Secretariat checks, in the handshake and before it
//! shows its own certificate, that the server's certificate is from the
//! authority, is for serving (webpki checks the serverAuth usage, which
//! only the Secretariat's certificate has: `crate::pki`) *and* carries the
//! Secretariat's role, `rappard://secretariat/ID` ([`SecretariatVerifier`]).
//! The direct talks between delegations' nodes have their own TLS
//! (`crate::talks`).

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
use tonic::transport::{Certificate, ClientTlsConfig};
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

/// A client configuration without a certificate of its own (for tests of
/// refusal, and for tools that only check health).
pub fn client_anonymous(ca: &str) -> ClientTlsConfig {
    ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(ca))
        .domain_name("localhost")
}

/// The negotiation's authority, to check a client's certificate chain after
/// the handshake (module doc of [`DeferredClientVerifier`]): issued by the
/// authority, for clients, within its validity, and not on the authority's
/// revocation list, if it has one.
#[derive(Clone, Debug)]
pub struct Authority {
    inner: Arc<AuthorityInner>,
}

#[derive(Debug)]
struct AuthorityInner {
    ca: String,
    roots: Arc<rustls::RootCertStore>,
    /// The verifier without revocations, for the handshake's signatures.
    base: Arc<dyn ClientCertVerifier>,
    /// The revocation list's file, if revocations are checked.
    revocations: Option<std::path::PathBuf>,
    current: std::sync::RwLock<Current>,
}

/// The verifier in force, and the state of the revocation list's file it
/// was made from.
#[derive(Debug)]
struct Current {
    stamp: Option<(std::time::SystemTime, u64)>,
    verifier: Arc<dyn ClientCertVerifier>,
}

/// The modification time and length of a file, to notice a change.
fn stamp(path: &std::path::Path) -> Option<(std::time::SystemTime, u64)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}

impl Authority {
    /// The authority whose certificate is `ca` (PEM), without revocations.
    pub fn new(ca: &str) -> Result<Self, Error> {
        let roots = Arc::new(roots(ca)?);
        let base = client_verifier(&roots, None)?;
        Ok(Self {
            inner: Arc::new(AuthorityInner {
                ca: ca.to_owned(),
                roots,
                base: base.clone(),
                revocations: None,
                current: std::sync::RwLock::new(Current {
                    stamp: None,
                    verifier: base,
                }),
            }),
        })
    }

    /// The authority whose certificate is `ca` (PEM), with the revocation
    /// list at `path` (`crate::revocation`; no file: nothing revoked). A
    /// list that cannot be read, or that the authority did not sign, is an
    /// error here; later changes to the file are read on the next check.
    pub fn with_revocations(ca: &str, path: &std::path::Path) -> Result<Self, Error> {
        let plain = Self::new(ca)?;
        let inner = Arc::into_inner(plain.inner)
            .ok_or_else(|| Error::Internal("the authority is shared already".into()))?;
        let stamp = stamp(path);
        let verifier = match crate::revocation::load(path, ca)? {
            Some((crl, n)) => {
                tracing::info!(path = %path.display(), revoked = n, "revocation list loaded");
                client_verifier(&inner.roots, Some(crl))?
            }
            None => inner.base.clone(),
        };
        Ok(Self {
            inner: Arc::new(AuthorityInner {
                revocations: Some(path.to_owned()),
                current: std::sync::RwLock::new(Current { stamp, verifier }),
                ..inner
            }),
        })
    }

    /// The verifier in force, after reading the revocation list again if
    /// its file changed (a list that cannot be read now, or that the
    /// authority did not sign, is ignored with a warning: the previous one
    /// stays in force).
    fn verifier(&self) -> Arc<dyn ClientCertVerifier> {
        let poisoned = |_| Arc::clone(&self.inner.base);
        let Some(path) = &self.inner.revocations else {
            return self
                .inner
                .current
                .read()
                .map(|c| c.verifier.clone())
                .unwrap_or_else(poisoned);
        };
        let now = stamp(path);
        if let Ok(c) = self.inner.current.read()
            && c.stamp == now
        {
            return c.verifier.clone();
        }
        let Ok(mut c) = self.inner.current.write() else {
            return self.inner.base.clone();
        };
        if c.stamp != now {
            c.stamp = now;
            match crate::revocation::load(path, &self.inner.ca).and_then(|crl| {
                Ok((
                    client_verifier(&self.inner.roots, crl.clone().map(|c| c.0))?,
                    crl,
                ))
            }) {
                Ok((verifier, crl)) => {
                    let revoked = crl.map_or(0, |c| c.1);
                    tracing::info!(path = %path.display(), revoked, "revocation list read again");
                    c.verifier = verifier;
                }
                Err(e) => tracing::warn!(
                    path = %path.display(),
                    error = %e,
                    "the revocation list changed but cannot be used: the previous one stays in force"
                ),
            }
        }
        c.verifier.clone()
    }

    /// Whether the authority issued this chain (end entity first) for a
    /// client, valid now and not revoked; if not, `UNAUTHENTICATED` with
    /// the reason, naming the certificate's holder.
    pub fn check(&self, chain: &[CertificateDer<'static>]) -> Result<(), Error> {
        let (ee, rest) = chain.split_first().ok_or_else(|| {
            Error::Unauthenticated(
                "the client certificate was not issued by this negotiation's authority: no certificate".into(),
            )
        })?;
        self.verifier()
            .verify_client_cert(ee, rest, UnixTime::now())
            .map(|_| ())
            .map_err(|e| Error::Unauthenticated(refusal(ee, &e)))
    }
}

/// A webpki client verifier for the authority's roots (certificates
/// optional: the identity check says what is missing), with a revocation
/// list if given (end entities only).
fn client_verifier(
    roots: &Arc<rustls::RootCertStore>,
    crl: Option<rustls::pki_types::CertificateRevocationListDer<'static>>,
) -> Result<Arc<dyn ClientCertVerifier>, Error> {
    let mut builder = WebPkiClientVerifier::builder(roots.clone()).allow_unauthenticated();
    if let Some(crl) = crl {
        builder = builder.with_crls([crl]).only_check_end_entity_revocation();
    }
    builder
        .build()
        .map_err(|e| tls_err("the client verifier")(e.to_string()))
}

/// Why a client certificate is refused, naming its holder when it names
/// one: revoked, expired, not yet valid, not for clients, or not from the
/// authority.
fn refusal(ee: &CertificateDer<'_>, e: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    let who = match crate::pki::identity(ee.as_ref()) {
        Some((id, role)) => format!("{id} (rappard://{}/{id})", role.as_str()),
        None => "the client".to_owned(),
    };
    let rustls::Error::InvalidCertificate(c) = e else {
        return format!(
            "the client certificate was not issued by this negotiation's authority: {e}"
        );
    };
    match c {
        C::Revoked => format!(
            "the certificate of {who} is revoked: it is on this negotiation's revocation list"
        ),
        C::Expired | C::ExpiredContext { .. } => format!(
            "the certificate of {who} expired{}: ask the authority for a new one",
            match c {
                C::ExpiredContext { not_after, .. } => format!(" at {}", unix_time(*not_after)),
                _ => String::new(),
            }
        ),
        C::NotValidYet | C::NotValidYetContext { .. } => {
            format!("the certificate of {who} is not valid yet")
        }
        C::InvalidPurpose | C::InvalidPurposeContext { .. } => {
            format!("the certificate of {who} is not for clients (no clientAuth usage)")
        }
        _ => format!("the client certificate was not issued by this negotiation's authority: {e}"),
    }
}

/// A time as RFC 3339 (UTC), for messages.
fn unix_time(t: UnixTime) -> String {
    let secs = i64::try_from(t.as_secs()).unwrap_or(i64::MAX);
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|d| {
            d.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| format!("{secs} s after 1970"))
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
            inner: authority.inner.base.clone(),
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
/// chain, usage (serverAuth) and name as webpki checks them against the
/// authority, then the role of the certificate's `rappard://ROLE/ID` name, which must be
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

/// The names every Secretariat's certificate carries (`crate::pki`); a
/// certificate with no other is verified under `localhost`, whatever the
/// address dialled.
pub const DEFAULT_NAMES: [&str; 2] = ["localhost", "127.0.0.1"];

/// The DNS names and IP addresses a certificate names (its subject
/// alternative names), as text.
pub fn server_names(der: &[u8]) -> Vec<String> {
    let Ok((_, cert)) = x509_parser::parse_x509_certificate(der) else {
        return Vec::new();
    };
    let Ok(Some(san)) = cert.subject_alternative_name() else {
        return Vec::new();
    };
    san.value
        .general_names
        .iter()
        .filter_map(|n| match n {
            x509_parser::extensions::GeneralName::DNSName(d) => Some((*d).to_owned()),
            x509_parser::extensions::GeneralName::IPAddress(ip) => match ip.len() {
                4 => <[u8; 4]>::try_from(*ip)
                    .ok()
                    .map(|b| std::net::IpAddr::from(b).to_string()),
                16 => <[u8; 16]>::try_from(*ip)
                    .ok()
                    .map(|b| std::net::IpAddr::from(b).to_string()),
                _ => None,
            },
            _ => None,
        })
        .collect()
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
        let verified = self
            .inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            .or_else(|e| match (&e, server_names(end_entity.as_ref())) {
                // Not named so: an older certificate, which names only
                // `localhost` and `127.0.0.1`, is verified under
                // `localhost` whatever the address dialled; one named for
                // its server must name what was dialled.
                (
                    rustls::Error::InvalidCertificate(
                        rustls::CertificateError::NotValidForName
                        | rustls::CertificateError::NotValidForNameContext { .. },
                    ),
                    names,
                ) if names.iter().all(|n| DEFAULT_NAMES.contains(&n.as_str())) => {
                    let localhost = ServerName::try_from("localhost").map_err(|_| e.clone())?;
                    self.inner.verify_server_cert(
                        end_entity,
                        intermediates,
                        &localhost,
                        ocsp_response,
                        now,
                    )
                }
                (
                    rustls::Error::InvalidCertificate(
                        rustls::CertificateError::NotValidForName
                        | rustls::CertificateError::NotValidForNameContext { .. },
                    ),
                    names,
                ) => Err(self.refuse(format!(
                    "the Secretariat's certificate names {}, not {}: dial one of those (`rappard pki issue --role secretariat --secretariat-name` adds names)",
                    names.join(", "),
                    server_name.to_str()
                ))),
                _ => Err(e),
            })
            .map_err(|e| match (&e, not_the_secretariat(end_entity.as_ref())) {
                // A member's or an applicant's certificate is for clients
                // only: webpki refuses its usage; say whose it is.
                (
                    rustls::Error::InvalidCertificate(
                        rustls::CertificateError::InvalidPurpose
                        | rustls::CertificateError::InvalidPurposeContext { .. },
                    ),
                    Some(why),
                ) => self.refuse(format!(
                    "{why} (its certificate is for clients only, without the serverAuth usage)"
                )),
                _ => e,
            })?;
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

#[cfg(test)]
mod names {
    use super::*;
    use crate::pki::{self, Existing, Validity};
    use rappard_core::member::MemberId;

    /// A fresh authority in a temporary directory, and the Secretariat's
    /// certificate (DER) issued there with `names`; the authority (PEM).
    fn secretariat(tag: &str, names: &[&str]) -> (Vec<u8>, String) {
        let dir = std::env::temp_dir().join(format!("rappard-names-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        pki::init(&dir, Existing::Refuse, Validity::days(pki::AUTHORITY_DAYS)).expect("init");
        let wto = MemberId::new(pki::SECRETARIAT_ID).expect("id");
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let days = Validity::days(pki::NODE_DAYS);
        let (pem, _) = pki::issue_named(
            &dir,
            &wto,
            Role::Secretariat,
            Existing::Refuse,
            days,
            &names,
        )
        .expect("issue");
        let cert = chain(&std::fs::read_to_string(pem).expect("pem"), "cert").expect("chain");
        let ca = std::fs::read_to_string(dir.join("ca.pem")).expect("ca");
        let _ = std::fs::remove_dir_all(&dir);
        (cert[0].as_ref().to_vec(), ca)
    }

    /// Whether the Secretariat's certificate `der` passes the check of a
    /// node that dialled `dialled`; the refusal otherwise.
    fn check(der: &[u8], ca: &str, dialled: &str) -> Result<(), String> {
        crate::install_crypto();
        let verifier = SecretariatVerifier::new(ca).expect("verifier");
        let name = ServerName::try_from(dialled.to_owned()).expect("name");
        verifier
            .verify_server_cert(
                &CertificateDer::from(der.to_vec()),
                &[],
                &name,
                &[],
                UnixTime::now(),
            )
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// `--secretariat-name` adds DNS names and IP addresses (v4 and v6) to
    /// `localhost` and `127.0.0.1`; a node dialling one of them is
    /// verified under it, and one dialling another name is refused with
    /// the names the certificate has.
    #[test]
    fn a_named_certificate_is_verified_under_the_name_dialled() {
        let (der, ca) = secretariat(
            "named",
            &["rappard.test", "192.0.2.10", "2001:db8::1", "localhost"],
        );
        assert_eq!(
            server_names(&der),
            [
                "localhost",
                "127.0.0.1",
                "rappard.test",
                "192.0.2.10",
                "2001:db8::1"
            ]
        );
        for ok in [
            "rappard.test",
            "192.0.2.10",
            "2001:db8::1",
            "localhost",
            "127.0.0.1",
        ] {
            check(&der, &ca, ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        let e = check(&der, &ca, "other.test").expect_err("not named");
        assert!(
            e.contains("rappard.test") && e.contains("other.test"),
            "{e}"
        );
        let e = check(&der, &ca, "192.0.2.11").expect_err("not named");
        assert!(e.contains("192.0.2.11"), "{e}");
    }

    /// A certificate without names of its own (as every one made before
    /// `--secretariat-name`) is verified under `localhost`, whatever the
    /// name or address dialled: existing PKI directories keep working.
    #[test]
    fn an_unnamed_certificate_is_verified_under_localhost() {
        let (der, ca) = secretariat("plain", &[]);
        assert_eq!(server_names(&der), ["localhost", "127.0.0.1"]);
        for dialled in ["localhost", "192.0.2.10", "server.test"] {
            check(&der, &ca, dialled).unwrap_or_else(|e| panic!("{dialled}: {e}"));
        }
    }

    /// Names are for the Secretariat only, and must be names.
    #[test]
    fn names_are_checked() {
        let dir = std::env::temp_dir().join(format!("rappard-names-bad-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        pki::init(&dir, Existing::Refuse, Validity::days(pki::AUTHORITY_DAYS)).expect("init");
        let days = Validity::days(pki::NODE_DAYS);
        let bra = MemberId::new("BRA").expect("id");
        let e = pki::issue_named(
            &dir,
            &bra,
            Role::Member,
            Existing::Refuse,
            days,
            &["bra.test".into()],
        )
        .expect_err("a member's certificate names no server");
        assert!(e.to_string().contains("only the Secretariat"), "{e}");
        let wto = MemberId::new(pki::SECRETARIAT_ID).expect("id");
        let e = pki::issue_named(
            &dir,
            &wto,
            Role::Secretariat,
            Existing::Refuse,
            days,
            &["not a name".into()],
        )
        .expect_err("not a name");
        assert!(e.to_string().contains("not a name"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
