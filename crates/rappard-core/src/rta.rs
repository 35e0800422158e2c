//! Regional trade agreements (RTAs): the force outside the room.
//!
//! Li Ke, "Stagnation and Breakthrough of WTO Multilateral Trade
//! Negotiations", *Journal of Hubei University of Economics* 21(5), 2023,
//! §1.2.2 ("区域贸易协定谈判进程加速", the acceleration of RTA
//! negotiations): by June 2023, 587 RTAs had been notified to the WTO and
//! 357 were in force, covering half of world trade; their number and
//! overlap make a "spaghetti bowl" of fragmented rules, and they lower
//! Members' willingness to take part in costly multilateral negotiations.
//! §2.2.3 (competition between regional cooperation and multilateral
//! negotiations) treats them as a force outside the WTO that draws
//! attention away from the round; §3.4 (the multilateral extension of
//! regional cooperation) proposes using their WTO-plus and WTO-extra rules
//! to move the multilateral agenda. The two counts are kept here as a
//! documented check ([`PAPER_NOTIFIED`], [`PAPER_IN_FORCE`]), not as data.
//!
//! What rappard models:
//! - **Notification and transparency review.** GATT 1994 Art. XXIV:7(a)
//!   and GATS Art. V:7(a) oblige the parties to notify an RTA; the General
//!   Council's decision of 14 December 2006 on a Transparency Mechanism
//!   for RTAs (WT/L/671) has the Members consider each notified RTA on a
//!   factual presentation by the Secretariat, in the Committee on Regional
//!   Trade Agreements (CRTA) for GATT Art. XXIV and GATS Art. V
//!   agreements, in the Committee on Trade and Development (CTD) for
//!   Enabling Clause agreements among developing countries. The timetable
//!   is recalled from the decision, whose text could not be read here:
//!   notification no later than directly after ratification and before
//!   preferential treatment is applied (rappard: on the date of entry into
//!   force, an assumption); the parties' data due ten weeks after
//!   notification, twenty when all parties are developing countries; the
//!   consideration normally concluded within one year of notification.
//!   Treat these three periods as assumptions until checked against
//!   WT/L/671. An RTA with `notified = false` gets no review.
//! - **The outside option** (a modelling assumption, named as one): a
//!   Member's share of its trade covered by its RTAs in force at the start
//!   is proxied by its partners' shares of 2019 world exports (the member
//!   dataset), over the shares of every other delegation on the roll: no
//!   bilateral trade table is shipped, so this is a proxy for the share of
//!   its own exports that goes to its RTA partners. A Member with an
//!   outside option concedes less and tolerates less on multilateral items:
//!   the tolerance and the concession of its ideal-point strategy are
//!   multiplied by `1 − w × covered`, `w` being `[rtas]
//!   outside_option_weight` (default 0.5). Fixed stances, open
//!   plurilateral initiatives and accessions are left as they are. Without
//!   an RTA every factor is 1 and nothing changes.
//! - **The spaghetti bowl**, per Member: the agreements it is party to and
//!   the distinct rules-of-origin regimes among them (an agreement without
//!   a regime label counts as its own regime: each has its own rules of
//!   origin).
//! - **Multilateralising an RTA** (`dock_as`): a chapter of an RTA is
//!   docked into the WTO as an open plurilateral initiative
//!   ([`crate::initiative`]) with the RTA's parties as sponsors and the
//!   RTA's level as the opening text, as the Joint Statement Initiative on
//!   Electronic Commerce (WT/MIN(17)/60, 13 December 2017) drew on the
//!   e-commerce chapters of RTAs and the Information Technology Agreement
//!   (Singapore, 13 December 1996) started from an APEC initiative.
//!
//! Caveats: an RTA counts from its (first) entry into force for every
//! party; the EU's share includes intra-EU trade; partners outside the
//! scenario's roll are not counted; the shipped dataset (`data/rtas.csv`)
//! is a small selection, with the sources and limits of each row.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use crate::member::{Development, MemberId, Membership};
use crate::protocol::{Level, MAX_LEVEL};
use crate::strategy::Strategy;

