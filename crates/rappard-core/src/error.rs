//! The core's one error type.
//!
//! Everything the core refuses is one of three things, each with its own
//! detail type: a scenario that does not parse ([`ScenarioError`], with the
//! file, line, column and field at fault, for the person who wrote it); a
//! row of the Member dataset that does not parse ([`DatasetError`], with
//! its line and column); and an answer the Secretariat refuses
//! ([`AnswerError`], for the delegation that gave it; a refused answer
//! changes nothing). [`Error`] gathers them for callers that handle any of
//! the three, such as a simulation run.

use crate::dataset::DatasetError;
use crate::protocol::AnswerError;
use crate::scenario::ScenarioError;

/// What the core refuses (module doc).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// A scenario that does not parse.
    Scenario(ScenarioError),
    /// A row of the Member dataset that does not parse.
    Dataset(DatasetError),
    /// An answer the Secretariat refuses.
    Answer(AnswerError),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Scenario(e) => e.fmt(f),
            Self::Dataset(e) => e.fmt(f),
            Self::Answer(e) => write!(f, "answer refused: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Scenario(e) => Some(e),
            Self::Dataset(e) => Some(e),
            Self::Answer(e) => Some(e),
        }
    }
}

impl From<ScenarioError> for Error {
    fn from(e: ScenarioError) -> Self {
        Self::Scenario(e)
    }
}

impl From<DatasetError> for Error {
    fn from(e: DatasetError) -> Self {
        Self::Dataset(e)
    }
}

impl From<AnswerError> for Error {
    fn from(e: AnswerError) -> Self {
        Self::Answer(e)
    }
}
