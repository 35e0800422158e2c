//! The Secretariat node: the core `Secretariat` behind the
//! `rappard.v1.Secretariat` gRPC service.
//!
//! Lockstep: the node waits until every expected delegation has joined (or
//! a join timeout passes), then runs the core: it takes the open call,
//! publishes it in the record, and closes it when every awaited delegation
//! has answered or the answer timeout passes (the ones that did not answer
//! are recorded as such). Answers are buffered by the core and applied in
//! member-id order, so the record does not depend on arrival order: with
//! every node up, it is the record of `rappard simulate`, byte for byte.
//!
//! Identity comes from the client certificate only ([`crate::pki`]); roles
//! are enforced here: a holder of an applicant's certificate may only make
//! its bilateral offers; when its accession completes it asks for its member
//! certificate (`MemberCertificate`: its node's own request, signed with the
//! authority's key once, if this Secretariat holds the key) and reconnects
//! with it. The Secretariat's own certificate may read but not
//! answer, and a request that names another member is refused.
//!
//! Errors, as gRPC statuses (the table is in `docs/protocol.md`):
//! `UNAUTHENTICATED` without a certificate or without a rappard name in it;
//! `PERMISSION_DENIED` for a delegation not asked, acting for another, or
//! acting beyond its role; `INVALID_ARGUMENT` for a malformed or mismatched
//! answer, or a talks address that is not `HOST:PORT` or over 256 bytes;
//! `FAILED_PRECONDITION` for an answer to a closed call or a second
//! answer; `OUT_OF_RANGE` for a `Subscribe` after a sequence number beyond
//! the record; `RESOURCE_EXHAUSTED` over one of the limits of
//! [`crate::limits`] (a message over its kind's size, too many record
//! streams for one certificate, answers too fast). None of them
//! changes the record. The service raises them as [`Error`]s and converts
//! them to statuses at the edge, where it also logs them (`warn`,
//! throttled so that a flood of refusals does not flood the log).
//!
//! Whoever can reach the port is bounded by [`crate::limits`]: handshakes
//! and connections that never authenticate time out, connections count
//! against their address or their certificate, and a record stream whose
//! subscriber does not take its entries is cut off (`UNAVAILABLE`) rather
//! than held; a stuck subscriber never holds the core's lock, which a feed
//! takes only to copy a bounded batch of entries.
//!
//! The classroom ([`crate::web`]) reads the published record and answers
//! for delegations played by people through [`Negotiation`]'s hooks (the
//! same `take` as `Answer`), and the teacher pauses the driver (no call
//! opens and the open call's timeout stands still), resumes it, or closes
//! the open call at once; a node without `--http` is never paused.
//!
//! The node's tasks (a server per transport, the lockstep driver) are
//! watched: when one fails or panics, [`Negotiation::finished`] returns its
//! error, and the record streams end with it, rather than waiting forever.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use rappard_core::member::MemberId;
use rappard_core::protocol::{Answer, Call};
use rappard_core::record::{Event, Record};
use rappard_core::scenario::Agenda;
use rappard_core::secretariat::Secretariat;
use rappard_proto::convert;
use rappard_proto::v1;
use rappard_proto::v1::secretariat_server::{Secretariat as SecretariatService, SecretariatServer};
use tokio::net::TcpListener;
use tokio::sync::{Mutex, Notify, mpsc, oneshot, watch};
use tokio::task::JoinSet;
use tokio_stream::Stream;
use tonic::{Request, Response, Status};
use tracing::{Instrument as _, debug, error, error_span, info, warn};

use crate::Error;
use crate::journal::{self, Journal, RunIdentity};
use crate::limits::{Gate, Limits, Slot, warn_throttled};
use crate::metrics::{Metrics, Presence};
use crate::pki::{self, Credentials, Role};

/// The largest message the Secretariat accepts (an `AnswerRequest`; every
/// other kind is bounded lower, [`crate::limits::max_request_bytes`]): a
/// larger one is refused with `RESOURCE_EXHAUSTED`.
pub const MAX_MESSAGE_BYTES: usize = crate::limits::MAX_ANSWER_BYTES;

/// The longest `JoinRequest.talks_address` the Secretariat keeps.
pub const MAX_TALKS_ADDRESS_BYTES: usize = 256;

/// Checks a delegation's address for direct talks, `HOST:PORT` (empty:
/// it serves none): at most [`MAX_TALKS_ADDRESS_BYTES`], and an authority
/// an applicant can reach as `https://HOST:PORT`, nothing more. Otherwise
/// `INVALID_ARGUMENT` naming the field. Returns it without surrounding
/// white space.
fn check_talks_address(address: &str) -> Result<&str, Error> {
    let refused =
        |why: String| Error::InvalidArgument(format!("field `JoinRequest.talks_address`: {why}"));
    if address.len() > MAX_TALKS_ADDRESS_BYTES {
        return Err(refused(format!(
            "{} bytes; at most {MAX_TALKS_ADDRESS_BYTES}",
            address.len()
        )));
    }
    let address = address.trim();
    if address.is_empty() {
        return Ok(address);
    }
    let shown: String = address.chars().take(64).collect();
    let uri = format!("https://{address}")
        .parse::<tonic::transport::Uri>()
        .map_err(|e| refused(format!("`{shown}` is not HOST:PORT: {e}")))?;
    let authority = uri
        .authority()
        .map(|a| (a.as_str(), a.host(), a.port_u16()));
    match authority {
        Some((all, host, Some(_))) if all == address && !host.is_empty() && !all.contains('@') => {
            Ok(address)
        }
        _ => Err(refused(format!(
            "`{shown}` is not HOST:PORT (a host name or IP address and a port, nothing else)"
        ))),
    }
}

/// The largest message tonic decodes at all: the largest of the bounds
/// by kind, which the server's request guard enforces first
/// ([`crate::limits::MessageLimit`]), so that tonic's own refusal
/// (`OUT_OF_RANGE`) is a second fence that is not reached.
pub const DECODE_LIMIT_BYTES: usize = MAX_MESSAGE_BYTES;

fn check_size(m: &impl prost::Message) -> Result<(), Error> {
    let size = m.encoded_len();
    if size > MAX_MESSAGE_BYTES {
        return Err(Error::TooLarge {
            size,
            limit: MAX_MESSAGE_BYTES,
        });
    }
    Ok(())
}

/// How the node runs.
#[derive(Clone, Debug)]
pub struct Options {
    /// How long a call stays open for answers that do not come.
    pub answer_timeout: Duration,
    /// How long to wait for every delegation to join before starting.
    pub join_timeout: Duration,
    /// The PKI directory with the authority's key, to sign acceded
    /// applicants' member certificates (none: it cannot).
    pub authority: Option<std::path::PathBuf>,
    /// The authority's revocation list (`crate::revocation`), read at start
    /// and again when it changes (none: nothing is revoked).
    pub revocations: Option<std::path::PathBuf>,
    /// Real seconds per simulated day, so people can watch (none: as fast
    /// as the delegations answer). A step waits at most 10 s.
    pub pace: Option<f64>,
    /// The limits against floods ([`crate::limits`]).
    pub limits: Limits,
    /// Where to keep the journal (none: the record lives in memory only,
    /// and a restart is a new run).
    pub data: Option<DataDir>,
    /// Time every call and, after each, an empty fan-out round (a probe
    /// that asks every delegation for nothing and waits for every reply):
    /// the network path's floor, for `rappard bench --network`
    /// ([`Negotiation::timings`]). Off: no probe is sent.
    pub probes: bool,
}

/// How long the lockstep took, measured by a node with
/// [`Options::probes`].
#[derive(Clone, Debug, Default)]
pub struct Timings {
    /// When the first call was issued (every delegation had joined, or
    /// the join timeout had passed).
    pub first_call: Option<std::time::Instant>,
    /// Per call: from running the core to it (issuing it) to closing it
    /// with every answer in.
    pub calls: Vec<Duration>,
    /// Per call: the part of it spent running the core to the call and
    /// publishing it, and closing it, the wait for the core's lock
    /// included (the feeds take it in turn).
    pub core: Vec<Duration>,
    /// Per probe round (one after each call): from sending the probe to
    /// every delegation to the last reply.
    pub probes: Vec<Duration>,
}

/// A data directory for the journal, with the scenario's text that the
/// journal keeps ([`crate::journal`]).
#[derive(Clone, Debug)]
pub struct DataDir {
    /// The directory.
    pub dir: std::path::PathBuf,
    /// The scenario file's text, as given.
    pub scenario_text: String,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            answer_timeout: Duration::from_secs(60),
            join_timeout: Duration::from_secs(120),
            authority: None,
            revocations: None,
            pace: None,
            limits: Limits::default(),
            data: None,
            probes: false,
        }
    }
}

