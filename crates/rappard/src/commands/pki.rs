//! `rappard pki init|issue`: the authority and the nodes' certificates.

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
    },
}

/// Runs a `pki` subcommand; prints what it wrote on stdout.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::Init { certs } => {
            pki::init(&certs)?;
            println!("authority written to {}", certs.display());
        }
        Command::Issue { certs, id, role } => {
            let role = Role::parse(&role).ok_or_else(|| Error::BadOption {
                option: "--role",
                reason: format!("unknown role `{role}`; use member, applicant or secretariat"),
            })?;
            let id = MemberId::new(&id).map_err(|reason| Error::BadOption {
                option: "--id",
                reason,
            })?;
            let (pem, key) = pki::issue(&certs, &id, role)?;
            println!("{} {}", pem.display(), key.display());
        }
    }
    Ok(())
}
