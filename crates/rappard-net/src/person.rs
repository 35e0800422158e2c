//! A delegation played by a person: where its answers come from instead
//! of its strategies.
//!
//! The issue of a class is that people, not programs, play some
//! delegations. A delegation node asks its [`AnswerSource`], if it has
//! one, for the answer to each call that awaits it, and sends that answer
//! exactly as it sends a strategy's (`member::run_with`): the Secretariat
//! cannot tell them apart, and refuses an invalid or late answer the same
//! way. A source that gives no answer (the person did not answer in time)
//! leaves the call unanswered, and the Secretariat records the delegation
//! as not answering when it closes the call at its `--answer-timeout`,
//! exactly as an absent one.
//!
//! The bilateral talks of an accession stay with the core `Delegation`
//! (the node answers an applicant's offer at once, while the person may be
//! busy), so a `BilateralResponse` call is answered as in the talk.

use std::future::Future;
use std::pin::Pin;

use rappard_core::protocol::{Answer, Call};
use rappard_core::time::Timestamp;

/// A boxed future, for a trait object's async method.
pub type Pending<'a> = Pin<Box<dyn Future<Output = Option<Answer>> + Send + 'a>>;

/// Where a delegation's answers come from when a person plays it.
pub trait AnswerSource: Send {
    /// The answer to `call`, issued at the simulated instant `at`, that
    /// awaits this delegation; `None` leaves it unanswered.
    fn answer<'a>(&'a mut self, call: &'a Call, at: Option<Timestamp>) -> Pending<'a>;

    /// What became of the answer given to `call`: taken (`None`), or
    /// refused with the Secretariat's reason.
    fn outcome(&mut self, call: &Call, refused: Option<&str>);
}
