"""Checks a running Secretariat from Python, as any gRPC tool would: the
standard health service says the Secretariat service is SERVING, and
reflection (v1alpha, the version Python's client speaks) lists it.

    python examples/python/check.py --secretariat 127.0.0.1:50051 --certs pki --id WTO

Prints one line per check; exits non-zero if one fails.
"""

import argparse
import os
import sys

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--secretariat", required=True)
    ap.add_argument("--certs", required=True)
    ap.add_argument("--id", default="secretariat", help="the file stem of the certificate to use")
    args = ap.parse_args()

    def read(name):
        with open(os.path.join(args.certs, name), "rb") as f:
            return f.read()

    stem = "secretariat" if args.id in ("WTO", "secretariat") else args.id
    creds = grpc.ssl_channel_credentials(read("ca.pem"), read(f"{stem}.key"), read(f"{stem}.pem"))
    ch = grpc.secure_channel(args.secretariat, creds, options=[("grpc.ssl_target_name_override", "localhost")])
    health = health_pb2_grpc.HealthStub(ch).Check(health_pb2.HealthCheckRequest(service="rappard.v1.Secretariat"))
    status = health_pb2.HealthCheckResponse.ServingStatus.Name(health.status)
    print(f"health rappard.v1.Secretariat: {status}")
    refl = reflection_pb2_grpc.ServerReflectionStub(ch)
    reply = next(refl.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")])))
    services = sorted(s.name for s in reply.list_services_response.service)
    print("reflection services: " + ", ".join(services))
    ok = status == "SERVING" and "rappard.v1.Secretariat" in services
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
