//! The relay of direct talks through the Secretariat, over real processes
//! (docs/deploy.md, a class with students behind NAT; docs/protocol.md,
//! "Direct talks through the Secretariat").
//!
//! The bilateral market-access talks of an accession (Marrakesh Agreement
//! Art. XII; WT/L/93) run between the applicant and each member of its
//! Working Party. The scenario is the small `mixed` one: the applicant NEW,
//! with AAA and BBB on its Working Party, three bilateral rounds. One
//! member process runs every Member's delegation and another the
//! applicant's, as on two machines.
//!
//! - With `--talks relay`, the Members' node gives no talks address: every
//!   offer goes through the Secretariat (`RelayOffer`, `Offers`,
//!   `ReplyOffer`), the accession completes, and the record is `rappard
//!   simulate`'s, byte for byte, over gRPC and over QUIC.
//! - With the default (`--talks direct`), the same record through the
//!   direct path: both paths give one record.

use rappard_tests::{
    Node, Scratch, command, scenario_pki, simulated, slot, timeout, verify_journal,
};

const SCENARIO: &str = "crates/rappard-core/tests/scenarios/mixed.toml";

/// What a run showed: the record's SHA-256, and the logs of the
/// Members' process and of the applicant's.
struct Run {
    sha: String,
    members: String,
    applicant: String,
}

/// The scenario over `transport`, the Members' node holding its talks as
/// `talks` says (the applicant's node with the default).
fn run(transport: &str, talks: &str) -> Run {
    let _slot = slot();
    let scratch = Scratch::new("rappard-relay");
    let certs = scratch.path().join("pki");
    let data = scratch.path().join("data");
    let (members, applicants) = scenario_pki(&certs, SCENARIO);
    let mut cmd = command();
    cmd.args(["secretariat", "--scenario", SCENARIO])
        .arg("--certs")
        .arg(&certs)
        .arg("--data")
        .arg(&data)
        .arg("--authority")
        .arg(&certs)
        .args(["--grpc", "127.0.0.1:0", "--answer-timeout", "60"]);
    if transport == "quic" {
        cmd.args(["--quic", "127.0.0.1:0"]);
    }
    let mut secretariat = Node::spawn("secretariat", cmd);
    let grpc = secretariat.line(timeout(60)).replace("grpc ", "");
    let addr = match transport {
        "quic" => secretariat.line(timeout(60)).replace("quic ", ""),
        _ => grpc,
    };
    let node = |name: &str, ids: &[String], talks: &str| {
        let mut cmd = command();
        cmd.args(["-vv", "member", "--scenario", SCENARIO])
            .args(["--ids", &ids.join(","), "--secretariat", &addr])
            .arg("--certs")
            .arg(&certs)
            .args(["--transport", transport, "--talks", talks]);
        Node::spawn(name, cmd)
    };
    let mut wp = node("members", &members, talks);
    let mut applicant = node("applicant", &applicants, "direct");
    let members = wp.finish(timeout(120));
    assert!(members.status.success(), "members: {}", members.stderr);
    let applicant = applicant.finish(timeout(120));
    assert!(
        applicant.status.success(),
        "applicant: {}",
        applicant.stderr
    );
    secretariat.wait_stderr("negotiation closed", timeout(60));
    drop(secretariat);
    let (sha, state) = verify_journal(&data);
    assert_eq!(state, "the negotiation closed");
    Run {
        sha,
        members: members.stderr,
        applicant: applicant.stderr,
    }
}

/// The number of lines of `log` that contain `what`.
fn count(log: &str, what: &str) -> usize {
    log.lines().filter(|l| l.contains(what)).count()
}

/// Every offer went through the Secretariat, and was heard by the
/// Members' node: none failed, none went directly.
fn relayed(run: &Run) {
    let made = count(&run.applicant, "offer made through the Secretariat");
    assert!(made > 0, "no offer relayed:\n{}", run.applicant);
    assert_eq!(count(&run.applicant, "offer made directly"), 0);
    assert_eq!(count(&run.applicant, "no deal"), 0, "{}", run.applicant);
    assert_eq!(
        count(&run.members, "offer heard through the Secretariat"),
        made,
        "{}",
        run.members
    );
}

fn relay_gives_simulate_s_record(transport: &str) {
    let (sha, _) = simulated(SCENARIO);
    let relay = run(transport, "relay");
    relayed(&relay);
    assert_eq!(
        relay.sha, sha,
        "over {transport} through the relay, the record differs from the simulation's"
    );
}

#[test]
fn relay_over_grpc_gives_simulate_s_record() {
    relay_gives_simulate_s_record("grpc");
}

#[test]
fn relay_over_quic_gives_simulate_s_record() {
    relay_gives_simulate_s_record("quic");
}

/// The direct path gives the same record, and relays nothing.
#[test]
fn direct_talks_give_the_same_record() {
    let (sha, _) = simulated(SCENARIO);
    let direct = run("grpc", "direct");
    let made = count(&direct.applicant, "offer made directly");
    assert!(made > 0, "no offer made directly:\n{}", direct.applicant);
    assert_eq!(
        count(&direct.applicant, "offer made through the Secretariat"),
        0
    );
    assert_eq!(direct.sha, sha, "the direct path's record differs");
}
