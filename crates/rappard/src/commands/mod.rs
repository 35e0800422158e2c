//! One module per command, each with its `Args` and its `run`; what they
//! share is here: reading a scenario, the runtime, the transports, printing
//! a record.

pub mod bench;
pub mod demo;
pub mod health;
pub mod interactive;
pub mod links;
pub mod member;
pub mod netbench;
pub mod pki;
pub mod report;
pub mod secretariat;
pub mod signals;
pub mod simulate;
pub mod summarize;
pub mod sweep;
pub mod verify;
pub mod view;

use std::path::Path;

use clap::ValueEnum;
use rappard_core::invariants;
use rappard_core::record::Record;
use rappard_core::report as views;
use rappard_core::scenario::{self, Scenario};

use crate::error::{Error, Result};

/// How a record is printed.
#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    /// The minutes.
    Text,
    /// The JSON report.
    Json,
    /// The record itself, one JSON object per line (its canonical
    /// encoding: `sha256sum` gives the record's SHA-256); what `rappard
    /// report` reads.
    Record,
    /// The HTML report with its charts, one self-contained page.
    Html,
}

/// The transports.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Transport {
    /// gRPC over TCP with TLS.
    Grpc,
    /// The same gRPC inside QUIC streams.
    Quic,
}

impl Transport {
    /// Its name on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Grpc => "grpc",
            Self::Quic => "quic",
        }
    }
}

/// A multi-threaded tokio runtime.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Error::Runtime)
}

/// Reads and parses a scenario file, with `--seed` applied.
pub fn load_scenario(path: &Path, seed: Option<u64>) -> Result<Scenario> {
    load_scenario_text(path, seed).map(|(sc, _)| sc)
}

/// [`load_scenario`], with the file's text as read (the Secretariat's
/// journal keeps it).
pub fn load_scenario_text(path: &Path, seed: Option<u64>) -> Result<(Scenario, String)> {
    let name = path.display().to_string();
    if let Some(spec) = name.strip_prefix(SYNTHETIC) {
        let sc = synthetic(spec)?;
        let sc = match seed {
            Some(s) => sc.with_seed(s),
            None => sc,
        };
        return Ok((sc, String::new()));
    }
    let text = std::fs::read_to_string(path).map_err(|source| Error::ReadScenario {
        path: name.clone(),
        source,
    })?;
    let sc = scenario::parse(&name, &text)?;
    let sc = match seed {
        Some(s) => sc.with_seed(s),
        None => sc,
    };
    Ok((sc, text))
}

/// The prefix of a `--scenario` that names the benchmark's synthetic
/// scenario rather than a file: `synthetic:N` or `synthetic:N:ITEMS`.
pub const SYNTHETIC: &str = "synthetic:";

/// The synthetic scenario `rappard bench --network` runs (N delegations,
/// each accepting the first text of each of ITEMS items, 3 by default,
/// by consensus at Geneva), from `N` or `N:ITEMS`. It is built in code, so
/// it is not bound by a scenario file's limit on Members, and lets
/// separate processes (`rappard secretariat`, `rappard member`) run the
/// benchmark's negotiation at sizes a file may not hold.
fn synthetic(spec: &str) -> Result<Scenario> {
    let bad = |reason: String| Error::BadOption {
        option: "--scenario",
        reason,
    };
    let (n, items) = spec.split_once(':').unwrap_or((spec, "3"));
    let number = |s: &str, what: &str| {
        s.parse::<usize>().ok().filter(|&v| v > 0).ok_or_else(|| {
            bad(format!(
                "`{SYNTHETIC}{spec}`: {what} `{s}` is not a positive number"
            ))
        })
    };
    let (n, items) = (number(n, "N")?, number(items, "ITEMS")?);
    bench::scenario(
        n,
        rappard_core::sessions::Venue::Geneva,
        rappard_core::rules::Rule::Consensus,
        items,
    )
    .map_err(|reason| bad(format!("`{SYNTHETIC}{spec}`: {reason}")))
}

/// How to reach the Secretariat at `address` (HOST:PORT) over a transport.
/// QUIC resolves a host name (the first address the system's resolver
/// gives) and binds a client endpoint of that address's family; the server
/// is verified under the host dialled.
/// Must be called inside the runtime (QUIC binds a socket).
pub async fn connector(
    address: &str,
    transport: Transport,
) -> Result<rappard_net::member::Connector> {
    match transport {
        Transport::Quic => {
            let bad = |reason: String| Error::BadOption {
                option: "--secretariat",
                reason: format!("{address}: {reason}"),
            };
            let (host, _) = address
                .rsplit_once(':')
                .ok_or_else(|| bad("expected HOST:PORT".into()))?;
            let host = host.trim_matches(['[', ']']).to_owned();
            let addr = match address.parse::<std::net::SocketAddr>() {
                Ok(addr) => addr,
                Err(_) => tokio::net::lookup_host(address)
                    .await
                    .map_err(|e| bad(format!("cannot resolve the host: {e}")))?
                    .next()
                    .ok_or_else(|| bad("the host resolves to no address".into()))?,
            };
            let endpoint = rappard_net::quic::client_endpoint_for(&addr)?;
            Ok(rappard_net::member::Connector::QuicNamed(
                host, addr, endpoint,
            ))
        }
        Transport::Grpc => Ok(rappard_net::member::Connector::Grpc(format!(
            "https://{address}"
        ))),
    }
}

/// Prints a record's minutes or report on stdout, then checks its
/// invariants ([`Error::Invariants`] if one is broken).
pub fn print_record(record: &Record, format: Format) -> Result<()> {
    match format {
        Format::Text => print!("{}", views::minutes(record)),
        Format::Json => {
            let json = serde_json::to_string_pretty(&views::Report::from_record(record))?;
            println!("{json}");
        }
        Format::Record => {
            use std::io::Write;
            std::io::stdout()
                .write_all(&record.canonical())
                .map_err(|e| Error::Run(format!("writing the record to stdout: {e}")))?;
        }
        Format::Html => print!("{}", views::html::html(record)),
    }
    let broken = invariants::check(record);
    if broken.is_empty() {
        Ok(())
    } else {
        Err(Error::Invariants(broken))
    }
}

#[cfg(test)]
mod synthetic_tests {
    use super::*;

    /// `synthetic:N[:ITEMS]` is the network benchmark's scenario, at any
    /// size (beyond a file's 1,000 Members); a bad N or ITEMS is refused,
    /// naming the option and the value.
    #[test]
    fn synthetic_scenarios_are_the_benchmarks() {
        let (sc, text) = load_scenario_text(Path::new("synthetic:2000:2"), Some(7)).expect("2000");
        assert_eq!(sc.agenda.membership.delegations().count(), 2000);
        assert_eq!(sc.agenda.items.len(), 2);
        assert!(text.is_empty());
        let (sc, _) = load_scenario_text(Path::new("synthetic:5"), None).expect("5");
        assert_eq!(sc.agenda.items.len(), 3, "three items by default");
        for bad in ["synthetic:0", "synthetic:x", "synthetic:5:0", "synthetic:"] {
            let e = load_scenario_text(Path::new(bad), None)
                .expect_err(bad)
                .to_string();
            assert!(e.contains("--scenario") && e.contains(bad), "{e}");
        }
    }
}
