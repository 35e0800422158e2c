//! Revocation: the authority's X.509 certificate revocation list.
//!
//! `rappard pki revoke` ([`revoke`]) adds certificates to `ca.crl` in the
//! PKI directory ([`FILE`]): a real CRL (RFC 5280, made with rcgen), signed
//! with the authority's key, listing serial numbers, kept across runs (a
//! revocation is never undone here) and written whole to a temporary file
//! that then replaces the list, so a reader never sees half a list. A
//! certificate is named by the id it carries (every certificate in the
//! directory naming that id: its applicant's and its member's, if both are
//! there) or by its serial number (a member certificate signed on
//! accession is not in the directory; the Secretariat logs its serial).
//!
//! The Secretariat reads the list ([`load`]) when it starts and again
//! whenever the file changes (`crate::tls::Authority`), checking that the
//! authority signed it: a list from another authority, or one that cannot
//! be read, is refused at start and, later, ignored with a warning (the
//! previous list stays in force).

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use rcgen::{
    CertificateRevocationListParams, KeyIdMethod, RevocationReason, RevokedCertParams, SerialNumber,
};
use rustls::pki_types::CertificateRevocationListDer;
use rustls::pki_types::pem::PemObject;
use time::OffsetDateTime;

use rappard_core::member::MemberId;

use crate::Error;
use crate::pki;

/// The revocation list's file in a PKI directory.
pub const FILE: &str = "ca.crl";

/// How long a list says it is current (its `nextUpdate`): a year. Nothing
/// here refuses an older list; a new revocation writes a new one.
const NEXT_UPDATE: Duration = Duration::from_secs(365 * 86_400);

/// Which certificates to revoke.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Revoke {
    /// Every certificate in the directory that names this id.
    Id(MemberId),
    /// The certificate with this serial number (big-endian bytes).
    Serial(Vec<u8>),
}

/// A certificate on the list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Revoked {
    /// Its serial number, in hexadecimal.
    pub serial: String,
    /// What it is (`rappard://member/BRA in BRA.pem`), when known.
    pub what: String,
    /// Whether it was on the list already.
    pub already: bool,
}

