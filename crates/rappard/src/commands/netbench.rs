//! `rappard bench --network`: the lockstep over the network, against the
//! floor of the same connections.
//!
//! In this process: a PKI in a temporary directory (removed at the end), a
//! Secretariat on 127.0.0.1 (gRPC over TCP with TLS, or the same inside
//! QUIC) and every delegation of a synthetic membership with its own
//! certificate and connection, as `rappard member` runs them (over QUIC,
//! through one endpoint shared by all). The negotiation is `rappard
//! bench`'s round (every delegation accepts the first text) over `--items`
//! items, one after the other. The Secretariat times each call, from
//! running the core to it to closing it with every answer in, and, after
//! each call, an empty fan-out round over the same connections: a probe on
//! every delegation's own feed, which each answers at once with `Probe`
//! (`rappard_net::secretariat::Options::probes`). That round is the floor
//! of one lockstep round on this transport: the same fan-out and the same
//! replies, with nothing decided, recorded or encoded. The record must be
//! `simulate`'s. Start-up is the time from the first delegation started
//! (certificates made) to the first call (every delegation connected and
//! joined).
//!
//! The delegations hold no direct talks (the scenario has no accession):
//! they run as `rappard member --talks relay` does, without a listener of
//! their own. Each listener is an open file of this process, beside the
//! delegation's connection and the Secretariat's end of it: with them,
//! 8,000 delegations needed 24,000 open files, more than the 20,000 a
//! process was allowed, and connections failed at start-up.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rappard_core::member::MemberId;
use rappard_core::rules::Rule;
use rappard_core::sessions::Venue;
use rappard_core::simulation;
use rappard_net::limits::Limits;
use rappard_net::member::{self, TalksMode};
use rappard_net::pki::{self, Existing, Role, Validity};
use rappard_net::secretariat::{self, Listeners, Options, Timings};
use rayon::prelude::*;
use tokio::task::JoinSet;

use super::Transport;
use crate::error::{Error, Result};

/// Runs the network benchmark for each size and prints a Markdown table.
pub fn run(sizes: &[usize], transport: Transport, items: usize) -> Result<()> {
    let runtime = super::runtime()?;
    rappard_net::install_crypto();
    println!(
        "| transport | delegations | calls | lockstep p50 | lockstep p99 | floor p50 | floor p99 | ratio p50 | core p50 | certificates | start-up |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for &n in sizes {
        let m = runtime.block_on(measure(n, transport, items))?;
        let t = &m.timings;
        let (call50, call99) = (percentile(&t.calls, 50), percentile(&t.calls, 99));
        let (floor50, floor99) = (percentile(&t.probes, 50), percentile(&t.probes, 99));
        println!(
            "| {} | {n} | {} | {} | {} | {} | {} | {:.2} | {} | {:.2} s | {:.2} s |",
            transport.as_str(),
            t.calls.len(),
            ms(call50),
            ms(call99),
            ms(floor50),
            ms(floor99),
            call50.as_secs_f64() / floor50.as_secs_f64().max(1e-9),
            ms(percentile(&t.core, 50)),
            m.certificates.as_secs_f64(),
            m.start_up.as_secs_f64(),
        );
    }
    if let Some(kib) = super::bench::peak_rss_kib() {
        println!(
            "\npeak resident memory of the process (Secretariat and every delegation): {:.1} MiB",
            kib as f64 / 1024.0
        );
    }
    Ok(())
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

/// The `p`th percentile (nearest rank) of some durations; zero if none.
fn percentile(times: &[Duration], p: usize) -> Duration {
    let mut v = times.to_vec();
    v.sort_unstable();
    let rank = (v.len() * p).div_ceil(100).max(1);
    v.get(rank - 1).copied().unwrap_or_default()
}

/// What one run measured.
struct Measured {
    timings: Timings,
    /// Making the PKI.
    certificates: Duration,
    /// From starting the delegations to the first call.
    start_up: Duration,
}

/// A temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One run with `n` delegations.
async fn measure(n: usize, transport: Transport, items: usize) -> Result<Measured> {
    let sc =
        super::bench::scenario(n, Venue::Geneva, Rule::Consensus, items).map_err(|reason| {
            Error::BadOption {
                option: "--delegations",
                reason,
            }
        })?;
    let simulated = simulation::run(&sc)?;
    let dir =
        TempDir(std::env::temp_dir().join(format!("rappard-bench-{}-{n}", std::process::id())));
    let ids: Vec<MemberId> = sc
        .agenda
        .membership
        .delegations()
        .map(|m| m.id.clone())
        .collect();
    let made = Instant::now();
    make_pki(&dir.0, &ids)?;
    let certificates = made.elapsed();
    let own = pki::load(&dir.0, "secretariat").map_err(Error::Credentials)?;
    let (listeners, addr) = listen(transport).await?;
    let options = Options {
        join_timeout: Duration::from_secs(600),
        limits: Limits {
            // Every delegation connects from 127.0.0.1 at once, and
            // thousands of handshakes on a busy machine take longer than
            // the limits against floods allow.
            connections_per_address: n + 64,
            handshake_timeout: Duration::from_secs(120),
            first_request_timeout: Duration::from_secs(120),
            ..Limits::default()
        },
        probes: true,
        ..Options::default()
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let negotiation = secretariat::serve(sc.agenda.clone(), &own, listeners, options, async {
        let _ = stopped.await;
    })
    .await?;
    let to = super::connector(&addr, transport).await?;
    let mut delegations = simulation::delegations(&sc);
    let mut tasks = JoinSet::new();
    let started = Instant::now();
    for id in &ids {
        let creds = pki::load(&dir.0, id.as_str()).map_err(Error::Credentials)?;
        let d = delegations
            .remove(id)
            .ok_or_else(|| Error::Run(format!("no instructions for {id}")))?;
        let to = to.clone();
        let id = id.to_string();
        tasks.spawn(async move {
            let metrics = std::sync::Arc::new(rappard_net::metrics::Metrics::new());
            let ran = member::run_talking(&to, &creds, d, None, metrics, TalksMode::Relay).await;
            (id, ran)
        });
    }
    let record = negotiation.finished().await?;
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok((_, Ok(_))) => {}
            Ok((id, Err(source))) => return Err(Error::Delegation { id, source }),
            Err(e) => return Err(Error::Run(format!("a delegation's task failed: {e}"))),
        }
    }
    let _ = stop.send(());
    if record.sha256() != simulated.sha256() {
        return Err(Error::Run(format!(
            "{n} delegations over {}: the record ({} events) differs from simulate's ({} events)",
            transport.as_str(),
            record.len(),
            simulated.len()
        )));
    }
    let timings = negotiation.timings();
    if timings.probes.len() != timings.calls.len() {
        return Err(Error::Run(format!(
            "{n} delegations over {}: {} of {} probe rounds were not answered by every delegation",
            transport.as_str(),
            timings.calls.len() - timings.probes.len(),
            timings.calls.len()
        )));
    }
    let start_up = timings
        .first_call
        .map(|t| t.saturating_duration_since(started))
        .unwrap_or_default();
    Ok(Measured {
        timings,
        certificates,
        start_up,
    })
}

