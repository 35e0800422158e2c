//! The Secretariat's calendar: what is scheduled to happen when, the
//! meetings it convenes, and the day's session.
//!
//! Every date the scenario fixes or the procedure derives (an item's
//! deadline, a written procedure's deadline, a fixed meeting, an
//! initiative's deadline or Ministerial meeting, each step of an accession,
//! each Member's acceptance of an amendment and its entry into force, the
//! next session) is a [`Happening`] in one ordered schedule. The
//! Secretariat carries out the earliest one when it has nothing else to do;
//! happenings at the same instant are taken in the order of [`Happening`]'s
//! variants, then by the index of their item, initiative or accession, so
//! the record never depends on the order in which they were scheduled.
//!
//! What that order means at one instant: items, then initiatives, then
//! accessions (a Member admitted that instant counts in the amendments'
//! base), then amendments, then the session. Among amendments every deposit
//! of acceptance comes before any entry into force ([`AmendmentHappening`]
//! orders `Deposit` first), so the acceptances deposited together are
//! counted together; deposits are then taken by item and by the index of
//! the depositing Member in the amendment's list of parties, which is
//! sorted by member id.
//!
//! Sessions (`crate::sessions`): every working day with work, one session
//! is held at the time that seats the most Members; a day whose remaining
//! hours seat no one has none, and neither has a day that is not a Geneva
//! working day under the rules of procedure (`crate::procedure`).

use std::collections::BTreeMap;

use super::{Secretariat, Work};
use crate::member::MemberId;
use crate::record::{Event, MeetingKind};
use crate::time::{Interval, Timestamp};

/// Seconds in a day.
pub(super) const DAY: i64 = 86_400;

/// Sessions are held up to this many days after the start (a modelling
/// bound that keeps every run finite).
pub(super) const SESSION_HORIZON_DAYS: i64 = 366;

/// What can happen to an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum ItemHappening {
    /// Its deadline for consultations (items without a fixed meeting).
    Deadline,
    /// The deadline of its written procedure.
    WrittenDeadline,
    /// Its fixed decision meeting.
    Meeting,
    /// A Green Room announced on it meets (reformed policy).
    GreenRoom,
}

/// What can happen to an open plurilateral initiative.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum InitiativeHappening {
    /// Its deadline.
    Deadline,
    /// The fixed Ministerial meeting on its Annex 4 decision.
    Meeting,
    /// The end of the window for objections to certifying its schedule
    /// modifications (MFN).
    Certification,
}

/// The steps of an accession that fall on a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum AccessionHappening {
    /// The application.
    Applied,
    /// A round of bilateral market-access talks.
    BilateralRound,
    /// The Working Party meets on its report.
    WorkingPartyMeeting,
    /// The General Council decides.
    CouncilMeeting,
    /// The instrument of acceptance is deposited.
    Deposit,
    /// The thirtieth day after the deposit: membership.
    Membership,
}

/// What can happen to an amendment submitted for acceptance (Art. X:3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum AmendmentHappening {
    /// A party deposits its instrument of acceptance.
    Deposit,
    /// Two-thirds of the Members have accepted: it enters into force for
    /// them, after every deposit of the instant.
    InForce,
}

/// One scheduled happening. The derived order (variant, then step, then
/// index) breaks ties between happenings at the same instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Happening {
    /// A political shock begins or ends (`shocks`): first at its instant.
    Shock {
        what: super::shocks::ShockHappening,
        shock: usize,
    },
    /// Something happens to agenda item `item`.
    Item { what: ItemHappening, item: usize },
    /// Something happens to initiative `initiative`.
    Initiative {
        what: InitiativeHappening,
        initiative: usize,
    },
    /// A step of accession `accession`.
    Accession {
        what: AccessionHappening,
        accession: usize,
    },
    /// Something happens to amendment `item`: `party` indexes its list of
    /// parties (0 for the entry into force).
    Amendment {
        what: AmendmentHappening,
        item: usize,
        party: usize,
    },
    /// The day's session.
    Session,
}

impl Happening {
    /// Whether it is a meeting fixed ahead (an item's or initiative's
    /// meeting, a Working Party's or the General Council's on an accession),
    /// which the day's session must not overlap.
    fn is_fixed_meeting(&self) -> bool {
        matches!(
            self,
            Happening::Item {
                what: ItemHappening::Meeting,
                ..
            } | Happening::Initiative {
                what: InitiativeHappening::Meeting,
                ..
            } | Happening::Accession {
                what: AccessionHappening::WorkingPartyMeeting | AccessionHappening::CouncilMeeting,
                ..
            }
        )
    }
}

