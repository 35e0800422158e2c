//! Limits against floods: whoever can reach the Secretariat's port must not
//! be able to stall a negotiation by holding connections, streams or the
//! core's lock.
//!
//! Each bound is a field of [`Limits`] (defaults there, in
//! `docs/protocol.md` and `docs/reliability.md`; flags of `rappard
//! secretariat`), each has a precise refusal, and each refusal is logged at
//! `warn`, throttled per kind ([`throttled`]) so that a flood does not
//! flood the log:
//!
//! - **Handshake.** A TLS (or QUIC) handshake must end within
//!   `handshake_timeout`; otherwise the connection is closed.
//! - **Not yet authenticated.** A connection counts against its IP address
//!   while it is in the handshake, and after it if it did not show a
//!   certificate this negotiation's authority issued (with a `rappard://`
//!   name): at most `connections_per_address` such connections per
//!   address; beyond, it is closed at accept (over QUIC, refused) before any
//!   handshake. Such a connection is closed `first_request_timeout` after
//!   its handshake, whatever it does: time for a health check, or to be
//!   told `UNAUTHENTICATED`. Authenticated connections do not count against
//!   their address, so the 166 delegations of a loopback test, in one
//!   process, never meet this limit once they are in.
//! - **Per member.** An authenticated connection counts against its
//!   certificate's id instead: at most `connections_per_member`; a newer
//!   one beyond them closes the oldest (rather than being refused: a node
//!   that comes back after its process was killed must not be kept out by
//!   the connections its dead process left, which QUIC notices only at its
//!   idle timeout; and the latest node of a delegation is the one that
//!   counts anyway). An authenticated connection that makes no request
//!   within `first_request_timeout` of its handshake is closed; after its
//!   first request it stays open (keepalives find a dead peer).
//! - **Streams.** At most `streams_per_connection` concurrent HTTP/2
//!   streams per connection, and as many QUIC streams (each an HTTP/2
//!   connection) per QUIC connection; at most `subscriptions_per_member`
//!   open `Subscribe` streams per id (`RESOURCE_EXHAUSTED`).
//! - **Messages.** Every request message is bounded by kind
//!   ([`max_request_bytes`]), read from the gRPC frame's length prefix
//!   before the message is buffered or decoded ([`MessageLimit`]):
//!   `RESOURCE_EXHAUSTED` naming the kind, the size and the limit.
//! - **Answers.** At most `answers_per_second` per id, with bursts of
//!   `answer_burst` (a GCRA rate limiter, `governor`): beyond,
//!   `RESOURCE_EXHAUSTED`, before the core's lock is taken.
//! - **Subscribers.** Each record stream has a buffer of `feed_buffer`
//!   entries; a subscriber that does not take the next entry within
//!   `subscriber_timeout` is cut off: its stream ends, after the entries
//!   already buffered, with `UNAVAILABLE` naming the limit, and it may
//!   resume after the last sequence number it saw (delegation nodes do).
//!
//! A client certificate is asked for but not required at the handshake
//! unless `require_client_certificate` is set (`crate::tls`): without it,
//! the health service answers probes over TLS without a certificate, and a
//! call without one is refused with a status that says so.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use http_body::{Body as HttpBody, Frame, SizeHint};
use rappard_core::member::MemberId;
use rustls::pki_types::CertificateDer;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tonic::body::Body;
use tonic::codegen::{Bytes, http};

use crate::Error;
use crate::pki::Role;
use crate::tls::Authority;

/// The bounds of the module doc. `Default` gives the documented defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    /// How long a TLS or QUIC handshake may take (10 s).
    pub handshake_timeout: Duration,
    /// How long after its handshake a connection may go without a request
    /// (authenticated), or may live at all (not authenticated) (10 s).
    pub first_request_timeout: Duration,
    /// Connections not yet authenticated per IP address (256).
    pub connections_per_address: usize,
    /// Authenticated connections per certificate id; a newer one closes
    /// the oldest (8).
    pub connections_per_member: usize,
    /// Concurrent HTTP/2 streams per connection, and QUIC streams per QUIC
    /// connection (32).
    pub streams_per_connection: u32,
    /// Open `Subscribe` streams per certificate id (4).
    pub subscriptions_per_member: usize,
    /// Answers per second per certificate id (50).
    pub answers_per_second: u32,
    /// Answers a certificate id may send at once, above the rate (100).
    pub answer_burst: u32,
    /// Entries buffered per record stream (256).
    pub feed_buffer: usize,
    /// How long a subscriber may leave its full buffer untaken before it
    /// is cut off (30 s).
    pub subscriber_timeout: Duration,
    /// Refuse a handshake without a client certificate (off: the health
    /// service answers without one, calls are refused `UNAUTHENTICATED`).
    pub require_client_certificate: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            handshake_timeout: Duration::from_secs(10),
            first_request_timeout: Duration::from_secs(10),
            connections_per_address: 256,
            connections_per_member: 8,
            streams_per_connection: 32,
            subscriptions_per_member: 4,
            answers_per_second: 50,
            answer_burst: 100,
            feed_buffer: 256,
            subscriber_timeout: Duration::from_secs(30),
            require_client_certificate: false,
        }
    }
}