/// The serial number in hexadecimal, as `pki revoke --serial` takes it.
pub fn hex(serial: &[u8]) -> String {
    serial.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads a serial number in hexadecimal (colons allowed, as openssl prints
/// them); `None` if it is not one.
pub fn parse_serial(text: &str) -> Option<Vec<u8>> {
    let digits: String = text.chars().filter(|c| *c != ':').collect();
    if digits.is_empty() || digits.len() > 40 || !digits.len().is_multiple_of(2) {
        return None;
    }
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(digits.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A serial number without leading zero bytes, as it is compared.
fn trimmed(serial: &[u8]) -> Vec<u8> {
    let first = serial.iter().position(|b| *b != 0).unwrap_or(serial.len());
    serial[first..].to_vec()
}

fn crl_err(what: impl Into<String>) -> impl FnOnce(String) -> Error {
    let what = what.into();
    move |detail| Error::Certificate { what, detail }
}

/// Adds the certificates `which` names to the list of the authority in
/// `dir` (its key is needed: `ca.key`), and writes the list. Returns what
/// the list now says of them. [`Error::NothingToRevoke`] if `which` names
/// an id no certificate in `dir` carries.
pub fn revoke(dir: &Path, which: &Revoke) -> Result<Vec<Revoked>, Error> {
    let issuer = pki::authority(dir)?;
    let (mut entries, number) = previous(dir)?;
    let targets = match which {
        Revoke::Id(id) => certificates_of(dir, id)?,
        Revoke::Serial(s) => vec![(trimmed(s), String::new())],
    };
    let now = OffsetDateTime::from(SystemTime::now());
    let mut out = Vec::new();
    for (serial, what) in targets {
        let already = entries.iter().any(|(s, _)| *s == serial);
        if !already {
            entries.push((serial.clone(), now));
        }
        out.push(Revoked {
            serial: hex(&serial),
            what,
            already,
        });
    }
    let params = CertificateRevocationListParams {
        this_update: now,
        next_update: now + NEXT_UPDATE,
        crl_number: SerialNumber::from(number + 1),
        issuing_distribution_point: None,
        revoked_certs: entries
            .into_iter()
            .map(|(serial, at)| RevokedCertParams {
                serial_number: SerialNumber::from_slice(&serial),
                revocation_time: at,
                reason_code: Some(RevocationReason::Unspecified),
                invalidity_date: None,
            })
            .collect(),
        key_identifier_method: KeyIdMethod::Sha256,
    };
    let crl = params
        .signed_by(&issuer)
        .map_err(|e| crl_err("signing the revocation list")(e.to_string()))?;
    let pem = crl
        .pem()
        .map_err(|e| crl_err("encoding the revocation list")(e.to_string()))?;
    replace(&dir.join(FILE), &pem)?;
    Ok(out)
}

/// The entries (serial, revocation time) and number of the list in `dir`,
/// if there is one.
#[allow(clippy::type_complexity)]
fn previous(dir: &Path) -> Result<(Vec<(Vec<u8>, OffsetDateTime)>, u64), Error> {
    let path = dir.join(FILE);
    let Some(der) = read(&path)? else {
        return Ok((Vec::new(), 0));
    };
    let bad = |detail: String| Error::Certificate {
        what: format!("reading {}", path.display()),
        detail,
    };
    let (_, crl) = x509_parser::parse_x509_crl(der.as_ref()).map_err(|e| bad(e.to_string()))?;
    let entries = crl
        .iter_revoked_certificates()
        .map(|r| {
            let at = OffsetDateTime::from_unix_timestamp(r.revocation_date.timestamp())
                .map_err(|e| bad(e.to_string()))?;
            Ok((trimmed(&r.user_certificate.to_bytes_be()), at))
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let number = crl
        .crl_number()
        .map(|n| {
            n.to_bytes_be().iter().fold(0u64, |acc, b| {
                acc.saturating_mul(256).saturating_add(u64::from(*b))
            })
        })
        .unwrap_or(0);
    Ok((entries, number))
}

/// The serial numbers of the certificates in `dir` that name `id`, with
/// what each is.
fn certificates_of(dir: &Path, id: &MemberId) -> Result<Vec<(Vec<u8>, String)>, Error> {
    let io = |source| Error::Io {
        path: dir.to_owned(),
        source,
    };
    let mut found = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pem") && !p.ends_with("ca.pem"))
        .collect();
    files.sort();
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(der) = rustls::pki_types::CertificateDer::from_pem_slice(text.as_bytes()) else {
            continue;
        };
        let Some((named, role)) = pki::identity(der.as_ref()) else {
            continue;
        };
        if named != *id {
            continue;
        }
        let Ok((_, cert)) = x509_parser::parse_x509_certificate(der.as_ref()) else {
            continue;
        };
        let file = path.file_name().map(|f| f.to_string_lossy().into_owned());
        found.push((
            trimmed(cert.raw_serial()),
            format!(
                "rappard://{}/{id} in {}",
                role.as_str(),
                file.unwrap_or_default()
            ),
        ));
    }
    if found.is_empty() {
        return Err(Error::NothingToRevoke(format!(
            "no certificate in {} names {id} (a member certificate signed on accession is not kept there: revoke it by its serial number, which the Secretariat logs)",
            dir.display()
        )));
    }
    Ok(found)
}

/// The list's bytes (DER) at `path`, from PEM or DER; `None` if there is
/// no file.
fn read(path: &Path) -> Result<Option<CertificateRevocationListDer<'static>>, Error> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(Error::Io {
                path: path.to_owned(),
                source,
            });
        }
    };
    if bytes.starts_with(b"-----BEGIN") {
        CertificateRevocationListDer::from_pem_slice(&bytes)
            .map(Some)
            .map_err(|e| Error::Certificate {
                what: format!("reading {}", path.display()),
                detail: e.to_string(),
            })
    } else {
        Ok(Some(CertificateRevocationListDer::from(bytes)))
    }
}