/// An authority, the Secretariat's certificate and one per delegation,
/// the delegations' made in parallel (each is a key pair and a signature,
/// independent of the others; made one after the other they took 32 s for
/// 2,000 on a loaded machine).
fn make_pki(dir: &Path, ids: &[MemberId]) -> Result<()> {
    pki::init(dir, Existing::Refuse, Validity::days(pki::AUTHORITY_DAYS))?;
    let days = Validity::days(pki::NODE_DAYS);
    let secretariat =
        MemberId::new(pki::SECRETARIAT_ID).expect("the Secretariat's id `WTO` is a valid id");
    pki::issue(dir, &secretariat, Role::Secretariat, Existing::Refuse, days)?;
    ids.par_iter()
        .try_for_each(|id| pki::issue(dir, id, Role::Member, Existing::Refuse, days).map(drop))?;
    Ok(())
}

/// A listener on a free port of 127.0.0.1 for the transport, and its
/// address.
async fn listen(transport: Transport) -> Result<(Listeners, String)> {
    let addr = "127.0.0.1:0";
    let err = |source| Error::Listen {
        addr: addr.to_owned(),
        what: "",
        source,
    };
    Ok(match transport {
        Transport::Grpc => {
            let grpc = rappard_net::tcp_listener(addr).await.map_err(err)?;
            let local = grpc.local_addr().map_err(err)?.to_string();
            let l = Listeners {
                grpc: Some(grpc),
                quic: None,
            };
            (l, local)
        }
        Transport::Quic => {
            let err = |source| Error::Listen {
                addr: addr.to_owned(),
                what: " (UDP)",
                source,
            };
            let udp = std::net::UdpSocket::bind(addr).map_err(err)?;
            let local = udp.local_addr().map_err(err)?.to_string();
            let l = Listeners {
                grpc: None,
                quic: Some(udp),
            };
            (l, local)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Nearest-rank percentiles: the median of 1..=100 ms is 50 ms, the
    /// 99th 99 ms; one value is every percentile; none gives zero.
    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<Duration> = (1..=100).rev().map(Duration::from_millis).collect();
        assert_eq!(percentile(&v, 50), Duration::from_millis(50));
        assert_eq!(percentile(&v, 99), Duration::from_millis(99));
        assert_eq!(
            percentile(&[Duration::from_millis(7)], 99),
            Duration::from_millis(7)
        );
        assert_eq!(percentile(&[], 50), Duration::ZERO);
    }
}