/// The schedule: happenings by instant, each with the span it covers.
pub(super) type Schedule = BTreeMap<(Timestamp, Happening), Interval>;

/// A meeting in progress.
#[derive(Clone, Debug)]
pub(super) struct Meeting {
    pub(super) interval: Interval,
    /// Delegations present, in id order.
    pub(super) delegations: Vec<MemberId>,
    /// Members present (EU member States with the EU), in id order.
    pub(super) members: Vec<MemberId>,
    /// Whether it is a day's session (Green Rooms follow sessions only).
    pub(super) session: bool,
    /// Under limited capacity (`capacity`), everyone in the room, present
    /// delegations and Members, while `delegations` and `members` are those
    /// who take the business in hand up. `None` until a limit applies.
    pub(super) room: Option<(Vec<MemberId>, Vec<MemberId>)>,
}

/// The start of the (UTC) day of `t`.
pub(super) fn midnight(t: Timestamp) -> Timestamp {
    Timestamp::from_unix(t.unix() - t.unix().rem_euclid(DAY)).unwrap_or(t)
}

/// An instant as an interval of no length.
pub(super) fn point(t: Timestamp) -> Interval {
    Interval { start: t, end: t }
}

impl Secretariat {
    /// Convenes a meeting over `interval`: records the day's opening if it is
    /// a new day, and who is present.
    pub(super) fn convene(&mut self, interval: Interval, kind: MeetingKind) {
        self.convene_among(interval, kind, None);
    }

    /// Convenes a meeting of some Members only (a Working Party): the
    /// record's present and absent are among them.
    pub(super) fn convene_among(
        &mut self,
        interval: Interval,
        kind: MeetingKind,
        among: Option<&[MemberId]>,
    ) {
        let session = kind == MeetingKind::Session;
        self.open_day(interval.start);
        let presence = self.calendar.presence(interval);
        let roll = &self.agenda.membership;
        let mut present = Vec::new();
        let mut absent = Vec::new();
        let mut members = Vec::new();
        for (i, m) in roll.members().iter().enumerate() {
            if among.is_some_and(|only| !only.contains(&m.id)) {
                continue;
            }
            if presence[i] {
                members.push(m.id.clone());
            }
            if !roll.is_represented_at(i) {
                if presence[i] {
                    present.push(m.id.clone());
                } else {
                    absent.push(m.id.clone());
                }
            }
        }
        self.meetings += 1;
        self.emit(Event::MeetingConvened {
            meeting: self.meetings,
            kind,
            interval,
            present: present.clone(),
            absent,
            members_present: members.len() as u32,
        });
        self.meeting = Some(Meeting {
            interval,
            delegations: present,
            members,
            session,
            room: None,
        });
    }

    /// Records the opening of the day of `t`, with the hours in which the
    /// Members can meet, the first time a meeting falls on it.
    fn open_day(&mut self, t: Timestamp) {
        let day = midnight(t);
        let date = day.datetime().date_naive();
        if self.last_day == Some(date) {
            return;
        }
        self.last_day = Some(date);
        let common_windows = self.calendar.common_windows(day);
        self.emit(Event::DayOpened {
            date: date.format("%Y-%m-%d").to_string(),
            common_windows,
        });
    }

    /// Carries out a scheduled happening at `t`. One that finds nothing to
    /// do (the deadline of an item already decided) leaves time where it is.
    pub(super) fn happen(&mut self, t: Timestamp, h: Happening, span: Interval) {
        match h {
            Happening::Item { what, item } => self.item_happening(what, item, t, span),
            Happening::Initiative { what, initiative } => {
                self.initiative_happening(what, initiative, t, span);
            }
            Happening::Accession { what, accession } => {
                self.accession_happening(what, accession, t, span);
            }
            Happening::Amendment { what, item, party } => {
                self.amendment_happening(what, item, party, t);
            }
            Happening::Session => self.hold_session(t, span),
            Happening::Shock { what, shock } => self.shock_happening(what, shock, t),
        }
    }

