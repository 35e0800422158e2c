#!/usr/bin/env bash
# Peak resident memory of each process of a multi-process run: one
# `rappard secretariat` process and `rappard member` processes, as a
# deployment runs them, at N delegations.
#
#   bash bench/multiprocess-memory.sh [N] [PROCESSES] [ITEMS]
#                                     (defaults: 2000 delegations, 20 member
#                                      processes, 3 items)
#
# Runs `rappard bench --network`'s synthetic scenario (`--scenario
# synthetic:N:ITEMS`: N Members `M000000`, ..., each accepting the first
# text of every item, decided by consensus at Geneva). Makes an authority and a certificate per delegation (in
# parallel), starts the Secretariat on a free port of 127.0.0.1 (gRPC over
# TCP with TLS), then PROCESSES member processes sharing the delegations
# (`--scenario`: each takes its own instructions; `--talks relay`: the
# scenario has no accession, so no process needs
# a listener of its own for direct talks), plus one more process with a
# single delegation (the smallest member process). Each process runs under
# GNU time, and the script prints each one's peak resident set size
# ("maximum resident set size") and wall time, then checks the record
# against `rappard simulate`'s.
#
# RAPPARD_BIN names the binary (default: target/release/rappard). Scratch
# files go under a temporary directory, removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-2000}"
procs="${2:-20}"
items="${3:-3}"
bin="${RAPPARD_BIN:-target/release/rappard}"
if [ ! -x "$bin" ]; then
  echo "no binary at $bin (cargo build --release -p rappard, or set RAPPARD_BIN)" >&2
  exit 1
fi
[ "$n" -ge 2 ] && [ "$procs" -ge 1 ] || { echo "N >= 2 and PROCESSES >= 1" >&2; exit 1; }
work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# The scenario: the benchmark's, built in code (a scenario file holds at
# most 1,000 Members).
sc="synthetic:$n:$items"
ids=()
for ((i = 0; i < n; i++)); do ids+=("$(printf 'M%06d' "$i")"); done

# The PKI, the delegations' certificates two at a time.
certs="$work/pki"
"$bin" pki init --certs "$certs" > /dev/null
"$bin" pki issue --certs "$certs" --id WTO --role secretariat > /dev/null
printf '%s\n' "${ids[@]}" | xargs -P 2 -I{} "$bin" pki issue --certs "$certs" --id {} --role member > /dev/null

# The Secretariat.
/usr/bin/time -f "secretariat %M KiB %e s" -o "$work/time.secretariat" \
  "$bin" secretariat --scenario "$sc" --certs "$certs" --grpc 127.0.0.1:0 \
  --join-timeout 600 --answer-timeout 600 \
  --max-connections-per-address $((n + 64)) --handshake-timeout 120 --first-request-timeout 120 \
  > "$work/secretariat.out" 2> "$work/secretariat.err" &
pids+=($!)
secretariat_pid=$!
for _ in $(seq 100); do
  grep -q '^grpc ' "$work/secretariat.out" 2>/dev/null && break
  sleep 0.1
done
addr="$(sed -n 's/^grpc //p' "$work/secretariat.out" | head -1)"
[ -n "$addr" ] || { cat "$work/secretariat.err" >&2; exit 1; }

# The member processes: one with a single delegation, the rest shared out.
started=$(date +%s.%N)
single="${ids[0]}"
/usr/bin/time -f "member-1 %M KiB %e s" -o "$work/time.member-0" \
  "$bin" member --scenario "$sc" --ids "$single" --secretariat "$addr" --certs "$certs" --talks relay \
  > /dev/null 2> "$work/member-0.err" &
pids+=($!)
rest=("${ids[@]:1}")
per=$(((${#rest[@]} + procs - 1) / procs))
for ((p = 0; p < procs; p++)); do
  mine=("${rest[@]:$((p * per)):per}")
  [ "${#mine[@]}" -gt 0 ] || continue
  list="$(IFS=,; echo "${mine[*]}")"
  /usr/bin/time -f "member-${#mine[@]} %M KiB %e s" -o "$work/time.member-$((p + 1))" \
    "$bin" member --scenario "$sc" --ids "$list" --secretariat "$addr" --certs "$certs" --talks relay \
    > /dev/null 2> "$work/member-$((p + 1)).err" &
  pids+=($!)
done
status=0
for p in "${pids[@]:1}"; do wait "$p" || status=$?; done
ended=$(date +%s.%N)
# The Secretariat keeps serving after the negotiation closes: stop it once
# it has logged the close (SIGTERM to rappard itself, under GNU time).
for _ in $(seq 600); do
  grep -q "negotiation closed" "$work/secretariat.err" && break
  sleep 0.1
done
kill -TERM $(pgrep -P "$secretariat_pid") 2>/dev/null || true
wait "$secretariat_pid" || true
pids=()
if [ "$status" -ne 0 ]; then
  echo "a member process failed (exit $status); the Secretariat's last lines:" >&2
  tail -5 "$work/secretariat.err" >&2
  exit "$status"
fi
echo "$n delegations, $procs member processes (+1 with one delegation), $items items: $(echo "$ended - $started" | bc) s"
grep -h '^secretariat ' "$work/time.secretariat"
grep -h '^member-' "$work"/time.member-* | sort -t- -k2 -n
grep -h '^member-' "$work"/time.member-* | awk '{print $2}' | sort -n | awk '{a[NR]=$1} END {printf "member processes: peak RSS min %.1f MiB, max %.1f MiB\n", a[1]/1024, a[NR]/1024}'
grep -h '^secretariat ' "$work/time.secretariat" | awk '{printf "secretariat: peak RSS %.1f MiB\n", $2/1024}'
want="$("$bin" simulate --format record "$sc" | sha256sum | cut -d' ' -f1)"
if grep -q "sha256=$want\|sha256: $want\|$want" "$work/secretariat.err"; then
  echo "record: $want, simulate's"
else
  echo "record: not simulate's ($want), or not logged; the Secretariat's last lines:" >&2
  tail -3 "$work/secretariat.err" >&2
  exit 1
fi
