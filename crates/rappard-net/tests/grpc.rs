//! The negotiation over real gRPC with mutual TLS on 127.0.0.1, port 0:
//! the record is the simulation's, byte for byte, and every refusal comes
//! back with its precise status and changes nothing.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rappard_core::member::MemberId;
use rappard_core::scenario::{self, Scenario};
use rappard_core::simulation;
use rappard_net::member::Connector;
use rappard_net::pki::{self, Existing, Role, Validity};
use rappard_net::secretariat::{self, Listeners, Negotiation, Options};
use rappard_proto::v1;
use tokio::net::TcpListener;

fn scenario(name: &str) -> Scenario {
    let path = format!(
        "{}/../../examples/scenarios/{name}.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    scenario::parse(
        &path,
        &std::fs::read_to_string(&path).expect("shipped scenario"),
    )
    .expect("valid")
}

fn days() -> Validity {
    Validity::days(pki::NODE_DAYS)
}

fn certs(name: &str, sc: &Scenario) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rappard-grpc-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    pki::init(&dir, Existing::Refuse, days()).expect("pki");
    pki::issue(
        &dir,
        &MemberId::new(pki::SECRETARIAT_ID).expect("id"),
        Role::Secretariat,
        Existing::Refuse,
        days(),
    )
    .expect("issue");
    for m in sc.agenda.membership.delegations() {
        pki::issue(&dir, &m.id, Role::Member, Existing::Refuse, days()).expect("issue");
    }
    for a in &sc.agenda.accessions {
        pki::issue(
            &dir,
            &a.applicant.id,
            Role::Applicant,
            Existing::Refuse,
            days(),
        )
        .expect("issue");
    }
    dir
}

async fn start(
    sc: &Scenario,
    dir: &Path,
    options: Options,
) -> (
    Negotiation,
    String,
    SocketAddr,
    tokio::sync::oneshot::Sender<()>,
) {
    start_as(sc, dir, options, "secretariat").await
}

/// A Secretariat node serving with the credentials of `stem` (the
/// Secretariat's own, or an impostor's).
async fn start_as(
    sc: &Scenario,
    dir: &Path,
    options: Options,
    stem: &str,
) -> (
    Negotiation,
    String,
    SocketAddr,
    tokio::sync::oneshot::Sender<()>,
) {
    rappard_net::install_crypto();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!(
        "https://127.0.0.1:{}",
        listener.local_addr().expect("addr").port()
    );
    let udp = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind udp");
    let quic = udp.local_addr().expect("addr");
    let creds = pki::load(dir, stem).expect("credentials");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let listeners = Listeners {
        grpc: Some(listener),
        quic: Some(udp),
    };
    let n = secretariat::serve(sc.agenda.clone(), &creds, listeners, options, async {
        let _ = stopped.await;
    })
    .await
    .expect("serve");
    (n, url, quic, stop)
}

