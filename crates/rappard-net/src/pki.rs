//! A small PKI for a negotiation: a certificate authority, and a
//! certificate for each node carrying who it is and only the usage its role
//! needs.
//!
//! Identity is by certificate only, never by a message field (both
//! transports read the peer's id from its certificate): each certificate carries
//! one URI subject alternative name, `rappard://ROLE/ID`, where ROLE is
//! `member`, `applicant` or `secretariat` and ID the member id (`WTO` for
//! the Secretariat). Usage by role (extended key usage):
//!
//! | role | usage | other names |
//! |---|---|---|
//! | `secretariat` | server *and* client (it serves; its certificate is also the demo's observer's) | `localhost`, `127.0.0.1`, and the server's own names and addresses if given ([`issue_named`], `--secretariat-name`) |
//! | `member`, `applicant` | client only | none |
//!
//! So no member's or applicant's certificate can serve as the Secretariat:
//! any TLS client that checks the usage (rustls's WebPKI verifier, and
//! `crate::tls::SecretariatVerifier`, which also checks the role) refuses
//! it. A delegation node serves its direct talks with a key of its own
//! instead (`crate::talks`), never with its certificate from the authority.
//!
//! Validity: the authority [`AUTHORITY_DAYS`], every other certificate
//! [`NODE_DAYS`] unless chosen ([`Validity`], `--days`); each starts an hour
//! before it is made, for clocks a little behind. Revocation:
//! [`crate::revocation::revoke`]
//! adds a certificate to the authority's X.509 revocation list (`ca.crl`),
//! which the Secretariat checks on every call (`crate::tls::Authority`).
//! On accession the new Member's node makes its own key and sends a
//! certificate signing request ([`member_request`]); the Secretariat signs
//! it ([`SigningRequest`]) and never sees the key. The files of a directory:
//!
//! | file | what |
//! |---|---|
//! | `ca.pem`, `ca.key` | the authority (keep `ca.key` where certificates are signed: `pki issue`, `pki revoke`, and a Secretariat that signs acceded Members' requests) |
//! | `ca.crl` | the authority's revocation list, if anything was revoked |
//! | `ID.pem`, `ID.key` | a node's certificate and key (`secretariat.pem` for the Secretariat) |
//!
//! Keys are ECDSA P-256, made with rcgen on the ring provider. A
//! certificate's serial number is derived from its public key (rcgen's
//! default): one key, one serial.
//!
//! Files are never replaced unless asked ([`Existing::Replace`]): issuing
//! twice, or making a second authority over the first, is refused with
//! [`Error::Exists`]. Every key file (the authority's included) is created
//! readable by its owner only (0600 on Unix), and a directory made here is
//! its owner's only (0700). The ids `ca`, `secretariat` and `WTO` are the
//! authority's and the Secretariat's and cannot be issued to a member or an
//! applicant ([`check_id`]).

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use rcgen::{
    BasicConstraints, CertificateParams, CertificateSigningRequestParams, DistinguishedName,
    DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, PublicKeyData as _,
    SanType,
};

use rappard_core::member::MemberId;

use crate::Error;

/// What a certificate lets its holder do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// A Member's delegation.
    Member,
    /// An applicant for accession: an observer.
    Applicant,
    /// The Secretariat (and observers it lets read the record).
    Secretariat,
}

impl Role {
    /// The name in certificates and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Applicant => "applicant",
            Self::Secretariat => "secretariat",
        }
    }

    /// Parses `member`, `applicant` or `secretariat`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "member" => Some(Self::Member),
            "applicant" => Some(Self::Applicant),
            "secretariat" => Some(Self::Secretariat),
            _ => None,
        }
    }
}

/// The Secretariat's id in certificates.
pub const SECRETARIAT_ID: &str = "WTO";

fn cert_err(what: impl Into<String>) -> impl FnOnce(rcgen::Error) -> Error {
    let what = what.into();
    move |e| Error::Certificate {
        what,
        detail: e.to_string(),
    }
}

/// What to do with a certificate or key that is already there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing {
    /// Refuse ([`Error::Exists`]) and leave it as it is.
    Refuse,
    /// Replace it (`--force`).
    Replace,
}

/// Who may read a file written here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Readers {
    /// A certificate: anyone.
    Anyone,
    /// A private key: its owner only (0600 on Unix).
    Owner,
}

