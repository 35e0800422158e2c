//! Positions and the instructions built from them.
//!
//! Items, initiatives and accessions all take positions the same way: a
//! table from member id to position (`[item.positions]`), and `others`, a
//! position for every delegation that the table does not list. A position is
//! either a fixed stance or an ideal point, which may give the item's
//! `importance` to the Member in a package (`crate::package_deal`;
//! `docs/scenarios.md`). Each position becomes an entry of its
//! delegation's private [`Instructions`], under the subject it is about
//! (an item or initiative id, or an accession's subject).

use std::collections::BTreeMap;

use toml::Spanned;

use super::error::{Ctx, ScenarioError};
use super::raw::{RawPosition, RawPositions};
use super::{Instructions, PositionSpec};
use crate::member::{MemberId, Membership};
use crate::protocol::Stance;

/// Every delegation's instructions, as the tables are read.
pub(super) type Book = BTreeMap<MemberId, Instructions>;

impl Ctx<'_> {
    /// One position; `pfield` names it (`item[0].positions.USA`).
    pub fn position(
        &self,
        pos: &Spanned<RawPosition>,
        pfield: &str,
    ) -> Result<PositionSpec, ScenarioError> {
        let p = pos.get_ref();
        match (&p.stance, &p.ideal) {
            (Some(_), Some(i)) => Err(self.at(
                i.span(),
                pfield,
                "give either a stance or an ideal point, not both",
            )),
            (Some(st), None) => self.stance(p, st, pfield),
            (None, _) => self.ideal_point(pos, pfield),
        }
    }

    /// A fixed stance, with neither tolerance nor concession.
    fn stance(
        &self,
        p: &RawPosition,
        st: &Spanned<String>,
        pfield: &str,
    ) -> Result<PositionSpec, ScenarioError> {
        if let Some(x) = p.tolerance.as_ref().or(p.concession.as_ref()) {
            return Err(self.at(
                x.span(),
                pfield,
                "tolerance and concession go with an ideal, not with a stance",
            ));
        }
        if let Some(x) = &p.importance {
            return Err(self.at(
                x.span(),
                &format!("{pfield}.importance"),
                "importance goes with an ideal point, not with a stance",
            ));
        }
        let stance = Stance::parse(st.get_ref()).ok_or_else(|| {
            self.at(
                st.span(),
                &format!("{pfield}.stance"),
                format!(
                    "unknown stance `{}`; use object, support or abstain",
                    st.get_ref()
                ),
            )
        })?;
        Ok(PositionSpec::Stance(stance))
    }

    /// An ideal point; what it does not give is drawn from the seed.
    fn ideal_point(
        &self,
        pos: &Spanned<RawPosition>,
        pfield: &str,
    ) -> Result<PositionSpec, ScenarioError> {
        let p = pos.get_ref();
        if p.ideal.is_none()
            && p.tolerance.is_none()
            && p.concession.is_none()
            && p.importance.is_none()
        {
            return Err(self.at(
                pos.span(),
                pfield,
                "a position needs a stance or an ideal (with optional tolerance and concession)",
            ));
        }
        let level = |v: &Option<Spanned<f64>>, key: &str| {
            v.as_ref()
                .map(|v| self.level(v, &format!("{pfield}.{key}")))
                .transpose()
        };
        Ok(PositionSpec::IdealPoint {
            ideal: level(&p.ideal, "ideal")?,
            tolerance: level(&p.tolerance, "tolerance")?,
            concession: level(&p.concession, "concession")?,
            importance: p
                .importance
                .as_ref()
                .map(|v| {
                    let max = i64::from(crate::package_deal::MAX_IMPORTANCE);
                    self.positive(v, &format!("{pfield}.importance"), max)
                })
                .transpose()?
                .map(|w| w as u16),
        })
    }

    /// Enters the listed positions of a table (`table` as `item[0]`) under
    /// `subject`. `who` resolves each listed id, and may refuse it.
    pub fn listed_positions(
        &self,
        book: &mut Book,
        positions: &RawPositions,
        table: &str,
        subject: &str,
        mut who: impl FnMut(&Spanned<String>, &str) -> Result<MemberId, ScenarioError>,
    ) -> Result<(), ScenarioError> {
        for (id, pos) in positions {
            let pfield = format!("{table}.positions.{}", id.get_ref());
            let member = who(id, &pfield)?;
            let spec = self.position(pos, &pfield)?;
            book.entry(member)
                .or_default()
                .insert(subject.to_owned(), spec);
        }
        Ok(())
    }

    /// Gives the `others` position on `subject` to every delegation of the
    /// roll that has none yet.
    pub fn other_positions(
        &self,
        book: &mut Book,
        others: Option<&Spanned<RawPosition>>,
        table: &str,
        subject: &str,
        membership: &Membership,
    ) -> Result<(), ScenarioError> {
        let Some(others) = others else {
            return Ok(());
        };
        let spec = self.position(others, &format!("{table}.others"))?;
        for m in membership.delegations() {
            book.entry(m.id.clone())
                .or_default()
                .entry(subject.to_owned())
                .or_insert(spec);
        }
        Ok(())
    }
}
