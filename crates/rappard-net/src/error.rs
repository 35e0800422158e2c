//! The one error type of rappard-net.
//!
//! Every fallible function of the crate returns [`Error`]. Its variants say
//! what failed: a file or certificate of the PKI, the TLS or QUIC
//! configuration, a socket, a connection (TCP, the TLS or QUIC handshake,
//! the transport under a request), a request refused by the other side, a
//! message that could not be read, or a task of a running node.
//!
//! Refusals are the statuses of `docs/protocol.md`: the services raise them
//! as [`Error`] and convert at the edge ([`Error::into_status`]); a client
//! turns a status it receives back into the same variant
//! ([`Error::from_status`]). [`Error::is_definite`] tells, as the protocol's
//! table does, whether the outcome of a request is known.

use std::path::PathBuf;

use rappard_core::protocol::AnswerError;
use rappard_proto::convert::ConvertError;
use tonic::Code;

/// What went wrong (module doc).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file of the PKI could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What happened.
        source: std::io::Error,
    },
    /// The directory has no authority: run `rappard pki init` first.
    #[error(
        "{} has no ca.pem and ca.key: run `rappard pki init --certs {}` first",
        .0.display(),
        .0.display()
    )]
    NoAuthority(PathBuf),
    /// A certificate, key or authority is already there, and replacing it
    /// was not asked for.
    #[error("{} exists: it is left as it is (pass --force to replace it)", .0.display())]
    Exists(PathBuf),
    /// An id reserved for the authority or the Secretariat, asked for a
    /// member or an applicant.
    #[error("the id `{id}` is reserved: {why}")]
    ReservedId {
        /// The id asked for.
        id: String,
        /// Whose it is.
        why: String,
    },
    /// `pki revoke` was asked for an id no certificate in the directory
    /// carries.
    #[error("nothing to revoke: {0}")]
    NothingToRevoke(String),
    /// A key or certificate could not be made, signed or read.
    #[error("certificate: {what}: {detail}")]
    Certificate {
        /// What was being done (`reading the authority's certificate`…).
        what: String,
        /// Why it failed.
        detail: String,
    },
    /// A TLS configuration could not be built from the credentials.
    #[error("TLS configuration: {what}: {detail}")]
    TlsConfig {
        /// Which configuration, or which part of it.
        what: String,
        /// Why it failed.
        detail: String,
    },
    /// A QUIC configuration or endpoint could not be set up (the TLS part
    /// of it is a [`Error::TlsConfig`]).
    #[error("QUIC configuration: {what}: {detail}")]
    QuicConfig {
        /// What was being set up.
        what: String,
        /// Why it failed.
        detail: String,
    },
    /// A socket could not be bound.
    #[error("cannot listen {what} on {addr}: {source}")]
    Listen {
        /// What would have listened there.
        what: &'static str,
        /// The address.
        addr: String,
        /// What happened.
        source: std::io::Error,
    },
    /// A connection could not be made (TCP, the TLS or QUIC handshake, the
    /// HTTP/2 set-up): no request was sent.
    #[error("cannot connect to {to}: {detail}")]
    Connect {
        /// Whom (an address, and who is there when known).
        to: String,
        /// Why (the handshake's or the transport's error).
        detail: String,
    },
    /// The server reached as the Secretariat holds a certificate from the
    /// authority, but not the Secretariat's (a member's node, say): the
    /// handshake was refused before this node showed its certificate.
    #[error("{to} is not the Secretariat: {detail}")]
    NotTheSecretariat {
        /// The address.
        to: String,
        /// What its certificate says instead.
        detail: String,
    },
    /// The connection failed under a request (`UNAVAILABLE`, `CANCELLED`,
    /// `UNKNOWN`): the request may or may not have taken effect.
    #[error("transport: {0}")]
    Transport(String),
    /// `UNAUTHENTICATED`: no client certificate, one from another
    /// authority, or one without a `rappard://` name.
    #[error("unauthenticated: {0}")]
    Unauthenticated(String),
    /// `PERMISSION_DENIED`: the caller may not make this request.
    #[error("permission denied: {0}")]
    PermissionDenied(String),
    /// `INVALID_ARGUMENT`: a malformed or mismatched message.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// `FAILED_PRECONDITION`: not now (a closed call, a second answer…).
    #[error("failed precondition: {0}")]
    FailedPrecondition(String),
    /// `OUT_OF_RANGE`: a position beyond the record (a `Subscribe` after a
    /// sequence number the Secretariat has not published).
    #[error("out of range: {0}")]
    OutOfRange(String),
    /// `RESOURCE_EXHAUSTED`: a message over the Secretariat's limit.
    #[error(
        "resource exhausted: the message is {size} bytes; the Secretariat accepts at most {limit}"
    )]
    TooLarge {
        /// The message's encoded size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// `RESOURCE_EXHAUSTED`: over one of the Secretariat's limits
    /// (`crate::limits`): record streams per certificate, answers per
    /// second, a message's size for its kind. The message names the limit.
    #[error("resource exhausted: {0}")]
    ResourceExhausted(String),
    /// The core refused an answer (mapped one to one onto statuses).
    #[error("refused by the Secretariat: {0}")]
    Answer(#[from] AnswerError),
    /// Another status received from the other side.
    #[error("refused: {code}: {message}")]
    Refused {
        /// The status code.
        code: Code,
        /// Its message.
        message: String,
    },
    /// A message from the other side could not be read.
    #[error("a message could not be read: {0}")]
    BadMessage(#[from] ConvertError),
    /// `ABORTED`: a later node of the same delegation joined, and this
    /// one's requests are refused: it was replaced.
    #[error("replaced: {0}")]
    Replaced(String),
    /// `UNAVAILABLE`: a request of a session this Secretariat never
    /// handed out (one from before it restarted): the node joins again,
    /// as after a connection failure.
    #[error("session unknown: {0}")]
    SessionUnknown(String),
    /// The Secretariat's journal cannot be used: which file, and what is
    /// wrong where (a corrupt frame, another scenario or seed, a newer
    /// format, an entry the core does not reproduce).
    #[error("journal {}: {detail}", path.display())]
    Journal {
        /// The journal's file.
        path: PathBuf,
        /// What is wrong, and where.
        detail: String,
    },
    /// The Secretariat a delegation reconnected to runs another run than
    /// the one the delegation was in (restarted without its journal, or
    /// another negotiation on the same address): the delegation stops
    /// rather than mix two runs.
    #[error(
        "the Secretariat now runs another run ({now}) than the one this delegation was in ({was}): it was restarted without its journal (--data), or another negotiation took its address; stopping rather than mixing two runs"
    )]
    RunChanged {
        /// The run the delegation was in.
        was: String,
        /// The run it found.
        now: String,
    },
    /// The node failed at something that is not the caller's fault
    /// (`INTERNAL`).
    #[error("internal: {0}")]
    Internal(String),
    /// A task of a running node (a server, the lockstep driver) failed or
    /// panicked: the node stops.
    #[error("the {task} failed: {detail}")]
    Task {
        /// Which task.
        task: &'static str,
        /// Its error, or the panic.
        detail: String,
    },
}

