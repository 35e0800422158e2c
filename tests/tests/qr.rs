//! The join links' QR codes: a teacher starts a class in a terminal and
//! the students scan their links off the screen. A real `rappard
//! secretariat --http --human BRA --public-url URL` runs under a
//! pseudo-terminal (util-linux's `script`), the QR code printed under the
//! `join BRA` line is turned back into an image, and a real decoder
//! (zbar's `zbarimg`, from Debian's `zbar-tools`, which `.ci/run`
//! installs) must read exactly the join link, which carries the public
//! URL. Without a terminal (a pipe, as every other test runs) no QR code is
//! printed, so scripts reading the links see one line each.

use std::io::Write as _;
use std::path::Path;
use std::process::Command;

use rappard_core::member::MemberId;
use rappard_net::pki::{self, Existing, Role, Validity};
use rappard_tests::{Node, Scratch, command, in_ci, rappard, root, timeout};

const SCENARIO: &str = "examples/scenarios/classroom.toml";
const PUBLIC: &str = "https://192.0.2.7:8443";

fn secretariat_pki(dir: &Path) {
    pki::init(dir, Existing::Refuse, Validity::days(pki::AUTHORITY_DAYS)).expect("pki init");
    let wto = MemberId::new(pki::SECRETARIAT_ID).expect("id");
    let days = Validity::days(pki::NODE_DAYS);
    pki::issue(dir, &wto, Role::Secretariat, Existing::Refuse, days).expect("secretariat");
}

fn secretariat_args(certs: &Path) -> Vec<String> {
    [
        "secretariat",
        "--scenario",
        SCENARIO,
        "--certs",
        certs.to_str().expect("utf-8 path"),
        "--grpc",
        "127.0.0.1:0",
        "--http",
        "127.0.0.1:0",
        "--human",
        "BRA",
        "--public-url",
        PUBLIC,
        "--join-timeout",
        "600",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}

/// The rows of a QR code printed in black on white half blocks, as
/// pixels (true: dark), two pixel rows a text row.
fn pixels(rows: &[String]) -> Vec<Vec<bool>> {
    let mut out = Vec::new();
    for row in rows {
        let (top, bottom): (Vec<bool>, Vec<bool>) = row
            .chars()
            .map(|c| match c {
                '\u{2580}' => (true, false),
                '\u{2584}' => (false, true),
                '\u{2588}' => (true, true),
                _ => (false, false),
            })
            .unzip();
        out.push(top);
        out.push(bottom);
    }
    out
}

/// Writes the pixels as a plain PGM image, each module 6×6.
fn write_pgm(pixels: &[Vec<bool>], path: &Path) {
    const SCALE: usize = 6;
    let w = pixels[0].len() * SCALE;
    let h = pixels.len() * SCALE;
    let mut s = format!("P2\n{w} {h}\n1\n");
    for row in pixels {
        let line: Vec<&str> = row
            .iter()
            .flat_map(|&dark| std::iter::repeat_n(if dark { "0" } else { "1" }, SCALE))
            .collect();
        let line = line.join(" ");
        for _ in 0..SCALE {
            s.push_str(&line);
            s.push('\n');
        }
    }
    std::fs::write(path, s).expect("write the image");
}

fn tool(name: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn a_join_link_printed_on_a_terminal_has_a_qr_code_that_reads_back() {
    for t in ["script", "zbarimg"] {
        if !tool(t) {
            assert!(
                !in_ci(),
                "CI is set and `{t}` is missing (.ci/run installs it)"
            );
            eprintln!("skipped: `{t}` is missing (apt-get install bsdutils zbar-tools)");
            return;
        }
    }
    let scratch = Scratch::new("rappard-qr");
    let certs = scratch.path().join("pki");
    secretariat_pki(&certs);
    let line = std::iter::once(rappard().to_str().expect("utf-8 path").to_owned())
        .chain(secretariat_args(&certs))
        .collect::<Vec<_>>()
        .join(" ");
    let mut cmd = Command::new("script");
    cmd.current_dir(root())
        .args(["-qfec", &format!("exec {line}"), "/dev/null"]);
    let (mut node, mut stdin) = Node::spawn_with_stdin("secretariat under script", cmd);
    let join = loop {
        let Some(l) = node.next_line(timeout(60)) else {
            panic!("no join line; stderr:\n{}", node.stderr());
        };
        if let Some(rest) = l.strip_prefix("join BRA ") {
            break rest.trim().to_owned();
        }
    };
    assert!(join.starts_with(&format!("{PUBLIC}/join#token=")), "{join}");
    // A QR code is square: its first row's width, in modules, tells how
    // many rows (two modules each) follow.
    let mut rows: Vec<String> = Vec::new();
    while let Some(l) = node.next_line(timeout(30)) {
        let Some(row) = l
            .strip_prefix("\x1b[30;107m")
            .and_then(|r| r.strip_suffix("\x1b[0m"))
        else {
            panic!("a QR code's row, black on white, got {l:?}");
        };
        rows.push(row.to_owned());
        if rows.len() >= rows[0].chars().count().div_ceil(2) {
            break;
        }
    }
    // Ctrl-C on the terminal: the Secretariat stops (exit 0).
    let _ = stdin.write_all(b"\x03");
    let _ = stdin.flush();
    assert!(rows.len() > 10, "a QR code under the join line: {rows:?}");
    let image = scratch.path().join("qr.pgm");
    write_pgm(&pixels(&rows), &image);
    let read = Command::new("zbarimg")
        .args(["-q", "--raw"])
        .arg(&image)
        .output()
        .expect("run zbarimg");
    let text = String::from_utf8_lossy(&read.stdout).trim().to_owned();
    assert_eq!(text, join, "the QR code reads back as the join link");
    node.finish(timeout(60));
}

#[test]
fn without_a_terminal_the_links_are_one_line_each() {
    let scratch = Scratch::new("rappard-qr-pipe");
    let certs = scratch.path().join("pki");
    secretariat_pki(&certs);
    let mut cmd = command();
    cmd.args(secretariat_args(&certs));
    let mut node = Node::spawn("secretariat", cmd);
    let mut seen = Vec::new();
    while seen.len() < 4 {
        seen.push(node.line(timeout(60)));
    }
    assert!(seen[0].starts_with("grpc "), "{seen:?}");
    assert_eq!(seen[1], format!("http {PUBLIC}/"));
    assert!(seen[2].starts_with(&format!("teacher {PUBLIC}/#teacher=")));
    assert!(seen[3].starts_with(&format!("join BRA {PUBLIC}/join#token=")));
    // The token: 256 bits, in hex.
    let token = seen[3].rsplit('=').next().unwrap_or_default();
    assert_eq!(token.len(), 64);
    assert!(token.chars().all(|c| c.is_ascii_hexdigit()));
}