/// Refuses if any of `paths` exists, unless `existing` says to replace.
fn check_absent(paths: &[&Path], existing: Existing) -> Result<(), Error> {
    if existing == Existing::Replace {
        return Ok(());
    }
    match paths.iter().find(|p| p.exists()) {
        Some(p) => Err(Error::Exists(p.to_path_buf())),
        None => Ok(()),
    }
}

/// Writes a new file (replacing one there, which the caller allowed): a
/// key is created with owner-only permissions from the start, never
/// widened then narrowed.
fn write(path: PathBuf, text: &str, readers: Readers) -> Result<(), Error> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| Error::Io { path, source }
    };
    match std::fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(&path)(e)),
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(match readers {
            Readers::Anyone => 0o644,
            Readers::Owner => 0o600,
        });
    }
    #[cfg(not(unix))]
    let _ = readers;
    let mut file = options.open(&path).map_err(io(&path))?;
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(io(&path))
}

/// Creates a directory (and its parents) readable by its owner only (0700
/// on Unix); one that exists is left as it is.
pub fn create_private_dir(dir: &Path) -> Result<(), Error> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|source| Error::Io {
        path: dir.to_owned(),
        source,
    })
}

/// The ids a member or an applicant cannot hold, compared without case:
/// the file stems of the authority and the Secretariat, and the
/// Secretariat's id.
pub const RESERVED_IDS: [&str; 3] = ["ca", "secretariat", SECRETARIAT_ID];

/// Refuses an id reserved for the authority or the Secretariat
/// ([`RESERVED_IDS`]) for a member or an applicant: its files would be the
/// authority's or the Secretariat's, or its name would pass for the
/// Secretariat's.
pub fn check_id(id: &MemberId, role: Role) -> Result<(), Error> {
    if role == Role::Secretariat {
        return Ok(());
    }
    match RESERVED_IDS
        .iter()
        .find(|r| r.eq_ignore_ascii_case(id.as_str()))
    {
        Some(r) => Err(Error::ReservedId {
            id: id.to_string(),
            why: format!(
                "`{r}` is reserved for the {}; choose another id for a {}",
                if *r == "ca" {
                    "authority's files"
                } else {
                    "Secretariat"
                },
                role.as_str()
            ),
        }),
        None => Ok(()),
    }
}

fn read(path: PathBuf) -> Result<String, Error> {
    std::fs::read_to_string(&path).map_err(|source| Error::Io { path, source })
}

/// Days an authority made by [`init`] is valid, unless chosen (ten years).
pub const AUTHORITY_DAYS: u32 = 3650;

/// Days a node's certificate is valid, unless chosen: a member's, an
/// applicant's, the Secretariat's, and a member certificate signed on
/// accession.
pub const NODE_DAYS: u32 = 90;

/// How long before it is made a certificate's validity starts, for clocks
/// a little behind.
pub const BACKDATE: Duration = Duration::from_secs(3600);

/// When a certificate is valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Validity {
    /// Not before.
    pub not_before: SystemTime,
    /// Not after.
    pub not_after: SystemTime,
}

impl Validity {
    /// From an hour ago ([`BACKDATE`]) to `days` days from now.
    pub fn days(days: u32) -> Self {
        let now = SystemTime::now();
        Self {
            not_before: now - BACKDATE,
            not_after: now + Duration::from_secs(86_400 * u64::from(days)),
        }
    }

    fn apply(self, p: &mut CertificateParams) {
        p.not_before = self.not_before.into();
        p.not_after = self.not_after.into();
    }
}

fn ca_params(validity: Validity) -> CertificateParams {
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "rappard negotiation authority");
    dn.push(DnType::OrganizationName, "rappard");
    p.distinguished_name = dn;
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    validity.apply(&mut p);
    p
}

/// Makes a new authority in `dir` (created if needed, 0700), valid for
/// `validity`; an authority already there is refused ([`Error::Exists`])
/// unless `existing` says to replace it.
pub fn init(dir: &Path, existing: Existing, validity: Validity) -> Result<(), Error> {
    create_private_dir(dir)?;
    check_absent(&[&dir.join("ca.pem"), &dir.join("ca.key")], existing)?;
    let key = KeyPair::generate().map_err(cert_err("generating the authority's key"))?;
    let cert = ca_params(validity)
        .self_signed(&key)
        .map_err(cert_err("signing the authority's certificate"))?;
    write(dir.join("ca.key"), &key.serialize_pem(), Readers::Owner)?;
    write(dir.join("ca.pem"), &cert.pem(), Readers::Anyone)?;
    Ok(())
}