/// The codes `docs/protocol.md` documents as definite: the request was
/// refused and changed nothing.
fn definite_code(code: Code) -> bool {
    matches!(
        code,
        Code::Unauthenticated
            | Code::PermissionDenied
            | Code::InvalidArgument
            | Code::FailedPrecondition
            | Code::ResourceExhausted
            | Code::OutOfRange
            | Code::Aborted
    )
}

impl Error {
    /// Whether the outcome of the request is known (`docs/protocol.md`,
    /// "Errors"). `true`: it was refused, or never sent, and changed
    /// nothing; sending it again gives the same refusal. `false`: the
    /// connection failed under it, or the other side failed, and it may or
    /// may not have taken effect (an answer sent again after reconnecting
    /// is refused `FAILED_PRECONDITION` if it was kept).
    pub fn is_definite(&self) -> bool {
        match self {
            Self::Transport(_) | Self::Internal(_) | Self::Task { .. } => false,
            Self::Refused { code, .. } => definite_code(*code),
            Self::Io { .. }
            | Self::NoAuthority(_)
            | Self::Exists(_)
            | Self::ReservedId { .. }
            | Self::NothingToRevoke(_)
            | Self::Certificate { .. }
            | Self::TlsConfig { .. }
            | Self::QuicConfig { .. }
            | Self::Listen { .. }
            | Self::Connect { .. }
            | Self::NotTheSecretariat { .. }
            | Self::Unauthenticated(_)
            | Self::PermissionDenied(_)
            | Self::InvalidArgument(_)
            | Self::FailedPrecondition(_)
            | Self::OutOfRange(_)
            | Self::TooLarge { .. }
            | Self::ResourceExhausted(_)
            | Self::Answer(_)
            | Self::BadMessage(_)
            | Self::Replaced(_)
            | Self::SessionUnknown(_)
            | Self::Journal { .. }
            | Self::RunChanged { .. } => true,
        }
    }

    /// Whether the connection failed or could not be made: reconnecting
    /// may help (a delegation node retries these).
    pub fn is_connection(&self) -> bool {
        matches!(self, Self::Connect { .. } | Self::Transport(_))
    }

