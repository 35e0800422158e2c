//! The classroom in a real browser: `rappard class` with two delegations
//! played by people from headless Chromium (Debian's `chromium`, driven by
//! Python `playwright` through `tests/browser/class_test.py`), the shipped
//! strategies playing the four others of `examples/scenarios/classroom.toml`.
//!
//! What a class relies on: the people state positions, react, object and
//! vote through their pages; the run reaches its end; the minutes show
//! exactly what they chose (their answers went through the same core path
//! as any delegation's); the dashboard shows the final outcomes. And a
//! token grants one delegation's calls only: for another delegation's call
//! it is refused (403), an unknown token is refused (401), and neither is
//! taken; only the teacher's token pauses the negotiation (the open call's
//! deadline then stands still) and resumes it. The consensus rule played here is the Marrakesh Agreement's,
//! Art. IX:1 and footnote 1 (any Member present objecting blocks); the
//! classroom's purpose is in Li Ke, "Stagnation and Breakthrough of WTO
//! Multilateral Trade Negotiations", Journal of Hubei University of
//! Economics 21(5), 2023, section II.
//!
//! It needs `chromium` (`/usr/bin/chromium`, or `CHROMIUM`) and Python 3
//! with the packages of `tests/browser/requirements.txt`; `.ci/run`
//! installs them. Under CI (`CI` set) their absence fails the test;
//! elsewhere the test prints why it is skipped and passes.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use rappard_tests::{Node, command, in_ci, root, slot, timeout};
use serde_json::Value;

/// Python with playwright, and Chromium, or why not.
fn browser() -> Result<(String, PathBuf), String> {
    let chromium = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if !chromium.is_file() {
        return Err(format!(
            "no Chromium at {} (apt-get install chromium, or set CHROMIUM)",
            chromium.display()
        ));
    }
    let probe = Command::new("python3")
        .args(["-c", "import playwright.sync_api"])
        .stdin(Stdio::null())
        .output();
    match probe {
        Ok(o) if o.status.success() => Ok(("python3".into(), chromium)),
        Ok(o) => Err(format!(
            "python3 has no playwright ({}); install it with `python3 -m pip install -r tests/browser/requirements.txt`",
            String::from_utf8_lossy(&o.stderr)
                .lines()
                .last()
                .unwrap_or("")
        )),
        Err(e) => Err(format!("no python3: {e}")),
    }
}

/// The class's links: the dashboard and each person's join link.
struct Class {
    node: Node,
    dashboard: String,
    teacher: String,
    joins: Vec<(String, String)>,
}

/// Starts `rappard class` on the classroom scenario with `people`.
fn start(people: &[&str]) -> Class {
    let mut cmd = command();
    cmd.args([
        "class",
        "examples/scenarios/classroom.toml",
        "--delegations",
        &people.join(","),
        "--http",
        "127.0.0.1:0",
        "--answer-timeout",
        "120",
    ]);
    let mut node = Node::spawn("rappard class", cmd);
    let mut field = |prefix: &str| {
        let line = node.line(timeout(120));
        line.strip_prefix(prefix)
            .unwrap_or_else(|| panic!("`rappard class` printed {line:?}, not `{prefix}…`"))
            .to_owned()
    };
    let dashboard = field("http ");
    let teacher = field("teacher ");
    assert!(teacher.contains("#teacher="), "{teacher}");
    let joins = people
        .iter()
        .map(|_| {
            let rest = field("join ");
            let (id, url) = rest.split_once(' ').expect("join ID URL");
            let token = url.split_once("#token=").expect("a token in the link").1;
            assert!(token.len() >= 32, "a token of at least 128 bits: {token}");
            (id.to_owned(), url.to_owned())
        })
        .collect();
    Class {
        node,
        dashboard,
        teacher,
        joins,
    }
}

/// The minutes `rappard class` prints when the negotiation closes, to
/// their last line (`Record: N events, sha256 …`); the class keeps serving
/// its pages until it is stopped (the drop of its node).
fn minutes(class: &mut Class) -> String {
    let mut minutes = String::new();
    loop {
        let line = class.node.line(timeout(120));
        minutes.push_str(&line);
        minutes.push('\n');
        if line.starts_with("Record: ") {
            return minutes;
        }
    }
}

/// Runs the browser script against a class; its JSON report.
fn play(py: &str, chromium: &PathBuf, class: &Class, extra: &[&str]) -> Value {
    let mut cmd = Command::new(py);
    cmd.arg("tests/browser/class_test.py")
        .args(["--dashboard", &class.dashboard])
        .arg("--chromium")
        .arg(chromium)
        .args(extra)
        .current_dir(root());
    for (id, url) in &class.joins {
        cmd.args(["--join", &format!("{id}={url}")]);
    }
    let out = Node::spawn("class_test.py", cmd).finish(timeout(600));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "class_test.py failed: {stdout}\n{}",
        out.stderr
    );
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

/// The minutes' heading of a kind of call in a round.
fn head(kind: &str, round: u64) -> String {
    match kind {
        "positions" => format!("round {round}: positions"),
        "reactions" => format!("round {round}: reactions"),
        "objections" => "formal objections".into(),
        "votes" => "vote".into(),
        "signatures" => "co-chairs' signatures".into(),
        other => panic!("the test plays no `{other}` call"),
    }
}

