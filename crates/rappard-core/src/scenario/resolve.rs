//! Member ids named in the tables after `[members]`, resolved against the
//! roll.
//!
//! An id given a role (a co-chair, a sponsor, a Working Party member, a
//! coalition member, a position) must be a Member of the scenario, and one
//! that speaks for itself: an EU member State is represented by the EU in
//! negotiations (Marrakesh Agreement Art. IX:1; see [`crate::member`]), so
//! naming it is an error that says to name the EU. Applicants for accession
//! may in addition be given positions on items and initiatives: they take
//! part once they are Members. No list names a Member twice: the second
//! time is an error, in every list alike.

use std::collections::HashSet;

use toml::Spanned;

use super::error::{Ctx, ScenarioError};
use super::raw::RawAccession;
use crate::member::{MemberId, Membership};

/// Resolves member ids against the roll, placing errors in the file.
pub(super) struct Resolver<'a> {
    /// The file.
    pub cx: &'a Ctx<'a>,
    /// The roll.
    pub membership: &'a Membership,
    /// The applicants for accession, as written.
    applicants: HashSet<&'a str>,
}

impl<'a> Resolver<'a> {
    /// A resolver for the roll and the file's applicants.
    pub fn new(
        cx: &'a Ctx<'a>,
        membership: &'a Membership,
        accessions: &'a [RawAccession],
    ) -> Self {
        let applicants = accessions
            .iter()
            .map(|a| a.applicant.get_ref().as_str())
            .collect();
        Self {
            cx,
            membership,
            applicants,
        }
    }

    /// A Member that speaks for itself.
    pub fn member(&self, id: &Spanned<String>, field: &str) -> Result<MemberId, ScenarioError> {
        let m = self.membership.get(id.get_ref()).ok_or_else(|| {
            self.cx.at(
                id.span(),
                field,
                format!("unknown member id `{}`", id.get_ref()),
            )
        })?;
        if self.membership.is_represented(m.id.as_str()) {
            return Err(self.cx.at(
                id.span(),
                field,
                format!(
                    "`{}` is an EU member State, represented by the EU in negotiations: give the position to EU",
                    m.id
                ),
            ));
        }
        Ok(m.id.clone())
    }

    /// A Member that speaks for itself, or an applicant for accession.
    pub fn member_or_applicant(
        &self,
        id: &Spanned<String>,
        field: &str,
    ) -> Result<MemberId, ScenarioError> {
        let raw = id.get_ref().as_str();
        if self.applicants.contains(raw) && self.membership.get(raw).is_none() {
            return MemberId::new(raw).map_err(|e| self.cx.at(id.span(), field, e));
        }
        self.member(id, field)
    }

    /// Members, in the file's order; one listed twice is refused, as in
    /// every list of member ids.
    pub fn distinct(
        &self,
        ids: &[Spanned<String>],
        field: &str,
    ) -> Result<Vec<MemberId>, ScenarioError> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        for id in ids {
            let m = self.member(id, field)?;
            if !seen.insert(m.clone()) {
                return Err(super::members::listed_twice(self.cx, id, field));
            }
            out.push(m);
        }
        Ok(out)
    }

    /// Members, none listed twice, sorted by id.
    pub fn sorted(
        &self,
        ids: &[Spanned<String>],
        field: &str,
    ) -> Result<Vec<MemberId>, ScenarioError> {
        let mut out = self.distinct(ids, field)?;
        out.sort();
        Ok(out)
    }
}