/// A full negotiation over each transport, in one runtime: every
/// delegation its own connection and certificate; the record's SHA-256
/// equals the in-process simulation's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn network_negotiation_gives_the_simulation_record() {
    for (name, quic) in [
        ("classroom", false),
        ("classroom", true),
        ("time-zones", true),
        ("accessions-2024", false),
    ] {
        let sc = scenario(name);
        let dir = certs(&format!("{name}-{quic}"), &sc);
        let options = Options {
            authority: Some(dir.clone()),
            ..Options::default()
        };
        let (n, url, quic_addr, stop) = start(&sc, &dir, options).await;
        let to = if quic {
            Connector::Quic(
                quic_addr,
                rappard_net::quic::client_endpoint().expect("endpoint"),
            )
        } else {
            Connector::Grpc(url.clone())
        };
        let mut tasks = Vec::new();
        for (id, d) in simulation::delegations(&sc) {
            let creds = pki::load(&dir, id.as_str()).expect("credentials");
            let to = to.clone();
            tasks.push((
                id,
                tokio::spawn(async move { rappard_net::member::run(&to, &creds, d).await }),
            ));
        }
        let record = tokio::time::timeout(Duration::from_secs(120), n.finished())
            .await
            .expect("finishes in time")
            .expect("no task of the node failed");
        let mut talks = 0;
        let mut acceded = Vec::new();
        for (id, t) in tasks {
            let activity = t.await.expect("task").expect("delegation ran to the end");
            talks += activity.talks;
            if let Some(m) = activity.member_certificate {
                acceded.push((id, m));
            }
        }
        let expected = simulation::run(&sc).expect("simulation");
        if name == "accessions-2024" {
            // The bilateral talks ran node to node: each of the 42 deals was
            // offered directly by an applicant's node to a member's node.
            assert!(talks >= 2 * 42, "{talks} direct talks");
            member_certificates_are_for_the_nodes_own_keys(&dir, &url, &expected, &acceded).await;
        } else {
            assert!(
                acceded.is_empty(),
                "{name}: no accession, no member certificate"
            );
        }
        assert_eq!(
            record.sha256(),
            expected.sha256(),
            "{name} (QUIC: {quic}): the network gives the simulation's record"
        );
        let _ = stop.send(());
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Each applicant whose accession completed was signed a member
/// certificate for the key its own node made: the certificate's public key
/// is the one the node generated, it names the applicant as a member, is
/// for clients only and from the authority; the reply carried no key. The
/// Secretariat signs once: a second request for another key is refused
/// `FAILED_PRECONDITION`; one naming another member `PERMISSION_DENIED`;
/// a broken one `INVALID_ARGUMENT`.
async fn member_certificates_are_for_the_nodes_own_keys(
    dir: &Path,
    url: &str,
    record: &rappard_core::record::Record,
    acceded: &[(MemberId, rappard_net::member::MemberCertificate)],
) {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;
    let mut completed: Vec<MemberId> = record
        .entries()
        .iter()
        .filter_map(|e| match &e.event {
            rappard_core::record::Event::AccessionCompleted { applicant, .. } => {
                Some(applicant.clone())
            }
            _ => None,
        })
        .collect();
    completed.sort();
    let mut got: Vec<MemberId> = acceded.iter().map(|(id, _)| id.clone()).collect();
    got.sort();
    assert!(
        !completed.is_empty(),
        "the scenario has accessions that complete"
    );
    assert_eq!(got, completed, "every acceded applicant, and only they");
    let ca = std::fs::read_to_string(dir.join("ca.pem")).expect("ca");
    let authority = rappard_net::tls::Authority::new(&ca).expect("authority");
    for (id, m) in acceded {
        let der = CertificateDer::from_pem_slice(m.certificate.as_bytes()).expect("PEM");
        let (_, cert) = x509_parser::parse_x509_certificate(der.as_ref()).expect("x509");
        assert_eq!(
            cert.public_key().raw,
            m.public_key.as_slice(),
            "{id}: the certificate is for the key its node made"
        );
        assert_eq!(
            pki::identity(der.as_ref()),
            Some((id.clone(), Role::Member))
        );
        let eku = cert.extended_key_usage().expect("eku").expect("an EKU");
        assert!(
            eku.value.client_auth && !eku.value.server_auth,
            "{id}: clients only"
        );
        authority
            .check(&[der.clone().into_owned()])
            .expect("issued by the authority, valid now");
    }
    // The reply holds the certificate alone: the schema has no key field
    // (this literal stops compiling if one comes back).
    let _reply_fields = v1::MemberCertificateReply {
        certificate: String::new(),
    };
    let (id, _) = &acceded[0];
    let mut again = rappard_net::member::connect(url, &pki::load(dir, id.as_str()).expect("creds"))
        .await
        .expect("connect with the applicant's certificate");
    let request = |who: &str| v1::MemberCertificateRequest {
        csr: pki::member_request(&MemberId::new(who).expect("id"))
            .expect("request")
            .csr,
    };
    let s = again
        .member_certificate(request(id.as_str()))
        .await
        .expect_err("a second key is refused");
    assert_eq!(s.code(), tonic::Code::FailedPrecondition, "{s:?}");
    assert!(s.message().contains("signed once"), "{}", s.message());
    let s = again
        .member_certificate(request("USA"))
        .await
        .expect_err("another member's name is refused");
    assert_eq!(s.code(), tonic::Code::PermissionDenied, "{s:?}");
    assert!(
        s.message().contains("rappard://member/USA"),
        "{}",
        s.message()
    );
    let mut broken = request(id.as_str());
    broken.csr.truncate(broken.csr.len() - 10);
    let s = again
        .member_certificate(broken)
        .await
        .expect_err("a broken request is refused");
    assert_eq!(s.code(), tonic::Code::InvalidArgument, "{s:?}");
    assert!(
        s.message().contains("MemberCertificateRequest.csr"),
        "{}",
        s.message()
    );
}

async fn client(
    url: &str,
    tls: tonic::transport::ClientTlsConfig,
) -> Result<
    v1::secretariat_client::SecretariatClient<tonic::transport::Channel>,
    tonic::transport::Error,
> {
    let ch = tonic::transport::Endpoint::from_shared(url.to_owned())?
        .tls_config(tls)?
        .connect()
        .await?;
    Ok(v1::secretariat_client::SecretariatClient::new(ch))
}

/// Refusals, each with its precise status and a message naming what is
/// wrong, none changing the record.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_have_precise_statuses_and_change_nothing() {
    let sc = scenario("accessions-2024");
    let dir = certs("refusals", &sc);
    // The negotiation waits for delegations that never come: the first call
    // stays open while the refusals are tried.
    let (n, url, quic_addr, stop) = start(
        &sc,
        &dir,
        Options {
            answer_timeout: Duration::from_secs(600),
            join_timeout: Duration::from_millis(1),
            authority: Some(dir.clone()),
            ..Options::default()
        },
    )
    .await;
    let creds = |id: &str| pki::load(&dir, id).expect("credentials");
    let usa = rappard_net::member::connect(&url, &creds("USA"))
        .await
        .expect("connect");
    // Wait until the first call is open (its entry arrives on the stream).
    let mut watcher = usa.clone();
    let mut stream = watcher
        .subscribe(v1::SubscribeRequest {
            after_seq: 0,
            only_my_calls: true,
            session: 0,
        })
        .await
        .expect("subscribe")
        .into_inner();
    let first = tokio::time::timeout(Duration::from_secs(30), stream.message())
        .await
        .expect("a call")
        .expect("stream")
        .expect("entry");
    let call = first.call.expect("typed call");
    // An own feed's call names the subscriber alone among the awaited and
    // carries no canonical entry: what a delegation receives per call does
    // not grow with the membership.
    assert_eq!(call.awaited, ["USA"], "{call:?}");
    assert!(first.canonical.is_empty(), "{}", first.canonical);
    let before = {
        let mut obs = rappard_net::member::connect(&url, &creds("secretariat"))
            .await
            .expect("connect");
        obs.join(v1::JoinRequest::default())
            .await
            .expect("join")
            .into_inner()
            .last_seq
    };

    // No client certificate: UNAUTHENTICATED.
    let ca = std::fs::read_to_string(dir.join("ca.pem")).expect("ca");
    let mut anon = client(&url, rappard_net::tls::client_anonymous(&ca))
        .await
        .expect("connect");
    let s = anon.join(v1::JoinRequest::default()).await.unwrap_err();
    assert_eq!(s.code(), tonic::Code::Unauthenticated, "{s:?}");
    assert!(s.message().contains("no client certificate"));

    // The same over QUIC: the identity check is shared by both transports.
    let endpoint = rappard_net::quic::client_endpoint().expect("endpoint");
    let anon_quic = rappard_net::quic::client_config(&creds("USA"), false).expect("config");
    let ch = rappard_net::quic::channel(&endpoint, quic_addr, anon_quic)
        .await
        .expect("QUIC channel");
    let s = v1::secretariat_client::SecretariatClient::new(ch)
        .join(v1::JoinRequest::default())
        .await
        .unwrap_err();
    assert_eq!(s.code(), tonic::Code::Unauthenticated, "{s:?}");
    let quic_usa = Connector::Quic(quic_addr, endpoint.clone())
        .connect(&creds("USA"))
        .await
        .expect("QUIC connect");
    let mut qu = quic_usa.clone();
    let joined = qu
        .join(v1::JoinRequest::default())
        .await
        .expect("join over QUIC")
        .into_inner();
    assert_eq!(joined.member, "USA");

    // A delegation answering for another: PERMISSION_DENIED.
    let mut u = usa.clone();
    let answer = |member: &str, a: v1::answer_request::Answer| v1::AnswerRequest {
        call: call.call,
        member: member.to_owned(),
        answer: Some(a),
        session: 0,
    };
    let stance = v1::answer_request::Answer::Position(v1::Stated {
        stated: Some(v1::stated::Stated::Level(5_000)),
    });
    let s = u.answer(answer("BRA", stance)).await.unwrap_err();
    assert_eq!(s.code(), tonic::Code::PermissionDenied, "{s:?}");
    assert!(
        s.message().contains("cannot answer for BRA"),
        "{}",
        s.message()
    );

    // An applicant trying to vote: PERMISSION_DENIED.
    let mut com = rappard_net::member::connect(&url, &creds("COM"))
        .await
        .expect("connect");
    let s = com
        .answer(answer(
            "",
            v1::answer_request::Answer::Vote(v1::Vote::Yes as i32),
        ))
        .await
        .unwrap_err();
    assert_eq!(s.code(), tonic::Code::PermissionDenied, "{s:?}");
    assert!(s.message().contains("applicant"), "{}", s.message());

    // An applicant not yet a Member asks for a member certificate, and a
    // Member asks for one: FAILED_PRECONDITION.
    let csr = |id: &str| {
        pki::member_request(&MemberId::new(id).expect("id"))
            .expect("request")
            .csr
    };
    let s = com
        .member_certificate(v1::MemberCertificateRequest { csr: csr("COM") })
        .await
        .unwrap_err();
    assert_eq!(s.code(), tonic::Code::FailedPrecondition, "{s:?}");
    assert!(s.message().contains("not a Member yet"), "{}", s.message());
    let s = u
        .member_certificate(v1::MemberCertificateRequest { csr: csr("USA") })
        .await
        .unwrap_err();
    assert_eq!(s.code(), tonic::Code::FailedPrecondition, "{s:?}");

    // The wrong kind of answer: INVALID_ARGUMENT; a stale call: FAILED_PRECONDITION.
    let s = u
        .answer(answer(
            "",
            v1::answer_request::Answer::Vote(v1::Vote::Yes as i32),
        ))
        .await
        .unwrap_err();
    assert_eq!(s.code(), tonic::Code::InvalidArgument, "{s:?}");
    let mut stale = answer("", stance);
    stale.call += 1_000;
    let s = u.answer(stale).await.unwrap_err();
    assert_eq!(s.code(), tonic::Code::FailedPrecondition, "{s:?}");

    // An oversize message: RESOURCE_EXHAUSTED.
    let s = u
        .answer(answer(&"X".repeat(100_000), stance))
        .await
        .unwrap_err();
    assert_eq!(s.code(), tonic::Code::ResourceExhausted, "{s:?}");

    // A certificate from a foreign authority: UNAUTHENTICATED, over both
    // transports, naming the reason.
    let foreign = std::env::temp_dir().join(format!("rappard-grpc-foreign-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&foreign);
    pki::init(&foreign, Existing::Refuse, days()).expect("pki");
    pki::issue(
        &foreign,
        &MemberId::new("USA").expect("id"),
        Role::Member,
        Existing::Refuse,
        days(),
    )
    .expect("issue");
    let mut fc = pki::load(&foreign, "USA").expect("credentials");
    fc.ca = ca.clone(); // it trusts the real Secretariat, but holds a foreign certificate
    let mut c = rappard_net::member::connect(&url, &fc)
        .await
        .expect("the handshake completes");
    let s = c.join(v1::JoinRequest::default()).await.unwrap_err();
    assert_eq!(s.code(), tonic::Code::Unauthenticated, "{s:?}");
    assert!(
        s.message()
            .contains("not issued by this negotiation's authority"),
        "{}",
        s.message()
    );
    let s = c
        .answer(v1::AnswerRequest {
            call: call.call,
            member: String::new(),
            answer: Some(stance),
            session: 0,
        })
        .await
        .unwrap_err();
    assert_eq!(s.code(), tonic::Code::Unauthenticated, "{s:?}");
    let mut qc = Connector::Quic(quic_addr, endpoint.clone())
        .connect(&fc)
        .await
        .expect("QUIC handshake completes");
    let s = qc.join(v1::JoinRequest::default()).await.unwrap_err();
    assert_eq!(s.code(), tonic::Code::Unauthenticated, "{s:?}");

    let after = {
        let mut obs = rappard_net::member::connect(&url, &creds("secretariat"))
            .await
            .expect("connect");
        obs.join(v1::JoinRequest::default())
            .await
            .expect("join")
            .into_inner()
            .last_seq
    };
    assert_eq!(before, after, "refusals leave the record alone");
    drop(n);
    let _ = stop.send(());
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&foreign);
}

/// A delegation that connects late, and one that drops its connection and
/// comes back, resume from the record and miss nothing: the record is still
/// the simulation's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn late_and_reconnecting_delegations_miss_nothing() {
    let sc = scenario("classroom");
    let dir = certs("late", &sc);
    let (n, url, _, stop) = start(
        &sc,
        &dir,
        Options {
            answer_timeout: Duration::from_secs(60),
            join_timeout: Duration::from_millis(200),
            ..Options::default()
        },
    )
    .await;
    let to = Connector::Grpc(url.clone());
    let mut delegations = simulation::delegations(&sc);
    let late = delegations.remove("ZAF").expect("ZAF");
    let flaky = delegations.remove("IND").expect("IND");
    let mut tasks = Vec::new();
    for (id, d) in delegations {
        let creds = pki::load(&dir, id.as_str()).expect("credentials");
        let to = to.clone();
        tasks.push(tokio::spawn(async move {
            rappard_net::member::run(&to, &creds, d).await
        }));
    }
    // An observer follows the whole record.
    let mut obs =
        rappard_net::member::connect(&url, &pki::load(&dir, "secretariat").expect("credentials"))
            .await
            .expect("connect");
    let mut record = obs
        .subscribe(v1::SubscribeRequest {
            after_seq: 0,
            only_my_calls: false,
            session: 0,
        })
        .await
        .expect("subscribe")
        .into_inner();
    let mut wait_for = async |what: &str, f: &dyn Fn(&str) -> bool| {
        tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(e) = record.message().await.expect("stream") {
                if f(&e.canonical) {
                    return;
                }
            }
            panic!("the record ended before {what}");
        })
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"));
    };
    // IND starts and its connection drops once the negotiation is under
    // way (the task is aborted while the first call waits for the absent
    // ZAF; IND may or may not have answered it by then: either way it must
    // resume correctly).
    let ind_creds = pki::load(&dir, "IND").expect("credentials");
    let first_run = {
        let to = to.clone();
        let creds = ind_creds.clone();
        let d = simulation::delegations(&sc).remove("IND").expect("IND");
        tokio::spawn(async move { rappard_net::member::run(&to, &creds, d).await })
    };
    wait_for("the first call", &|c| c.contains("call-issued")).await;
    first_run.abort();
    // ZAF connects late, after the negotiation started without it.
    let zaf = {
        let to = to.clone();
        let creds = pki::load(&dir, "ZAF").expect("credentials");
        tokio::spawn(async move { rappard_net::member::run(&to, &creds, late).await })
    };
    // IND comes back with a fresh node and catches up.
    let ind = tokio::spawn(async move { rappard_net::member::run(&to, &ind_creds, flaky).await });
    let got = tokio::time::timeout(Duration::from_secs(120), n.finished())
        .await
        .expect("finishes")
        .expect("no task of the node failed");
    for t in tasks.into_iter().chain([zaf, ind]) {
        t.await.expect("task").expect("delegation ran to the end");
    }
    assert_eq!(
        got.sha256(),
        simulation::run(&sc).expect("simulation").sha256()
    );
    let _ = stop.send(());
    let _ = std::fs::remove_dir_all(&dir);
}

