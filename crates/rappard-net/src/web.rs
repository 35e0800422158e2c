//! The classroom's web front: a live dashboard of the record, a page for
//! each delegation played by a person, and the teacher's controls, served
//! over HTTPS by the Secretariat node with the negotiation's own server
//! certificate (the Secretariat's, from [`crate::pki`]).
//!
//! Why: rappard is meant to be run in a class, where students play
//! delegations and everybody watches how consensus (Marrakesh Agreement,
//! Art. IX:1 and its footnote 1: no Member present formally objects), the
//! Green Room and time zones shape the outcome (Li Ke, "Stagnation and
//! Breakthrough of WTO Multilateral Trade Negotiations", Journal of Hubei
//! University of Economics 21(5), 2023, section II, on the consensus rule's
//! "veto of one" and the Green Room's exclusion). The page is a view of the
//! record and adds nothing to it.
//!
//! Endpoints (the table, with statuses, is in `docs/classroom.md`):
//!
//! - `GET /` the dashboard, `GET /join` a delegation's page; the assets are
//!   embedded in the binary (`include_str!`), plain HTML, JS and CSS.
//! - `GET /api/events`: the record as server-sent events, one per entry,
//!   its sequence number as the event id; a viewer that reconnects sends
//!   `Last-Event-ID` (or `?after=N`) and resumes after it. Each entry is
//!   encoded to JSON once, by one follower task, whatever the number of
//!   viewers; the follower reads the node's published record in bounded
//!   batches ([`Negotiation::published_since`]).
//! - `GET /api/state`: whether the driver is paused, the open call's real
//!   deadline.
//! - `GET /api/me`, `POST /api/answer`: a delegation's brief, its open
//!   call, its own answers, and its answer; `Authorization: Bearer TOKEN`.
//! - `POST /api/teacher/{pause,resume,advance}`: the teacher's controls,
//!   with the teacher's token.
//!
//! Tokens: 256 bits from the operating system's CSPRNG (`ring::rand`),
//! each bound to one delegation (or to the teacher), printed once at start
//! and kept only as SHA-256 digests. They last as long as the Secretariat
//! process: a token of another run, or made up, is unknown. An unknown or
//! missing token gets 401; a delegation's token used for a call addressed
//! to another delegation, or for the teacher's controls, gets 403; neither
//! changes the record. An answer out of range, to a closed call, or a
//! second answer is refused (422, 409) with a message the page shows.
//! A delegation's page receives its own brief (the scenario's private
//! instructions for it) and its own answers only, never another's.
//!
//! Answers from the page go through [`Negotiation::answer_for`]: the core's
//! `Secretariat::answer`, journaled, the lockstep driver woken, exactly as
//! an `Answer` rpc; a call to a person closes at the answer timeout like
//! any other, and a delegation that did not answer is recorded as such.
//!
//! [`serve_replay`] serves the same dashboard over a finished record
//! (`rappard view`): plain HTTP, no tokens, every entry cached from the
//! start; nothing can be answered or controlled (401 for any token).
//!
//! The HTTP layer is axum on hyper (both already in the tree under tonic);
//! the TLS is tokio-rustls with ring, as for gRPC.

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::sync::{Arc, RwLock};
use std::time::{Duration, UNIX_EPOCH};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rappard_core::member::MemberId;
use rappard_core::protocol::{Answer, MAX_LEVEL, Reaction, Stance, Stated, Vote};
use rappard_core::record::{Entry, Event};
use rappard_core::scenario::{Instructions, PositionSpec};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tracing::{debug, info, warn};

use crate::Error;
use crate::pki::Credentials;
use crate::secretariat::Negotiation;

const DASHBOARD_HTML: &str = include_str!("web/dashboard.html");
const JOIN_HTML: &str = include_str!("web/join.html");
const DASHBOARD_JS: &str = include_str!("web/dashboard.js");
const JOIN_JS: &str = include_str!("web/join.js");
const STYLE_CSS: &str = include_str!("web/style.css");

