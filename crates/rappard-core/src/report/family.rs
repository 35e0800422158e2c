//! The families of events both folds are organised by.
//!
//! The JSON report and the minutes read the same record and hand each
//! event to a method for its family. Sorting events into families here,
//! once and with no catch-all, keeps the two folds organised alike and
//! makes a new kind of event a compile error until it is given a family.

use crate::record::Event;

/// A family of events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Family {
    /// The negotiation opens: scenario, roll, coalitions, agenda.
    Opening,
    /// Days and meetings.
    Meetings,
    /// Calls issued, answered and closed.
    Calls,
    /// Chairs' texts and consultation rounds.
    Texts,
    /// Members' amendments to the chair's text, and texts the chair
    /// withholds (`crate::proposal`).
    Proposals,
    /// Written procedure, decisions, consensus not reached in a consensus
    /// period, items lapsing.
    Decisions,
    /// Acceptances of an amendment and its entry into force (Art. X:3).
    Amendments,
    /// Items agreed for the package (single undertaking).
    Package,
    /// Green Rooms.
    GreenRooms,
    /// Plurilateral initiatives.
    Initiatives,
    /// Accessions.
    Accessions,
    /// Regional trade agreements around the negotiation (`crate::rta`).
    Regional,
    /// The negotiation closes.
    Closing,
    /// Political shocks begin and end.
    Shocks,
    /// Coalitions acting as blocs: formed, speaking with one voice, a
    /// member defecting.
    Blocs,
}

impl Family {
    /// The family of an event.
    pub(super) fn of(event: &Event) -> Self {
        match event {
            Event::NegotiationOpened { .. }
            | Event::RollCalled { .. }
            | Event::CoalitionsListed { .. }
            | Event::ItemListed { .. }
            | Event::CapacityListed { .. }
            | Event::FlexibilitiesListed { .. } => Self::Opening,
            Event::DayOpened { .. }
            | Event::MeetingConvened { .. }
            | Event::MeetingMissed { .. } => Self::Meetings,
            Event::CallIssued { .. }
            | Event::PositionStated { .. }
            | Event::DraftSigned { .. }
            | Event::ReactionGiven { .. }
            | Event::ObjectionRaised { .. }
            | Event::VoteCast { .. }
            | Event::CallClosed { .. } => Self::Calls,
            Event::DraftIssued { .. }
            | Event::DraftWithheld { .. }
            | Event::RoundConcluded { .. }
            | Event::TextTabled { .. }
            | Event::TextDrafted { .. }
            | Event::DraftRevised { .. }
            | Event::RevisionsExhausted { .. }
            | Event::ConfessionalsHeld { .. }
            | Event::BridgingProposed { .. }
            | Event::PackageLinked { .. } => Self::Texts,
            Event::AmendmentProposed { .. }
            | Event::AmendmentTakenUp { .. }
            | Event::AmendmentNotTakenUp { .. }
            | Event::TextWithheld { .. } => Self::Proposals,
            Event::WrittenProcedureOpened { .. }
            | Event::WrittenProcedureFailed { .. }
            | Event::DecisionTaken { .. }
            | Event::NoQuorum { .. }
            | Event::ConsensusNotReached { .. }
            | Event::ItemLapsed { .. }
            | Event::ItemWithdrawn { .. }
            | Event::ObjectionWithdrawn { .. }
            | Event::LinkageDeclared { .. }
            | Event::LinkageSatisfied { .. }
            | Event::LinkedPackageDecided { .. } => Self::Decisions,
            Event::AcceptanceDeposited { .. } | Event::AmendmentInForce { .. } => Self::Amendments,
            Event::ItemAgreed { .. } => Self::Package,
            Event::GreenRoomAnnounced { .. }
            | Event::GreenRoomConvened { .. }
            | Event::GreenRoomConcluded { .. }
            | Event::GreenRoomReported { .. }
            | Event::GreenRoomConsultationOpened { .. }
            | Event::GreenRoomConsulted { .. } => Self::GreenRooms,
            Event::InitiativeLaunched { .. }
            | Event::InitiativeJoined { .. }
            | Event::InitiativeConcluded { .. }
            | Event::InitiativeStatus { .. } => Self::Initiatives,
            Event::AccessionApplied { .. }
            | Event::AccessionStage { .. }
            | Event::OfferMade { .. }
            | Event::BilateralConcluded { .. }
            | Event::AccessionCompleted { .. } => Self::Accessions,
            Event::NegotiationClosed { .. } => Self::Closing,
            Event::ShockBegan { .. } | Event::ShockEnded { .. } => Self::Shocks,
            Event::BlocFormed { .. } | Event::BlocSpoke { .. } | Event::BlocDefection { .. } => {
                Self::Blocs
            }
            Event::RtaNotified { .. }
            | Event::RtaReviewScheduled { .. }
            | Event::RtaNotNotified { .. }
            | Event::SpaghettiBowl { .. }
            | Event::RtaDocked { .. } => Self::Regional,
        }
    }
}
