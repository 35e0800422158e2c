#!/usr/bin/env bash
# Times `rappard simulate` on scenarios with many agenda items, with the
# peak resident memory: wall time, user time, peak RSS per size.
#
# Usage: bash bench/many-items.sh [RAPPARD_BINARY] [SIZES...]
#   default binary: target/release/rappard; default sizes: 25 50 100
#   (a scenario file holds at most 100 items, docs/scenarios.md "Limits").
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-target/release/rappard}
shift || true
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(25 50 100)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "| items | events | wall | user | peak RSS |"
echo "|---:|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
    python3 "$here/many_items.py" "$n" > "$tmp/many-$n.toml"
    /usr/bin/time -f "%e %U %M" -o "$tmp/time" \
        "$bin" simulate "$tmp/many-$n.toml" > "$tmp/out"
    events=$(grep -o 'Record: [0-9]* events' "$tmp/out" | grep -o '[0-9]*')
    read -r wall user kb < "$tmp/time"
    printf '| %s | %s | %s s | %s s | %.1f MiB |\n' "$n" "$events" "$wall" "$user" \
        "$(echo "$kb / 1024" | bc -l)"
done
