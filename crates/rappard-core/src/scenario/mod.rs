//! Scenario files (TOML): what a negotiation is about, who takes part, and
//! what each delegation has been told.
//!
//! The format is documented for users in `docs/scenarios.md`. Parsing checks
//! everything it can before a run: unknown keys, unknown member ids, unknown
//! rules and stances, values out of range, a fixed meeting before the start.
//! Every error names the file, the line and column, and the field, and the
//! command line exits with code 2 on it; nothing is silently defaulted except
//! what the docs list as a default.
//!
//! A parsed [`Scenario`] splits into what is public, the [`Agenda`] the
//! Secretariat works from, and what is private, each delegation's
//! [`Instructions`], which only its own node holds.
//!
//! This module holds the types and [`parse`], which reads the file into its
//! raw form (`raw`) and hands each table to its own parser, in the order of
//! the checks (the file's size first, and every limit of `limits` on the
//! way): `[scenario]` (`header`), `[members]` and `[[member]]`
//! (`members`), `[[item]]` (`items`, with the keys that go with a named
//! rule in `named`), `[[initiative]]` (`initiatives`),
//! `[[accession]]` (`accessions`), `[greenroom]` (`green_room`), `[chair]`
//! (`chair`), `[secretariat]` (`secretariat`),
//! `[[coalition]]` (`coalitions`), `[capacity]` with the members' mission
//! keys (`capacity`) and the `sdt` keys of items and initiatives
//! (`flexibility`), `[[shock]]` (`shocks`), `[rtas]` and `[[rta]]`
//! (`rtas`). What several tables share lives once:
//! placing an error (`error`), the limits (`limits`), reading values
//! (`values`, dates and texts within the limits), resolving member
//! ids (`resolve`) and turning positions into instructions (`positions`).

mod accessions;
mod capacity;
mod chair;
mod coalitions;
mod error;
mod flexibility;
mod green_room;
mod header;
mod initiatives;
mod items;
pub mod limits;
mod members;
mod named;
mod positions;
mod pressure;
mod procedure;
mod raw;
mod resolve;
mod rtas;
mod secretariat;
mod shocks;
mod values;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashSet};

use crate::amendment::AcceptanceSpec;
use crate::coalition::Coalition;
use crate::greenroom;
use crate::member::{Member, MemberId, Membership};
use crate::protocol::{Level, Package, Stance};
use crate::rules::{NamedRule, Rule};
use crate::sessions::Venue;
use crate::time::{Interval, Timestamp};

pub use error::ScenarioError;
pub use pressure::{Linkage, PressureSpec};
pub use secretariat::{SecretariatMode, SecretariatSpec};

use error::Ctx;
use positions::Book;
use raw::RawFile;
use resolve::Resolver;

/// How a Member's instructions fix its position on an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PositionSpec {
    /// A fixed stance.
    Stance(Stance),
    /// The ideal-point strategy; what is `None` is drawn from the seed.
    IdealPoint {
        /// Ideal level.
        ideal: Option<Level>,
        /// Tolerance.
        tolerance: Option<Level>,
        /// Concession per round.
        concession: Option<Level>,
        /// The item's importance to the Member, 1 to 100, when it weighs a
        /// package of items (`crate::package_deal`); `None`: the default,
        /// [`crate::package_deal::DEFAULT_IMPORTANCE`].
        importance: Option<u16>,
    },
}

/// An agenda item, as the Secretariat knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemSpec {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Decision rule.
    pub rule: Rule,
    /// Voting fallback when consensus fails.
    pub fallback: Option<Rule>,
    /// A decision meeting fixed by the scenario.
    pub meeting: Option<Interval>,
    /// No new round starts at or after this instant.
    pub deadline: Timestamp,
    /// Co-chairs who must all sign a text (empty: a single chair).
    pub co_chairs: Vec<MemberId>,
    /// Length of a written procedure, in hours.
    pub written_procedure_hours: u32,
    /// The Members most concerned by the item (reserved Green Room seats).
    pub concerned: Vec<MemberId>,
    /// How many Members care about the item, 0 to `MAX_LEVEL` (default 0):
    /// Green Room seats grow with it (`[greenroom] growth`).
    pub salience: Level,
    /// International organisations that observe a reformed Green Room on
    /// the item, with no vote and no objection (default none).
    pub observers: Vec<String>,
    /// The named rule the scenario gave (`waiver`, `amendment`, …), if any;
    /// `rule` is then the plain rule it is decided by
    /// ([`crate::rules::named`]).
    pub named: Option<NamedRule>,
    /// The end of its consensus period (Art. IX:3(a), X:1), for a named
    /// rule that has one.
    pub consensus_until: Option<Timestamp>,
    /// For an amendment: how the Members accept it (Art. X:3).
    pub acceptance: Option<AcceptanceSpec>,
}

