//! The Secretariat's side of open plurilateral initiatives (Joint Statement
//! Initiatives; rules and sources in `crate::initiative`).
//!
//! Each session day an initiative under negotiation has a round: present
//! Members that are not participants are asked whether they join; present
//! participants state positions; the convenors draft a text at their
//! median; present participants react. The initiative concludes when no
//! participant objects to the text *and* the participants' share of world
//! exports reaches the critical mass. An MFN initiative then enters into
//! force; a non-MFN one awaits a Ministerial decision, by consensus of all
//! Members present, to add it to Annex 4 (Art. X:9).

use super::schedule::InitiativeHappening;
use super::{ClosedCall, Continuation, Secretariat, Work, levels, objecting};
use crate::drafting::{DraftingPolicy, Median};
use crate::initiative::Status;
use crate::member::MemberId;
use crate::protocol::{Answer, Call, CallKind, Level, Subject};
use crate::record::Event;
use crate::rules::{Outcome, Rule};
use crate::time::{Interval, Timestamp};

/// Where an initiative stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum InitiativePhase {
    Negotiating,
    /// Concluded, non-MFN: waiting for the Annex 4 decision.
    AwaitingAnnex4,
    /// Concluded, MFN: its schedule modifications await certification.
    AwaitingCertification,
    /// In force or incorporated: open to accession in later sessions.
    Open,
    Done,
}

#[derive(Clone, Debug)]
pub(super) struct InitiativeState {
    pub(super) phase: InitiativePhase,
    pub(super) participants: Vec<MemberId>,
    pub(super) round: u32,
    pub(super) version: u32,
    pub(super) text: Option<Level>,
    /// The Annex 4 decision moves to the sessions (its fixed meeting had no
    /// quorum).
    pub(super) annex4_at_sessions: bool,
}

impl InitiativeState {
    pub(super) fn new(participants: Vec<MemberId>) -> Self {
        Self {
            phase: InitiativePhase::Negotiating,
            participants,
            round: 0,
            version: 0,
            text: None,
            annex4_at_sessions: false,
        }
    }
}

/// What an initiative's open call is for.
#[derive(Clone, Copy, Debug)]
pub(super) enum InitiativeStep {
    /// Whether outsiders join.
    Join,
    /// Participants' positions; the convenors draft from them.
    Positions,
    /// Participants' reactions to the convenors' text.
    Reactions,
    /// Formal objections to adding the agreement to Annex 4.
    Annex4,
    /// Objections in writing to certifying the schedule modifications.
    Certification,
}

impl Secretariat {
    /// Launches each initiative of the agenda with its sponsors and first
    /// participants.
    pub(super) fn launch_initiatives(&mut self) {
        for spec in self.agenda.initiatives.clone().iter() {
            let mut participants: Vec<MemberId> = spec
                .sponsors
                .iter()
                .chain(&spec.participants)
                .cloned()
                .collect();
            participants.sort();
            participants.dedup();
            let share = self.initiative_share(&participants);
            self.emit(Event::InitiativeLaunched {
                initiative: spec.id.clone(),
                topic: spec.topic.clone(),
                sponsors: spec.sponsors.clone(),
                participants: participants.clone(),
                share,
                threshold: spec.threshold,
                mfn: spec.mfn,
            });
            let mut state = InitiativeState::new(participants);
            // A docked RTA's chapter is the convenors' opening text.
            state.text = spec.opening_text;
            self.initiatives.push(state);
        }
    }

    /// Goes on with an initiative after one of its calls closed.
    pub(super) fn continue_initiative(&mut self, i: usize, step: InitiativeStep, c: ClosedCall) {
        match step {
            InitiativeStep::Join => self.initiative_joined(i, c.call, c.answers, c.unanswered),
            InitiativeStep::Positions => {
                let stated = self.record_positions(c.call, c.answers);
                self.close_recorded(c.call, c.unanswered);
                self.initiative_text(i, &levels(&stated));
            }
            InitiativeStep::Reactions => {
                let objectors = objecting(&self.record_reactions(c.call, c.answers));
                self.close_recorded(c.call, c.unanswered);
                self.initiative_reacted(i, objectors);
            }
            InitiativeStep::Annex4 => {
                let objectors = self.record_objections(c.call, c.answers);
                self.close_recorded(c.call, c.unanswered);
                self.annex4_decided(i, objectors);
            }
            InitiativeStep::Certification => {
                let objectors = self.record_objections(c.call, c.answers);
                self.close_recorded(c.call, c.unanswered);
                self.certification_decided(i, objectors.is_empty());
            }
        }
    }