/// Entries a viewer's stream takes from the cache at a time.
const SSE_BATCH: usize = 256;
/// Entries the follower copies from the node at a time.
const FOLLOW_BATCH: usize = 1024;
/// A comment on an idle event stream this often keeps proxies from closing it.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// How long a TLS handshake on the web port may take.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The delegations played by people, each with its private instructions
/// (its brief).
#[derive(Clone, Debug, Default)]
pub struct Classroom {
    /// The brief of each delegation played from a browser.
    pub briefs: BTreeMap<MemberId, Instructions>,
    /// The address people type to reach the web front (`https://HOST:PORT`),
    /// for the links printed; none: the address it listens on.
    pub public_url: Option<String>,
}

/// The links printed at start, each once.
#[derive(Clone, Debug)]
pub struct Links {
    /// The dashboard (public to whoever reaches the port).
    pub dashboard: String,
    /// The dashboard with the teacher's token.
    pub teacher: String,
    /// Each person's delegation and its join link.
    pub joins: Vec<(MemberId, String)>,
}

/// Who a token is bound to.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Holder {
    Delegation(MemberId),
    Teacher,
}

/// The record as the web front keeps it: each entry once as JSON (for the
/// event streams) and once parsed (for the delegations' pages).
#[derive(Default)]
struct Cache {
    lines: Vec<Arc<str>>,
    entries: Vec<Entry>,
    /// Each call's `CallIssued` entry, by call number.
    calls: HashMap<u64, usize>,
    /// Calls closed.
    closed: std::collections::HashSet<u64>,
    /// How the record ended, once it has.
    ended: Option<Result<(), String>>,
}

impl Cache {
    fn push(&mut self, entry: Entry) {
        let line = serde_json::to_string(&entry)
            .unwrap_or_else(|e| json!({"seq": entry.seq, "error": e.to_string()}).to_string());
        match &entry.event {
            Event::CallIssued { call, .. } => {
                self.calls.insert(*call, self.entries.len());
            }
            Event::CallClosed { call, .. } => {
                self.closed.insert(*call);
            }
            _ => {}
        }
        self.lines.push(line.into());
        self.entries.push(entry);
    }
}

/// The web front's state.
struct Web {
    /// The running negotiation, or none for the replay of a finished
    /// record ([`serve_replay`]).
    negotiation: Option<Negotiation>,
    cache: RwLock<Cache>,
    /// Entries in the cache, as it grows (and a change when it ends).
    len: watch::Sender<u64>,
    /// Token digests and whom they are bound to.
    tokens: HashMap<[u8; 32], Holder>,
    briefs: BTreeMap<MemberId, Instructions>,
}

impl Web {
    /// The running negotiation; a replay has none, so nothing can be
    /// answered or controlled (409).
    fn live(&self) -> Result<&Negotiation, Refusal> {
        self.negotiation.as_ref().ok_or_else(|| {
            Refusal(
                StatusCode::CONFLICT,
                "a replay of a finished record: nothing can be answered or controlled".into(),
            )
        })
    }

    /// Whether the teacher has paused the driver (never, in a replay).
    fn paused(&self) -> bool {
        self.negotiation
            .as_ref()
            .is_some_and(Negotiation::is_paused)
    }
}

/// A refusal: its HTTP status and the message the page shows.
#[derive(Debug)]
struct Refusal(StatusCode, String);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (self.0, axum::Json(json!({ "error": self.1 }))).into_response()
    }
}

