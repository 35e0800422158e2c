//! The JSON report as a fold over the record.
//!
//! [`Report::from_record`] reads the record once, in order, and hands each
//! event to a method for its family (see `family`): the opening (scenario,
//! roll, agenda), days and meetings, texts, decisions, amendments'
//! acceptances, the package, Green Rooms, plurilateral initiatives and
//! accessions. So what an event does to
//! the report can be read in one place. Calls, their answers and the
//! closing change nothing here: they only count in the record's summary.

use std::collections::HashMap;

use super::family::Family;
use super::{
    AcceptanceCount, AcceptanceReport, AccessionReport, ConsultationReport, DayReport,
    GreenRoomReport, InclusivenessReport, InitiativeReport, ItemReport, PackageReport,
    RecordSummary, Report, SessionReport, common_hours,
};
use crate::accession::Stage;
use crate::drafting::{DraftingPolicy, Median};
use crate::initiative::Status;
use crate::member::MemberId;
use crate::protocol::PACKAGE_KEY;
use crate::protocol::Package;
use crate::protocol::{CallKind, Level, MAX_LEVEL, Stated, Subject};
use crate::record::{Event, MeetingKind, Record};
use crate::rules::{NamedRule, Outcome};
use crate::time::Timestamp;

impl Report {
    /// Folds a record into its report.
    pub fn from_record(record: &Record) -> Self {
        let mut fold = Fold::new(record);
        for e in record.entries() {
            fold.event(e.at, &e.event);
        }
        super::development::complete(&mut fold.report, record);
        fold.report.shocks = super::shocks::reports(record);
        fold.report.pressure = super::pressure::fold(record, &fold.report.items);
        fold.report.blocs = super::blocs::fold(record);
        fold.report
    }
}

/// The report being folded, with where each item stands in it.
struct Fold {
    report: Report,
    /// Item id to its place in `report.items`.
    index: HashMap<String, usize>,
    /// An item's consultation call for positions that is open, and the
    /// levels stated to it so far.
    positions: Option<(u64, usize, Vec<Level>)>,
    /// Per item, the median of the levels stated in its last consultation
    /// round.
    medians: HashMap<usize, Level>,
    /// Whether a Green Room is sitting (its positions are not the Members').
    in_green_room: bool,
    /// A Member's amendment proposed and not yet answered.
    amendment: super::proposals::Pending,
}

/// A share in 0.0001 % units, as a percentage.
fn share_pct(share: u32) -> f64 {
    f64::from(share) / 10_000.0
}

/// Rounded to one decimal.
fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

impl Fold {
    /// An empty report for `record`, with its summary.
    fn new(record: &Record) -> Self {
        let report = Report {
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
            capacity: None,
            flexibilities: Vec::new(),
            shocks: Vec::new(),
            rtas: Vec::new(),
            spaghetti_bowl: Vec::new(),
            pressure: super::PressureReport::default(),
            amendments: None,
            blocs: Vec::new(),
        };
        Self {
            report,
            index: HashMap::new(),
            positions: None,
            medians: HashMap::new(),
            in_green_room: false,
            amendment: None,
        }
    }

    /// Hands one event to the method for its family; calls and the
    /// closing change nothing in the report.
    fn event(&mut self, at: Timestamp, event: &Event) {
        match Family::of(event) {
            Family::Opening => self.opening(event),
            Family::Meetings => self.sessions(event),
            Family::Texts => self.texts(event),
            Family::Proposals => {
                super::proposals::fold(&mut self.report, &mut self.amendment, event)
            }
            Family::Decisions => self.decisions(event),
            Family::Amendments => self.amendments(at, event),
            Family::Package => self.package(event),
            Family::GreenRooms => self.green_rooms(event),
            Family::Initiatives => self.initiatives(event),
            Family::Accessions => self.accessions(event),
            Family::Regional => super::rtas::fold(&mut self.report, event),
            Family::Calls => self.calls(event),
            Family::Closing | Family::Shocks | Family::Blocs => {}
        }
    }