/// The largest `AnswerRequest` (64 KiB).
pub const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// The largest request of every other kind, the Secretariat's and the
/// health and reflection services' (1 KiB; a `JoinRequest`'s talks address
/// is at most 256 bytes, the others are a few bytes).
pub const MAX_OTHER_REQUEST_BYTES: usize = 1024;

/// The kind of request at a gRPC path, and the largest message of it.
pub fn max_request_bytes(path: &str) -> (&str, usize) {
    match path.strip_prefix("/rappard.v1.Secretariat/") {
        Some("Answer") => ("AnswerRequest", MAX_ANSWER_BYTES),
        Some("Join") => ("JoinRequest", MAX_OTHER_REQUEST_BYTES),
        Some("Subscribe") => ("SubscribeRequest", MAX_OTHER_REQUEST_BYTES),
        Some("Counterparts") => ("CounterpartsRequest", MAX_OTHER_REQUEST_BYTES),
        Some("Probe") => ("ProbeRequest", MAX_OTHER_REQUEST_BYTES),
        Some("RelayOffer") => ("RelayOfferRequest", MAX_OTHER_REQUEST_BYTES),
        Some("Offers") => ("OffersRequest", MAX_OTHER_REQUEST_BYTES),
        Some("ReplyOffer") => ("ReplyOfferRequest", MAX_OTHER_REQUEST_BYTES),
        Some("MemberCertificate") => ("MemberCertificateRequest", MAX_OTHER_REQUEST_BYTES),
        _ => (path, MAX_OTHER_REQUEST_BYTES),
    }
}

/// Logs a warning unless its kind was logged too often lately: at most
/// five lines at once per kind, then one every two seconds; the next line
/// logged says how many were left out (`suppressed`).
macro_rules! warn_throttled {
    ($kind:expr, $($rest:tt)+) => {
        if let Some(suppressed) = $crate::limits::throttled($kind) {
            ::tracing::warn!(suppressed, $($rest)+);
        }
    };
}
pub(crate) use warn_throttled;

/// Whether a warning of `kind` may be logged now, and how many of its kind
/// were left out since the last one (the `warn_throttled!` macro of
/// this crate logs through it).
pub fn throttled(kind: &'static str) -> Option<u64> {
    static LINES: LazyLock<DefaultKeyedRateLimiter<&'static str>> = LazyLock::new(|| {
        RateLimiter::keyed(
            Quota::with_period(Duration::from_secs(2))
                .expect("a period above zero")
                .allow_burst(NonZeroU32::new(5).expect("five is above zero")),
        )
    });
    static LEFT_OUT: LazyLock<Mutex<HashMap<&'static str, u64>>> = LazyLock::new(Mutex::default);
    let mut counts = LEFT_OUT.lock().unwrap_or_else(PoisonError::into_inner);
    if LINES.check_key(&kind).is_ok() {
        Some(counts.remove(kind).unwrap_or(0))
    } else {
        *counts.entry(kind).or_default() += 1;
        None
    }
}

/// Counts of held places by key (an address, a member id).
type Counts<K> = Arc<Mutex<HashMap<K, usize>>>;

/// One held place under a key (an address, a member id), given back when
/// dropped.
#[derive(Debug)]
pub struct Slot<K: Eq + Hash> {
    counts: Counts<K>,
    key: K,
}

impl<K: Eq + Hash> Drop for Slot<K> {
    fn drop(&mut self) {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = counts.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                counts.remove(&self.key);
            }
        }
    }
}

