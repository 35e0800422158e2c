//! The record: every change of negotiation state, in order.
//!
//! The Secretariat appends [`Event`]s to one [`Record`]; each gets the next
//! sequence number (from 1) and the simulated instant at which it happened.
//! The state of the negotiation, the minutes and the JSON report are all
//! folds over it (`report`), and a subscriber resumes from a sequence
//! number ([`Record::since`]).
//!
//! The *canonical encoding* of an entry is its JSON object on one line, with
//! fields in the order declared here, integers only (levels and shares are
//! whole numbers) and instants written `YYYY-MM-DDTHH:MM:SSZ`; the record's
//! encoding is the entries' lines, each ended by `\n`. Its SHA-256 is the
//! fingerprint that must be the same for the same scenario and seed however
//! the negotiation was carried (in process, over gRPC, over QUIC).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::flexibility::{Flexibility, Granted};
use crate::member::MemberId;
use crate::protocol::Package;
use crate::protocol::{
    Call, CallId, CallKind, Level, PackageText, Reaction, Stated, Subject, Vote,
};
use crate::rules::{How, NamedRule, Outcome, Rule, Votes};
use crate::sessions::Venue;
use crate::shock::{Postponed, Pressure, ShockKind};
use crate::time::{Interval, Timestamp};

fn early_harvest() -> Package {
    Package::EarlyHarvest
}

fn is_early_harvest(p: &Package) -> bool {
    *p == Package::EarlyHarvest
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// A Member on the roll, as the record states it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollEntry {
    /// Id.
    pub id: MemberId,
    /// Name.
    pub name: String,
    /// The IANA zone where its delegation sits at this venue.
    pub seat: String,
    /// Office hours, `HH:MM-HH:MM` local.
    pub office_hours: String,
    /// The delegation that represents it, if not itself (EU member States).
    pub represented_by: Option<MemberId>,
    /// Votes its delegation casts (0 for a represented Member).
    pub votes: u32,
    /// 2019 share of world merchandise exports, in 0.0001 %, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export_share: Option<u32>,
}

/// What kind of meeting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum MeetingKind {
    /// The day's session of the negotiating body.
    Session,
    /// A meeting the scenario fixed for an item's decision.
    ItemMeeting {
        /// The item.
        item: String,
    },
}