    /// The day's session: a round or a decision on every item that needs
    /// one, and the initiatives' work.
    fn hold_session(&mut self, t: Timestamp, span: Interval) {
        if !self.needs_session() {
            return;
        }
        self.now = self.now.max(t);
        self.last_session_day = Some(midnight(span.start));
        self.convene(span, MeetingKind::Session);
        let mut work: Vec<Work> = self.item_work();
        work.extend(self.initiative_work());
        self.work.extend(work);
    }

    /// The delegations present at the meeting in progress (none between
    /// meetings), in id order: whom a meeting's calls await.
    pub(super) fn present_delegations(&self) -> Vec<MemberId> {
        self.meeting
            .as_ref()
            .map(|m| m.delegations.clone())
            .unwrap_or_default()
    }

    /// Whether anything needs a session: a round or a decision.
    fn needs_session(&self) -> bool {
        self.items_need_session() || self.initiatives_need_session()
    }

    /// Schedules the next day's session if an item needs one and none is
    /// scheduled.
    pub(super) fn ensure_session(&mut self) {
        let needed = self.needs_session();
        let scheduled = self.schedule.keys().any(|(_, h)| *h == Happening::Session);
        if !needed || scheduled {
            return;
        }
        let mut day = match self.last_session_day {
            Some(d) => d.plus_secs(DAY).max(midnight(self.now)),
            None => midnight(self.agenda.start),
        };
        let secs = i64::from(self.agenda.session_hours) * 3600;
        // No session more than a year after the start: a matter that no
        // session can settle by then (nobody can meet, or never a quorum)
        // stays open when the negotiation closes.
        let horizon = self.agenda.start.unix() + SESSION_HORIZON_DAYS * DAY;
        while day.unix() <= horizon {
            if let Some(interval) = self.session_on(day, secs) {
                self.schedule
                    .insert((interval.start, Happening::Session), interval);
                return;
            }
            day = day.plus_secs(DAY);
        }
    }

    /// The day's session: the best time on the UTC day of `day` (not before
    /// now) that seats someone, on a meeting day, and that does not overlap
    /// a meeting already fixed for the same delegations (it then starts
    /// after that meeting, if the day still seats someone).
    fn session_on(&mut self, day: Timestamp, secs: i64) -> Option<Interval> {
        let mut earliest = self.now.max(day);
        loop {
            let (interval, present) = self.calendar.best_meeting(day, earliest, secs)?;
            if present == 0 || !self.agenda.procedure.is_meeting_day(interval.start) {
                return None;
            }
            match self.fixed_meeting_overlapping(interval) {
                Some(end) => earliest = end,
                None => return Some(interval),
            }
        }
    }

    /// The end of a scheduled fixed meeting that overlaps `interval`, if any.
    fn fixed_meeting_overlapping(&self, interval: Interval) -> Option<Timestamp> {
        self.schedule
            .iter()
            .filter(|((_, h), _)| h.is_fixed_meeting())
            .map(|(_, span)| span)
            .find(|s| s.start < interval.end && interval.start < s.end)
            .map(|s| s.end)
    }

    /// Schedules the dates the agenda fixes: initiatives' deadlines and
    /// meetings, items' deadlines or fixed meetings, accessions'
    /// applications.
    pub(super) fn schedule_agenda(&mut self) {
        for (initiative, spec) in self.agenda.initiatives.iter().enumerate() {
            let what = InitiativeHappening::Deadline;
            let h = Happening::Initiative { what, initiative };
            self.schedule
                .insert((spec.deadline, h), point(spec.deadline));
            if let Some(m) = spec.meeting {
                let what = InitiativeHappening::Meeting;
                let h = Happening::Initiative { what, initiative };
                self.schedule.insert((m.start, h), m);
            }
        }
        for (item, it) in self.agenda.items.iter().enumerate() {
            let (at, what, span) = match it.meeting {
                Some(m) => (m.start, ItemHappening::Meeting, m),
                None => (it.deadline, ItemHappening::Deadline, point(it.deadline)),
            };
            self.schedule
                .insert((at, Happening::Item { what, item }), span);
        }
        for (accession, spec) in self.agenda.accessions.iter().enumerate() {
            let what = AccessionHappening::Applied;
            let h = Happening::Accession { what, accession };
            self.schedule.insert((spec.applied, h), point(spec.applied));
        }
    }
}