    /// The levels stated in each item's consultation rounds, for the
    /// Members' median (Green Rooms' rounds do not count).
    fn calls(&mut self, event: &Event) {
        match event {
            Event::CallIssued {
                call,
                subject: Subject::Item(item),
                kind: CallKind::Positions,
                ..
            } if !self.in_green_room => {
                if let Some(&i) = self.index.get(item) {
                    self.positions = Some((*call, i, Vec::new()));
                }
            }
            Event::PositionStated {
                call,
                position: Stated::Level(l),
                ..
            } => {
                if let Some((c, _, levels)) = &mut self.positions
                    && c == call
                {
                    levels.push(*l);
                }
            }
            Event::CallClosed { call, .. } => {
                if let Some((_, i, levels)) = self.positions.take_if(|(c, ..)| c == call)
                    && !levels.is_empty()
                {
                    self.medians.insert(i, Median.draft(&levels, None));
                }
            }
            _ => {}
        }
    }

    /// The scenario, seed, venue and package rule; the number of Members
    /// and delegations on the roll; the items on the agenda.
    fn opening(&mut self, event: &Event) {
        let r = &mut self.report;
        match event {
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
            Event::RollCalled { members, .. } => {
                r.members = members.len();
                r.delegations = members
                    .iter()
                    .filter(|m| m.represented_by.is_none())
                    .count();
            }
            Event::ItemListed {
                item,
                title,
                rule,
                named_rule,
                consensus_until,
                ..
            } => {
                self.index.insert(item.clone(), r.items.len());
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
                    named_rule: *named_rule,
                    consensus_until: *consensus_until,
                    acceptances: None,
                    in_force_on: None,
                    acceptance_count: None,
                    median: None,
                    distance_from_median: None,
                    revisions: 0,
                    withdrawn: false,
                    texts_withheld: 0,
                    amendments_taken_up: 0,
                    confessionals: 0,
                    bridging_proposals: Vec::new(),
                    linked_with: None,
                });
            }
            _ => {}
        }
    }

    /// An item's rounds and last text.
    fn texts(&mut self, event: &Event) {
        match event {
            // A round counts whether or not a text was issued in it (the
            // co-chairs may withhold one).
            Event::RoundConcluded { item, round, .. }
            | Event::DraftWithheld { item, round, .. } => {
                if let Some(it) = self.item_mut(item) {
                    it.rounds = it.rounds.max(*round);
                }
            }
            Event::DraftIssued {
                item,
                version,
                text,
            } => {
                let median = self
                    .index
                    .get(item)
                    .and_then(|i| self.medians.get(i))
                    .copied();
                if let Some(it) = self.item_mut(item) {
                    it.version = *version;
                    it.text = Some(*text);
                    it.median = median;
                    it.distance_from_median = median.map(|m| m.abs_diff(*text));
                }
            }
            Event::DraftRevised { item, .. } => {
                if let Some(it) = self.item_mut(item) {
                    it.revisions += 1;
                }
            }
            Event::ConfessionalsHeld { item, .. } => {
                if let Some(it) = self.item_mut(item) {
                    it.confessionals += 1;
                }
            }
            Event::BridgingProposed { item, text, .. } => {
                if let Some(it) = self.item_mut(item) {
                    it.bridging_proposals.push(*text);
                }
            }
            Event::PackageLinked { items, .. } => {
                for (a, b) in [(0, 1), (1, 0)] {
                    if let (Some(it), Some(other)) = (items.get(a), items.get(b))
                        && let Some(r) = self.item_mut(it)
                    {
                        r.linked_with = Some(other.clone());
                    }
                }
            }
            _ => {}
        }
    }

    /// Decisions on items and on the package; under the single
    /// undertaking, an item lapsing makes the package lapse.
    fn decisions(&mut self, event: &Event) {
        match event {
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
                for i in self.decided(item, *outcome) {
                    let it = &mut self.report.items[i];
                    it.outcome = *outcome;
                    it.how = Some(*how);
                    it.meeting = Some(*meeting);
                    it.present = present.clone();
                    it.objectors = objectors.clone();
                    it.votes = *votes;
                    it.required = *required;
                    if *outcome == Outcome::Adopted && it.named_rule == Some(NamedRule::Amendment) {
                        it.acceptances.get_or_insert_with(Vec::new);
                    }
                }
            }
            Event::ItemWithdrawn { item, .. } => {
                if let Some(it) = self.item_mut(item) {
                    it.withdrawn = true;
                }
            }
            Event::ItemLapsed { .. } if self.report.package.rule == Package::SingleUndertaking => {
                self.report.package.outcome = Some(Outcome::Lapsed);
            }
            _ => {}
        }
    }

    /// An amendment's acceptances, and its entry into force (Art. X:3).
    fn amendments(&mut self, at: Timestamp, event: &Event) {
        match event {
            Event::AcceptanceDeposited {
                item,
                member,
                covers,
                accepted,
                required,
                members,
                ..
            } => {
                if let Some(it) = self.item_mut(item) {
                    it.acceptances
                        .get_or_insert_with(Vec::new)
                        .push(AcceptanceReport {
                            member: member.clone(),
                            on: at,
                            counts_for: 1 + covers.len() as u32,
                        });
                    if it.in_force_on.is_none() {
                        it.acceptance_count = Some(AcceptanceCount {
                            accepted: *accepted,
                            required: *required,
                            members: *members,
                        });
                    }
                }
            }
            Event::AmendmentInForce {
                item,
                accepted,
                required,
                members,
                ..
            } => {
                if let Some(it) = self.item_mut(item)
                    && it.in_force_on.is_none()
                {
                    it.in_force_on = Some(at);
                    it.acceptance_count = Some(AcceptanceCount {
                        accepted: *accepted,
                        required: *required,
                        members: *members,
                    });
                }
            }
            _ => {}
        }
    }

    fn item_mut(&mut self, item: &str) -> Option<&mut ItemReport> {
        let i = *self.index.get(item)?;
        self.report.items.get_mut(i)
    }

    /// The items a decision applies to, noting what it does to the package:
    /// the decision on the whole package applies to every item agreed for
    /// it; under the single undertaking, an item not adopted makes the
    /// package lapse.
    fn decided(&mut self, item: &str, outcome: Outcome) -> Vec<usize> {
        let package = &mut self.report.package;
        if item == PACKAGE_KEY {
            package.outcome = Some(outcome);
            package
                .agreed
                .iter()
                .filter_map(|a| self.index.get(a).copied())
                .collect()
        } else {
            if package.rule == Package::SingleUndertaking && outcome != Outcome::Adopted {
                package.outcome = Some(Outcome::Lapsed);
            }
            self.index.get(item).copied().into_iter().collect()
        }
    }

    /// Items agreed for the package, under the single undertaking.
    fn package(&mut self, event: &Event) {
        if let Event::ItemAgreed { item, .. } = event {
            self.report.package.agreed.push(item.clone());
        }
    }

    /// Days with their common windows, and meetings with their attendance.
    fn sessions(&mut self, event: &Event) {
        let r = &mut self.report;
        match event {
            Event::DayOpened {
                date,
                common_windows,
            } => r.days.push(DayReport {
                date: date.clone(),
                common_window_hours: round1(common_hours(common_windows)),
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
            _ => {}
        }
    }

    /// Green Rooms: who was in, who they represent, how each ended.
    fn green_rooms(&mut self, event: &Event) {
        match event {
            Event::GreenRoomConvened { .. } => self.in_green_room = true,
            Event::GreenRoomConcluded { .. } => self.in_green_room = false,
            _ => {}
        }
        let rooms = &mut self.report.green_rooms;
        match event {
            Event::GreenRoomConvened {
                item,
                policy,
                participants,
                inclusiveness,
                salience_seats,
                observers,
                ..
            } => rooms.push(GreenRoomReport {
                item: item.clone(),
                policy: *policy,
                participants: participants.clone(),
                inclusiveness: InclusivenessReport::of(inclusiveness),
                agreed: None,
                reported: false,
                salience_seats: *salience_seats,
                observers: observers.clone(),
                consultation: None,
            }),
            Event::GreenRoomConsulted {
                text,
                objectors,
                next_text,
                ..
            } => {
                let unit = |l: Level| f64::from(l) / f64::from(MAX_LEVEL);
                if let Some(g) = rooms.last_mut() {
                    g.consultation = Some(ConsultationReport {
                        objectors: objectors.clone(),
                        text: unit(*text),
                        next_text: unit(*next_text),
                    });
                }
            }
            Event::GreenRoomConcluded { agreed, .. } => {
                if let Some(g) = rooms.last_mut() {
                    g.agreed = Some(*agreed);
                }
            }
            Event::GreenRoomReported { .. } => {
                if let Some(g) = rooms.last_mut() {
                    g.reported = true;
                }
            }
            _ => {}
        }
    }

    /// Plurilateral initiatives: participants, their share, the status.
    fn initiatives(&mut self, event: &Event) {
        match event {
            Event::InitiativeLaunched {
                initiative,
                participants,
                share,
                threshold,
                mfn,
                ..
            } => self.report.initiatives.push(InitiativeReport {
                id: initiative.clone(),
                participants: participants.clone(),
                share: share_pct(*share),
                threshold: share_pct(*threshold),
                mfn: *mfn,
                status: Status::Negotiating,
            }),
            Event::InitiativeJoined {
                initiative,
                member,
                share,
                ..
            } => {
                if let Some(x) = self.initiative_mut(initiative) {
                    x.participants.push(member.clone());
                    x.participants.sort();
                    x.share = share_pct(*share);
                }
            }
            Event::InitiativeConcluded {
                initiative, status, ..
            }
            | Event::InitiativeStatus { initiative, status } => {
                if let Some(x) = self.initiative_mut(initiative) {
                    x.status = *status;
                }
            }
            _ => {}
        }
    }

    fn initiative_mut(&mut self, id: &str) -> Option<&mut InitiativeReport> {
        self.report.initiatives.iter_mut().find(|x| x.id == id)
    }

    /// Accessions: stage, bilateral deals, membership; a new Member also
    /// counts on the roll.
    fn accessions(&mut self, event: &Event) {
        match event {
            Event::AccessionApplied { applicant, .. } => {
                self.report.accessions.push(AccessionReport {
                    applicant: applicant.clone(),
                    status: Stage::WorkingParty,
                    member_since: None,
                    bilateral_deals: Vec::new(),
                });
            }
            Event::AccessionStage { applicant, stage } => {
                if let Some(a) = self.accession_mut(applicant) {
                    a.status = *stage;
                }
            }
            Event::BilateralConcluded {
                applicant, member, ..
            } => {
                if let Some(a) = self.accession_mut(applicant) {
                    a.bilateral_deals.push(member.clone());
                    a.bilateral_deals.sort();
                }
            }
            Event::AccessionCompleted {
                applicant,
                member_since,
                ..
            } => {
                self.report.members += 1;
                self.report.delegations += 1;
                if let Some(a) = self.accession_mut(applicant) {
                    a.status = Stage::Member;
                    a.member_since = Some(*member_since);
                }
            }
            _ => {}
        }
    }

    fn accession_mut(&mut self, applicant: &MemberId) -> Option<&mut AccessionReport> {
        self.report
            .accessions
            .iter_mut()
            .find(|a| a.applicant == *applicant)
    }
}