/// RTAs notified to the WTO by June 2023 (Li Ke 2023, §1.2.2).
pub const PAPER_NOTIFIED: u32 = 587;
/// RTAs in force by June 2023 (Li Ke 2023, §1.2.2).
pub const PAPER_IN_FORCE: u32 = 357;

/// The shipped dataset's text.
pub const RTAS_CSV: &str = include_str!("../data/rtas.csv");

/// Basis points in one (factors and covered shares are in 0.01 %).
pub const BASIS: u32 = 10_000;

/// Default `[rtas] outside_option_weight`, in basis points (0.5).
pub const DEFAULT_OUTSIDE_OPTION_WEIGHT: u32 = 5_000;

/// Weeks after notification for the parties' data (WT/L/671, as recalled).
pub const DATA_WEEKS: i64 = 10;
/// The same when all parties are developing countries.
pub const DATA_WEEKS_DEVELOPING: i64 = 20;
/// Days after notification by which the consideration is normally
/// concluded (WT/L/671: "within one year", as recalled).
pub const CONSIDERATION_DAYS: i64 = 365;

/// How deep an RTA goes beyond the WTO (the WTO-plus / WTO-extra
/// distinction Li Ke 2023, §3.4 uses).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Depth {
    /// Deeper commitments in areas the WTO covers.
    WtoPlus,
    /// Commitments in areas outside the WTO's agreements.
    WtoExtra,
}

impl Depth {
    /// Parses `wto-plus` or `wto-extra`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "wto-plus" => Some(Self::WtoPlus),
            "wto-extra" => Some(Self::WtoExtra),
            _ => None,
        }
    }

    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WtoPlus => "wto-plus",
            Self::WtoExtra => "wto-extra",
        }
    }

    /// The level an RTA of this depth stands for when docked, unless the
    /// scenario gives one: 0.6 and 0.8 of the scale (a modelling
    /// assumption).
    pub fn default_level(self) -> Level {
        match self {
            Self::WtoPlus => 6_000,
            Self::WtoExtra => 8_000,
        }
    }
}

/// The WTO body that considers a notified RTA.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Committee {
    /// Committee on Regional Trade Agreements (GATT XXIV, GATS V).
    Crta,
    /// Committee on Trade and Development (Enabling Clause).
    Ctd,
}

impl Committee {
    /// Its usual abbreviation.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Crta => "CRTA",
            Self::Ctd => "CTD",
        }
    }
}

/// One regional trade agreement of a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rta {
    /// Name.
    pub name: String,
    /// Parties on the roll, sorted.
    pub parties: Vec<MemberId>,
    /// Date of entry into force (or of provisional application).
    pub entry_into_force: NaiveDate,
    /// WTO-plus or WTO-extra.
    pub depth: Depth,
    /// Whether the parties notified it to the WTO.
    pub notified: bool,
    /// Its rules-of-origin regime, if it shares a labelled one.
    pub rules_of_origin: Option<String>,
    /// Notified under the Enabling Clause (else GATT XXIV / GATS V).
    pub enabling_clause: bool,
    /// Its level on the negotiated scale, the opening text if docked.
    pub level: Level,
    /// The id of the open plurilateral initiative it is docked as.
    pub dock_as: Option<String>,
}

impl Rta {
    /// Its rules-of-origin regime: the label, else its own name.
    pub fn regime(&self) -> &str {
        self.rules_of_origin.as_deref().unwrap_or(&self.name)
    }
}

/// The RTAs of a scenario and the weight of the outside option.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RtaSpec {
    /// RTAs in force at the start, shipped ones first then the file's.
    pub rtas: Vec<Rta>,
    /// `outside_option_weight`, in basis points.
    pub weight: u32,
}

impl Default for RtaSpec {
    fn default() -> Self {
        Self {
            rtas: Vec::new(),
            weight: DEFAULT_OUTSIDE_OPTION_WEIGHT,
        }
    }
}

/// The notification timetable of one RTA (WT/L/671, module doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timetable {
    /// Notified on (assumed: its entry into force).
    pub notified_on: NaiveDate,
    /// The body that considers it.
    pub committee: Committee,
    /// The parties' data due.
    pub data_due: NaiveDate,
    /// Consideration normally concluded by.
    pub consideration_by: NaiveDate,
}