/// A "Secretariat" started with a member's certificate (BRA's: issued by
/// the same authority, and a server certificate, since members serve their
/// direct talks) is refused by a delegation node in the handshake, over
/// both transports, with an error that says it is not the Secretariat;
/// the delegation does not retry it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_refuses_a_secretariat_holding_a_members_certificate() {
    let sc = scenario("classroom");
    let dir = certs("impostor", &sc);
    let (_n, url, quic_addr, stop) = start_as(&sc, &dir, Options::default(), "BRA").await;
    let creds = pki::load(&dir, "USA").expect("credentials");
    let endpoint = rappard_net::quic::client_endpoint().expect("endpoint");
    for to in [
        Connector::Grpc(url.clone()),
        Connector::Quic(quic_addr, endpoint.clone()),
    ] {
        let d = simulation::delegations(&sc).remove("USA").expect("USA");
        let e = tokio::time::timeout(
            Duration::from_secs(30),
            rappard_net::member::run(&to, &creds, d),
        )
        .await
        .unwrap_or_else(|_| panic!("{to}: the delegation gives up at once"))
        .expect_err("a member's node is not the Secretariat");
        assert!(
            matches!(&e, rappard_net::Error::NotTheSecretariat { detail, .. }
                if detail.contains("rappard://member/BRA")),
            "{to}: {e}"
        );
        assert!(e.is_definite() && !e.is_connection(), "{e}");
        assert!(e.to_string().contains("is not the Secretariat"), "{e}");
        assert!(e.to_string().contains("for clients only"), "{e}");
    }
    standard_clients_refuse_a_members_certificate(&dir, &url, quic_addr, &endpoint).await;
    let _ = stop.send(());
    let _ = std::fs::remove_dir_all(&dir);
}

