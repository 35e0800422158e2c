//! The TLS of the direct talks between delegations' nodes (the bilateral
//! talks of an accession), without letting a member's certificate serve.
//!
//! Certificates from the authority are for clients only, except the
//! Secretariat's (`crate::pki`): a delegation node cannot serve its
//! `rappard.v1.Delegation` service with its own. It serves it instead with
//! a key it makes when it starts and keeps in memory ([`TalksIdentity`]):
//! a self-signed certificate, for serving only (serverAuth), naming
//! `rappard://talks/ID`, valid no longer than the node's own certificate.
//! The node gives the certificate's SHA-256 fingerprint when it joins
//! (`JoinRequest.talks_certificate_sha256`, beside its address); the
//! Secretariat keeps it with the id read from the node's certificate and
//! hands both to applicants (`Counterpart`). An applicant's node accepts the
//! server only if its certificate is exactly the one with that fingerprint
//! (and names that member, and is within its validity)
//! ([`PinnedVerifier`]): it reaches the counterpart it meant, or nobody.
//! The Secretariat vouches for the fingerprint; the authority signs
//! nothing for the talks, so a Secretariat without the authority's key
//! still brings nodes together.
//!
//! The other way round is unchanged: the serving node asks for the
//! applicant's certificate from the authority (clientAuth) in the
//! handshake, and reads who makes the offer from it.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use rcgen::{
    CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, KeyPair,
    KeyUsagePurpose, SanType,
};
use rustls::DigitallySignedStruct;
use rustls::SignatureScheme;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use sha2::Digest as _;
use tonic::transport::{Certificate, Channel, Endpoint, Identity, ServerTlsConfig};

use crate::Error;
use crate::pki::Credentials;

/// The length of a talks certificate's fingerprint (SHA-256).
pub const FINGERPRINT_BYTES: usize = 32;

/// The SHA-256 of a certificate (DER).
pub fn fingerprint(der: &[u8]) -> Vec<u8> {
    sha2::Sha256::digest(der).to_vec()
}

fn talks_err(what: &str) -> impl FnOnce(String) -> Error + '_ {
    move |detail| Error::Certificate {
        what: what.to_owned(),
        detail,
    }
}

/// A node's key and self-signed certificate for serving its direct talks
/// (module doc). The key never leaves the node's memory.
pub struct TalksIdentity {
    cert: String,
    key: String,
    fingerprint: Vec<u8>,
}

impl TalksIdentity {
    /// A new key and certificate for the holder of `creds`: serverAuth
    /// only, naming `rappard://talks/ID`, valid while the node's own
    /// certificate is.
    pub fn generate(creds: &Credentials) -> Result<Self, Error> {
        let own = crate::tls::chain(&creds.cert, "the node's certificate")?;
        let first = own.first().ok_or_else(|| {
            talks_err("the node's certificate")("the file holds no certificate".into())
        })?;
        let (id, _) = crate::pki::identity(first.as_ref()).ok_or_else(|| {
            talks_err("the node's certificate")("it carries no rappard://ROLE/ID name".into())
        })?;
        let (_, parsed) = x509_parser::parse_x509_certificate(first.as_ref())
            .map_err(|e| talks_err("the node's certificate")(e.to_string()))?;
        let at = |t: x509_parser::time::ASN1Time| {
            SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(t.timestamp()).unwrap_or(0))
        };
        let mut p = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, format!("talks {id}"));
        p.distinguished_name = dn;
        let uri = format!("rappard://talks/{id}");
        p.subject_alt_names =
            vec![SanType::URI(uri.clone().try_into().map_err(
                |e: rcgen::Error| talks_err("the talks name")(e.to_string()),
            )?)];
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        p.not_before = at(parsed.validity().not_before).into();
        p.not_after = at(parsed.validity().not_after).into();
        let key = KeyPair::generate().map_err(|e| talks_err("the talks key")(e.to_string()))?;
        let cert = p
            .self_signed(&key)
            .map_err(|e| talks_err("the talks certificate")(e.to_string()))?;
        Ok(Self {
            fingerprint: fingerprint(cert.der()),
            cert: cert.pem(),
            key: key.serialize_pem(),
        })
    }

    /// The certificate's SHA-256, which the node gives when it joins.
    pub fn fingerprint(&self) -> &[u8] {
        &self.fingerprint
    }

    /// The server configuration of the node's Delegation service: this
    /// identity, and client certificates from the authority whose
    /// certificate is `ca` (PEM), verified in the handshake.
    pub fn server_tls(&self, ca: &str) -> ServerTlsConfig {
        ServerTlsConfig::new()
            .identity(Identity::from_pem(&self.cert, &self.key))
            .client_ca_root(Certificate::from_pem(ca))
    }
}

