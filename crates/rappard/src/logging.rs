//! Diagnostics: one `tracing` subscriber, writing to stderr.
//!
//! `RUST_LOG` (an `EnvFilter`) decides what is shown when it is set.
//! Otherwise the command's own messages are shown at `info`, the network
//! nodes' (`rappard_net`) and the libraries' from `warn`, and each `-v`
//! raises that: `-v` shows the nodes' joins, leaves and closed calls
//! (`info`), `-vv` their answers too (`debug`), `-vvv` everything at
//! `debug` and rappard at `trace`.
//!
//! `--log-format json` (for log collectors: Loki, Elasticsearch, `kubectl
//! logs | jq`) writes one JSON object a line instead of text, with the
//! event's fields, its target, the innermost span (`span`) and every span
//! it is in (`spans`, outermost first, each with its fields): a
//! delegation's work carries its `member` and, within a call, the `call`
//! (rappard_net's module doc lists the spans).

use std::io::IsTerminal as _;

use tracing_subscriber::EnvFilter;

/// The filter for `-v` given `verbose` times, without `RUST_LOG`.
pub fn default_filter(verbose: u8) -> &'static str {
    match verbose {
        0 => "warn,rappard=info,rappard_net=warn",
        1 => "warn,rappard=info",
        2 => "info,rappard=debug",
        _ => "debug,rappard=trace",
    }
}

/// How diagnostics are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines (coloured on a terminal).
    #[default]
    Text,
    /// One JSON object per line, with the spans and their fields.
    Json,
}

/// Installs the subscriber (once, at start).
pub fn init(verbose: u8, format: LogFormat) {
    let (filter, bad_env) = match std::env::var(EnvFilter::DEFAULT_ENV) {
        Ok(env) if !env.trim().is_empty() => match EnvFilter::try_new(&env) {
            Ok(f) => (f, None),
            Err(e) => (EnvFilter::new(default_filter(verbose)), Some((env, e))),
        },
        _ => (EnvFilter::new(default_filter(verbose)), None),
    };
    let fmt = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => fmt.with_ansi(std::io::stderr().is_terminal()).init(),
        LogFormat::Json => fmt
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .init(),
    }
    if let Some((env, e)) = bad_env {
        tracing::warn!("RUST_LOG={env:?} is not a valid filter ({e}); using the default");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every default is a valid filter.
    #[test]
    fn default_filters_parse() {
        for v in 0..4 {
            assert!(EnvFilter::try_new(default_filter(v)).is_ok(), "{v}");
        }
    }
}