/// One change of negotiation state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "type")]
pub enum Event {
    /// The negotiation opens.
    NegotiationOpened {
        /// Scenario name.
        scenario: String,
        /// Seed.
        seed: u64,
        /// Venue.
        venue: Venue,
        /// Start.
        start: Timestamp,
        /// Length of a day's session, in hours.
        session_hours: u32,
        /// The package rule (omitted for early harvest, the default).
        #[serde(default = "early_harvest", skip_serializing_if = "is_early_harvest")]
        package: Package,
    },
    /// The roll of Members.
    RollCalled {
        /// Members, by id.
        members: Vec<RollEntry>,
        /// The votes all Members hold together.
        total_votes: u32,
    },
    /// An item is put on the agenda.
    ItemListed {
        /// Item id.
        item: String,
        /// Title.
        title: String,
        /// Decision rule.
        rule: Rule,
        /// Voting fallback when consensus fails.
        fallback: Option<Rule>,
        /// Co-chairs who must all sign a text (empty: a single chair).
        co_chairs: Vec<MemberId>,
        /// After this instant no new round is held.
        deadline: Timestamp,
        /// The decision meeting the scenario fixed, if any.
        meeting: Option<Interval>,
        /// The named rule (`waiver`, `amendment`, …) the item is decided
        /// under, `rule` being the plain rule it is decided by (omitted for
        /// a plain rule).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        named_rule: Option<NamedRule>,
        /// The end of its consensus period (Art. IX:3(a), X:1): until then an
        /// objection at the decision sends it back to consultation (omitted
        /// without one).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        consensus_until: Option<Timestamp>,
    },
    /// A new day of meetings, with its common window.
    DayOpened {
        /// The UTC date, `YYYY-MM-DD`.
        date: String,
        /// Spans in which at least 90 % of Members are in office hours.
        common_windows: Vec<Interval>,
    },
    /// A meeting opens.
    MeetingConvened {
        /// Meeting number, from 1.
        meeting: u32,
        /// Session or item meeting.
        kind: MeetingKind,
        /// When.
        interval: Interval,
        /// Delegations present, by id.
        present: Vec<MemberId>,
        /// Delegations absent, by id.
        absent: Vec<MemberId>,
        /// Members present (EU member States count with the EU).
        members_present: u32,
    },
    /// The Secretariat asks delegations for something.
    CallIssued {
        /// Call number, from 1.
        call: CallId,
        /// What the call is about, written as its key.
        #[serde(rename = "item")]
        subject: Subject,
        /// What is asked.
        kind: CallKind,
        /// Consultation round (at a decision: last round + 1).
        round: u32,
        /// Text version concerned (0 before the first text).
        version: u32,
        /// The text concerned, if any.
        text: Option<Level>,
        /// Rule of the decision.
        rule: Rule,
        /// Who is asked, by id.
        awaited: Vec<MemberId>,
        /// The texts of a package decision (single undertaking, or two
        /// items a proactive Director-General linked).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        package: Option<Vec<PackageText>>,
        /// On a signatures call whose co-chairs sign by the Members'
        /// median: that median.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reference: Option<Level>,
        /// On an item or initiative with flexibilities for developing
        /// Members and LDCs: the widening of the tolerance and who has it
        /// (`crate::flexibility`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        flexibility: Option<Box<Granted>>,
        /// The pressure on each delegation asked from a political shock in
        /// effect (`crate::shock`), omitted without one.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pressures: Vec<Pressure>,
        /// Under `[pressure]`: what the Members know of the pressure on the
        /// item (`pressure`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        shadow: Option<Box<crate::pressure::Shadow>>,
    },
    /// A delegation states its position.
    PositionStated {
        /// Call.
        call: u64,
        /// Delegation.
        member: MemberId,
        /// Position.
        position: Stated,
    },
    /// A co-chair signs, or refuses to sign, a draft.
    DraftSigned {
        /// Call.
        call: u64,
        /// Co-chair.
        member: MemberId,
        /// Whether it signed.
        signed: bool,
    },
    /// A delegation reacts to a text.
    ReactionGiven {
        /// Call.
        call: u64,
        /// Delegation.
        member: MemberId,
        /// Reaction.
        reaction: Reaction,
    },
    /// A Member formally objects.
    ObjectionRaised {
        /// Call.
        call: u64,
        /// Delegation.
        member: MemberId,
    },
    /// A delegation votes.
    VoteCast {
        /// Call.
        call: u64,
        /// Delegation.
        member: MemberId,
        /// Vote.
        vote: Vote,
        /// The votes it holds.
        weight: u32,
    },
    /// A call is closed; who did not answer.
    CallClosed {
        /// Call.
        call: u64,
        /// Delegations asked that did not answer.
        unanswered: Vec<MemberId>,
    },
    /// The chair (or all co-chairs) issue a text.
    DraftIssued {
        /// Item.
        item: String,
        /// Version, from 1.
        version: u32,
        /// The text.
        text: Level,
    },
    /// A draft is not issued: a co-chair did not sign.
    DraftWithheld {
        /// Item.
        item: String,
        /// Round.
        round: u32,
        /// Co-chairs that did not sign.
        unsigned: Vec<MemberId>,
    },
    /// A consultation round ends.
    RoundConcluded {
        /// Item.
        item: String,
        /// Round.
        round: u32,
        /// Delegations present that objected to the text.
        objectors: Vec<MemberId>,
    },
    /// A text is put forward for decision at the next session.
    TextTabled {
        /// Item.
        item: String,
        /// Version.
        version: u32,
        /// Why now: `no objection` or `consultations exhausted`.
        reason: String,
    },
    /// A proposed decision is circulated for written procedure.
    WrittenProcedureOpened {
        /// Item.
        item: String,
        /// Version.
        version: u32,
        /// Deadline for objections.
        deadline: Timestamp,
    },
    /// A written procedure failed: a Member objected by the deadline. The
    /// matter returns to the next formal meeting.
    WrittenProcedureFailed {
        /// Item.
        item: String,
        /// Members that objected in writing.
        objectors: Vec<MemberId>,
    },
    /// A decision is taken.
    DecisionTaken {
        /// Item.
        item: String,
        /// Version decided on.
        version: u32,
        /// The rule that decided.
        rule: Rule,
        /// Outcome.
        outcome: Outcome,
        /// How.
        how: How,
        /// The meeting (for written procedure: circulation to deadline).
        meeting: Interval,
        /// Members present (written procedure: all Members).
        present: Vec<MemberId>,
        /// Members that formally objected.
        objectors: Vec<MemberId>,
        /// Weighted vote counts, if there was a vote.
        votes: Option<Votes>,
        /// Yes votes needed, if there was a vote.
        required: Option<u32>,
    },
    /// During an item's consensus period (Art. IX:3(a), X:1) a Member
    /// formally objected at the decision: no decision is taken, and the item
    /// goes back to consultation.
    ConsensusNotReached {
        /// Item.
        item: String,
        /// Version put to the decision.
        version: u32,
        /// Members that formally objected.
        objectors: Vec<MemberId>,
        /// The end of the consensus period.
        until: Timestamp,
    },
    /// A Member deposits its instrument of acceptance of an amendment
    /// (Art. X:3).
    AcceptanceDeposited {
        /// The amendment (item).
        item: String,
        /// The Member (or applicant) that deposits.
        member: MemberId,
        /// The member States its instrument also counts for (the EU's).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        covers: Vec<MemberId>,
        /// It is an applicant, not yet a Member: its acceptance counts from
        /// its membership.
        #[serde(default, skip_serializing_if = "is_false")]
        applicant: bool,
        /// Members that have accepted, counted now.
        accepted: u32,
        /// Acceptances needed: two-thirds of the Members, rounded up.
        required: u32,
        /// Members now (the EU counted as one, beside its member States).
        members: u32,
    },
    /// An amendment enters into force (Art. X:3): on the day two-thirds of
    /// the Members have accepted it, for those that have; afterwards, for
    /// each other Member on the day it accepts (or becomes a Member, if it
    /// accepted before).
    AmendmentInForce {
        /// The amendment (item).
        item: String,
        /// The Members for which it enters into force now.
        in_force_for: Vec<MemberId>,
        /// Members that have accepted it.
        accepted: u32,
        /// Acceptances needed.
        required: u32,
        /// Members now.
        members: u32,
    },
    /// Under the single undertaking: an item's text is agreed, to be adopted
    /// with the whole package.
    ItemAgreed {
        /// Item.
        item: String,
        /// Version agreed.
        version: u32,
        /// How it was agreed.
        how: How,
    },
    /// Reformed Green Room: participants and agenda announced to all
    /// Members before the meeting.
    GreenRoomAnnounced {
        /// Item.
        item: String,
        /// Invitees.
        participants: Vec<MemberId>,
        /// Agenda.
        agenda: String,
    },
    /// A Green Room meets.
    GreenRoomConvened {
        /// Item.
        item: String,
        /// Whose practice.
        policy: crate::greenroom::Policy,
        /// When.
        interval: Interval,
        /// Invitees.
        participants: Vec<MemberId>,
        /// The objections that led to it.
        objectors: Vec<MemberId>,
        /// Whether other Members may observe.
        observers_admitted: bool,
        /// Who is represented in it.
        inclusiveness: crate::greenroom::Inclusiveness,
        /// Seats added for the item's salience (`[greenroom] growth`).
        #[serde(default, skip_serializing_if = "is_zero")]
        salience_seats: u32,
        /// International organisations observing, with no vote and no
        /// objection (the item's `observers`, reformed policy only).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        observers: Vec<String>,
    },
    /// A Green Room ends, with or without a compromise.
    GreenRoomConcluded {
        /// Item.
        item: String,
        /// The chair's compromise.
        text: Level,
        /// Whether no participant objected to it.
        agreed: bool,
    },
    /// Reformed Green Room: the outcome reported to all Members.
    GreenRoomReported {
        /// Item.
        item: String,
        /// The chair's compromise.
        text: Level,
        /// Whether it was agreed in the room.
        agreed: bool,
    },
    /// A joint statement launches an open plurilateral initiative.
    InitiativeLaunched {
        /// Initiative id.
        initiative: String,
        /// Topic.
        topic: String,
        /// Co-sponsors of the joint statement.
        sponsors: Vec<MemberId>,
        /// Participants at launch (sponsors and those fixed by the scenario).
        participants: Vec<MemberId>,
        /// Their share of world exports, in 0.0001 %.
        share: u32,
        /// Critical mass, in 0.0001 % of world exports.
        threshold: u32,
        /// Whether its benefits extend to all Members.
        mfn: bool,
    },
    /// A Member joins an initiative (after conclusion: accedes to it).
    InitiativeJoined {
        /// The call it answered.
        call: u64,
        /// Initiative.
        initiative: String,
        /// The new participant.
        member: MemberId,
        /// The participants' share after it joined, in 0.0001 %.
        share: u32,
        /// Whether it joined after conclusion (accession to the agreement).
        after_conclusion: bool,
    },
    /// An initiative concludes: text agreed and critical mass reached.
    InitiativeConcluded {
        /// Initiative.
        initiative: String,
        /// Text version agreed.
        version: u32,
        /// Participants.
        participants: Vec<MemberId>,
        /// Their share of world exports, in 0.0001 %.
        share: u32,
        /// `in-force` (MFN) or `concluded` (awaiting Annex 4).
        status: crate::initiative::Status,
    },
    /// An initiative's final status (Annex 4 decision, or deadline).
    InitiativeStatus {
        /// Initiative.
        initiative: String,
        /// Status.
        status: crate::initiative::Status,
    },
    /// A government applies to accede; the General Council establishes a
    /// Working Party; the applicant circulates its memorandum.
    AccessionApplied {
        /// The applicant (an observer, not a Member).
        applicant: MemberId,
        /// Its name.
        name: String,
        /// Members of the Working Party.
        working_party: Vec<MemberId>,
        /// Its 2019 share of world exports, in 0.0001 %, if known.
        export_share: Option<u32>,
    },
    /// An accession moves to a new stage.
    AccessionStage {
        /// The applicant.
        applicant: MemberId,
        /// The stage.
        stage: crate::accession::Stage,
    },
    /// The applicant's offer in a bilateral round.
    OfferMade {
        /// The call it answered.
        call: u64,
        /// The applicant.
        applicant: MemberId,
        /// Its offer.
        offer: Level,
    },
    /// A bilateral market-access deal between the applicant and a WP member.
    BilateralConcluded {
        /// The call the member answered.
        call: u64,
        /// The applicant.
        applicant: MemberId,
        /// The WP member.
        member: MemberId,
        /// The offer accepted.
        offer: Level,
    },
    /// The thirtieth day after the deposit: the applicant is a Member.
    AccessionCompleted {
        /// The new Member.
        applicant: MemberId,
        /// Since when.
        member_since: Timestamp,
        /// Its entry on the roll from now on.
        entry: RollEntry,
        /// The votes all Members now hold together.
        total_votes: u32,
    },
    /// The coalitions in the negotiation.
    CoalitionsListed {
        /// Coalitions, with members and coordinators.
        coalitions: Vec<crate::coalition::Coalition>,
    },
    /// A formal decision could not be taken for want of a quorum (rules of
    /// procedure, `procedure::Quorum`); it moves to the next meeting.
    NoQuorum {
        /// Item (or `package`).
        item: String,
        /// Members present.
        present: u32,
        /// Members a quorum needs.
        required: u32,
    },
    /// An item lapses without a decision.
    ItemLapsed {
        /// Item.
        item: String,
        /// Why.
        reason: String,
    },
    /// The negotiation ends.
    NegotiationClosed {
        /// Items adopted.
        adopted: u32,
        /// Items not adopted.
        not_adopted: u32,
    },
    /// The chair drafted with a policy other than the plain median, or with
    /// a bias (`drafting`): the text against the unweighted median of the
    /// levels stated by the Members present. Not recorded for today's
    /// chair (plain median, no bias), whose text is that median.
    TextDrafted {
        /// Item.
        item: String,
        /// Round.
        round: u32,
        /// `median` or `weighted-median`.
        policy: String,
        /// Whether the chair's own bias moved the text.
        biased: bool,
        /// The unweighted median of the levels stated.
        median: Level,
        /// The chair's draft.
        text: Level,
    },
    /// A co-chair refused to sign: the co-chairs revise the draft towards
    /// the Members' median and ask for the signatures again.
    DraftRevised {
        /// Item.
        item: String,
        /// Round.
        round: u32,
        /// Revision, from 1.
        revision: u32,
        /// Co-chairs that did not sign the previous draft.
        unsigned: Vec<MemberId>,
        /// The revised draft.
        text: Level,
    },
    /// The co-chairs' revisions are exhausted: the chair goes on with the
    /// last text they all signed (before any, the Members' median), which
    /// goes to the delegations and then to the decision rule. No co-chair
    /// holds a veto above the decision rule.
    RevisionsExhausted {
        /// Item.
        item: String,
        /// Round.
        round: u32,
        /// Co-chairs that did not sign the last revision.
        unsigned: Vec<MemberId>,
        /// The text the chair goes on with.
        text: Level,
    },
    /// A delegation that objected to the chair's last text proposes an
    /// amendment to it: its stated level (`[chair] amendments`,
    /// `crate::proposal`).
    AmendmentProposed {
        /// Item.
        item: String,
        /// Round.
        round: u32,
        /// The proposer.
        member: MemberId,
        /// The level the amendment asks for.
        level: Level,
        /// The chair's text it amends.
        against: Level,
        /// Whether the proposer is a least-developed country.
        #[serde(default, skip_serializing_if = "is_false")]
        least_developed: bool,
        /// Whether the proposer is a large trader (at least 1 % of world
        /// exports).
        #[serde(default, skip_serializing_if = "is_false")]
        large_trader: bool,
        /// The chance the chair takes it up, in 1/10,000.
        chance: u32,
    },
    /// The chair takes up a Member's amendment: it moves this round's text.
    AmendmentTakenUp {
        /// Item.
        item: String,
        /// Round.
        round: u32,
        /// The proposer.
        member: MemberId,
    },
    /// The chair does not take up a Member's amendment.
    AmendmentNotTakenUp {
        /// Item.
        item: String,
        /// Round.
        round: u32,
        /// The proposer.
        member: MemberId,
    },
    /// The chair withholds its text: the levels stated by the Members
    /// present are too far apart (`[chair] issue_when_spread_below`).
    TextWithheld {
        /// Item.
        item: String,
        /// Round.
        round: u32,
        /// Highest less lowest stated level.
        spread: Level,
        /// The spread below which the chair issues a text.
        below: Level,
    },
    /// The chair withdraws an item that did not converge in `rounds` rounds
    /// in a row (`[chair] withdraw_after`), so that the rest can move.
    ItemWithdrawn {
        /// Item.
        item: String,
        /// Rounds in a row without convergence.
        rounds: u32,
        /// Objectors in the last round.
        objectors: Vec<MemberId>,
    },
    /// The delegations' capacity, when the scenario limits it
    /// (`crate::capacity`): who has no Geneva mission and keeps its
    /// capital's hours, and how many meetings a day each limited
    /// delegation can follow.
    CapacityListed {
        /// Delegations without a Geneva mission.
        non_resident: Vec<MemberId>,
        /// Meetings a day, per limited delegation.
        meetings_per_day: BTreeMap<MemberId, u32>,
        /// The least-developed countries among the delegations listed
        /// above (for the report).
        least_developed: Vec<MemberId>,
    },
    /// Delegations present at a meeting that miss a piece of its business,
    /// being over their capacity for the day: they are not asked and cannot
    /// object (Art. IX:1, fn. 1).
    MeetingMissed {
        /// The meeting.
        meeting: u32,
        /// The business: an item's or an initiative's id, `package`, or
        /// `green-room:ID`.
        business: String,
        /// Who misses it, in id order.
        members: Vec<MemberId>,
    },
    /// An item or initiative carries flexibilities for developing Members
    /// and LDCs (`crate::flexibility`).
    FlexibilitiesListed {
        /// Item or initiative.
        item: String,
        /// The flexibilities.
        flexibility: Flexibility,
        /// The delegations that benefit, in id order.
        beneficiaries: Vec<MemberId>,
    },
    /// A political shock begins (`[[shock]]`, `crate::shock`).
    ShockBegan {
        /// The shock, from 0 in the scenario's order.
        shock: u32,
        /// Its kind.
        kind: ShockKind,
        /// The Members it names, in id order (none for a pandemic).
        members: Vec<MemberId>,
        /// When it is to end.
        end: Timestamp,
        /// The share of its tolerance each Member named keeps, in 1/10,000
        /// (omitted for a pandemic).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        factor: Option<u16>,
        /// The in-person meetings a pandemic postponed to its end.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        postponed: Vec<Postponed>,
    },
    /// A political shock ends.
    ShockEnded {
        /// The shock, from 0 in the scenario's order.
        shock: u32,
        /// Its kind.
        kind: ShockKind,
    },
    /// A regional trade agreement in force at the start, as notified to
    /// the WTO (GATT 1994 Art. XXIV:7(a), GATS Art. V:7(a); `crate::rta`).
    /// Dates are `YYYY-MM-DD`.
    RtaNotified {
        /// Its name.
        rta: String,
        /// Its parties on the roll.
        parties: Vec<MemberId>,
        /// Entry into force (or provisional application).
        entry_into_force: String,
        /// `wto-plus` or `wto-extra`.
        depth: crate::rta::Depth,
        /// Its rules-of-origin regime (its own name if it has no label).
        rules_of_origin: String,
        /// Notified on (assumed: on entry into force).
        notified_on: String,
    },
    /// The transparency review of a notified RTA and its timetable (General
    /// Council decision of 14 December 2006, WT/L/671; periods as recalled,
    /// see `crate::rta`).
    RtaReviewScheduled {
        /// The RTA.
        rta: String,
        /// `crta` (GATT XXIV, GATS V) or `ctd` (Enabling Clause).
        committee: crate::rta::Committee,
        /// The parties' data due.
        data_due: String,
        /// The consideration normally concluded by.
        consideration_by: String,
    },
    /// An RTA in force that its parties did not notify: no review.
    RtaNotNotified {
        /// Its name.
        rta: String,
        /// Its parties on the roll.
        parties: Vec<MemberId>,
        /// Entry into force.
        entry_into_force: String,
    },
    /// A Member's spaghetti bowl and the outside option its RTAs give it
    /// (a modelling assumption, `crate::rta`).
    SpaghettiBowl {
        /// The Member.
        member: MemberId,
        /// The RTAs it is party to.
        agreements: Vec<String>,
        /// Distinct rules-of-origin regimes among them.
        rules_of_origin: u32,
        /// Its RTA partners' share of the other delegations' 2019 exports,
        /// in 0.01 % (a proxy for the share of its trade they cover).
        covered: u32,
        /// The factor on its tolerance and concession on multilateral
        /// items, in 0.01 %.
        factor: u32,
    },
    /// A chapter of an RTA docked into the WTO as an open plurilateral
    /// initiative, its parties as sponsors, its level the opening text.
    RtaDocked {
        /// The RTA.
        rta: String,
        /// The initiative it becomes.
        initiative: String,
        /// The convenors' opening text.
        opening_text: Level,
    },
    /// A proactive Director-General held confessionals on a stalled item
    /// (`[secretariat] mode = "proactive"`): who was heard in private.
    /// What each said is not recorded: it went to the Secretariat only.
    ConfessionalsHeld {
        /// Item.
        item: String,
        /// The round after which they were held.
        round: u32,
        /// The delegations heard, in id order.
        heard: Vec<MemberId>,
    },
    /// The Director-General's bridging proposal after the confessionals:
    /// the text the chair issues in the next round.
    BridgingProposed {
        /// Item.
        item: String,
        /// The round after which it was made.
        round: u32,
        /// The proposed text.
        text: Level,
    },
    /// A proactive Director-General linked two items, each stalled for
    /// `[secretariat] link_after` rounds, into a package
    /// (`secretariat::package_deal`): both are decided together, at the
    /// next session, on their latest texts.
    PackageLinked {
        /// The items, in agenda order.
        items: Vec<String>,
        /// Their texts, in the same order.
        texts: Vec<Level>,
        /// The rounds in a row each had gone without movement.
        stalled: Vec<u32>,
    },
    /// The decision on a package of linked items, under their rule: one
    /// objection to the package blocks both (a decision on each item
    /// follows).
    LinkedPackageDecided {
        /// The items, in agenda order.
        items: Vec<String>,
        /// Adopted or blocked, for both.
        outcome: Outcome,
        /// The Members that objected to the package, in id order.
        objectors: Vec<MemberId>,
    },
    /// A Member that would have objected downgraded its objection to a
    /// reservation under pressure (`pressure`, `[pressure] shadow`): it
    /// objected alone or with few others, and depends on the supporters.
    ObjectionWithdrawn {
        /// The decision call.
        call: u64,
        /// Item.
        item: String,
        /// The Member.
        member: MemberId,
        /// Its dependence on the supporters, in basis points (the export
        /// share proxy unless the scenario gives it).
        dependence: u16,
        /// The largest exporters among the supporters it depends on.
        depends_on: Vec<MemberId>,
    },
    /// A Member declared that it objects to `item` until `until` is adopted
    /// at `level` at least (`[[pressure.linkage]]`).
    LinkageDeclared {
        /// The Member.
        member: MemberId,
        /// The item it holds.
        item: String,
        /// The item it waits for.
        until: String,
        /// The level `until` must be adopted at.
        level: Level,
    },
    /// A coalition acts as a bloc (`[[coalition]] bloc = true`; rules in
    /// `secretariat/blocs.rs`): recorded at the opening.
    BlocFormed {
        /// The coalition's id.
        coalition: String,
        /// Its coordinator, whom the members follow.
        coordinator: MemberId,
        /// Its members in the negotiation, in id order.
        members: Vec<MemberId>,
        /// How far, in levels, a member's position may be from the
        /// coordinator's for it to follow.
        defection_limit: Level,
    },
    /// On a call on an item, a bloc's coordinator answered and other
    /// members of the bloc answered too: what the coordinator said, who
    /// changed their answer to follow it, and whether every member that
    /// answered now says the same (no defection).
    BlocSpoke {
        /// The call.
        call: u64,
        /// Item (or initiative).
        item: String,
        /// The coalition's id.
        coalition: String,
        /// Its coordinator.
        coordinator: MemberId,
        /// The coordinator's answer: `support`, `reserve` or `object` to a
        /// text, `objection` or `no-objection` at a decision, `yes`, `no`
        /// or `abstain` in a vote.
        answer: String,
        /// Members whose own answer differed and who followed, in id order.
        followed: Vec<MemberId>,
        /// Whether no member of the bloc defected on this call.
        as_one: bool,
    },
    /// A member of a bloc kept its own answer, different from the
    /// coordinator's: its position on the item is farther from the
    /// coordinator's than the defection limit, or one of the two stated
    /// none comparable (`distance` is then absent).
    BlocDefection {
        /// The call.
        call: u64,
        /// Item (or initiative).
        item: String,
        /// The coalition's id.
        coalition: String,
        /// Who left the bloc on this call.
        member: MemberId,
        /// Its answer.
        answer: String,
        /// The distance between its last stated position on the item and
        /// the coordinator's, in levels, when both stated a level (or the
        /// same stance: 0).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        distance: Option<Level>,
    },
    /// The linked item was adopted (or agreed) at the level: the Member
    /// lifts its hold on the item.
    LinkageSatisfied {
        /// The Member.
        member: MemberId,
        /// The item it held.
        item: String,
        /// The item it waited for.
        until: String,
        /// The text `until` was adopted at.
        text: Level,
    },
    /// After a Green Room, the chair opens a consultation of all Members
    /// on the room's text (`[greenroom] consultation`): every delegation
    /// is present.
    GreenRoomConsultationOpened {
        /// Item.
        item: String,
        /// When.
        interval: Interval,
        /// The room's text.
        text: Level,
    },
    /// After a Green Room, the chair consulted all Members on the room's
    /// text and weighed their objections (`[greenroom] consultation`).
    GreenRoomConsulted {
        /// Item.
        item: String,
        /// The room's text.
        text: Level,
        /// Members that objected to it.
        objectors: Vec<MemberId>,
        /// The text the chair brings to the next round.
        next_text: Level,
    },
}

