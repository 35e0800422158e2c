//! The report and the minutes: folds over the record.
//!
//! Nothing here looks at the Secretariat's state: everything printed comes
//! from the record alone, which is the point of keeping one. [`Report`] is
//! the JSON summary (`rappard simulate --format json`); [`minutes`] the
//! readable text.

use std::collections::HashMap;
use std::fmt::Write as _;

use chrono_tz::Tz;
use serde::Serialize;

use crate::initiative::Status;
use crate::member::MemberId;
use crate::protocol::CallKind;
use crate::protocol::{Level, MAX_LEVEL, Reaction, Stated, Vote};
use crate::record::{Entry, Event, MeetingKind, Record};
use crate::rules::{How, Outcome, Rule, Votes};
use crate::scenario::{PACKAGE_ITEM, Package};
use crate::sessions::Venue;
use crate::time::{Interval, Timestamp};

/// The record's size and fingerprint.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct RecordSummary {
    /// Number of events.
    pub events: usize,
    /// SHA-256 of the canonical encoding.
    pub sha256: String,
}

/// What became of one item.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ItemReport {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Rule listed for it.
    pub rule: Rule,
    /// Outcome.
    pub outcome: Outcome,
    /// How it was decided (`null` if it lapsed).
    pub how: Option<How>,
    /// Consultation rounds held.
    pub rounds: u32,
    /// The last text's version and level (0 to 10,000), if any.
    pub version: u32,
    /// The last text.
    pub text: Option<Level>,
    /// Members present at the decision (all Members for written procedure).
    pub present: Vec<MemberId>,
    /// Members that formally objected.
    pub objectors: Vec<MemberId>,
    /// Vote counts, if there was a vote.
    pub votes: Option<Votes>,
    /// Yes votes needed, if there was a vote.
    pub required: Option<u32>,
    /// The decision meeting (written procedure: circulation to deadline).
    pub meeting: Option<Interval>,
}

/// Attendance at one meeting.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SessionReport {
    /// Meeting number.
    pub meeting: u32,
    /// `session` or `item-meeting`.
    pub kind: &'static str,
    /// The item of an item meeting.
    pub item: Option<String>,
    /// Start.
    pub start: Timestamp,
    /// End.
    pub end: Timestamp,
    /// Delegations present.
    pub delegations_present: usize,
    /// Delegations in all.
    pub delegations: usize,
    /// Members present (EU member States with the EU).
    pub members_present: u32,
    /// Members present as a percentage of all Members, one decimal.
    pub attendance_pct: f64,
    /// Delegations absent.
    pub absent: Vec<MemberId>,
}

/// One day's common window.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct DayReport {
    /// UTC date.
    pub date: String,
    /// Hours in which at least 90 % of Members are in office hours together.
    pub common_window_hours: f64,
    /// Those spans.
    pub common_windows: Vec<Interval>,
}

/// The JSON report of a run.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Report {
    /// Scenario name.
    pub scenario: String,
    /// Seed.
    pub seed: u64,
    /// Venue.
    pub venue: Option<Venue>,
    /// Number of Members.
    pub members: usize,
    /// Number of delegations.
    pub delegations: usize,
    /// The record.
    pub record: RecordSummary,
    /// Items, in agenda order.
    pub items: Vec<ItemReport>,
    /// Meetings, in order.
    pub sessions: Vec<SessionReport>,
    /// Days with meetings.
    pub days: Vec<DayReport>,
    /// The package rule and, under the single undertaking, its decision.
    pub package: PackageReport,
    /// Green Rooms, in order.
    pub green_rooms: Vec<GreenRoomReport>,
    /// Open plurilateral initiatives.
    pub initiatives: Vec<InitiativeReport>,
    /// Accessions.
    pub accessions: Vec<AccessionReport>,
}