/// A place under `key` if fewer than `limit` are held.
fn take<K: Eq + Hash + Clone>(counts: &Counts<K>, key: &K, limit: usize) -> Option<Slot<K>> {
    let mut held = counts.lock().unwrap_or_else(PoisonError::into_inner);
    let n = held.entry(key.clone()).or_default();
    if *n >= limit {
        return None;
    }
    *n += 1;
    Some(Slot {
        counts: counts.clone(),
        key: key.clone(),
    })
}

/// What a connection holds: a place under its address (not authenticated)
/// or under its member id.
#[derive(Debug)]
pub enum Held {
    /// Counted against the IP address.
    Address(Slot<IpAddr>),
    /// Counted against the certificate's id.
    Member(MemberPlace),
}

/// The authenticated connections of each certificate id, oldest first.
type Members = Arc<Mutex<HashMap<MemberId, VecDeque<Arc<Standing>>>>>;

/// An authenticated connection's place among its certificate's, given
/// back when it closes (unless it was closed to make room, which gave it
/// back then).
#[derive(Debug)]
pub struct MemberPlace {
    members: Members,
    id: MemberId,
    standing: Arc<Standing>,
}

impl Drop for MemberPlace {
    fn drop(&mut self) {
        let mut members = self.members.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(live) = members.get_mut(&self.id) {
            live.retain(|s| !Arc::ptr_eq(s, &self.standing));
            if live.is_empty() {
                members.remove(&self.id);
            }
        }
    }
}

/// What the service knows of a connection after its handshake.
#[derive(Debug, Default)]
pub struct Standing {
    /// Authenticated: its certificate was the authority's, with a name, at
    /// the handshake (every call checks it again: revocations, validity).
    identity: Option<(MemberId, Role)>,
    /// Whether it has made a request.
    requested: AtomicBool,
    /// Why it is to be closed now, if it is: a newer connection of the
    /// same certificate took its place.
    closed: Mutex<Option<String>>,
    /// Wakes the connection's server when it is to be closed.
    closing: tokio::sync::Notify,
}

impl Standing {
    /// Whether the connection may stay open past `first_request_timeout`.
    fn kept(&self) -> bool {
        self.identity.is_some() && self.requested.load(Ordering::Relaxed)
    }

    /// Who the connection is, if it is authenticated.
    pub fn identity(&self) -> Option<(MemberId, Role)> {
        self.identity.clone()
    }

    /// Why the connection is to be closed now, if it is.
    fn closed(&self) -> Option<String> {
        self.closed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Tells the connection's server to close it, and why.
    fn close(&self, why: String) {
        *self.closed.lock().unwrap_or_else(PoisonError::into_inner) = Some(why);
        self.closing.notify_waiters();
    }

    /// Waits until the connection is to be closed; returns why.
    pub async fn until_closed(&self) -> String {
        loop {
            let closing = self.closing.notified();
            tokio::pin!(closing);
            closing.as_mut().enable();
            if let Some(why) = self.closed() {
                return why;
            }
            closing.await;
        }
    }

    /// What a connection closed at its deadline is told (and the log).
    fn closing(&self, limits: &Limits) -> String {
        let secs = limits.first_request_timeout.as_secs_f64();
        if self.identity.is_some() {
            format!("no request within {secs} s of the handshake")
        } else {
            format!("not authenticated {secs} s after the handshake")
        }
    }
}

/// What the service learns of a connection, over either transport (the
/// connection info of tonic's `Connected`, in every request's extensions).
#[derive(Clone, Debug)]
pub struct ConnectionInfo {
    /// The peer's address.
    pub remote: SocketAddr,
    /// Its certificate chain, if it presented one.
    pub peer_certs: Option<Arc<Vec<CertificateDer<'static>>>>,
    /// What the limits made of it.
    pub standing: Arc<Standing>,
}

impl ConnectionInfo {
    /// For the client side of a connection, where nothing is checked.
    pub(crate) fn client(remote: SocketAddr) -> Self {
        Self {
            remote,
            peer_certs: None,
            standing: Arc::default(),
        }
    }
}

/// The node's limits and their counts, shared by both transports and the
/// service.
#[derive(Debug)]
pub struct Gate {
    limits: Limits,
    authority: Authority,
    addresses: Counts<IpAddr>,
    members: Members,
    subscriptions: Counts<MemberId>,
    answers: DefaultKeyedRateLimiter<MemberId>,
}

impl Gate {
    /// For these limits and this authority.
    pub fn new(limits: Limits, authority: Authority) -> Self {
        let per_second = NonZeroU32::new(limits.answers_per_second).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(limits.answer_burst).unwrap_or(NonZeroU32::MIN);
        Self {
            answers: RateLimiter::keyed(Quota::per_second(per_second).allow_burst(burst)),
            limits,
            authority,
            addresses: Counts::default(),
            members: Members::default(),
            subscriptions: Counts::default(),
        }
    }

