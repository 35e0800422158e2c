//! `rappard pki init|issue`: the authority and the nodes' certificates.
//!
//! Nothing already there is replaced without `--force` (exit 2, the files
//! untouched); the ids reserved for the authority and the Secretariat
//! (`ca`, `secretariat`, `WTO`) are refused for a member or an applicant
//! (exit 2). Keys are written 0600, directories made 0700
//! (`rappard_net::pki`).

use std::path::PathBuf;

use rappard_core::member::MemberId;
use rappard_net::pki::{self, Role};

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
    },
}

/// Runs a `pki` subcommand; prints what it wrote on stdout.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::Init { certs, force } => {
            pki::init(&certs, existing(force))?;
            println!("authority written to {}", certs.display());
        }
        Command::Issue {
            certs,
            id,
            role,
            force,
        } => {
            let role = Role::parse(&role).ok_or_else(|| Error::BadOption {
                option: "--role",
                reason: format!("unknown role `{role}`; use member, applicant or secretariat"),
            })?;
            let id = MemberId::new(&id).map_err(|reason| Error::BadOption {
                option: "--id",
                reason,
            })?;
            pki::check_id(&id, role).map_err(|e| Error::BadOption {
                option: "--id",
                reason: e.to_string(),
            })?;
            let (pem, key) = pki::issue(&certs, &id, role, existing(force))?;
            println!("{} {}", pem.display(), key.display());
        }
    }
    Ok(())
}

/// What `--force` says to do with files already there.
fn existing(force: bool) -> pki::Existing {
    if force {
        pki::Existing::Replace
    } else {
        pki::Existing::Refuse
    }
}