/// Where an accession ended.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct AccessionReport {
    /// The applicant.
    pub applicant: MemberId,
    /// Its last stage: `member`, `stalled`, `rejected`, or a stage under way.
    pub status: crate::accession::Stage,
    /// Since when it is a Member, if it became one.
    pub member_since: Option<Timestamp>,
    /// Bilateral deals made.
    pub bilateral_deals: Vec<MemberId>,
}

/// Where an initiative ended.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct InitiativeReport {
    /// Id.
    pub id: String,
    /// Participants at the end.
    pub participants: Vec<MemberId>,
    /// Their share of world exports, percent.
    pub share: f64,
    /// Critical mass, percent.
    pub threshold: f64,
    /// MFN or not.
    pub mfn: bool,
    /// `negotiating`, `not-concluded`, `concluded`, `in-force`,
    /// `annex4-incorporated` or `annex4-blocked`.
    pub status: Status,
}

/// One Green Room.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct GreenRoomReport {
    /// Item.
    pub item: String,
    /// Policy.
    pub policy: crate::greenroom::Policy,
    /// Invitees.
    pub participants: Vec<MemberId>,
    /// Shares represented, in percent with one decimal.
    pub inclusiveness: InclusivenessReport,
    /// Whether the room agreed on a compromise.
    pub agreed: Option<bool>,
    /// Whether the outcome was reported to all Members.
    pub reported: bool,
}

/// Inclusiveness in percent.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct InclusivenessReport {
    /// Members represented.
    pub members_pct: f64,
    /// LDC Members represented.
    pub ldcs_pct: f64,
    /// Regions represented.
    pub regions_pct: f64,
}

/// The package rule and its outcome.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct PackageReport {
    /// `early-harvest` or `single-undertaking`.
    pub rule: Package,
    /// Under the single undertaking: `adopted`, `blocked` (an objection to
    /// the package), `lapsed` (an item was not agreed); `null` under early
    /// harvest.
    pub outcome: Option<Outcome>,
    /// Items agreed before the package decision or failure.
    pub agreed: Vec<String>,
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