impl From<Error> for Refusal {
    fn from(e: Error) -> Self {
        let status = match e.code() {
            tonic::Code::FailedPrecondition | tonic::Code::Aborted => StatusCode::CONFLICT,
            tonic::Code::PermissionDenied => StatusCode::FORBIDDEN,
            tonic::Code::InvalidArgument | tonic::Code::OutOfRange => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            tonic::Code::ResourceExhausted => StatusCode::TOO_MANY_REQUESTS,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Refusal(status, e.to_string())
    }
}

/// A new secret token: 256 bits from the operating system's CSPRNG, hex.
fn new_token() -> Result<String, Error> {
    let mut bytes = [0u8; 32];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes).map_err(|_| {
        Error::Internal("the operating system's random number generator failed".into())
    })?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Serves the web front on `listener` over HTTPS with the Secretariat's
/// certificate until `shutdown`; returns the links to print.
pub async fn serve(
    negotiation: Negotiation,
    creds: &Credentials,
    listener: TcpListener,
    classroom: Classroom,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<Links, Error> {
    let addr = listener
        .local_addr()
        .map_err(|e| Error::Transport(e.to_string()))?;
    let base = match &classroom.public_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => format!("https://{addr}"),
    };
    let mut tokens = HashMap::new();
    let teacher = new_token()?;
    tokens.insert(digest(&teacher), Holder::Teacher);
    let mut joins = Vec::new();
    for id in classroom.briefs.keys() {
        let token = new_token()?;
        tokens.insert(digest(&token), Holder::Delegation(id.clone()));
        joins.push((id.clone(), format!("{base}/join#token={token}")));
    }
    let web = Arc::new(Web {
        negotiation: Some(negotiation.clone()),
        cache: RwLock::new(Cache::default()),
        len: watch::channel(0).0,
        tokens,
        briefs: classroom.briefs,
    });
    tokio::spawn(follow(web.clone(), negotiation));
    let tls = server_config(creds)?;
    tokio::spawn(accept(listener, tls, router(web), shutdown));
    info!(%addr, "serving the classroom over HTTPS");
    Ok(Links {
        dashboard: format!("{base}/"),
        teacher: format!("{base}/#teacher={teacher}"),
        joins,
    })
}

/// Serves the dashboard of a finished record on `listener` until
/// `shutdown` (`rappard view`): every entry is in the cache from the start
/// and the event streams end at once, so the page shows the run as it
/// ended, and a viewer can step through it from the first entry. Plain
/// HTTP: the record is the run's public minutes, no token is made, and
/// nothing can be answered or controlled; bind it to the loopback address
/// unless the record may be shown to whoever reaches the port. Returns
/// the dashboard's link.
pub async fn serve_replay(
    record: &rappard_core::record::Record,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<String, Error> {
    let addr = listener
        .local_addr()
        .map_err(|e| Error::Transport(e.to_string()))?;
    let mut cache = Cache::default();
    for entry in record.entries() {
        cache.push(entry.clone());
    }
    cache.ended = Some(Ok(()));
    let web = Arc::new(Web {
        negotiation: None,
        cache: RwLock::new(cache),
        len: watch::channel(record.len() as u64).0,
        tokens: HashMap::new(),
        briefs: BTreeMap::new(),
    });
    let app = router(web);
    tokio::spawn(async move {
        let served = axum::serve(listener, app).with_graceful_shutdown(shutdown);
        if let Err(e) = served.await {
            warn!(error = %e, "replay: the web server stopped");
        }
    });
    info!(%addr, "serving the replay over HTTP");
    Ok(format!("http://{addr}/"))
}

/// The Secretariat's certificate and key, without client authentication
/// (browsers authenticate with their token), HTTP/2 or HTTP/1.1.
fn server_config(creds: &Credentials) -> Result<rustls::ServerConfig, Error> {
    let mut cfg = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(
            crate::tls::chain(&creds.cert, "the Secretariat's certificate")?,
            crate::tls::key(&creds.key, "the Secretariat's key")?,
        )
        .map_err(|e| Error::TlsConfig {
            what: "the web front's certificate".into(),
            detail: e.to_string(),
        })?;
    cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(cfg)
}

/// Accepts connections until `shutdown`, each handshake and connection in
/// its own task.
async fn accept(
    listener: TcpListener,
    tls: rustls::ServerConfig,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
    tokio::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            () = &mut shutdown => return,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    warn!(error = %e, "web front: accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let acceptor = acceptor.clone();
        let service = hyper_util::service::TowerToHyperService::new(router.clone());
        tokio::spawn(async move {
            let stream = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                Ok(Ok(s)) => s,
                Ok(Err(e)) => {
                    debug!(%peer, error = %e, "web front: TLS handshake failed");
                    return;
                }
                Err(_) => {
                    debug!(%peer, "web front: TLS handshake timed out");
                    return;
                }
            };
            let builder =
                hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
            let io = hyper_util::rt::TokioIo::new(stream);
            if let Err(e) = builder.serve_connection(io, service).await {
                debug!(%peer, error = %e, "web front: connection ended");
            }
        });
    }
}

/// Copies the published record into the cache as it grows, encoding each
/// entry once.
async fn follow(web: Arc<Web>, negotiation: Negotiation) {
    let mut published = negotiation.published();
    loop {
        published.borrow_and_update();
        let have = web.cache.read().map(|c| c.lines.len()).unwrap_or_default() as u64;
        let batch = negotiation.published_since(have, FOLLOW_BATCH).await;
        let got = !batch.entries.is_empty();
        let (len, ended) = {
            let Ok(mut cache) = web.cache.write() else {
                return;
            };
            for e in batch.entries {
                cache.push(e);
            }
            if batch.ended.is_some() {
                cache.ended = batch.ended;
            }
            (cache.lines.len() as u64, cache.ended.is_some())
        };
        web.len.send_replace(len);
        if ended {
            return;
        }
        if !got && published.changed().await.is_err() {
            return;
        }
    }
}

fn router(web: Arc<Web>) -> Router {
    let asset = |ty: &'static str, body: &'static str| {
        get(move || async move { ([(header::CONTENT_TYPE, ty)], body) })
    };
    Router::new()
        .route("/", asset("text/html; charset=utf-8", DASHBOARD_HTML))
        .route("/join", asset("text/html; charset=utf-8", JOIN_HTML))
        .route("/dashboard.js", asset("text/javascript", DASHBOARD_JS))
        .route("/join.js", asset("text/javascript", JOIN_JS))
        .route("/style.css", asset("text/css", STYLE_CSS))
        .route("/api/events", get(events))
        .route("/api/state", get(state))
        .route("/api/me", get(me))
        .route("/api/answer", post(answer))
        .route("/api/teacher/{action}", post(teacher))
        .with_state(web)
}

/// The sequence number a viewer resumes after: `Last-Event-ID`, or
/// `?after=N`, or 0.
fn resume_after(headers: &HeaderMap, uri: &Uri) -> Result<u64, Refusal> {
    let bad = |what: &str, v: &str| {
        Refusal(
            StatusCode::BAD_REQUEST,
            format!("{what} `{v}` is not a sequence number"),
        )
    };
    if let Some(v) = headers.get("last-event-id") {
        let v = v.to_str().unwrap_or_default().trim();
        return v.parse().map_err(|_| bad("Last-Event-ID", v));
    }
    let query = uri.query().unwrap_or_default();
    match query.split('&').find_map(|kv| kv.strip_prefix("after=")) {
        Some(v) => v.parse().map_err(|_| bad("the query's `after`", v)),
        None => Ok(0),
    }
}

/// `GET /api/events`: the record as server-sent events (module doc).
async fn events(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, Refusal> {
    let after = resume_after(&headers, &uri)?;
    let len = *web.len.borrow();
    let ended = web.cache.read().map(|c| c.ended.is_some()).unwrap_or(true);
    if after > len && ended {
        return Err(Refusal(
            StatusCode::BAD_REQUEST,
            format!("sequence number {after} is beyond the record, which has {len} entries"),
        ));
    }
    let (tx, rx) = mpsc::channel::<Result<Bytes, Infallible>>(8);
    tokio::spawn(stream_to(web, after, tx));
    Ok((
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx)),
    )
        .into_response())
}

