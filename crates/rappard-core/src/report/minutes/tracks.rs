//! Green Rooms, plurilateral initiatives and accessions in the minutes.
//!
//! These run beside the items' own procedure: a Green Room is convened when
//! objections block an item; an initiative gathers participants towards
//! critical mass; an applicant negotiates its way to membership. Joins and
//! bilateral deals are also counted in the call they answer, so the call's
//! line can say how many there were.

use std::fmt::Write as _;

use super::Minutes;
use super::format::{hm, level, list, pct, short_list};
use crate::record::Event;
use crate::report::InclusivenessReport;
use crate::time::Timestamp;

impl Minutes {
    /// Green Rooms: announced, convened, concluded, reported.
    pub(super) fn green_rooms(&mut self, event: &Event) {
        let w = &mut self.out;
        match event {
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
                salience_seats,
                observers,
            } => {
                let inc = InclusivenessReport::of(inclusiveness);
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
                    inc.members_pct,
                    inc.ldcs_pct,
                    inc.regions_pct,
                );
                if !observers_admitted {
                    let _ = writeln!(w, "  participants: {}", list(participants));
                }
                if *salience_seats > 0 {
                    let _ = writeln!(
                        w,
                        "  [{item}] {salience_seats} seats added for the item's salience"
                    );
                }
                if !observers.is_empty() {
                    let _ = writeln!(
                        w,
                        "  [{item}] observing, with no vote and no objection: {}",
                        observers.join(", ")
                    );
                }
            }
            Event::GreenRoomConsultationOpened {
                item,
                interval,
                text,
            } => {
                let _ = writeln!(
                    w,
                    "Consultation of all Members on [{item}], {}-{} UTC, on the Green Room's text at level {}",
                    hm(interval.start),
                    hm(interval.end),
                    level(*text)
                );
            }
            Event::GreenRoomConsulted {
                item,
                text,
                objectors,
                next_text,
            } => {
                let _ = writeln!(
                    w,
                    "  [{item}] all Members consulted on the room's text at level {}: {}; the chair brings level {} to the next round",
                    level(*text),
                    if objectors.is_empty() {
                        "no objection".to_owned()
                    } else {
                        format!("objections from {}", list(objectors))
                    },
                    level(*next_text)
                );
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
            _ => {}
        }
    }

    /// Plurilateral initiatives: launched, joined, concluded, their status.
    pub(super) fn initiatives(&mut self, event: &Event) {
        match event {
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
                    self.out,
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
                self.count(*call, |t| t.joined += 1);
                let _ = writeln!(
                    self.out,
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
                    self.out,
                    "  [{initiative}] CONCLUDED on text v{version}: {} participants, {} of world exports; {}",
                    participants.len(),
                    pct(*share),
                    status.as_str()
                );
            }
            Event::InitiativeStatus { initiative, status } => {
                let _ = writeln!(self.out, "  [{initiative}] status: {}", status.as_str());
            }
            _ => {}
        }
    }

    /// Accessions: application, stages, offers and bilateral deals,
    /// membership.
    pub(super) fn accessions(&mut self, at: Timestamp, event: &Event) {
        match event {
            Event::AccessionApplied {
                applicant,
                name,
                working_party,
                ..
            } => {
                let _ = writeln!(
                    self.out,
                    "\n{at} {name} ({applicant}) applies to accede (Art. XII); the General Council establishes a Working Party of {} Members; the memorandum is circulated",
                    working_party.len()
                );
            }
            Event::AccessionStage { applicant, stage } => {
                let _ = writeln!(
                    self.out,
                    "{at} accession of {applicant}: {}",
                    stage.as_str()
                );
            }
            Event::OfferMade { call, offer, .. } => {
                self.answer(*call, format!("offer at level {}", level(*offer)));
            }
            Event::BilateralConcluded {
                call,
                applicant,
                member,
                offer,
            } => {
                self.count(*call, |t| t.deals += 1);
                let _ = writeln!(
                    self.out,
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
                self.total_members += 1;
                let _ = writeln!(
                    self.out,
                    "\n{member_since} {applicant} becomes a Member, the thirtieth day after depositing its instrument: {} Members, {total_votes} votes",
                    self.total_members
                );
            }
            _ => {}
        }
    }
}
