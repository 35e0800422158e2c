//! Political shocks: forces from outside the negotiating room.
//!
//! Li Ke (2023), §2.2.1 ("主权国家间的政治危机阻滞谈判推进", political crises
//! between sovereign States hold the negotiations back), names three forces
//! that drained the multilateral round from outside the WTO: the trade war
//! between the United States and China from March 2018, the rise of
//! unilateralism and protectionism that made Members "attend to their own
//! interests", and the pandemic, which kept delegates from consulting face
//! to face and shortened the time they could negotiate across time zones.
//! A scenario names such a shock in `[[shock]]` (parsed in
//! `scenario::shocks`); it lasts from `start` to `end` (a UTC instant each,
//! the end excluded), and the record says when it began and ended
//! (`shock-began`, `shock-ended`).
//!
//! The kinds, and what each does while it lasts:
//! - `trade-war`, between two rivals: each keeps only `factor` of its
//!   tolerance (and of its concessions), and each objects to what the other
//!   supports: when its rival supported the subject's text in the latest
//!   round of reactions (a public fact of the record), it objects to the
//!   text (in its reaction, at the decision, in writing) and votes no.
//! - `populism` and `election`: each Member named keeps only `factor` of
//!   its first round's tolerance, and its concessions stop (its tolerance no
//!   longer widens from round to round). The two kinds act alike; the name
//!   says which pressure the scenario stands for.
//! - `pandemic`: the venue turns virtual (every delegation sits in its
//!   capital's zone, as in 2020–21; `crate::sessions`) from the start, and
//!   returns to the scenario's venue at the end; the fixed decision meetings
//!   of items that fall in it (or of the items listed in `in_person`) are
//!   in-person meetings, postponed to begin at the end of the shock, for as
//!   long as they were to last. MC12 was to meet in Nur-Sultan in June 2020,
//!   was postponed, and met in Geneva from 12 to 17 June 2022 (the General
//!   Council's decisions on the postponement are not cited here: their
//!   symbols are not verified).
//!
//! **Modelling assumptions**, not facts about any Member: the factor (a
//! Member keeps half its tolerance by default, [`DEFAULT_FACTOR`]); that a
//! rival's support is read from the latest round of reactions, so that a
//! trade war acts one round late; that a populist Member stands on its
//! first round's tolerance (past concessions are not kept while the shock
//! lasts); that the narrowing applies to delegations with an ideal point
//! (a fixed stance stays fixed, though a rival in a trade war still objects
//! to what the other supports); and, for a package, that only the trade
//! war's objection applies. An accession is not pressed: its bilateral
//! talks are decided between the nodes, before any call could carry a
//! pressure.
//!
//! The Secretariat tells the delegations asked, in each call, the pressure
//! each is under ([`Pressure`]): the shocks are public, as is the record
//! the rival's support is read from, so nothing private travels. With no
//! shock the call carries none and nothing changes.

use serde::{Deserialize, Serialize};

use crate::member::MemberId;
use crate::protocol::{Answer, CallKind, Reaction, Vote};
use crate::time::{Interval, Timestamp};

/// The share of its tolerance a Member keeps under a shock that narrows it,
/// in units of 1/10,000 (a modelling assumption: half).
pub const DEFAULT_FACTOR: u16 = 5_000;

/// Whole: a factor of 1.
pub const WHOLE: u16 = 10_000;

/// What kind of shock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ShockKind {
    /// A trade war between two rivals.
    TradeWar,
    /// A pandemic: the venue turns virtual, in-person meetings are postponed.
    Pandemic,
    /// A populist turn in a Member's politics.
    Populism,
    /// An election in a Member.
    Election,
}

impl ShockKind {
    /// The name used in scenario files and the record.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TradeWar => "trade-war",
            Self::Pandemic => "pandemic",
            Self::Populism => "populism",
            Self::Election => "election",
        }
    }

    /// Parses a kind's name.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::TradeWar,
            Self::Pandemic,
            Self::Populism,
            Self::Election,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    /// Whether it narrows the tolerance of the Members it names.
    pub fn narrows(self) -> bool {
        self != Self::Pandemic
    }
}

/// A shock, as the scenario gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shock {
    /// What kind.
    pub kind: ShockKind,
    /// When it begins.
    pub start: Timestamp,
    /// When it ends (not in it).
    pub end: Timestamp,
    /// The Members it names, in id order (the two rivals of a trade war;
    /// none for a pandemic).
    pub members: Vec<MemberId>,
    /// The share of its tolerance each Member named keeps, in 1/10,000.
    pub factor: u16,
    /// Pandemic: the items whose fixed meetings in it are in person (`None`:
    /// every item with a fixed meeting in it).
    pub in_person: Option<Vec<String>>,
}

impl Shock {
    /// Whether it lasts at `t`.
    pub fn lasts_at(&self, t: Timestamp) -> bool {
        self.start <= t && t < self.end
    }

    /// A pandemic's postponement of a fixed meeting of `item`, if it has
    /// one: it begins at the end of the shock and lasts as long.
    pub fn postpones(&self, item: &str, meeting: Interval) -> Option<Interval> {
        if self.kind != ShockKind::Pandemic || !self.lasts_at(meeting.start) {
            return None;
        }
        if let Some(items) = &self.in_person
            && !items.iter().any(|i| i == item)
        {
            return None;
        }
        Some(Interval {
            start: self.end,
            end: self.end.plus_secs(meeting.secs()),
        })
    }
}

