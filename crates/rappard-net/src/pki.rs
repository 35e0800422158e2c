//! A small PKI for a negotiation: a certificate authority kept by the
//! Secretariat, and a certificate for each node carrying who it is.
//!
//! Identity is by certificate only, never by a message field (both
//! transports read the peer's id from its certificate): each certificate carries
//! one URI subject alternative name, `rappard://ROLE/ID`, where ROLE is
//! `member`, `applicant` or `secretariat` and ID the member id (`WTO` for
//! the Secretariat). Every certificate is for both client and server
//! authentication, with `localhost` and `127.0.0.1` as names: the
//! Secretariat serves, and its certificate is also the demo's observer's
//! client certificate; a member's or applicant's node is a client of the
//! Secretariat *and* the server of its own Delegation service, which an
//! applicant's node reaches at `127.0.0.1` for direct bilateral talks (an
//! applicant's node keeps serving with its applicant's certificate after
//! its accession, when it may be a Working Party member of a later one).
//! The usage therefore does not tell the Secretariat from a member: the
//! role in the `rappard://` name does, and a node reaching the Secretariat
//! checks it in the handshake (`crate::tls::SecretariatVerifier`). The
//! files of a directory:
//!
//! | file | what |
//! |---|---|
//! | `ca.pem`, `ca.key` | the authority (keep `ca.key` with the Secretariat) |
//! | `ID.pem`, `ID.key` | a node's certificate and key (`secretariat.pem` for the Secretariat) |
//!
//! Keys are ECDSA P-256, made with rcgen on the ring provider.
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

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
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

fn ca_params() -> CertificateParams {
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
    p
}

/// Makes a new authority in `dir` (created if needed, 0700); an authority
/// already there is refused ([`Error::Exists`]) unless `existing` says to
/// replace it.
pub fn init(dir: &Path, existing: Existing) -> Result<(), Error> {
    create_private_dir(dir)?;
    check_absent(&[&dir.join("ca.pem"), &dir.join("ca.key")], existing)?;
    let key = KeyPair::generate().map_err(cert_err("generating the authority's key"))?;
    let cert = ca_params()
        .self_signed(&key)
        .map_err(cert_err("signing the authority's certificate"))?;
    write(dir.join("ca.key"), &key.serialize_pem(), Readers::Owner)?;
    write(dir.join("ca.pem"), &cert.pem(), Readers::Anyone)?;
    Ok(())
}

/// The file stem of a node's certificate.
pub fn stem(id: &str, role: Role) -> String {
    match role {
        Role::Secretariat => "secretariat".to_owned(),
        Role::Member | Role::Applicant => id.to_owned(),
    }
}

/// Issues a certificate and key for `id` in `role`, signed by the authority
/// in `dir`; writes `ID.pem` and `ID.key` (the key 0600) and returns their
/// paths. A reserved id is refused ([`check_id`]), and so are files already
/// there unless `existing` says to replace them.
pub fn issue(
    dir: &Path,
    id: &MemberId,
    role: Role,
    existing: Existing,
) -> Result<(PathBuf, PathBuf), Error> {
    check_id(id, role)?;
    let name = stem(id.as_str(), role);
    let (pem, keyf) = (
        dir.join(format!("{name}.pem")),
        dir.join(format!("{name}.key")),
    );
    check_absent(&[&pem, &keyf], existing)?;
    let (cert, key) = issue_pem(dir, id, role)?;
    write(keyf.clone(), &key, Readers::Owner)?;
    write(pem.clone(), &cert, Readers::Anyone)?;
    Ok((pem, keyf))
}

/// Issues a certificate and key for `id` in `role`, signed by the authority
/// in `dir`, and returns them as PEM without writing them.
pub fn issue_pem(dir: &Path, id: &MemberId, role: Role) -> Result<(String, String), Error> {
    if !dir.join("ca.pem").exists() || !dir.join("ca.key").exists() {
        return Err(Error::NoAuthority(dir.to_owned()));
    }
    let ca_key =
        KeyPair::from_pem(&read(dir.join("ca.key"))?).map_err(cert_err("reading ca.key"))?;
    let issuer = Issuer::new(ca_params(), ca_key);
    let uri = format!("rappard://{}/{}", role.as_str(), id);
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, format!("{} {}", role.as_str(), id));
    p.distinguished_name = dn;
    p.subject_alt_names = vec![SanType::URI(
        uri.clone()
            .try_into()
            .map_err(cert_err(format!("the name {uri}")))?,
    )];
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    // Every node is a client of the Secretariat, and a server of its own
    // Delegation service for direct talks: both uses, and the local names
    // (module doc); the role is in the URI name.
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    {
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
    let key = KeyPair::generate().map_err(cert_err(format!("generating the key of {id}")))?;
    let cert = p
        .signed_by(&key, &issuer)
        .map_err(cert_err(format!("signing the certificate of {id}")))?;
    Ok((cert.pem(), key.serialize_pem()))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("rappard-pki-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    /// A certificate says who its holder is, and nothing else does.
    #[test]
    fn issued_certificates_carry_id_and_role() {
        let dir = tmp("issue");
        init(&dir, Existing::Refuse).expect("init");
        let bra = MemberId::new("BRA").expect("id");
        let (pem, _) = issue(&dir, &bra, Role::Member, Existing::Refuse).expect("issue");
        let text = std::fs::read_to_string(pem).expect("pem");
        let der = rustls_pem(&text);
        assert_eq!(identity(&der), Some((bra, Role::Member)));
        let tls = MemberId::new("TLS").expect("id");
        let (pem, _) = issue(&dir, &tls, Role::Applicant, Existing::Refuse).expect("issue");
        assert_eq!(
            identity(&rustls_pem(&std::fs::read_to_string(pem).expect("pem"))),
            Some((tls, Role::Applicant))
        );
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
