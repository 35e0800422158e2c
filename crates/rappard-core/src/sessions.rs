//! Sessions limited by time zones: office hours, presence, and scheduling.
//!
//! Every delegation keeps local office hours (default 09:00–18:00) in the
//! zone where it sits. At venue `geneva` every delegation sits in Geneva
//! (`Europe/Zurich`) and keeps Geneva hours, as at the WTO's seat. At venue
//! `virtual` each sits in its capital's zone, as in the virtual meetings of
//! 2020–21, when delegations joined from capitals and time differences cut
//! the hours in which all could meet (Li Ke, "Stagnation and Breakthrough of
//! WTO Multilateral Trade Negotiations", *Journal of Hubei University of
//! Economics* 21(5), 2023, §2.2.1, "Political crises between sovereign
//! States hold back the negotiations": the pandemic kept delegates from
//! meeting face to face, and time differences shortened the negotiating
//! time; see `docs/sources.md`).
//!
//! A delegation without a Geneva mission (`[capacity] non_resident`, or
//! `mission = "non-resident"`; `crate::capacity`) keeps its capital's zone
//! at venue `geneva` too: it follows the work from home, as the Members the
//! WTO's "Geneva Week" is for do.
//!
//! A delegation is *present* at a meeting only if the whole meeting lies
//! within its office hours on its local date. An EU member State is present
//! when the EU is (it is represented by it). The Secretariat schedules a
//! day's session at the start, on a 15-minute grid of UTC times, that
//! maximises the number of Members present, the earliest such start on a
//! tie; and it reports, per day, the spans in which at least 90 % of Members
//! are within office hours together.
//!
//! Local times are converted with the IANA time-zone database compiled into
//! `chrono-tz`, so daylight-saving time follows each zone's own rules on each
//! date. Caveats: a local opening time that does not exist on a date (inside
//! a daylight-saving gap) is taken as the first local time on the 30-minute
//! grid after the gap; an ambiguous one (inside a fold) as the earlier of the
//! two instants. Which days meetings may fall on (Geneva working days, closed
//! dates) is a rule of procedure, applied by the Secretariat
//! (`crate::procedure`); delegations' own weekends in capitals are not
//! modelled.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::str::FromStr;

use chrono::{Duration, NaiveDate, NaiveTime, TimeZone, Timelike};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::member::{MemberId, Membership};
use crate::time::{Interval, Timestamp};

/// Where delegations sit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Venue {
    /// In Geneva, keeping Geneva hours.
    Geneva,
    /// In capitals, each in its own zone.
    Virtual,
}

impl Venue {
    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Geneva => "geneva",
            Self::Virtual => "virtual",
        }
    }
}

/// Geneva's IANA zone.
pub const GENEVA: Tz = chrono_tz::Europe::Zurich;

/// Local office hours, opening and closing on the same local day.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct OfficeHours {
    open: NaiveTime,
    close: NaiveTime,
}

impl OfficeHours {
    /// 09:00–18:00, the default.
    pub fn standard() -> Self {
        Self {
            open: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or(NaiveTime::MIN),
            close: NaiveTime::from_hms_opt(18, 0, 0).unwrap_or(NaiveTime::MIN),
        }
    }

    /// Opening time.
    pub fn open(&self) -> NaiveTime {
        self.open
    }

    /// Closing time.
    pub fn close(&self) -> NaiveTime {
        self.close
    }
}

impl FromStr for OfficeHours {
    type Err = String;

    /// Parses `HH:MM-HH:MM`, opening before closing.
    fn from_str(s: &str) -> Result<Self, String> {
        let bad =
            || format!("`{s}` is not office hours of the form HH:MM-HH:MM, such as 09:00-18:00");
        let (a, b) = s.split_once('-').ok_or_else(bad)?;
        let open = NaiveTime::parse_from_str(a.trim(), "%H:%M").map_err(|_| bad())?;
        let close = NaiveTime::parse_from_str(b.trim(), "%H:%M").map_err(|_| bad())?;
        if open >= close {
            return Err(format!(
                "office hours `{s}` close before they open (hours across midnight are not supported)"
            ));
        }
        Ok(Self { open, close })
    }
}

impl fmt::Display for OfficeHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `%H:%M-%H:%M`, digit by digit: the roll lists every Member's
        // hours at every opening, and `fmt` with padding (or chrono's
        // format parser) took most of the roll's time.
        let mut text = *b"00:00-00:00";
        let digits = [
            self.open.hour(),
            self.open.minute(),
            self.close.hour(),
            self.close.minute(),
        ];
        for (k, v) in digits.into_iter().enumerate() {
            let at = 3 * k;
            text[at] = b'0' + (v / 10) as u8;
            text[at + 1] = b'0' + (v % 10) as u8;
        }
        f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for OfficeHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// The UTC instant of a local date and time in a zone, with the DST rules