struct Core {
    secretariat: Secretariat,
    /// The journal, if the node keeps one: every entry is in it before it
    /// is published, every answer before it is acknowledged.
    journal: Option<Journal>,
    finished: bool,
    /// The first of the node's tasks that failed, and why.
    failed: Option<(&'static str, String)>,
    /// Where the entries of the record that may go to a delegation's own
    /// feed stand (calls issued, accessions completed), in order, up to
    /// `own_indexed`: an own feed looks at these alone, not at every entry,
    /// so the work of all feeds per call grows with the membership, not
    /// with its square.
    own_entries: Vec<usize>,
    /// How much of the record `own_entries` covers.
    own_indexed: usize,
    /// The record's entries on the wire as a feed of the whole record
    /// sends them (the canonical JSON line and the typed call), each made
    /// once, when a whole-record feed first asks for it, and shared by
    /// every such feed: N observers cost one conversion per entry, not N,
    /// and their buffers hold references to one copy.
    wire: Vec<Arc<v1::RecordEntry>>,
}

impl Core {
    /// Brings `own_entries` up to entry index `upto` of the record.
    fn index_own_entries(&mut self, upto: usize) {
        let entries = self.secretariat.record().entries();
        let upto = upto.min(entries.len());
        for (i, e) in entries.iter().enumerate().take(upto).skip(self.own_indexed) {
            if matches!(
                e.event,
                Event::CallIssued { .. } | Event::AccessionCompleted { .. }
            ) {
                self.own_entries.push(i);
            }
        }
        self.own_indexed = self.own_indexed.max(upto);
    }

    /// The whole-record wire form of the entries in `range` (made once
    /// each, [`Core::wire`]).
    fn wire_entries(&mut self, range: std::ops::Range<usize>) -> &[Arc<v1::RecordEntry>] {
        let entries = self.secretariat.record().entries();
        let end = range.end.min(entries.len());
        if let Some(new) = entries.get(self.wire.len()..end) {
            self.wire
                .extend(new.iter().map(|e| Arc::new(convert::entry_to_wire(e))));
        }
        self.wire.get(range.start..end).unwrap_or_default()
    }

    /// The error of a failed task, if one failed.
    fn failure(&self) -> Option<Error> {
        self.failed.as_ref().map(|(task, detail)| Error::Task {
            task,
            detail: detail.clone(),
        })
    }
}

/// State shared by the service and the driver.
struct Shared {
    core: Mutex<Core>,
    /// The last sequence number published (and whether finished or
    /// failed, in `core`).
    published: watch::Sender<u64>,
    answered: Notify,
    joined: Mutex<BTreeSet<MemberId>>,
    joined_changed: Notify,
    expected: BTreeSet<MemberId>,
    scenario: String,
    seed: u64,
    authority: Option<std::path::PathBuf>,
    /// Where each delegation serves direct talks, and the SHA-256 of the
    /// certificate it serves them with, as it said when joining.
    talks: Mutex<BTreeMap<MemberId, (String, Vec<u8>)>>,
    /// The relay of direct talks for nodes that gave no talks address
    /// ([`crate::relay`]).
    relay: crate::relay::Relay,
    /// The member certificates signed on accession: the request's public
    /// key, and the certificate (PEM).
    issued: Mutex<BTreeMap<MemberId, (Vec<u8>, String)>>,
    /// The run (returned by `Join`).
    run: RunIdentity,
    /// What was replayed from the journal at start: record entries and
    /// answers (none: a new run).
    resumed: Option<(usize, usize)>,
    /// Each delegation's current session: its latest `Join`.
    sessions: Mutex<BTreeMap<MemberId, u64>>,
    /// Sessions handed out so far (the next is one more; it starts at a
    /// random multiple of 2^32, so sessions of another run never match).
    last_session: std::sync::atomic::AtomicU64,
    /// Woken when a delegation's session changes (its earlier node's feed
    /// ends).
    sessions_changed: Notify,
    /// The authority that must have issued every caller's certificate.
    ca: crate::tls::Authority,
    /// The limits against floods, and their counts.
    gate: Arc<Gate>,
    /// The teacher's controls and the open call's real deadline
    /// ([`crate::web`]).
    classroom: Classroom,
    /// The operators' metrics ([`crate::metrics`]).
    metrics: Arc<Metrics>,
    /// The open probe round (0: none yet; [`Options::probes`]).
    probe: watch::Sender<u64>,
    /// The delegations that replied to the open probe.
    probed: std::sync::Mutex<BTreeSet<MemberId>>,
    /// Woken by each reply to a probe.
    probe_replied: Notify,
    /// The times measured with [`Options::probes`].
    timings: std::sync::Mutex<Timings>,
}

/// The teacher's controls over the lockstep driver, and what the pages of
/// [`crate::web`] show of its clock: whether the driver is paused (it opens
/// no call, and the open call's timeout stands still), a request to close
/// the open call now, and the open call's real deadline.
struct Classroom {
    paused: watch::Sender<bool>,
    advance: Notify,
    deadline: std::sync::Mutex<Option<(u64, std::time::SystemTime)>>,
}

impl Classroom {
    fn new() -> Self {
        Self {
            paused: watch::channel(false).0,
            advance: Notify::new(),
            deadline: std::sync::Mutex::new(None),
        }
    }

    /// Sets (or, with `None`, clears) the open call's real deadline.
    fn set_deadline(&self, call: u64, left: Option<Duration>) {
        let at = left.map(|l| (call, std::time::SystemTime::now() + l));
        if let Ok(mut d) = self.deadline.lock() {
            *d = at;
        }
    }
}

/// A std mutex's guard, also after a panic elsewhere while it was held
/// (what it guards stays consistent: sets and lists of numbers).
fn locked<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Shared {
    fn new(started: Started, options: &Options, ca: crate::tls::Authority) -> Self {
        let Started {
            secretariat,
            journal,
            run,
            resumed,
            published,
        } = started;
        let agenda = secretariat.agenda();
        let expected = agenda
            .membership
            .delegations()
            .map(|m| m.id.clone())
            .chain(agenda.accessions.iter().map(|a| a.applicant.id.clone()))
            .collect();
        Self {
            scenario: agenda.name.clone(),
            seed: agenda.seed,
            authority: options.authority.clone(),
            talks: Mutex::new(BTreeMap::new()),
            relay: crate::relay::Relay::default(),
            gate: Arc::new(Gate::new(options.limits.clone(), ca.clone())),
            metrics: Arc::new(Metrics::new()),
            issued: Mutex::new(BTreeMap::new()),
            run,
            resumed,
            sessions: Mutex::new(BTreeMap::new()),
            last_session: std::sync::atomic::AtomicU64::new(session_base()),
            sessions_changed: Notify::new(),
            ca,
            classroom: Classroom::new(),
            core: Mutex::new(Core {
                secretariat,
                journal,
                finished: false,
                failed: None,
                own_entries: Vec::new(),
                own_indexed: 0,
                wire: Vec::new(),
            }),
            published: watch::channel(published).0,
            answered: Notify::new(),
            joined: Mutex::new(BTreeSet::new()),
            joined_changed: Notify::new(),
            expected,
            probe: watch::channel(0).0,
            probed: std::sync::Mutex::new(BTreeSet::new()),
            probe_replied: Notify::new(),
            timings: std::sync::Mutex::new(Timings::default()),
        }
    }

    /// Records that a task failed, and wakes whoever waits for the record.
    async fn fail(&self, task: &'static str, detail: String) {
        error!(task, "{detail}");
        let mut core = self.core.lock().await;
        core.failed.get_or_insert((task, detail));
        drop(core);
        self.relay.close_all();
        self.published.send_modify(|_| {});
    }
}

/// The core Secretariat a node starts with: new, or rebuilt from its
/// journal.
struct Started {
    secretariat: Secretariat,
    journal: Option<Journal>,
    run: RunIdentity,
    resumed: Option<(usize, usize)>,
    /// The entries that may be published at once (journaled ones).
    published: u64,
}

impl Started {
    /// A Secretariat for the agenda: from the journal in the data
    /// directory if there is one (replayed), otherwise new (with a new
    /// journal if a data directory is given).
    fn new(agenda: Agenda, data: Option<&DataDir>) -> Result<Self, Error> {
        let Some(data) = data else {
            let run = RunIdentity::new(&agenda.name, "", agenda.seed)?;
            return Ok(Self {
                secretariat: Secretariat::new(agenda),
                journal: None,
                run,
                resumed: None,
                published: 0,
            });
        };
        let opened = journal::open(&data.dir, &data.scenario_text, agenda)?;
        let published = match opened.resumed {
            Some((entries, answers)) => {
                info!(
                    journal = %data.dir.display(),
                    run = %opened.run.run_id,
                    entries,
                    answers,
                    "resumed from the journal"
                );
                entries as u64
            }
            None => {
                info!(journal = %data.dir.display(), run = %opened.run.run_id, "new journal");
                0
            }
        };
        Ok(Self {
            secretariat: opened.secretariat,
            journal: Some(opened.journal),
            run: opened.run,
            resumed: opened.resumed,
            published,
        })
    }
}

/// Where a run's session numbers start: a random multiple of 2^32.
fn session_base() -> u64 {
    let mut b = [0u8; 4];
    // Without randomness sessions still work; they only become guessable
    // across runs, which the run id check covers.
    let _ = getrandom::fill(&mut b);
    u64::from(u32::from_le_bytes(b)) << 32
}

impl Shared {
    /// Whether this node handed out `session`: sessions start at a random
    /// multiple of 2^32 ([`session_base`]) and count up from there.
    fn issued(&self, session: u64) -> bool {
        let last = self.last_session.load(std::sync::atomic::Ordering::Relaxed);
        session >> 32 == last >> 32 && session <= last
    }

    /// A new session for a delegation that joins: it replaces any earlier
    /// node of the same delegation (logged, and that node's feed ends).
    async fn new_session(&self, id: &MemberId) -> u64 {
        let session = self
            .last_session
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            + 1;
        let earlier = self.sessions.lock().await.insert(id.clone(), session);
        if let Some(earlier) = earlier {
            info!(member = %id, earlier, session, "a node of {id} joined again: its earlier session is replaced");
            self.sessions_changed.notify_waiters();
        }
        session
    }