/// A client with rustls's standard WebPKI server verifier (the authority
/// as its only root, nothing of rappard's) refuses a member's certificate
/// offered as a server, because of its usage: it is for clients only (no
/// serverAuth), over TCP and over QUIC.
async fn standard_clients_refuse_a_members_certificate(
    dir: &Path,
    url: &str,
    quic_addr: SocketAddr,
    endpoint: &quinn::Endpoint,
) {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;
    let ca = std::fs::read(dir.join("ca.pem")).expect("ca");
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(&ca).expect("PEM"))
        .expect("root");
    let tls = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let addr = url.trim_start_matches("https://");
    let tcp = tokio::net::TcpStream::connect(addr).await.expect("TCP");
    let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
    let e = tokio_rustls::TlsConnector::from(std::sync::Arc::new(tls.clone()))
        .connect(name, tcp)
        .await
        .expect_err("the standard verifier refuses a member's certificate");
    let inner = e
        .get_ref()
        .and_then(|i| i.downcast_ref::<rustls::Error>())
        .unwrap_or_else(|| panic!("a rustls error: {e}"));
    assert!(
        matches!(
            inner,
            rustls::Error::InvalidCertificate(
                rustls::CertificateError::InvalidPurpose
                    | rustls::CertificateError::InvalidPurposeContext { .. }
            )
        ),
        "TCP: refused for its usage, not {inner:?}"
    );
    let mut quic_tls = tls;
    quic_tls.alpn_protocols = vec![rappard_net::quic::ALPN.to_vec()];
    let crypto = quinn::crypto::rustls::QuicClientConfig::try_from(quic_tls).expect("QUIC TLS");
    let e = endpoint
        .connect_with(
            quinn::ClientConfig::new(std::sync::Arc::new(crypto)),
            quic_addr,
            "localhost",
        )
        .expect("connect")
        .await
        .expect_err("the standard verifier refuses a member's certificate over QUIC");
    assert!(
        e.to_string()
            .contains("extended key usage for server authentication"),
        "QUIC: refused for its usage, not {e}"
    );
}

/// A certificate on the authority's revocation list, when the Secretariat
/// starts or added while it runs, and an expired certificate are refused
/// `UNAUTHENTICATED` on their next call, with a message naming the holder
/// and why, over both transports; nothing they ask is served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoked_and_expired_certificates_are_refused() {
    use rappard_net::revocation::{self, Revoke};
    let sc = scenario("classroom");
    let dir = certs("revoked", &sc);
    let id = |s: &str| MemberId::new(s).expect("id");
    revocation::revoke(&dir, &Revoke::Id(id("BRA"))).expect("revoke BRA");
    let now = std::time::SystemTime::now();
    let day = Duration::from_secs(86_400);
    let expired = Validity {
        not_before: now - 3 * day,
        not_after: now - day,
    };
    pki::issue(&dir, &id("IND"), Role::Member, Existing::Replace, expired).expect("issue");
    let options = Options {
        join_timeout: Duration::from_secs(600),
        revocations: Some(dir.join(revocation::FILE)),
        ..Options::default()
    };
    let (_n, url, quic_addr, stop) = start(&sc, &dir, options).await;
    let endpoint = rappard_net::quic::client_endpoint().expect("endpoint");
    let transports = [
        Connector::Grpc(url.clone()),
        Connector::Quic(quic_addr, endpoint.clone()),
    ];
    let creds = |who: &str| pki::load(&dir, who).expect("credentials");
    for to in &transports {
        for (who, why) in [("BRA", "revoked"), ("IND", "expired")] {
            let mut c = to
                .connect(&creds(who))
                .await
                .expect("the handshake completes");
            refused(&mut c, who, why, to).await;
        }
    }
    // USA is served, then revoked while the Secretariat runs: its next
    // call, on the connection it has, is refused.
    let mut usa = Vec::new();
    for to in &transports {
        let mut c = to.connect(&creds("USA")).await.expect("connect");
        c.join(v1::JoinRequest::default())
            .await
            .expect("USA is not revoked yet");
        usa.push((c, to));
    }
    revocation::revoke(&dir, &Revoke::Id(id("USA"))).expect("revoke USA");
    for (mut c, to) in usa {
        refused(&mut c, "USA", "revoked", to).await;
    }
    let _ = stop.send(());
    let _ = std::fs::remove_dir_all(&dir);
}