impl Event {
    /// The event that records a call being issued.
    pub fn call_issued(call: &Call) -> Self {
        Event::CallIssued {
            call: call.call,
            subject: call.subject.clone(),
            kind: call.kind,
            round: call.round,
            version: call.version,
            text: call.text,
            rule: call.rule,
            awaited: call.awaited.clone(),
            package: call.package.clone(),
            reference: call.reference,
            flexibility: call.flexibility.clone().map(Box::new),
            pressures: call.pressures.clone(),
            shadow: call.shadow.clone().map(Box::new),
        }
    }

    /// The call a call-issued event records, if it is one.
    pub fn issued_call(&self) -> Option<Call> {
        self.issued_call_awaiting(|awaited| Some(awaited.to_vec()))
    }

    /// The call of a `call-issued` event that awaits `me`, as `me` needs
    /// it to answer: its `awaited` names `me` alone. `None` for any other
    /// event or a call that does not await `me`. A delegation's own feed
    /// carries this form, so what each delegation receives and holds per
    /// call does not grow with the membership.
    pub fn issued_call_for(&self, me: &MemberId) -> Option<Call> {
        self.issued_call_awaiting(|awaited| {
            awaited.binary_search(me).ok().map(|_| vec![me.clone()])
        })
    }

    /// The call of a `call-issued` event with the awaited list that
    /// `awaiting` makes of the event's (`None`: no call).
    fn issued_call_awaiting(
        &self,
        awaiting: impl FnOnce(&[MemberId]) -> Option<Vec<MemberId>>,
    ) -> Option<Call> {
        let Event::CallIssued {
            call,
            subject,
            kind,
            round,
            version,
            text,
            rule,
            awaited,
            package,
            reference,
            flexibility,
            pressures,
            shadow,
        } = self
        else {
            return None;
        };
        Some(Call {
            call: *call,
            subject: subject.clone(),
            kind: *kind,
            round: *round,
            version: *version,
            text: *text,
            rule: *rule,
            awaited: awaiting(awaited)?,
            package: package.clone(),
            reference: *reference,
            flexibility: flexibility.as_deref().cloned(),
            pressures: pressures.clone(),
            shadow: shadow.as_deref().cloned(),
        })
    }
}

