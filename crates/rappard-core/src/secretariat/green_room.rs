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

use super::schedule::{Happening, ItemHappening, Meeting, point};
use super::{ClosedCall, Continuation, Secretariat, Work, objecting};
use crate::greenroom::{self, Invitation};
use crate::member::MemberId;
use crate::protocol::{CallKind, Level, Stated};
use crate::record::Event;
use crate::time::{Interval, Timestamp};

/// Length of a Green Room meeting.
const GREEN_ROOM_SECS: i64 = 3600;

/// How long before it meets a reformed Green Room is announced, with its
/// participants and agenda: 24 hours (a modelling default; Li Ke 2023,
/// §3.2, asks that participants and agenda be published beforehand
/// without a figure).
pub const GREEN_ROOM_NOTICE_SECS: i64 = 24 * 3600;

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
        // One already announced on the item has yet to meet.
        let announced = self.items[item].announced_green_room.is_some();
        if in_session && !announced && n >= 1 && n <= spec.few {
            self.green_rooms.push_back((item, objectors.to_vec()));
        }
    }

    /// The next queued Green Room, after the meeting in progress: held at
    /// once under the traditional policy; under the reformed one, its
    /// participants and agenda are announced now and it meets
    /// [`GREEN_ROOM_NOTICE_SECS`] later.
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
        let participants = self.invite_to_green_room(item, &objectors);
        if !spec.policy.transparent() {
            self.convene_green_room(item, participants, objectors, start);
            return;
        }
        self.emit(Event::GreenRoomAnnounced {
            item: self.agenda.items[item].id.clone(),
            participants: participants.clone(),
            agenda: self.agenda.items[item].title.clone(),
        });
        let at = start.plus_secs(GREEN_ROOM_NOTICE_SECS);
        self.items[item].announced_green_room = Some((participants, objectors));
        let what = ItemHappening::GreenRoom;
        self.schedule
            .insert((at, Happening::Item { what, item }), point(at));
    }

    /// An announced Green Room meets, if its item is still in consultation.
    pub(super) fn announced_green_room_meets(&mut self, item: usize, t: Timestamp) {
        let Some((participants, objectors)) = self.items[item].announced_green_room.take() else {
            return;
        };
        if self.items[item].phase != super::items::Phase::Consulting {
            return;
        }
        self.now = self.now.max(t);
        self.convene_green_room(item, participants, objectors, self.now);
    }

    /// Whom the chair invites to a Green Room on `item` (`crate::greenroom`),
    /// counted for rotation.
    fn invite_to_green_room(&mut self, item: usize, objectors: &[MemberId]) -> Vec<MemberId> {
        let Some(spec) = self.agenda.green_room else {
            return Vec::new();
        };
        let participants = greenroom::invite(
            spec.policy,
            &Invitation {
                roll: &self.agenda.membership,
                coalitions: &self.agenda.coalitions,
                objectors,
                concerned: &self.agenda.items[item].concerned,
                seats: spec.seats as usize,
                invited_before: &self.invited,
            },
        );
        for p in &participants {
            *self.invited.entry(p.clone()).or_insert(0) += 1;
        }
        participants
    }

    /// Convenes a Green Room at `start` and queues its positions call.
    fn convene_green_room(
        &mut self,
        item: usize,
        participants: Vec<MemberId>,
        objectors: Vec<MemberId>,
        start: Timestamp,
    ) {
        let Some(spec) = self.agenda.green_room else {
            return;
        };
        let interval = Interval {
            start,
            end: start.plus_secs(GREEN_ROOM_SECS),
        };
        let inclusiveness = greenroom::inclusiveness(
            &self.agenda.membership,
            &self.agenda.coalitions,
            &participants,
        );
        self.emit(Event::GreenRoomConvened {
            item: self.agenda.items[item].id.clone(),
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
            room: None,
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
