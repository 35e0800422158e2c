"""A rappard delegation written in Python: the way to take part in a
negotiation from another language.

It generates its stubs from proto/ with grpcio-tools, connects to the
Secretariat with its own certificate (mutual TLS; the Secretariat reads who
it is from the certificate, never from a message), joins, follows the calls
that await it and answers each with a fixed stance. It exits when the
Secretariat closes the record stream, printing how many calls it answered.

    python examples/python/delegation.py --secretariat 127.0.0.1:50051 \\
        --certs pki --id ZAF --stance support

A real delegation would replace `answer()` with its own strategy.
"""

import argparse
import os
import sys
import tempfile

from grpc_tools import protoc
import grpc

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO = os.path.normpath(os.path.join(HERE, "..", "..", "proto"))


def stubs():
    """Generates the Python stubs of rappard.v1 into a temporary directory
    and imports them."""
    out = tempfile.mkdtemp(prefix="rappard-py-")
    code = protoc.main([
        "grpc_tools.protoc",
        f"-I{PROTO}",
        f"--python_out={out}",
        f"--grpc_python_out={out}",
        os.path.join(PROTO, "rappard", "v1", "rappard.proto"),
    ])
    if code != 0:
        sys.exit(f"error: protoc failed on {PROTO} ({code})")
    sys.path.insert(0, out)
    from rappard.v1 import rappard_pb2, rappard_pb2_grpc  # noqa: E402
    return rappard_pb2, rappard_pb2_grpc


def channel(address, certs, member_id):
    """A mutual-TLS channel with this delegation's certificate."""
    def read(name):
        with open(os.path.join(certs, name), "rb") as f:
            return f.read()
    creds = grpc.ssl_channel_credentials(
        root_certificates=read("ca.pem"),
        private_key=read(f"{member_id}.key"),
        certificate_chain=read(f"{member_id}.pem"),
    )
    # The Secretariat's certificate names `localhost`.
    return grpc.secure_channel(address, creds, options=[("grpc.ssl_target_name_override", "localhost")])


def answer(pb, call, stance):
    """The answer of a delegation that holds `stance` throughout."""
    support = stance == "support"
    obj = stance == "object"
    k = pb.CallKind
    if call.kind == k.CALL_KIND_POSITIONS:
        s = {"support": pb.STANCE_SUPPORT, "object": pb.STANCE_OBJECT}.get(stance, pb.STANCE_ABSTAIN)
        return {"position": pb.Stated(stance=s)}
    if call.kind == k.CALL_KIND_SIGNATURES:
        return {"signature": not obj}
    if call.kind == k.CALL_KIND_REACTIONS:
        r = pb.REACTION_OBJECT if obj else (pb.REACTION_SUPPORT if support else pb.REACTION_RESERVE)
        return {"reaction": r}
    if call.kind in (k.CALL_KIND_OBJECTIONS, k.CALL_KIND_WRITTEN_OBJECTIONS,
                     k.CALL_KIND_PACKAGE_OBJECTIONS, k.CALL_KIND_ANNEX4_OBJECTIONS,
                     k.CALL_KIND_CERTIFICATION_OBJECTIONS):
        return {"objection": obj}
    if call.kind == k.CALL_KIND_VOTES:
        return {"vote": pb.VOTE_NO if obj else (pb.VOTE_YES if support else pb.VOTE_ABSTAIN)}
    if call.kind == k.CALL_KIND_JOIN:
        return {"join": support}
    if call.kind == k.CALL_KIND_BILATERAL_OFFER:
        return {"offer": 10000 if support else 0}
    if call.kind == k.CALL_KIND_BILATERAL_RESPONSE:
        return {"accept": not obj}
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--secretariat", required=True, help="HOST:PORT of the Secretariat's gRPC endpoint")
    ap.add_argument("--certs", required=True, help="the PKI directory (ca.pem, ID.pem, ID.key)")
    ap.add_argument("--id", required=True, help="this delegation's member id")
    ap.add_argument("--stance", choices=["support", "object", "abstain"], default="support")
    args = ap.parse_args()
    pb, rpc = stubs()
    stub = rpc.SecretariatStub(channel(args.secretariat, args.certs, args.id))
    me = stub.Join(pb.JoinRequest())
    print(f"joined as {me.member} ({pb.Role.Name(me.role)}) in {me.scenario}, run {me.run_id}", file=sys.stderr)
    answered = 0
    # The session from Join goes with every request: a later node of the
    # same delegation replaces this one (its requests are then ABORTED).
    mine = pb.SubscribeRequest(after_seq=0, only_my_calls=True, session=me.session)
    for entry in stub.Subscribe(mine):
        if not entry.HasField("call"):
            continue
        a = answer(pb, entry.call, args.stance)
        if a is None:
            continue
        try:
            stub.Answer(pb.AnswerRequest(call=entry.call.call, session=me.session, **a))
            answered += 1
        except grpc.RpcError as e:
            if e.code() != grpc.StatusCode.FAILED_PRECONDITION:  # a call already closed
                raise
    print(f"answered {answered} calls")


if __name__ == "__main__":
    main()
