#!/bin/sh
# rappard-pki-setup: the one-shot PKI step of deploy/compose.yaml (in the
# image rappard-tools; POSIX sh, runs under dash).
#
#   rappard-pki-setup SECRETARIAT_DIR NODE_DIR=ID[,ID...] ...
#
# Makes the negotiation's authority in SECRETARIAT_DIR (ca.pem, ca.key: the
# Secretariat, started with --authority, signs acceded applicants' member
# certificates with it; `rappard pki revoke --certs SECRETARIAT_DIR` writes
# the revocation list ca.crl there, which the Secretariat reads when it
# changes) with the Secretariat's certificate, and for each
# member node NODE_DIR gets ca.pem and a certificate and key for each of
# its delegations (ID.pem, ID.key; the ids in APPLICANTS, comma-separated,
# get an applicant's certificate).
# Each directory is meant to be its own volume, so a node holds its own keys
# and no other's.
#
# Idempotent: an authority already there is kept, and so is a certificate
# already issued (a re-run after adding a node issues only what is new); a
# new authority re-issues every certificate.
# Keys are mode 0600; at the end SECRETARIAT_DIR is given to
# SECRETARIAT_OWNER and each NODE_DIR to OWNER (both default 65532:65532,
# the images' user; empty: left as they are).
set -eu
[ $# -ge 1 ] || { echo "usage: rappard-pki-setup SECRETARIAT_DIR NODE_DIR=ID[,ID...] ..." >&2; exit 2; }
sec=$1
shift
owner=${OWNER-65532:65532}
sec_owner=${SECRETARIAT_OWNER-65532:65532}
mkdir -p "$sec"
fresh=no
if [ -f "$sec/ca.pem" ] && [ -f "$sec/ca.key" ]; then
  echo "pki: authority in $sec kept"
else
  rappard pki init --certs "$sec" --force
  fresh=yes
fi
if [ $fresh = yes ] || [ ! -f "$sec/secretariat.pem" ]; then
  rappard pki issue --certs "$sec" --id WTO --role secretariat --force >/dev/null
  echo "pki: issued the Secretariat's certificate in $sec"
fi
for node in "$@"; do
  case "$node" in
    *=*) ;;
    *) echo "pki: $node: expected NODE_DIR=ID[,ID...]" >&2; exit 2 ;;
  esac
  dir=${node%%=*}
  ids=${node#*=}
  mkdir -p "$dir"
  cp "$sec/ca.pem" "$dir/ca.pem"
  issued=""
  old_ifs=$IFS
  IFS=,
  for entry in $ids; do
    IFS=$old_ifs
    id=$entry
    role=member
    case ",${APPLICANTS:-}," in *",$id,"*) role=applicant ;; esac
    if [ $fresh = no ] && [ -f "$dir/$id.pem" ] && [ -f "$dir/$id.key" ]; then
      continue
    fi
    # Issued where the authority's key is, then the key moved to the node;
    # a copy of the certificate stays, so that `rappard pki revoke --certs
    # SECRETARIAT_DIR --id ID` finds it.
    rappard pki issue --certs "$sec" --id "$id" --role "$role" --force >/dev/null
    cp "$sec/$id.pem" "$dir/"
    mv "$sec/$id.key" "$dir/"
    issued="$issued $id"
  done
  IFS=$old_ifs
  echo "pki: $dir:${issued:- nothing new}"
done
for dir in "$sec" "$@"; do
  dir=${dir%%=*}
  chmod 0700 "$dir"
  for f in "$dir"/*.key; do [ -e "$f" ] && chmod 0600 "$f"; done
  who=$owner
  [ "$dir" = "$sec" ] && who=$sec_owner
  if [ -n "$who" ]; then chown -R "$who" "$dir"; fi
done
echo "pki: done"
