//! What the record and the minutes report, as the procedure has it: who
//! sits in a Working Party, when a new Member counts, how many rounds an
//! item had, and a warning where the EU would have no vote.

use rappard_core::accession::Stage;
use rappard_core::record::{Event, MeetingKind, Record};
use rappard_core::report::{Report, minutes};
use rappard_core::{scenario, simulation};

fn shipped(name: &str) -> Record {
    let path = format!(
        "{}/../../examples/scenarios/{name}.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("shipped scenario");
    simulation::run(&scenario::parse(&path, &text).expect("valid")).expect("runs")
}

fn run(text: &str) -> Record {
    let sc = scenario::parse("reporting.toml", text).unwrap_or_else(|e| panic!("{e}"));
    simulation::run(&sc).expect("runs")
}

/// A Working Party (WT/L/93; Marrakesh Agreement Art. XII) is made of its
/// members: its meeting records as present or absent only them.
#[test]
fn a_working_party_meeting_counts_only_its_members() {
    let rec = shipped("accessions-2024");
    let mut checked = 0;
    for e in rec.entries() {
        let Event::AccessionApplied {
            applicant,
            working_party,
            ..
        } = &e.event
        else {
            continue;
        };
        let key = format!("accession:{applicant}");
        let first_meeting = rec.entries().iter().find_map(|m| match &m.event {
            Event::MeetingConvened {
                kind: MeetingKind::ItemMeeting { item },
                present,
                absent,
                ..
            } if *item == key => Some((present.clone(), absent.clone())),
            _ => None,
        });
        let (present, absent) = first_meeting.expect("the Working Party meets");
        assert!(
            present
                .iter()
                .chain(&absent)
                .all(|m| working_party.contains(m)),
            "{applicant}: {present:?} {absent:?} outside {working_party:?}"
        );
        checked += 1;
    }
    assert_eq!(checked, 2);
}

/// An accession protocol enters into force on the thirtieth day following
/// the deposit of the instrument: Comoros deposited on 22 July 2024 and was
/// a Member from 21 August 2024; the new Member counts from the start of
/// that day.
#[test]
fn a_new_member_counts_from_the_start_of_the_thirtieth_day() {
    let rec = shipped("accessions-2024");
    let deposited = rec.entries().iter().find_map(|e| match &e.event {
        Event::AccessionStage {
            applicant,
            stage: Stage::Deposited,
        } if applicant.as_str() == "COM" => Some(e.at),
        _ => None,
    });
    let since = rec.entries().iter().find_map(|e| match &e.event {
        Event::AccessionCompleted {
            applicant,
            member_since,
            ..
        } if applicant.as_str() == "COM" => Some(*member_since),
        _ => None,
    });
    let (deposited, since) = (deposited.expect("deposit"), since.expect("membership"));
    assert_eq!(
        since.to_string(),
        "2024-08-21T00:00:00Z",
        "deposited {deposited}"
    );
    assert_eq!(since.unix() % 86_400, 0);
}

/// Every round counts in the JSON report, and a co-chair who refuses to
/// sign no longer withholds the text (Li Ke, "Stagnation and Breakthrough
/// of WTO Multilateral Trade Negotiations", *Journal of Hubei University
/// of Economics* 21(5), 2023, §3.2: co-chairs check the chair, they do not
/// veto): Kenya, signing as its capital would object, refuses each round;
/// the revisions run out and the chair issues the Members' median.
#[test]
fn rounds_with_a_refusing_co_chair_are_counted() {
    let rec = run(
        "[scenario]\nname = \"r\"\nseed = 5\nstart = \"2026-03-02T00:00:00Z\"\nvenue = \"geneva\"\n\
        [members]\ndataset = \"wto\"\nonly = [\"BRA\", \"IND\", \"USA\", \"KEN\"]\n\
        [chair]\nco_chairs_sign = \"national\"\n\
        [[item]]\nid = \"x\"\nrule = \"consensus\"\ndeadline_days = 3\nco_chairs = [\"BRA\", \"KEN\", \"USA\"]\n\
        others = { stance = \"support\" }\n[item.positions]\nKEN = { stance = \"object\" }\n",
    );
    let count = |f: fn(&Event) -> bool| rec.entries().iter().filter(|e| f(&e.event)).count() as u32;
    let exhausted = count(|e| matches!(e, Event::RevisionsExhausted { .. }));
    let concluded = count(|e| matches!(e, Event::RoundConcluded { .. }));
    let r = Report::from_record(&rec);
    assert_eq!(exhausted, 3, "one a day until the deadline");
    assert_eq!((r.items[0].rounds, concluded), (3, 3));
    assert_eq!(r.items[0].revisions, 6, "two revisions a round");
    assert_eq!(r.items[0].version, 3, "a text issued each round");
    assert_eq!(count(|e| matches!(e, Event::DraftWithheld { .. })), 0);
}

/// Art. IX:1 gives the EU as many votes as its member States that are
/// Members: a scenario with the EU and none of its States is warned about
/// in the minutes.
#[test]
fn the_minutes_warn_when_the_eu_has_no_member_states() {
    let text = |only: &str| {
        format!(
            "[scenario]\nname = \"eu\"\nseed = 5\nstart = \"2026-03-02T00:00:00Z\"\nvenue = \"geneva\"\n\
             [members]\ndataset = \"wto\"\nonly = [{only}]\n\
             [[item]]\nid = \"x\"\nrule = \"consensus\"\nothers = {{ stance = \"support\" }}\n"
        )
    };
    let without = minutes(&run(&text("\"EU\", \"USA\", \"CHN\"")));
    assert!(
        without.contains("the EU is here without any of its member States"),
        "{without}"
    );
    let with = minutes(&run(&text("\"EU\", \"FRA\", \"USA\"")));
    assert!(!with.contains("without any of its member States"));
}

/// The same delegations cannot sit in two meetings at once: in every
/// shipped scenario, the day's session never overlaps a meeting fixed for
/// the same day (it starts after it). Two fixed meetings at the very same
/// hours are one sitting with two items on its agenda (MC13 took both 2024
/// accessions on 26 February).
#[test]
fn meetings_do_not_overlap() {
    let dir = format!("{}/../../examples/scenarios", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("scenarios")
        .filter_map(|e| e.ok()?.path().file_stem()?.to_str().map(str::to_owned))
        .collect();
    names.sort();
    for name in names {
        let rec = shipped(&name);
        let meetings: Vec<_> = rec
            .entries()
            .iter()
            .filter_map(|e| match &e.event {
                Event::MeetingConvened { interval, .. } => Some(*interval),
                _ => None,
            })
            .collect();
        for (k, a) in meetings.iter().enumerate() {
            for b in &meetings[k + 1..] {
                assert!(
                    a == b || a.end <= b.start || b.end <= a.start,
                    "{name}: {a:?} overlaps {b:?}"
                );
            }
        }
    }
}
