//! The network commands: `pki`, `secretariat`, `member` and `demo`.
//!
//! `demo` starts real processes on 127.0.0.1 (one Secretariat and N member
//! processes, every delegation with its own connection and certificate),
//! reads the whole record as an observer, prints it exactly as `simulate`
//! does, and stops every process it started.

use std::io::{BufRead, BufReader, Write as _};
use std::path::Path;
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use rappard_core::member::MemberId;
use rappard_core::record::Record;
use rappard_core::scenario::{self, Scenario};
use rappard_core::simulation;
use rappard_net::pki::{self, Role};
use rappard_proto::{convert, v1};

use crate::{Format, print_record};

/// The shipped full-membership scenario, for `demo` without arguments.
const WTO_FULL: &str = include_str!("../../../examples/scenarios/wto-full.toml");

fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("error: cannot start the async runtime: {e}");
            ExitCode::from(1)
        })
}

pub(crate) fn load_scenario(path: &Path, seed: Option<u64>) -> Result<Scenario, ExitCode> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        eprintln!("error: cannot read scenario {name}: {e}");
        ExitCode::from(2)
    })?;
    let sc = scenario::parse(&name, &text).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })?;
    Ok(match seed {
        Some(s) => sc.with_seed(s),
        None => sc,
    })
}

