#!/usr/bin/env bash
# Validates every Kubernetes manifest in deploy/k8s against the schemas of
# a pinned Kubernetes version, offline, strictly (unknown fields are
# errors): kubernetes-validate (PyPI) ships the JSON schemas of every
# version it knows inside the package, so no network is needed once it is
# installed (this script installs it with pip if it is missing; when it can,
# it runs the validation itself in a network namespace with no network, to
# prove it). Also validates the objects make-secrets.sh writes (if a
# rappard binary is there), and the Kustomize build (if kubectl is there).
# Fails on any error.
#
#   bash deploy/k8s/validate.sh
set -euo pipefail
K8S_VERSION=1.33.0          # the Kubernetes version whose schemas are used
VALIDATOR_VERSION=1.37.0    # kubernetes-validate, which ships them
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
py="$(command -v python3 || command -v python)"

if ! "$py" -c 'import kubernetes_validate' 2>/dev/null; then
  echo "validate: installing kubernetes-validate==$VALIDATOR_VERSION"
  "$py" -m pip install --quiet --disable-pip-version-check "kubernetes-validate==$VALIDATOR_VERSION"
fi
schemas="$("$py" -c 'import kubernetes_validate, os; print(os.path.join(os.path.dirname(kubernetes_validate.__file__), "kubernetes-json-schema"))')"
[ -d "$schemas/v$K8S_VERSION-local-strict" ] || {
  echo "validate: kubernetes-validate has no schemas for Kubernetes $K8S_VERSION in $schemas" >&2
  exit 1
}

tmp="$(mktemp -d "${TMPDIR:-/tmp}/rappard-k8s.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
files=()
for f in "$here"/*.yaml; do
  [ "$(basename "$f")" = kustomization.yaml ] || files+=("$f")
done
bin="${RAPPARD:-${CARGO_TARGET_DIR:-$root/target}/release/rappard}"
if [ -x "$bin" ]; then
  RAPPARD="$bin" bash "$here/make-secrets.sh" "$tmp/pki-out" >/dev/null
  files+=("$tmp/pki-out/rappard-pki.yaml")
else
  echo "validate: no rappard binary at $bin: make-secrets.sh's output not checked"
fi
if command -v kubectl >/dev/null 2>&1 && kubectl kustomize "$here" >"$tmp/kustomize-build.yaml" 2>"$tmp/kustomize.err"; then
  files+=("$tmp/kustomize-build.yaml")
else
  echo "validate: kubectl kustomize not available or failed: the Kustomize build not checked"
  [ -s "$tmp/kustomize.err" ] && cat "$tmp/kustomize.err"
fi

# Offline: no network namespace at all, when unshare can make one.
offline=()
if unshare --net true 2>/dev/null; then
  offline=(unshare --net)
fi
echo "validate: Kubernetes $K8S_VERSION, strict, ${#files[@]} files${offline:+, with no network}"
status=0
for f in "${files[@]}"; do
  name="${f#"$root"/}"
  case "$f" in "$tmp"/*) name="(generated) $(basename "$f")" ;; esac
  rc=0
  out="$("${offline[@]}" "$py" -m kubernetes_validate --strict --kubernetes-version "$K8S_VERSION" "$f" 2>&1)" || rc=$?
  passed="$(printf '%s\n' "$out" | grep -c ' passed for resource ' || true)"
  # kubernetes-validate exits 0 on a warning (an unknown kind or version):
  # a warning, or a file with no resource, fails here too.
  if [ $rc -ne 0 ] || [ "$passed" -eq 0 ] || printf '%s\n' "$out" | grep -E '^(WARN|ERROR)' >/dev/null; then
    echo "  FAIL  $name"
    printf '%s\n' "$out" | grep -v ' passed for resource ' | sed 's/^/        /'
    status=1
  else
    echo "  ok    $name ($passed: $(printf '%s\n' "$out" | sed -n 's/.* passed for resource \([^ ]*\) .*/\1/p' | paste -sd' ' -))"
  fi
done
[ $status -eq 0 ] && echo "validate: all valid" || echo "validate: FAILED"
exit $status
