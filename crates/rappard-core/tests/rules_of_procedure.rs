//! The rules of procedure as the WTO applies them (module
//! `rappard_core::procedure`): consensus is sought before any vote, a
//! formal decision needs a quorum, and meetings fall on Geneva working
//! days. Each test names its source, and shows the default and the
//! scenario option that turns it off.

use rappard_core::record::{Event, Record};
use rappard_core::report::{ItemReport, Report};
use rappard_core::rules::{How, Outcome};
use rappard_core::{invariants, scenario, simulation};

fn run(text: &str) -> (Report, Record) {
    let sc = scenario::parse("rules.toml", text).unwrap_or_else(|e| panic!("{e}"));
    let record = simulation::run(&sc).expect("runs");
    let broken = invariants::check(&record);
    assert!(broken.is_empty(), "{broken:?}");
    (Report::from_record(&record), record)
}

fn item<'a>(r: &'a Report, id: &str) -> &'a ItemReport {
    r.items.iter().find(|i| i.id == id).expect("item in report")
}

/// Ten Members; BRA, CHN, IND and ZAF abstain, the others support.
const TEN: &str =
    "\"ARG\", \"AUS\", \"BRA\", \"CAN\", \"CHN\", \"IND\", \"JPN\", \"MEX\", \"USA\", \"ZAF\"";

fn ten_under(rule: &str, procedure: &str) -> String {
    format!(
        "[scenario]\nname = \"r\"\nseed = 5\nstart = \"2026-03-02T00:00:00Z\"\nvenue = \"geneva\"\n\
         {procedure}\n[members]\ndataset = \"wto\"\nonly = [{TEN}]\n\
         [[item]]\nid = \"x\"\nrule = \"{rule}\"\nmeeting = {{ start = \"2026-03-03T09:00:00Z\", hours = 2 }}\n\
         others = {{ stance = \"support\" }}\n[item.positions]\n\
         BRA = {{ stance = \"abstain\" }}\nCHN = {{ stance = \"abstain\" }}\n\
         IND = {{ stance = \"abstain\" }}\nZAF = {{ stance = \"abstain\" }}\n"
    )
}

/// Marrakesh Agreement Art. IX:1: a matter is decided by voting only
/// "where a decision cannot be arrived at by consensus". Under a
/// two-thirds rule, six Members support and four abstain: nobody objects,
/// so the item is adopted by consensus. Voted on at once, the six yes would
/// fall short of the seven that two-thirds of ten needs.
#[test]
fn consensus_is_sought_before_any_vote() {
    let (r, rec) = run(&ten_under("two-thirds-of-members", ""));
    let x = item(&r, "x");
    assert_eq!((x.outcome, x.how), (Outcome::Adopted, Some(How::Consensus)));
    assert!(
        !rec.entries()
            .iter()
            .any(|e| matches!(e.event, Event::VoteCast { .. })),
        "no vote is taken when no one objects"
    );

    // The counterfactual: a bare vote, as an explicit option.
    let bare = ten_under(
        "two-thirds-of-members",
        "[procedure]\nconsensus_first = false\n",
    );
    let (r, _) = run(&bare);
    let x = item(&r, "x");
    assert_eq!((x.outcome, x.how), (Outcome::Rejected, Some(How::Vote)));
}

/// An objection at the meeting sends a voting item to its vote (Art. IX:1),
/// and the objectors stay in the record beside the votes.
#[test]
fn an_objection_sends_a_voting_item_to_its_vote() {
    let text = ten_under("majority", "") + "USA = { stance = \"object\" }\n";
    let (r, _) = run(&text);
    let x = item(&r, "x");
    assert_eq!((x.outcome, x.how), (Outcome::Adopted, Some(How::Vote)));
}

