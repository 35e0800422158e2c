//! Open plurilateral initiatives: Joint Statement Initiatives (JSIs) that
//! conclude at a critical mass.
//!
//! A JSI is launched by a joint statement of co-sponsors on a topic, is open
//! to any Member at any time, and is negotiated among its participants only,
//! on a convenors' text, by consensus among them (as the joint statements of
//! the Eleventh Ministerial Conference launched them, e.g. the Joint
//! Statement on Electronic Commerce, WT/MIN(17)/60, Buenos Aires, 13
//! December 2017, with participation "open to all WTO Members"; Li Ke,
//! "Stagnation and Breakthrough of WTO Multilateral Trade Negotiations",
//! *Journal of Hubei University of Economics* 21(5), 2023, §3.1, "Exploring
//! an open plurilateral path", sees them as a way out of the deadlock).
//! rappard concludes one when its text is agreed **and** its
//! participants' share of world exports reaches the critical mass: 90 % by
//! default, as for the Information Technology Agreement (Ministerial
//! Declaration on Trade in Information Technology Products, Singapore 1996:
//! entry into force once participants reached about 90 % of world trade in
//! the products), set per initiative. Li Ke (2023, §3.1) gives 80–90 % of
//! the world market in the sector as the usual critical mass.
//!
//! Two kinds:
//! - MFN (`mfn = true`, like the ITA or services domestic regulation): the
//!   commitments go into the participants' schedules and benefit every
//!   Member. The schedule modifications are then certified under the
//!   Procedures for Modification and Rectification of Schedules of Tariff
//!   Concessions (GATT Council decision of 26 March 1980, BISD 27S/25;
//!   commonly cited as L/4962, a symbol not checked here): they are
//!   circulated, any Member may object within three months, and without an
//!   objection they are certified, as the ITA's participants' schedules
//!   were. rappard circulates them on conclusion (status `concluded`), asks
//!   every Member in writing at the end of the window (90 days by default,
//!   `certification_days`) whether it objects, and the outcome is
//!   `in-force` or `certification-blocked`. Modelling assumption: an
//!   objection blocks certification for the rest of the run (in practice it
//!   is negotiated away, which is not modelled). A critical mass is for MFN
//!   initiatives: the free ride it limits exists only when all Members
//!   benefit.
//! - Non-MFN (`mfn = false`, an Annex 4 agreement like Investment
//!   Facilitation for Development): it binds participants only, needs no
//!   critical mass (its `threshold` defaults to 0), and adding
//!   it to Annex 4 needs a Ministerial Conference decision "exclusively by
//!   consensus" (Marrakesh Agreement Art. X:9). At MC13 (Abu Dhabi, 2024)
//!   the IFD agreement, concluded by over 120 participants, was blocked from
//!   Annex 4 by India and South Africa (with Türkiye objecting at first):
//!   status `annex4-blocked`, else `annex4-incorporated`.
//!
//! A Member that joins after conclusion accedes to the agreement. An
//! applicant for WTO membership cannot join until it is a Member.
//!
//! Caveats: the dataset has total merchandise exports (2019), not exports of
//! each sector, so a critical mass is counted on total exports; the EU's
//! share includes intra-EU trade (see `data/README.md`); the EU is counted
//! once, by its own row, and its member States never join on their own while
//! the EU is in the negotiation.

use serde::{Deserialize, Serialize};

/// Where an initiative ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Still negotiating when the run ended.
    Negotiating,
    /// Not concluded by its deadline.
    NotConcluded,
    /// Concluded: waiting for the Annex 4 decision (non-MFN) or for the
    /// certification of the schedule modifications (MFN).
    Concluded,
    /// MFN: in force, its schedule modifications certified.
    InForce,
    /// MFN: a Member objected to certifying the schedule modifications.
    CertificationBlocked,
    /// Non-MFN: added to Annex 4.
    Annex4Incorporated,
    /// Non-MFN: the Annex 4 decision was blocked.
    Annex4Blocked,
}

impl Status {
    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Negotiating => "negotiating",
            Self::NotConcluded => "not-concluded",
            Self::Concluded => "concluded",
            Self::InForce => "in-force",
            Self::CertificationBlocked => "certification-blocked",
            Self::Annex4Incorporated => "annex4-incorporated",
            Self::Annex4Blocked => "annex4-blocked",
        }
    }
}

/// Default critical mass, percent of world exports.
pub const DEFAULT_THRESHOLD_PCT: f64 = 90.0;

/// Days between the circulation of an MFN outcome's schedule modifications
/// and their certification: the three months in which any Member may object
/// under the 1980 procedures (module doc).
pub const CERTIFICATION_DAYS: u32 = 90;
