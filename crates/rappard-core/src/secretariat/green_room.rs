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
//!
//! The consultation of all Members (`[greenroom] consultation`, off by
//! default; Li Ke, "Stagnation and Breakthrough of WTO Multilateral Trade
//! Negotiations", Journal of Hubei University of Economics 21(5), 2023,
//! §3.2, in translation: the WTO "should collect the views" of the Members
//! that had no seat "and take up their reasonable concerns with care"):
//! when the room
//! agrees, the chair at once asks every delegation to react to the room's
//! text, in a one-hour meeting after the room. If some object, the chair
//! moves the text toward the median of the levels those objectors stated in
//! the item's last round, by `consultation_weight` (default 0.5): the next
//! round's text is `text + weight × (median − text)`. The meeting's length,
//! its place right after the room and the linear weighing are modelling
//! assumptions; the paper gives no figure.

use super::schedule::{Happening, ItemHappening, Meeting, point};
use super::{ClosedCall, Continuation, Secretariat, Work, objecting};
use crate::greenroom::{self, Invitation};
use crate::member::MemberId;
use crate::protocol::{CallKind, Level, Stated};
use crate::record::Event;
use crate::time::{Interval, Timestamp};

/// Length of a Green Room meeting.
const GREEN_ROOM_SECS: i64 = 3600;

/// Length of the consultation of all Members after a room (a modelling
/// assumption).
const CONSULTATION_SECS: i64 = 3600;

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
    /// All Members' reactions to the room's text (`consultation`).
    Consultation { text: Level, weight: Level },
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
            GreenRoomStep::Consultation { text, weight } => {
                let objectors = objecting(&self.record_reactions(c.call, c.answers));
                self.close_recorded(c.call, c.unanswered);
                self.consultation_weighed(item, text, weight, objectors);
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
        let Some(spec) = &self.agenda.green_room else {
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
        let Some(transparent) = self
            .agenda
            .green_room
            .as_ref()
            .map(|g| g.policy.transparent())
        else {
            return;
        };
        let start = self
            .meeting
            .as_ref()
            .map_or(self.now, |m| m.interval.end)
            .max(self.now);
        self.now = start;
        let participants = self.invite_to_green_room(item, &objectors);
        if !transparent {
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
        let Some(spec) = &self.agenda.green_room else {
            return Vec::new();
        };
        let it = &self.agenda.items[item];
        let seats = greenroom::seats_for(spec.seats, spec.growth, it.salience);
        let participants = greenroom::invite(
            spec.policy,
            &Invitation {
                roll: &self.agenda.membership,
                coalitions: &self.agenda.coalitions,
                objectors,
                concerned: &it.concerned,
                seats: seats as usize,
                invited_before: &self.invited,
                objector_seats: spec.objector_seats,
                structure: &spec.structure,
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
        let Some(spec) = &self.agenda.green_room else {
            return;
        };
        let it = &self.agenda.items[item];
        let salience_seats =
            greenroom::seats_for(spec.seats, spec.growth, it.salience) - spec.seats;
        let observers = if spec.policy.transparent() {
            it.observers.clone()
        } else {
            Vec::new()
        };
        let policy = spec.policy;
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
            policy,
            interval,
            participants: participants.clone(),
            objectors: objectors.clone(),
            observers_admitted: policy.transparent(),
            inclusiveness,
            salience_seats,
            observers,
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
        let spec = self.agenda.green_room.as_ref();
        let consultation = spec.and_then(|g| g.consultation);
        if spec.is_some_and(|g| g.policy.transparent()) {
            self.emit(Event::GreenRoomReported {
                item: id,
                text,
                agreed,
            });
        }
        if let (true, Some(weight)) = (agreed, consultation) {
            self.consult_all_members(item, text, weight);
        }
    }

    /// The consultation of all Members on the room's text (module doc): a
    /// meeting of every delegation right after the room.
    fn consult_all_members(&mut self, item: usize, text: Level, weight: Level) {
        let start = self.meeting.as_ref().map_or(self.now, |m| m.interval.end);
        self.now = self.now.max(start);
        let delegations = self.all_delegations.clone();
        let members: Vec<MemberId> = self.agenda.membership.ids().collect();
        let interval = Interval {
            start: self.now,
            end: self.now.plus_secs(CONSULTATION_SECS),
        };
        self.emit(Event::GreenRoomConsultationOpened {
            item: self.agenda.items[item].id.clone(),
            interval,
            text,
        });
        self.meeting = Some(Meeting {
            interval,
            delegations: delegations.clone(),
            members,
            session: false,
            room: None,
        });
        let step = GreenRoomStep::Consultation { text, weight };
        self.green_room_call(item, CallKind::Reactions, Some(text), delegations, step);
    }

    /// The chair weighs the consultation's objections: the next round's
    /// text moves from the room's toward the median of the levels the
    /// objectors stated in the item's last round, by `weight`.
    fn consultation_weighed(
        &mut self,
        item: usize,
        text: Level,
        weight: Level,
        objectors: Vec<MemberId>,
    ) {
        let st = &self.items[item];
        let mut theirs: Vec<Level> = objectors
            .iter()
            .filter_map(|m| st.last_levels.get(m).copied())
            .collect();
        theirs.sort_unstable();
        let next_text = match theirs.get(theirs.len().wrapping_sub(1) / 2) {
            Some(&target) if !objectors.is_empty() => toward(text, target, weight),
            _ => text,
        };
        self.items[item].pending_text = Some(next_text);
        self.emit(Event::GreenRoomConsulted {
            item: self.agenda.items[item].id.clone(),
            text,
            objectors,
            next_text,
        });
    }
}

/// `from + weight × (to − from)`, `weight` on the 0 to `MAX_LEVEL` scale,
/// rounded to the nearest level.
fn toward(from: Level, to: Level, weight: Level) -> Level {
    let max = i64::from(crate::protocol::MAX_LEVEL);
    let d = (i64::from(to) - i64::from(from)) * i64::from(weight);
    let step = if d >= 0 {
        (d + max / 2) / max
    } else {
        -((-d + max / 2) / max)
    };
    (i64::from(from) + step).clamp(0, max) as Level
}

#[cfg(test)]
mod tests {
    use super::toward;

    /// The consultation's weighing (Li Ke 2023, §3.2; a modelling
    /// assumption): halfway, not at all, all the way, both directions.
    #[test]
    fn toward_moves_by_the_weight() {
        assert_eq!(toward(5000, 2500, 5000), 3750);
        assert_eq!(toward(5000, 2500, 0), 5000);
        assert_eq!(toward(5000, 2500, 10_000), 2500);
        assert_eq!(toward(2500, 5000, 5000), 3750);
        assert_eq!(toward(3, 0, 5000), 1);
    }
}