/// of the module doc.
pub fn local_to_utc(tz: Tz, date: NaiveDate, time: NaiveTime) -> Timestamp {
    let mut naive = date.and_time(time);
    for _ in 0..48 {
        if let Some(t) = tz.from_local_datetime(&naive).earliest() {
            return Timestamp::from_datetime(t.to_utc());
        }
        naive += Duration::minutes(30);
    }
    // No zone has a gap of a day; fall back to reading the time as UTC.
    Timestamp::from_datetime(naive.and_utc())
}

/// The local date of an instant in a zone.
pub fn local_date(tz: Tz, t: Timestamp) -> NaiveDate {
    t.datetime().with_timezone(&tz).date_naive()
}

/// A delegation's seat for scheduling: the zone it sits in and its hours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Seat {
    tz: Tz,
    hours: OfficeHours,
}

/// One scheduling grid step: 15 minutes.
pub const GRID_SECS: i64 = 15 * 60;

/// Presence and scheduling for one membership at one venue. Delegations
/// that sit in the same zone with the same hours share a *seat*, and times
/// are converted once per seat and local date (cached), so that a venue
/// where all sit in Geneva converts one time per day, not one per
/// delegation.
#[derive(Clone, Debug)]
pub struct Calendar {
    /// The distinct seats, sorted by zone name and hours.
    seats: Vec<Seat>,
    /// For each seat: the Members whose presence it decides.
    seat_weight: Vec<u32>,
    /// For each roll position: its seat (EU member States take the EU's).
    seat_of: Vec<usize>,
    total_members: u32,
    /// Office hours in UTC per seat, for the local dates seen so far.
    cache: HashMap<(usize, NaiveDate), Interval>,
}

impl Calendar {
    /// The calendar of `roll` at `venue`, every delegation with a Geneva
    /// mission.
    pub fn new(roll: &Membership, venue: Venue) -> Self {
        Self::with_missions(roll, venue, &BTreeSet::new())
    }

    /// The calendar of `roll` at `venue`, the delegations in
    /// `non_resident` keeping their capitals' zones even in Geneva.
    pub fn with_missions(
        roll: &Membership,
        venue: Venue,
        non_resident: &BTreeSet<MemberId>,
    ) -> Self {
        let eu = roll.position(crate::member::EU);
        let own_seat = |i: usize| {
            let m = &roll.members()[i];
            Seat {
                tz: match venue {
                    Venue::Geneva if !non_resident.contains(&m.id) => GENEVA,
                    _ => m.time_zone,
                },
                hours: m.office_hours,
            }
        };
        let mut seats: Vec<Seat> = (0..roll.len()).map(own_seat).collect();
        seats.sort_by_key(|s| (s.tz.name(), s.hours.open, s.hours.close));
        seats.dedup();
        let mut seat_weight = vec![0; seats.len()];
        let mut seat_of = Vec::with_capacity(roll.len());
        for (i, m) in roll.members().iter().enumerate() {
            let follows = if roll.is_represented_at(i) {
                eu.unwrap_or(i)
            } else {
                i
            };
            let seat = own_seat(follows);
            let k = seats
                .binary_search_by_key(&(seat.tz.name(), seat.hours.open, seat.hours.close), |s| {
                    (s.tz.name(), s.hours.open, s.hours.close)
                })
                .unwrap_or(0);
            seat_of.push(k);
            if !roll.is_represented_at(i) {
                seat_weight[k] += roll.members_represented(m.id.as_str());
            }
        }
        Self {
            seats,
            seat_weight,
            seat_of,
            total_members: roll.len() as u32,
            cache: HashMap::new(),
        }
    }

    fn office(&mut self, seat: usize, date: NaiveDate) -> Interval {
        let Seat { tz, hours } = self.seats[seat];
        *self.cache.entry((seat, date)).or_insert_with(|| Interval {
            start: local_to_utc(tz, date, hours.open),
            end: local_to_utc(tz, date, hours.close),
        })
    }

    /// Presence of every Member (by roll position) at a meeting.
    pub fn presence(&mut self, meeting: Interval) -> Vec<bool> {
        let by_seat: Vec<bool> = (0..self.seats.len())
            .map(|k| {
                let date = local_date(self.seats[k].tz, meeting.start);
                self.office(k, date).contains(&meeting)
            })
            .collect();
        self.seat_of.iter().map(|&k| by_seat[k]).collect()
    }