    /// Carries out an initiative's scheduled happening at `t`.
    pub(super) fn initiative_happening(
        &mut self,
        what: InitiativeHappening,
        i: usize,
        t: Timestamp,
        span: Interval,
    ) {
        match what {
            InitiativeHappening::Deadline => self.initiative_deadline(i, t),
            InitiativeHappening::Meeting => {
                if self.initiatives[i].phase != InitiativePhase::AwaitingAnnex4 {
                    return;
                }
                self.now = self.now.max(t);
                let item = self.agenda.initiatives[i].id.clone();
                self.convene(span, crate::record::MeetingKind::ItemMeeting { item });
                self.work.push_back(Work::Annex4(i));
            }
            InitiativeHappening::Certification => {
                if self.initiatives[i].phase != InitiativePhase::AwaitingCertification {
                    return;
                }
                self.now = self.now.max(t);
                let awaited = self.all_delegations.clone();
                let text = self.initiatives[i].text;
                let step = InitiativeStep::Certification;
                self.initiative_call(i, CallKind::CertificationObjections, text, awaited, step);
            }
        }
    }

    /// The schedule modifications of an MFN outcome are certified unless a
    /// Member objected within the window (1980 procedures): the agreement
    /// is then in force and open to accession, or blocked.
    fn certification_decided(&mut self, i: usize, certified: bool) {
        let (phase, status) = if certified {
            (InitiativePhase::Open, Status::InForce)
        } else {
            (InitiativePhase::Done, Status::CertificationBlocked)
        };
        self.initiatives[i].phase = phase;
        let initiative = self.agenda.initiatives[i].id.clone();
        self.emit(Event::InitiativeStatus { initiative, status });
    }

    /// The participants' share of world exports: each participant's own
    /// share (the EU's row covers its member States, which never join on
    /// their own while the EU is in the negotiation).
    pub(super) fn initiative_share(&self, participants: &[MemberId]) -> u32 {
        participants
            .iter()
            .filter_map(|p| self.agenda.membership.get(p.as_str()))
            .filter_map(|m| m.export_share)
            .sum()
    }

    fn initiative_call(
        &mut self,
        i: usize,
        kind: CallKind,
        text: Option<Level>,
        awaited: Vec<MemberId>,
        step: InitiativeStep,
    ) {
        let st = &self.initiatives[i];
        let call = Call {
            call: 0,
            subject: Subject::Item(self.agenda.initiatives[i].id.clone()),
            kind,
            round: st.round,
            version: st.version,
            text,
            rule: Rule::Consensus,
            awaited,
            package: None,
            reference: None,
            flexibility: None,
            pressures: Vec::new(),
            shadow: None,
        };
        let then = Continuation::Initiative {
            initiative: i,
            step,
        };
        self.issue_call(call, then);
    }

    /// A session's work on an initiative: a round while it is negotiated,
    /// a call for new participants once it is open to accession.
    pub(super) fn initiative_round(&mut self, i: usize) {
        let phase = self.initiatives[i].phase;
        if !matches!(phase, InitiativePhase::Negotiating | InitiativePhase::Open) {
            return;
        }
        if phase == InitiativePhase::Negotiating {
            self.initiatives[i].round += 1;
        }
        let outsiders: Vec<MemberId> = self
            .present_delegations()
            .into_iter()
            .filter(|m| !self.initiatives[i].participants.contains(m))
            .collect();
        if outsiders.is_empty() {
            if phase == InitiativePhase::Negotiating {
                self.initiative_positions(i);
            }
        } else {
            let text = self.initiatives[i].text;
            self.initiative_call(i, CallKind::Join, text, outsiders, InitiativeStep::Join);
        }
    }

    /// Joiners recorded, in id order, each with the share after it joined.
    fn initiative_joined(
        &mut self,
        i: usize,
        call: u64,
        answers: Vec<(MemberId, Answer)>,
        unanswered: Vec<MemberId>,
    ) {
        let open = self.initiatives[i].phase == InitiativePhase::Open;
        for (member, a) in answers {
            if a == Answer::Join(true) && !self.initiatives[i].participants.contains(&member) {
                let mut p = self.initiatives[i].participants.clone();
                p.push(member.clone());
                p.sort();
                let share = self.initiative_share(&p);
                self.initiatives[i].participants = p;
                self.emit(Event::InitiativeJoined {
                    call,
                    initiative: self.agenda.initiatives[i].id.clone(),
                    member,
                    share,
                    after_conclusion: open,
                });
            }
        }
        self.emit(Event::CallClosed { call, unanswered });
        if self.initiatives[i].phase == InitiativePhase::Negotiating {
            self.initiative_positions(i);
        }
    }

    fn present_participants(&self, i: usize) -> Vec<MemberId> {
        self.present_delegations()
            .into_iter()
            .filter(|m| self.initiatives[i].participants.contains(m))
            .collect()
    }

    fn initiative_positions(&mut self, i: usize) {
        let awaited = self.present_participants(i);
        let text = self.initiatives[i].text;
        self.initiative_call(
            i,
            CallKind::Positions,
            text,
            awaited,
            InitiativeStep::Positions,
        );
    }

