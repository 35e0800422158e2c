#!/usr/bin/env bash
# Makes the negotiation's PKI with `rappard pki` and writes it as
# Kubernetes objects: the Secret rappard-secretariat (the authority's
# certificate, not its key, and the Secretariat's certificate and key),
# the Secret rappard-members (the authority's
# certificate and every member delegation's certificate and key), and the
# ConfigMap rappard-members that maps each member pod's ordinal to its
# delegations (RAPPARD_IDS_0, RAPPARD_IDS_1, ...).
#
#   bash deploy/k8s/make-secrets.sh OUT_DIR [IDS_0 IDS_1 ...]
#
# IDS_N: pod N's delegations, comma-separated (default: classroom's six on
# three pods: BRA,CHN EU,IND USA,ZAF). Writes OUT_DIR/pki/ (the files; keep
# ca.key safe: it stays there, off the cluster; `rappard pki revoke --certs
# OUT_DIR/pki --id X` revokes with it) and OUT_DIR/rappard-pki.yaml, to
# apply before the manifests:
#
#   kubectl apply -f deploy/k8s/namespace.yaml
#   kubectl apply -f OUT_DIR/rappard-pki.yaml
#   kubectl apply -k deploy/k8s
#
# The rappard binary: $RAPPARD, else rappard on PATH, else target/release.
set -euo pipefail
[ $# -ge 1 ] || { sed -n '2,20p' "$0" >&2; exit 2; }
out="$1"; shift
groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(BRA,CHN EU,IND USA,ZAF)
root="$(cd "$(dirname "$0")/../.." && pwd)"
rappard="${RAPPARD:-$(command -v rappard || echo "${CARGO_TARGET_DIR:-$root/target}/release/rappard")}"
[ -x "$rappard" ] || { echo "make-secrets.sh: no rappard binary ($rappard)" >&2; exit 1; }

pki="$out/pki"
mkdir -p "$pki"
"$rappard" pki init --certs "$pki" --force >/dev/null
"$rappard" pki issue --certs "$pki" --id WTO --role secretariat --force >/dev/null
for g in "${groups[@]}"; do
  IFS=, read -r -a ids <<<"$g"
  for id in "${ids[@]}"; do
    "$rappard" pki issue --certs "$pki" --id "$id" --role member --force >/dev/null
  done
done
chmod 0600 "$pki"/*.key

entry() { printf '  %s: %s\n' "$(basename "$1")" "$(base64 -w0 <"$1")"; }
{
  cat <<'YAML'
# Made by deploy/k8s/make-secrets.sh. Holds private keys: do not commit.
apiVersion: v1
kind: Secret
metadata:
  name: rappard-secretariat
  namespace: rappard
  labels:
    app.kubernetes.io/name: rappard
type: Opaque
data:
YAML
  # No ca.key: the Secretariat signs nothing here (members only, no
  # accession), so the authority's key stays off the cluster.
  for f in ca.pem secretariat.pem secretariat.key; do entry "$pki/$f"; done
  cat <<'YAML'
---
apiVersion: v1
kind: Secret
metadata:
  name: rappard-members
  namespace: rappard
  labels:
    app.kubernetes.io/name: rappard
type: Opaque
data:
YAML
  entry "$pki/ca.pem"
  for g in "${groups[@]}"; do
    IFS=, read -r -a ids <<<"$g"
    for id in "${ids[@]}"; do entry "$pki/$id.pem"; entry "$pki/$id.key"; done
  done
  cat <<'YAML'
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: rappard-members
  namespace: rappard
  labels:
    app.kubernetes.io/name: rappard
data:
YAML
  for i in "${!groups[@]}"; do printf '  RAPPARD_IDS_%d: "%s"\n' "$i" "${groups[$i]}"; done
} >"$out/rappard-pki.yaml"
echo "wrote $out/rappard-pki.yaml (${#groups[@]} member pods: set the StatefulSet's replicas to ${#groups[@]})"
