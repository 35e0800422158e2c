//! Confessionals stay private across the network: the proactive
//! Secretariat of `secretariat-proactive.toml` runs as a real `rappard
//! secretariat` process on 127.0.0.1 (port 0, mutual TLS, a data directory
//! with its journal); the delegations run in two `rappard member`
//! processes, and Kenya's in this process, which also follows the record
//! under Kenya's certificate: the whole record and Kenya's own feed
//! (`Subscribe`, `only_my_calls`).
//!
//! What Kenya receives holds no other delegation's confessional answer (Li
//! Ke 2023, §3.3 asks for a more active Director-General; DG Lamy's
//! confessionals of July 2008 were private talks): every entry that refers
//! to a confessional call is its `call-issued` (who is asked) or its
//! `call-closed` (who did not answer), the entries that follow say who was
//! heard and what text the Director-General proposed, and no entry names
//! another delegation's instructions. The record Kenya received is the
//! record of `rappard simulate`, byte for byte, and so is the record the
//! Secretariat's journal replays (the answers are in the journal, the
//! Secretariat's own file). Over gRPC, and over QUIC.

use std::path::Path;

use rappard_core::member::MemberId;
use rappard_core::protocol::CallKind;
use rappard_core::record::{Event, Record};
use rappard_core::{scenario, simulation};
use rappard_net::member::Connector;
use rappard_net::pki;
use rappard_proto::{convert, v1};
use rappard_tests::{
    Node, Scratch, command, pki_for, root, simulated, slot, timeout, verify_journal,
};

const SCENARIO: &str = "examples/scenarios/secretariat-proactive.toml";
/// The delegation this test plays and follows the record as.
const KENYA: &str = "KEN";
/// The other delegations, in two member processes.
const LARGE: &str = "CHN,EU,JPN,KOR,USA";
const SMALL: &str = "BGD,BOL,BRA,IND,NPL,UGA";

/// What a delegation receives from `Subscribe`, decoded.
struct Feed {
    /// The entries that carry their canonical encoding (every entry of the
    /// whole record; on an own feed, none of its calls), as the core
    /// reads them.
    record: Record,
    /// Each of these entries' canonical encoding, as it came over the wire.
    canonical: Vec<String>,
    /// Every call received, typed (an own feed's calls name only the
    /// subscriber among the awaited).
    calls: Vec<rappard_core::protocol::Call>,
    /// Every entry received, as it came over the wire.
    wire: Vec<v1::RecordEntry>,
}

async fn follow(to: Connector, creds: pki::Credentials, only_my_calls: bool) -> Feed {
    let mut client = to.connect(&creds).await.expect("Kenya connects");
    let mut stream = client
        .subscribe(v1::SubscribeRequest {
            after_seq: 0,
            only_my_calls,
            session: 0,
        })
        .await
        .expect("Kenya subscribes")
        .into_inner();
    let mut feed = Feed {
        record: Record::new(),
        canonical: Vec::new(),
        calls: Vec::new(),
        wire: Vec::new(),
    };
    while let Some(e) = stream.message().await.expect("the record stream") {
        if e.probe != 0 {
            continue;
        }
        if let Some(call) = &e.call {
            feed.calls
                .push(convert::call_from_wire(call).expect("a typed call"));
        }
        if !e.canonical.is_empty() {
            let entry = convert::entry_from_wire(&e).expect("a record entry");
            feed.record.append(entry.at, entry.event);
            feed.canonical.push(e.canonical.clone());
        }
        feed.wire.push(e);
    }
    feed
}

/// Every entry that refers to a confessional call is its issue or its
/// close; none carries an answer to it.
fn no_answer_to_a_confessional(feed: &Feed, what: &str) -> usize {
    let confessionals: Vec<u64> = feed
        .record
        .entries()
        .iter()
        .filter_map(|e| e.event.issued_call())
        .filter(|c| c.kind == CallKind::Confessional)
        .map(|c| c.call)
        .collect();
    for e in feed.record.entries() {
        let call = match &e.event {
            Event::PositionStated { call, .. }
            | Event::ReactionGiven { call, .. }
            | Event::ObjectionRaised { call, .. }
            | Event::VoteCast { call, .. }
            | Event::DraftSigned { call, .. } => Some(*call),
            _ => None,
        };
        assert!(
            call.is_none_or(|c| !confessionals.contains(&c)),
            "{what}: an answer to a confessional reached Kenya: {e:?}"
        );
    }
    confessionals.len()
}

