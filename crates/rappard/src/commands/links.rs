//! The classroom's links as the commands print them (`secretariat --http`,
//! `demo --http`, `class`): one line each, `PREFIX LINK` (`http URL`,
//! `teacher URL`, `join ID URL`), which scripts read; and, when stdout is a
//! terminal, each join link's QR code under its line, so a student can
//! scan it from the projector (or the teacher's screen) instead of typing
//! a 64-digit token. The QR code is drawn with the `qrcode` crate in
//! Unicode half blocks (two modules a character), with its quiet zone, in
//! black on white whatever the terminal's colours.

use std::io::{IsTerminal as _, Write as _};

use qrcode::QrCode;
use qrcode::render::unicode::Dense1x2;

use crate::error::{Error, Result};

/// Prints `PREFIX REST` on stdout, and for a join link on a terminal its
/// QR code.
pub fn print(prefix: &str, rest: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{prefix}{rest}");
    if prefix == "join "
        && out.is_terminal()
        && let Some(link) = rest.split_whitespace().nth(1)
        && let Some(code) = qr(link)
    {
        let _ = writeln!(out, "{code}");
    }
    let _ = out.flush();
}

/// The QR code of `link` in Unicode half blocks, or none if it is too long
/// for a QR code (thousands of characters; a join link is about 100). Each
/// row is set in black on bright white (ANSI SGR 30;107), so that the
/// code reads dark on light on a dark terminal as on a light one.
pub fn qr(link: &str) -> Option<String> {
    let code = QrCode::new(link.as_bytes()).ok()?;
    let blocks = code.render::<Dense1x2>().build();
    let rows: Vec<String> = blocks
        .lines()
        .map(|row| format!("\x1b[30;107m{row}\x1b[0m"))
        .collect();
    Some(rows.join("\n"))
}

/// `--public-url`, checked: an `https://` address with a host, without a
/// path (the pages' paths are added to it).
pub fn public_url(url: &str) -> Result<String> {
    let bad = |reason: &str| Error::BadOption {
        option: "--public-url",
        reason: format!("`{url}` {reason}"),
    };
    let rest = url
        .strip_prefix("https://")
        .ok_or_else(|| bad("must start with https:// (the pages are served over HTTPS)"))?;
    let host = rest.trim_end_matches('/');
    if host.is_empty() {
        return Err(bad("names no host"));
    }
    if host.contains(['/', '?', '#', ' ']) {
        return Err(bad("must be https://HOST[:PORT], without a path"));
    }
    Ok(format!("https://{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_public_url_is_https_and_a_host() {
        assert_eq!(
            public_url("https://class.example.org:8443/").ok(),
            Some("https://class.example.org:8443".to_owned())
        );
        for bad in ["http://x:8443", "https://", "https://x/join", "x:8443"] {
            assert!(public_url(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn a_join_link_has_a_qr_code_of_half_blocks() {
        let link = format!("https://192.0.2.7:8443/join#token={}", "ab".repeat(32));
        let code = qr(&link).expect("a QR code");
        let rows: Vec<&str> = code
            .lines()
            .map(|r| {
                r.strip_prefix("\x1b[30;107m")
                    .and_then(|r| r.strip_suffix("\x1b[0m"))
                    .expect("each row in black on white")
            })
            .collect();
        // A square of modules, two a row: as many rows as half the width.
        let width = rows[0].chars().count();
        assert!(width >= 21 + 8, "at least version 1 with its quiet zone");
        assert_eq!(rows.len(), width.div_ceil(2));
        assert!(rows.iter().all(|r| r.chars().count() == width));
        assert!(code.contains('\u{2588}') || code.contains('\u{2580}'));
    }
}
