//! Operators' signals: the Prometheus metrics of a Secretariat node or of a
//! process of delegation nodes, and the small HTTP server that serves them
//! at `GET /metrics` (OpenMetrics text, plain HTTP, off unless asked for:
//! `rappard secretariat --metrics ADDR`, `rappard member --metrics ADDR`).
//!
//! Why: an operator running a class or a cluster (docs/deploy.md) needs to
//! see, without reading logs, whether the delegations are connected, whether
//! calls are being answered and how fast, what is refused, and whether the
//! journal keeps up. The metrics are recorded by the prometheus-client crate
//! (the official Rust client of the Prometheus project) and served with axum
//! (the HTTP crate tonic itself builds on), rather than by hand.
//!
//! The metrics (the same names on both kinds of node; what each counts on
//! either side is said after the slash):
//!
//! - `rappard_delegations_connected{transport,role}` (gauge): on the
//!   Secretariat, delegations with an open record stream (`Subscribe`), by
//!   transport (`grpc`, `quic`) and by the role of their certificate
//!   (`member`, `applicant`, `secretariat`) / on a member process, its
//!   delegations with a working session (joined and subscribed).
//! - `rappard_calls_open` (gauge): calls open (0 or 1: the Secretariat runs
//!   in lockstep) / calls read and not answered yet.
//! - `rappard_answers_total{kind}` (counter): answers taken (a repeat
//!   counts once), by kind (`position`, `signature`, `reaction`,
//!   `objection`, `vote`, `join`, `offer`, `accept`) / answers this
//!   process's delegations gave that the Secretariat took.
//! - `rappard_call_duration_seconds` (histogram): from a call's opening to
//!   its closing / from reading a call to the Secretariat taking the answer.
//! - `rappard_refusals_total{code}` (counter): requests refused, by gRPC
//!   status code (`PERMISSION_DENIED`, `RESOURCE_EXHAUSTED`, ...) / refusals
//!   this process's delegations received in answer.
//! - `rappard_record_entries` (gauge): entries of the record published /
//!   the highest sequence number a delegation of this process has read.
//! - `rappard_journal_writes_total{what}` (counter, Secretariat with
//!   `--data` only): writes to the journal: `answer` (one per answer taken)
//!   and `entries` (one group of entries per call, synced).
//! - `rappard_journal_sync_seconds` (histogram, Secretariat with `--data`
//!   only): writing and syncing (`fdatasync`) one group of entries, the
//!   step every call waits for before it is published.
//! - `rappard_subscribers_cut_off_total` (counter, Secretariat only):
//!   record streams cut off because their reader left the buffer full past
//!   `--subscriber-timeout` (it fell behind; it may resume after the last
//!   entry it saw).
//!
//! Recording is a few atomic operations, at the places that already count
//! these things (the service's edge, the lockstep driver, the journal's
//! callers, the delegation's session); nothing in the record depends on it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use rappard_core::protocol::Answer;

use crate::Error;

