//! The limits of a scenario (`scenario::limits`), duplicates in lists of
//! member ids, and the index of the entry that errors name: each refused
//! with the line and the field, each bound itself accepted.

use super::{err, parse};
use crate::scenario::ScenarioError;
use crate::scenario::limits as lim;

/// Three Members of its own and one item; `extra` is appended.
fn base(extra: &str) -> String {
    let mut s = String::from(
        "[scenario]\nname = \"limits\"\nstart = \"2026-03-02T00:00:00Z\"\n\n\
         [[member]]\nid = \"AAA\"\ntime_zone = \"Europe/Paris\"\n\
         [[member]]\nid = \"BBB\"\ntime_zone = \"Europe/Paris\"\n\
         [[member]]\nid = \"CCC\"\ntime_zone = \"Europe/Paris\"\n\n\
         [[item]]\nid = \"a\"\nrule = \"consensus\"\n",
    );
    s.push_str(extra);
    s
}

/// The 1-based line of the first occurrence of `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    let at = text.find(needle).expect("needle in the text");
    text[..at].matches('\n').count() + 1
}

/// Refused, with this field, on the line of `needle`, saying `what`.
fn refused_at(text: &str, field: &str, needle: &str, what: &str) -> ScenarioError {
    let e = err(text);
    assert_eq!(e.field, field, "{e}");
    assert_eq!(e.line, line_of(text, needle), "{e}");
    assert!(e.message.contains(what), "{e}");
    e
}

#[test]
fn the_base_scenario_parses() {
    parse("x", &base("")).expect("valid");
}

#[test]
fn a_file_over_a_mebibyte_is_refused_before_it_is_read() {
    // A comment to pad: valid TOML, so only the size refuses it.
    let mut text = base("");
    text.push('#');
    text.push_str(&"x".repeat(lim::MAX_FILE_BYTES - text.len()));
    parse("x", &text).expect("exactly the limit is accepted");
    text.push('x');
    let e = err(&text);
    assert_eq!((e.line, e.field.as_str()), (0, ""), "{e}");
    assert!(e.message.contains("at most 1048576 (1 MiB)"), "{e}");
    assert!(e.to_string().starts_with("bad.toml: 1048577 bytes"), "{e}");
}

#[test]
fn free_texts_have_at_most_256_characters() {
    let long = "é".repeat(lim::MAX_TEXT_CHARS + 1);
    let ok = "é".repeat(lim::MAX_TEXT_CHARS);
    let cases = [
        ("name = \"limits\"", "name = \"{}\"", "scenario.name"),
        (
            "id = \"a\"\n",
            "id = \"a\"\ntitle = \"{}\"\n",
            "item[0].title",
        ),
        (
            "id = \"BBB\"\n",
            "id = \"BBB\"\nname = \"{}\"\n",
            "member[1].name",
        ),
        (
            "id = \"CCC\"\n",
            "id = \"CCC\"\nregion = \"{}\"\n",
            "member[2].region",
        ),
    ];
    for (from, to, field) in cases {
        let text = base("").replacen(from, &to.replace("{}", &long), 1);
        refused_at(
            &text,
            field,
            &long,
            "257 characters; a text has at most 256",
        );
        parse("x", &base("").replacen(from, &to.replace("{}", &ok), 1)).expect("256 chars");
    }
    let extra = format!(
        "[[initiative]]\nid = \"i\"\nsponsors = [\"AAA\"]\ntopic = \"{long}\"\n\
         [[accession]]\napplicant = \"NEW\"\ntime_zone = \"Asia/Tokyo\"\n"
    );
    refused_at(
        &base(&extra),
        "initiative[0].topic",
        &long,
        "257 characters",
    );
    let extra = format!(
        "[[accession]]\napplicant = \"NEW\"\ntime_zone = \"Asia/Tokyo\"\nname = \"{long}\"\n"
    );
    refused_at(&base(&extra), "accession[0].name", &long, "257 characters");
    let extra = format!("[[coalition]]\nid = \"c\"\nname = \"{long}\"\nmembers = [\"AAA\"]\n");
    refused_at(&base(&extra), "coalition[0].name", &long, "257 characters");
    let extra = format!(
        "[[coalition]]\nid = \"{}\"\nmembers = [\"AAA\"]\n",
        "c".repeat(65)
    );
    refused_at(&base(&extra), "coalition[0].id", "ccc", "1 to 64 bytes");
}

/// `n` entries of a table, each made by `entry(k)`.
fn entries(n: usize, entry: impl Fn(usize) -> String) -> String {
    (0..n).map(entry).collect()
}

#[test]
fn at_most_100_items() {
    let item = |k: usize| format!("[[item]]\nid = \"x{k}\"\nrule = \"consensus\"\n");
    parse("x", &base(&entries(lim::MAX_ITEMS - 1, item))).expect("100 items");
    let text = base(&entries(lim::MAX_ITEMS, item));
    refused_at(
        &text,
        "item[100].id",
        "\"x99\"",
        "101 items; a scenario has at most 100",
    );
}