/// A join refused `UNAUTHENTICATED`, the message naming `who` and `why`.
async fn refused(
    c: &mut v1::secretariat_client::SecretariatClient<tonic::transport::Channel>,
    who: &str,
    why: &str,
    to: &Connector,
) {
    let s = c
        .join(v1::JoinRequest::default())
        .await
        .expect_err("refused");
    assert_eq!(s.code(), tonic::Code::Unauthenticated, "{to}: {s:?}");
    assert!(
        s.message().contains(&format!("certificate of {who}")) && s.message().contains(why),
        "{to}: {}",
        s.message()
    );
}

/// The direct talks reach only the member meant: an applicant's node
/// accepts a Delegation service only with the talks certificate whose
/// fingerprint it was given for that member. Another member's node at the
/// address is refused in the handshake; the right one hears the offer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direct_talks_reach_only_the_member_meant() {
    use rappard_net::talks::{self, TalksIdentity};
    struct Accepts;
    #[tonic::async_trait]
    impl v1::delegation_server::Delegation for Accepts {
        async fn offer(
            &self,
            _: tonic::Request<v1::OfferRequest>,
        ) -> Result<tonic::Response<v1::OfferReply>, tonic::Status> {
            Ok(tonic::Response::new(v1::OfferReply { accept: true }))
        }
    }
    rappard_net::install_crypto();
    let sc = scenario("accessions-2024");
    let dir = certs("talks", &sc);
    let creds = |who: &str| pki::load(&dir, who).expect("credentials");
    let bra = TalksIdentity::generate(&creds("BRA")).expect("talks key");
    let usa = TalksIdentity::generate(&creds("USA")).expect("talks key");
    assert_ne!(bra.fingerprint(), usa.fingerprint());
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tonic::transport::Server::builder()
        .tls_config(bra.server_tls(&creds("BRA").ca))
        .expect("TLS")
        .add_service(v1::delegation_server::DelegationServer::new(Accepts))
        .serve_with_incoming_shutdown(
            tokio_stream::wrappers::TcpListenerStream::new(listener),
            async {
                let _ = stopped.await;
            },
        );
    let server = tokio::spawn(server);
    let com = creds("COM");
    // BRA's node is there, but the applicant meant USA's.
    let e = talks::connect(&addr, "USA", usa.fingerprint(), &com)
        .await
        .expect_err("not USA's node");
    assert!(
        e.to_string().contains("not USA's"),
        "refused for its certificate: {e}"
    );
    let channel = talks::connect(&addr, "BRA", bra.fingerprint(), &com)
        .await
        .expect("BRA's node");
    let reply = v1::delegation_client::DelegationClient::new(channel)
        .offer(v1::OfferRequest {
            call: 1,
            round: 1,
            offer: 5_000,
        })
        .await
        .expect("the offer is heard");
    assert!(reply.into_inner().accept);
    let _ = stop.send(());
    let _ = server.await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// A Secretariat whose negotiation waits (for delegations that do not
/// come), and a client with `id`'s certificate.
async fn waiting(
    name: &str,
    id: &str,
) -> (
    Negotiation,
    v1::secretariat_client::SecretariatClient<tonic::transport::Channel>,
    tokio::sync::oneshot::Sender<()>,
    PathBuf,
) {
    let sc = scenario("classroom");
    let dir = certs(name, &sc);
    let options = Options {
        join_timeout: Duration::from_secs(600),
        ..Options::default()
    };
    let (n, url, _, stop) = start(&sc, &dir, options).await;
    let client = rappard_net::member::connect(&url, &pki::load(&dir, id).expect("credentials"))
        .await
        .expect("connect");
    (n, client, stop, dir)
}

/// `Subscribe` after a sequence number beyond the record (a delegation
/// resuming a run this Secretariat did not serve) is refused
/// `OUT_OF_RANGE` naming the field, rather than accepted and left
/// waiting for entries that are not the ones it missed; resuming after
/// the last entry is accepted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribe_beyond_the_record_is_out_of_range() {
    let (_n, mut usa, stop, dir) = waiting("out-of-range", "USA").await;
    let last = usa
        .join(v1::JoinRequest::default())
        .await
        .expect("join")
        .into_inner()
        .last_seq;
    for beyond in [last + 1, last + 1_000, u64::MAX] {
        let s = usa
            .subscribe(v1::SubscribeRequest {
                after_seq: beyond,
                only_my_calls: true,
                session: 0,
            })
            .await
            .expect_err("beyond the record");
        assert_eq!(s.code(), tonic::Code::OutOfRange, "{s:?}");
        assert!(
            s.message().contains("SubscribeRequest.after_seq"),
            "{}",
            s.message()
        );
        let e = rappard_net::Error::from(s);
        assert!(matches!(e, rappard_net::Error::OutOfRange(_)) && e.is_definite());
    }
    usa.subscribe(v1::SubscribeRequest {
        after_seq: last,
        only_my_calls: true,
        session: 0,
    })
    .await
    .expect("resuming after the last entry is accepted");
    let _ = stop.send(());
    let _ = std::fs::remove_dir_all(&dir);
}

/// `Join` refuses a talks address over 256 bytes or that is not
/// `HOST:PORT`, or one without the SHA-256 of the certificate served
/// there, with `INVALID_ARGUMENT` naming the field; `HOST:PORT` with a
/// fingerprint is accepted. A `JoinRequest` over 1 KiB (here a 3 MB
/// address) is refused `RESOURCE_EXHAUSTED` before it is read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn join_refuses_a_bad_talks_address() {
    let (_n, mut usa, stop, dir) = waiting("talks-address", "USA").await;
    let huge = v1::JoinRequest {
        talks_address: "x".repeat(3 * 1024 * 1024),
        talks_certificate_sha256: vec![7; 32],
    };
    let size = prost::Message::encoded_len(&huge);
    let s = usa.join(huge).await.expect_err("a 3 MB request");
    assert_eq!(s.code(), tonic::Code::ResourceExhausted, "{s:?}");
    assert!(
        s.message()
            .contains(&format!("JoinRequest is {size} bytes"))
            && s.message().contains("at most 1024"),
        "{}",
        s.message()
    );
    for bad in [
        format!("{}:1", "a".repeat(900)),
        format!("{}:1", "a".repeat(300)),
        "not an address".to_owned(),
        "127.0.0.1".to_owned(),
        "127.0.0.1:1/elsewhere".to_owned(),
    ] {
        let s = usa
            .join(v1::JoinRequest {
                talks_address: bad.clone(),
                talks_certificate_sha256: vec![7; 32],
            })
            .await
            .expect_err("a bad talks address");
        assert_eq!(s.code(), tonic::Code::InvalidArgument, "{s:?}");
        assert!(
            s.message().contains("JoinRequest.talks_address"),
            "{}",
            s.message()
        );
        assert!(s.message().len() < 512, "the message does not echo it all");
    }
    // A talks address needs the fingerprint of the certificate served
    // there, SHA-256.
    for pin in [vec![], vec![7; 31]] {
        let s = usa
            .join(v1::JoinRequest {
                talks_address: "127.0.0.1:4000".into(),
                talks_certificate_sha256: pin,
            })
            .await
            .expect_err("no usable fingerprint");
        assert_eq!(s.code(), tonic::Code::InvalidArgument, "{s:?}");
        assert!(
            s.message().contains("JoinRequest.talks_certificate_sha256"),
            "{}",
            s.message()
        );
    }
    let joined = usa
        .join(v1::JoinRequest {
            talks_address: "127.0.0.1:4000".into(),
            talks_certificate_sha256: vec![7; 32],
        })
        .await
        .expect("HOST:PORT is accepted")
        .into_inner();
    assert_eq!(joined.member, "USA");
    let _ = stop.send(());
    let _ = std::fs::remove_dir_all(&dir);
}

