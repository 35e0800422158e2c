//! The deterministic in-process simulation: the Secretariat and every
//! delegation in one process, with answers passed by function call.
//!
//! It drives the same state machines the network nodes drive, in the same
//! way: take the open call, collect the awaited delegations' answers, close
//! the call. Because the Secretariat applies answers in member-id order, the
//! record is the same as over any transport.

use std::collections::BTreeMap;

use crate::delegation::Delegation;
use crate::error::Error;
use crate::member::MemberId;
use crate::protocol::AnswerError;
use crate::record::Record;
use crate::scenario::Scenario;
use crate::secretariat::Secretariat;

/// One delegation per delegation of the roll and per applicant for
/// accession, each with its own instructions and the outside option its
/// RTAs give it (public: computed from the agenda).
pub fn delegations(scenario: &Scenario) -> BTreeMap<MemberId, Delegation> {
    let agenda = &scenario.agenda;
    let applicants = agenda.accessions.iter().map(|a| &a.applicant);
    // The outside option acts on the multilateral items only (`crate::rta`).
    let items: Vec<String> = agenda.items.iter().map(|i| i.id.clone()).collect();
    scenario
        .agenda
        .membership
        .delegations()
        .chain(applicants)
        .map(|m| {
            let outside = agenda
                .rtas
                .outside_option(&agenda.membership, &m.id, &items);
            let d = Delegation::new(m.id.clone(), agenda.seed, scenario.instructions_of(&m.id))
                .with_outside_option(outside);
            (m.id.clone(), d)
        })
        .collect()
}

/// Runs the negotiation to its end and returns the record.
pub fn run(scenario: &Scenario) -> Result<Record, Error> {
    let mut secretariat = Secretariat::new(scenario.agenda.clone());
    let mut delegations = delegations(scenario);
    drive(&mut secretariat, &mut delegations)?;
    Ok(secretariat.into_record())
}

/// Drives a Secretariat with in-process delegations until it finishes.
pub fn drive(
    secretariat: &mut Secretariat,
    delegations: &mut BTreeMap<MemberId, Delegation>,
) -> Result<(), AnswerError> {
    while let Some(call) = secretariat.step() {
        let call = call.clone();
        for member in &call.awaited {
            if let Some(d) = delegations.get_mut(member)
                && let Some(answer) = d.answer(&call)
            {
                secretariat.answer(member, call.call, answer)?;
            }
        }
        secretariat.close_call();
    }
    Ok(())
}