/// The authority of `dir`, to sign with: its certificate (`ca.pem`) and
/// key (`ca.key`); [`Error::NoAuthority`] if either is missing.
pub(crate) fn authority(dir: &Path) -> Result<Issuer<'static, KeyPair>, Error> {
    if !dir.join("ca.pem").exists() || !dir.join("ca.key").exists() {
        return Err(Error::NoAuthority(dir.to_owned()));
    }
    let key = KeyPair::from_pem(&read(dir.join("ca.key"))?).map_err(cert_err("reading ca.key"))?;
    Issuer::from_ca_cert_pem(&read(dir.join("ca.pem"))?, key).map_err(cert_err("reading ca.pem"))
}

/// The file stem of a node's certificate.
pub fn stem(id: &str, role: Role) -> String {
    match role {
        Role::Secretariat => "secretariat".to_owned(),
        Role::Member | Role::Applicant => id.to_owned(),
    }
}

/// Issues a certificate and key for `id` in `role`, valid for `validity`,
/// signed by the authority in `dir`; writes `ID.pem` and `ID.key` (the key
/// 0600) and returns their paths. A reserved id is refused ([`check_id`]),
/// and so are files already there unless `existing` says to replace them.
pub fn issue(
    dir: &Path,
    id: &MemberId,
    role: Role,
    existing: Existing,
    validity: Validity,
) -> Result<(PathBuf, PathBuf), Error> {
    issue_named(dir, id, role, existing, validity, &[])
}

/// [`issue`], and for the Secretariat, `names` besides `localhost` and
/// `127.0.0.1`: the DNS names and IP addresses clients dial it by (they
/// verify the server under the name they dial: `crate::tls`). Names are
/// refused for another role, and a name that is neither a DNS name nor an
/// IP address is refused.
pub fn issue_named(
    dir: &Path,
    id: &MemberId,
    role: Role,
    existing: Existing,
    validity: Validity,
    names: &[String],
) -> Result<(PathBuf, PathBuf), Error> {
    check_id(id, role)?;
    let extra = server_names(role, names)?;
    let name = stem(id.as_str(), role);
    let (pem, keyf) = (
        dir.join(format!("{name}.pem")),
        dir.join(format!("{name}.key")),
    );
    check_absent(&[&pem, &keyf], existing)?;
    let issuer = authority(dir)?;
    let key = KeyPair::generate().map_err(cert_err(format!("generating the key of {id}")))?;
    let mut params = node_params(id, role, validity)?;
    params.subject_alt_names.extend(extra);
    let cert = params
        .signed_by(&key, &issuer)
        .map_err(cert_err(format!("signing the certificate of {id}")))?;
    write(keyf.clone(), &key.serialize_pem(), Readers::Owner)?;
    write(pem.clone(), &cert.pem(), Readers::Anyone)?;
    Ok((pem, keyf))
}

/// The subject alternative names of `names` for a certificate in `role`
/// ([`issue_named`]), without the ones every Secretariat's has.
fn server_names(role: Role, names: &[String]) -> Result<Vec<SanType>, Error> {
    if !names.is_empty() && role != Role::Secretariat {
        return Err(Error::Certificate {
            what: "the server names".into(),
            detail: format!(
                "only the Secretariat's certificate names its server, not a {}'s",
                role.as_str()
            ),
        });
    }
    let mut sans = Vec::new();
    for name in names {
        let name = name.trim().trim_matches(['[', ']']);
        if name.is_empty() || name == "localhost" || name == "127.0.0.1" {
            continue;
        }
        let bad = |detail: String| Error::Certificate {
            what: format!("the server name `{name}`"),
            detail,
        };
        let san = match name.parse::<IpAddr>() {
            Ok(ip) => SanType::IpAddress(ip),
            Err(_) => {
                rustls::pki_types::DnsName::try_from(name)
                    .map_err(|e| bad(format!("neither an IP address nor a DNS name: {e}")))?;
                SanType::DnsName(
                    name.try_into()
                        .map_err(|e: rcgen::Error| bad(e.to_string()))?,
                )
            }
        };
        if !sans.contains(&san) {
            sans.push(san);
        }
    }
    Ok(sans)
}

