//! The text minutes: a readable account of the record, in order.
//!
//! [`Minutes`] carries what the account must remember as it reads the
//! record (the venue, where each delegation sits, how many Members there
//! are, whether the agenda has been headed, the calls still open with their
//! answers) along with the text written so far. Each event goes to a method
//! for its family (see `family`): the opening, roll and agenda, days and
//! meetings, and the closing here; calls and their answers in `calls`;
//! texts, decisions, written procedure and the package in `decisions`;
//! named rules and the acceptances of amendments in `amendments`; Green
//! Rooms, initiatives and accessions in `tracks`; delegations' capacity and
//! special and differential treatment in `development`; coalitions acting
//! as blocs in `blocs`. How figures, times
//! and lists of Members are written is decided once, in `format`.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use chrono_tz::Tz;

use crate::member::MemberId;
use crate::protocol::Package;
use crate::record::{Entry, Event, MeetingKind, Record, RollEntry};
use crate::rules::NamedRule;
use crate::sessions::{GENEVA, Venue};
use crate::time::{Interval, Timestamp};

mod amendments;
mod blocs;
mod calls;
mod decisions;
mod development;
mod format;
mod pressure;
mod proposals;
mod rtas;
mod shocks;
mod tracks;

use super::family::Family;
use calls::CallNote;
use format::{capped, hm, hm_in, list, short_list};

/// The minutes being written, and what they remember of the record so far.
pub(super) struct Minutes {
    /// The text so far.
    out: String,
    /// The venue, which decides how absentees are shown.
    venue: Venue,
    /// Where each Member's delegation sits, for local times.
    seats: HashMap<MemberId, Tz>,
    /// Members on the roll, new Members included.
    total_members: usize,
    /// Whether the agenda's heading has been written.
    agenda_headed: bool,
    /// Calls issued and not yet closed, by number.
    open_calls: HashMap<u64, CallNote>,
    /// The named rule of each item that has one.
    named: HashMap<String, NamedRule>,
    /// Amendments that have entered into force.
    in_force: HashSet<String>,
}

impl Minutes {
    /// The minutes of a whole record.
    pub(super) fn write(record: &Record) -> String {
        let mut m = Minutes {
            out: String::new(),
            venue: Venue::Geneva,
            seats: HashMap::new(),
            total_members: 0,
            agenda_headed: false,
            open_calls: HashMap::new(),
            named: HashMap::new(),
            in_force: HashSet::new(),
        };
        for Entry { at, event, .. } in record.entries() {
            m.event(*at, event);
        }
        m.out.push_str(&super::shocks::minutes_lines(record));
        m.false_consensus(record);
        let _ = writeln!(
            m.out,
            "Record: {} events, sha256 {}",
            record.len(),
            record.sha256()
        );
        m.out
    }

    /// Hands one event to the method for its family.
    fn event(&mut self, at: Timestamp, event: &Event) {
        if self.development(event) {
            return;
        }
        match Family::of(event) {
            Family::Opening => self.opening(event),
            Family::Meetings => self.meetings(event),
            Family::Calls => self.calls(at, event),
            Family::Texts => self.texts(event),
            Family::Proposals => self.proposals(event),
            Family::Decisions => self.decisions(at, event),
            Family::Amendments => self.amendments(at, event),
            Family::Package => self.package(event),
            Family::GreenRooms => self.green_rooms(event),
            Family::Initiatives => self.initiatives(event),
            Family::Accessions => self.accessions(at, event),
            Family::Regional => self.regional(event),
            Family::Closing => self.closing(at, event),
            Family::Shocks => self.shocks(at, event),
            Family::Blocs => self.blocs(event),
        }
    }

    /// The last line of the negotiation: how many items were adopted.
    fn closing(&mut self, at: Timestamp, event: &Event) {
        if let Event::NegotiationClosed {
            adopted,
            not_adopted,
        } = event
        {
            let _ = writeln!(
                self.out,
                "\nClosed {at}: {adopted} adopted, {not_adopted} not adopted."
            );
        }
    }