/// One Member's spaghetti bowl and outside option.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exposure {
    /// The Member (a delegation).
    pub member: MemberId,
    /// The agreements it is party to, in the spec's order.
    pub agreements: Vec<String>,
    /// Distinct rules-of-origin regimes among them.
    pub regimes: u32,
    /// Its partners' share of the other delegations' exports, basis points.
    pub covered: u32,
    /// The factor on its tolerance and concession, basis points.
    pub factor: u32,
}

/// What a delegation applies: the factor, on the multilateral items.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutsideOption {
    /// Factor on tolerance and concession, basis points.
    pub factor: u32,
    /// The multilateral items it applies to.
    pub items: Vec<String>,
}

impl OutsideOption {
    /// Whether it applies to an item.
    pub fn applies_to(&self, item: &str) -> bool {
        self.items.iter().any(|i| i == item)
    }

    /// The strategy for a multilateral item with the outside option: the
    /// ideal-point strategy with its tolerance and concession scaled.
    pub fn strategy(
        &self,
        spec: Option<crate::scenario::PositionSpec>,
        seed: u64,
        item: &str,
        member: &str,
    ) -> Box<dyn Strategy> {
        use crate::scenario::PositionSpec;
        let (ideal, tolerance, concession) = match spec {
            Some(PositionSpec::Stance(_)) => {
                return crate::delegation::strategy_for(spec, seed, item, member);
            }
            Some(PositionSpec::IdealPoint {
                ideal,
                tolerance,
                concession,
                ..
            }) => (ideal, tolerance, concession),
            None => (None, None, None),
        };
        let mut s =
            crate::strategy::IdealPoint::drawn(seed, item, member, ideal, tolerance, concession);
        s.tolerance = scale(s.tolerance, self.factor);
        s.concession = scale(s.concession, self.factor);
        Box::new(s)
    }
}

/// `x × factor / BASIS`, rounded down.
fn scale(x: Level, factor: u32) -> Level {
    (u32::from(x) * factor / BASIS).min(u32::from(MAX_LEVEL)) as Level
}

/// A Member's agreements, their rules-of-origin regimes and its partners.
type Bowl<'a> = (Vec<String>, BTreeSet<&'a str>, BTreeSet<MemberId>);

impl RtaSpec {
    /// The timetable of an RTA (module doc); `None` if not notified.
    pub fn timetable(rta: &Rta, roll: &Membership) -> Option<Timetable> {
        if !rta.notified {
            return None;
        }
        let developing_only = rta.parties.iter().all(|p| {
            roll.get(p.as_str())
                .is_some_and(|m| m.development != Development::Developed)
        });
        let weeks = if developing_only {
            DATA_WEEKS_DEVELOPING
        } else {
            DATA_WEEKS
        };
        let on = rta.entry_into_force;
        Some(Timetable {
            notified_on: on,
            committee: if rta.enabling_clause {
                Committee::Ctd
            } else {
                Committee::Crta
            },
            data_due: on + chrono::Duration::weeks(weeks),
            consideration_by: on + chrono::Duration::days(CONSIDERATION_DAYS),
        })
    }

    /// Each delegation's exposure, in id order, for those party to an RTA.
    pub fn exposures(&self, roll: &Membership) -> Vec<Exposure> {
        let mut bowls: BTreeMap<MemberId, Bowl<'_>> = BTreeMap::new();
        for rta in &self.rtas {
            for p in &rta.parties {
                let e = bowls.entry(p.clone()).or_default();
                e.0.push(rta.name.clone());
                e.1.insert(rta.regime());
                e.2.extend(rta.parties.iter().filter(|q| *q != p).cloned());
            }
        }
        let share = |id: &MemberId| {
            u64::from(
                roll.get(id.as_str())
                    .and_then(|m| m.export_share)
                    .unwrap_or(0),
            )
        };
        let world: u64 = roll
            .delegations()
            .map(|m| u64::from(m.export_share.unwrap_or(0)))
            .sum();
        bowls
            .into_iter()
            .map(|(member, (agreements, regimes, partners))| {
                let others = world.saturating_sub(share(&member));
                let partners: u64 = partners.iter().map(share).sum();
                let covered = (partners * u64::from(BASIS))
                    .checked_div(others)
                    .unwrap_or(0)
                    .min(u64::from(BASIS)) as u32;
                let factor = BASIS - self.weight * covered / BASIS;
                Exposure {
                    member,
                    agreements,
                    regimes: regimes.len() as u32,
                    covered,
                    factor,
                }
            })
            .collect()
    }

