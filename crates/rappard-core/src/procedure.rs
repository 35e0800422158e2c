//! The rules of procedure a negotiation runs under: when a vote may be
//! taken, how many Members make a quorum, and on which days meetings and
//! deadlines fall.
//!
//! Each is the WTO's practice by default, and each can be changed by a
//! scenario (`[procedure]`, see `docs/scenarios.md`) for counterfactual
//! studies:
//!
//! - **Consensus before any vote** ([`Procedure::consensus_first`], default
//!   on). Marrakesh Agreement Art. IX:1: the WTO "shall continue the practice
//!   of decision-making by consensus", and a matter is decided by voting
//!   only "where a decision cannot be arrived at by consensus". The General
//!   Council's decision on decision-making procedures under Articles IX and
//!   XII (WT/L/93, November 1995) keeps consensus for waivers and accessions
//!   unless a Member requests a vote or consensus cannot be reached. So an
//!   item under a voting rule is first put to the Members present for formal
//!   objections; it is voted on only if one objects. Turned off, a voting
//!   rule votes at once (a counterfactual, never the default). A Member's
//!   request for a vote without objecting is not modelled.
//! - **Quorum** ([`Quorum`], default a simple majority of the Members). A
//!   formal decision at a meeting (formal objections or a vote on an item,
//!   on the package, on adding an agreement to Annex 4, or the General
//!   Council's on an accession) is taken only if enough Members are
//!   present; otherwise it is recorded as `no-quorum` and moves to the next
//!   meeting (the next session; for an accession, the next day's meeting). The
//!   default follows the Rules of Procedure for Sessions of the Ministerial
//!   Conference and Meetings of the General Council (WT/L/161, 1996), whose
//!   quorum rule is, as far as we know, a simple majority of the Members;
//!   the text could not be checked here, so the rule is a named modelling
//!   assumption with that default. Written procedure, where every Member
//!   takes part in writing, needs no quorum; nor do Working Party meetings,
//!   Green Rooms and the rounds of an initiative among its participants,
//!   which take no decision of the Members.
//! - **Written procedure** ([`Procedure::written_deadline`]). As the
//!   General Council practised it in 2020–21, a draft decision circulated
//!   for written procedure has a deadline at a Geneva date and time (here
//!   18:00 Geneva time on the first working day that leaves the item's
//!   `written_procedure_hours`, a modelling default), objections are taken
//!   until that deadline, and an objection ends the procedure: the matter
//!   returns to the next formal meeting, where consensus among the Members
//!   present (or a vote, where the item names one) can still decide it.
//!   The individual 2020–21 procedures are not cited here: their documents
//!   could not be checked from this workplace.
//! - **Working days** ([`Procedure::working_days`], default on). Formal
//!   meetings are held on Geneva working days: not on Saturdays or Sundays
//!   (in Geneva's local date), nor on the closed dates a scenario lists
//!   (public holidays, the WTO's closures). Meetings a scenario fixes on a
//!   date are held on that date: the scenario chose it.

use chrono::{Datelike, Days, NaiveDate, NaiveTime, Weekday};

use crate::sessions::{GENEVA, local_date, local_to_utc};
use crate::time::Timestamp;

/// How many Members make a quorum for a formal decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quorum {
    /// More than half of the Members (the default).
    MajorityOfMembers,
    /// At least this many Members.
    Members(u32),
    /// No quorum is checked.
    None,
}

impl Quorum {
    /// The Members that must be present, out of `members`.
    pub fn required(self, members: u32) -> u32 {
        match self {
            Self::MajorityOfMembers => members / 2 + 1,
            Self::Members(n) => n,
            Self::None => 0,
        }
    }

    /// Whether `present` Members out of `members` make a quorum.
    pub fn is_met(self, present: u32, members: u32) -> bool {
        present >= self.required(members)
    }
}

/// The rules of procedure of a negotiation (module doc).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Procedure {
    /// Consensus is sought before any vote.
    pub consensus_first: bool,
    /// The quorum for formal decisions at meetings.
    pub quorum: Quorum,
    /// Meetings fall on Geneva working days only.
    pub working_days: bool,
    /// Dates (Geneva) on which no meeting is held, in order.
    pub closed: Vec<NaiveDate>,
    /// The Geneva time of day at which a written procedure's deadline falls.
    pub written_deadline_at: NaiveTime,
}

