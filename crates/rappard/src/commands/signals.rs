//! The signals that stop a command: SIGINT (Ctrl-C) and SIGTERM (what
//! `kill`, systemd, Docker and Kubernetes send), handled alike. Once
//! [`Stop::listen`] has run, neither ends the process at once any more:
//! the command stops its nodes, its processes and removes what it wrote,
//! then exits (`secretariat` 0, `member` and `demo` 128 + the signal's
//! number: 130 for SIGINT, 143 for SIGTERM).

use crate::error::{Error, Result};

/// A signal that stops a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT (Ctrl-C).
    Interrupt,
    /// SIGTERM.
    Terminate,
}

impl Signal {
    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Interrupt => "SIGINT",
            Self::Terminate => "SIGTERM",
        }
    }

    /// The exit code of a command it stopped: 128 + the signal's number.
    pub fn exit_code(self) -> u8 {
        match self {
            Self::Interrupt => 130,
            Self::Terminate => 143,
        }
    }
}

/// SIGINT and SIGTERM, listened for from the moment [`Stop::listen`] is
/// called (inside a tokio runtime): one that arrives before
/// [`Stop::recv`] is awaited is kept, not lost.
pub struct Stop {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Stop {
    /// Starts listening.
    pub fn listen() -> Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Self {
                interrupt: signal(SignalKind::interrupt()).map_err(Error::Signals)?,
                terminate: signal(SignalKind::terminate()).map_err(Error::Signals)?,
            })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    /// Waits for the next stopping signal.
    pub async fn recv(&mut self) -> Signal {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => Signal::Interrupt,
                _ = self.terminate.recv() => Signal::Terminate,
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            Signal::Interrupt
        }
    }
}
