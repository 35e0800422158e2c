"""Asks a Secretariat's standard gRPC health service (grpc.health.v1) how
`rappard.v1.Secretariat` is, the way a probe would, and says which ways in
answer:

  tls        TLS, the authority's certificate, no client certificate
  mtls       TLS with a node's certificate (--cert, --key)
  plaintext  HTTP/2 without TLS, as the kubelet's native `grpc:` probe does

    python deploy/grpc-health.py --secretariat HOST:PORT --ca ca.pem \
        [--cert secretariat.pem --key secretariat.key] [--expect tls=SERVING,plaintext=FAIL]

Prints one line per way; with --expect, exits 1 unless each named way gave
what is expected (SERVING, or FAIL for no answer). Needs grpcio and
grpcio-health-checking (examples/python/requirements.txt).
"""

import argparse
import sys

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

SERVICE = "rappard.v1.Secretariat"


def check(channel, timeout):
    try:
        reply = health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=SERVICE), timeout=timeout
        )
        return health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status), ""
    except grpc.RpcError as e:
        return "FAIL", f"{e.code().name}: {e.details()}"
    finally:
        channel.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--secretariat", required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--timeout", type=float, default=5.0)
    ap.add_argument("--expect", default="")
    args = ap.parse_args()
    ca = open(args.ca, "rb").read()
    # The Secretariat's certificate names localhost and 127.0.0.1.
    opts = [("grpc.ssl_target_name_override", "localhost")]
    ways = {
        "tls": lambda: grpc.secure_channel(args.secretariat, grpc.ssl_channel_credentials(ca), options=opts),
        "plaintext": lambda: grpc.insecure_channel(args.secretariat),
    }
    if args.cert and args.key:
        creds = grpc.ssl_channel_credentials(ca, open(args.key, "rb").read(), open(args.cert, "rb").read())
        ways["mtls"] = lambda: grpc.secure_channel(args.secretariat, creds, options=opts)
    got = {}
    for name, make in ways.items():
        status, why = check(make(), args.timeout)
        got[name] = status
        print(f"health {SERVICE} over {name}: {status}" + (f" ({why})" if why else ""))
    ok = True
    for pair in filter(None, args.expect.split(",")):
        name, want = pair.split("=")
        if got.get(name) != want:
            print(f"expected {name}={want}, got {got.get(name)}", file=sys.stderr)
            ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