/// `Subscribe` to one's own calls from the start, without a session.
fn subscribe_mine() -> v1::SubscribeRequest {
    v1::SubscribeRequest {
        after_seq: 0,
        only_my_calls: true,
        session: 0,
    }
}

/// A tonic channel with tonic's own TLS.
async fn raw_channel(
    url: &str,
    tls: tonic::transport::ClientTlsConfig,
) -> Result<tonic::transport::Channel, tonic::transport::Error> {
    tonic::transport::Endpoint::from_shared(url.to_owned())?
        .tls_config(tls)?
        .connect()
        .await
}

/// A TCP connection to `to` from the local address `from` (another
/// loopback address stands for another host).
async fn tcp_from(from: &str, to: SocketAddr) -> tokio::net::TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket
        .bind(format!("{from}:0").parse().expect("address"))
        .expect("bind");
    socket.connect(to).await.expect("connect")
}

/// Waits until the server closes `s` (end of stream, or reset), within
/// `within`; panics if it does not.
async fn closed_within(s: &mut (impl tokio::io::AsyncRead + Unpin), within: Duration, what: &str) {
    use tokio::io::AsyncReadExt as _;
    let mut buf = [0u8; 1024];
    let closed = tokio::time::timeout(within, async {
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "{what}: still open after {within:?}");
}

/// A TLS client of the Secretariat without a client certificate (raw, to
/// watch the connection itself).
async fn tls_without_certificate(
    from: &str,
    to: SocketAddr,
    ca: &str,
) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
    raw_tls(from, to, ca, None).await
}

/// A raw TLS client of the Secretariat, with `creds`' certificate if
/// given.
async fn raw_tls(
    from: &str,
    to: SocketAddr,
    ca: &str,
    creds: Option<&pki::Credentials>,
) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
    use rustls::pki_types::pem::PemObject as _;
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls::pki_types::CertificateDer::pem_slice_iter(ca.as_bytes()) {
        roots.add(c.expect("certificate")).expect("root");
    }
    let builder = rustls::ClientConfig::builder().with_root_certificates(roots);
    let mut config = match creds {
        None => builder.with_no_client_auth(),
        Some(c) => {
            let chain = rustls::pki_types::CertificateDer::pem_slice_iter(c.cert.as_bytes())
                .collect::<Result<Vec<_>, _>>()
                .expect("certificate");
            let key =
                rustls::pki_types::PrivateKeyDer::from_pem_slice(c.key.as_bytes()).expect("key");
            builder
                .with_client_auth_cert(chain, key)
                .expect("client auth")
        }
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
    tokio_rustls::TlsConnector::from(std::sync::Arc::new(config))
        .connect(name, tcp_from(from, to).await)
        .await
        .expect("the handshake completes")
}

