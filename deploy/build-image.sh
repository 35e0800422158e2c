#!/usr/bin/env bash
# Builds the rappard container images FROM scratch, offline: stages the
# release binary with exactly the shared libraries it links (ldd) and the
# dynamic loader into a build context, then runs `docker build` twice
# (targets `runtime` and `tools` of deploy/Dockerfile).
#
#   bash deploy/build-image.sh [--tag TAG] [--binary PATH]
#
#   --tag TAG      image tag (default: local): rappard:TAG, rappard-tools:TAG
#   --binary PATH  the rappard binary (default: $CARGO_TARGET_DIR or
#                  ./target, then release/rappard; build it first with
#                  `cargo build --release -p rappard`)
#   --no-strip     keep the binary's line tables (the release profile has
#                  debug = "line-tables-only": 66 MB instead of 16 MB);
#                  by default the image's copy is `strip --strip-debug`ped,
#                  which keeps the symbols, so backtraces still name
#                  functions but not lines
#
# Prints the images' sizes. Needs docker, ldd (glibc) and the host's dash
# and coreutils (for the tools image).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
tag=local
strip_debug=yes
binary="${CARGO_TARGET_DIR:-$root/target}/release/rappard"
while [ $# -gt 0 ]; do
  case "$1" in
    --tag) tag="$2"; shift 2 ;;
    --binary) binary="$2"; shift 2 ;;
    --no-strip) strip_debug=no; shift ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "build-image.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -x "$binary" ] || { echo "build-image.sh: no binary at $binary: run cargo build --release -p rappard" >&2; exit 1; }
command -v docker >/dev/null || { echo "build-image.sh: docker not found" >&2; exit 1; }

ctx="$(mktemp -d "${TMPDIR:-/tmp}/rappard-image.XXXXXX")"
trap 'rm -rf "$ctx"' EXIT

# Copies an executable to DEST (a path inside TREE) and every library
# `ldd` lists for it, plus the loader, each at the path ldd gives, unless
# BASE already holds it.
stage() {
  local tree="$1" base="$2" src="$3" dest="$4" lib
  install -D -m 0755 "$src" "$tree$dest"
  for lib in $(ldd "$src" | awk '/=> \//{print $3} /^\t\//{print $1}'); do
    [ -e "$base$lib" ] && continue
    [ -e "$tree$lib" ] && continue
    install -D -m 0755 "$(readlink -f "$lib")" "$tree$lib"
  done
}

# runtime: the binary, its libraries and loader, users, name service, scenarios.
rootfs="$ctx/rootfs"
stage "$rootfs" /nonexistent "$binary" /usr/local/bin/rappard
if [ $strip_debug = yes ]; then
  if command -v strip >/dev/null; then
    strip --strip-debug "$rootfs/usr/local/bin/rappard"
  else
    echo "build-image.sh: no strip: the binary keeps its line tables" >&2
  fi
fi
mkdir -p "$rootfs/etc" "$rootfs/usr/share/rappard/scenarios"
printf 'root:x:0:0:root:/root:/sbin/nologin\nrappard:x:65532:65532:rappard:/tmp:/sbin/nologin\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nrappard:x:65532:\n' >"$rootfs/etc/group"
printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
install -m 0644 "$root"/examples/scenarios/*.toml "$rootfs/usr/share/rappard/scenarios/"
# Directories the user 65532 owns: /certs (a node's PKI directory), /data
# (the Secretariat's journals: a named volume mounted there starts owned
# by 65532) and /tmp.
mkdir -p "$ctx/owned/certs" "$ctx/owned/tmp" "$ctx/owned/data"
chmod 0700 "$ctx/owned/certs"
chmod 1777 "$ctx/owned/tmp"

# tools: a POSIX shell (the host's dash) and a few coreutils, with the
# libraries runtime does not have yet, and the PKI step's script.
tools="$ctx/tools"
stage "$tools" "$rootfs" "$(command -v dash)" /bin/sh
for t in cp mv chmod chown mkdir rm; do
  stage "$tools" "$rootfs" "$(command -v "$t")" "/bin/$t"
done
install -D -m 0755 "$here/pki-setup.sh" "$tools/usr/local/bin/rappard-pki-setup"

# Fixed timestamps so an unchanged binary gives the same layers.
find "$ctx" -exec touch -h -d '2000-01-01T00:00:00Z' {} +

build() {
  local target="$1" name="$2"
  if docker buildx version >/dev/null 2>&1; then
    docker build --quiet --target "$target" -t "$name" -f "$here/Dockerfile" "$ctx" >/dev/null
  else
    DOCKER_BUILDKIT=0 docker build --quiet --target "$target" -t "$name" -f "$here/Dockerfile" "$ctx" >/dev/null 2>"$ctx/build.err" \
      || { cat "$ctx/build.err" >&2; return 1; }
  fi
  printf '%-24s %s bytes\n' "$name" "$(docker image inspect -f '{{.Size}}' "$name")"
}
build runtime "rappard:$tag"
build tools "rappard-tools:$tag"