/// An open plurilateral initiative, as the Secretariat knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InitiativeSpec {
    /// Id (shares the items' id space).
    pub id: String,
    /// Topic or sector.
    pub topic: String,
    /// Co-sponsors of the joint statement.
    pub sponsors: Vec<MemberId>,
    /// Members the scenario has join at launch.
    pub participants: Vec<MemberId>,
    /// Critical mass, in 0.0001 % of world exports.
    pub threshold: u32,
    /// MFN (in force on conclusion) or not (Annex 4).
    pub mfn: bool,
    /// No new round starts at or after this instant.
    pub deadline: Timestamp,
    /// A fixed Ministerial meeting for the Annex 4 decision.
    pub meeting: Option<Interval>,
    /// The convenors' opening text: the level of the RTA it was docked
    /// from (`[[rta]] dock_as`); none for a plain initiative.
    pub opening_text: Option<Level>,
}

/// An accession, as the Secretariat knows it.
#[derive(Clone, Debug, PartialEq)]
pub struct AccessionSpec {
    /// The applicant, with what is public about it.
    pub applicant: Member,
    /// When it applies.
    pub applied: Timestamp,
    /// Working Party members.
    pub working_party: Vec<MemberId>,
    /// Memorandum, questions and answers, days.
    pub memorandum_days: u32,
    /// Days between bilateral rounds.
    pub bilateral_round_days: u32,
    /// Bilateral rounds at most.
    pub bilateral_rounds: u32,
    /// From the last deal to the WP report meeting, days.
    pub report_days: u32,
    /// A fixed General Council or Ministerial meeting for the decision.
    pub decision_meeting: Option<Interval>,
    /// From the decision to the deposit of the instrument, days.
    pub ratification_days: u32,
}

/// The Green Room practice of a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GreenRoomSpec {
    /// Whom the chair invites, and how openly.
    pub policy: greenroom::Policy,
    /// Seats, on an item of no salience.
    pub seats: u32,
    /// A text is "blocked by a few" when 1 to this many delegations object.
    pub few: u32,
    /// Whether the objectors have reserved seats (default no).
    pub objector_seats: bool,
    /// Seats added on an item of salience 1 (default 0).
    pub growth: u32,
    /// Industry structures the scenario assigns (default none).
    pub structure: BTreeMap<MemberId, greenroom::Structure>,
    /// The consultation of all Members after the room: the weight, 0 to
    /// `MAX_LEVEL`, by which the chair moves the room's text toward the
    /// objectors (`None`: no consultation, the default).
    pub consultation: Option<Level>,
}

/// Default for [`GreenRoomSpec::consultation`]'s weight when
/// `consultation = true` and no weight is given: halfway (0.5), a modelling
/// assumption.
pub const DEFAULT_CONSULTATION_WEIGHT: f64 = 0.5;

/// Default for [`GreenRoomSpec::few`].
pub const DEFAULT_GREEN_ROOM_FEW: u32 = 5;

/// What the Secretariat knows: the public part of a scenario.
#[derive(Clone, Debug)]
pub struct Agenda {
    /// Scenario name.
    pub name: String,
    /// Seed (public: it is printed in the minutes).
    pub seed: u64,
    /// Start of the negotiation.
    pub start: Timestamp,
    /// Venue.
    pub venue: Venue,
    /// Length of a day's session, in hours.
    pub session_hours: u32,
    /// The package rule.
    pub package: Package,
    /// Members.
    pub membership: Membership,
    /// Items, in the file's order.
    pub items: Vec<ItemSpec>,
    /// Green Rooms, if the chair convenes them.
    pub green_room: Option<GreenRoomSpec>,
    /// Coalitions (built in, then the scenario's).
    pub coalitions: Vec<Coalition>,
    /// Open plurilateral initiatives.
    pub initiatives: Vec<InitiativeSpec>,
    /// Accessions.
    pub accessions: Vec<AccessionSpec>,
    /// The rules of procedure (`[procedure]`).
    pub procedure: crate::procedure::Procedure,
    /// The chair's drafting, the co-chairs' signing, withdrawal (`[chair]`).
    pub chair: ChairSpec,
    /// The delegations' missions and meetings a day (`[capacity]`).
    pub capacity: crate::capacity::CapacitySpec,
    /// Flexibilities for developing Members and LDCs, by item or
    /// initiative id (`sdt`).
    pub flexibilities: BTreeMap<String, crate::flexibility::Flexibility>,
    /// Political shocks (`[[shock]]`; `crate::shock`), in the file's order.
    pub shocks: Vec<crate::shock::Shock>,
    /// Regional trade agreements and the outside option (`[rtas]`,
    /// `[[rta]]`; [`crate::rta`]).
    pub rtas: crate::rta::RtaSpec,
    /// Whether the Director-General steps in on a stall (`[secretariat]`).
    pub secretariat: SecretariatSpec,
    /// Pressure on objectors and issue linkage (`[pressure]`).
    pub pressure: pressure::PressureSpec,
}