    /// The UTC spans of each seat's office hours that touch the UTC day
    /// starting at `day` (extended by `extra_secs`), with the Members each
    /// stands for.
    fn spans_touching(&mut self, day: Timestamp, extra_secs: i64) -> Vec<(Interval, u32)> {
        let end = day.plus_secs(86_400 + extra_secs);
        let mut out = Vec::new();
        for k in 0..self.seats.len() {
            let w = self.seat_weight[k];
            if w == 0 {
                continue;
            }
            let tz = self.seats[k].tz;
            let mut date = local_date(tz, day);
            let last = local_date(tz, end);
            while date <= last {
                out.push((self.office(k, date), w));
                match date.succ_opt() {
                    Some(d) => date = d,
                    None => break,
                }
            }
        }
        out
    }

    /// The best start for a meeting of `secs` seconds on the UTC day
    /// beginning at `day`, not before `earliest`: the 15-minute grid point
    /// that maximises the Members present, the earliest on a tie. Returns the
    /// meeting and the Members present, or `None` if no grid point of the
    /// day is at or after `earliest`.
    pub fn best_meeting(
        &mut self,
        day: Timestamp,
        earliest: Timestamp,
        secs: i64,
    ) -> Option<(Interval, u32)> {
        let slots = (86_400 / GRID_SECS) as usize;
        let mut diff = vec![0i64; slots + 1];
        for (span, w) in self.spans_touching(day, secs) {
            // Grid points s with span.start <= s and s + secs <= span.end.
            let lo = (span.start.unix() - day.unix() + GRID_SECS - 1).div_euclid(GRID_SECS);
            let hi = (span.end.unix() - secs - day.unix()).div_euclid(GRID_SECS);
            let lo = lo.max(0);
            let hi = hi.min(slots as i64 - 1);
            if lo <= hi {
                diff[lo as usize] += i64::from(w);
                diff[hi as usize + 1] -= i64::from(w);
            }
        }
        let mut best: Option<(usize, i64)> = None;
        let mut running = 0i64;
        for (k, d) in diff.iter().take(slots).enumerate() {
            running += d;
            let start = day.plus_secs(k as i64 * GRID_SECS);
            if start < earliest {
                continue;
            }
            if best.is_none_or(|(_, b)| running > b) {
                best = Some((k, running));
            }
        }
        let (k, n) = best?;
        let start = day.plus_secs(k as i64 * GRID_SECS);
        Some((
            Interval {
                start,
                end: start.plus_secs(secs),
            },
            n.max(0) as u32,
        ))
    }