    /// Refuses a request of a session that a later `Join` of the same
    /// delegation replaced (0: the caller gives none, taken as current),
    /// and, as a connection failure, one of a session this node never
    /// handed out: a node that joined the Secretariat before it restarted
    /// and whose channel reconnected under a request (tonic reconnects a
    /// channel by itself) must join again, not stop as replaced.
    async fn check_session(&self, me: &MemberId, session: u64) -> Result<(), Error> {
        if session == 0 || self.sessions.lock().await.get(me) == Some(&session) {
            return Ok(());
        }
        if !self.issued(session) {
            return Err(Error::SessionUnknown(format!(
                "session {session} of {me} was not opened by this Secretariat (it restarted since): join again"
            )));
        }
        Err(Error::Replaced(format!(
            "another node of {me} joined after this one (session {session}): only the latest node of a delegation may subscribe and answer, so that two nodes never answer for one delegation"
        )))
    }
}

impl Shared {
    /// Takes an answer to the open call, journaled before it is
    /// acknowledged. The very answer this delegation already gave to this
    /// call is a repeat (`true`), taken once; a different second answer is
    /// refused.
    async fn take(&self, me: &MemberId, call: u64, answer: Answer) -> Result<bool, Error> {
        let written = {
            let mut guard = self.core.lock().await;
            let core = &mut *guard;
            if core.secretariat.answer_taken(me, call) == Some(answer) {
                return Ok(true);
            }
            core.secretariat.answer(me, call, answer)?;
            self.metrics.answer(&answer);
            match &mut core.journal {
                Some(journal) => {
                    self.metrics.journal_answer();
                    journal.append_answer(me, call, answer)
                }
                None => Ok(()),
            }
        };
        if let Err(e) = written {
            let detail = format!("writing to the journal: {e}");
            self.fail("journal", detail.clone()).await;
            return Err(Error::Internal(detail));
        }
        Ok(false)
    }
}

/// A running negotiation's handle: the record, once finished.
#[derive(Clone)]
pub struct Negotiation {
    shared: Arc<Shared>,
}

impl Negotiation {
    /// The run this node serves: its id, scenario and seed.
    pub fn run(&self) -> &RunIdentity {
        &self.shared.run
    }

    /// The times of the calls and of the probe rounds so far (empty
    /// without [`Options::probes`]).
    pub fn timings(&self) -> Timings {
        locked(&self.shared.timings).clone()
    }

    /// What the node replayed from its journal when it started (record
    /// entries, answers), or `None` for a new run.
    pub fn resumed(&self) -> Option<(usize, usize)> {
        self.shared.resumed
    }

    /// The node's metrics ([`crate::metrics`]), to serve.
    pub fn metrics(&self) -> Arc<Metrics> {
        self.shared.metrics.clone()
    }

    /// Waits for the negotiation to end and returns its record, or the
    /// error of the first of the node's tasks (a server, the lockstep
    /// driver) that failed or panicked before it ended.
    pub async fn finished(&self) -> Result<Record, Error> {
        let mut rx = self.shared.published.subscribe();
        loop {
            {
                let core = self.shared.core.lock().await;
                if let Some(e) = core.failure() {
                    return Err(e);
                }
                if core.finished {
                    return Ok(core.secretariat.record().clone());
                }
            }
            rx.changed()
                .await
                .map_err(|_| Error::Internal("the negotiation's state was dropped".into()))?;
        }
    }
}

/// What [`Negotiation::published_since`] gives: a bounded batch of the
/// published record, and whether the record has ended (`Some(Ok)`: the
/// negotiation closed; `Some(Err)`: a task of the node failed).
pub struct Published {
    /// The entries, in order.
    pub entries: Vec<rappard_core::record::Entry>,
    /// Whether the record is complete, and how it ended.
    pub ended: Option<Result<(), String>>,
}

/// The classroom's hooks ([`crate::web`]): the web front reads the
/// published record through the same bounded batches as the record
/// streams, and answers for delegations played by people through the same
/// path as `Answer` (the core's `Secretariat::answer`, journaled, the
/// driver woken), so their answers are recorded like any delegation's.
impl Negotiation {
    /// The number of published entries, as it changes.
    pub fn published(&self) -> watch::Receiver<u64> {
        self.shared.published.subscribe()
    }

    /// Published entries after `after`, at most `max` (the core's lock is
    /// held only to copy them).
    pub async fn published_since(&self, after: u64, max: usize) -> Published {
        let core = self.shared.core.lock().await;
        let upto = *self.shared.published.borrow();
        let entries = core.secretariat.record().entries();
        let upto = usize::try_from(upto)
            .unwrap_or(usize::MAX)
            .min(entries.len());
        let from = usize::try_from(after).unwrap_or(usize::MAX).min(upto);
        let to = upto.min(from.saturating_add(max.max(1)));
        let batch = entries.get(from..to).unwrap_or_default().to_vec();
        let ended = match core.failure() {
            Some(e) => Some(Err(e.to_string())),
            None if core.finished && to >= entries.len() => Some(Ok(())),
            None => None,
        };
        Published {
            entries: batch,
            ended,
        }
    }

    /// Counts a delegation played by a person as joined (its page is open).
    pub async fn present(&self, id: &MemberId) {
        if self.shared.joined.lock().await.insert(id.clone()) {
            info!(member = %id, "joined from the browser");
            self.shared.joined_changed.notify_waiters();
        }
    }

    /// The answer `id` gave to `call`, if it is the open call and it has.
    pub async fn answer_given(&self, id: &MemberId, call: u64) -> Option<Answer> {
        self.shared
            .core
            .lock()
            .await
            .secretariat
            .answer_taken(id, call)
    }

    /// Takes a person's answer for delegation `id` (rate-limited like a
    /// node's): refused as the `Answer` rpc refuses it, and a second
    /// answer to the same call is refused (`FAILED_PRECONDITION`) even if
    /// it is the same.
    pub async fn answer_for(&self, id: &MemberId, call: u64, answer: Answer) -> Result<(), Error> {
        self.shared.gate.answer(id)?;
        if let Some(given) = self.answer_given(id, call).await {
            debug!(member = %id, call, ?given, "a second answer refused");
            return Err(Error::Answer(
                rappard_core::protocol::AnswerError::AlreadyAnswered {
                    member: id.clone(),
                    call,
                },
            ));
        }
        self.shared.take(id, call, answer).await?;
        debug!(member = %id, call, ?answer, "answer taken from the browser");
        self.shared.answered.notify_waiters();
        Ok(())
    }

    /// The open call's real deadline, if a call is open and the driver is
    /// not paused.
    pub fn deadline(&self) -> Option<(u64, std::time::SystemTime)> {
        self.shared.classroom.deadline.lock().ok().and_then(|d| *d)
    }

    /// Pauses (`true`) or resumes the driver.
    pub fn set_paused(&self, paused: bool) {
        info!(paused, "the teacher's control");
        self.shared.classroom.paused.send_replace(paused);
    }

    /// Whether the driver is paused.
    pub fn is_paused(&self) -> bool {
        *self.shared.classroom.paused.borrow()
    }

    /// Closes the open call now (its missing answers are recorded as not
    /// given, as at the answer timeout).
    pub fn advance(&self) {
        info!("the teacher closes the open call");
        self.shared.classroom.advance.notify_waiters();
    }
}

/// Who is speaking, from the certificate (checked at every call: a
/// certificate revoked or expired since the handshake is refused).
fn peer<T>(req: &Request<T>, authority: &crate::tls::Authority) -> Result<(MemberId, Role), Error> {
    let certs = req
        .extensions()
        .get::<crate::limits::ConnectionInfo>()
        .and_then(|i| i.peer_certs.clone())
        .filter(|c| !c.is_empty())
        .ok_or_else(|| {
            Error::Unauthenticated(
                "no client certificate: connect with a certificate issued by `rappard pki issue`"
                    .into(),
            )
        })?;
    authority.check(&certs)?;
    pki::identity(certs[0].as_ref()).ok_or_else(|| {
        Error::Unauthenticated("the client certificate carries no rappard://ROLE/ID name".into())
    })
}

/// The edge: a result of the service as gRPC answers it; a refusal is
/// logged (`warn`, throttled per rpc) and becomes its status.
/// Refusals are counted by status code in `metrics`.
fn edge<T>(
    metrics: &Metrics,
    rpc: &'static str,
    r: Result<T, Error>,
) -> Result<Response<T>, Status> {
    r.map(Response::new).map_err(|e| {
        warn_throttled!(rpc, rpc, error = %e, "request refused");
        let status = e.into_status();
        metrics.refusal(status.code());
        status
    })
}

struct Service {
    shared: Arc<Shared>,
    /// The transport this instance serves (`grpc`, `quic`), for the
    /// metrics.
    transport: &'static str,
}

/// A relayed delegation's offers ([`crate::relay`]).
type OfferStream = Pin<Box<dyn Stream<Item = Result<v1::RelayedOffer, Status>> + Send>>;

type EntryStream = Pin<Box<dyn Stream<Item = Result<v1::RecordEntry, Status>> + Send>>;

#[tonic::async_trait]
impl SecretariatService for Service {
    async fn join(&self, req: Request<v1::JoinRequest>) -> Result<Response<v1::JoinReply>, Status> {
        edge(&self.shared.metrics, "Join", self.join(req).await)
    }

    type SubscribeStream = EntryStream;

    async fn subscribe(
        &self,
        req: Request<v1::SubscribeRequest>,
    ) -> Result<Response<Self::SubscribeStream>, Status> {
        edge(&self.shared.metrics, "Subscribe", self.subscribe(req).await)
    }