/// The chair's office (`[chair]`; sources in [`crate::drafting`] and the
/// Secretariat's items).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChairSpec {
    /// How the chair drafts, and its bias.
    pub chair: crate::drafting::Chair,
    /// How co-chairs decide whether to sign.
    pub co_chairs_sign: crate::drafting::CoChairSigning,
    /// Revisions of a draft a co-chair refused to sign, before the chair
    /// goes on with the last signed text.
    pub revisions: u32,
    /// Rounds in a row without convergence after which the chair withdraws
    /// an item; `None`: never.
    pub withdraw_after: Option<u32>,
    /// Members' amendments to the chair's text; `None`: none are proposed.
    pub amendments: Option<crate::proposal::Amendments>,
    /// The chair's discretion over when to issue a text; `None`: a text
    /// every round.
    pub timing: Option<crate::proposal::Timing>,
}

/// Default for [`ChairSpec::revisions`].
pub const DEFAULT_REVISIONS: u32 = 2;

impl Default for ChairSpec {
    fn default() -> Self {
        Self {
            chair: crate::drafting::Chair::default(),
            co_chairs_sign: crate::drafting::CoChairSigning::default(),
            revisions: DEFAULT_REVISIONS,
            withdraw_after: None,
            amendments: None,
            timing: None,
        }
    }
}

/// What one delegation has been told: its position per item (items not
/// listed are left to the ideal-point strategy drawn from the seed).
pub type Instructions = BTreeMap<String, PositionSpec>;

/// A whole scenario.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The public part.
    pub agenda: Agenda,
    /// Each delegation's private instructions, by member id.
    pub instructions: BTreeMap<MemberId, Instructions>,
}

impl Scenario {
    /// Replaces the seed (the `--seed` option).
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.agenda.seed = seed;
        self
    }

    /// The instructions of one delegation (empty if the scenario gives none).
    pub fn instructions_of(&self, id: &MemberId) -> Instructions {
        self.instructions.get(id).cloned().unwrap_or_default()
    }
}

/// Default length of a day's session.
pub const DEFAULT_SESSION_HOURS: u32 = 3;
/// Default days before an item without agreement lapses.
pub const DEFAULT_DEADLINE_DAYS: u32 = 30;
/// Default length of a written procedure.
pub const DEFAULT_WRITTEN_PROCEDURE_HOURS: u32 = 72;

/// Parses a scenario from its text; `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
    let cx = Ctx { file, text };
    if text.len() > limits::MAX_FILE_BYTES {
        return Err(cx.nowhere(
            "",
            format!(
                "{} bytes; a scenario file has at most {} (1 MiB)",
                text.len(),
                limits::MAX_FILE_BYTES
            ),
        ));
    }
    let raw: RawFile = toml::from_str(text).map_err(|e| cx.syntax(&e))?;
    let header = header::parse(&cx, &raw.scenario)?;
    let roll = members::parse(&cx, raw.members.as_ref(), &raw.member)?;
    let who = Resolver::new(&cx, &roll.membership, &raw.accession);
    let mut book = Book::default();
    let mut ids = HashSet::new();
    let start = header.start;
    let items = items::parse(&who, &raw.item, start, &mut ids, &mut book)?;
    let mut initiatives = initiatives::parse(&who, &raw.initiative, start, &mut ids, &mut book)?;
    let rtas = rtas::parse(
        &who,
        raw.rtas.as_ref(),
        &raw.rta,
        start,
        &mut ids,
        &mut initiatives,
    )?;
    let accessions = accessions::parse(&who, &roll, &raw.accession, start, &mut book)?;
    members::check_export_total(&cx, &roll.membership, &accessions, &raw)?;
    if items.is_empty() && initiatives.is_empty() && accessions.is_empty() {
        return Err(cx.nowhere(
            "item",
            "the scenario has nothing to negotiate: add an [[item]] or an [[initiative]]",
        ));
    }
    let green_room = green_room::parse(&who, raw.greenroom.as_ref())?;
    let procedure = procedure::parse(&cx, raw.procedure.as_ref())?;
    let chair = chair::parse(&cx, raw.chair.as_ref())?;
    let secretariat = secretariat::parse(&cx, raw.secretariat.as_ref())?;
    let pressure = pressure::parse(&who, raw.pressure.as_ref(), &items)?;
    let coalitions = coalitions::parse(&who, &raw.coalition, roll.with_dataset)?;
    let capacity = capacity::parse(&who, raw.capacity.as_ref(), &raw.member)?;
    let flexibilities = flexibility::parse(&cx, &raw.item, &raw.initiative)?;
    let shocks = shocks::parse(&who, &raw.shock, start, &items)?;
    Ok(Scenario {
        agenda: Agenda {
            name: header.name,
            seed: header.seed,
            start,
            venue: header.venue,
            session_hours: header.session_hours,
            package: header.package,
            membership: roll.membership,
            items,
            green_room,
            coalitions,
            initiatives,
            accessions,
            procedure,
            chair,
            capacity,
            flexibilities,
            shocks,
            rtas,
            secretariat,
            pressure,
        },
        instructions: book,
    })
}