    /// The spans of the UTC day beginning at `day` in which at least 90 % of
    /// Members are within office hours together.
    pub fn common_windows(&mut self, day: Timestamp) -> Vec<Interval> {
        let day_end = day.plus_secs(86_400);
        let mut edges: Vec<(i64, i64)> = Vec::new();
        for (span, w) in self.spans_touching(day, 0) {
            let s = span.start.max(day).unix();
            let e = span.end.min(day_end).unix();
            if s < e {
                edges.push((s, i64::from(w)));
                edges.push((e, -i64::from(w)));
            }
        }
        edges.sort();
        let need = |n: i64| n * 10 >= 9 * i64::from(self.total_members);
        let mut out: Vec<Interval> = Vec::new();
        let mut count = 0i64;
        let mut i = 0;
        while i < edges.len() {
            let t = edges[i].0;
            while i < edges.len() && edges[i].0 == t {
                count += edges[i].1;
                i += 1;
            }
            let next = edges.get(i).map(|e| e.0);
            if let Some(next) = next
                && need(count)
                && next > t
            {
                let (Some(a), Some(b)) = (Timestamp::from_unix(t), Timestamp::from_unix(next))
                else {
                    continue;
                };
                match out.last_mut() {
                    Some(last) if last.end == a => last.end = b,
                    _ => out.push(Interval { start: a, end: b }),
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::member::{Development, Member, MemberId};

    fn member(id: &str, tz: Tz) -> Member {
        Member {
            id: MemberId::new(id).expect("valid id"),
            name: id.to_owned(),
            membership_date: None,
            region: "Europe".into(),
            development: Development::Developed,
            time_zone: tz,
            office_hours: OfficeHours::standard(),
            export_share: None,
            eu_member_state: false,
        }
    }

    fn at(s: &str) -> Timestamp {
        Timestamp::parse(s).expect("valid")
    }

    #[test]
    fn office_hours_are_written_as_read() {
        for text in ["09:00-18:00", "00:05-23:59", "07:30-16:30"] {
            let hours: OfficeHours = text.parse().expect("valid hours");
            assert_eq!(hours.to_string(), text);
            // What chrono's `%H:%M` wrote before.
            let chrono = format!(
                "{}-{}",
                hours.open.format("%H:%M"),
                hours.close.format("%H:%M")
            );
            assert_eq!(hours.to_string(), chrono);
        }
    }

    fn meeting(start: &str, hours: i64) -> Interval {
        let start = at(start);
        Interval {
            start,
            end: start.plus_secs(hours * 3600),
        }
    }

    /// Daylight-saving time: New York moves to EDT on 2026-03-08, so a
    /// 13:00Z meeting is at 08:00 local (absent) before and 09:00 local
    /// (present) after. Geneva moves on 2026-03-29.
    #[test]
    fn presence_follows_daylight_saving_time() {
        let roll = Membership::new(vec![
            member("USA", chrono_tz::America::New_York),
            member("CHE", GENEVA),
        ]);
        let mut cal = Calendar::new(&roll, Venue::Virtual);
        // The roll is in id order: CHE, USA.
        assert_eq!(
            cal.presence(meeting("2026-03-06T13:00:00Z", 2)),
            [true, false]
        );
        assert_eq!(
            cal.presence(meeting("2026-03-09T13:00:00Z", 2)),
            [true, true]
        );
        // 07:00Z is 08:00 in Geneva in winter, 09:00 in summer.
        assert!(!cal.presence(meeting("2026-03-27T07:00:00Z", 1))[0]);
        assert!(cal.presence(meeting("2026-03-30T07:00:00Z", 1))[0]);
    }

    /// Southern hemisphere: Sydney leaves summer time on 2026-04-05.
    #[test]
    fn southern_hemisphere_dst() {
        let roll = Membership::new(vec![member("AUS", chrono_tz::Australia::Sydney)]);
        let mut cal = Calendar::new(&roll, Venue::Virtual);
        // 22:00Z = 09:00 AEDT (UTC+11) on 3 April; = 08:00 AEST on 6 April.
        assert_eq!(cal.presence(meeting("2026-04-02T22:00:00Z", 1)), [true]);
        assert_eq!(cal.presence(meeting("2026-04-05T22:00:00Z", 1)), [false]);
    }

    /// At venue `geneva` everyone keeps Geneva hours, whatever its capital.
    #[test]
    fn geneva_venue_seats_everyone_in_geneva() {
        let roll = Membership::new(vec![
            member("JPN", chrono_tz::Asia::Tokyo),
            member("USA", chrono_tz::America::New_York),
        ]);
        let mut cal = Calendar::new(&roll, Venue::Geneva);
        assert_eq!(
            cal.presence(meeting("2026-03-02T08:00:00Z", 3)),
            [true, true]
        );
        let (best, n) = cal
            .best_meeting(
                at("2026-03-02T00:00:00Z"),
                at("2026-03-02T00:00:00Z"),
                3 * 3600,
            )
            .expect("a slot");
        assert_eq!(best.start, at("2026-03-02T08:00:00Z"));
        assert_eq!(n, 2);
        let w = cal.common_windows(at("2026-03-02T00:00:00Z"));
        assert_eq!(w, vec![meeting("2026-03-02T08:00:00Z", 9)]);
    }

    /// Virtual venue: Tokyo and New York share no office hour, so the best
    /// meeting seats one of them, and no span holds 90 % of both.
    #[test]
    fn virtual_venue_shrinks_the_common_window() {
        let roll = Membership::new(vec![
            member("CHE", GENEVA),
            member("JPN", chrono_tz::Asia::Tokyo),
            member("USA", chrono_tz::America::New_York),
        ]);
        let mut cal = Calendar::new(&roll, Venue::Virtual);
        let day = at("2026-03-02T00:00:00Z");
        let (best, n) = cal.best_meeting(day, day, 2 * 3600).expect("a slot");
        assert_eq!(n, 2);
        // Office hours in UTC: JPN 00-09, CHE 08-17, USA 14-23. Two hours
        // seat two only from 14:00Z (CHE and USA).
        assert_eq!(best.start, at("2026-03-02T14:00:00Z"));
        assert!(cal.common_windows(day).is_empty());
    }

    #[test]
    fn office_hours_are_checked() {
        assert!("09:00-18:00".parse::<OfficeHours>().is_ok());
        assert!(
            "18:00-09:00"
                .parse::<OfficeHours>()
                .unwrap_err()
                .contains("close before")
        );
        assert!("9-5".parse::<OfficeHours>().is_err());
    }
}
