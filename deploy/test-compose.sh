#!/usr/bin/env bash
# A real multi-container test of rappard on Docker Compose (deploy/compose.yaml):
# the image is built FROM scratch, the PKI step, a Secretariat and three
# member containers run shipped scenarios to the end across containers, and
# the record's SHA-256 must be the one `rappard simulate` gives.
#
#   bash deploy/test-compose.sh        (after cargo build --release -p rappard)
#
# Steps (each timed; every wait bounded):
#   image        deploy/build-image.sh, unique tags
#   classroom    up; the Secretariat's `negotiation closed events=N
#                sha256=X` line must match `rappard simulate --format json`
#   operators    the Compose health check (`rappard health`) is healthy;
#                /metrics through the published port counts the record's
#                entries and the answers
#   health       the Secretariat's grpc.health.v1 through the published port:
#                SERVING over TLS without a client certificate, no answer
#                in plaintext (as the kubelet's grpc probe speaks); needs
#                Python grpcio, else skipped with a message
#   late-joiner  a member started after the end reads to the end and exits
#                0, over gRPC and over QUIC (from another container)
#   restart      classroom, paced: member m2 is stopped mid-run and started
#                again; it resumes and the record is still simulate's
#   secretariat-kill  classroom, paced: the Secretariat's container is
#                killed (SIGKILL) mid-run and started again; it replays its
#                journal (on the volume `journal`), the members reconnect,
#                and the record is still simulate's
#   partition    classroom, paced, short answer timeout: m2 is disconnected
#                from the network past the timeout, then reconnected; its
#                silence is recorded (the record differs from simulate's),
#                the run goes on to the end and m2 follows it to the end
#   wto-full     the 139 delegations of wto-full.toml on three member
#                containers; the record must be simulate's
#
# Environment: CI set and no docker: fail (otherwise skip). RAPPARD_BIN:
# the binary (default target/release/rappard under CARGO_TARGET_DIR or
# the repository). SKIP_WTO_FULL=1 leaves out the last step.
# Tears everything down on exit, failed or not.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${RAPPARD_BIN:-${CARGO_TARGET_DIR:-$root/target}/release/rappard}"
scenarios="$root/examples/scenarios"
t0=$(date +%s.%N)

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
say() { printf '[%6ss] %s\n' "$(since "$t0")" "$*"; }
fail() { say "FAIL: $*"; exit 1; }
timings=()
step_start() { step_name="$1"; step_t=$(now); say "== $1"; }
step_end() { local d; d=$(since "$step_t"); timings+=("$(printf '%-12s %6ss  %s' "$step_name" "$d" "$1")"); say "-- $step_name: $1 (${d}s)"; }

# --- docker and compose ------------------------------------------------------
if ! command -v docker >/dev/null 2>&1 || ! docker info >/dev/null 2>&1; then
  if [ -n "${CI:-}" ]; then fail "docker is missing or its daemon is not running (CI is set)"; fi
  say "SKIP: docker is missing or not running"
  exit 0
fi
if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
else
  fail "neither 'docker compose' nor 'docker-compose' works"
fi
[ -x "$bin" ] || fail "no rappard binary at $bin: run cargo build --release -p rappard first"
say "using ${compose[*]} ($("${compose[@]}" version --short 2>/dev/null || echo '?')), docker $(docker version -f '{{.Server.Version}}'), $bin"

id="$(date +%s)-$$"
project="rappard-test-$id"
tag="test-$id"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/rappard-compose.XXXXXX")"
export RAPPARD_IMAGE="rappard:$tag" RAPPARD_TOOLS_IMAGE="rappard-tools:$tag"
# Published on ephemeral loopback ports: no clash with anything else.
export RAPPARD_GRPC_PUBLISH=127.0.0.1: RAPPARD_QUIC_PUBLISH=127.0.0.1: RAPPARD_METRICS_PUBLISH=127.0.0.1:
# A private subnet no other docker network uses.
taken="$(docker network inspect $(docker network ls -q) -f '{{range .IPAM.Config}}{{.Subnet}} {{end}}' 2>/dev/null || true)"
for _ in $(seq 1 50); do
  net="10.$((RANDOM % 50 + 200)).$((RANDOM % 256))"
  case " $taken " in *" $net.0/"*) continue ;; esac
  break
done
export RAPPARD_SUBNET="$net.0/24" RAPPARD_SECRETARIAT_IP="$net.10"
dc() { "${compose[@]}" -f "$root/deploy/compose.yaml" -p "$project" "$@"; }
cid() { dc ps -q "$1" 2>/dev/null | awk "NR==1"; }

