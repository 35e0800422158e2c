//! The report's account of Members' amendments to the chair's text and of
//! the texts the chair withheld (`crate::proposal`), folded from the
//! `Proposals` family of events: how many amendments were proposed and
//! taken up, overall, by the least-developed countries and by the large
//! traders (at least 1 % of world exports), whose comparison is the
//! measure of Li Ke 2023, §2.1.2 ("depends more on national strength").

use serde::Serialize;

use super::Report;
use crate::member::MemberId;
use crate::record::Event;

/// Uptake of the amendments of a group of delegations.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct UptakeReport {
    /// Amendments proposed.
    pub proposed: u32,
    /// Amendments the chair took up.
    pub taken_up: u32,
    /// Taken up over proposed, three decimals (`null` with none proposed).
    pub rate: Option<f64>,
}

impl UptakeReport {
    fn count(&mut self, taken_up: bool) {
        self.proposed += 1;
        self.taken_up += u32::from(taken_up);
        let rate = f64::from(self.taken_up) / f64::from(self.proposed);
        self.rate = Some((rate * 1_000.0).round() / 1_000.0);
    }
}

/// Members' amendments in the report (`[chair] amendments`).
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct AmendmentsReport {
    /// Every amendment.
    pub all: UptakeReport,
    /// Those of least-developed countries.
    pub least_developed: UptakeReport,
    /// Those of large traders (at least 1 % of world exports).
    pub large_traders: UptakeReport,
    /// Per delegation that proposed any, in id order.
    pub by_member: Vec<MemberUptake>,
}

/// One delegation's amendments.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct MemberUptake {
    /// The delegation.
    pub member: MemberId,
    /// Its uptake.
    #[serde(flatten)]
    pub uptake: UptakeReport,
}

/// An amendment proposed and not yet answered: its proposer, and whether
/// it is a least-developed country and a large trader.
pub(super) type Pending = Option<(MemberId, bool, bool)>;

/// Folds one event of the `Proposals` family into the report. An
/// amendment is counted when the chair's answer to it is recorded; the
/// proposal before it (`pending`) says which groups its proposer is in.
pub(super) fn fold(r: &mut Report, pending: &mut Pending, event: &Event) {
    match event {
        Event::AmendmentProposed {
            member,
            least_developed,
            large_trader,
            ..
        } => {
            *pending = Some((member.clone(), *least_developed, *large_trader));
        }
        Event::AmendmentTakenUp { item, member, .. } => answered(r, pending, item, member, true),
        Event::AmendmentNotTakenUp { item, member, .. } => {
            answered(r, pending, item, member, false);
        }
        // A round in which the chair withheld its text still counts.
        Event::TextWithheld { item, round, .. } => {
            if let Some(it) = r.items.iter_mut().find(|i| &i.id == item) {
                it.texts_withheld += 1;
                it.rounds = it.rounds.max(*round);
            }
        }
        _ => {}
    }
}

/// The chair's answer to the pending amendment.
fn answered(r: &mut Report, pending: &mut Pending, item: &str, member: &MemberId, taken_up: bool) {
    let Some((m, ldc, large)) = pending.take() else {
        return;
    };
    if &m != member {
        return;
    }
    if taken_up && let Some(it) = r.items.iter_mut().find(|i| i.id == item) {
        it.amendments_taken_up += 1;
    }
    let a = r.amendments.get_or_insert_with(AmendmentsReport::default);
    a.all.count(taken_up);
    if ldc {
        a.least_developed.count(taken_up);
    }
    if large {
        a.large_traders.count(taken_up);
    }
    let at = match a.by_member.binary_search_by(|x| x.member.cmp(member)) {
        Ok(i) => i,
        Err(i) => {
            a.by_member.insert(
                i,
                MemberUptake {
                    member: member.clone(),
                    uptake: UptakeReport::default(),
                },
            );
            i
        }
    };
    a.by_member[at].uptake.count(taken_up);
}