/// The rules of procedure for meetings of the General Council and sessions
/// of the Ministerial Conference (WT/L/161) set a quorum, as far as we know
/// a simple majority of the Members: a majority decision at a virtual
/// meeting at 23:00 UTC, which few capitals can attend, is not taken there
/// (`no-quorum`) but at the next meeting, which has one.
#[test]
fn a_formal_decision_needs_a_quorum() {
    let members = "\"ARG\", \"AUS\", \"BRA\", \"CAN\", \"CHE\", \"CHN\", \"EGY\", \"FRA\", \"GBR\", \"IND\", \"JPN\", \"KEN\", \"MEX\", \"NZL\", \"USA\"";
    let text = format!(
        "[scenario]\nname = \"q\"\nseed = 5\nstart = \"2026-03-02T00:00:00Z\"\nvenue = \"virtual\"\n\
         [members]\ndataset = \"wto\"\nonly = [{members}]\n\
         [[item]]\nid = \"x\"\nrule = \"majority\"\n\
         meeting = {{ start = \"2026-03-04T23:00:00Z\", hours = 1 }}\n\
         others = {{ stance = \"support\" }}\n"
    );
    let (r, rec) = run(&text);
    let no_quorum: Vec<(u32, u32)> = rec
        .entries()
        .iter()
        .filter_map(|e| match &e.event {
            Event::NoQuorum {
                present, required, ..
            } => Some((*present, *required)),
            _ => None,
        })
        .collect();
    assert_eq!(no_quorum.first().map(|q| q.1), Some(8), "8 of 15 Members");
    assert!(
        no_quorum
            .iter()
            .all(|(present, required)| present < required)
    );
    let x = item(&r, "x");
    assert_eq!(x.outcome, Outcome::Adopted, "adopted at a later meeting");
    let decided = rec
        .entries()
        .iter()
        .find_map(|e| match &e.event {
            Event::DecisionTaken { present, .. } => Some(present.len()),
            _ => None,
        })
        .expect("a decision");
    assert!(decided >= 8, "the decision had a quorum: {decided} present");

    // Without a quorum rule the decision is taken at 23:00 UTC.
    let text = text.replace("[members]", "[procedure]\nquorum = \"none\"\n[members]");
    let (_, rec) = run(&text);
    assert!(
        !rec.entries()
            .iter()
            .any(|e| matches!(e.event, Event::NoQuorum { .. }))
    );
}

/// Formal meetings are held on Geneva working days: a negotiation that
/// starts on Friday 6 March 2026 meets again on Monday 9 March, not over
/// the weekend, and not on a closed date the scenario lists; with
/// `working_days = false` it meets on Saturday.
#[test]
fn sessions_fall_on_geneva_working_days() {
    let head = |procedure: &str| {
        format!(
            "[scenario]\nname = \"w\"\nseed = 5\nstart = \"2026-03-06T00:00:00Z\"\nvenue = \"geneva\"\n\
             {procedure}\n[members]\ndataset = \"wto\"\nonly = [\"BRA\", \"IND\", \"USA\"]\n\
             [[item]]\nid = \"x\"\nrule = \"consensus\"\ndeadline_days = 10\n\
             others = {{ stance = \"support\" }}\n[item.positions]\nIND = {{ stance = \"object\" }}\n"
        )
    };
    let days = |text: &str| -> Vec<String> {
        let (r, _) = run(text);
        r.sessions
            .iter()
            .map(|s| s.start.to_string()[..10].to_owned())
            .collect()
    };
    let default = days(&head(""));
    assert_eq!(&default[..3], ["2026-03-06", "2026-03-09", "2026-03-10"]);
    let closed = days(&head("[procedure]\nclosed = [\"2026-03-09\"]\n"));
    assert_eq!(&closed[..2], ["2026-03-06", "2026-03-10"]);
    let every_day = days(&head("[procedure]\nworking_days = false\n"));
    assert_eq!(&every_day[..2], ["2026-03-06", "2026-03-07"]);
}

/// A malformed `[procedure]` is refused with the field named.
#[test]
fn a_malformed_procedure_names_its_field() {
    for (procedure, field) in [
        ("quorum = \"most\"", "procedure.quorum"),
        ("quorum = 0", "procedure.quorum"),
        ("closed = [\"6 March\"]", "procedure.closed[0]"),
    ] {
        let text = ten_under("majority", &format!("[procedure]\n{procedure}\n"));
        let e = scenario::parse("rules.toml", &text).expect_err(procedure);
        assert_eq!(e.field, field, "{e}");
    }
}