cleanup() {
  local rc=$?
  set +e
  if [ $rc -ne 0 ]; then
    say "failed: the containers' last log lines"
    dc logs --no-color --tail=25 2>&1 | sed 's/^/    /'
  fi
  local t; t=$(now)
  docker rm -f "$project-late-grpc" "$project-late-quic" >/dev/null 2>&1
  dc down -v --remove-orphans -t 2 >/dev/null 2>&1
  docker rmi "$RAPPARD_IMAGE" "$RAPPARD_TOOLS_IMAGE" >/dev/null 2>&1
  rm -rf "$tmp"
  say "torn down: project $project, its volumes, network and images ($(since "$t")s)"
  if [ ${#timings[@]} -gt 0 ]; then
    say "steps:"
    printf '    %s\n' "${timings[@]}"
  fi
  if [ $rc -eq 0 ]; then say "test-compose: passed in $(since "$t0")s"; else say "test-compose: FAILED (exit $rc) after $(since "$t0")s"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The SHA-256 and size of the record `rappard simulate` makes.
expected() {
  "$bin" simulate "$scenarios/$1.toml" --format json >"$tmp/$1.json"
  python3 - "$tmp/$1.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["record"]
print(r["sha256"], r["events"])
PY
}

# The Secretariat's closing log line: `negotiation closed events=266
# sha256=0b1f…` (tracing's fields, after its timestamp and level).
closed_re='negotiation closed events=[0-9]+ sha256=[0-9a-f]{64}'

# Waits (at most $1 s) for the Secretariat's closing line; prints "EVENTS SHA".
wait_closed() {
  local c deadline line
  c="$(cid secretariat)"
  deadline=$(( $(date +%s) + $1 ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    line="$(docker logs "$c" 2>&1 | grep -m1 -oE "$closed_re" || true)"
    if [ -n "$line" ]; then
      events="$(echo "$line" | sed -E 's/.*events=([0-9]+).*/\1/')"
      sha="$(echo "$line" | sed -E 's/.*sha256=([0-9a-f]{64}).*/\1/')"
      echo "$events $sha"
      return 0
    fi
    sleep 0.25
  done
  return 1
}

# grep reads the whole log (no -q): under pipefail, grep -q leaving early
# would make `docker logs` die of SIGPIPE and the pipeline fail on a match.
closed_yet() { docker logs "$(cid secretariat)" 2>&1 | grep -E "$closed_re" >/dev/null; }

# Waits (at most $2 s) for service $1's container to exit; prints its exit code.
wait_exit() {
  local c deadline st
  c="$(cid "$1")"
  deadline=$(( $(date +%s) + $2 ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    st="$(docker inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.State.Restarting}}' "$c")"
    case "$st" in "exited "*" false") echo "${st#exited }" | cut -d' ' -f1; return 0 ;; esac
    sleep 0.25
  done
  return 1
}

# Brings up a fresh negotiation (the PKI volumes are kept; the PKI step
# issues what is new; the journal is the step's own, RAPPARD_RUN=<step>),
# with the environment given as arguments.
run_up() {
  dc rm -sf secretariat m1 m2 m3 >/dev/null 2>&1 || true
  env RAPPARD_RUN="$step_name" "$@" "${compose[@]}" -f "$root/deploy/compose.yaml" -p "$project" up -d >"$tmp/up.log" 2>&1 \
    || { cat "$tmp/up.log"; fail "compose up"; }
}

members_done() {
  local m code
  for m in m1 m2 m3; do
    code="$(wait_exit "$m" "$1")" || fail "member $m did not finish within $1 s"
    [ "$code" = 0 ] || fail "member $m exited $code"
  done
}

# --- image ------------------------------------------------------------------
step_start image
bash "$root/deploy/build-image.sh" --tag "$tag" --binary "$bin" | sed 's/^/    /'
size=$(docker image inspect -f '{{.Size}}' "$RAPPARD_IMAGE")
user=$(docker image inspect -f '{{.Config.User}}' "$RAPPARD_IMAGE")
[ "$user" = 65532:65532 ] || fail "image: runs as '$user', not 65532:65532"
step_end "rappard:$tag $size bytes, FROM scratch, user $user"

# --- classroom ----------------------------------------------------------------
step_start classroom
read -r want_sha want_events < <(expected classroom)
say "simulate: $want_events events, sha256 $want_sha"
run_up RAPPARD_SCENARIO=classroom
got="$(wait_closed 60)" || fail "classroom: no 'negotiation closed' from the Secretariat within 60 s"
read -r got_events got_sha <<<"$got"
say "Secretariat: $got_events events, sha256 $got_sha"
[ "$got_sha" = "$want_sha" ] && [ "$got_events" = "$want_events" ] \
  || fail "classroom: the record across containers ($got_events events, $got_sha) is not simulate's ($want_events, $want_sha)"
members_done 30
step_end "6 delegations on 3 containers, record = simulate's"

# --- operators -----------------------------------------------------------------
# The Compose health check (`rappard health` in the Secretariat's container)
# says healthy, and the Secretariat's /metrics, through the published port,
# counts the record the run made and the answers it took.
step_start operators
health="$(docker inspect -f '{{.State.Health.Status}}' "$(cid secretariat)")"
[ "$health" = healthy ] || fail "operators: the Secretariat's health check says '$health', not healthy"
metrics_port="$(dc port secretariat 9090)"
scraped="$(python3 - "$metrics_port" <<'PY'
import sys, urllib.request
body = urllib.request.urlopen(f"http://{sys.argv[1]}/metrics", timeout=10).read().decode()
value = lambda name: sum(float(l.rsplit(" ", 1)[1]) for l in body.splitlines()
                         if l.startswith(name + " ") or l.startswith(name + "{"))
print(int(value("rappard_record_entries")), int(value("rappard_answers_total")))
PY
)" || fail "operators: cannot scrape http://$metrics_port/metrics"
read -r m_entries m_answers <<<"$scraped"
[ "$m_entries" = "$want_events" ] \
  || fail "operators: /metrics says $m_entries record entries, the record has $want_events"
[ "$m_answers" -gt 0 ] || fail "operators: /metrics counts no answers"
step_end "health check healthy; /metrics: $m_entries entries (= the record), $m_answers answers"

# --- health -----------------------------------------------------------------
step_start health
if python3 -c 'import grpc, grpc_health.v1' 2>/dev/null; then
  docker cp "$(cid secretariat):/certs/ca.pem" "$tmp/ca.pem"
  port="$(dc port secretariat 50051)"
  python3 "$root/deploy/grpc-health.py" --secretariat "$port" --ca "$tmp/ca.pem" \
    --expect tls=SERVING,plaintext=FAIL | sed 's/^/    /' \
    || fail "health: the Secretariat's health service did not answer as expected"
  step_end "SERVING over TLS without a client certificate; no answer in plaintext"
else
  step_end "SKIPPED: python3 has no grpcio/grpcio-health-checking (examples/python/requirements.txt)"
fi

# --- late joiner --------------------------------------------------------------
# A member container started after the negotiation closed joins, reads its
# calls to the end (the closed ones are refused and passed over), exits 0.
step_start late-joiner
late() { # NAME TRANSPORT ADDRESS SECONDS: prints the exit code, or "running"
  docker run -d --name "$project-$1" --network "${project}_negotiation" \
    -v "${project}_pki-m3:/certs:ro" --user 65532:65532 --read-only --cap-drop ALL \
    "$RAPPARD_IMAGE" member --scenario=/usr/share/rappard/scenarios/classroom.toml \
    --ids="${RAPPARD_M3_IDS:-USA,ZAF}" --secretariat="$3" --transport="$2" --certs=/certs >/dev/null
  local deadline=$(( $(date +%s) + $4 )) st
  while [ "$(date +%s)" -lt "$deadline" ]; do
    st="$(docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$project-$1")"
    case "$st" in "exited "*) echo "${st#exited }"; return 0 ;; esac
    sleep 0.25
  done
  echo running
}
code="$(late late-grpc grpc secretariat:50051 20)"
[ "$code" = 0 ] || fail "late-joiner over gRPC: ${code} (expected exit 0 within 20 s)"
code="$(late late-quic quic "$RAPPARD_SECRETARIAT_IP:50052" 20)"
[ "$code" = 0 ] || fail "late-joiner over QUIC across containers: ${code} (expected exit 0 within 20 s)"
docker rm -f "$project-late-grpc" "$project-late-quic" >/dev/null 2>&1
step_end "gRPC: exit 0; QUIC: exit 0"

# --- restart ------------------------------------------------------------------
# Paced (2 real seconds per simulated day, about 12 s in all) so a member
# can be stopped in the middle. The Secretariat waits for its answers (60 s
# answer timeout): back in time, the record must be simulate's.
step_start restart
run_up RAPPARD_SCENARIO=classroom RAPPARD_PACE=2
sleep 4
closed_yet && fail "restart: the negotiation closed before m2 could be stopped (too fast to test)"
dc stop -t 5 m2 >/dev/null 2>&1
code="$(wait_exit m2 10)" || fail "restart: m2 did not stop"
say "m2 stopped mid-run (exit $code)"
sleep 2
closed_yet && fail "restart: the negotiation closed while m2 was down (it should wait for m2's answers)"
dc start m2 >/dev/null 2>&1
say "m2 started again"
got="$(wait_closed 90)" || fail "restart: no 'negotiation closed' within 90 s"
read -r got_events got_sha <<<"$got"
say "Secretariat: $got_events events, sha256 $got_sha"
[ "$got_sha" = "$want_sha" ] \
  || fail "restart: after m2's restart the record ($got_events events, $got_sha) is not simulate's ($want_events, $want_sha)"
members_done 30
step_end "m2 stopped and started mid-run, resumed; record = simulate's"

# --- secretariat-kill ---------------------------------------------------------
# The Secretariat killed with SIGKILL in the middle of a paced run and
# started again: it replays its journal and carries on; the members ride the
# outage out by themselves. The record must be simulate's.
step_start secretariat-kill
run_up RAPPARD_SCENARIO=classroom RAPPARD_PACE=2
sleep 4
closed_yet && fail "secretariat-kill: the negotiation closed before the Secretariat could be killed (too fast to test)"
docker kill -s KILL "$(cid secretariat)" >/dev/null
say "Secretariat killed (SIGKILL) mid-run"
dc start secretariat >/dev/null 2>&1
say "Secretariat started again on its journal"
got="$(wait_closed 90)" || fail "secretariat-kill: no 'negotiation closed' within 90 s"
read -r got_events got_sha <<<"$got"
say "Secretariat: $got_events events, sha256 $got_sha"
[ "$got_sha" = "$want_sha" ] \
  || fail "secretariat-kill: after the restart the record ($got_events events, $got_sha) is not simulate's ($want_events, $want_sha)"
docker logs "$(cid secretariat)" 2>&1 | grep "resumed from the journal" >/dev/null \
  || fail "secretariat-kill: the Secretariat did not say it resumed from its journal"
members_done 30
step_end "Secretariat killed and started again mid-run, resumed from its journal; record = simulate's"

# --- partition ----------------------------------------------------------------
# m2 cut off from the network for longer than the answer timeout (2 s):
# its delegations count as not answering, the run goes on; back on the
# network (same address), m2 follows the negotiation to its end.
step_start partition
run_up RAPPARD_SCENARIO=classroom RAPPARD_PACE=2 RAPPARD_ANSWER_TIMEOUT=2
sleep 3
closed_yet && fail "partition: the negotiation closed before m2 could be cut off"
m2="$(cid m2)"
m2_ip="$(docker inspect -f "{{(index .NetworkSettings.Networks \"${project}_negotiation\").IPAddress}}" "$m2")"
docker network disconnect "${project}_negotiation" "$m2"
say "m2 ($m2_ip) disconnected"
sleep 7
closed_yet && fail "partition: the negotiation closed while m2 was cut off (too fast to test)"
docker network connect --ip "$m2_ip" --alias m2 "${project}_negotiation" "$m2"
say "m2 reconnected"
got="$(wait_closed 120)" || fail "partition: no 'negotiation closed' within 120 s: the run did not go on"
read -r got_events got_sha <<<"$got"
say "Secretariat: $got_events events, sha256 $got_sha"
[ "$got_sha" != "$want_sha" ] \
  || fail "partition: the record is simulate's: m2's silence was not recorded (was it cut off during calls?)"
code="$(wait_exit m2 60)" || fail "partition: m2 did not follow the negotiation to its end within 60 s"
[ "$code" = 0 ] || fail "partition: m2 exited $code after reconnecting"
members_done 30
step_end "m2 silent for 7 s, recorded as not answering; run and m2 went on to the end"

# --- wto-full -----------------------------------------------------------------
if [ -z "${SKIP_WTO_FULL:-}" ]; then
  step_start wto-full
  read -r full_sha full_events < <(expected wto-full)
  say "simulate: $full_events events, sha256 $full_sha"
  # The delegations: every Member present at the first item, but the EU's
  # member States (the EU speaks for them); checked against the count.
  python3 - "$tmp/wto-full.json" >"$tmp/groups" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
eu27 = set("AUT BEL BGR CYP CZE DEU DNK ESP EST FIN FRA GRC HRV HUN IRL ITA LTU LUX LVA MLT NLD POL PRT ROU SVK SVN SWE".split())
ids = sorted(set(r["items"][0]["present"]) - eu27)
if len(ids) != r["delegations"]:
    sys.exit(f"{len(ids)} ids for {r['delegations']} delegations")
print(" ".join(",".join(ids[k::3]) for k in range(3)))
PY
  read -r g1 g2 g3 <"$tmp/groups"
  run_up RAPPARD_SCENARIO=wto-full RAPPARD_M1_IDS="$g1" RAPPARD_M2_IDS="$g2" RAPPARD_M3_IDS="$g3"
  got="$(wait_closed 400)" || fail "wto-full: no 'negotiation closed' within 400 s"
  read -r got_events got_sha <<<"$got"
  say "Secretariat: $got_events events, sha256 $got_sha"
  [ "$got_sha" = "$full_sha" ] && [ "$got_events" = "$full_events" ] \
    || fail "wto-full: the record across containers ($got_events events, $got_sha) is not simulate's ($full_events, $full_sha)"
  members_done 60
  step_end "139 delegations on 3 containers, record = simulate's"
fi