    async fn answer(
        &self,
        req: Request<v1::AnswerRequest>,
    ) -> Result<Response<v1::AnswerReply>, Status> {
        edge(&self.shared.metrics, "Answer", self.answer(req).await)
    }

    async fn counterparts(
        &self,
        req: Request<v1::CounterpartsRequest>,
    ) -> Result<Response<v1::CounterpartsReply>, Status> {
        edge(
            &self.shared.metrics,
            "Counterparts",
            self.counterparts(req).await,
        )
    }

    async fn member_certificate(
        &self,
        req: Request<v1::MemberCertificateRequest>,
    ) -> Result<Response<v1::MemberCertificateReply>, Status> {
        edge(
            &self.shared.metrics,
            "MemberCertificate",
            self.member_certificate(req).await,
        )
    }

    async fn probe(
        &self,
        req: Request<v1::ProbeRequest>,
    ) -> Result<Response<v1::ProbeReply>, Status> {
        edge(&self.shared.metrics, "Probe", self.probe(req).await)
    }

    async fn relay_offer(
        &self,
        req: Request<v1::RelayOfferRequest>,
    ) -> Result<Response<v1::OfferReply>, Status> {
        edge(
            &self.shared.metrics,
            "RelayOffer",
            self.relay_offer(req).await,
        )
    }

    type OffersStream = OfferStream;

    async fn offers(
        &self,
        req: Request<v1::OffersRequest>,
    ) -> Result<Response<Self::OffersStream>, Status> {
        edge(&self.shared.metrics, "Offers", self.offers(req).await)
    }

    async fn reply_offer(
        &self,
        req: Request<v1::ReplyOfferRequest>,
    ) -> Result<Response<v1::ReplyOfferReply>, Status> {
        edge(
            &self.shared.metrics,
            "ReplyOffer",
            self.reply_offer(req).await,
        )
    }
}

impl Service {
    async fn join(&self, req: Request<v1::JoinRequest>) -> Result<v1::JoinReply, Error> {
        let (id, role) = peer(&req, &self.shared.ca)?;
        let talks = check_talks_address(&req.get_ref().talks_address)?.to_owned();
        if talks.is_empty() {
            // A node behind NAT: its talks go through the relay.
            self.shared.talks.lock().await.remove(&id);
        } else {
            let pin = check_talks_pin(&req.get_ref().talks_certificate_sha256)?;
            self.shared
                .talks
                .lock()
                .await
                .insert(id.clone(), (talks, pin));
        }
        let session = self.shared.new_session(&id).await;
        self.shared.joined.lock().await.insert(id.clone());
        self.shared.joined_changed.notify_waiters();
        let last_seq = *self.shared.published.borrow();
        info!(member = %id, role = role.as_str(), last_seq, session, "joined");
        Ok(v1::JoinReply {
            member: id.to_string(),
            role: match role {
                Role::Member => v1::Role::Member,
                Role::Applicant => v1::Role::Applicant,
                Role::Secretariat => v1::Role::Secretariat,
            } as i32,
            scenario: self.shared.scenario.clone(),
            seed: self.shared.seed,
            last_seq,
            run_id: self.shared.run.run_id.clone(),
            session,
        })
    }

    async fn subscribe(&self, req: Request<v1::SubscribeRequest>) -> Result<EntryStream, Error> {
        let (me, role) = peer(&req, &self.shared.ca)?;
        let v1::SubscribeRequest {
            after_seq,
            only_my_calls,
            session,
        } = req.into_inner();
        self.shared.check_session(&me, session).await?;
        let len = *self.shared.published.borrow();
        if after_seq > len {
            return Err(Error::OutOfRange(format!(
                "field `SubscribeRequest.after_seq`: {after_seq} is beyond the record, which has {len} entries: this Secretariat never published entry {after_seq} (a delegation resuming a run this node did not serve?)"
            )));
        }
        let place = self.shared.gate.subscription(&me)?;
        let presence = self.shared.metrics.connected(self.transport, role.as_str());
        let reader = Reader {
            me,
            session,
            only_my_calls,
        };
        let mut stream = open_feed(&self.shared, reader, after_seq, place);
        stream.presence = Some(presence);
        Ok(Box::pin(stream))
    }

    async fn answer(&self, req: Request<v1::AnswerRequest>) -> Result<v1::AnswerReply, Error> {
        let (me, role) = peer(&req, &self.shared.ca)?;
        self.shared.gate.answer(&me)?;
        check_size(req.get_ref())?;
        let body = req.into_inner();
        if !body.member.is_empty() && body.member != me.as_str() {
            return Err(Error::PermissionDenied(format!(
                "{me} cannot answer for {}: a delegation acts only for itself",
                body.member
            )));
        }
        if role == Role::Secretariat {
            return Err(Error::PermissionDenied(
                "the Secretariat's certificate reads the record but does not answer".into(),
            ));
        }
        let answer = convert::answer_from_wire(body.answer.as_ref())
            .map_err(|e| Error::InvalidArgument(e.to_string()))?;
        if role == Role::Applicant && !matches!(answer, Answer::Offer(_)) {
            return Err(Error::PermissionDenied(format!(
                "{me} holds an applicant's certificate: it may only make its offers in bilateral talks (a Member asks for its member certificate first), not give {}",
                match answer {
                    Answer::Vote(_) => "a vote",
                    Answer::Objection(_) => "an objection",
                    Answer::Join(_) => "a decision to join an initiative",
                    _ => "this answer",
                }
            )));
        }
        let span = error_span!("delegation", member = %me, call = body.call);
        async {
            self.shared.check_session(&me, body.session).await?;
            let repeat = self.shared.take(&me, body.call, answer).await?;
            if repeat {
                debug!(?answer, "the same answer again: taken once");
            } else {
                debug!(?answer, "answer taken");
                self.shared.answered.notify_waiters();
            }
            Ok(v1::AnswerReply { repeat })
        }
        .instrument(span)
        .await
    }

    /// A delegation's reply to the open probe: counted once; a reply to
    /// another probe changes nothing.
    async fn probe(&self, req: Request<v1::ProbeRequest>) -> Result<v1::ProbeReply, Error> {
        let (me, _) = peer(&req, &self.shared.ca)?;
        let body = req.into_inner();
        self.shared.check_session(&me, body.session).await?;
        if body.probe != 0 && body.probe == *self.shared.probe.borrow() {
            locked(&self.shared.probed).insert(me);
            self.shared.probe_replied.notify_waiters();
        }
        Ok(v1::ProbeReply {})
    }

    async fn counterparts(
        &self,
        req: Request<v1::CounterpartsRequest>,
    ) -> Result<v1::CounterpartsReply, Error> {
        let (me, _) = peer(&req, &self.shared.ca)?;
        let members = self
            .shared
            .core
            .lock()
            .await
            .secretariat
            .bilateral_counterparts(me.as_str())
            .ok_or_else(|| {
                Error::FailedPrecondition(format!("{me} is not an applicant in this negotiation"))
            })?;
        let talks = self.shared.talks.lock().await;
        Ok(v1::CounterpartsReply {
            counterparts: members
                .into_iter()
                .map(|m| {
                    // Empty: the member's node gave no address (it has not
                    // joined, or serves no talks); the applicant skips it.
                    let (talks_address, talks_certificate_sha256) =
                        talks.get(&m).cloned().unwrap_or_default();
                    v1::Counterpart {
                        talks_address,
                        talks_certificate_sha256,
                        member: m.to_string(),
                    }
                })
                .collect(),
        })
    }

    /// An applicant's offer to a Working Party member whose node gave no
    /// talks address, relayed to that node ([`crate::relay`]): who makes
    /// it is read from the certificate; only to a member of its Working
    /// Party it has no deal with yet.
    async fn relay_offer(
        &self,
        req: Request<v1::RelayOfferRequest>,
    ) -> Result<v1::OfferReply, Error> {
        let (me, role) = peer(&req, &self.shared.ca)?;
        if role != Role::Applicant {
            return Err(Error::PermissionDenied(format!(
                "{me} is not an applicant: only an applicant makes offers"
            )));
        }
        let body = req.into_inner();
        let offer = body.offer.ok_or_else(|| {
            Error::InvalidArgument("field `RelayOfferRequest.offer`: missing".into())
        })?;
        if offer.offer > u32::from(rappard_core::protocol::MAX_LEVEL) {
            return Err(Error::InvalidArgument(format!(
                "field `RelayOfferRequest.offer.offer`: {} is beyond 0..=10000",
                offer.offer
            )));
        }
        let to = MemberId::new(&body.member).map_err(|why| {
            Error::InvalidArgument(format!("field `RelayOfferRequest.member`: {why}"))
        })?;
        let counterparts = self
            .shared
            .core
            .lock()
            .await
            .secretariat
            .bilateral_counterparts(me.as_str())
            .ok_or_else(|| {
                Error::FailedPrecondition(format!("{me} is not an applicant in this negotiation"))
            })?;
        if !counterparts.contains(&to) {
            return Err(Error::FailedPrecondition(format!(
                "{to} is not a member of {me}'s Working Party without a deal: no offer is relayed to it"
            )));
        }
        // A node that joined without a talks address may still be opening
        // its stream; one that never joined is no deal at once.
        let wait = self.shared.joined.lock().await.contains(&to)
            && !self.shared.talks.lock().await.contains_key(&to);
        let span = error_span!("delegation", member = %me, call = offer.call);
        let accept = self
            .shared
            .relay
            .offer(&to, &me, offer, wait)
            .instrument(span.clone())
            .await?;
        span.in_scope(|| debug!(to = %to, accept, "offer relayed"));
        Ok(v1::OfferReply { accept })
    }