    /// The limits.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// A place for a new connection from `remote`, before its handshake;
    /// `None` (logged) if its address has `connections_per_address`
    /// connections not yet authenticated.
    pub fn admit(&self, remote: SocketAddr, transport: &'static str) -> Option<Slot<IpAddr>> {
        let ip = remote.ip().to_canonical();
        let limit = self.limits.connections_per_address;
        let slot = take(&self.addresses, &ip, limit);
        if slot.is_none() {
            warn_throttled!(
                "connection refused",
                transport,
                %remote,
                "connection closed at accept: {limit} connections from {ip} are not yet authenticated (--max-connections-per-address)"
            );
        }
        slot
    }

    /// What a connection is after its handshake, from the certificates it
    /// showed: authenticated (its place moves from its address to its id;
    /// if the id has `connections_per_member` already, the oldest of them
    /// is closed to make room), or not (it keeps its address's place).
    pub fn settle(
        &self,
        address: Slot<IpAddr>,
        certs: Option<&[CertificateDer<'static>]>,
    ) -> (Held, Arc<Standing>) {
        let identity = certs
            .filter(|c| self.authority.check(c).is_ok())
            .and_then(|c| crate::pki::identity(c[0].as_ref()));
        let Some((id, role)) = identity else {
            return (Held::Address(address), Arc::default());
        };
        let standing = Arc::new(Standing {
            identity: Some((id.clone(), role)),
            ..Standing::default()
        });
        let limit = self.limits.connections_per_member.max(1);
        let mut members = self.members.lock().unwrap_or_else(PoisonError::into_inner);
        let live = members.entry(id.clone()).or_default();
        while live.len() >= limit {
            let Some(oldest) = live.pop_front() else {
                break;
            };
            let why = format!(
                "{id} opened a connection beyond the {limit} the Secretariat keeps per certificate (--max-connections-per-member): its oldest is closed"
            );
            warn_throttled!("oldest connection closed", member = %id, "{why}");
            oldest.close(why);
        }
        live.push_back(standing.clone());
        drop(members);
        let place = MemberPlace {
            members: self.members.clone(),
            id,
            standing: standing.clone(),
        };
        (Held::Member(place), standing)
    }

    /// A place for one more `Subscribe` stream of `id`, or
    /// `RESOURCE_EXHAUSTED` naming the limit.
    pub fn subscription(&self, id: &MemberId) -> Result<Slot<MemberId>, Error> {
        let limit = self.limits.subscriptions_per_member;
        take(&self.subscriptions, id, limit).ok_or_else(|| {
            Error::ResourceExhausted(format!(
                "{id} has {limit} record streams open; the Secretariat allows at most {limit} per certificate (--max-subscriptions-per-member)"
            ))
        })
    }

    /// Whether `id` may send one more answer now, or `RESOURCE_EXHAUSTED`
    /// naming the rate.
    pub fn answer(&self, id: &MemberId) -> Result<(), Error> {
        self.answers.check_key(id).map_err(|_| {
            Error::ResourceExhausted(format!(
                "{id} sends answers faster than the Secretariat takes them: at most {} a second, {} at once (--max-answers-per-second, --answer-burst); send it again later",
                self.limits.answers_per_second, self.limits.answer_burst
            ))
        })
    }

    /// The deadline of a connection whose handshake just ended: when it
    /// passes, the connection is closed unless it is kept
    /// ([`Standing`]). Returns why it is to be closed: then, or whenever a
    /// newer connection of its certificate takes its place.
    pub async fn deadline(&self, standing: &Standing) -> String {
        let replaced = standing.until_closed();
        tokio::pin!(replaced);
        tokio::select! {
            why = &mut replaced => return why,
            () = tokio::time::sleep(self.limits.first_request_timeout) => {}
        }
        if standing.kept() {
            return replaced.await;
        }
        standing.closing(&self.limits)
    }
}

/// A TLS stream under the limits: the connection's place, its info for
/// the service, and its deadline ([`Gate::deadline`]), checked when the
/// server reads. Over QUIC the connection's task does the same.
pub struct Guarded<S> {
    inner: S,
    info: ConnectionInfo,
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
    replaced: Pin<Box<dyn Future<Output = String> + Send>>,
    closed: bool,
    gate: Arc<Gate>,
    _held: Held,
}

impl<S> Guarded<S> {
    /// `inner`, whose handshake just ended, with what the gate made of it.
    pub fn new(inner: S, info: ConnectionInfo, held: Held, gate: Arc<Gate>) -> Self {
        let deadline = Box::pin(tokio::time::sleep(gate.limits.first_request_timeout));
        let standing = info.standing.clone();
        let replaced = Box::pin(async move { standing.until_closed().await });
        Self {
            inner,
            info,
            deadline: Some(deadline),
            replaced,
            closed: false,
            gate,
            _held: held,
        }
    }