/// The limits on connections (`rappard_net::limits`), over both
/// transports: an address's places for connections not yet authenticated
/// (beyond: closed at accept, or a QUIC connection refused, while other
/// addresses and authenticated members get in); idle handshakes closed at
/// the handshake timeout; a connection without a certificate, and one with
/// a certificate that makes no request, closed at the deadline; an
/// authenticated connection that made a request kept past it;
/// and connections per certificate (beyond: the oldest closed for the
/// newest, counted over both transports).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_are_bounded_and_idle_ones_closed() {
    let sc = scenario("classroom");
    let dir = certs("connections", &sc);
    let limits = rappard_net::limits::Limits {
        handshake_timeout: Duration::from_secs(2),
        first_request_timeout: Duration::from_secs(2),
        connections_per_address: 2,
        connections_per_member: 1,
        ..Default::default()
    };
    let options = Options {
        join_timeout: Duration::from_secs(600),
        limits,
        ..Options::default()
    };
    let (_n, url, quic_addr, stop) = start(&sc, &dir, options).await;
    let grpc_addr: SocketAddr = url.trim_start_matches("https://").parse().expect("address");
    let creds = |id: &str| pki::load(&dir, id).expect("credentials");
    let ca = std::fs::read_to_string(dir.join("ca.pem")).expect("ca");

    // USA authenticates and makes a request: it is kept past its deadline.
    let mut usa = rappard_net::member::connect(&url, &creds("USA"))
        .await
        .expect("connect");
    let mut stream = usa
        .subscribe(subscribe_mine())
        .await
        .expect("subscribe")
        .into_inner();

    // Two idle TCP connections from 127.0.0.2 take its places; a third is
    // closed at once, while the first two are still open.
    let mut idle = vec![
        tcp_from("127.0.0.2", grpc_addr).await,
        tcp_from("127.0.0.2", grpc_addr).await,
    ];
    let mut third = tcp_from("127.0.0.2", grpc_addr).await;
    closed_within(&mut third, Duration::from_secs(1), "a third from 127.0.0.2").await;
    for s in &idle {
        let mut buf = [0u8; 8];
        let e = s.try_read(&mut buf).expect_err("no data, not closed");
        assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock, "{e}");
    }
    // Another address, and a member, are not affected.
    let mut bra = rappard_net::member::connect(&url, &creds("BRA"))
        .await
        .expect("connect");
    bra.join(v1::JoinRequest::default())
        .await
        .expect("BRA joins while 127.0.0.2 is full");
    // The idle ones are closed at the handshake timeout.
    for s in &mut idle {
        closed_within(s, Duration::from_secs(10), "an idle handshake").await;
    }

    // A TLS connection without a certificate is closed at its deadline,
    // and so is one with a certificate that makes no request.
    let mut anonymous = tls_without_certificate("127.0.0.3", grpc_addr, &ca).await;
    let mut silent = raw_tls("127.0.0.1", grpc_addr, &ca, Some(&creds("ZAF"))).await;
    closed_within(
        &mut anonymous,
        Duration::from_secs(10),
        "a connection without a certificate",
    )
    .await;
    closed_within(
        &mut silent,
        Duration::from_secs(10),
        "a connection that makes no request",
    )
    .await;

    // USA's deadline has passed too (it connected first), and its
    // connection is kept: its record stream is still open.
    let open = tokio::time::timeout(Duration::from_millis(1), stream.message()).await;
    assert!(open.is_err(), "USA's stream is still open: {open:?}");
    // A second connection of USA, over either transport, takes the place
    // of the oldest (the limit is one): that one is closed, its stream
    // ends with an error, and the newer one serves.
    let mut usa2 = rappard_net::member::connect(&url, &creds("USA"))
        .await
        .expect("connect");
    usa2.join(v1::JoinRequest::default())
        .await
        .expect("a newer connection of USA serves");
    let ended = tokio::time::timeout(Duration::from_secs(10), stream.message())
        .await
        .expect("the oldest connection is closed");
    assert!(ended.is_err(), "its stream ends with an error: {ended:?}");
    let mut stream = usa2
        .subscribe(subscribe_mine())
        .await
        .expect("subscribe")
        .into_inner();
    let endpoint = rappard_net::quic::client_endpoint().expect("endpoint");
    let mut usa_quic = Connector::Quic(quic_addr, endpoint.clone())
        .connect(&creds("USA"))
        .await
        .expect("QUIC connect");
    usa_quic
        .join(v1::JoinRequest::default())
        .await
        .expect("a QUIC connection of USA serves");
    let ended = tokio::time::timeout(Duration::from_secs(10), stream.message())
        .await
        .expect("the TCP connection is closed for the QUIC one");
    assert!(ended.is_err(), "its stream ends with an error: {ended:?}");

    // QUIC: two connections without a certificate from 127.0.0.4 take its
    // places, a third is refused; the two are closed at their deadline,
    // with the reason.
    let from4 = quinn::Endpoint::client("127.0.0.4:0".parse().expect("address")).expect("endpoint");
    let anonymous = rappard_net::quic::client_config(&creds("USA"), false).expect("config");
    let mut held = Vec::new();
    for _ in 0..2 {
        let c = from4
            .connect_with(anonymous.clone(), quic_addr, "localhost")
            .expect("connect")
            .await
            .expect("the handshake completes without a certificate");
        held.push(c);
    }
    let third = from4
        .connect_with(anonymous.clone(), quic_addr, "localhost")
        .expect("connect")
        .await;
    assert!(
        matches!(third, Err(quinn::ConnectionError::ConnectionClosed(_))),
        "a third from 127.0.0.4: {third:?}"
    );
    for c in held {
        let why = tokio::time::timeout(Duration::from_secs(10), c.closed())
            .await
            .expect("closed at its deadline");
        match why {
            quinn::ConnectionError::ApplicationClosed(close) => {
                let reason = String::from_utf8_lossy(&close.reason);
                assert!(reason.contains("not authenticated"), "{reason}");
            }
            other => panic!("closed otherwise: {other}"),
        }
    }
    let _ = stop.send(());
    let _ = std::fs::remove_dir_all(&dir);
}

/// With `require_client_certificate`, a handshake without a client
/// certificate is refused, over both transports: not even the health
/// service answers; with a certificate everything works as before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_can_be_required_at_the_handshake() {
    use tonic_health::pb::HealthCheckRequest;
    use tonic_health::pb::health_client::HealthClient;
    let sc = scenario("classroom");
    let dir = certs("required", &sc);
    let options = Options {
        join_timeout: Duration::from_secs(600),
        limits: rappard_net::limits::Limits {
            require_client_certificate: true,
            ..Default::default()
        },
        ..Options::default()
    };
    let (_n, url, quic_addr, stop) = start(&sc, &dir, options).await;
    let creds = |id: &str| pki::load(&dir, id).expect("credentials");
    let ca = std::fs::read_to_string(dir.join("ca.pem")).expect("ca");
    let check = HealthCheckRequest {
        service: "rappard.v1.Secretariat".into(),
    };
    let refused = match raw_channel(&url, rappard_net::tls::client_anonymous(&ca)).await {
        Err(_) => true,
        Ok(ch) => HealthClient::new(ch).check(check.clone()).await.is_err(),
    };
    assert!(refused, "TCP: a handshake without a certificate is refused");
    let endpoint = rappard_net::quic::client_endpoint().expect("endpoint");
    let anonymous = rappard_net::quic::client_config(&creds("USA"), false).expect("config");
    let refused = match rappard_net::quic::channel(&endpoint, quic_addr, anonymous).await {
        Err(_) => true,
        Ok(ch) => HealthClient::new(ch).check(check.clone()).await.is_err(),
    };
    assert!(
        refused,
        "QUIC: a handshake without a certificate is refused"
    );
    for to in [
        Connector::Grpc(url.clone()),
        Connector::Quic(quic_addr, endpoint.clone()),
    ] {
        let mut usa = to.connect(&creds("USA")).await.expect("connect");
        usa.join(v1::JoinRequest::default())
            .await
            .unwrap_or_else(|s| panic!("{to}: USA joins: {s:?}"));
    }
    let _ = stop.send(());
    let _ = std::fs::remove_dir_all(&dir);
}