    /// A relayed delegation's stream of the offers made to it
    /// ([`crate::relay`]); it ends when the negotiation closes.
    async fn offers(&self, req: Request<v1::OffersRequest>) -> Result<OfferStream, Error> {
        let (me, role) = peer(&req, &self.shared.ca)?;
        if role == Role::Secretariat {
            return Err(Error::PermissionDenied(
                "the Secretariat's certificate reads the record but holds no talks".into(),
            ));
        }
        self.shared
            .check_session(&me, req.get_ref().session)
            .await?;
        let mut offers = self.shared.relay.open(&me);
        let core = self.shared.core.lock().await;
        if core.finished || core.failed.is_some() {
            offers.close();
        }
        drop(core);
        info!(member = %me, "takes its offers through the relay");
        let offers = tokio_stream::wrappers::ReceiverStream::new(offers);
        Ok(Box::pin(tokio_stream::StreamExt::map(offers, Ok)))
    }

    /// A relayed delegation's node's reply to an offer made to it.
    async fn reply_offer(
        &self,
        req: Request<v1::ReplyOfferRequest>,
    ) -> Result<v1::ReplyOfferReply, Error> {
        let (me, _) = peer(&req, &self.shared.ca)?;
        let body = req.into_inner();
        self.shared.check_session(&me, body.session).await?;
        self.shared.relay.reply(&me, body.relay, body.accept)?;
        Ok(v1::ReplyOfferReply {})
    }

    /// Signs an acceded applicant's request for its member certificate:
    /// only for an applicant whose accession completed in this run, only
    /// for the caller's own id, only once (the same request's key again
    /// gets the same certificate: a reply lost on the way is not a second
    /// signing).
    async fn member_certificate(
        &self,
        req: Request<v1::MemberCertificateRequest>,
    ) -> Result<v1::MemberCertificateReply, Error> {
        let (me, role) = peer(&req, &self.shared.ca)?;
        if role != Role::Applicant {
            return Err(Error::FailedPrecondition(format!(
                "{me} holds a {} certificate already: only an acceded applicant is issued a member certificate",
                role.as_str()
            )));
        }
        if !self.acceded(&me).await {
            return Err(Error::FailedPrecondition(format!(
                "{me} is not a Member yet: its accession has not completed in this negotiation"
            )));
        }
        let Some(dir) = &self.shared.authority else {
            return Err(Error::FailedPrecondition(
                "this Secretariat keeps no authority key and cannot sign certificates".into(),
            ));
        };
        let request =
            pki::SigningRequest::parse(&req.get_ref().csr, "MemberCertificateRequest.csr")?;
        check_requested_name(&request, &me)?;
        let mut issued = self.shared.issued.lock().await;
        if let Some((key, certificate)) = issued.get(&me) {
            if *key == request.public_key() {
                info!(member = %me, "member certificate sent again for the same key");
                return Ok(v1::MemberCertificateReply {
                    certificate: certificate.clone(),
                });
            }
            return Err(Error::FailedPrecondition(format!(
                "{me} has been issued its member certificate already, for another key: a member certificate is signed once"
            )));
        }
        let key = request.public_key();
        let certificate = request
            .sign(dir, &me, Role::Member, pki::Validity::days(pki::NODE_DAYS))
            .map_err(|e| Error::Internal(format!("signing the certificate of {me}: {e}")))?;
        let serial = pki::serial(&certificate).unwrap_or_default();
        issued.insert(me.clone(), (key, certificate.clone()));
        info!(member = %me, serial = %serial, "member certificate signed for the node's own key");
        Ok(v1::MemberCertificateReply { certificate })
    }

    /// Whether `id`'s accession completed in this negotiation.
    async fn acceded(&self, id: &MemberId) -> bool {
        let core = self.shared.core.lock().await;
        core.secretariat.record().entries().iter().any(
            |e| matches!(&e.event, Event::AccessionCompleted { applicant, .. } if applicant == id),
        )
    }
}

/// Refuses a request that does not name `rappard://member/ID` with the
/// caller's own id, or names another `rappard://` identity.
fn check_requested_name(request: &pki::SigningRequest, me: &MemberId) -> Result<(), Error> {
    let mine = format!("rappard://member/{me}");
    let names = request.rappard_names();
    if let Some(other) = names.iter().find(|n| **n != mine) {
        return Err(Error::PermissionDenied(format!(
            "{me} asks for a certificate naming {other}: a Member is certified under its own id only ({mine})"
        )));
    }
    if names.is_empty() {
        return Err(Error::InvalidArgument(format!(
            "field `MemberCertificateRequest.csr`: the request names no {mine}"
        )));
    }
    Ok(())
}

/// Checks the fingerprint of a delegation's talks certificate, given with
/// a talks address: SHA-256, 32 bytes; otherwise `INVALID_ARGUMENT` naming
/// the field.
fn check_talks_pin(pin: &[u8]) -> Result<Vec<u8>, Error> {
    if pin.len() != crate::talks::FINGERPRINT_BYTES {
        return Err(Error::InvalidArgument(format!(
            "field `JoinRequest.talks_certificate_sha256`: {} bytes; a talks address needs the SHA-256 ({} bytes) of the certificate it serves with",
            pin.len(),
            crate::talks::FINGERPRINT_BYTES
        )));
    }
    Ok(pin.to_vec())
}

/// One subscriber's record stream, as the service returns it: the entries
/// its feed buffers (at most `feed_buffer`), then, if the feed was cut off,
/// replaced or a task of the node failed, the status that says so. It
/// holds the subscriber's place ([`Gate::subscription`]) until tonic drops
/// it.
struct RecordStream {
    entries: mpsc::Receiver<Arc<v1::RecordEntry>>,
    end: oneshot::Receiver<Status>,
    _place: Slot<MemberId>,
    /// Counts the delegation as connected while its stream is open.
    presence: Option<Presence>,
}

impl Stream for RecordStream {
    type Item = Result<v1::RecordEntry, Status>;

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        let next = std::task::ready!(self.entries.poll_recv(cx));
        // The feed sends its last word before it drops its sender.
        std::task::Poll::Ready(match next {
            // A shared entry is copied here, as tonic takes it to encode
            // into this stream's frame; a feed's own (a call to one
            // delegation, a probe) is moved.
            Some(entry) => Some(Ok(Arc::unwrap_or_clone(entry))),
            None => self.end.try_recv().ok().map(Err),
        })
    }
}

/// Starts the feed of one subscriber (in a `delegation` span) and returns
/// its stream.
fn open_feed(
    shared: &Arc<Shared>,
    reader: Reader,
    after_seq: u64,
    place: Slot<MemberId>,
) -> RecordStream {
    let (tx, entries) = mpsc::channel(shared.gate.limits().feed_buffer.max(1));
    let (last_word, end) = oneshot::channel();
    let span = error_span!("delegation", member = %reader.me);
    let subscriber = Subscriber { tx, last_word };
    tokio::spawn(feed(shared.clone(), reader, after_seq, subscriber).instrument(span));
    RecordStream {
        entries,
        end,
        _place: place,
        presence: None,
    }
}

/// Where a feed sends: the entries, and a last word if the stream does not
/// simply end.
struct Subscriber {
    tx: mpsc::Sender<Arc<v1::RecordEntry>>,
    last_word: oneshot::Sender<Status>,
}

/// Who reads a feed: the delegation, its session (0: none given), and
/// whether it follows only its own calls.
struct Reader {
    me: MemberId,
    session: u64,
    only_my_calls: bool,
}

/// What a feed does after sending a batch.
enum Next {
    /// Wait for more of the record.
    Wait,
    /// Send the next batch at once (this one was as large as the buffer).
    More,
    /// End the stream (with this status, if any).
    End(Option<Status>),
}

/// Feeds one subscriber the published record after `cursor` as it grows
/// (with `only_my_calls`, only its calls and its accession), a bounded
/// batch at a time (the core's lock is held only to copy it), until the
/// negotiation has closed, a task of the node has failed (the stream ends
/// with its error), a later node of the same delegation has replaced this
/// one (`ABORTED`), the subscriber has gone, or the subscriber has left its
/// buffer full for `subscriber_timeout` (it is cut off: `UNAVAILABLE`).
/// Only published entries are sent: with a journal, none before it is
/// synced.
async fn feed(shared: Arc<Shared>, reader: Reader, mut cursor: u64, to: Subscriber) {
    let (batch_max, timeout) = {
        let limits = shared.gate.limits();
        (limits.feed_buffer.max(1), limits.subscriber_timeout)
    };
    let mut published = shared.published.subscribe();
    let mut probes = shared.probe.subscribe();
    loop {
        let replaced = shared.sessions_changed.notified();
        tokio::pin!(replaced);
        replaced.as_mut().enable();
        let (batch, next) = next_batch(&shared, &reader, &mut cursor, batch_max).await;
        for e in batch {
            if let Err(last_word) = send_one(&shared, &to, e, (timeout, batch_max)).await {
                if let Some(status) = last_word {
                    let _ = to.last_word.send(status);
                }
                return;
            }
        }
        match next {
            Next::More => continue,
            Next::End(status) => {
                if let Some(status) = status {
                    let _ = to.last_word.send(status);
                }
                return;
            }
            Next::Wait => {}
        }
        tokio::select! {
            changed = published.changed() => if changed.is_err() { return },
            changed = probes.changed(), if reader.only_my_calls => {
                if changed.is_err() {
                    return;
                }
                let probe = Arc::new(v1::RecordEntry {
                    probe: *probes.borrow_and_update(),
                    ..v1::RecordEntry::default()
                });
                if let Err(last_word) = send_one(&shared, &to, probe, (timeout, batch_max)).await {
                    if let Some(status) = last_word {
                        let _ = to.last_word.send(status);
                    }
                    return;
                }
            }
            () = &mut replaced => {}
            () = to.tx.closed() => {
                info!("left: the delegation closed its stream");
                return;
            }
        }
    }
}