impl Report {
    /// Folds a record into its report.
    pub fn from_record(record: &Record) -> Self {
        let mut r = Report {
            scenario: String::new(),
            seed: 0,
            venue: None,
            members: 0,
            delegations: 0,
            record: RecordSummary {
                events: record.len(),
                sha256: record.sha256(),
            },
            items: Vec::new(),
            sessions: Vec::new(),
            days: Vec::new(),
            package: PackageReport {
                rule: Package::EarlyHarvest,
                outcome: None,
                agreed: Vec::new(),
            },
            green_rooms: Vec::new(),
            initiatives: Vec::new(),
            accessions: Vec::new(),
        };
        let mut index: HashMap<String, usize> = HashMap::new();
        for e in record.entries() {
            match &e.event {
                Event::NegotiationOpened {
                    scenario,
                    seed,
                    venue,
                    package,
                    ..
                } => {
                    r.scenario = scenario.clone();
                    r.seed = *seed;
                    r.venue = Some(*venue);
                    r.package.rule = *package;
                }
                Event::ItemAgreed { item, .. } => r.package.agreed.push(item.clone()),
                Event::AccessionApplied { applicant, .. } => r.accessions.push(AccessionReport {
                    applicant: applicant.clone(),
                    status: crate::accession::Stage::WorkingParty,
                    member_since: None,
                    bilateral_deals: Vec::new(),
                }),
                Event::AccessionStage { applicant, stage } => {
                    if let Some(a) = r.accessions.iter_mut().find(|a| a.applicant == *applicant) {
                        a.status = *stage;
                    }
                }
                Event::BilateralConcluded {
                    applicant, member, ..
                } => {
                    if let Some(a) = r.accessions.iter_mut().find(|a| a.applicant == *applicant) {
                        a.bilateral_deals.push(member.clone());
                        a.bilateral_deals.sort();
                    }
                }
                Event::AccessionCompleted {
                    applicant,
                    member_since,
                    ..
                } => {
                    r.members += 1;
                    r.delegations += 1;
                    if let Some(a) = r.accessions.iter_mut().find(|a| a.applicant == *applicant) {
                        a.status = crate::accession::Stage::Member;
                        a.member_since = Some(*member_since);
                    }
                }
                Event::InitiativeLaunched {
                    initiative,
                    participants,
                    share,
                    threshold,
                    mfn,
                    ..
                } => r.initiatives.push(InitiativeReport {
                    id: initiative.clone(),
                    participants: participants.clone(),
                    share: f64::from(*share) / 10_000.0,
                    threshold: f64::from(*threshold) / 10_000.0,
                    mfn: *mfn,
                    status: Status::Negotiating,
                }),
                Event::InitiativeJoined {
                    initiative,
                    member,
                    share,
                    ..
                } => {
                    if let Some(x) = r.initiatives.iter_mut().find(|x| x.id == *initiative) {
                        x.participants.push(member.clone());
                        x.participants.sort();
                        x.share = f64::from(*share) / 10_000.0;
                    }
                }
                Event::InitiativeConcluded {
                    initiative, status, ..
                }
                | Event::InitiativeStatus { initiative, status } => {
                    if let Some(x) = r.initiatives.iter_mut().find(|x| x.id == *initiative) {
                        x.status = *status;
                    }
                }
                Event::GreenRoomConvened {
                    item,
                    policy,
                    participants,
                    inclusiveness: inc,
                    ..
                } => r.green_rooms.push(GreenRoomReport {
                    item: item.clone(),
                    policy: *policy,
                    participants: participants.clone(),
                    inclusiveness: InclusivenessReport {
                        members_pct: f64::from(inc.members_permille) / 10.0,
                        ldcs_pct: f64::from(inc.ldcs_permille) / 10.0,
                        regions_pct: f64::from(inc.regions_permille) / 10.0,
                    },
                    agreed: None,
                    reported: false,
                }),
                Event::GreenRoomConcluded { agreed, .. } => {
                    if let Some(g) = r.green_rooms.last_mut() {
                        g.agreed = Some(*agreed);
                    }
                }
                Event::GreenRoomReported { .. } => {
                    if let Some(g) = r.green_rooms.last_mut() {
                        g.reported = true;
                    }
                }
                Event::ItemLapsed { .. } if r.package.rule == Package::SingleUndertaking => {
                    r.package.outcome = Some(Outcome::Lapsed);
                }
                Event::RollCalled { members, .. } => {
                    r.members = members.len();
                    r.delegations = members
                        .iter()
                        .filter(|m| m.represented_by.is_none())
                        .count();
                }
                Event::ItemListed {
                    item, title, rule, ..
                } => {
                    index.insert(item.clone(), r.items.len());
                    r.items.push(ItemReport {
                        id: item.clone(),
                        title: title.clone(),
                        rule: *rule,
                        outcome: Outcome::Lapsed,
                        how: None,
                        rounds: 0,
                        version: 0,
                        text: None,
                        present: Vec::new(),
                        objectors: Vec::new(),
                        votes: None,
                        required: None,
                        meeting: None,
                    });
                }
                Event::DayOpened {
                    date,
                    common_windows,
                } => r.days.push(DayReport {
                    date: date.clone(),
                    common_window_hours: round1(
                        common_windows.iter().map(|w| w.secs()).sum::<i64>() as f64 / 3600.0,
                    ),
                    common_windows: common_windows.clone(),
                }),
                Event::MeetingConvened {
                    meeting,
                    kind,
                    interval,
                    present,
                    absent,
                    members_present,
                } => r.sessions.push(SessionReport {
                    meeting: *meeting,
                    kind: match kind {
                        MeetingKind::Session => "session",
                        MeetingKind::ItemMeeting { .. } => "item-meeting",
                    },
                    item: match kind {
                        MeetingKind::Session => None,
                        MeetingKind::ItemMeeting { item } => Some(item.clone()),
                    },
                    start: interval.start,
                    end: interval.end,
                    delegations_present: present.len(),
                    delegations: present.len() + absent.len(),
                    members_present: *members_present,
                    attendance_pct: if r.members == 0 {
                        0.0
                    } else {
                        round1(f64::from(*members_present) * 100.0 / r.members as f64)
                    },
                    absent: absent.clone(),
                }),
                Event::RoundConcluded { item, round, .. } => {
                    if let Some(&i) = index.get(item) {
                        r.items[i].rounds = *round;
                    }
                }
                Event::DraftIssued {
                    item,
                    version,
                    text,
                } => {
                    if let Some(&i) = index.get(item) {
                        r.items[i].version = *version;
                        r.items[i].text = Some(*text);
                    }
                }
                Event::DecisionTaken {
                    item,
                    outcome,
                    how,
                    meeting,
                    present,
                    objectors,
                    votes,
                    required,
                    ..
                } => {
                    // The decision on the whole package applies to every
                    // item agreed for it.
                    let targets: Vec<usize> = if item == PACKAGE_ITEM {
                        r.package.outcome = Some(*outcome);
                        r.package
                            .agreed
                            .iter()
                            .filter_map(|a| index.get(a).copied())
                            .collect()
                    } else {
                        if r.package.rule == Package::SingleUndertaking
                            && *outcome != Outcome::Adopted
                        {
                            r.package.outcome = Some(Outcome::Lapsed);
                        }
                        index.get(item).copied().into_iter().collect()
                    };
                    for i in targets {
                        let it = &mut r.items[i];
                        it.outcome = *outcome;
                        it.how = Some(*how);
                        it.meeting = Some(*meeting);
                        it.present = present.clone();
                        it.objectors = objectors.clone();
                        it.votes = *votes;
                        it.required = *required;
                    }
                }
                _ => {}
            }
        }
        r
    }
}

