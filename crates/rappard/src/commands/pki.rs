//! `rappard pki init|issue|revoke`: the authority, the nodes' certificates,
//! and the authority's revocation list.
//!
//! Nothing already there is replaced without `--force` (exit 2, the files
//! untouched); the ids reserved for the authority and the Secretariat
//! (`ca`, `secretariat`, `WTO`) are refused for a member or an applicant
//! (exit 2). Keys are written 0600, directories made 0700
//! (`rappard_net::pki`). Certificates are valid for `--days` (the
//! authority 3650, a node 90 unless chosen); `revoke` adds certificates to
//! `ca.crl`, signed with the authority's key (`rappard_net::revocation`).

use std::path::PathBuf;

use rappard_core::member::MemberId;
use rappard_net::pki::{self, Role, Validity};
use rappard_net::revocation::{self, Revoke};

use crate::error::{Error, Result};

// The subcommands.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Make a new authority in a directory.
    Init {
        /// The PKI directory.
        #[arg(long)]
        certs: PathBuf,
        /// Replace an authority already in the directory (every
        /// certificate it issued stops being trusted).
        #[arg(long)]
        force: bool,
        /// Days the authority's certificate is valid (from an hour ago);
        /// every certificate it issues is refused after that.
        #[arg(long, default_value_t = pki::AUTHORITY_DAYS, value_parser = clap::value_parser!(u32).range(1..=36_500))]
        days: u32,
    },
    /// Issue a node's certificate and key.
    Issue {
        /// The PKI directory.
        #[arg(long)]
        certs: PathBuf,
        /// Member id (for the Secretariat, any id: `WTO`).
        #[arg(long)]
        id: String,
        /// `member`, `applicant` or `secretariat`.
        #[arg(long)]
        role: String,
        /// Replace a certificate and key already issued to this id.
        #[arg(long)]
        force: bool,
        /// Days the certificate is valid (from an hour ago); the
        /// Secretariat refuses it after that (UNAUTHENTICATED, "expired").
        #[arg(long, default_value_t = pki::NODE_DAYS, value_parser = clap::value_parser!(u32).range(1..=36_500))]
        days: u32,
        /// With `--role secretariat`: a DNS name or IP address clients
        /// dial the Secretariat by, named in its certificate besides
        /// `localhost` and `127.0.0.1` (repeat for several). Clients
        /// verify the server under the name they dial.
        #[arg(long, value_name = "HOST")]
        secretariat_name: Vec<String>,
    },
    /// Revoke certificates: add them to the authority's revocation list
    /// `ca.crl` (signed with `ca.key`), which the Secretariat reads at
    /// start and again when the file changes; a revoked certificate is
    /// refused on its next call (UNAUTHENTICATED, "revoked").
    Revoke {
        /// The PKI directory (with the authority's key).
        #[arg(long)]
        certs: PathBuf,
        /// Revoke every certificate in the directory that names this id
        /// (its applicant's and member's certificates, if there).
        #[arg(long, required_unless_present = "serial", conflicts_with = "serial")]
        id: Option<String>,
        /// Revoke the certificate with this serial number (hexadecimal,
        /// colons allowed): for a member certificate signed on accession,
        /// which is not in the directory (the Secretariat logs its
        /// serial).
        #[arg(long)]
        serial: Option<String>,
    },
}

/// Runs a `pki` subcommand; prints what it wrote on stdout.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::Init { certs, force, days } => {
            pki::init(&certs, existing(force), Validity::days(days))?;
            println!("authority written to {}", certs.display());
        }
        Command::Issue {
            certs,
            id,
            role,
            force,
            days,
            secretariat_name,
        } => {
            let role = Role::parse(&role).ok_or_else(|| Error::BadOption {
                option: "--role",
                reason: format!("unknown role `{role}`; use member, applicant or secretariat"),
            })?;
            let id = member_id(&id)?;
            pki::check_id(&id, role).map_err(|e| Error::BadOption {
                option: "--id",
                reason: e.to_string(),
            })?;
            if role != Role::Secretariat && !secretariat_name.is_empty() {
                return Err(Error::BadOption {
                    option: "--secretariat-name",
                    reason: format!(
                        "names the Secretariat's server: give it with --role secretariat, not {}",
                        role.as_str()
                    ),
                });
            }
            let (pem, key) = pki::issue_named(
                &certs,
                &id,
                role,
                existing(force),
                Validity::days(days),
                &secretariat_name,
            )?;
            println!("{} {}", pem.display(), key.display());
        }
        Command::Revoke { certs, id, serial } => {
            let which = match (id, serial) {
                (Some(id), _) => Revoke::Id(member_id(&id)?),
                (None, Some(s)) => {
                    Revoke::Serial(revocation::parse_serial(&s).ok_or_else(|| {
                        Error::BadOption {
                            option: "--serial",
                            reason: format!(
                                "`{s}` is not a serial number in hexadecimal (at most 20 bytes)"
                            ),
                        }
                    })?)
                }
                (None, None) => {
                    return Err(Error::BadOption {
                        option: "--id",
                        reason: "give --id or --serial".into(),
                    });
                }
            };
            let revoked = revocation::revoke(&certs, &which)?;
            let list = certs.join(revocation::FILE);
            for r in revoked {
                let state = if r.already {
                    "already revoked"
                } else {
                    "revoked"
                };
                println!("{state} {} {}", r.serial, r.what);
            }
            println!("revocation list written to {}", list.display());
        }
    }
    Ok(())
}

fn member_id(id: &str) -> Result<MemberId> {
    MemberId::new(id).map_err(|reason| Error::BadOption {
        option: "--id",
        reason,
    })
}

/// What `--force` says to do with files already there.
fn existing(force: bool) -> pki::Existing {
    if force {
        pki::Existing::Replace
    } else {
        pki::Existing::Refuse
    }
}
