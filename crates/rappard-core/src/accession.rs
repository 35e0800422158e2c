//! Accession of new Members: Marrakesh Agreement Art. XII and the
//! procedures of WT/ACC/1 (1995) and WT/L/93 (decision-making on accession,
//! 1995).
//!
//! An applicant is an observer, not a Member: it never counts in a decision
//! (present or absent, objector or voter) and cannot join an initiative
//! until it is a Member. The steps, as rappard runs them:
//!
//! 1. It applies; the General Council establishes a Working Party open to
//!    interested Members (the scenario names them; by default the Members
//!    with at least 1 % of world exports).
//! 2. It circulates a memorandum on its trade regime; WP members' questions
//!    and its answers take `memorandum_days`.
//! 3. Bilateral market-access talks with each WP member, pairwise: each
//!    round the applicant makes an offer (a level of market access, from its
//!    instructions: an ideal that concession raises round by round) and each
//!    WP member without a deal accepts or not (its request, less its
//!    tolerance). A deal, once made, stands. Rounds every
//!    `bilateral_round_days`, at most `bilateral_rounds`; without every deal
//!    by then the accession stalls.
//! 4. The Working Party adopts its report and the draft Protocol by
//!    consensus of the WP members present, `report_days` after the last deal.
//! 5. The General Council (or Ministerial Conference) decides, at the
//!    scenario's `decision_meeting` or at a session 30 days after the
//!    report: consensus is sought (WT/L/93), else a vote in which two-thirds
//!    of all Members' votes are needed (Art. XII:2).
//! 6. The applicant ratifies and deposits its instrument of acceptance
//!    `ratification_days` later; it becomes a Member on the thirtieth day
//!    after the deposit (the entry-into-force clause of accession protocols).
//!    From that day it counts in every decision and may join initiatives.
//!
//! Caveats: real accessions take years (Comoros applied in 2007 and became
//! the 165th Member on 21 August 2024; Timor-Leste applied on 7 April 2015,
//! its Working Party was established on 7 December 2016, and it became the
//! 166th on 30 August 2024); the defaults are a compressed
//! timetable for a run, and every duration is a scenario parameter. The
//! multilateral negotiation of the terms (the WP's rules commitments) is not
//! modelled apart from the bilateral market-access talks.

use serde::{Deserialize, Serialize};

/// Where an accession stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// Applied; Working Party established; memorandum circulated.
    WorkingParty,
    /// Bilateral market-access talks under way.
    BilateralTalks,
    /// All bilateral deals made; the WP report is being drafted.
    WorkingPartyReport,
    /// Report adopted; awaiting the General Council's decision.
    GeneralCouncil,
    /// Decision taken; ratification under way.
    Ratification,
    /// Instrument deposited; membership on the thirtieth day.
    Deposited,
    /// A Member.
    Member,
    /// Stalled: bilateral talks or the WP report did not conclude.
    Stalled,
    /// The General Council did not approve it.
    Rejected,
}

impl Stage {
    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WorkingParty => "working-party",
            Self::BilateralTalks => "bilateral-talks",
            Self::WorkingPartyReport => "working-party-report",
            Self::GeneralCouncil => "general-council",
            Self::Ratification => "ratification",
            Self::Deposited => "deposited",
            Self::Member => "member",
            Self::Stalled => "stalled",
            Self::Rejected => "rejected",
        }
    }
}

/// Default durations, in days (a compressed timetable: module caveats).
pub mod defaults {
    /// Memorandum, questions and answers.
    pub const MEMORANDUM_DAYS: u32 = 180;
    /// Between bilateral rounds.
    pub const BILATERAL_ROUND_DAYS: u32 = 60;
    /// Bilateral rounds at most.
    pub const BILATERAL_ROUNDS: u32 = 8;
    /// From the last deal to the WP report meeting.
    pub const REPORT_DAYS: u32 = 60;
    /// From the report to the General Council, without a fixed meeting.
    pub const COUNCIL_DAYS: u32 = 30;
    /// From the decision to the deposit of the instrument.
    pub const RATIFICATION_DAYS: u32 = 120;
    /// From the deposit to membership (accession protocols).
    pub const ENTRY_INTO_FORCE_DAYS: u32 = 30;
    /// Export share that puts a Member in a Working Party by default, in
    /// 0.0001 % (1 %).
    pub const WORKING_PARTY_SHARE: u32 = 10_000;
}