    /// The outside option of one delegation on the multilateral `items`,
    /// if it has one that changes anything.
    pub fn outside_option(
        &self,
        roll: &Membership,
        member: &MemberId,
        items: &[String],
    ) -> Option<OutsideOption> {
        if self.rtas.is_empty() {
            return None;
        }
        let e = self
            .exposures(roll)
            .into_iter()
            .find(|e| &e.member == member)?;
        (e.factor < BASIS).then(|| OutsideOption {
            factor: e.factor,
            items: items.to_vec(),
        })
    }
}

/// One row of the shipped dataset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShippedRta {
    /// Name.
    pub name: String,
    /// Parties' ids.
    pub parties: Vec<String>,
    /// Entry into force.
    pub entry_into_force: NaiveDate,
    /// Depth.
    pub depth: Depth,
    /// Notified under the Enabling Clause.
    pub enabling_clause: bool,
    /// Rules-of-origin label, if any.
    pub rules_of_origin: Option<String>,
    /// Source.
    pub source: String,
    /// Note.
    pub note: String,
}

/// The shipped dataset (`data/rtas.csv`), parsed; a bad row is a bug of
/// the crate, reported with its line.
pub fn shipped() -> Result<Vec<ShippedRta>, String> {
    RTAS_CSV
        .lines()
        .enumerate()
        .skip(1)
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| shipped_row(l).map_err(|e| format!("rtas.csv:{}: {e}", i + 1)))
        .collect()
}

fn shipped_row(line: &str) -> Result<ShippedRta, String> {
    let f = crate::dataset::split_csv(line);
    if f.len() != 9 {
        return Err(format!("{} columns, expected 9", f.len()));
    }
    let entry_into_force = NaiveDate::parse_from_str(&f[2], "%Y-%m-%d")
        .map_err(|e| format!("entry_into_force `{}`: {e}", f[2]))?;
    let depth = Depth::parse(&f[3]).ok_or_else(|| format!("depth `{}`", f[3]))?;
    Ok(ShippedRta {
        name: f[0].clone(),
        parties: f[1].split_whitespace().map(str::to_owned).collect(),
        entry_into_force,
        depth,
        enabling_clause: f[4] == "enabling-clause",
        rules_of_origin: (!f[5].is_empty()).then(|| f[5].clone()),
        source: f[6].clone(),
        note: f[8].clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every shipped row parses, names a source and a note, and the
    /// selection stays a small part of the paper's counts (Li Ke 2023,
    /// §1.2.2: 587 notified, 357 in force by June 2023).
    #[test]
    fn the_shipped_dataset_parses_and_stays_within_the_papers_counts() {
        let rows = shipped().expect("the shipped dataset parses");
        assert!(rows.len() >= 9);
        assert!(rows.len() < PAPER_IN_FORCE as usize);
        const { assert!(PAPER_IN_FORCE < PAPER_NOTIFIED) };
        for r in &rows {
            assert!(!r.source.is_empty() && !r.note.is_empty(), "{}", r.name);
            assert!(r.parties.len() >= 2, "{}", r.name);
        }
        for name in [
            "CPTPP", "RCEP", "USMCA", "CETA", "AfCFTA", "Mercosur", "AFTA",
        ] {
            assert!(rows.iter().any(|r| r.name == name), "{name}");
        }
    }

    #[test]
    fn scaling_keeps_levels_whole() {
        assert_eq!(scale(1_000, BASIS), 1_000);
        assert_eq!(scale(1_000, 5_000), 500);
        assert_eq!(scale(999, 3_333), 332);
    }
}
