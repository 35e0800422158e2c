#!/usr/bin/env bash
# rappard's consultation-and-decision round beside NegMAS's multilateral
# stacked-alternating-offers round, in one run on one machine.
#
#   bash bench/negmas-side-by-side.sh [ROUNDS]      (default 20 rounds)
#
# Installs NegMAS (bench/requirements-negmas.txt) into a virtual environment
# under target/negmas-venv, builds rappard in release mode unless RAPPARD_BIN
# names a binary, then runs
#   - `rappard bench --members 166 --repeat 50`: a whole negotiation of one
#     item among the 166 WTO Members (139 delegations) at Geneva, decided by
#     consensus: presence, every delegation's position, the chair's text,
#     every delegation's reaction, and the next day's decision, each event
#     recorded;
#   - bench/negmas_rounds.py with 164 negotiators: one NegMAS round, in which
#     each negotiator in turn answers the standing offer on one issue of 101
#     levels (accepts, or rejects and proposes its own).
# and prints both times per round and their ratio. The two rounds do
# different work (see BENCHMARKS.md): the ratio says what a user gives up
# or gains in time by picking one, not that the engines do the same thing.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-20}"
venv="${NEGMAS_VENV:-target/negmas-venv}"

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r bench/requirements-negmas.txt

bin="${RAPPARD_BIN:-}"
if [ -z "$bin" ]; then
  cargo build --release -p rappard --quiet
  bin="${CARGO_TARGET_DIR:-target}/release/rappard"
fi

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"

table="$("$bin" bench --members 166 --repeat 50)"
line="$(printf '%s\n' "$table" | awk -F'|' '$2 ~ /166/ && $3 ~ /geneva/ && $4 ~ /consensus/')"
[ -n "$line" ] || { echo "error: no 166/geneva/consensus line in rappard bench's output:"; echo "$table"; exit 1; }
rappard_ms="$(printf '%s\n' "$line" | awk -F'|' '{ gsub(/ ms| /, "", $7); print $7 }')"
echo "rappard bench, 166 Members at Geneva, consensus: ${rappard_ms} ms per round (mean of 50)"

negmas="$("$venv/bin/python" bench/negmas_rounds.py --negotiators 164 --rounds "$rounds")"
echo "NegMAS SAOMechanism, 164 negotiators: $negmas"
negmas_ms="$(printf '%s\n' "$negmas" | "$venv/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["mean_round_s"] * 1e3)')"

awk -v r="$rappard_ms" -v n="$negmas_ms" -v k="$rounds" 'BEGIN {
  printf "\n| engine | what one round does | ms per round |\n|---|---|---:|\n"
  printf "| rappard | presence, 139 positions, the chair'\''s text, 139 reactions, the decision | %.3f |\n", r
  printf "| NegMAS (%d rounds at most) | 164 negotiators answer the standing offer in turn | %.1f |\n", k, n
  printf "\nNegMAS / rappard: %.0f\n", n / r
}'