/// The id a talks certificate names (`rappard://talks/ID`).
fn talks_name(cert: &x509_parser::certificate::X509Certificate<'_>) -> Option<String> {
    let san = cert.subject_alternative_name().ok()??;
    san.value.general_names.iter().find_map(|n| match n {
        x509_parser::extensions::GeneralName::URI(uri) => {
            uri.strip_prefix("rappard://talks/").map(str::to_owned)
        }
        _ => None,
    })
}

/// An applicant's check of a Working Party member's node: its certificate
/// must be the one whose fingerprint the Secretariat gave for that member,
/// name the member, and be within its validity (module doc).
#[derive(Debug)]
pub struct PinnedVerifier {
    member: String,
    pin: Vec<u8>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl PinnedVerifier {
    /// For `member`'s node, whose talks certificate has the SHA-256 `pin`.
    pub fn new(member: &str, pin: &[u8]) -> Arc<Self> {
        Arc::new(Self {
            member: member.to_owned(),
            pin: pin.to_vec(),
            algorithms: rustls::crypto::ring::default_provider().signature_verification_algorithms,
        })
    }
}

impl ServerCertVerifier for PinnedVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let member = &self.member;
        if fingerprint(end_entity.as_ref()) != self.pin {
            return Err(rustls::Error::General(format!(
                "the node there is not {member}'s: its certificate is not the one {member} gave the Secretariat"
            )));
        }
        let (_, cert) = x509_parser::parse_x509_certificate(end_entity.as_ref()).map_err(|_| {
            rustls::Error::InvalidCertificate(rustls::CertificateError::BadEncoding)
        })?;
        let now = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
        let valid = x509_parser::time::ASN1Time::from_timestamp(now)
            .is_ok_and(|t| cert.validity().is_valid_at(t));
        if !valid {
            return Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::Expired,
            ));
        }
        if talks_name(&cert).as_deref() != Some(member.as_str()) {
            return Err(rustls::Error::General(format!(
                "the talks certificate does not name rappard://talks/{member}"
            )));
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// A channel to `member`'s Delegation service at `address` (`HOST:PORT`),
/// as the holder of `creds` (an applicant), accepting only the talks
/// certificate whose SHA-256 is `pin` ([`PinnedVerifier`]).
pub async fn connect(
    address: &str,
    member: &str,
    pin: &[u8],
    creds: &Credentials,
) -> Result<Channel, Error> {
    let to = format!("{member} at {address} (direct talks)");
    let refused = |detail: String| Error::Connect {
        to: to.clone(),
        detail,
    };
    let mut tls = rustls::ClientConfig::builder()
        .dangerous()
        .with_custom_certificate_verifier(PinnedVerifier::new(member, pin))
        .with_client_auth_cert(
            crate::tls::chain(&creds.cert, "the client certificate")?,
            crate::tls::key(&creds.key, "the client key")?,
        )
        .map_err(|e| Error::TlsConfig {
            what: "the client certificate".into(),
            detail: e.to_string(),
        })?;
    tls.alpn_protocols = vec![b"h2".to_vec()];
    let tls = tokio_rustls::TlsConnector::from(Arc::new(tls));
    let host = address
        .rsplit_once(':')
        .map_or(address, |(h, _)| h)
        .trim_matches(['[', ']']);
    let name = ServerName::try_from(host.to_owned())
        .map_err(|e| refused(format!("the host `{host}`: {e}")))?;
    let target = address.to_owned();
    let connector = tower::service_fn(move |_: tonic::transport::Uri| {
        let (tls, target, name) = (tls.clone(), target.clone(), name.clone());
        async move {
            let handshake = async {
                let tcp = tokio::net::TcpStream::connect(&target).await?;
                let _ = tcp.set_nodelay(true);
                tls.connect(name, tcp).await
            };
            let stream = tokio::time::timeout(crate::CONNECT_TIMEOUT, handshake)
                .await
                .map_err(|_| std::io::Error::from(std::io::ErrorKind::TimedOut))??;
            Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(stream))
        }
    });
    Endpoint::from_shared(format!("http://{address}"))
        .map_err(|e| refused(crate::causes(&e)))?
        .connect_timeout(crate::CONNECT_TIMEOUT)
        .connect_with_connector(connector)
        .await
        .map_err(|e| refused(crate::causes(&e)))
}