/// A connection's transport and the role of its certificate.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Connected {
    /// `grpc` or `quic`.
    pub transport: &'static str,
    /// `member`, `applicant` or `secretariat`.
    pub role: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Kind {
    kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Code {
    code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct What {
    what: &'static str,
}

/// The metrics of one node (module doc), and their registry.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    connected: Family<Connected, Gauge>,
    calls_open: Gauge,
    answers: Family<Kind, Counter>,
    call_duration: Histogram,
    refusals: Family<Code, Counter>,
    record_entries: Gauge,
    journal_writes: Family<What, Counter>,
    journal_sync: Histogram,
    cut_off: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Every metric at zero, registered.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("rappard");
        let connected = Family::<Connected, Gauge>::default();
        let calls_open = Gauge::default();
        let answers = Family::<Kind, Counter>::default();
        // 1 ms to about 9 min: a call of a class waits for people.
        let call_duration = Histogram::new(exponential_buckets(0.001, 2.0, 20));
        let refusals = Family::<Code, Counter>::default();
        let record_entries = Gauge::default();
        let journal_writes = Family::<What, Counter>::default();
        // 50 µs to about 1.6 s: a sync on a disk, not a network.
        let journal_sync = Histogram::new(exponential_buckets(0.000_05, 2.0, 16));
        let cut_off = Counter::default();
        registry.register(
            "delegations_connected",
            "Delegations connected, by transport and certificate role",
            connected.clone(),
        );
        registry.register("calls_open", "Calls open", calls_open.clone());
        registry.register("answers", "Answers taken, by kind", answers.clone());
        registry.register(
            "call_duration_seconds",
            "From a call's opening (or reading) to its closing (or answer taken)",
            call_duration.clone(),
        );
        registry.register(
            "refusals",
            "Requests refused, by gRPC status code",
            refusals.clone(),
        );
        registry.register(
            "record_entries",
            "Record entries published (Secretariat) or read (delegations)",
            record_entries.clone(),
        );
        registry.register(
            "journal_writes",
            "Writes to the journal: answer, or entries (one synced group)",
            journal_writes.clone(),
        );
        registry.register(
            "journal_sync_seconds",
            "Writing and syncing one group of entries to the journal",
            journal_sync.clone(),
        );
        registry.register(
            "subscribers_cut_off",
            "Record streams cut off for leaving their buffer full past --subscriber-timeout",
            cut_off.clone(),
        );
        Self {
            registry,
            connected,
            calls_open,
            answers,
            call_duration,
            refusals,
            record_entries,
            journal_writes,
            journal_sync,
            cut_off,
        }
    }

    /// A delegation connected: the gauge is one higher until the returned
    /// guard is dropped.
    pub fn connected(self: &Arc<Self>, transport: &'static str, role: &'static str) -> Presence {
        let labels = Connected { transport, role };
        self.connected.get_or_create(&labels).inc();
        Presence {
            metrics: self.clone(),
            labels,
        }
    }

    /// Sets the number of calls open.
    pub fn calls_open(&self, n: i64) {
        self.calls_open.set(n);
    }

    /// A call read by a delegation: open until the returned guard is
    /// dropped.
    pub fn call_open(self: &Arc<Self>) -> CallOpen {
        self.calls_open.inc();
        CallOpen(self.clone())
    }

    /// An answer taken.
    pub fn answer(&self, answer: &Answer) {
        let kind = match answer {
            Answer::Position(_) => "position",
            Answer::Signature(_) => "signature",
            Answer::Reaction(_) => "reaction",
            Answer::Objection(_) => "objection",
            Answer::Vote(_) => "vote",
            Answer::Join(_) => "join",
            Answer::Offer(_) => "offer",
            Answer::Accept(_) => "accept",
            Answer::Confessional(_) => "confessional",
            Answer::Reservation => "reservation",
        };
        self.answers.get_or_create(&Kind { kind }).inc();
    }

    /// A call closed (or answered) after `took`.
    pub fn call_closed(&self, took: Duration) {
        self.call_duration.observe(took.as_secs_f64());
    }

    /// A request refused with `code`.
    pub fn refusal(&self, code: tonic::Code) {
        let code = format!("{code:?}");
        self.refusals
            .get_or_create(&Code {
                code: screaming(&code),
            })
            .inc();
    }

    /// The record now has `n` entries (or entry `n` was read): the gauge
    /// never goes down.
    pub fn record_entries(&self, n: u64) {
        let n = i64::try_from(n).unwrap_or(i64::MAX);
        if n > self.record_entries.get() {
            self.record_entries.set(n);
        }
    }

    /// An answer written to the journal.
    pub fn journal_answer(&self) {
        self.journal_writes
            .get_or_create(&What { what: "answer" })
            .inc();
    }

    /// A group of entries written to the journal and synced in `took`.
    pub fn journal_entries(&self, took: Duration) {
        self.journal_writes
            .get_or_create(&What { what: "entries" })
            .inc();
        self.journal_sync.observe(took.as_secs_f64());
    }

    /// A record stream cut off (its subscriber fell behind).
    pub fn cut_off(&self) {
        self.cut_off.inc();
    }

    /// The metrics in the OpenMetrics text format.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// `PermissionDenied` as gRPC writes it: `PERMISSION_DENIED`.
fn screaming(camel: &str) -> String {
    let mut s = String::with_capacity(camel.len() + 4);
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            s.push('_');
        }
        s.push(c.to_ascii_uppercase());
    }
    s
}

/// A connected delegation, counted until dropped.
#[derive(Debug)]
pub struct Presence {
    metrics: Arc<Metrics>,
    labels: Connected,
}

impl Drop for Presence {
    fn drop(&mut self) {
        self.metrics.connected.get_or_create(&self.labels).dec();
    }
}

/// A call a delegation has read and not answered yet, counted until
/// dropped.
#[derive(Debug)]
pub struct CallOpen(Arc<Metrics>);

impl Drop for CallOpen {
    fn drop(&mut self) {
        self.0.calls_open.dec();
    }
}

/// The content type of the OpenMetrics text format.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Serves `GET /metrics` on `listener` (plain HTTP/1.1) until `shutdown`
/// completes; any other path is `404 Not Found`. Returns the address
/// served.
pub async fn serve(
    listener: tokio::net::TcpListener,
    metrics: Arc<Metrics>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(SocketAddr, tokio::task::JoinHandle<Result<(), Error>>), Error> {
    let addr = listener
        .local_addr()
        .map_err(|e| Error::Transport(format!("the metrics listener: {e}")))?;
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let metrics = metrics.clone();
            async move {
                (
                    [(axum::http::header::CONTENT_TYPE, CONTENT_TYPE)],
                    metrics.encode(),
                )
            }
        }),
    );
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(|e| Error::Transport(format!("the metrics server on {addr}: {e}")))
    });
    Ok((addr, task))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every metric of the module doc is exposed, with its labels once
    /// recorded, and the connected gauge goes back down when a delegation
    /// leaves.
    #[test]
    fn every_metric_is_exposed() {
        let m = Arc::new(Metrics::new());
        let here = m.connected("grpc", "member");
        m.answer(&Answer::Vote(rappard_core::protocol::Vote::Yes));
        m.refusal(tonic::Code::PermissionDenied);
        m.record_entries(7);
        m.record_entries(3);
        m.journal_answer();
        m.journal_entries(Duration::from_millis(2));
        m.call_closed(Duration::from_millis(30));
        let text = m.encode();
        for needle in [
            "rappard_delegations_connected{transport=\"grpc\",role=\"member\"} 1",
            "rappard_calls_open 0",
            "rappard_answers_total{kind=\"vote\"} 1",
            "rappard_call_duration_seconds_count 1",
            "rappard_refusals_total{code=\"PERMISSION_DENIED\"} 1",
            "rappard_record_entries 7",
            "rappard_journal_writes_total{what=\"answer\"} 1",
            "rappard_journal_writes_total{what=\"entries\"} 1",
            "rappard_journal_sync_seconds_count 1",
        ] {
            assert!(text.contains(needle), "{needle} in\n{text}");
        }
        drop(here);
        assert!(
            m.encode()
                .contains("rappard_delegations_connected{transport=\"grpc\",role=\"member\"} 0")
        );
    }
}
