//! The Secretariat's side of a Green Room (see `crate::greenroom` for the
//! rules and their sources): after a session's round in which a few
//! delegations objected, the chair convenes the invitees, hears their
//! positions, proposes a compromise and asks them to react. A compromise
//! that no participant objects to becomes the text the chair brings to the
//! next session.
//!
//! The compromise: the midpoint between the current text and the median of
//! the levels the objectors in the room stated; if no objector is in the
//! room, the median of the room's levels. This is a modelling choice: the
//! chair meets the objectors halfway when it can hear them, and otherwise
//! drafts for the room.

use super::schedule::Meeting;
use super::{ClosedCall, Continuation, Secretariat, Work, objecting};
use crate::greenroom::{self, Invitation};
use crate::member::MemberId;
use crate::protocol::{CallKind, Level, Stated};
use crate::record::Event;
use crate::time::Interval;

/// Length of a Green Room meeting.
const GREEN_ROOM_SECS: i64 = 3600;

/// What a Green Room's open call is for.
#[derive(Clone, Debug)]
pub(super) enum GreenRoomStep {
    /// The room's positions; `objectors` are those the room is for.
    Positions { objectors: Vec<MemberId> },
    /// The room's reactions to the chair's compromise.
    Reactions { text: Level },
}

impl Secretariat {
    /// Goes on with a Green Room after one of its calls closed.
    pub(super) fn continue_green_room(&mut self, item: usize, step: GreenRoomStep, c: ClosedCall) {
        match step {
            GreenRoomStep::Positions { objectors } => {
                let stated = self.record_positions(c.call, c.answers);
                self.close_recorded(c.call, c.unanswered);
                self.green_room_compromise(item, &objectors, &stated);
            }
            GreenRoomStep::Reactions { text } => {
                let objectors = objecting(&self.record_reactions(c.call, c.answers));
                self.close_recorded(c.call, c.unanswered);
                self.green_room_outcome(item, text, objectors.is_empty());
            }
        }
    }

    /// Opens a call of the Green Room on an item, under the item's rule.
    fn green_room_call(
        &mut self,
        item: usize,
        kind: CallKind,
        text: Option<Level>,
        awaited: Vec<MemberId>,
        step: GreenRoomStep,
    ) {
        let rule = self.agenda.items[item].rule;
        let then = Continuation::GreenRoom { item, step };
        self.call_on_item(item, kind, text, awaited, then, rule);
    }

    /// After a round: queue a Green Room if the scenario's chair convenes
    /// them and a few delegations objected.
    pub(super) fn maybe_green_room(&mut self, item: usize, objectors: &[MemberId]) {
        let Some(spec) = self.agenda.green_room else {
            return;
        };
        let n = objectors.len() as u32;
        let in_session = self.meeting.as_ref().is_some_and(|m| m.session);
        if in_session && n >= 1 && n <= spec.few {
            self.green_rooms.push_back((item, objectors.to_vec()));
        }
    }

    /// Convenes the next queued Green Room, after the meeting in progress.
    pub(super) fn hold_green_room(&mut self, item: usize, objectors: Vec<MemberId>) {
        let Some(spec) = self.agenda.green_room else {
            return;
        };
        let start = self
            .meeting
            .as_ref()
            .map_or(self.now, |m| m.interval.end)
            .max(self.now);
        self.now = start;
        let interval = Interval {
            start,
            end: start.plus_secs(GREEN_ROOM_SECS),
        };
        let participants = greenroom::invite(
            spec.policy,
            &Invitation {
                roll: &self.agenda.membership,
                coalitions: &self.agenda.coalitions,
                objectors: &objectors,
                concerned: &self.agenda.items[item].concerned,
                seats: spec.seats as usize,
                invited_before: &self.invited,
            },
        );
        for p in &participants {
            *self.invited.entry(p.clone()).or_insert(0) += 1;
        }
        let inclusiveness = greenroom::inclusiveness(
            &self.agenda.membership,
            &self.agenda.coalitions,
            &participants,
        );
        let id = self.agenda.items[item].id.clone();
        if spec.policy.transparent() {
            self.emit(Event::GreenRoomAnnounced {
                item: id.clone(),
                participants: participants.clone(),
                agenda: self.agenda.items[item].title.clone(),
            });
        }
        self.emit(Event::GreenRoomConvened {
            item: id,
            policy: spec.policy,
            interval,
            participants: participants.clone(),
            objectors: objectors.clone(),
            observers_admitted: spec.policy.transparent(),
            inclusiveness,
        });
        self.meeting = Some(Meeting {
            interval,
            delegations: participants.clone(),
            members: participants,
            session: false,
        });
        self.work.push_back(Work::GreenRoom { item, objectors });
    }

    /// The Green Room's positions call.
    pub(super) fn green_room_positions(&mut self, item: usize, objectors: Vec<MemberId>) {
        let awaited = self.present_delegations();
        let text = self.items[item].text;
        let step = GreenRoomStep::Positions { objectors };
        self.green_room_call(item, CallKind::Positions, text, awaited, step);
    }

    /// Positions heard: the chair's compromise, put to the room.
    fn green_room_compromise(
        &mut self,
        item: usize,
        objectors: &[MemberId],
        stated: &[(MemberId, Stated)],
    ) {
        let theirs: Vec<(MemberId, Stated)> = stated
            .iter()
            .filter(|(m, _)| objectors.contains(m))
            .cloned()
            .collect();
        let theirs = super::levels(&theirs);
        let current = self.items[item].text;
        let text = match (current, theirs.is_empty()) {
            (Some(t), false) => {
                let target = self.drafting.draft(&theirs, Some(t));
                ((u32::from(t) + u32::from(target)) / 2) as Level
            }
            _ => self.drafting.draft(&super::levels(stated), current),
        };
        let awaited = self.present_delegations();
        let step = GreenRoomStep::Reactions { text };
        self.green_room_call(item, CallKind::Reactions, Some(text), awaited, step);
    }

    /// Reactions heard: the outcome, reported to all under the reformed
    /// policy.
    fn green_room_outcome(&mut self, item: usize, text: Level, agreed: bool) {
        if agreed {
            self.items[item].pending_text = Some(text);
        }
        let id = self.agenda.items[item].id.clone();
        self.emit(Event::GreenRoomConcluded {
            item: id.clone(),
            text,
            agreed,
        });
        if self
            .agenda
            .green_room
            .is_some_and(|g| g.policy.transparent())
        {
            self.emit(Event::GreenRoomReported {
                item: id,
                text,
                agreed,
            });
        }
    }
}