/// The name `rappard://ROLE/ID`.
fn uri_name(id: &MemberId, role: Role) -> Result<SanType, Error> {
    let uri = format!("rappard://{}/{}", role.as_str(), id);
    Ok(SanType::URI(
        uri.clone()
            .try_into()
            .map_err(cert_err(format!("the name {uri}")))?,
    ))
}

/// What a node's certificate says: who it is, and only the usage its role
/// needs (module doc): the Secretariat's is for serving (with the local
/// names) and for clients; a member's or an applicant's for clients only.
fn node_params(id: &MemberId, role: Role, validity: Validity) -> Result<CertificateParams, Error> {
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, format!("{} {}", role.as_str(), id));
    p.distinguished_name = dn;
    p.subject_alt_names = vec![uri_name(id, role)?];
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    if role == Role::Secretariat {
        p.subject_alt_names.push(SanType::DnsName(
            "localhost"
                .try_into()
                .map_err(cert_err("the name localhost"))?,
        ));
        p.subject_alt_names
            .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        p.extended_key_usages
            .push(ExtendedKeyUsagePurpose::ServerAuth);
    }
    validity.apply(&mut p);
    Ok(p)
}

/// A key a node made itself, and its request to the authority.
pub struct OwnRequest {
    /// The private key (PEM): it stays with the node.
    pub key: String,
    /// The certificate signing request (DER, PKCS #10).
    pub csr: Vec<u8>,
    /// The public key (SubjectPublicKeyInfo, DER).
    pub public_key: Vec<u8>,
}

/// A new key for `id`'s member certificate, made here, and the request
/// (naming `rappard://member/ID`) for the Secretariat to sign on accession.
pub fn member_request(id: &MemberId) -> Result<OwnRequest, Error> {
    let key = KeyPair::generate().map_err(cert_err(format!("generating the key of {id}")))?;
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, format!("member {id}"));
    p.distinguished_name = dn;
    p.subject_alt_names = vec![uri_name(id, Role::Member)?];
    let csr = p
        .serialize_request(&key)
        .map_err(cert_err(format!("the certificate signing request of {id}")))?;
    Ok(OwnRequest {
        key: key.serialize_pem(),
        csr: csr.der().to_vec(),
        public_key: key.subject_public_key_info(),
    })
}

/// A certificate signing request received, its signature checked: the
/// requester holds the private key of the public key in it.
pub struct SigningRequest {
    params: CertificateSigningRequestParams,
}

impl SigningRequest {
    /// Reads a request (PEM or DER) and checks its signature; refused with
    /// [`Error::InvalidArgument`] naming `field` otherwise.
    pub fn parse(bytes: &[u8], field: &str) -> Result<Self, Error> {
        let refused = |why: String| Error::InvalidArgument(format!("field `{field}`: {why}"));
        if bytes.is_empty() {
            return Err(refused(
                "empty: send a certificate signing request for a key of your own".into(),
            ));
        }
        let parsed = match std::str::from_utf8(bytes) {
            Ok(text) if text.trim_start().starts_with("-----BEGIN") => {
                CertificateSigningRequestParams::from_pem(text)
            }
            _ => CertificateSigningRequestParams::from_der(&bytes.to_vec().into()),
        };
        let params = parsed.map_err(|e| {
            refused(format!(
                "not a certificate signing request with a valid signature (PEM or DER): {e}"
            ))
        })?;
        Ok(Self { params })
    }

    /// The `rappard://ROLE/ID` names it asks for.
    pub fn rappard_names(&self) -> Vec<String> {
        self.params
            .params
            .subject_alt_names
            .iter()
            .filter_map(|n| match n {
                SanType::URI(uri) if uri.as_str().starts_with("rappard://") => {
                    Some(uri.as_str().to_owned())
                }
                _ => None,
            })
            .collect()
    }

    /// Its public key (SubjectPublicKeyInfo, DER).
    pub fn public_key(&self) -> Vec<u8> {
        self.params.public_key.subject_public_key_info()
    }