/// Written procedure as the General Council practised it in 2020–21: the
/// deadline is 18:00 Geneva time on a working day (circulated on Tuesday 3
/// March 2026 for at least 72 hours: Friday 6 March, 17:00Z), objections are
/// taken until then, and an objection ends the procedure: the matter goes
/// back to the next formal meeting, where consensus among the Members
/// present decides it. (Venue `virtual`: the sessions suit Brasília and
/// Washington, and New Zealand, asleep, takes part only in writing.)
#[test]
fn an_objection_in_writing_returns_the_matter_to_a_meeting() {
    let text = "[scenario]\nname = \"wp\"\nseed = 5\nstart = \"2026-03-03T00:00:00Z\"\nvenue = \"virtual\"\n\
        [members]\ndataset = \"wto\"\nonly = [\"BRA\", \"NZL\", \"USA\"]\n\
        [[item]]\nid = \"x\"\nrule = \"written-procedure\"\n\
        others = { stance = \"support\" }\n[item.positions]\nNZL = { stance = \"object\" }\n";
    let (r, rec) = run(text);
    let opened = rec.entries().iter().find_map(|e| match &e.event {
        Event::WrittenProcedureOpened { deadline, .. } => Some((e.at, *deadline)),
        _ => None,
    });
    let (circulated, deadline) = opened.expect("circulated");
    assert!(deadline.unix() - circulated.unix() >= 72 * 3600);
    assert_eq!(
        deadline.datetime().format("%H:%M").to_string(),
        "17:00",
        "18:00 in Geneva (UTC+1 in March)"
    );
    let failed = rec
        .entries()
        .iter()
        .position(|e| matches!(e.event, Event::WrittenProcedureFailed { .. }))
        .expect("the written procedure fails on NZL's objection");
    assert_eq!(rec.entries()[failed].at, deadline);
    // The final outcome comes from the next formal meeting, by consensus of
    // the Members present there.
    let x = item(&r, "x");
    assert_eq!((x.outcome, x.how), (Outcome::Adopted, Some(How::Consensus)));
    assert!(x.meeting.expect("held").start >= deadline);
}

fn initiative(mfn: bool, extra: &str) -> String {
    format!(
        "[scenario]\nname = \"i\"\nseed = 5\nstart = \"2026-03-02T00:00:00Z\"\nvenue = \"geneva\"\n\
         [members]\ndataset = \"wto\"\nonly = [\"BRA\", \"CHL\", \"IND\", \"NZL\", \"USA\"]\n\
         [[initiative]]\nid = \"j\"\ntopic = \"t\"\nsponsors = [\"CHL\", \"NZL\"]\nmfn = {mfn}\n\
         deadline_days = 60\nothers = {{ stance = \"abstain\" }}\n\
         [initiative.positions]\nCHL = {{ stance = \"support\" }}\nNZL = {{ stance = \"support\" }}\n{extra}"
    )
}

fn statuses(rec: &Record) -> Vec<String> {
    rec.entries()
        .iter()
        .filter_map(|e| match &e.event {
            Event::InitiativeConcluded { status, .. } | Event::InitiativeStatus { status, .. } => {
                Some(status.as_str().to_owned())
            }
            _ => None,
        })
        .collect()
}

/// A non-MFN (Annex 4) agreement binds only its parties, so it needs no
/// critical mass (Marrakesh Agreement Art. II:3, X:9): two small sponsors
/// conclude it. The same pair, MFN, stays short of the default 90 %.
#[test]
fn critical_mass_is_for_mfn_initiatives() {
    let (_, rec) = run(&initiative(false, ""));
    assert_eq!(
        statuses(&rec).first().map(String::as_str),
        Some("concluded")
    );
    let (_, rec) = run(&initiative(true, ""));
    assert_eq!(statuses(&rec), ["not-concluded"]);
}

/// An MFN outcome enters into force once its schedule modifications are
/// certified: any Member may object within three months (Procedures for
/// Modification and Rectification of Schedules of Tariff Concessions,
/// 26 March 1980). Without an objection it is in force 90 days after its
/// conclusion; a Member that objects (here India, with the stance
/// `object`) blocks the certification.
#[test]
fn an_mfn_outcome_is_certified_after_an_objection_window() {
    let everyone = "BRA = { stance = \"support\" }\nIND = { stance = \"support\" }\nUSA = { stance = \"support\" }\n";
    let (_, rec) =
        run(&initiative(true, everyone).replace("mfn = true", "mfn = true\nthreshold = 1.0"));
    assert_eq!(statuses(&rec), ["concluded", "in-force"]);
    let at = |status: &str| {
        rec.entries()
            .iter()
            .find(|e| matches!(&e.event, Event::InitiativeConcluded { status: s, .. } | Event::InitiativeStatus { status: s, .. } if s.as_str() == status))
            .map(|e| e.at.unix())
            .expect("status")
    };
    assert_eq!(at("in-force") - at("concluded"), 90 * 86_400);

    let objector = everyone.replace(
        "IND = { stance = \"support\" }",
        "IND = { stance = \"object\" }",
    );
    let (_, rec) =
        run(&initiative(true, &objector).replace("mfn = true", "mfn = true\nthreshold = 1.0"));
    assert_eq!(statuses(&rec), ["concluded", "certification-blocked"]);
}
