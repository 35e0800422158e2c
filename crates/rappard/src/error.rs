//! The one error type of the `rappard` command, and the one place that maps
//! an error to the process's exit code ([`Error::exit_code`]) and prints it
//! ([`Error::report`]).

use std::process::ExitCode;

use rappard_core::invariants::Violation;
use rappard_core::scenario::ScenarioError;

/// Why a command failed (or, for [`Error::Usage`], why it stopped early).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The command line is malformed, or `--help` or `--version` was asked.
    #[error("{0}")]
    Usage(#[from] clap::Error),
    /// A scenario file could not be read.
    #[error("cannot read scenario {path}: {source}")]
    ReadScenario {
        /// The file.
        path: String,
        /// What happened.
        source: std::io::Error,
    },
    /// A scenario is malformed (the error names file, line and field).
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// An option's value is not valid.
    #[error("{option}: {reason}")]
    BadOption {
        /// The option (`--ids`, `--role`…).
        option: &'static str,
        /// What is wrong with its value.
        reason: String,
    },
    /// A `--set` option of `sweep` is malformed, or the scenario refuses
    /// it (the parser's error, without the place in the edited document).
    #[error("--set {what}: {reason}")]
    Set {
        /// The key and value (and the scenario file, when it refused them).
        what: String,
        /// What is wrong.
        reason: String,
    },
    /// An input file other than a scenario is malformed (a sweep's line).
    #[error("{what}: {reason}")]
    BadInput {
        /// The file and line.
        what: String,
        /// What is wrong.
        reason: String,
    },
    /// A node's certificate or key could not be read from the PKI
    /// directory.
    #[error(transparent)]
    Credentials(rappard_net::Error),
    /// An address could not be listened on.
    #[error("cannot listen on {addr}{what}: {source}")]
    Listen {
        /// The address.
        addr: String,
        /// Which socket, if it needs saying (` (UDP)`).
        what: &'static str,
        /// What happened.
        source: std::io::Error,
    },
    /// The network failed the run: the PKI, the Secretariat node, the
    /// observer of the demo.
    #[error(transparent)]
    Net(#[from] rappard_net::Error),
    /// The demo's observer could not read the record from the Secretariat.
    #[error("the demo's observer: {0}")]
    Observer(rappard_net::Error),
    /// A delegation of a `member` process stopped with an error.
    #[error("delegation {id}: {source}")]
    Delegation {
        /// The delegation.
        id: String,
        /// Its error.
        source: rappard_net::Error,
    },
    /// Several delegations of a `member` process stopped with an error
    /// (each is logged as it stops while others run on).
    #[error("{failed} of {total} delegations stopped with an error; the first: {first}")]
    Delegations {
        /// How many failed.
        failed: usize,
        /// How many the process ran.
        total: usize,
        /// The first that failed.
        first: Box<Error>,
    },
    /// A process or a task of the run failed.
    #[error("{0}")]
    Run(String),
    /// A file or directory could not be made.
    #[error("{what}: {source}")]
    Io {
        /// Which file, or what was being done.
        what: String,
        /// What happened.
        source: std::io::Error,
    },
    /// The core refused an answer of its own delegations: a bug.
    #[error("a delegation's answer was refused: {0}")]
    Simulation(#[from] rappard_core::error::Error),
    /// The report could not be encoded: a bug.
    #[error("cannot encode the report: {0}")]
    Report(#[from] serde_json::Error),
    /// The async runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    /// The record breaks named invariants: a bug in rappard.
    #[error("{} broken invariant(s)", .0.len())]
    Invariants(Vec<Violation>),
    /// SIGINT (Ctrl-C) or SIGTERM stopped the command.
    #[error("interrupted by {}: {what}", signal.name())]
    Interrupted {
        /// Which signal.
        signal: crate::commands::signals::Signal,
        /// What the command did on the way out.
        what: &'static str,
    },
    /// The command could not listen for SIGINT and SIGTERM.
    #[error("cannot listen for signals: {0}")]
    Signals(std::io::Error),
}

impl Error {
    /// The exit code (documented in `main.rs`): 0 for `--help` and
    /// `--version`; 1 an unexpected failure; 2 bad input; 3 a broken
    /// invariant; 130 interrupted (SIGINT, Ctrl-C), 143 terminated
    /// (SIGTERM).
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Usage(e) if !e.use_stderr() => 0,
            Self::Usage(_)
            | Self::ReadScenario { .. }
            | Self::Scenario(_)
            | Self::BadOption { .. }
            | Self::Set { .. }
            | Self::BadInput { .. }
            | Self::Credentials(_)
            | Self::Listen { .. }
            | Self::Net(
                rappard_net::Error::Exists(_)
                | rappard_net::Error::ReservedId { .. }
                | rappard_net::Error::NothingToRevoke(_)
                | rappard_net::Error::Journal { .. },
            ) => 2,
            Self::Invariants(_) => 3,
            Self::Interrupted { signal, .. } => signal.exit_code(),
            Self::Net(_)
            | Self::Observer(_)
            | Self::Delegation { .. }
            | Self::Delegations { .. }
            | Self::Run(_)
            | Self::Io { .. }
            | Self::Simulation(_)
            | Self::Report(_)
            | Self::Runtime(_)
            | Self::Signals(_) => 1,
        }
    }

    /// Whether it is a bug in rappard rather than a failure of the
    /// environment or the input.
    fn is_internal(&self) -> bool {
        matches!(
            self,
            Self::Simulation(_) | Self::Report(_) | Self::Invariants(_)
        )
    }

    /// Prints the error on stderr: the usage or help text as clap prints
    /// it, each broken invariant on its line, anything else as one
    /// `error:` line.
    pub fn report(&self) {
        match self {
            Self::Usage(e) => {
                let _ = e.print();
            }
            Self::Invariants(broken) => {
                for v in broken {
                    eprintln!("error: {v}");
                }
            }
            Self::Interrupted { .. } => eprintln!("{self}"),
            e if e.is_internal() => eprintln!("internal error: {e}"),
            e => eprintln!("error: {e}"),
        }
    }

    /// Reports the error and gives the process's exit code.
    pub fn exit(&self) -> ExitCode {
        self.report();
        ExitCode::from(self.exit_code())
    }
}

/// A shorthand.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use rappard_core::protocol::AnswerError;

    #[test]
    fn exit_codes_as_documented() {
        let bad = Error::BadOption {
            option: "--ids",
            reason: "no".into(),
        };
        assert_eq!(bad.exit_code(), 2);
        assert_eq!(Error::Invariants(Vec::new()).exit_code(), 3);
        assert_eq!(Error::Run("the Secretariat exited".into()).exit_code(), 1);
        let refused = rappard_core::error::Error::Answer(AnswerError::NoOpenCall);
        assert_eq!(Error::Simulation(refused).exit_code(), 1);
        use crate::commands::signals::Signal;
        let stopped = |signal| Error::Interrupted { signal, what: "" };
        assert_eq!(stopped(Signal::Interrupt).exit_code(), 130);
        assert_eq!(stopped(Signal::Terminate).exit_code(), 143);
        let missing = rappard_net::Error::NoAuthority("pki".into());
        assert_eq!(Error::Credentials(missing).exit_code(), 2);
    }
}