    /// The heading, the roll, the coalitions and the agenda.
    fn opening(&mut self, event: &Event) {
        let w = &mut self.out;
        match event {
            Event::NegotiationOpened {
                scenario,
                seed,
                venue,
                start,
                session_hours,
                package,
            } => {
                self.venue = *venue;
                let _ = writeln!(w, "Minutes of \"{scenario}\"");
                let _ = writeln!(
                    w,
                    "seed {seed}; venue {}; opened {start}; day sessions of {session_hours} h",
                    venue.as_str()
                );
                if *package == Package::SingleUndertaking {
                    let _ = writeln!(
                        w,
                        "single undertaking: nothing is adopted until every item is agreed"
                    );
                }
            }
            Event::RollCalled {
                members,
                total_votes,
            } => self.roll(members, *total_votes),
            Event::CoalitionsListed { coalitions } => {
                for c in coalitions {
                    let _ = writeln!(
                        w,
                        "Coalition {} ({} Members), coordinator {}",
                        c.name,
                        c.members.len(),
                        c.coordinator.as_ref().map_or("none", MemberId::as_str)
                    );
                }
            }
            Event::ItemListed {
                item,
                title,
                rule,
                fallback,
                co_chairs,
                deadline,
                meeting,
                named_rule,
                consensus_until,
            } => {
                if !self.agenda_headed {
                    self.agenda_headed = true;
                    let _ = writeln!(w, "\nAgenda:");
                }
                let how = match named_rule {
                    Some(n) => {
                        self.named.insert(item.clone(), *n);
                        amendments::named_rule(*n, *rule, *consensus_until)
                    }
                    None => rule.to_string(),
                };
                let _ = write!(w, "  [{item}] {title}: {how}");
                if let Some(fb) = fallback {
                    let _ = write!(w, ", else {fb}");
                }
                if !co_chairs.is_empty() {
                    let _ = write!(w, "; co-chairs {}", list(co_chairs));
                }
                let _ = match meeting {
                    Some(m) => writeln!(w, "; decision fixed for {}", m.start),
                    None => writeln!(w, "; lapses if not tabled by {deadline}"),
                };
            }
            _ => {}
        }
    }

    /// The roll: Members and delegations, the EU's votes, where each
    /// delegation sits.
    fn roll(&mut self, members: &[RollEntry], total_votes: u32) {
        self.total_members = members.len();
        for m in members {
            if let Ok(tz) = m.seat.parse::<Tz>() {
                self.seats.insert(m.id.clone(), tz);
            }
        }
        let represented = members
            .iter()
            .filter(|m| m.represented_by.is_some())
            .count();
        let w = &mut self.out;
        let _ = write!(
            w,
            "Members: {} ({} delegations",
            members.len(),
            members.len() - represented
        );
        if represented > 0 {
            let eu_votes = members
                .iter()
                .find(|m| m.id.as_str() == crate::member::EU)
                .map_or(0, |m| m.votes);
            let _ = write!(
                w,
                "; the EU speaks for {represented} member States and casts {eu_votes} votes"
            );
        }
        let _ = writeln!(w, "); {total_votes} votes in all");
        let has_eu = members.iter().any(|m| m.id.as_str() == crate::member::EU);
        if has_eu && represented == 0 {
            let _ = writeln!(
                w,
                "Note: the EU is here without any of its member States; under Art. IX:1 it votes with as many votes as its member States that are Members, so it would have none (rappard gives it one)."
            );
        }
    }

    /// Days with their common window, and meetings with who is there.
    fn meetings(&mut self, event: &Event) {
        match event {
            Event::DayOpened {
                date,
                common_windows,
            } => self.day(date, common_windows),
            Event::MeetingConvened {
                meeting,
                kind,
                interval,
                present,
                absent,
                members_present,
            } => {
                let what = match kind {
                    MeetingKind::Session => "session".to_owned(),
                    MeetingKind::ItemMeeting { item } => format!("meeting on [{item}]"),
                };
                let _ = writeln!(
                    self.out,
                    "Meeting {meeting}, {what}, {}-{} UTC ({}-{} Geneva): {} of {} delegations present, {members_present} of {} Members",
                    hm(interval.start),
                    hm(interval.end),
                    hm_in(interval.start, &GENEVA),
                    hm_in(interval.end, &GENEVA),
                    present.len(),
                    present.len() + absent.len(),
                    self.total_members,
                );
                self.absentees(interval, absent);
            }
            _ => {}
        }
    }

    /// A day's heading: the spans in which 90 % of Members can sit together.
    fn day(&mut self, date: &str, common_windows: &[Interval]) {
        let spans: Vec<String> = common_windows
            .iter()
            .map(|x| {
                let end = if x.end.unix() % 86_400 == 0 {
                    "24:00".into()
                } else {
                    hm(x.end)
                };
                format!("{}-{end}", hm(x.start))
            })
            .collect();
        let _ = writeln!(
            self.out,
            "\n== {date} == 90% of Members can sit together: {} ({:.1} h)",
            if spans.is_empty() {
                "never".into()
            } else {
                format!("{} UTC", spans.join(", "))
            },
            super::common_hours(common_windows)
        );
    }

    /// Who is absent from a meeting; at a virtual one, with the local time
    /// at its opening where each sits.
    fn absentees(&mut self, interval: &Interval, absent: &[MemberId]) {
        if absent.is_empty() {
            return;
        }
        // In Geneva, delegations without a mission sit in their capitals.
        let away = |m: &MemberId| self.seats.get(m).is_some_and(|tz| *tz != GENEVA);
        if self.venue == Venue::Virtual || absent.iter().any(away) {
            let shown = capped(absent, |m| match self.seats.get(m) {
                Some(tz) => format!("{m} {}", hm_in(interval.start, tz)),
                None => m.to_string(),
            });
            let _ = writeln!(self.out, "  absent (local time at the opening): {shown}");
        } else {
            let _ = writeln!(self.out, "  absent: {}", short_list(absent));
        }
    }
}
