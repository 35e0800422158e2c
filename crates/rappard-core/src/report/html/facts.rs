//! What the charts of the HTML report need, folded from the record once.
//!
//! The JSON report ([`crate::report::Report`]) keeps where things ended;
//! the charts also need how they got there (who sat in which zone, every
//! meeting's attendance, each join to an initiative with its instant, each
//! stage of an accession), which only the record holds. This fold reads
//! the record in order and keeps those facts, in record order, so the
//! charts drawn from them are the same for the same record.

use std::collections::BTreeMap;

use crate::accession::Stage;
use crate::greenroom::{Inclusiveness, Policy};
use crate::member::MemberId;
use crate::record::{Event, Record, RollEntry};
use crate::rules::{Outcome, Votes};
use crate::sessions::Venue;
use crate::time::Timestamp;

/// The facts of one run (module doc).
#[derive(Debug, Default)]
pub(super) struct Facts {
    /// Scenario name.
    pub scenario: String,
    /// Seed.
    pub seed: u64,
    /// Venue.
    pub venue: Option<Venue>,
    /// The negotiation's start.
    pub start: Option<Timestamp>,
    /// The last entry's instant.
    pub end: Option<Timestamp>,
    /// Delegations (Members not represented by another), by id.
    pub delegations: BTreeMap<MemberId, RollEntry>,
    /// Meetings, in order.
    pub meetings: Vec<Meeting>,
    /// Days with their common-window seconds, in order.
    pub days: Vec<(String, i64)>,
    /// Initiatives, in launch order.
    pub initiatives: Vec<Curve>,
    /// Decisions taken by vote, in order.
    pub votes: Vec<Tally>,
    /// Green Rooms, in order.
    pub rooms: Vec<Room>,
    /// Accessions, in application order.
    pub accessions: Vec<Track>,
}

/// One meeting's attendance.
#[derive(Debug)]
pub(super) struct Meeting {
    /// Its start.
    pub start: Timestamp,
    /// Delegations present.
    pub present: Vec<MemberId>,
}

/// An initiative's participants' share over time.
#[derive(Debug)]
pub(super) struct Curve {
    /// Id.
    pub id: String,
    /// Critical mass, in 0.0001 % of world exports.
    pub threshold: u32,
    /// (instant, share in 0.0001 %, who joined; none at launch), in order.
    pub points: Vec<(Timestamp, u32, Option<MemberId>)>,
}

/// A decision taken by vote.
#[derive(Debug)]
pub(super) struct Tally {
    /// Item.
    pub item: String,
    /// Weighted counts.
    pub votes: Votes,
    /// Yes votes needed.
    pub required: Option<u32>,
    /// Outcome.
    pub outcome: Outcome,
}

/// A Green Room.
#[derive(Debug)]
pub(super) struct Room {
    /// Item.
    pub item: String,
    /// When it met.
    pub at: Timestamp,
    /// Whose practice.
    pub policy: Policy,
    /// Invitees.
    pub participants: usize,
    /// Who is represented.
    pub inclusiveness: Inclusiveness,
}

/// An accession's stages over time.
#[derive(Debug)]
pub(super) struct Track {
    /// The applicant.
    pub applicant: MemberId,
    /// Its name.
    pub name: String,
    /// (instant, stage), in order; the application is `working-party`.
    pub stages: Vec<(Timestamp, Stage)>,
}

impl Facts {
    /// Folds the record.
    pub fn of(record: &Record) -> Self {
        let mut f = Self::default();
        for e in record.entries() {
            f.end = Some(e.at);
            f.event(e.at, &e.event);
        }
        f
    }

    /// What one event adds.
    fn event(&mut self, at: Timestamp, event: &Event) {
        match event {
            Event::NegotiationOpened {
                scenario,
                seed,
                venue,
                start,
                ..
            } => {
                self.scenario.clone_from(scenario);
                self.seed = *seed;
                self.venue = Some(*venue);
                self.start = Some(*start);
            }
            Event::RollCalled { members, .. } => members.iter().for_each(|m| self.seat(m)),
            Event::AccessionCompleted {
                applicant, entry, ..
            } => {
                self.seat(entry);
                self.stage(applicant, at, Stage::Member);
            }
            Event::DayOpened {
                date,
                common_windows,
            } => {
                let secs = common_windows.iter().map(|w| w.secs()).sum();
                self.days.push((date.clone(), secs));
            }
            Event::MeetingConvened {
                interval, present, ..
            } => self.meetings.push(Meeting {
                start: interval.start,
                present: present.clone(),
            }),
            _ => self.tracks(at, event),
        }
    }

    /// Initiatives, votes, Green Rooms and accessions.
    fn tracks(&mut self, at: Timestamp, event: &Event) {
        match event {
            Event::InitiativeLaunched {
                initiative,
                share,
                threshold,
                ..
            } => self.initiatives.push(Curve {
                id: initiative.clone(),
                threshold: *threshold,
                points: vec![(at, *share, None)],
            }),
            Event::InitiativeJoined {
                initiative,
                member,
                share,
                ..
            } => {
                if let Some(c) = self.initiatives.iter_mut().find(|c| &c.id == initiative) {
                    c.points.push((at, *share, Some(member.clone())));
                }
            }
            Event::DecisionTaken {
                item,
                votes: Some(votes),
                required,
                outcome,
                ..
            } => self.votes.push(Tally {
                item: item.clone(),
                votes: *votes,
                required: *required,
                outcome: *outcome,
            }),
            Event::GreenRoomConvened {
                item,
                policy,
                participants,
                inclusiveness,
                ..
            } => self.rooms.push(Room {
                item: item.clone(),
                at,
                policy: *policy,
                participants: participants.len(),
                inclusiveness: *inclusiveness,
            }),
            Event::AccessionApplied {
                applicant, name, ..
            } => self.accessions.push(Track {
                applicant: applicant.clone(),
                name: name.clone(),
                stages: vec![(at, Stage::WorkingParty)],
            }),
            Event::AccessionStage { applicant, stage } => self.stage(applicant, at, *stage),
            _ => {}
        }
    }

    /// A Member on the roll: kept if it has a delegation of its own.
    fn seat(&mut self, m: &RollEntry) {
        if m.represented_by.is_none() {
            self.delegations.insert(m.id.clone(), m.clone());
        }
    }

    /// An accession's new stage (the same stage twice is kept once).
    fn stage(&mut self, applicant: &MemberId, at: Timestamp, stage: Stage) {
        if let Some(t) = self
            .accessions
            .iter_mut()
            .find(|t| &t.applicant == applicant)
            && t.stages.last().map(|s| s.1) != Some(stage)
        {
            t.stages.push((at, stage));
        }
    }
}