/// What the minutes say of a person's choice.
fn said(member: &str, kind: &str, choice: &str) -> Option<String> {
    Some(match (kind, choice) {
        ("positions", level) => format!("{member} {level}"),
        ("reactions", r) => format!("{member} {r}"),
        ("objections", "object") => format!("{member} objects"),
        ("objections", _) => return None,
        ("votes", v) => format!("{member} {v}"),
        ("signatures", "sign") => format!("{member} signs"),
        (_, c) => format!("{member} {c}"),
    })
}

fn skip_or_fail(why: String) {
    assert!(!in_ci(), "CI is set and {why}");
    eprintln!("skipped: {why}");
}

#[test]
fn two_people_play_from_chromium_and_the_minutes_show_their_choices() {
    let (py, chromium) = match browser() {
        Ok(b) => b,
        Err(why) => return skip_or_fail(why),
    };
    // One class and one browser at a time: two at once on two cores
    // starve each other's pages past the script's waits.
    let _slot = slot();
    let mut class = start(&["BRA", "IND"]);
    // The screenshots go to the build's scratch folder, so that running
    // the tests leaves the checkout as it was; RAPPARD_SCREENSHOTS=docs/img
    // refreshes the ones in the docs.
    let shots = std::env::var_os("RAPPARD_SCREENSHOTS")
        .map(|dir| root().join(dir))
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots"));
    std::fs::create_dir_all(&shots).expect("the screenshots' folder");
    let report = play(
        &py,
        &chromium,
        &class,
        &["--shots", shots.to_str().expect("utf-8 path")],
    );
    let minutes = minutes(&mut class);
    let answers = report["answers"].as_array().expect("answers");
    for who in ["BRA", "IND"] {
        assert!(
            answers.iter().any(|a| a["member"] == who),
            "{who} answered nothing: {report}"
        );
        assert!(
            !minutes.contains(&format!("no answer from {who}")),
            "{who} answered every call, yet:\n{minutes}"
        );
    }
    let kinds: Vec<&str> = answers.iter().filter_map(|a| a["kind"].as_str()).collect();
    for kind in ["positions", "reactions"] {
        assert!(
            kinds.contains(&kind),
            "no {kind} call was played: {kinds:?}"
        );
    }
    for a in answers {
        let (member, kind) = (
            a["member"].as_str().expect("member"),
            a["kind"].as_str().expect("kind"),
        );
        let subject = a["subject"].as_str().expect("subject");
        let prefix = format!(
            "  [{subject}] {}: ",
            head(kind, a["round"].as_u64().expect("round"))
        );
        let lines: Vec<&str> = minutes.lines().filter(|l| l.starts_with(&prefix)).collect();
        assert!(
            !lines.is_empty(),
            "no `{prefix}` line in the minutes:\n{minutes}"
        );
        match said(member, kind, a["choice"].as_str().unwrap_or_default()) {
            Some(s) => assert!(
                lines.iter().any(|l| l.contains(&s)),
                "the minutes do not show `{s}` under `{prefix}`: {lines:#?}"
            ),
            None => assert!(
                lines
                    .iter()
                    .all(|l| !l.contains(&format!("{member} objects"))),
                "{member} did not object, yet: {lines:#?}"
            ),
        }
    }
    // The dashboard's outcomes are the minutes' decisions.
    let outcomes = report["outcomes"].as_str().expect("outcomes");
    assert!(outcomes.contains("Negotiation closed"), "{outcomes}");
    for (item, outcome) in [("fish", "adopted"), ("ecom", "lapsed")] {
        assert!(
            outcomes
                .lines()
                .any(|l| l.starts_with(item) && l.contains(outcome)),
            "the dashboard does not show {item} {outcome}: {outcomes}"
        );
        let upper = outcome.to_uppercase();
        assert!(
            minutes
                .lines()
                .any(|l| l.contains(&format!("[{item}]")) && l.contains(&upper)),
            "the minutes do not say {item} {outcome}:\n{minutes}"
        );
    }
    let closed = minutes
        .lines()
        .find_map(|l| l.strip_prefix("Closed ")?.split_once(": ").map(|(_, r)| r))
        .expect("the minutes' closing line");
    assert!(
        outcomes.contains(closed),
        "the dashboard says {outcomes}, the minutes {closed}"
    );
    for shot in ["dashboard.png", "student.png"] {
        let len = std::fs::metadata(shots.join(shot))
            .map(|m| m.len())
            .unwrap_or(0);
        assert!(len > 10_000, "{shot}: {len} bytes");
    }
}

#[test]
fn a_token_is_refused_for_another_delegations_call() {
    let (py, chromium) = match browser() {
        Ok(b) => b,
        Err(why) => return skip_or_fail(why),
    };
    let _slot = slot();
    // CHN co-chairs `ecom` and is asked to sign the chair's text; BRA is not.
    let mut class = start(&["BRA", "CHN"]);
    let teacher = class.teacher.clone();
    play(
        &py,
        &chromium,
        &class,
        &["--refusals", "--teacher", &teacher],
    );
    let minutes = minutes(&mut class);
    let signatures: Vec<&str> = minutes
        .lines()
        .filter(|l| l.contains("co-chairs' signatures"))
        .collect();
    assert!(!signatures.is_empty(), "{minutes}");
    for l in &signatures {
        assert!(
            !l.contains("BRA"),
            "BRA's refused signature is in the record: {l}"
        );
    }
}