    /// Positions heard: the convenors' text, put to the participants.
    fn initiative_text(&mut self, i: usize, levels: &[Level]) {
        let text = Median.draft(levels, self.initiatives[i].text);
        let st = &mut self.initiatives[i];
        st.version += 1;
        st.text = Some(text);
        let version = st.version;
        self.emit(Event::DraftIssued {
            item: self.agenda.initiatives[i].id.clone(),
            version,
            text,
        });
        let awaited = self.present_participants(i);
        self.initiative_call(
            i,
            CallKind::Reactions,
            Some(text),
            awaited,
            InitiativeStep::Reactions,
        );
    }

    /// Reactions heard: concluded if the text is agreed and the critical
    /// mass is reached.
    fn initiative_reacted(&mut self, i: usize, objectors: Vec<MemberId>) {
        let id = self.agenda.initiatives[i].id.clone();
        let round = self.initiatives[i].round;
        let agreed = objectors.is_empty();
        self.emit(Event::RoundConcluded {
            item: id.clone(),
            round,
            objectors,
        });
        let share = self.initiative_share(&self.initiatives[i].participants);
        let spec = &self.agenda.initiatives[i];
        if !agreed || share < spec.threshold {
            return;
        }
        let mfn = spec.mfn;
        let participants = self.initiatives[i].participants.clone();
        let version = self.initiatives[i].version;
        self.initiatives[i].phase = if mfn {
            InitiativePhase::AwaitingCertification
        } else {
            InitiativePhase::AwaitingAnnex4
        };
        self.emit(Event::InitiativeConcluded {
            initiative: id,
            version,
            participants,
            share,
            status: Status::Concluded,
        });
        if mfn {
            let days = i64::from(crate::initiative::CERTIFICATION_DAYS);
            let at = self.now.plus_secs(days * 86_400);
            let what = InitiativeHappening::Certification;
            let h = super::schedule::Happening::Initiative {
                what,
                initiative: i,
            };
            self.schedule.insert((at, h), super::schedule::point(at));
        }
    }

    /// The Ministerial decision to add a concluded non-MFN agreement to
    /// Annex 4: exclusively by consensus of the Members present (Art. X:9).
    pub(super) fn annex4_decision(&mut self, i: usize) {
        if self.initiatives[i].phase != InitiativePhase::AwaitingAnnex4 {
            return;
        }
        if !self.quorum_for(self.agenda.initiatives[i].id.clone()) {
            // Without a quorum the decision moves to the next session.
            self.initiatives[i].annex4_at_sessions = true;
            return;
        }
        let awaited = self.present_delegations();
        let text = self.initiatives[i].text;
        self.initiative_call(
            i,
            CallKind::Annex4Objections,
            text,
            awaited,
            InitiativeStep::Annex4,
        );
    }

    fn annex4_decided(&mut self, i: usize, objectors: Vec<MemberId>) {
        let d = self.apply_rule(Rule::Consensus, objectors, None);
        let outcome = d.outcome;
        let id = self.agenda.initiatives[i].id.clone();
        self.record_decision(id.clone(), self.initiatives[i].version, d, None);
        let status = if outcome == Outcome::Adopted {
            self.initiatives[i].phase = InitiativePhase::Open;
            Status::Annex4Incorporated
        } else {
            self.initiatives[i].phase = InitiativePhase::Done;
            Status::Annex4Blocked
        };
        self.emit(Event::InitiativeStatus {
            initiative: id,
            status,
        });
    }

    /// The initiative's deadline: still negotiating, it is not concluded;
    /// open to accession, it closes to new participants in rappard's run.
    fn initiative_deadline(&mut self, i: usize, t: Timestamp) {
        match self.initiatives[i].phase {
            InitiativePhase::Negotiating => {
                self.now = self.now.max(t);
                self.initiatives[i].phase = InitiativePhase::Done;
                let id = self.agenda.initiatives[i].id.clone();
                self.emit(Event::InitiativeStatus {
                    initiative: id,
                    status: Status::NotConcluded,
                });
            }
            InitiativePhase::Open => self.initiatives[i].phase = InitiativePhase::Done,
            _ => {}
        }
    }

    /// The session's work on initiatives.
    pub(super) fn initiative_work(&self) -> Vec<Work> {
        let mut out = Vec::new();
        for (i, st) in self.initiatives.iter().enumerate() {
            match st.phase {
                InitiativePhase::Negotiating | InitiativePhase::Open => {
                    out.push(Work::InitiativeRound(i))
                }
                InitiativePhase::AwaitingAnnex4 if self.annex4_at_session(i) => {
                    out.push(Work::Annex4(i))
                }
                _ => {}
            }
        }
        out
    }

    /// Whether an initiative's Annex 4 decision is taken at a session (no
    /// fixed meeting, or none with a quorum).
    fn annex4_at_session(&self, i: usize) -> bool {
        self.agenda.initiatives[i].meeting.is_none() || self.initiatives[i].annex4_at_sessions
    }

    /// Whether an initiative needs a session of its own.
    pub(super) fn initiatives_need_session(&self) -> bool {
        self.initiatives.iter().enumerate().any(|(i, st)| {
            st.phase == InitiativePhase::Negotiating
                || (st.phase == InitiativePhase::AwaitingAnnex4 && self.annex4_at_session(i))
        })
    }
}
