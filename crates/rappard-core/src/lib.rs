//! rappard-core: the negotiation model of rappard, with no IO.
//!
//! A scenario and a seed go in; the [`secretariat::Secretariat`] turns
//! delegations' answers into an ordered [`record::Record`] of events;
//! [`delegation::Delegation`]s answer from their private instructions
//! through a [`strategy::Strategy`]. The record is the minutes, the state
//! and the report ([`report`]). Nothing here opens a socket, spawns a thread
//! or reads a clock: simulated time is computed from the scenario, so the
//! same scenario and seed always give the same record, byte for byte.
//!
//! The rules implemented, with their sources, are listed in [`rules`]; time
//! zones and sessions in [`sessions`]; the scenario format in [`scenario`].

pub mod accession;
pub mod amendment;
pub mod capacity;
pub mod coalition;
pub mod dataset;
pub mod delegation;
pub mod drafting;
pub mod error;
pub mod flexibility;
pub mod greenroom;
pub mod initiative;
pub mod invariants;
pub mod member;
pub mod package_deal;
pub mod pressure;
pub mod procedure;
pub mod proposal;
pub mod protocol;
pub mod record;
pub mod report;
pub mod rng;
pub mod rta;
pub mod rules;
pub mod scenario;
pub mod secretariat;
pub mod sessions;
pub mod shock;
pub mod simulation;
pub mod strategy;
pub mod time;