/// An event with its place in the record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Sequence number, from 1, dense.
    pub seq: u64,
    /// Simulated instant.
    pub at: Timestamp,
    /// The event.
    pub event: Event,
}

/// The append-only record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Record {
    entries: Vec<Entry>,
}

impl Record {
    /// An empty record.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends an event; returns its sequence number.
    pub fn append(&mut self, at: Timestamp, event: Event) -> u64 {
        let seq = self.entries.len() as u64 + 1;
        self.entries.push(Entry { seq, at, event });
        seq
    }

    /// All entries.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Entries after sequence number `seq` (0: all).
    pub fn since(&self, seq: u64) -> &[Entry] {
        let from = usize::try_from(seq)
            .unwrap_or(usize::MAX)
            .min(self.entries.len());
        &self.entries[from..]
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The canonical encoding of one entry (module doc), without the newline.
    pub fn canonical_entry(entry: &Entry) -> Vec<u8> {
        // Serializing these types cannot fail: no maps with non-string keys,
        // no floats, no custom errors.
        serde_json::to_vec(entry).expect("a record entry always serializes to JSON")
    }

    /// The canonical encoding of the whole record.
    pub fn canonical(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for e in &self.entries {
            out.extend(Self::canonical_entry(e));
            out.push(b'\n');
        }
        out
    }

    /// The SHA-256 of the canonical encoding, in lowercase hex.
    pub fn sha256(&self) -> String {
        let mut h = Sha256::new();
        for e in &self.entries {
            h.update(Self::canonical_entry(e));
            h.update(b"\n");
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every entry of a record takes the size of the largest event, and a
    /// long negotiation holds hundreds of thousands of entries: the rare
    /// parts of a call (flexibilities, the shadow of pressure) are boxed so
    /// that options that are off cost nothing per entry. Before they were,
    /// an event took 240 bytes on a 64-bit target; now at most 152.
    #[cfg(target_pointer_width = "64")]
    #[test]
    fn an_event_stays_small() {
        assert!(
            std::mem::size_of::<Event>() <= 152,
            "an event takes {} bytes",
            std::mem::size_of::<Event>()
        );
    }

    #[test]
    fn sequence_numbers_are_dense_and_encoding_is_stable() {
        let t = Timestamp::parse("2026-03-02T08:00:00Z").expect("valid");
        let mut r = Record::new();
        assert_eq!(
            r.append(
                t,
                Event::NegotiationClosed {
                    adopted: 1,
                    not_adopted: 0
                }
            ),
            1
        );
        assert_eq!(
            r.append(
                t,
                Event::ItemLapsed {
                    item: "x".into(),
                    reason: "deadline".into()
                }
            ),
            2
        );
        assert_eq!(r.since(1).len(), 1);
        assert_eq!(r.since(5).len(), 0);
        let text = String::from_utf8(r.canonical()).expect("utf-8");
        assert_eq!(
            text.lines().next(),
            Some(
                r#"{"seq":1,"at":"2026-03-02T08:00:00Z","event":{"type":"negotiation-closed","adopted":1,"not_adopted":0}}"#
            )
        );
        assert_eq!(r.sha256().len(), 64);
        let back: Entry = serde_json::from_str(text.lines().nth(1).expect("line")).expect("parses");
        assert_eq!(&back, &r.entries()[1]);
    }
}