fn run_over(transport: &str) {
    let _slot = slot();
    rappard_net::install_crypto();
    let dir = Scratch::new("rappard-confessionals");
    let certs = dir.path().join("pki");
    let data = dir.path().join("data");
    let certs_s = certs.to_str().expect("a UTF-8 path");
    let text = std::fs::read_to_string(root().join(SCENARIO)).expect("the scenario");
    let sc = scenario::parse(SCENARIO, &text).expect("a valid scenario");
    let ids: Vec<String> = sc
        .agenda
        .membership
        .delegations()
        .map(|m| m.id.to_string())
        .collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    pki_for(certs_s, &ids);

    let mut sec = command();
    sec.args(["secretariat", "--scenario", SCENARIO])
        .args(["--grpc", "127.0.0.1:0", "--quic", "127.0.0.1:0"])
        .args(["--certs", certs_s])
        .arg("--data")
        .arg(&data);
    let mut sec = Node::spawn("secretariat", sec);
    let mut addr = |what: &str| {
        let line = sec.line(timeout(60));
        line.strip_prefix(what)
            .map(|a| a.trim().to_owned())
            .unwrap_or_else(|| panic!("expected `{what} ADDR`, got {line:?}"))
    };
    let grpc = addr("grpc");
    let quic = addr("quic");
    let at = if transport == "quic" { &quic } else { &grpc };
    let members = |ids: &str| {
        let mut m = command();
        m.args(["member", "--scenario", SCENARIO, "--ids", ids])
            .args(["--secretariat", at, "--certs", certs_s])
            .args(["--transport", transport]);
        Node::spawn(&format!("members {ids}"), m)
    };
    let mut large = members(LARGE);
    let mut small = members(SMALL);

    let creds = pki::load(&certs, KENYA).expect("Kenya's credentials");
    let kenya = MemberId::new(KENYA).expect("an id");
    let delegation = simulation::delegations(&sc)
        .remove(&kenya)
        .expect("Kenya's delegation");
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let (whole, own) = runtime.block_on(async {
        let to = match transport {
            "quic" => Connector::Quic(
                quic.parse().expect("an address"),
                rappard_net::quic::client_endpoint().expect("a QUIC endpoint"),
            ),
            _ => Connector::Grpc(format!("https://{grpc}")),
        };
        let whole = tokio::spawn(follow(to.clone(), creds.clone(), false));
        let own = tokio::spawn(follow(to.clone(), creds.clone(), true));
        let node = rappard_net::member::run(&to, &creds, delegation);
        tokio::time::timeout(timeout(120), node)
            .await
            .expect("the negotiation ends in time")
            .expect("Kenya's node runs to the end");
        let whole = tokio::time::timeout(timeout(60), whole).await;
        let own = tokio::time::timeout(timeout(60), own).await;
        (
            whole.expect("the whole record in time").expect("a feed"),
            own.expect("Kenya's feed in time").expect("a feed"),
        )
    });
    for m in [&mut large, &mut small] {
        let out = m.finish(timeout(60));
        assert!(out.status.success(), "{}", out.stderr);
    }
    drop(sec);

    // Confessionals were held, and nothing of what was said reached Kenya.
    let held = no_answer_to_a_confessional(&whole, "the whole record");
    assert!(held >= 1, "no confessional was held");
    let mine = own
        .calls
        .iter()
        .filter(|c| c.kind == CallKind::Confessional)
        .count();
    assert_eq!(mine, held, "Kenya is asked to every confessional");
    for (e, line) in whole.record.entries().iter().zip(&whole.canonical) {
        if let Event::ConfessionalsHeld { heard, .. } = &e.event {
            assert_eq!(heard.len(), ids.len(), "{line}");
        }
        for private in ["tolerance", "concession", "ideal", "confessional\":{"] {
            assert!(!line.contains(private), "{private} in {line}");
        }
    }
    // Kenya's own feed: only its calls, each naming Kenya alone among the
    // awaited, and nothing else (no answer of anyone's, no canonical
    // entry that would list who else is asked).
    assert!(
        own.record.entries().is_empty(),
        "{:?}",
        own.record.entries()
    );
    assert_eq!(own.calls.len(), own.wire.len(), "only calls");
    for call in &own.calls {
        assert_eq!(call.awaited, std::slice::from_ref(&kenya), "{call:?}");
    }
    // The record is the simulation's, and the journal replays it.
    let (sha, events) = simulated(SCENARIO);
    assert_eq!(whole.record.sha256(), sha, "over {transport}");
    assert_eq!(whole.record.entries().len() as u64, events);
    let (journaled, state) = verify_journal(Path::new(&data));
    assert_eq!(journaled, sha);
    assert!(state.contains("closed"), "{state}");
}

#[test]
fn confessional_answers_never_reach_another_delegation_over_grpc() {
    run_over("grpc");
}

#[test]
fn confessional_answers_never_reach_another_delegation_over_quic() {
    run_over("quic");
}