/// A fixed meeting a pandemic postponed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Postponed {
    /// The item.
    pub item: String,
    /// The meeting as fixed.
    pub from: Interval,
    /// The meeting as postponed.
    pub to: Interval,
}

/// The pressure a delegation is under when a call is issued.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Pressure {
    /// The delegation.
    pub member: MemberId,
    /// The share of its tolerance it keeps, in 1/10,000.
    pub tolerance: u16,
    /// Whether its concessions have stopped.
    pub concession_stopped: bool,
    /// Trade war: its rival supported the subject's text in the latest
    /// round of reactions.
    pub rival_supported: bool,
}

/// The pressures on the delegations `awaited` under the shocks in effect
/// (`lasting`, indexes into `shocks`), in id order; `supported(m)` says
/// whether `m` supported the subject's text in the latest round of
/// reactions. Several shocks on one Member compound.
pub fn pressures(
    shocks: &[Shock],
    lasting: &[usize],
    awaited: &[MemberId],
    supported: impl Fn(&MemberId) -> bool,
) -> Vec<Pressure> {
    let mut out: Vec<Pressure> = Vec::new();
    for m in awaited {
        let mut p = Pressure {
            member: m.clone(),
            tolerance: WHOLE,
            concession_stopped: false,
            rival_supported: false,
        };
        let mut pressed = false;
        for s in lasting.iter().map(|&i| &shocks[i]) {
            if !s.kind.narrows() || !s.members.contains(m) {
                continue;
            }
            pressed = true;
            p.tolerance = (u32::from(p.tolerance) * u32::from(s.factor) / u32::from(WHOLE)) as u16;
            match s.kind {
                ShockKind::TradeWar => {
                    p.rival_supported |= s.members.iter().any(|r| r != m && supported(r));
                }
                _ => p.concession_stopped = true,
            }
        }
        if pressed {
            out.push(p);
        }
    }
    out
}

/// A trade war's answer: a delegation whose rival supported the text
/// objects to it, and votes no; every other answer stands.
pub fn overlay(p: &Pressure, kind: CallKind, answer: Answer) -> Answer {
    if !p.rival_supported {
        return answer;
    }
    match kind {
        CallKind::Reactions => Answer::Reaction(Reaction::Object),
        CallKind::Objections | CallKind::WrittenObjections | CallKind::PackageObjections => {
            Answer::Objection(true)
        }
        CallKind::Votes => Answer::Vote(Vote::No),
        _ => answer,
    }
}

/// A level scaled by a factor in 1/10,000.
pub fn scaled(level: u16, factor: u16) -> u16 {
    (u32::from(level) * u32::from(factor) / u32::from(WHOLE)) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> MemberId {
        MemberId::new(s).expect("id")
    }

    fn war() -> Shock {
        Shock {
            kind: ShockKind::TradeWar,
            start: Timestamp::parse("2018-03-22T00:00:00Z").expect("t"),
            end: Timestamp::parse("2020-01-15T00:00:00Z").expect("t"),
            members: vec![id("CHN"), id("USA")],
            factor: 5_000,
            in_person: None,
        }
    }

    /// Li Ke 2023, §2.2.1: each rival objects to what the other supports.
    #[test]
    fn a_rival_objects_to_what_the_other_supported() {
        let awaited = [id("BRA"), id("CHN"), id("USA")];
        let ps = pressures(&[war()], &[0], &awaited, |m| m.as_str() == "USA");
        assert_eq!(ps.len(), 2, "only the rivals are pressed");
        let chn = &ps[0];
        assert_eq!((chn.member.as_str(), chn.rival_supported), ("CHN", true));
        assert_eq!(chn.tolerance, 5_000);
        assert!(!ps[1].rival_supported, "CHN did not support");
        let a = overlay(chn, CallKind::Objections, Answer::Objection(false));
        assert_eq!(a, Answer::Objection(true));
        let a = overlay(&ps[1], CallKind::Objections, Answer::Objection(false));
        assert_eq!(a, Answer::Objection(false));
    }

    #[test]
    fn shocks_compound_and_end() {
        let mut pop = war();
        pop.kind = ShockKind::Populism;
        pop.members = vec![id("USA")];
        let ps = pressures(&[war(), pop], &[0, 1], &[id("USA")], |_| false);
        assert_eq!(ps[0].tolerance, 2_500);
        assert!(ps[0].concession_stopped);
        assert!(war().lasts_at(war().start));
        assert!(!war().lasts_at(war().end));
        assert!(pressures(&[war()], &[], &[id("USA")], |_| true).is_empty());
    }

    /// MC12 was to meet in June 2020 and met in June 2022: a pandemic
    /// postpones a fixed meeting in it to its end, for as long.
    #[test]
    fn a_pandemic_postpones_meetings_in_it() {
        let mut p = war();
        p.kind = ShockKind::Pandemic;
        p.members.clear();
        let t = |s| Timestamp::parse(s).expect("t");
        p.start = t("2020-03-16T00:00:00Z");
        p.end = t("2022-06-12T07:00:00Z");
        let mc12 = Interval {
            start: t("2020-06-08T07:00:00Z"),
            end: t("2020-06-08T15:00:00Z"),
        };
        let to = p.postpones("mc12", mc12).expect("postponed");
        assert_eq!((to.start, to.secs()), (p.end, mc12.secs()));
        p.in_person = Some(vec!["other".into()]);
        assert_eq!(p.postpones("mc12", mc12), None);
    }
}