/// `rappard pki init`.
pub fn pki_init(dir: &Path) -> ExitCode {
    match pki::init(dir) {
        Ok(()) => {
            println!("authority written to {}", dir.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// `rappard pki issue`.
pub fn pki_issue(dir: &Path, id: &str, role: &str) -> ExitCode {
    let Some(role) = Role::parse(role) else {
        eprintln!("error: unknown role `{role}`; use member, applicant or secretariat");
        return ExitCode::from(2);
    };
    let id = match MemberId::new(id) {
        Ok(id) => id,
        Err(e) => {
            eprintln!("error: --id: {e}");
            return ExitCode::from(2);
        }
    };
    match pki::issue(dir, &id, role) {
        Ok((pem, key)) => {
            println!("{} {}", pem.display(), key.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// `rappard secretariat`: serves until Ctrl-C. Prints `grpc ADDR` on
/// stdout once listening, and the record's size and SHA-256 on stderr when
/// the negotiation ends.
pub fn secretariat(
    scenario: &Path,
    seed: Option<u64>,
    grpc: &str,
    quic: Option<&str>,
    certs: &Path,
    options: rappard_net::secretariat::Options,
) -> ExitCode {
    let sc = match load_scenario(scenario, seed) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let creds = match pki::load(certs, "secretariat") {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let rt = match runtime() {
        Ok(r) => r,
        Err(c) => return c,
    };
    rt.block_on(async move {
        rappard_net::install_crypto();
        let listener = match tokio::net::TcpListener::bind(grpc).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("error: cannot listen on {grpc}: {e}");
                return ExitCode::from(2);
            }
        };
        let addr = listener.local_addr().map(|a| a.to_string()).unwrap_or_default();
        let udp = match quic.map(std::net::UdpSocket::bind).transpose() {
            Ok(u) => u,
            Err(e) => {
                eprintln!("error: cannot listen on {} (UDP): {e}", quic.unwrap_or_default());
                return ExitCode::from(2);
            }
        };
        let quic_addr = udp.as_ref().and_then(|u| u.local_addr().ok());
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        let listeners = rappard_net::secretariat::Listeners {
            grpc: Some(listener),
            quic: udp,
        };
        let n = match rappard_net::secretariat::serve(sc.agenda.clone(), &creds, listeners, options, shutdown).await {
            Ok(n) => n,
            Err(e) => {
                eprintln!("error: cannot start the Secretariat: {e}");
                return ExitCode::from(1);
            }
        };
        println!("grpc {addr}");
        if let Some(q) = quic_addr {
            println!("quic {q}");
        }
        let _ = std::io::stdout().flush();
        tokio::select! {
            record = n.finished() => {
                eprintln!("negotiation closed: {} events, sha256 {}", record.len(), record.sha256());
                let _ = tokio::signal::ctrl_c().await;
            }
            _ = tokio::signal::ctrl_c() => {}
        }
        ExitCode::SUCCESS
    })
}

/// `rappard member`: runs the delegations `ids`, each with its own
/// connection and certificate, to the end of the negotiation.
pub fn member(
    scenario: Option<&Path>,
    seed: Option<u64>,
    ids: &[String],
    address: &str,
    certs: &Path,
    quic: bool,
) -> ExitCode {
    // Each delegation's instructions, from the scenario if there is one.
    let mut all = match scenario {
        Some(path) => match load_scenario(path, seed) {
            Ok(sc) => Some((sc.agenda.name.clone(), simulation::delegations(&sc))),
            Err(c) => return c,
        },
        None => None,
    };
    let mut mine = Vec::new();
    for id in ids {
        let d = match &mut all {
            Some((name, all)) => match all.remove(id.as_str()) {
                Some(d) => Some(d),
                None => {
                    eprintln!("error: --ids: `{id}` is not a delegation or applicant of {name}");
                    return ExitCode::from(2);
                }
            },
            None => None,
        };
        let creds = match pki::load(certs, id) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        };
        mine.push((id.clone(), creds, d));
    }
    let rt = match runtime() {
        Ok(r) => r,
        Err(c) => return c,
    };
    let address = address.trim_start_matches("https://").to_owned();
    rt.block_on(async move {
        rappard_net::install_crypto();
        let to = match connector(&address, quic) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        };
        let mut tasks = Vec::new();
        for (id, creds, d) in mine {
            // Without a scenario: no instructions, and the run's seed as
            // the Secretariat gives it.
            let d = match d {
                Some(d) => d,
                None => {
                    let seed = match to.connect(&creds).await {
                        Ok(mut c) => {
                            match c.join(rappard_proto::v1::JoinRequest::default()).await {
                                Ok(r) => seed.unwrap_or(r.into_inner().seed),
                                Err(s) => {
                                    eprintln!(
                                        "error: delegation {id}: {}: {}",
                                        s.code(),
                                        s.message()
                                    );
                                    return ExitCode::from(1);
                                }
                            }
                        }
                        Err(e) => {
                            eprintln!("error: delegation {id}: {e}");
                            return ExitCode::from(1);
                        }
                    };
                    let member = match MemberId::new(&id) {
                        Ok(m) => m,
                        Err(e) => {
                            eprintln!("error: --ids: {e}");
                            return ExitCode::from(2);
                        }
                    };
                    rappard_core::delegation::Delegation::new(member, seed, Default::default())
                }
            };
            let to = to.clone();
            tasks.push(tokio::spawn(async move {
                (id, rappard_net::member::run(&to, &creds, d).await)
            }));
        }
        let all = async {
            let mut code = ExitCode::SUCCESS;
            for t in tasks {
                match t.await {
                    Ok((_, Ok(_))) => {}
                    Ok((id, Err(e))) => {
                        eprintln!("error: delegation {id}: {e}");
                        code = ExitCode::from(1);
                    }
                    Err(e) => {
                        eprintln!("error: a delegation task failed: {e}");
                        code = ExitCode::from(1);
                    }
                }
            }
            code
        };
        tokio::select! {
            code = all => code,
            _ = tokio::signal::ctrl_c() => {
                eprintln!("interrupted: the delegations leave the negotiation");
                ExitCode::from(130)
            }
        }
    })
}

/// How to reach the Secretariat at `address` (HOST:PORT) over a transport.
/// Must be called inside the runtime (QUIC binds a socket).
fn connector(address: &str, quic: bool) -> Result<rappard_net::member::Connector, String> {
    if quic {
        let addr: std::net::SocketAddr = address
            .parse()
            .map_err(|e| format!("--secretariat {address}: {e}"))?;
        let endpoint = rappard_net::quic::client_endpoint().map_err(|e| e.to_string())?;
        Ok(rappard_net::member::Connector::Quic(addr, endpoint))
    } else {
        Ok(rappard_net::member::Connector::Grpc(format!(
            "https://{address}"
        )))
    }
}

/// Processes the demo started; all are ended when it is dropped.
struct Children(Vec<Child>);

impl Drop for Children {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// What `rappard demo` runs.
pub struct DemoOptions {
    /// Replaces the scenario's seed.
    pub seed: Option<u64>,
    /// Member processes.
    pub processes: usize,
    /// Real seconds per simulated day.
    pub pace: Option<f64>,
    /// QUIC instead of gRPC over TCP.
    pub quic: bool,
    /// Output format.
    pub format: Format,
}

/// `rappard demo`.
pub fn demo(scenario: Option<&Path>, options: DemoOptions) -> ExitCode {
    let started = Instant::now();
    let dir = std::env::temp_dir().join(format!("rappard-demo-{}", std::process::id()));
    let result = demo_in(&dir, scenario, &options, started);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn demo_in(
    dir: &Path,
    scenario: Option<&Path>,
    options: &DemoOptions,
    started: Instant,
) -> ExitCode {
    let DemoOptions {
        seed,
        processes,
        pace,
        quic,
        format,
    } = *options;
    let processes = processes.max(1);
    let (text, name) = match scenario {
        Some(p) => match std::fs::read_to_string(p) {
            Ok(t) => (t, p.display().to_string()),
            Err(e) => {
                eprintln!("error: cannot read scenario {}: {e}", p.display());
                return ExitCode::from(2);
            }
        },
        None => (
            WTO_FULL.to_owned(),
            "examples/scenarios/wto-full.toml".to_owned(),
        ),
    };
    let sc = match scenario::parse(&name, &text) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("error: {}: {e}", dir.display());
        return ExitCode::from(1);
    }
    let scenario_file = dir.join("scenario.toml");
    if let Err(e) = std::fs::write(&scenario_file, &text) {
        eprintln!("error: {}: {e}", scenario_file.display());
        return ExitCode::from(1);
    }
    // The PKI: an authority, the Secretariat, every delegation and applicant.
    let ids: Vec<(MemberId, Role)> = sc
        .agenda
        .membership
        .delegations()
        .map(|m| (m.id.clone(), Role::Member))
        .chain(
            sc.agenda
                .accessions
                .iter()
                .map(|a| (a.applicant.id.clone(), Role::Applicant)),
        )
        .collect();
    let pki_made = pki::init(dir).and_then(|()| {
        pki::issue(
            dir,
            &MemberId::new(pki::SECRETARIAT_ID).unwrap_or_else(|_| ids[0].0.clone()),
            Role::Secretariat,
        )?;
        for (id, role) in &ids {
            pki::issue(dir, id, *role)?;
        }
        Ok(())
    });
    if let Err(e) = pki_made {
        eprintln!("error: {e}");
        return ExitCode::from(1);
    }
    eprintln!(
        "demo: {} delegations, PKI in {} ({:.1} s)",
        ids.len(),
        dir.display(),
        started.elapsed().as_secs_f64()
    );
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot find the rappard executable: {e}");
            return ExitCode::from(1);
        }
    };
    let pace_args: Vec<String> = pace
        .map(|p| vec!["--pace".into(), p.to_string()])
        .unwrap_or_default();
    let seed_args: Vec<String> = seed
        .map(|s| vec!["--seed".into(), s.to_string()])
        .unwrap_or_default();
    let mut children = Children(Vec::new());
    let mut sec = match Command::new(&exe)
        .arg("secretariat")
        .arg("--scenario")
        .arg(&scenario_file)
        .args(["--grpc", "127.0.0.1:0", "--quic", "127.0.0.1:0", "--certs"])
        .arg(dir)
        .args(&seed_args)
        .args(&pace_args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: cannot start the Secretariat: {e}");
            return ExitCode::from(1);
        }
    };
    let (mut grpc_line, mut quic_line) = (String::new(), String::new());
    let read = sec.stdout.take().map(|out| {
        let mut r = BufReader::new(out);
        r.read_line(&mut grpc_line)
            .and_then(|_| r.read_line(&mut quic_line))
    });
    children.0.push(sec);
    let listening = |line: &str, prefix: &str| line.trim().strip_prefix(prefix).map(str::to_owned);
    let (Some(grpc_addr), Some(quic_addr), Some(Ok(_))) = (
        listening(&grpc_line, "grpc "),
        listening(&quic_line, "quic "),
        read,
    ) else {
        eprintln!("error: the Secretariat did not say where it listens");
        return ExitCode::from(1);
    };
    let addr = if quic { quic_addr } else { grpc_addr };
    let transport = if quic { "quic" } else { "grpc" };
    // Delegations, spread over the member processes in turn.
    let mut groups: Vec<Vec<String>> = vec![Vec::new(); processes];
    for (k, (id, _)) in ids.iter().enumerate() {
        groups[k % processes].push(id.to_string());
    }
    for g in groups.into_iter().filter(|g| !g.is_empty()) {
        match Command::new(&exe)
            .arg("member")
            .arg("--scenario")
            .arg(&scenario_file)
            .args([
                "--secretariat",
                &addr,
                "--transport",
                transport,
                "--ids",
                &g.join(","),
                "--certs",
            ])
            .arg(dir)
            .args(&seed_args)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
        {
            Ok(c) => children.0.push(c),
            Err(e) => {
                eprintln!("error: cannot start a member process: {e}");
                return ExitCode::from(1);
            }
        }
    }
    eprintln!(
        "demo: Secretariat on {addr} ({transport}), {} member processes",
        children.0.len() - 1
    );
    let record = match observe(&addr, quic, dir, started) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    // Member processes end with the stream; the Secretariat is stopped.
    let deadline = Instant::now() + Duration::from_secs(30);
    for c in children.0.iter_mut().skip(1) {
        while Instant::now() < deadline {
            match c.try_wait() {
                Ok(Some(_)) | Err(_) => break,
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }
    drop(children);
    eprintln!(
        "demo: negotiation closed, {} events, sha256 {}, {:.2} s in all",
        record.len(),
        record.sha256(),
        started.elapsed().as_secs_f64()
    );
    print_record(&record, format)
}

/// Reads the whole record as an observer (the Secretariat's certificate),
/// with progress on stderr.
fn observe(addr: &str, quic: bool, dir: &Path, started: Instant) -> Result<Record, String> {
    let creds = pki::load(dir, "secretariat").map_err(|e| e.to_string())?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async move {
        rappard_net::install_crypto();
        let to = connector(addr, quic)?;
        let mut client = None;
        for _ in 0..100 {
            match to.connect(&creds).await {
                Ok(c) => {
                    client = Some(c);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
        let mut client =
            client.ok_or_else(|| format!("cannot connect to the Secretariat at {addr}"))?;
        let mut stream = client
            .subscribe(v1::SubscribeRequest {
                after_seq: 0,
                only_my_calls: false,
            })
            .await
            .map_err(|s| format!("subscribe: {}", s.message()))?
            .into_inner();
        let mut record = Record::new();
        // A progress bar on a terminal; a line now and then otherwise.
        let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
        let mut next_report = if tty { 100 } else { 1_000 };
        while let Some(e) = stream
            .message()
            .await
            .map_err(|s| format!("record stream: {}", s.message()))?
        {
            let entry = convert::entry_from_wire(&e).map_err(|e| e.to_string())?;
            if entry.seq != record.len() as u64 + 1 {
                return Err(format!(
                    "the record skipped from {} to {}",
                    record.len(),
                    entry.seq
                ));
            }
            let done = matches!(
                entry.event,
                rappard_core::record::Event::NegotiationClosed { .. }
            );
            record.append(entry.at, entry.event);
            if record.len() >= next_report || done {
                let at = record
                    .entries()
                    .last()
                    .map(|e| e.at.to_string())
                    .unwrap_or_default();
                if tty {
                    eprint!(
                        "\rdemo: {:>7} events, simulated {at}, {:.1} s ",
                        record.len(),
                        started.elapsed().as_secs_f64()
                    );
                    if done {
                        eprintln!();
                    }
                    next_report += 100;
                } else {
                    eprintln!(
                        "demo: {} events, simulated {at} ({:.1} s)",
                        record.len(),
                        started.elapsed().as_secs_f64()
                    );
                    next_report += 2_000;
                }
            }
        }
        Ok(record)
    })
}