/// A share in 0.0001 % units, as a percentage.
fn pct(share: u32) -> String {
    format!("{}.{:02}%", share / 10_000, (share % 10_000) / 100)
}

fn level(l: Level) -> String {
    format!("{}.{:04}", l / MAX_LEVEL, l % MAX_LEVEL)
}

fn hm(t: Timestamp) -> String {
    t.datetime().format("%H:%M").to_string()
}

fn list(ids: &[MemberId]) -> String {
    if ids.is_empty() {
        "none".into()
    } else {
        ids.iter()
            .map(MemberId::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Short printout of a list of ids: all of them up to 40, else the first 40
/// and a count.
fn short_list(ids: &[MemberId]) -> String {
    const MAX: usize = 40;
    if ids.len() <= MAX {
        list(ids)
    } else {
        format!("{} and {} more", list(&ids[..MAX]), ids.len() - MAX)
    }
}

struct CallNote {
    item: String,
    kind: CallKind,
    round: u32,
    awaited: usize,
    answers: Vec<String>,
    counts: [u32; 3],
}

/// Up to this many answers, each is listed by name; beyond, they are counted.
const LIST_ANSWERS_UP_TO: usize = 12;

/// The minutes: a readable account of the record, in order.
pub fn minutes(record: &Record) -> String {
    let mut out = String::new();
    let mut seats: HashMap<MemberId, Tz> = HashMap::new();
    let mut total_members = 0usize;
    let mut calls: HashMap<u64, CallNote> = HashMap::new();
    let mut venue = Venue::Geneva;
    let mut agenda_headed = false;
    let w = &mut out;
    for Entry { at, event, .. } in record.entries() {
        match event {
            Event::NegotiationOpened {
                scenario,
                seed,
                venue: v,
                start,
                session_hours,
                package,
            } => {
                venue = *v;
                let _ = writeln!(w, "Minutes of \"{scenario}\"");
                let _ = writeln!(
                    w,
                    "seed {seed}; venue {}; opened {start}; day sessions of {session_hours} h",
                    v.as_str()
                );
                if *package == Package::SingleUndertaking {
                    let _ = writeln!(
                        w,
                        "single undertaking: nothing is adopted until every item is agreed"
                    );
                }
            }
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
            Event::GreenRoomAnnounced {
                item,
                participants,
                agenda,
            } => {
                let _ = writeln!(
                    w,
                    "  [{item}] Green Room announced to all Members: \"{agenda}\"; participants {}",
                    list(participants)
                );
            }
            Event::GreenRoomConvened {
                item,
                policy,
                interval,
                participants,
                objectors,
                observers_admitted,
                inclusiveness,
            } => {
                let _ = writeln!(
                    w,
                    "Green Room on [{item}] ({} policy), {}-{} UTC, after objections from {}: {} participants{}; represents {:.1}% of Members, {:.1}% of LDCs, {:.1}% of regions",
                    policy.as_str(),
                    hm(interval.start),
                    hm(interval.end),
                    list(objectors),
                    participants.len(),
                    if *observers_admitted {
                        ", observers admitted"
                    } else {
                        ", not announced"
                    },
                    f64::from(inclusiveness.members_permille) / 10.0,
                    f64::from(inclusiveness.ldcs_permille) / 10.0,
                    f64::from(inclusiveness.regions_permille) / 10.0,
                );
                if !observers_admitted {
                    let _ = writeln!(w, "  participants: {}", list(participants));
                }
            }
            Event::GreenRoomConcluded { item, text, agreed } => {
                let _ = writeln!(
                    w,
                    "  [{item}] Green Room {}: compromise at level {}",
                    if *agreed { "agrees" } else { "does not agree" },
                    level(*text)
                );
            }
            Event::GreenRoomReported { item, agreed, .. } => {
                let _ = writeln!(
                    w,
                    "  [{item}] Green Room outcome reported to all Members ({})",
                    if *agreed {
                        "compromise agreed in the room"
                    } else {
                        "no compromise"
                    }
                );
            }
            Event::InitiativeLaunched {
                initiative,
                topic,
                sponsors,
                participants,
                share,
                threshold,
                mfn,
            } => {
                let _ = writeln!(
                    w,
                    "\nJoint statement launches [{initiative}] {topic} ({}), co-sponsors {}; {} participants with {} of world exports; critical mass {}",
                    if *mfn { "MFN" } else { "non-MFN, Annex 4" },
                    short_list(sponsors),
                    participants.len(),
                    pct(*share),
                    pct(*threshold)
                );
            }
            Event::InitiativeJoined {
                call,
                initiative,
                member,
                share,
                after_conclusion,
            } => {
                if let Some(n) = calls.get_mut(call) {
                    n.counts[0] += 1;
                }
                let _ = writeln!(
                    w,
                    "  [{initiative}] {member} {}; participants now hold {}",
                    if *after_conclusion {
                        "accedes to the agreement"
                    } else {
                        "joins"
                    },
                    pct(*share)
                );
            }
            Event::InitiativeConcluded {
                initiative,
                version,
                participants,
                share,
                status,
            } => {
                let _ = writeln!(
                    w,
                    "  [{initiative}] CONCLUDED on text v{version}: {} participants, {} of world exports; {}",
                    participants.len(),
                    pct(*share),
                    status.as_str()
                );
            }
            Event::InitiativeStatus { initiative, status } => {
                let _ = writeln!(w, "  [{initiative}] status: {}", status.as_str());
            }
            Event::AccessionApplied {
                applicant,
                name,
                working_party,
                ..
            } => {
                let _ = writeln!(
                    w,
                    "\n{at} {name} ({applicant}) applies to accede (Art. XII); the General Council establishes a Working Party of {} Members; the memorandum is circulated",
                    working_party.len()
                );
            }
            Event::AccessionStage { applicant, stage } => {
                let _ = writeln!(w, "{at} accession of {applicant}: {}", stage.as_str());
            }
            Event::OfferMade { call, offer, .. } => {
                if let Some(n) = calls.get_mut(call) {
                    n.answers.push(format!("offer at level {}", level(*offer)));
                }
            }
            Event::BilateralConcluded {
                call,
                applicant,
                member,
                offer,
            } => {
                if let Some(n) = calls.get_mut(call) {
                    n.counts[0] += 1;
                }
                let _ = writeln!(
                    w,
                    "  [accession:{applicant}] bilateral deal with {member} at level {}",
                    level(*offer)
                );
            }
            Event::AccessionCompleted {
                applicant,
                member_since,
                total_votes,
                ..
            } => {
                total_members += 1;
                let _ = writeln!(
                    w,
                    "\n{member_since} {applicant} becomes a Member, the thirtieth day after depositing its instrument: {total_members} Members, {total_votes} votes"
                );
            }
            Event::ItemAgreed { item, version, how } => {
                let how = match how {
                    How::Consensus => "by consensus",
                    How::Vote => "by vote",
                    How::WrittenProcedure => "by written procedure",
                };
                let _ = writeln!(
                    w,
                    "  [{item}] text v{version} AGREED {how}, to be adopted with the whole package"
                );
            }
            Event::RollCalled {
                members,
                total_votes,
            } => {
                total_members = members.len();
                for m in members {
                    if let Ok(tz) = m.seat.parse::<Tz>() {
                        seats.insert(m.id.clone(), tz);
                    }
                }
                let represented = members
                    .iter()
                    .filter(|m| m.represented_by.is_some())
                    .count();
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
            }
            Event::ItemListed {
                item,
                title,
                rule,
                fallback,
                co_chairs,
                deadline,
                meeting,
            } => {
                if !agenda_headed {
                    agenda_headed = true;
                    let _ = writeln!(w, "\nAgenda:");
                }
                let _ = write!(w, "  [{item}] {title}: {rule}");
                if let Some(fb) = fallback {
                    let _ = write!(w, ", else {fb}");
                }
                if !co_chairs.is_empty() {
                    let _ = write!(w, "; co-chairs {}", list(co_chairs));
                }
                match meeting {
                    Some(m) => {
                        let _ = writeln!(w, "; decision fixed for {}", m.start);
                    }
                    None => {
                        let _ = writeln!(w, "; lapses if not tabled by {deadline}");
                    }
                }
            }
            Event::DayOpened {
                date,
                common_windows,
            } => {
                let hours: i64 = common_windows.iter().map(|x| x.secs()).sum();
                let spans: Vec<String> = common_windows
                    .iter()
                    .map(|x| {
                        format!(
                            "{}-{}",
                            hm(x.start),
                            if x.end.unix() % 86_400 == 0 {
                                "24:00".into()
                            } else {
                                hm(x.end)
                            }
                        )
                    })
                    .collect();
                let _ = writeln!(
                    w,
                    "\n== {date} == 90% of Members can sit together: {} ({:.1} h)",
                    if spans.is_empty() {
                        "never".into()
                    } else {
                        format!("{} UTC", spans.join(", "))
                    },
                    hours as f64 / 3600.0
                );
            }
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
                let geneva = interval
                    .start
                    .datetime()
                    .with_timezone(&crate::sessions::GENEVA);
                let geneva_end = interval
                    .end
                    .datetime()
                    .with_timezone(&crate::sessions::GENEVA);
                let _ = writeln!(
                    w,
                    "Meeting {meeting}, {what}, {}-{} UTC ({}-{} Geneva): {} of {} delegations present, {members_present} of {total_members} Members",
                    hm(interval.start),
                    hm(interval.end),
                    geneva.format("%H:%M"),
                    geneva_end.format("%H:%M"),
                    present.len(),
                    present.len() + absent.len(),
                );
                if !absent.is_empty() && venue == Venue::Virtual {
                    let shown: Vec<String> = absent
                        .iter()
                        .take(40)
                        .map(|m| match seats.get(m) {
                            Some(tz) => format!(
                                "{m} {}",
                                interval.start.datetime().with_timezone(tz).format("%H:%M")
                            ),
                            None => m.to_string(),
                        })
                        .collect();
                    let more = absent.len().saturating_sub(40);
                    let _ = writeln!(
                        w,
                        "  absent (local time at the opening): {}{}",
                        shown.join(", "),
                        if more > 0 {
                            format!(" and {more} more")
                        } else {
                            String::new()
                        }
                    );
                } else if !absent.is_empty() {
                    let _ = writeln!(w, "  absent: {}", short_list(absent));
                }
            }
            Event::CallIssued {
                call,
                subject,
                kind,
                round,
                awaited,
                ..
            } => {
                calls.insert(
                    *call,
                    CallNote {
                        item: subject.key().into_owned(),
                        kind: *kind,
                        round: *round,
                        awaited: awaited.len(),
                        answers: Vec::new(),
                        counts: [0; 3],
                    },
                );
            }
            Event::PositionStated {
                call,
                member,
                position,
            } => {
                if let Some(n) = calls.get_mut(call) {
                    let said = match position {
                        Stated::Level(l) => level(*l),
                        Stated::Stance(s) => format!("{s:?}").to_lowercase(),
                    };
                    n.answers.push(format!("{member} {said}"));
                    n.counts[0] += 1;
                }
            }
            Event::ReactionGiven {
                call,
                member,
                reaction,
            } => {
                if let Some(n) = calls.get_mut(call) {
                    let k = match reaction {
                        Reaction::Support => 0,
                        Reaction::Reserve => 1,
                        Reaction::Object => 2,
                    };
                    n.counts[k] += 1;
                    n.answers.push(format!(
                        "{member} {}",
                        format!("{reaction:?}").to_lowercase()
                    ));
                }
            }
            Event::VoteCast {
                call,
                member,
                vote,
                weight,
            } => {
                if let Some(n) = calls.get_mut(call) {
                    let k = match vote {
                        Vote::Yes => 0,
                        Vote::No => 1,
                        Vote::Abstain => 2,
                    };
                    n.counts[k] += weight;
                    let weight = if *weight == 1 {
                        String::new()
                    } else {
                        format!(" ({weight} votes)")
                    };
                    n.answers.push(format!(
                        "{member} {}{weight}",
                        format!("{vote:?}").to_lowercase()
                    ));
                }
            }
            Event::DraftSigned {
                call,
                member,
                signed,
            } => {
                if let Some(n) = calls.get_mut(call) {
                    n.answers.push(format!(
                        "{member} {}",
                        if *signed { "signs" } else { "does not sign" }
                    ));
                }
            }
            Event::ObjectionRaised { call, member } => {
                if let Some(n) = calls.get_mut(call) {
                    n.answers.push(format!("{member} objects"));
                }
            }
            Event::CallClosed { call, unanswered } => {
                let Some(n) = calls.remove(call) else {
                    continue;
                };
                let head = match n.kind {
                    CallKind::Positions => format!("round {}: positions", n.round),
                    CallKind::Signatures => "co-chairs' signatures".into(),
                    CallKind::Reactions => format!("round {}: reactions", n.round),
                    CallKind::Objections => "formal objections".into(),
                    CallKind::Votes => "vote".into(),
                    CallKind::WrittenObjections => "written objections".into(),
                    CallKind::PackageObjections => "formal objections to the whole package".into(),
                    CallKind::Join => format!("round {}: joining", n.round),
                    CallKind::BilateralOffer => format!("bilateral round {}: offer", n.round),
                    CallKind::BilateralResponse => format!(
                        "bilateral round {}: Working Party members without a deal",
                        n.round
                    ),
                    CallKind::Annex4Objections => {
                        "formal objections to adding it to Annex 4 (Art. X:9)".into()
                    }
                };
                let body = if n.kind == CallKind::BilateralResponse {
                    format!("{} of {} accept", n.counts[0], n.awaited)
                } else if n.kind != CallKind::Join
                    && (n.awaited <= LIST_ANSWERS_UP_TO
                        || matches!(
                            n.kind,
                            CallKind::Objections
                                | CallKind::WrittenObjections
                                | CallKind::Signatures
                                | CallKind::PackageObjections
                                | CallKind::Annex4Objections
                        ))
                {
                    if n.answers.is_empty() {
                        "none".into()
                    } else {
                        n.answers.join(", ")
                    }
                } else {
                    match n.kind {
                        CallKind::Positions => format!("{} stated", n.counts[0]),
                        CallKind::Reactions => format!(
                            "{} support, {} reserve, {} object",
                            n.counts[0], n.counts[1], n.counts[2]
                        ),
                        CallKind::Votes => format!(
                            "{} yes, {} no, {} abstain",
                            n.counts[0], n.counts[1], n.counts[2]
                        ),
                        CallKind::Join => format!("{} of {} asked join", n.counts[0], n.awaited),
                        _ => String::new(),
                    }
                };
                if n.kind == CallKind::BilateralOffer {
                    let _ = write!(w, "{at} ");
                } else {
                    let _ = write!(w, "  ");
                }
                let _ = write!(w, "[{}] {head}: {body}", n.item);
                if !unanswered.is_empty() {
                    let _ = write!(w, "; no answer from {}", short_list(unanswered));
                }
                let _ = writeln!(w);
            }
            Event::DraftIssued {
                item,
                version,
                text,
            } => {
                let _ = writeln!(
                    w,
                    "  [{item}] chair's text v{version} issued at level {}",
                    level(*text)
                );
            }
            Event::DraftWithheld {
                item,
                round,
                unsigned,
            } => {
                let _ = writeln!(
                    w,
                    "  [{item}] round {round}: no text issued, not signed by {}",
                    list(unsigned)
                );
            }
            Event::RoundConcluded {
                item,
                round,
                objectors,
            } => {
                if !objectors.is_empty() {
                    let _ = writeln!(
                        w,
                        "  [{item}] round {round} ends with objections from {}",
                        short_list(objectors)
                    );
                }
            }
            Event::TextTabled {
                item,
                version,
                reason,
            } => {
                let _ = writeln!(
                    w,
                    "  [{item}] text v{version} tabled for decision ({reason})"
                );
            }
            Event::WrittenProcedureOpened {
                item,
                version,
                deadline,
            } => {
                let _ = writeln!(
                    w,
                    "  [{item}] text v{version} circulated for written procedure until {deadline}"
                );
            }
            Event::DecisionTaken {
                item,
                version,
                rule,
                outcome,
                how,
                present,
                objectors,
                votes,
                required,
                ..
            } => {
                if *how == How::WrittenProcedure {
                    let _ = writeln!(w, "\n{at} written procedure closes");
                }
                let outcome = format!("{outcome:?}").to_uppercase();
                let how = match how {
                    How::Consensus => "by consensus".to_owned(),
                    How::Vote => format!("by vote ({rule})"),
                    How::WrittenProcedure => "by written procedure".to_owned(),
                };
                let _ = write!(
                    w,
                    "  [{item}] DECISION{}: {outcome} {how}; {} Members present; objections: {}",
                    if *version == 0 {
                        String::new()
                    } else {
                        format!(" on text v{version}")
                    },
                    present.len(),
                    list(objectors)
                );
                if let (Some(v), Some(req)) = (votes, required) {
                    let _ = write!(
                        w,
                        "; {} yes, {} no, {} abstain, {req} yes needed",
                        v.yes, v.no, v.abstain
                    );
                }
                let _ = writeln!(w);
            }
            Event::ItemLapsed { item, reason } => {
                let _ = writeln!(w, "\n{at} [{item}] LAPSED: {reason}");
            }
            Event::NegotiationClosed {
                adopted,
                not_adopted,
            } => {
                let _ = writeln!(
                    w,
                    "\nClosed {at}: {adopted} adopted, {not_adopted} not adopted."
                );
            }
        }
    }
    let _ = writeln!(
        out,
        "Record: {} events, sha256 {}",
        record.len(),
        record.sha256()
    );
    out
}