    /// An error once the deadline has passed and the connection is not
    /// kept, or once a newer connection of its certificate took its place
    /// (the server then closes it).
    fn expired(&mut self, cx: &mut Context<'_>) -> Option<io::Error> {
        if self.closed {
            return Some(io::ErrorKind::TimedOut.into());
        }
        if let Poll::Ready(why) = self.replaced.as_mut().poll(cx) {
            self.closed = true;
            return Some(io::Error::new(io::ErrorKind::ConnectionAborted, why));
        }
        let deadline = self.deadline.as_mut()?;
        if deadline.as_mut().poll(cx).is_pending() {
            return None;
        }
        self.deadline = None;
        if self.info.standing.kept() {
            return None;
        }
        self.closed = true;
        let why = self.info.standing.closing(&self.gate.limits);
        warn_throttled!("connection closed at its deadline", transport = "tcp", remote = %self.info.remote, "connection closed: {why}");
        Some(io::Error::new(io::ErrorKind::TimedOut, why))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Guarded<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if let Some(e) = self.expired(cx) {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Guarded<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

impl<S> tonic::transport::server::Connected for Guarded<S> {
    type ConnectInfo = ConnectionInfo;

    fn connect_info(&self) -> Self::ConnectInfo {
        self.info.clone()
    }
}

/// What every request goes through before its service (a layer of the
/// server): its connection is marked as having made a request, and its
/// body is bounded ([`MessageLimit`]).
pub type RequestGuard = fn(http::Request<Body>) -> http::Request<Body>;

/// The [`RequestGuard`].
pub fn guard_request(req: http::Request<Body>) -> http::Request<Body> {
    if let Some(info) = req.extensions().get::<ConnectionInfo>() {
        info.standing.requested.store(true, Ordering::Relaxed);
    }
    let (kind, limit) = max_request_bytes(req.uri().path());
    let kind = kind.to_owned();
    req.map(|body| Body::new(MessageLimit::new(body, kind, limit)))
}

/// A request body whose gRPC messages are each at most `limit` bytes: the
/// length prefix of each is read as it arrives, and a message over the
/// limit ends the body with `RESOURCE_EXHAUSTED` before it is buffered.
pub struct MessageLimit {
    inner: Body,
    frames: Frames,
    kind: String,
    failed: bool,
}

impl MessageLimit {
    /// `inner`, with messages of `kind` bounded by `limit`.
    pub fn new(inner: Body, kind: String, limit: usize) -> Self {
        Self {
            inner,
            frames: Frames::new(limit),
            kind,
            failed: false,
        }
    }
}

impl HttpBody for MessageLimit {
    type Data = Bytes;
    type Error = tonic::Status;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, tonic::Status>>> {
        if self.failed {
            return Poll::Ready(None);
        }
        let frame = ready!(Pin::new(&mut self.inner).poll_frame(cx));
        if let Some(Ok(f)) = &frame
            && let Some(data) = f.data_ref()
            && let Err(size) = self.frames.scan(data)
        {
            self.failed = true;
            let e = Error::ResourceExhausted(format!(
                "the {} is {size} bytes; the Secretariat accepts at most {}",
                self.kind, self.frames.limit
            ));
            warn_throttled!("message over the limit", "request refused: {e}");
            return Poll::Ready(Some(Err(e.into_status())));
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.failed || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Reads the length prefixes of gRPC messages (a flag byte and a 4-byte
/// big-endian length) across data chunks.
#[derive(Debug)]
struct Frames {
    limit: usize,
    header: [u8; 5],
    have: usize,
    remaining: usize,
}

impl Frames {
    fn new(limit: usize) -> Self {
        Self {
            limit,
            header: [0; 5],
            have: 0,
            remaining: 0,
        }
    }

    /// Reads a chunk; `Err(size)` for a message of `size` over the limit.
    fn scan(&mut self, mut data: &[u8]) -> Result<(), usize> {
        while !data.is_empty() {
            if self.remaining > 0 {
                let n = self.remaining.min(data.len());
                self.remaining -= n;
                data = &data[n..];
                continue;
            }
            let n = (5 - self.have).min(data.len());
            self.header[self.have..self.have + n].copy_from_slice(&data[..n]);
            self.have += n;
            data = &data[n..];
            if self.have == 5 {
                self.have = 0;
                let [_, a, b, c, d] = self.header;
                let size = u32::from_be_bytes([a, b, c, d]) as usize;
                if size > self.limit {
                    return Err(size);
                }
                self.remaining = size;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(sizes: &[usize]) -> Vec<u8> {
        let mut out = Vec::new();
        for &n in sizes {
            out.push(0);
            out.extend_from_slice(&(n as u32).to_be_bytes());
            out.extend(std::iter::repeat_n(7u8, n));
        }
        out
    }

    /// Message lengths are read across any split of the chunks: messages
    /// up to the limit pass, the first one over it is named with its size.
    #[test]
    fn message_lengths_are_read_across_chunks() {
        let ok = framed(&[0, 10, 1024, 3]);
        let over = framed(&[10, 1025, 1]);
        for chunk in [1, 2, 3, 5, 7, 1000, 5000] {
            let mut f = Frames::new(1024);
            for c in ok.chunks(chunk) {
                assert_eq!(f.scan(c), Ok(()), "chunks of {chunk}");
            }
            let mut f = Frames::new(1024);
            let got = over.chunks(chunk).map(|c| f.scan(c)).find(Result::is_err);
            assert_eq!(got, Some(Err(1025)), "chunks of {chunk}");
        }
    }

    /// Warnings are throttled per kind: five at once, then the others are
    /// counted as left out; another kind has its own allowance.
    #[test]
    fn warnings_are_throttled_per_kind() {
        let allowed = (0..20)
            .filter(|_| throttled("a test kind").is_some())
            .count();
        // One more may pass if the two-second period turned meanwhile.
        assert!((5..=6).contains(&allowed), "{allowed} of 20");
        assert_eq!(throttled("another test kind"), Some(0));
    }

    /// Places are counted per key and given back when dropped.
    #[test]
    fn slots_are_counted_per_key_and_given_back() {
        let counts: Counts<u8> = Counts::default();
        let a1 = take(&counts, &1, 2).expect("first");
        let a2 = take(&counts, &1, 2).expect("second");
        assert!(take(&counts, &1, 2).is_none(), "a third is over the limit");
        let b = take(&counts, &2, 2).expect("another key has its own count");
        drop(a1);
        let a3 = take(&counts, &1, 2).expect("a place given back is free again");
        drop((a2, a3, b));
        assert!(counts.lock().expect("lock").is_empty(), "nothing left held");
    }

    /// The kinds of request and their bounds.
    #[test]
    fn every_request_kind_has_its_bound() {
        assert_eq!(
            max_request_bytes("/rappard.v1.Secretariat/Answer"),
            ("AnswerRequest", 64 * 1024)
        );
        for (path, kind) in [
            ("/rappard.v1.Secretariat/Join", "JoinRequest"),
            ("/rappard.v1.Secretariat/Subscribe", "SubscribeRequest"),
            (
                "/rappard.v1.Secretariat/Counterparts",
                "CounterpartsRequest",
            ),
            (
                "/rappard.v1.Secretariat/MemberCertificate",
                "MemberCertificateRequest",
            ),
            (
                "/grpc.health.v1.Health/Check",
                "/grpc.health.v1.Health/Check",
            ),
        ] {
            assert_eq!(max_request_bytes(path), (kind, 1024));
        }
    }
}
