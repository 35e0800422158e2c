//! The built-in dataset `wto`: the 166 Members of the WTO.
//!
//! The file `data/wto-members.csv` of this crate is compiled into the binary
//! (no file is read at run time). It has one row per Member: 165 States and
//! separate customs territories, and the European Union; the EU and its 27
//! member States are all rows. Its columns and their sources (Wikipedia's
//! list of members as of 2026-02-01, WTO Stats 2019 merchandise exports,
//! UN LDC and UNCTAD lists, IANA zones of capitals) are described in
//! `data/README.md`, which also lists what is uncertain: development status
//! is not a WTO category (Members self-declare), the export shares are of
//! 2019, and the EU row's share includes intra-EU trade (never add it to its
//! States' shares).

use std::str::FromStr;

use chrono_tz::Tz;

use crate::member::{Development, ExportShare, Member, MemberId, Membership};
use crate::sessions::OfficeHours;

/// The dataset's text.
pub const WTO_MEMBERS_CSV: &str = include_str!("../data/wto-members.csv");

/// An error in a dataset row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetError {
    /// 1-based line of the CSV file.
    pub line: usize,
    /// The column at fault.
    pub column: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for DatasetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "wto-members.csv:{}: column `{}`: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for DatasetError {}

/// Splits one CSV line into fields (RFC 4180 quoting, no embedded newlines).
pub(crate) fn split_csv(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// Parses a decimal percentage with up to 4 decimals into units of
/// 0.0001 %, exactly (no floating point).
pub fn parse_share(s: &str) -> Result<ExportShare, String> {
    let bad = || format!("`{s}` is not a percentage with at most 4 decimals");
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty()
        || frac.len() > 4
        || !(int.bytes().chain(frac.bytes())).all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let int: u32 = int.parse().map_err(|_| bad())?;
    let frac: u32 = format!("{frac:0<4}").parse().map_err(|_| bad())?;
    if int > 100 {
        return Err(format!("`{s}` is more than 100 percent"));
    }
    Ok(int * 10_000 + frac)
}

/// A membership date, `YYYY-MM-DD`: every row has one, so that a roll can
/// be taken as of a date (`[members] as_of`).
fn membership_date(s: &str) -> Result<String, String> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(|d| d.format("%Y-%m-%d").to_string())
        .map_err(|_| format!("`{s}` is not a date YYYY-MM-DD"))
}

/// Parses the dataset text into Members.
pub fn parse(text: &str) -> Result<Vec<Member>, DatasetError> {
    let mut lines = text.lines().enumerate();
    let header = lines.next().map(|(_, h)| split_csv(h)).unwrap_or_default();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| DatasetError {
                line: 1,
                column: name.to_owned(),
                message: "column missing from the header".into(),
            })
    };
    let c_id = col("iso3")?;
    let c_name = col("wto_name")?;
    let c_date = col("membership_date")?;
    let c_eu = col("eu_member_state")?;
    let c_region = col("region")?;
    let c_dev = col("development_status")?;
    let c_tz = col("iana_tz")?;
    let c_share = col("merch_exports_share_2019_pct")?;
    let mut members = Vec::new();
    for (n, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let line_no = n + 1;
        let f = split_csv(line);
        let err = |column: usize, message: String| DatasetError {
            line: line_no,
            column: header.get(column).cloned().unwrap_or_default(),
            message,
        };
        if f.len() != header.len() {
            return Err(err(
                0,
                format!("{} fields, the header has {}", f.len(), header.len()),
            ));
        }
        let id = MemberId::new(&f[c_id]).map_err(|e| err(c_id, e))?;
        let development = Development::parse(&f[c_dev])
            .ok_or_else(|| err(c_dev, format!("unknown status `{}`", f[c_dev])))?;
        let time_zone = Tz::from_str(&f[c_tz])
            .map_err(|_| err(c_tz, format!("unknown IANA zone `{}`", f[c_tz])))?;
        let membership_date = membership_date(&f[c_date]).map_err(|e| err(c_date, e))?;
        let export_share = if f[c_share].is_empty() {
            None
        } else {
            Some(parse_share(&f[c_share]).map_err(|e| err(c_share, e))?)
        };
        members.push(Member {
            id,
            name: f[c_name].clone(),
            membership_date: Some(membership_date),
            region: f[c_region].clone(),
            development,
            time_zone,
            office_hours: OfficeHours::standard(),
            export_share,
            eu_member_state: f[c_eu] == "true",
        });
    }
    Ok(members)
}

/// The 166 Members of the WTO as a roll.
pub fn wto() -> Result<Membership, DatasetError> {
    Ok(Membership::new(parse(WTO_MEMBERS_CSV)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::member::Development;

    /// The dataset has the 166 Members of 2024-08-30 (Timor-Leste the 166th),
    /// the EU and its 27 States among them, and 37 LDCs (data/README.md).
    #[test]
    fn dataset_has_the_whole_membership() {
        let members = parse(WTO_MEMBERS_CSV).expect("the shipped dataset parses");
        assert_eq!(members.len(), 166);
        assert_eq!(members.iter().filter(|m| m.eu_member_state).count(), 27);
        assert_eq!(
            members
                .iter()
                .filter(|m| m.development == Development::LeastDeveloped)
                .count(),
            37
        );
        let bhr = members
            .iter()
            .find(|m| m.id.as_str() == "BHR")
            .expect("Bahrain");
        assert_eq!(bhr.name, "Bahrain, Kingdom of");
        let tls = members
            .iter()
            .find(|m| m.id.as_str() == "TLS")
            .expect("Timor-Leste");
        assert_eq!(tls.membership_date.as_deref(), Some("2024-08-30"));
        let eu = members.iter().find(|m| m.id.as_str() == "EU").expect("EU");
        assert_eq!(eu.export_share, Some(307_159));
        let lie = members
            .iter()
            .find(|m| m.id.as_str() == "LIE")
            .expect("Liechtenstein");
        assert_eq!(lie.export_share, None);
    }

    #[test]
    fn shares_parse_exactly() {
        assert_eq!(parse_share("0.0051"), Ok(51));
        assert_eq!(parse_share("30.7"), Ok(307_000));
        assert_eq!(parse_share("13"), Ok(130_000));
        assert!(parse_share("1.23456").is_err());
        assert!(parse_share("-1").is_err());
        assert!(parse_share("101").is_err());
    }

    #[test]
    fn quoted_fields_keep_their_commas() {
        assert_eq!(split_csv(r#"a,"b, c",d"#), vec!["a", "b, c", "d"]);
        assert_eq!(split_csv(r#""say ""hi""",x"#), vec![r#"say "hi""#, "x"]);
    }

    #[test]
    fn bad_rows_name_line_and_column() {
        let text = "iso3,wto_name,membership_date,eu_member_state,region,development_status,iana_tz,merch_exports_share_2019_pct\n\
                    BRA,Brazil,1995-01-01,false,South America,developing,Mars/Olympus,1.1\n";
        let e = parse(text).unwrap_err();
        assert_eq!(e.line, 2);
        assert_eq!(e.column, "iana_tz");
        for date in ["", "1995-13-01", "1 Jan 1995"] {
            let row = text
                .replace("Mars/Olympus", "America/Sao_Paulo")
                .replace("1995-01-01", date);
            let e = parse(&row).unwrap_err();
            assert_eq!((e.line, e.column.as_str()), (2, "membership_date"), "{e}");
        }
    }
}