/// Reads the list at `path` (none if there is no file) and checks that the
/// authority whose certificate is `ca` (PEM) signed it. Returns it and how
/// many certificates it revokes.
pub fn load(
    path: &Path,
    ca: &str,
) -> Result<Option<(CertificateRevocationListDer<'static>, usize)>, Error> {
    let Some(der) = read(path)? else {
        return Ok(None);
    };
    let bad = |detail: String| Error::Certificate {
        what: format!("the revocation list {}", path.display()),
        detail,
    };
    let ca_der = rustls::pki_types::CertificateDer::from_pem_slice(ca.as_bytes())
        .map_err(|e| bad(format!("the authority's certificate: {e}")))?;
    let (_, ca_cert) =
        x509_parser::parse_x509_certificate(ca_der.as_ref()).map_err(|e| bad(e.to_string()))?;
    let (_, crl) = x509_parser::parse_x509_crl(der.as_ref()).map_err(|e| bad(e.to_string()))?;
    crl.verify_signature(ca_cert.public_key())
        .map_err(|e| bad(format!("not signed by this negotiation's authority: {e}")))?;
    let n = crl.iter_revoked_certificates().count();
    Ok(Some((der, n)))
}

/// Writes `text` to a temporary file beside `path`, then renames it over
/// `path` (0644): a reader sees the old list or the new, never half.
fn replace(path: &Path, text: &str) -> Result<(), Error> {
    let tmp = path.with_extension("crl.tmp");
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| Error::Io { path, source }
    };
    std::fs::write(&tmp, text).map_err(io(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_read_back_as_printed() {
        let s = [0x01, 0xab, 0x00, 0xff];
        assert_eq!(parse_serial(&hex(&s)), Some(s.to_vec()));
        assert_eq!(parse_serial("01:ab:00:ff"), Some(s.to_vec()));
        for bad in ["", "abc", "zz", &"00".repeat(21)] {
            assert_eq!(parse_serial(bad), None, "{bad}");
        }
        assert_eq!(trimmed(&[0, 0, 5]), vec![5]);
    }

    /// `pki revoke --id` lists every certificate of the id in the
    /// directory, once; an id without one is said so; the list is signed
    /// by the authority and refused under another.
    #[test]
    fn a_revocation_list_names_the_certificates_of_an_id() {
        use crate::pki::{self, Existing, Role, Validity};
        let dir = std::env::temp_dir().join(format!("rappard-crl-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        pki::init(&dir, Existing::Refuse, Validity::days(10)).expect("init");
        let id = |s: &str| MemberId::new(s).expect("id");
        pki::issue(
            &dir,
            &id("BRA"),
            Role::Member,
            Existing::Refuse,
            Validity::days(1),
        )
        .expect("issue");
        let (com, _) = pki::issue(
            &dir,
            &id("COM"),
            Role::Applicant,
            Existing::Refuse,
            Validity::days(1),
        )
        .expect("issue");
        let first = revoke(&dir, &Revoke::Id(id("BRA"))).expect("revoke");
        assert_eq!(first.len(), 1);
        assert!(
            !first[0].already && first[0].what.contains("BRA.pem"),
            "{first:?}"
        );
        let again = revoke(&dir, &Revoke::Id(id("BRA"))).expect("revoke");
        assert!(again[0].already && again[0].serial == first[0].serial);
        let e = revoke(&dir, &Revoke::Id(id("XYZ"))).expect_err("no certificate");
        assert!(matches!(e, Error::NothingToRevoke(_)), "{e}");
        let serial = pki::serial(&std::fs::read_to_string(com).expect("pem")).expect("serial");
        revoke(&dir, &Revoke::Serial(parse_serial(&serial).expect("hex"))).expect("revoke");
        let ca = std::fs::read_to_string(dir.join("ca.pem")).expect("ca");
        let (_, n) = load(&dir.join(FILE), &ca).expect("load").expect("a list");
        assert_eq!(n, 2);
        let other = dir.join("other");
        pki::init(&other, Existing::Refuse, Validity::days(10)).expect("init");
        let foreign = std::fs::read_to_string(other.join("ca.pem")).expect("ca");
        let e = load(&dir.join(FILE), &foreign).expect_err("another authority's list");
        assert!(
            e.to_string()
                .contains("not signed by this negotiation's authority"),
            "{e}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