/// Sends one entry to a subscriber within `timeout`; `Err` ends its feed,
/// with the last word to say (none: the delegation left). `limits` are
/// the subscriber timeout and the buffer's size.
async fn send_one(
    shared: &Shared,
    to: &Subscriber,
    e: Arc<v1::RecordEntry>,
    (timeout, batch_max): (Duration, usize),
) -> Result<(), Option<Status>> {
    match tokio::time::timeout(timeout, to.tx.send(e)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => {
            info!("left: the delegation closed its stream");
            Err(None)
        }
        Err(_) => {
            let why = format!(
                "the subscriber took no entry for {} s with {batch_max} waiting (--subscriber-timeout): its stream is cut off; subscribe again after the last sequence number it saw",
                timeout.as_secs_f64()
            );
            warn_throttled!("subscriber cut off", "{why}");
            shared.metrics.cut_off();
            Err(Some(Error::Transport(why).into_status()))
        }
    }
}

/// The published entries after `cursor` that go to `reader`, at most
/// `batch_max` of the record's, and what to do after sending them.
async fn next_batch(
    shared: &Shared,
    reader: &Reader,
    cursor: &mut u64,
    batch_max: usize,
) -> (Vec<Arc<v1::RecordEntry>>, Next) {
    if let Err(e) = shared.check_session(&reader.me, reader.session).await {
        info!("left: {e}");
        return (Vec::new(), Next::End(Some(e.into_status())));
    }
    let mut core = shared.core.lock().await;
    let upto = *shared.published.borrow();
    let from = usize::try_from(*cursor).unwrap_or(usize::MAX);
    let upto_index = usize::try_from(upto)
        .unwrap_or(usize::MAX)
        .min(core.secretariat.record().len());
    let (batch, stopped_at) = if reader.only_my_calls {
        own_entries(&mut core, &reader.me, from..upto_index, batch_max)
    } else {
        all_entries(&mut core, from..upto_index, batch_max)
    };
    if let Some(next) = stopped_at {
        *cursor = next as u64;
        return (batch, Next::More);
    }
    let entries = core.secretariat.record().entries();
    *cursor = (*cursor).max(upto);
    let next = if let Some(e) = core.failure() {
        Next::End(Some(e.into_status()))
    } else if core.finished && *cursor >= entries.len() as u64 {
        debug!("the record is sent to its end");
        Next::End(None)
    } else {
        Next::Wait
    };
    (batch, next)
}

/// The entries of the record in `range`, at most `batch_max`, on the
/// wire (shared: [`Core::wire`]); and where to go on from if the batch
/// stopped short of the range's end.
fn all_entries(
    core: &mut Core,
    range: std::ops::Range<usize>,
    batch_max: usize,
) -> (Vec<Arc<v1::RecordEntry>>, Option<usize>) {
    let end = range.end.min(range.start.saturating_add(batch_max));
    let batch = core.wire_entries(range.start..end).to_vec();
    (batch, (end < range.end).then_some(end))
}

/// The entries in `range` that go to `me`'s own feed (its calls and its
/// accession, [`convert::own_entry_to_wire`]), at most `batch_max`; and
/// where to go on from if the batch stopped short of the range's end.
/// Only the indexed calls and accessions are looked at.
fn own_entries(
    core: &mut Core,
    me: &MemberId,
    range: std::ops::Range<usize>,
    batch_max: usize,
) -> (Vec<Arc<v1::RecordEntry>>, Option<usize>) {
    core.index_own_entries(range.end);
    let entries = core.secretariat.record().entries();
    let first = core.own_entries.partition_point(|&i| i < range.start);
    let mut batch = Vec::new();
    for &i in &core.own_entries[first..] {
        if i >= range.end {
            break;
        }
        if batch.len() == batch_max {
            return (batch, Some(i));
        }
        if let Some(e) = convert::own_entry_to_wire(&entries[i], me) {
            batch.push(Arc::new(e));
        }
    }
    (batch, None)
}

/// Where the Secretariat listens.
pub struct Listeners {
    /// gRPC over TCP with TLS.
    pub grpc: Option<TcpListener>,
    /// gRPC inside QUIC.
    pub quic: Option<std::net::UdpSocket>,
}

/// The node's tasks, by name, to watch.
#[derive(Default)]
struct Tasks {
    set: JoinSet<Result<(), Error>>,
    names: HashMap<tokio::task::Id, &'static str>,
}

impl Tasks {
    fn spawn(
        &mut self,
        name: &'static str,
        task: impl Future<Output = Result<(), Error>> + Send + 'static,
    ) {
        let handle = self.set.spawn(task.in_current_span());
        self.names.insert(handle.id(), name);
    }

    /// Waits for every task; the first that fails or panics fails the
    /// negotiation.
    async fn watch(mut self, shared: Arc<Shared>) {
        while let Some(done) = self.set.join_next_with_id().await {
            let (id, outcome) = match done {
                Ok((id, r)) => (id, r.map_err(|e| e.to_string())),
                Err(e) => (e.id(), Err(join_error(e))),
            };
            let task = *self
                .names
                .get(&id)
                .expect("every task is named when it is spawned");
            match outcome {
                Ok(()) => debug!(task, "ended"),
                Err(detail) => shared.fail(task, detail).await,
            }
        }
    }
}

/// What a task that did not return says: its panic, or its cancellation.
pub(crate) fn join_error(e: tokio::task::JoinError) -> String {
    if e.is_cancelled() {
        return "it was cancelled".into();
    }
    let panic = e.into_panic();
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into());
    format!("it panicked: {what}")
}

/// Starts a negotiation: the service on every listener (with health and
/// reflection), and the driver, each task watched (module doc). The
/// servers stop when `shutdown` completes; the handle gives the record.
pub async fn serve(
    agenda: Agenda,
    creds: &Credentials,
    listeners: Listeners,
    options: Options,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<Negotiation, Error> {
    let authority = match &options.revocations {
        Some(path) => crate::tls::Authority::with_revocations(&creds.ca, path)?,
        None => crate::tls::Authority::new(&creds.ca)?,
    };
    let started = Started::new(agenda, options.data.as_ref())?;
    let shared = Arc::new(Shared::new(started, &options, authority.clone()));
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    let stopped = move || {
        let mut rx = stop_rx.clone();
        async move {
            let _ = rx.wait_for(|s| *s).await;
        }
    };
    let mut tasks = Tasks::default();
    if let Some(listener) = listeners.grpc {
        let server = grpc_server(&shared, creds, &authority, listener, stopped()).await?;
        tasks.spawn("gRPC server", server);
    }
    if let Some(socket) = listeners.quic {
        let server = quic_server(&shared, creds, &authority, socket, stopped()).await?;
        tasks.spawn("QUIC server", server);
    }
    tasks.spawn("lockstep driver", drive(shared.clone(), options));
    tokio::spawn(tasks.watch(shared.clone()));
    Ok(Negotiation { shared })
}

/// The gRPC-over-TCP server, ready to run.
async fn grpc_server(
    shared: &Arc<Shared>,
    creds: &Credentials,
    authority: &crate::tls::Authority,
    listener: TcpListener,
    stopped: impl Future<Output = ()> + Send + 'static,
) -> Result<impl Future<Output = Result<(), Error>> + Send + 'static, Error> {
    let gate = shared.gate.clone();
    let tls =
        crate::tls::secretariat_rustls(creds, authority, gate.limits().require_client_certificate)?;
    let router = router(shared, "grpc").await?;
    if let Ok(addr) = listener.local_addr() {
        info!(%addr, "serving gRPC over TCP with TLS");
    }
    Ok(async move {
        router
            .serve_with_incoming_shutdown(crate::tls::accept(listener, tls, gate), stopped)
            .await
            .map_err(|e| Error::Transport(crate::causes(&e)))
    })
}

/// The gRPC-inside-QUIC server, ready to run.
async fn quic_server(
    shared: &Arc<Shared>,
    creds: &Credentials,
    authority: &crate::tls::Authority,
    socket: std::net::UdpSocket,
    stopped: impl Future<Output = ()> + Send + 'static,
) -> Result<impl Future<Output = Result<(), Error>> + Send + 'static, Error> {
    let gate = shared.gate.clone();
    let config = crate::quic::server_config(creds, authority, gate.limits())?;
    let addr = socket.local_addr().ok();
    crate::quic::size_buffers(&socket);
    let endpoint = quinn::Endpoint::new(
        crate::quic::server_endpoint_config(creds),
        Some(config),
        socket,
        Arc::new(quinn::TokioRuntime),
    )
    .map_err(|e| Error::QuicConfig {
        what: "the QUIC endpoint".into(),
        detail: e.to_string(),
    })?;
    let router = router(shared, "quic").await?;
    if let Some(addr) = addr {
        info!(%addr, "serving gRPC inside QUIC");
    }
    let closing = endpoint.clone();
    Ok(async move {
        let served = router
            .serve_with_incoming_shutdown(crate::quic::incoming(endpoint, gate), stopped)
            .await
            .map_err(|e| Error::Transport(crate::causes(&e)));
        closing.close(0u32.into(), b"shutdown");
        served
    })
}