/// Feeds one viewer the cached entries after `cursor` as they come, then
/// an `end` event once the record is complete.
async fn stream_to(web: Arc<Web>, mut cursor: u64, tx: mpsc::Sender<Result<Bytes, Infallible>>) {
    let mut len = web.len.subscribe();
    if tx
        .send(Ok(Bytes::from_static(b"retry: 2000\n\n")))
        .await
        .is_err()
    {
        return;
    }
    loop {
        len.borrow_and_update();
        let (chunk, ended) = {
            let Ok(cache) = web.cache.read() else { return };
            let all = cache.lines.len();
            let from = usize::try_from(cursor).unwrap_or(usize::MAX).min(all);
            let to = all.min(from + SSE_BATCH);
            let mut chunk = String::new();
            for (k, line) in cache.lines[from..to].iter().enumerate() {
                chunk.push_str(&format!("id: {}\ndata: {line}\n\n", from + k + 1));
            }
            cursor = cursor.max(to as u64);
            (chunk, cache.ended.is_some() && to == all)
        };
        if !chunk.is_empty() {
            if tx.send(Ok(Bytes::from(chunk))).await.is_err() {
                return;
            }
            continue;
        }
        if ended {
            let _ = tx
                .send(Ok(Bytes::from_static(b"event: end\ndata: {}\n\n")))
                .await;
            return;
        }
        tokio::select! {
            changed = len.changed() => if changed.is_err() { return },
            () = tx.closed() => return,
            () = tokio::time::sleep(KEEP_ALIVE) => {
                if tx.send(Ok(Bytes::from_static(b": keep-alive\n\n"))).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// Milliseconds since 1970 of the open call's deadline, if it runs.
fn deadline_ms(web: &Web) -> Option<(u64, u128)> {
    web.negotiation.as_ref()?.deadline().map(|(call, at)| {
        let ms = at
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis();
        (call, ms)
    })
}

/// `GET /api/state`: the driver's state, public.
async fn state(State(web): State<Arc<Web>>) -> Response {
    let deadline = deadline_ms(&web);
    let ended = web.cache.read().map(|c| c.ended.is_some()).unwrap_or(true);
    axum::Json(json!({
        "paused": web.paused(),
        "call": deadline.map(|d| d.0),
        "deadline_ms": deadline.map(|d| d.1 as u64),
        "people": web.briefs.keys().map(MemberId::as_str).collect::<Vec<_>>(),
        "ended": ended,
    }))
    .into_response()
}

/// Whom the request's bearer token is bound to; 401 without a known one.
fn holder(web: &Web, headers: &HeaderMap) -> Result<Holder, Refusal> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| {
            Refusal(
                StatusCode::UNAUTHORIZED,
                "no token: open the link you were given (`Authorization: Bearer TOKEN`)".into(),
            )
        })?;
    web.tokens.get(&digest(token)).cloned().ok_or_else(|| {
        Refusal(
            StatusCode::UNAUTHORIZED,
            "unknown or expired token: a token lasts as long as the Secretariat that printed it"
                .into(),
        )
    })
}

/// The delegation a token is bound to; 401 unknown, 403 the teacher's.
fn delegation(web: &Web, headers: &HeaderMap) -> Result<MemberId, Refusal> {
    match holder(web, headers)? {
        Holder::Delegation(id) => Ok(id),
        Holder::Teacher => Err(Refusal(
            StatusCode::FORBIDDEN,
            "the teacher's token plays no delegation".into(),
        )),
    }
}

/// `GET /api/me`: a delegation's page: its brief, its open call and its
/// own answers (nobody else's). Counts the delegation as joined.
async fn me(State(web): State<Arc<Web>>, headers: HeaderMap) -> Result<Response, Refusal> {
    let me = delegation(&web, &headers)?;
    web.live()?.present(&me).await;
    let mut page = {
        let cache = web
            .cache
            .read()
            .map_err(|_| Refusal(StatusCode::INTERNAL_SERVER_ERROR, "state lost".into()))?;
        page_of(&web, &cache, &me)
    };
    if let Some(call) = page["call"]["call"].as_u64() {
        let given = web.live()?.answer_given(&me, call).await;
        page["call"]["given"] = json!(given.map(describe));
        let deadline = deadline_ms(&web)
            .filter(|d| d.0 == call)
            .map(|d| d.1 as u64);
        page["call"]["deadline_ms"] = json!(deadline);
    }
    page["paused"] = json!(web.paused());
    Ok(axum::Json(page).into_response())
}

/// A delegation's page from the cached record.
fn page_of(web: &Web, cache: &Cache, me: &MemberId) -> Value {
    let mut titles = BTreeMap::new();
    let mut seat = Value::Null;
    let mut mine = Vec::new();
    let mut outcomes = Vec::new();
    for e in &cache.entries {
        match &e.event {
            Event::ItemListed { item, title, .. } => {
                titles.insert(item.clone(), title.clone());
            }
            Event::RollCalled { members, .. } => {
                if let Some(r) = members.iter().find(|r| &r.id == me) {
                    seat = json!({"name": r.name, "seat": r.seat, "office_hours": r.office_hours});
                }
            }
            Event::CallClosed { call, unanswered } if unanswered.contains(me) => {
                mine.push(json!({"call": call, "seq": e.seq, "answer": "did not answer"}));
            }
            Event::DecisionTaken { item, outcome, .. } => {
                outcomes.push(json!({"item": item, "outcome": outcome}));
            }
            Event::ItemAgreed { item, .. } => {
                outcomes.push(json!({"item": item, "outcome": "agreed"}));
            }
            Event::ItemLapsed { item, .. } => {
                outcomes.push(json!({"item": item, "outcome": "lapsed"}));
            }
            event => {
                if let Some(answer) = own_answer(event, me) {
                    mine.push(answer);
                }
            }
        }
    }
    let brief: Vec<Value> = web
        .briefs
        .get(me)
        .map(|b| {
            b.iter()
                .map(|(item, spec)| brief_line(item, spec, &titles))
                .collect()
        })
        .unwrap_or_default();
    json!({
        "member": me.as_str(),
        "roll": seat,
        "brief": brief,
        "call": open_call(cache, me, &titles),
        "answers": mine,
        "outcomes": outcomes,
        "ended": cache.ended.is_some(),
    })
}

/// An event that records this delegation's own answer to a call.
fn own_answer(event: &Event, me: &MemberId) -> Option<Value> {
    let v = serde_json::to_value(event).ok()?;
    let is_mine = v.get("member").and_then(Value::as_str) == Some(me.as_str())
        || v.get("applicant").and_then(Value::as_str) == Some(me.as_str());
    (is_mine && v.get("call").is_some()).then_some(v)
}

/// The open call, if it is addressed to `me`.
fn open_call(cache: &Cache, me: &MemberId, titles: &BTreeMap<String, String>) -> Value {
    let open = cache
        .calls
        .iter()
        .filter(|(call, _)| !cache.closed.contains(call))
        .max_by_key(|(call, _)| **call)
        .and_then(|(_, &k)| cache.entries.get(k));
    let Some(entry) = open else {
        return Value::Null;
    };
    let Some(call) = entry.event.issued_call() else {
        return Value::Null;
    };
    if !call.awaited.contains(me) {
        return Value::Null;
    }
    let key = call.subject.key();
    json!({
        "call": call.call,
        "kind": call.kind,
        "subject": key,
        "title": titles.get(key.as_ref()),
        "round": call.round,
        "version": call.version,
        "text": call.text.map(|t| f64::from(t) / f64::from(MAX_LEVEL)),
        "rule": call.rule,
        "issued_at": entry.at,
        "awaited": call.awaited.len(),
    })
}

/// One line of a delegation's brief, levels on the 0–1 scale.
fn brief_line(item: &str, spec: &PositionSpec, titles: &BTreeMap<String, String>) -> Value {
    let scale = |l: Option<u16>| l.map(|l| f64::from(l) / f64::from(MAX_LEVEL));
    let mut line = json!({"item": item, "title": titles.get(item)});
    match spec {
        PositionSpec::Stance(s) => line["stance"] = json!(s),
        PositionSpec::IdealPoint {
            ideal,
            tolerance,
            concession,
            importance,
        } => {
            line["ideal"] = json!(scale(*ideal));
            line["tolerance"] = json!(scale(*tolerance));
            line["concession"] = json!(scale(*concession));
            if let Some(w) = importance {
                line["importance"] = json!(w);
            }
        }
    }
    line
}

/// An answer in words, as the page shows it.
fn describe(a: Answer) -> String {
    let yes = |b: bool| if b { "yes" } else { "no" };
    let level = |l: u16| format!("{:.2}", f64::from(l) / f64::from(MAX_LEVEL));
    match a {
        Answer::Position(Stated::Level(l)) => format!("position {}", level(l)),
        Answer::Position(Stated::Stance(s)) => format!("stance {s:?}").to_lowercase(),
        Answer::Signature(b) => format!("sign: {}", yes(b)),
        Answer::Reaction(r) => format!("reaction {r:?}").to_lowercase(),
        Answer::Objection(b) => format!("object: {}", yes(b)),
        Answer::Vote(v) => format!("vote {v:?}").to_lowercase(),
        Answer::Join(b) => format!("join: {}", yes(b)),
        Answer::Offer(l) => format!("offer {}", level(l)),
        Answer::Accept(b) => format!("accept: {}", yes(b)),
        Answer::Confessional(Some((lo, hi))) => format!("range {} to {}", level(lo), level(hi)),
        Answer::Confessional(None) => "no text acceptable".into(),
        Answer::Reservation => "object: no, with a reservation".to_owned(),
    }
}

/// What a page sends: the call and its choice.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerBody {
    call: u64,
    /// The delegation it answers for (optional; must be the token's).
    #[serde(default)]
    member: Option<String>,
    answer: Choice,
}

/// A choice on the page, levels on the 0–1 scale.
#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
enum Choice {
    Position {
        #[serde(default)]
        level: Option<f64>,
        #[serde(default)]
        stance: Option<Stance>,
    },
    Signature {
        sign: bool,
    },
    Reaction {
        reaction: Reaction,
    },
    Objection {
        object: bool,
    },
    Vote {
        vote: Vote,
    },
    Join {
        join: bool,
    },
    Offer {
        level: f64,
    },
    Accept {
        accept: bool,
    },
    /// To a confessional: the range it could accept (both ends, 0 to 1),
    /// or neither for none. Private: it goes to the Secretariat only.
    Confessional {
        #[serde(default)]
        low: Option<f64>,
        #[serde(default)]
        high: Option<f64>,
    },
}

/// A level on the 0–1 scale as the core's level; 422 outside it.
fn level(x: f64) -> Result<u16, Refusal> {
    if !x.is_finite() || !(0.0..=1.0).contains(&x) {
        return Err(Refusal(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("field `answer.level`: {x} is not between 0 and 1"),
        ));
    }
    Ok((x * f64::from(MAX_LEVEL)).round() as u16)
}

impl Choice {
    fn answer(self) -> Result<Answer, Refusal> {
        Ok(match self {
            Choice::Position {
                level: Some(x),
                stance: None,
            } => Answer::Position(Stated::Level(level(x)?)),
            Choice::Position {
                level: None,
                stance: Some(s),
            } => Answer::Position(Stated::Stance(s)),
            Choice::Position { .. } => {
                return Err(Refusal(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "a position is a `level` (0 to 1) or a `stance`, one of them".into(),
                ));
            }
            Choice::Signature { sign } => Answer::Signature(sign),
            Choice::Reaction { reaction } => Answer::Reaction(reaction),
            Choice::Objection { object } => Answer::Objection(object),
            Choice::Vote { vote } => Answer::Vote(vote),
            Choice::Join { join } => Answer::Join(join),
            Choice::Offer { level: x } => Answer::Offer(level(x)?),
            Choice::Accept { accept } => Answer::Accept(accept),
            Choice::Confessional {
                low: Some(lo),
                high: Some(hi),
            } => Answer::Confessional(Some((level(lo)?, level(hi)?))),
            Choice::Confessional {
                low: None,
                high: None,
            } => Answer::Confessional(None),
            Choice::Confessional { .. } => {
                return Err(Refusal(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "a confessional gives both `low` and `high` (0 to 1), or neither".into(),
                ));
            }
        })
    }
}

/// `POST /api/answer`: a delegation's answer to a call addressed to it.
async fn answer(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    let me = delegation(&web, &headers)?;
    let body: AnswerBody = serde_json::from_slice(&body)
        .map_err(|e| Refusal(StatusCode::BAD_REQUEST, format!("the request's body: {e}")))?;
    if let Some(other) = body.member.as_deref().filter(|m| *m != me.as_str()) {
        return Err(Refusal(
            StatusCode::FORBIDDEN,
            format!("{me} cannot answer for {other}: a delegation acts only for itself"),
        ));
    }
    check_call(&web, &me, body.call)?;
    let answer = body.answer.answer()?;
    web.live()?.answer_for(&me, body.call, answer).await?;
    info!(member = %me, call = body.call, "answer from the browser");
    Ok(axum::Json(json!({"call": body.call, "given": describe(answer)})).into_response())
}

/// Refuses a call unknown (404), addressed to others (403) or closed (409).
fn check_call(web: &Web, me: &MemberId, call: u64) -> Result<(), Refusal> {
    let cache = web
        .cache
        .read()
        .map_err(|_| Refusal(StatusCode::INTERNAL_SERVER_ERROR, "state lost".into()))?;
    let awaited = cache
        .calls
        .get(&call)
        .and_then(|&k| cache.entries.get(k))
        .and_then(|e| match &e.event {
            Event::CallIssued { awaited, .. } => Some(awaited),
            _ => None,
        })
        .ok_or_else(|| {
            Refusal(
                StatusCode::NOT_FOUND,
                format!("no call {call} has been issued in this negotiation"),
            )
        })?;
    if !awaited.contains(me) {
        return Err(Refusal(
            StatusCode::FORBIDDEN,
            format!("call {call} is not addressed to {me}"),
        ));
    }
    if cache.closed.contains(&call) {
        return Err(Refusal(
            StatusCode::CONFLICT,
            format!("call {call} is closed: answers are no longer taken"),
        ));
    }
    Ok(())
}

/// `POST /api/teacher/{pause,resume,advance}`: the teacher's controls.
async fn teacher(
    State(web): State<Arc<Web>>,
    axum::extract::Path(action): axum::extract::Path<String>,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    if holder(&web, &headers)? != Holder::Teacher {
        return Err(Refusal(
            StatusCode::FORBIDDEN,
            "only the teacher's token controls the negotiation".into(),
        ));
    }
    match action.as_str() {
        "pause" => web.live()?.set_paused(true),
        "resume" => web.live()?.set_paused(false),
        "advance" => web.live()?.advance(),
        other => {
            return Err(Refusal(
                StatusCode::NOT_FOUND,
                format!("no control `{other}`: pause, resume or advance"),
            ));
        }
    }
    Ok(axum::Json(json!({"paused": web.paused()})).into_response())
}
