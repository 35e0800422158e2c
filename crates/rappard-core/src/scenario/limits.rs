//! What a scenario may hold: the size of the file, how many Members, items,
//! initiatives and accessions, how long a free text, which dates and how
//! long a timetable.
//!
//! The parser enforces every limit, so `rappard simulate` and the network
//! nodes accept exactly the same files, and a run that completes in process
//! can also be carried over the wire. The wire is what sets the limits:
//!
//! - Every instant of the record is written `YYYY-MM-DDTHH:MM:SSZ` (RFC
//!   3339, [`crate::time::Timestamp`]), with a four-digit year: an instant
//!   after 9999-12-31 could be recorded but not read back by a delegation
//!   node. A file gives dates from [`FIRST_DATE`] (the GATT was signed in
//!   1947) to [`LAST_DATE`]; the longest run the other limits allow goes on
//!   for at most [`LONGEST_RUN_DAYS`] after the last of them (an
//!   accession's whole timetable, then the latest acceptance of an
//!   amendment by the new Member), so every instant of every run falls
//!   before the year 3300, far inside what the wire carries.
//! - A delegation node decodes messages of up to 16 MiB; the scenario's
//!   name travels in `JoinReply`, and each record entry (the roll, the
//!   coalitions, an item's title) in one message. A file of at most
//!   [`MAX_FILE_BYTES`], free texts of at most [`MAX_TEXT_CHARS`] and at
//!   most [`MAX_MEMBERS`] Members keep the largest entry under a few
//!   megabytes.
//!
//! The counts are far above any real negotiation (the WTO has 166 Members;
//! the shipped scenarios have at most four items) and bound the work of a
//! run: every item and initiative has a round at every session for up to a
//! year. `docs/scenarios.md` ("Limits") lists them for users.

/// The largest scenario file, in bytes (1 MiB).
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

/// The longest free text (a name, a title, a topic, a region), in
/// characters.
pub const MAX_TEXT_CHARS: usize = 256;

/// The longest id of an item, an initiative or a coalition, in bytes.
pub const MAX_ID_BYTES: usize = 64;

/// The most Members on the roll (the dataset's and the `[[member]]`
/// entries' together).
pub const MAX_MEMBERS: usize = 1_000;

/// The most `[[item]]` entries.
pub const MAX_ITEMS: usize = 100;

/// The most `[[initiative]]` entries.
pub const MAX_INITIATIVES: usize = 100;

/// The most `[[accession]]` entries.
pub const MAX_ACCESSIONS: usize = 50;

/// The longest span of days a scenario may give (a deadline, a step of an
/// accession's timetable): ten years.
pub const MAX_DAYS: i64 = 3_650;

/// The most bilateral rounds of an accession.
pub const MAX_BILATERAL_ROUNDS: i64 = 100;

/// The longest delay of an acceptance the scenario may give or set as a
/// mean: twenty years.
pub const MAX_ACCEPTANCE_DAYS: i64 = 7_300;

/// The first date a scenario may give: 1 January 1947.
pub const FIRST_DATE: &str = "1947-01-01";

/// The last date a scenario may give: 31 December 2200.
pub const LAST_DATE: &str = "2200-12-31";

/// The first instant a scenario may give, 1947-01-01T00:00:00Z, in seconds
/// since 1970.
pub const FIRST_INSTANT_UNIX: i64 = -725_846_400;

/// The last instant a scenario may give, 2200-12-31T23:59:59Z, in seconds
/// since 1970.
pub const LAST_INSTANT_UNIX: i64 = 7_289_654_399;

/// The last instant the wire can carry, 9999-12-31T23:59:59Z, in seconds
/// since 1970.
pub const WIRE_LAST_INSTANT_UNIX: i64 = 253_402_300_799;

/// The most days a run can go on after the last date its file gives: an
/// accession applying on that date with the longest timetable (memorandum,
/// every bilateral round, report, ratification, each at most
/// [`MAX_DAYS`]; up to a year's search for a day with a meeting, twice;
/// the General Council 30 days after the report; membership 30 days after
/// the deposit), then the new Member's acceptance of an amendment, drawn up
/// to twice the longest mean delay; and a year to spare.
pub const LONGEST_RUN_DAYS: i64 =
    MAX_DAYS * (MAX_BILATERAL_ROUNDS + 3) + 2 * 366 + 30 + 31 + 2 * MAX_ACCEPTANCE_DAYS + 366;

// The longest run ends inside what the wire carries.
const _: () = assert!(LAST_INSTANT_UNIX + LONGEST_RUN_DAYS * 86_400 < WIRE_LAST_INSTANT_UNIX);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Timestamp;

    /// The bounds in seconds are the dates they name.
    #[test]
    fn the_bounds_are_the_dates_they_name() {
        let at = |secs| Timestamp::from_unix(secs).expect("in range").to_string();
        assert_eq!(at(FIRST_INSTANT_UNIX), format!("{FIRST_DATE}T00:00:00Z"));
        assert_eq!(at(LAST_INSTANT_UNIX), format!("{LAST_DATE}T23:59:59Z"));
        assert_eq!(at(WIRE_LAST_INSTANT_UNIX), "9999-12-31T23:59:59Z");
        let end = at(LAST_INSTANT_UNIX + LONGEST_RUN_DAYS * 86_400);
        assert!(end.as_str() < "3300", "{end}");
    }
}