/// A server of the Secretariat's, its requests guarded
/// ([`crate::limits::guard_request`]).
type Guarded = tonic::transport::server::Router<
    tower::layer::util::Stack<
        tower::util::MapRequestLayer<crate::limits::RequestGuard>,
        tower::layer::util::Identity,
    >,
>;

/// The services of one transport: health, reflection (v1 and v1alpha) and
/// the Secretariat, every request through the guard of
/// [`crate::limits`], at most `streams_per_connection` streams at once on
/// a connection.
async fn router(shared: &Arc<Shared>, transport: &'static str) -> Result<Guarded, Error> {
    let (health, health_service) = tonic_health::server::health_reporter();
    health.set_serving::<SecretariatServer<Service>>().await;
    let reflection = |e: tonic_reflection::server::Error| {
        Error::Internal(format!("the reflection service: {e}"))
    };
    let reflection_v1 = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(v1::FILE_DESCRIPTOR_SET)
        .build_v1()
        .map_err(reflection)?;
    let reflection_v1alpha = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(v1::FILE_DESCRIPTOR_SET)
        .build_v1alpha()
        .map_err(reflection)?;
    let service = SecretariatServer::new(Service {
        shared: shared.clone(),
        transport,
    })
    .max_decoding_message_size(DECODE_LIMIT_BYTES);
    let guard: crate::limits::RequestGuard = crate::limits::guard_request;
    Ok(tonic::transport::Server::builder()
        .http2_keepalive_interval(Some(Duration::from_secs(20)))
        .max_concurrent_streams(shared.gate.limits().streams_per_connection)
        .layer(tower::util::MapRequestLayer::new(guard))
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(service))
}

/// The lockstep driver (module doc).
async fn drive(shared: Arc<Shared>, options: Options) -> Result<(), Error> {
    wait_for_joins(&shared, options.join_timeout).await;
    let mut sim_before: Option<i64> = None;
    loop {
        wait_while_paused(&shared).await;
        let issued = std::time::Instant::now();
        let Some((call, sim_now)) = open_next_call(&shared).await? else {
            break;
        };
        let core_open = issued.elapsed();
        let span = error_span!("call", call = call.call, kind = ?call.kind, item = %call.subject);
        let opened = tokio::time::Instant::now();
        async {
            if let (Some(pace), Some(now), Some(before)) = (options.pace, sim_now, sim_before) {
                let real = ((now - before).max(0) as f64 / 86_400.0 * pace).min(10.0);
                if real > 0.0 {
                    tokio::time::sleep(Duration::from_secs_f64(real)).await;
                }
            }
            wait_for_answers(&shared, call.call, options.answer_timeout).await;
            let closing = std::time::Instant::now();
            close_call(&shared, call.awaited.len()).await;
            shared.metrics.call_closed(opened.elapsed());
            if options.probes {
                {
                    let mut t = locked(&shared.timings);
                    t.first_call.get_or_insert(issued);
                    t.calls.push(issued.elapsed());
                    t.core.push(core_open + closing.elapsed());
                }
                probe_round(&shared, options.answer_timeout).await;
            }
        }
        .instrument(span)
        .await;
        sim_before = sim_now.or(sim_before);
    }
    info!("the negotiation closed");
    Ok(())
}

/// An empty fan-out round ([`Options::probes`]): a probe to the feed of
/// every delegation that has joined, and the wait for every reply (or
/// `timeout`); its time is recorded as the network path's floor.
async fn probe_round(shared: &Shared, timeout: Duration) {
    let expected = shared.joined.lock().await.len();
    locked(&shared.probed).clear();
    let started = std::time::Instant::now();
    shared.probe.send_modify(|n| *n += 1);
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let replied = shared.probe_replied.notified();
        tokio::pin!(replied);
        replied.as_mut().enable();
        let got = locked(&shared.probed).len();
        if got >= expected {
            locked(&shared.timings).probes.push(started.elapsed());
            return;
        }
        if tokio::time::timeout_at(deadline, replied).await.is_err() {
            warn!(
                expected,
                replied = got,
                "probe: not every delegation replied within {} s",
                timeout.as_secs_f64()
            );
            return;
        }
    }
}

/// Waits until every expected delegation has joined, or `timeout`.
async fn wait_for_joins(shared: &Shared, timeout: Duration) {
    let until = tokio::time::Instant::now() + timeout;
    loop {
        let changed = shared.joined_changed.notified();
        tokio::pin!(changed);
        changed.as_mut().enable();
        let missing: Vec<MemberId> = {
            let joined = shared.joined.lock().await;
            shared.expected.difference(&joined).cloned().collect()
        };
        if missing.is_empty() {
            info!(
                delegations = shared.expected.len(),
                "every delegation has joined: starting"
            );
            return;
        }
        if tokio::time::timeout_at(until, changed).await.is_err() {
            warn!(
                missing = missing.len(),
                "join timeout ({} s): starting without {}",
                timeout.as_secs_f64(),
                names(&missing)
            );
            return;
        }
    }
}

/// Runs the core to the next call and publishes the record; the call and
/// the simulated time, or `None` when the negotiation has ended.
///
/// With a journal, the new entries are journaled and synced first (one
/// group per closed call); a journal that cannot be written fails the
/// negotiation, and nothing more is published.
async fn open_next_call(shared: &Shared) -> Result<Option<(Call, Option<i64>)>, Error> {
    let mut guard = shared.core.lock().await;
    let core = &mut *guard;
    let call = core.secretariat.step().cloned();
    let sim_now = core
        .secretariat
        .record()
        .entries()
        .last()
        .map(|e| e.at.unix());
    if let Some(journal) = &mut core.journal {
        let began = std::time::Instant::now();
        journal
            .append_entries(core.secretariat.record())
            .map_err(|e| Error::Internal(format!("writing to the journal: {e}")))?;
        shared.metrics.journal_entries(began.elapsed());
    }
    if call.is_none() {
        core.finished = true;
        shared.relay.close_all();
    }
    let seq = core.secretariat.record().len() as u64;
    shared.published.send_replace(seq);
    shared.metrics.record_entries(seq);
    shared.metrics.calls_open(i64::from(call.is_some()));
    Ok(call.map(|c| (c, sim_now)))
}

/// Waits while the teacher has paused the driver.
async fn wait_while_paused(shared: &Shared) {
    let mut paused = shared.classroom.paused.subscribe();
    let _ = paused.wait_for(|p| !*p).await;
}

/// Waits until every awaited delegation has answered the open call, or
/// `timeout`, or the teacher closes it; while the teacher has paused the
/// driver the timeout stands still.
async fn wait_for_answers(shared: &Shared, call: u64, timeout: Duration) {
    let classroom = &shared.classroom;
    let mut deadline = tokio::time::Instant::now() + timeout;
    let mut paused = classroom.paused.subscribe();
    classroom.set_deadline(call, Some(timeout));
    loop {
        let answered = shared.answered.notified();
        let advance = classroom.advance.notified();
        tokio::pin!(answered, advance);
        answered.as_mut().enable();
        advance.as_mut().enable();
        if shared.core.lock().await.secretariat.is_complete() {
            break;
        }
        if *paused.borrow_and_update() {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            classroom.set_deadline(call, None);
            tokio::select! {
                _ = paused.wait_for(|p| !*p) => {}
                () = &mut advance => break,
            }
            deadline = tokio::time::Instant::now() + left;
            classroom.set_deadline(call, Some(left));
            continue;
        }
        tokio::select! {
            () = &mut answered => {}
            () = &mut advance => break,
            _ = paused.changed() => {}
            () = tokio::time::sleep_until(deadline) => break,
        }
    }
    classroom.set_deadline(call, None);
}

/// Closes the open call; logs who did not answer.
async fn close_call(shared: &Shared, awaited: usize) {
    let mut core = shared.core.lock().await;
    let missing = core.secretariat.unanswered();
    core.secretariat.close_call();
    drop(core);
    shared.metrics.calls_open(0);
    if missing.is_empty() {
        info!(awaited, "call closed");
    } else {
        warn!(
            awaited,
            unanswered = missing.len(),
            "call closed at the answer timeout: {} did not answer",
            names(&missing)
        );
    }
}