impl Default for Procedure {
    fn default() -> Self {
        Self {
            consensus_first: true,
            quorum: Quorum::MajorityOfMembers,
            working_days: true,
            closed: Vec::new(),
            written_deadline_at: NaiveTime::from_hms_opt(18, 0, 0).expect("18:00 is a time"),
        }
    }
}

impl Procedure {
    /// Whether a meeting may be held on the Geneva date of `t`.
    pub fn is_meeting_day(&self, t: Timestamp) -> bool {
        if !self.working_days {
            return true;
        }
        let date = local_date(GENEVA, t);
        self.is_working_date(date)
    }

    fn is_working_date(&self, date: NaiveDate) -> bool {
        !self.working_days
            || (!matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
                && self.closed.binary_search(&date).is_err())
    }

    /// The deadline of a written procedure circulated at `from` and open for
    /// at least `hours`: the first [`Procedure::written_deadline_at`], Geneva
    /// time, on a Geneva working day, that leaves at least that long.
    pub fn written_deadline(&self, from: Timestamp, hours: u32) -> Timestamp {
        let earliest = from.plus_secs(i64::from(hours) * 3600);
        let mut date = local_date(GENEVA, earliest);
        loop {
            let at = local_to_utc(GENEVA, date, self.written_deadline_at);
            if at >= earliest && self.is_working_date(date) {
                return at;
            }
            match date.checked_add_days(Days::new(1)) {
                Some(next) => date = next,
                None => return earliest,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        Timestamp::parse(s).expect("instant")
    }

    /// Meetings fall on Geneva working days: 7 and 8 March 2026 are a
    /// Saturday and a Sunday; a closed date is skipped too; turned off, any
    /// day will do.
    #[test]
    fn meetings_fall_on_geneva_working_days() {
        let mut p = Procedure::default();
        assert!(p.is_meeting_day(at("2026-03-06T09:00:00Z")));
        assert!(!p.is_meeting_day(at("2026-03-07T09:00:00Z")));
        assert!(!p.is_meeting_day(at("2026-03-08T09:00:00Z")));
        // 23:30 UTC on Sunday is already Monday in Geneva.
        assert!(p.is_meeting_day(at("2026-03-08T23:30:00Z")));
        p.closed = vec![NaiveDate::from_ymd_opt(2026, 3, 9).expect("date")];
        assert!(!p.is_meeting_day(at("2026-03-09T09:00:00Z")));
        p.working_days = false;
        assert!(p.is_meeting_day(at("2026-03-07T09:00:00Z")));
    }

    /// A written procedure's deadline is 18:00 Geneva time on a working day:
    /// circulated on Wednesday 4 March 2026 at 14:00Z for 48 hours, it ends
    /// on Friday 6 March at 18:00 Geneva (17:00Z); for 72 hours, on Monday
    /// 9 March, not over the weekend.
    #[test]
    fn a_written_deadline_is_six_pm_geneva_on_a_working_day() {
        let p = Procedure::default();
        let from = at("2026-03-04T14:00:00Z");
        assert_eq!(p.written_deadline(from, 48), at("2026-03-06T17:00:00Z"));
        assert_eq!(p.written_deadline(from, 72), at("2026-03-09T17:00:00Z"));
        // In summer time Geneva is UTC+2.
        let from = at("2026-07-01T08:00:00Z");
        assert_eq!(p.written_deadline(from, 1), at("2026-07-01T16:00:00Z"));
    }

    /// The default quorum is a simple majority of the Members (WT/L/161, as
    /// far as we know): 84 of 166, 6 of 11.
    #[test]
    fn quorum_is_a_simple_majority_by_default() {
        let q = Quorum::MajorityOfMembers;
        assert_eq!(q.required(166), 84);
        assert!(!q.is_met(83, 166));
        assert!(q.is_met(84, 166));
        assert_eq!(q.required(11), 6);
        assert!(Quorum::None.is_met(0, 166));
        assert!(!Quorum::Members(20).is_met(19, 166));
    }
}