#[test]
fn at_most_100_initiatives() {
    let one = |k: usize| format!("[[initiative]]\nid = \"i{k}\"\nsponsors = [\"AAA\"]\n");
    parse("x", &base(&entries(lim::MAX_INITIATIVES, one))).expect("100 initiatives");
    let text = base(&entries(lim::MAX_INITIATIVES + 1, one));
    refused_at(&text, "initiative[100].id", "\"i100\"", "101 initiatives");
}

#[test]
fn at_most_50_accessions() {
    let one =
        |k: usize| format!("[[accession]]\napplicant = \"N{k}\"\ntime_zone = \"Asia/Tokyo\"\n");
    parse("x", &base(&entries(lim::MAX_ACCESSIONS, one))).expect("50 accessions");
    let text = base(&entries(lim::MAX_ACCESSIONS + 1, one));
    refused_at(&text, "accession[50].applicant", "\"N50\"", "51 accessions");
}

#[test]
fn at_most_1000_members() {
    let one = |k: usize| format!("[[member]]\nid = \"M{k}\"\ntime_zone = \"Europe/Paris\"\n");
    // The base has three.
    parse("x", &base(&entries(lim::MAX_MEMBERS - 3, one))).expect("1000 Members");
    let text = base(&entries(lim::MAX_MEMBERS - 2, one));
    refused_at(&text, "member[1000].id", "\"M997\"", "at most 1000 Members");
    // Overriding a Member of the dataset adds none.
    let wto = "[scenario]\nname = \"x\"\nstart = \"2026-03-02T00:00:00Z\"\n[members]\n\
               dataset = \"wto\"\n[[member]]\nid = \"BRA\"\nregion = \"South America\"\n\
               [[item]]\nid = \"a\"\nrule = \"consensus\"\n";
    let extra = entries(lim::MAX_MEMBERS - 166, one);
    parse("x", &format!("{wto}{extra}")).expect("166 and 834 new: 1000");
}

#[test]
fn dates_lie_from_1947_to_2200() {
    let start = |at: &str| base("").replace("2026-03-02T00:00:00Z", at);
    parse("x", &start("1947-01-01T00:00:00Z")).expect("the first instant");
    parse("x", &start("2200-12-31T23:59:59Z")).expect("the last instant");
    for bad in [
        "1946-12-31T23:59:59Z",
        "2201-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
    ] {
        refused_at(
            &start(bad),
            "scenario.start",
            bad,
            "outside the dates a scenario may give",
        );
    }
    // An offset that takes the instant out of range in UTC.
    refused_at(
        &start("2200-12-31T23:00:00-02:00"),
        "scenario.start",
        "2200-12-31T23:00:00-02:00",
        "2201-01-01T01:00:00Z is outside",
    );
    let meeting = base("meeting = { start = \"2201-01-01T09:00:00Z\", hours = 3 }\n");
    refused_at(
        &meeting,
        "item[0].meeting.start",
        "\"2201",
        "1947-01-01 to 2200-12-31",
    );
    let applied = base(
        "[[accession]]\napplicant = \"NEW\"\ntime_zone = \"Asia/Tokyo\"\n\
         applied = \"3000-01-01T00:00:00Z\"\n",
    );
    refused_at(
        &applied,
        "accession[0].applied",
        "\"3000",
        "outside the dates",
    );
    let closed = base("[procedure]\nclosed = [\"2026-12-25\", \"2300-12-25\"]\n");
    refused_at(
        &closed,
        "procedure.closed[1]",
        "\"2300",
        "outside the dates",
    );
    let amendment = base("").replace("rule = \"consensus\"", "rule = \"amendment\"")
        + "[item.acceptance]\nAAA = \"2201-01-01\"\n";
    refused_at(
        &amendment,
        "item[0].acceptance.AAA",
        "\"2201",
        "outside the dates",
    );
    let wto = "[scenario]\nname = \"x\"\nstart = \"2026-03-02T00:00:00Z\"\n[members]\n\
               dataset = \"wto\"\nas_of = \"1900-01-01\"\n[[item]]\nid = \"a\"\nrule = \"consensus\"\n";
    refused_at(wto, "members.as_of", "\"1900", "outside the dates");
}

#[test]
fn at_most_100_bilateral_rounds() {
    let acc = |n: i64| {
        base(&format!(
            "[[accession]]\napplicant = \"NEW\"\ntime_zone = \"Asia/Tokyo\"\nbilateral_rounds = {n}\n"
        ))
    };
    parse("x", &acc(lim::MAX_BILATERAL_ROUNDS)).expect("100 rounds");
    refused_at(
        &acc(101),
        "accession[0].bilateral_rounds",
        "= 101",
        "101 is outside 1..=100",
    );
}