/// Member ids for a log line (the first ten, and how many more).
fn names(ids: &[MemberId]) -> String {
    let mut s = ids
        .iter()
        .take(10)
        .map(MemberId::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() > 10 {
        s.push_str(&format!(" and {} more", ids.len() - 10));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Talks addresses: `HOST:PORT` (or empty) is kept; anything else, or
    /// anything over 256 bytes, is refused naming the field.
    #[test]
    fn talks_addresses_are_host_and_port() {
        for ok in [
            "",
            "127.0.0.1:4000",
            "localhost:1",
            "node-7.example:65535",
            "[::1]:80",
        ] {
            assert!(check_talks_address(ok).is_ok(), "{ok}");
        }
        let long = format!("{}:1", "a".repeat(MAX_TALKS_ADDRESS_BYTES));
        for bad in [
            "127.0.0.1",
            "https://127.0.0.1:4000",
            "127.0.0.1:4000/path",
            "user@host:1",
            "host:99999",
            ":80",
            "a b:1",
            long.as_str(),
        ] {
            let e = check_talks_address(bad).expect_err(bad);
            assert_eq!(e.code(), tonic::Code::InvalidArgument, "{bad}");
            assert!(e.to_string().contains("JoinRequest.talks_address"), "{e}");
        }
    }

    const SCENARIO: &str = r#"[scenario]
name = "tasks"
seed = 1
start = "2026-03-02T00:00:00Z"

[members]
dataset = "wto"
only = ["BRA", "IND", "USA"]

[[item]]
id = "x"
rule = "consensus"
"#;

    fn shared(name: &str, limits: Limits) -> Arc<Shared> {
        let sc = rappard_core::scenario::parse("tasks.toml", SCENARIO).expect("scenario");
        let dir = std::env::temp_dir().join(format!("rappard-tasks-{name}-{}", std::process::id()));
        pki::init(&dir, pki::Existing::Refuse, pki::Validity::days(1)).expect("pki");
        let ca = std::fs::read_to_string(dir.join("ca.pem")).expect("ca.pem");
        let _ = std::fs::remove_dir_all(&dir);
        let authority = crate::tls::Authority::new(&ca).expect("authority");
        let started = Started::new(sc.agenda, None).expect("a new run");
        let options = Options {
            limits,
            ..Options::default()
        };
        Arc::new(Shared::new(started, &options, authority))
    }

    /// A reader of a feed without a session.
    fn reader(me: &MemberId, only_my_calls: bool) -> Reader {
        Reader {
            me: me.clone(),
            session: 0,
            only_my_calls,
        }
    }

    /// A panic in the lockstep driver ends the wait for the record with
    /// the driver's error, and ends the record streams with it, rather
    /// than leaving them waiting forever.
    #[tokio::test]
    async fn a_panicking_driver_fails_the_negotiation() {
        let shared = shared("panic", Limits::default());
        let me = MemberId::new("BRA").expect("id");
        let place = shared.gate.subscription(&me).expect("a place");
        let mut stream = open_feed(&shared, reader(&me, false), 0, place);
        let mut tasks = Tasks::default();
        tasks.spawn("lockstep driver", async {
            tokio::task::yield_now().await;
            panic!("the core broke")
        });
        tokio::spawn(tasks.watch(shared.clone()));
        let n = Negotiation { shared };
        let e = tokio::time::timeout(Duration::from_secs(10), n.finished())
            .await
            .expect("the wait ends")
            .expect_err("the driver failed");
        assert!(
            matches!(&e, Error::Task { task: "lockstep driver", detail } if detail.contains("the core broke")),
            "{e}"
        );
        assert!(!e.is_definite());
        let last = tokio::time::timeout(Duration::from_secs(10), async {
            let mut last = None;
            while let Some(item) = tokio_stream::StreamExt::next(&mut stream).await {
                last = Some(item);
            }
            last
        })
        .await
        .expect("the stream ends");
        let status = last
            .expect("an item")
            .expect_err("the stream ends with an error");
        assert_eq!(status.code(), tonic::Code::Internal);
        assert!(status.message().contains("lockstep driver"), "{status:?}");
    }

    /// A server task that returns an error fails the negotiation too.
    #[tokio::test]
    async fn a_failing_server_fails_the_negotiation() {
        let shared = shared("server", Limits::default());
        let mut tasks = Tasks::default();
        tasks.spawn("gRPC server", async {
            Err(Error::Transport("accept: too many open files".into()))
        });
        tokio::spawn(tasks.watch(shared.clone()));
        let e = Negotiation { shared }
            .finished()
            .await
            .expect_err("the server failed");
        assert!(e.to_string().contains("gRPC server"), "{e}");
        assert!(e.to_string().contains("too many open files"), "{e}");
    }

    /// A subscriber that leaves its buffer full past `subscriber_timeout`
    /// is cut off: its stream keeps the entries already buffered, then
    /// ends with `UNAVAILABLE` naming the limit; the driver goes on without
    /// waiting for it, and the subscriber may resume after the last entry
    /// it saw.
    #[tokio::test]
    async fn a_stuck_subscriber_is_cut_off_and_may_resume() {
        let limits = Limits {
            feed_buffer: 2,
            subscriber_timeout: Duration::from_millis(100),
            ..Limits::default()
        };
        let shared = shared("stuck", limits);
        let mut tasks = Tasks::default();
        // Nobody answers: each call closes at the answer timeout, and the
        // record grows well beyond the stuck subscriber's buffer.
        let quick = Options {
            answer_timeout: Duration::from_millis(10),
            join_timeout: Duration::from_millis(10),
            ..Options::default()
        };
        tasks.spawn("lockstep driver", drive(shared.clone(), quick));
        tokio::spawn(tasks.watch(shared.clone()));
        let me = MemberId::new("BRA").expect("id");
        let place = shared.gate.subscription(&me).expect("a place");
        let mut stuck = open_feed(&shared, reader(&me, false), 0, place);
        let record = tokio::time::timeout(
            Duration::from_secs(30),
            Negotiation {
                shared: shared.clone(),
            }
            .finished(),
        )
        .await
        .expect("the negotiation ends within 30 s")
        .expect("the negotiation ends without the stuck subscriber");
        assert!(record.len() > 4, "{} entries", record.len());
        let last_word = tokio::time::timeout(Duration::from_secs(30), &mut stuck.end)
            .await
            .expect("the cut within 30 s")
            .expect("the feed says why it stopped");
        assert_eq!(last_word.code(), tonic::Code::Unavailable, "{last_word:?}");
        assert!(
            last_word.message().contains("--subscriber-timeout"),
            "{last_word:?}"
        );
        let mut seen = Vec::new();
        while let Some(e) = stuck.entries.recv().await {
            seen.push(e.seq);
        }
        assert_eq!(seen, [1, 2], "the buffer's entries stay");
        drop(stuck);
        // Resuming after the last entry seen gives the rest, to the end.
        let place = shared
            .gate
            .subscription(&me)
            .expect("the place was given back");
        let rest: Vec<u64> = tokio_stream::StreamExt::collect::<Vec<_>>(open_feed(
            &shared,
            reader(&me, false),
            2,
            place,
        ))
        .await
        .into_iter()
        .map(|e| e.expect("an entry").seq)
        .collect();
        let all: Vec<u64> = seen.into_iter().chain(rest).collect();
        assert_eq!(all, (1..=record.len() as u64).collect::<Vec<_>>());
    }

    /// `Subscribe` streams per certificate id: beyond the limit,
    /// `RESOURCE_EXHAUSTED` naming it; a stream dropped gives its place
    /// back.
    #[tokio::test]
    async fn subscriptions_are_bounded_per_member() {
        let shared = shared("subscriptions", Limits::default());
        let bra = MemberId::new("BRA").expect("id");
        let usa = MemberId::new("USA").expect("id");
        let mut open: Vec<RecordStream> = (0..4)
            .map(|_| {
                let place = shared.gate.subscription(&bra).expect("within the limit");
                open_feed(&shared, reader(&bra, true), 0, place)
            })
            .collect();
        let e = shared.gate.subscription(&bra).expect_err("a fifth");
        assert_eq!(e.code(), tonic::Code::ResourceExhausted);
        assert!(
            e.to_string().contains("--max-subscriptions-per-member"),
            "{e}"
        );
        shared
            .gate
            .subscription(&usa)
            .expect("another member has its own");
        open.pop();
        shared.gate.subscription(&bra).expect("a place given back");
    }

    /// Answers per certificate id: the burst, then `RESOURCE_EXHAUSTED`
    /// naming the rate; other members are not affected.
    #[tokio::test]
    async fn answers_are_rate_limited_per_member() {
        let limits = Limits {
            answers_per_second: 1,
            answer_burst: 3,
            ..Limits::default()
        };
        let shared = shared("rate", limits);
        let bra = MemberId::new("BRA").expect("id");
        for _ in 0..3 {
            shared.gate.answer(&bra).expect("within the burst");
        }
        let e = shared.gate.answer(&bra).expect_err("over the rate");
        assert_eq!(e.code(), tonic::Code::ResourceExhausted);
        assert!(e.to_string().contains("--max-answers-per-second"), "{e}");
        shared
            .gate
            .answer(&MemberId::new("USA").expect("id"))
            .expect("another member has its own rate");
    }

    /// A session a later `Join` replaced is refused `ABORTED` (the earlier
    /// node stops), but a session this node never handed out, one from
    /// before a restart that a reconnected channel still carries, is
    /// refused `UNAVAILABLE` so that its node joins again instead of
    /// stopping (a delegation stopped that way left a run killed and
    /// restarted waiting for its answers).
    #[tokio::test]
    async fn a_session_from_before_a_restart_joins_again() {
        let shared = shared("sessions", Limits::default());
        let me = MemberId::new("BRA").expect("id");
        let first = shared.new_session(&me).await;
        let second = shared.new_session(&me).await;
        shared.check_session(&me, second).await.expect("the latest");
        let replaced = shared
            .check_session(&me, first)
            .await
            .expect_err("replaced");
        assert_eq!(replaced.code(), tonic::Code::Aborted, "{replaced}");
        // The base of another node (a random multiple of 2^32) and a
        // session this one has not yet handed out.
        for other in [first ^ (1 << 40), second + 1] {
            let e = shared.check_session(&me, other).await.expect_err("unknown");
            assert_eq!(e.code(), tonic::Code::Unavailable, "{e}");
            assert!(e.to_string().contains("join again"), "{e}");
            assert!(Error::from_status(&e.into_status()).is_connection());
        }
    }
}
