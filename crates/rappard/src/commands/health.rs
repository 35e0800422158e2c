//! `rappard health ADDR`: asks a Secretariat's standard gRPC health service
//! (`grpc.health.v1.Health/Check`) whether it serves, for container probes
//! (Compose `healthcheck`, Kubernetes `exec` probes) and for operators.
//!
//! Why a command of its own: the image is built `FROM scratch` and has no
//! other gRPC client, and the Secretariat speaks only TLS, which the
//! kubelet's native `grpc:` probe does not. The check is made over TLS,
//! checking the Secretariat's certificate against the authority's `ca.pem`
//! in `--certs`, without a client certificate (the health service answers
//! without one; nothing of the negotiation is asked).
//!
//! Prints the status (`SERVING`) and exits 0 when the service serves;
//! exits 1 with the status or the error otherwise (not serving, no answer
//! within `--timeout`, a refused connection or certificate), and 2 for bad
//! input (an unreadable `ca.pem`, a malformed address).

use std::path::PathBuf;
use std::time::Duration;

use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

use super::runtime;
use crate::error::{Error, Result};

// The command's arguments.
#[derive(clap::Args)]
pub struct Args {
    /// The Secretariat's gRPC address, HOST:PORT.
    address: String,
    /// The PKI directory with the authority's certificate, ca.pem.
    #[arg(long)]
    certs: PathBuf,
    /// The service to ask about (empty: the server as a whole).
    #[arg(long, default_value = "rappard.v1.Secretariat")]
    service: String,
    /// Seconds to wait for the answer, connection included.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
    timeout: u64,
}

/// Checks the service's health once.
pub fn run(args: &Args) -> Result<()> {
    let ca_path = args.certs.join("ca.pem");
    let ca = std::fs::read_to_string(&ca_path).map_err(|e| Error::BadInput {
        what: ca_path.display().to_string(),
        reason: format!("cannot read the authority's certificate: {e}"),
    })?;
    let address = args.address.trim_start_matches("https://");
    let endpoint =
        tonic::transport::Endpoint::from_shared(format!("https://{address}")).map_err(|e| {
            Error::BadOption {
                option: "ADDR",
                reason: format!("`{}` is not HOST:PORT: {e}", args.address),
            }
        })?;
    let limit = Duration::from_secs(args.timeout);
    let status = runtime()?.block_on(async {
        rappard_net::install_crypto();
        let endpoint = endpoint
            .tls_config(rappard_net::tls::client_anonymous(&ca))
            .map_err(|e| Error::Run(format!("TLS configuration: {e}")))?
            .connect_timeout(limit);
        let check = async {
            let channel = endpoint
                .connect()
                .await
                .map_err(|e| Error::Run(format!("cannot connect to {address}: {}", causes(&e))))?;
            let reply = HealthClient::new(channel)
                .check(HealthCheckRequest {
                    service: args.service.clone(),
                })
                .await
                .map_err(|s| Error::Run(format!("{address}: {} ({:?})", s.message(), s.code())))?;
            Ok::<_, Error>(reply.into_inner().status())
        };
        tokio::time::timeout(limit, check)
            .await
            .map_err(|_| Error::Run(format!("{address}: no answer within {} s", args.timeout)))?
    })?;
    let name = status.as_str_name();
    if status == ServingStatus::Serving {
        println!("{name}");
        Ok(())
    } else {
        Err(Error::Run(format!(
            "{address}: {} is {name}",
            if args.service.is_empty() {
                "the server"
            } else {
                &args.service
            }
        )))
    }
}

/// An error and its sources (tonic's transport errors say little alone).
fn causes(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        source = inner.source();
    }
    s
}