    /// The gRPC status code of a refusal (`INTERNAL` for what is not one).
    pub fn code(&self) -> Code {
        match self {
            Self::Unauthenticated(_) => Code::Unauthenticated,
            Self::PermissionDenied(_) => Code::PermissionDenied,
            Self::InvalidArgument(_) | Self::BadMessage(_) => Code::InvalidArgument,
            Self::FailedPrecondition(_) => Code::FailedPrecondition,
            Self::OutOfRange(_) => Code::OutOfRange,
            Self::TooLarge { .. } | Self::ResourceExhausted(_) => Code::ResourceExhausted,
            Self::Replaced(_) => Code::Aborted,
            Self::SessionUnknown(_) => Code::Unavailable,
            Self::Answer(e) => match e {
                AnswerError::NoOpenCall
                | AnswerError::StaleCall { .. }
                | AnswerError::AlreadyAnswered { .. } => Code::FailedPrecondition,
                AnswerError::NotAwaited { .. } => Code::PermissionDenied,
                AnswerError::WrongAnswer { .. }
                | AnswerError::LevelOutOfRange(_)
                | AnswerError::EmptyRange { .. } => Code::InvalidArgument,
            },
            Self::Refused { code, .. } => *code,
            Self::Transport(_) => Code::Unavailable,
            _ => Code::Internal,
        }
    }

    /// The status a service answers with: the code, and the message
    /// without the code's name.
    pub fn into_status(self) -> tonic::Status {
        let code = self.code();
        let message = match self {
            Self::Unauthenticated(m)
            | Self::PermissionDenied(m)
            | Self::InvalidArgument(m)
            | Self::FailedPrecondition(m)
            | Self::OutOfRange(m)
            | Self::ResourceExhausted(m)
            | Self::Transport(m)
            | Self::Replaced(m)
            | Self::SessionUnknown(m)
            | Self::Internal(m) => m,
            Self::Refused { message, .. } => message,
            Self::TooLarge { size, limit } => {
                format!("the message is {size} bytes; the Secretariat accepts at most {limit}")
            }
            Self::Answer(e) => e.to_string(),
            Self::BadMessage(e) => e.to_string(),
            other => other.to_string(),
        };
        tonic::Status::new(code, message)
    }

    /// The error a client makes of a status it receives.
    pub fn from_status(s: &tonic::Status) -> Self {
        let message = s.message().to_owned();
        match s.code() {
            Code::Unavailable | Code::Cancelled | Code::Unknown => {
                Self::Transport(format!("{}: {message}", s.code()))
            }
            Code::Unauthenticated => Self::Unauthenticated(message),
            Code::PermissionDenied => Self::PermissionDenied(message),
            Code::InvalidArgument => Self::InvalidArgument(message),
            Code::FailedPrecondition => Self::FailedPrecondition(message),
            Code::OutOfRange => Self::OutOfRange(message),
            Code::ResourceExhausted => Self::ResourceExhausted(message),
            Code::Internal => Self::Internal(message),
            Code::Aborted => Self::Replaced(message),
            code => Self::Refused { code, message },
        }
    }
}

impl From<tonic::Status> for Error {
    fn from(s: tonic::Status) -> Self {
        Self::from_status(&s)
    }
}

impl From<Error> for tonic::Status {
    fn from(e: Error) -> Self {
        e.into_status()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table of `docs/protocol.md`: refusals are definite, transport
    /// failures are not.
    #[test]
    fn definite_and_indefinite_as_documented() {
        for code in [
            Code::Unauthenticated,
            Code::PermissionDenied,
            Code::InvalidArgument,
            Code::FailedPrecondition,
            Code::ResourceExhausted,
            Code::OutOfRange,
        ] {
            let e = Error::from_status(&tonic::Status::new(code, "no"));
            assert!(e.is_definite(), "{code:?}: {e}");
            assert!(!e.is_connection(), "{code:?}");
            assert_eq!(e.code(), code);
        }
        for code in [Code::Unavailable, Code::Cancelled, Code::Unknown] {
            let e = Error::from_status(&tonic::Status::new(code, "gone"));
            assert!(!e.is_definite(), "{code:?}: {e}");
            assert!(e.is_connection(), "{code:?}");
        }
        let e = Error::Connect {
            to: "127.0.0.1:1".into(),
            detail: "refused".into(),
        };
        assert!(e.is_definite() && e.is_connection());
    }

    /// A refusal raised by a service reaches the client as the same
    /// variant, with the message unchanged.
    #[test]
    fn refusals_round_trip_through_a_status() {
        let e = Error::PermissionDenied("USA cannot answer for BRA".into());
        let s = e.into_status();
        assert_eq!(s.code(), Code::PermissionDenied);
        assert_eq!(s.message(), "USA cannot answer for BRA");
        assert!(matches!(Error::from(s), Error::PermissionDenied(m) if m.contains("BRA")));
        let s = Error::TooLarge {
            size: 100_000,
            limit: 65_536,
        }
        .into_status();
        assert_eq!(s.code(), Code::ResourceExhausted);
        assert!(s.message().starts_with("the message is 100000 bytes"));
        let s = Error::Answer(AnswerError::NoOpenCall).into_status();
        assert_eq!(s.code(), Code::FailedPrecondition);
        assert_eq!(s.message(), "no call is open");
    }

    /// A TLS failure says so, not "QUIC".
    #[test]
    fn tls_failures_name_tls() {
        let e = Error::TlsConfig {
            what: "the client certificate".into(),
            detail: "bad key".into(),
        };
        assert_eq!(
            e.to_string(),
            "TLS configuration: the client certificate: bad key"
        );
    }
}