    /// Signs, with the authority in `dir`, a certificate for this request's
    /// key naming `id` in `role`, valid for `validity`. Whatever else the
    /// request asks for (names, usages) is ignored: the authority decides
    /// both (as for `pki issue`). Returns the certificate (PEM).
    pub fn sign(
        mut self,
        dir: &Path,
        id: &MemberId,
        role: Role,
        validity: Validity,
    ) -> Result<String, Error> {
        let issuer = authority(dir)?;
        self.params.params = node_params(id, role, validity)?;
        let cert = self
            .params
            .signed_by(&issuer)
            .map_err(cert_err(format!("signing the certificate of {id}")))?;
        Ok(cert.pem())
    }
}

/// A node's credentials, read from a directory.
#[derive(Clone, Debug)]
pub struct Credentials {
    /// The authority's certificate (PEM).
    pub ca: String,
    /// The node's certificate (PEM).
    pub cert: String,
    /// The node's key (PEM).
    pub key: String,
}

/// Reads the credentials of `stem` (`secretariat` or a member id) in `dir`.
pub fn load(dir: &Path, stem: &str) -> Result<Credentials, Error> {
    Ok(Credentials {
        ca: read(dir.join("ca.pem"))?,
        cert: read(dir.join(format!("{stem}.pem")))?,
        key: read(dir.join(format!("{stem}.key")))?,
    })
}

/// Reads who a certificate (DER) says its holder is: the member id and role
/// of its `rappard://ROLE/ID` name. `None` if it carries no such name.
pub fn identity(der: &[u8]) -> Option<(MemberId, Role)> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    let san = cert.subject_alternative_name().ok()??;
    san.value.general_names.iter().find_map(|n| match n {
        x509_parser::extensions::GeneralName::URI(uri) => {
            let rest = uri.strip_prefix("rappard://")?;
            let (role, id) = rest.split_once('/')?;
            Some((MemberId::new(id).ok()?, Role::parse(role)?))
        }
        _ => None,
    })
}