/// The longest run the limits allow: from the last date, an accession
/// with the longest timetable whose every bilateral round fails, and an
/// amendment whose acceptances take the longest the file allows. Every
/// instant of its record is one a delegation node reads back.
#[test]
fn the_longest_run_stays_within_the_wire() {
    let text = base(
        "others = { stance = \"support\" }\n\
         [[accession]]\napplicant = \"NEW\"\ntime_zone = \"Asia/Tokyo\"\n\
         applied = \"2200-12-31T23:59:59Z\"\nworking_party = [\"AAA\"]\n\
         memorandum_days = 3650\nbilateral_round_days = 3650\nbilateral_rounds = 100\n\
         report_days = 3650\nratification_days = 3650\n\
         [accession.positions]\nAAA = { stance = \"object\" }\n",
    )
    .replace("2026-03-02T00:00:00Z", "2200-12-01T00:00:00Z")
    .replace(
        "rule = \"consensus\"",
        "rule = \"amendment\"\nconsensus_days = 90\nacceptance_days = { developing = 7300 }",
    );
    let sc = parse("x", &text).expect("valid");
    let record = crate::simulation::run(&sc).expect("runs");
    assert!(crate::invariants::check(&record).is_empty());
    let last = record.entries().last().expect("entries").at;
    assert!(last.to_string().as_str() > "3200", "{last}");
    let bound = lim::LAST_INSTANT_UNIX + lim::LONGEST_RUN_DAYS * 86_400;
    for e in record.entries() {
        assert!(e.at.unix() <= bound, "{}", e.at);
        let back = crate::time::Timestamp::parse(&e.at.to_string()).expect("readable");
        assert_eq!(back, e.at);
    }
}

/// Every list of member ids refuses an id given twice, at the second, the
/// same way.
#[test]
fn no_list_names_a_member_twice() {
    let lists = [
        (
            "co_chairs = [\"AAA\", \"BBB\", \"AAA\"]\n",
            "item[0].co_chairs",
        ),
        ("concerned = [\"AAA\", \"AAA\"]\n", "item[0].concerned"),
        (
            "[[initiative]]\nid = \"i\"\nsponsors = [\"AAA\", \"AAA\"]\n",
            "initiative[0].sponsors",
        ),
        (
            "[[initiative]]\nid = \"i\"\nsponsors = [\"BBB\"]\nparticipants = [\"AAA\", \"AAA\"]\n",
            "initiative[0].participants",
        ),
        (
            "[[initiative]]\nid = \"i\"\nsponsors = [\"BBB\"]\nmfn = false\nobjectors = [\"AAA\", \"AAA\"]\n",
            "initiative[0].objectors",
        ),
        (
            "[[accession]]\napplicant = \"NEW\"\ntime_zone = \"Asia/Tokyo\"\nworking_party = [\"AAA\", \"AAA\"]\n",
            "accession[0].working_party",
        ),
        (
            "[[coalition]]\nid = \"c\"\nmembers = [\"AAA\", \"AAA\"]\n",
            "coalition[0].members",
        ),
    ];
    for (extra, field) in lists {
        let text = base(extra);
        let e = refused_at(&text, field, "\"AAA\"]", "`AAA` is listed twice");
        // At the second `AAA`, the one before the `]`.
        let col = text
            .lines()
            .nth(e.line - 1)
            .expect("line")
            .rfind("\"AAA\"")
            .expect("id");
        assert_eq!(e.column, col + 1, "{e}");
    }
    let wto = |members: &str| {
        format!(
            "[scenario]\nname = \"x\"\nstart = \"2026-03-02T00:00:00Z\"\n[members]\n\
             dataset = \"wto\"\n{members}\n[[item]]\nid = \"a\"\nrule = \"consensus\"\n"
        )
    };
    let text = wto("only = [\"BRA\", \"IND\", \"BRA\"]");
    refused_at(&text, "members.only", "only", "`BRA` is listed twice");
    let text = wto("exclude = [\"BRA\", \"IND\", \"BRA\"]");
    refused_at(&text, "members.exclude", "exclude", "`BRA` is listed twice");
}

/// Syntax and type errors of an entry of an array of tables name the entry
/// by its index, as `docs/scenarios.md` says every error does.
#[test]
fn type_errors_name_the_entry() {
    let text = base("[[item]]\nid = \"b\"\nrule = 3\n");
    refused_at(&text, "item[1].rule", "rule = 3", "");
    let text = base("[[item]]\nid = \"b\"\nrule = \"consensus\"\n[item.positions]\nAAA = 7\n");
    refused_at(&text, "item[1].positions.AAA", "AAA = 7", "");
    let text = base("[[item]]\nid = \"b\"\nrul = \"consensus\"\n");
    let e = refused_at(&text, "item[1].rul", "rul =", "unknown field `rul`");
    assert!(e.to_string().contains("field `item[1].rul`"), "{e}");
    let text = base("[[member]]\nid = \"DDD\"\ntime_zone = 5\n");
    refused_at(&text, "member[3].time_zone", "time_zone = 5", "");
}