/// A request of any kind with a message over its bound (the fields the
/// Secretariat knows, padded with a field it does not) is refused
/// `RESOURCE_EXHAUSTED` naming the kind, the size and the bound, before it
/// is read; within the bound the padding is ignored as protobuf wants.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversize_requests_of_every_kind_are_refused() {
    /// Any request, with an unknown field to make it as large as wanted.
    #[derive(Clone, PartialEq, prost::Message)]
    struct Padded {
        #[prost(bytes = "vec", tag = "99")]
        pad: Vec<u8>,
    }
    let sc = scenario("classroom");
    let dir = certs("oversize", &sc);
    let options = Options {
        join_timeout: Duration::from_secs(600),
        ..Options::default()
    };
    let (_n, url, _, stop) = start(&sc, &dir, options).await;
    let usa = pki::load(&dir, "USA").expect("credentials");
    let tls = tonic::transport::ClientTlsConfig::new()
        .ca_certificate(tonic::transport::Certificate::from_pem(&usa.ca))
        .identity(tonic::transport::Identity::from_pem(&usa.cert, &usa.key))
        .domain_name("localhost");
    let channel = raw_channel(&url, tls).await.expect("connect");
    let mut grpc = tonic::client::Grpc::new(channel);
    let send = async |grpc: &mut tonic::client::Grpc<tonic::transport::Channel>,
                      path: &'static str,
                      pad: usize| {
        grpc.ready().await.expect("ready");
        let codec = tonic_prost::ProstCodec::<Padded, Padded>::default();
        grpc.unary(
            tonic::Request::new(Padded {
                pad: vec![b'x'; pad],
            }),
            tonic::codegen::http::uri::PathAndQuery::from_static(path),
            codec,
        )
        .await
    };
    for (path, kind, limit) in [
        ("/rappard.v1.Secretariat/Join", "JoinRequest", 1024),
        (
            "/rappard.v1.Secretariat/Subscribe",
            "SubscribeRequest",
            1024,
        ),
        ("/rappard.v1.Secretariat/Answer", "AnswerRequest", 64 * 1024),
        (
            "/rappard.v1.Secretariat/Counterparts",
            "CounterpartsRequest",
            1024,
        ),
        (
            "/rappard.v1.Secretariat/MemberCertificate",
            "MemberCertificateRequest",
            1024,
        ),
        (
            "/grpc.health.v1.Health/Check",
            "/grpc.health.v1.Health/Check",
            1024,
        ),
    ] {
        let s = send(&mut grpc, path, limit)
            .await
            .expect_err("over the bound");
        assert_eq!(s.code(), tonic::Code::ResourceExhausted, "{path}: {s:?}");
        let size = prost::Message::encoded_len(&Padded {
            pad: vec![b'x'; limit],
        });
        assert!(
            s.message().contains(&format!("the {kind} is {size} bytes"))
                && s.message().contains(&format!("at most {limit}")),
            "{path}: {}",
            s.message()
        );
    }
    let joined = send(&mut grpc, "/rappard.v1.Secretariat/Join", 1000).await;
    assert!(joined.is_ok(), "within the bound: {joined:?}");
    let _ = stop.send(());
    let _ = std::fs::remove_dir_all(&dir);
}

/// A feed of the whole record whose reader stops reading does not hold
/// up anyone: over real gRPC, one observer reads the whole record while
/// another never reads (its HTTP/2 window is kept small, so the
/// Secretariat's buffer for it fills); the negotiation ends, the reading
/// observer has every entry, byte for byte the simulation's, and the
/// stuck one is cut off with `UNAVAILABLE` naming the limit, then
/// resumes after the last entry it got, to the same record.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stuck_observer_is_cut_off_and_resumes_to_the_same_record() {
    let sc = scenario("classroom");
    let dir = certs("stuck-observer", &sc);
    let limits = rappard_net::limits::Limits {
        feed_buffer: 2,
        subscriber_timeout: Duration::from_millis(300),
        ..rappard_net::limits::Limits::default()
    };
    let (n, url, _, stop) = start(
        &sc,
        &dir,
        Options {
            join_timeout: Duration::from_secs(60),
            limits,
            ..Options::default()
        },
    )
    .await;
    let observer = pki::load(&dir, "secretariat").expect("credentials");
    let whole = v1::SubscribeRequest {
        after_seq: 0,
        only_my_calls: false,
        session: 0,
    };
    // The stuck observer: a window of 64 bytes, and it never reads.
    let tls = tonic::transport::ClientTlsConfig::new()
        .ca_certificate(tonic::transport::Certificate::from_pem(&observer.ca))
        .identity(tonic::transport::Identity::from_pem(
            &observer.cert,
            &observer.key,
        ))
        .domain_name("localhost");
    let channel = tonic::transport::Endpoint::from_shared(url.clone())
        .expect("url")
        .tls_config(tls)
        .expect("tls")
        .initial_stream_window_size(64)
        .initial_connection_window_size(64)
        .connect()
        .await
        .expect("connect");
    let mut stuck = v1::secretariat_client::SecretariatClient::new(channel)
        .subscribe(whole)
        .await
        .expect("subscribe")
        .into_inner();
    // The reading observer.
    let mut reading = rappard_net::member::connect(&url, &observer)
        .await
        .expect("connect")
        .subscribe(whole)
        .await
        .expect("subscribe")
        .into_inner();
    let read_all = tokio::spawn(async move {
        let mut lines = Vec::new();
        while let Some(e) = reading.message().await.expect("the reading feed") {
            lines.push(e.canonical);
        }
        lines
    });
    let to = Connector::Grpc(url.clone());
    let mut tasks = Vec::new();
    for (id, d) in simulation::delegations(&sc) {
        let creds = pki::load(&dir, id.as_str()).expect("credentials");
        let to = to.clone();
        tasks.push(tokio::spawn(async move {
            rappard_net::member::run(&to, &creds, d).await
        }));
    }
    let got = tokio::time::timeout(Duration::from_secs(120), n.finished())
        .await
        .expect("the negotiation ends although an observer is stuck")
        .expect("no task of the node failed");
    for t in tasks {
        t.await.expect("task").expect("delegation ran to the end");
    }
    let expected: Vec<String> = got
        .entries()
        .iter()
        .map(|e| {
            String::from_utf8(rappard_core::record::Record::canonical_entry(e)).expect("UTF-8")
        })
        .collect();
    assert_eq!(
        got.sha256(),
        simulation::run(&sc).expect("simulation").sha256()
    );
    let read = tokio::time::timeout(Duration::from_secs(60), read_all)
        .await
        .expect("the reading observer's stream ends")
        .expect("task");
    assert_eq!(read, expected, "the reading observer has the whole record");
    // The Secretariat cuts the stuck observer off (it counts the cut).
    tokio::time::timeout(Duration::from_secs(60), async {
        while !n
            .metrics()
            .encode()
            .contains("rappard_subscribers_cut_off_total 1")
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the stuck observer is cut off within 60 s");
    // The stuck observer now reads: what was buffered for it, then the cut.
    let mut seen = Vec::new();
    let cut = loop {
        match stuck.message().await {
            Ok(Some(e)) => seen.push(e.canonical),
            Ok(None) => panic!(
                "the stuck observer was not cut off ({} entries)",
                seen.len()
            ),
            Err(status) => break status,
        }
    };
    assert_eq!(cut.code(), tonic::Code::Unavailable, "{cut:?}");
    assert!(cut.message().contains("--subscriber-timeout"), "{cut:?}");
    assert!(seen.len() < expected.len(), "{} entries", seen.len());
    // It resumes after the last entry it saw, to the same record.
    let mut rest = rappard_net::member::connect(&url, &observer)
        .await
        .expect("connect")
        .subscribe(v1::SubscribeRequest {
            after_seq: seen.len() as u64,
            ..whole
        })
        .await
        .expect("resume")
        .into_inner();
    while let Some(e) = rest.message().await.expect("the resumed feed") {
        seen.push(e.canonical);
    }
    assert_eq!(seen, expected, "the resumed observer has the whole record");
    let _ = stop.send(());
    let _ = std::fs::remove_dir_all(&dir);
}