/// The serial number (hexadecimal) of a certificate (PEM), as `rappard pki
/// revoke --serial` takes it.
pub fn serial(pem: &str) -> Option<String> {
    use rustls::pki_types::pem::PemObject as _;
    let der = rustls::pki_types::CertificateDer::from_pem_slice(pem.as_bytes()).ok()?;
    let (_, cert) = x509_parser::parse_x509_certificate(der.as_ref()).ok()?;
    let raw = cert.raw_serial();
    let first = raw.iter().position(|b| *b != 0).unwrap_or(raw.len());
    Some(crate::revocation::hex(&raw[first..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("rappard-pki-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    fn days() -> Validity {
        Validity::days(NODE_DAYS)
    }

    /// A certificate says who its holder is, and nothing else does.
    #[test]
    fn issued_certificates_carry_id_and_role() {
        let dir = tmp("issue");
        init(&dir, Existing::Refuse, Validity::days(AUTHORITY_DAYS)).expect("init");
        let bra = MemberId::new("BRA").expect("id");
        let (pem, _) = issue(&dir, &bra, Role::Member, Existing::Refuse, days()).expect("issue");
        let text = std::fs::read_to_string(pem).expect("pem");
        let der = rustls_pem(&text);
        assert_eq!(identity(&der), Some((bra, Role::Member)));
        let tls = MemberId::new("TLS").expect("id");
        let (pem, _) = issue(&dir, &tls, Role::Applicant, Existing::Refuse, days()).expect("issue");
        assert_eq!(
            identity(&rustls_pem(&std::fs::read_to_string(pem).expect("pem"))),
            Some((tls, Role::Applicant))
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// The usages (serverAuth, clientAuth), local names and validity of a
    /// certificate (PEM).
    fn usage(pem: &str) -> (bool, bool, usize, i64) {
        let der = rustls_pem(pem);
        let (_, cert) = x509_parser::parse_x509_certificate(&der).expect("x509");
        let eku = cert
            .extended_key_usage()
            .expect("eku")
            .map(|e| (e.value.server_auth, e.value.client_auth))
            .unwrap_or((false, false));
        let names = cert
            .subject_alternative_name()
            .expect("san")
            .map(|s| s.value.general_names.len())
            .unwrap_or(0);
        let v = cert.validity();
        let days = (v.not_after.timestamp() - v.not_before.timestamp()) / 86_400;
        (eku.0, eku.1, names, days)
    }

    /// Only the Secretariat's certificate is for serving (with the local
    /// names); a member's and an applicant's are for clients only, with
    /// their rappard name alone; each is valid for the days asked.
    #[test]
    fn certificates_carry_only_the_usage_their_role_needs() {
        let dir = tmp("usage");
        init(&dir, Existing::Refuse, Validity::days(AUTHORITY_DAYS)).expect("init");
        let ca = std::fs::read_to_string(dir.join("ca.pem")).expect("ca");
        assert_eq!(usage(&ca).3, i64::from(AUTHORITY_DAYS));
        let wto = MemberId::new(SECRETARIAT_ID).expect("id");
        let (pem, _) =
            issue(&dir, &wto, Role::Secretariat, Existing::Refuse, days()).expect("issue");
        let text = std::fs::read_to_string(pem).expect("pem");
        assert_eq!(usage(&text), (true, true, 3, i64::from(NODE_DAYS)));
        for (id, role) in [("BRA", Role::Member), ("COM", Role::Applicant)] {
            let id = MemberId::new(id).expect("id");
            let (pem, _) =
                issue(&dir, &id, role, Existing::Refuse, Validity::days(7)).expect("issue");
            let text = std::fs::read_to_string(pem).expect("pem");
            assert_eq!(usage(&text), (false, true, 1, 7), "{id}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A node's own request is signed for its key, under the id and usage
    /// the authority decides: names and usages asked for beyond that are
    /// ignored. A request whose signature does not hold is refused.
    #[test]
    fn a_signing_request_is_signed_for_its_key_only() {
        let dir = tmp("csr");
        init(&dir, Existing::Refuse, Validity::days(AUTHORITY_DAYS)).expect("init");
        let com = MemberId::new("COM").expect("id");
        // A request asking for more: a server name and serverAuth.
        let key = KeyPair::generate().expect("key");
        let mut p = CertificateParams::new(vec!["localhost".to_owned()]).expect("params");
        p.subject_alt_names
            .push(uri_name(&com, Role::Member).expect("uri"));
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let csr = p.serialize_request(&key).expect("csr");
        let request =
            SigningRequest::parse(csr.pem().expect("pem").as_bytes(), "csr").expect("parse");
        assert_eq!(
            request.rappard_names(),
            vec!["rappard://member/COM".to_owned()]
        );
        let pem = request
            .sign(&dir, &com, Role::Member, days())
            .expect("sign");
        assert_eq!(usage(&pem), (false, true, 1, i64::from(NODE_DAYS)));
        let der = rustls_pem(&pem);
        let (_, cert) = x509_parser::parse_x509_certificate(&der).expect("x509");
        assert_eq!(
            cert.public_key().raw,
            key.subject_public_key_info().as_slice()
        );
        assert_eq!(identity(&der), Some((com.clone(), Role::Member)));
        // The node's own request (DER) reads back too.
        let own = member_request(&com).expect("request");
        let request = SigningRequest::parse(&own.csr, "csr").expect("parse");
        assert_eq!(
            request.rappard_names(),
            vec!["rappard://member/COM".to_owned()]
        );
        // A byte changed in the signed part: refused, naming the field.
        let mut bad = own.csr.clone();
        let n = bad.len();
        bad[n - 80] ^= 0x01;
        let e = SigningRequest::parse(&bad, "MemberCertificateRequest.csr")
            .err()
            .expect("a broken request is refused");
        assert_eq!(e.code(), tonic::Code::InvalidArgument, "{e}");
        assert!(
            e.to_string().contains("MemberCertificateRequest.csr"),
            "{e}"
        );
        let e = SigningRequest::parse(&[], "MemberCertificateRequest.csr")
            .err()
            .expect("an empty request is refused");
        assert!(e.to_string().contains("empty"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn issuing_without_an_authority_says_what_to_do() {
        let dir = tmp("none");
        let e = issue(
            &dir,
            &MemberId::new("BRA").expect("id"),
            Role::Member,
            Existing::Refuse,
            days(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("rappard pki init"), "{e}");
    }

    fn rustls_pem(text: &str) -> Vec<u8> {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject;
        CertificateDer::from_pem_slice(text.as_bytes())
            .expect("a PEM certificate")
            .to_vec()
    }
}
