#!/bin/sh
# Regenerate fixtures.txt from cases.txt with the reference helm (v4.1.4).
# Usage: sh gen-fixtures.sh /path/to/helm
set -eu
HELM=${1:-/work/ref/bin/helm}
cd "$(dirname "$0")"
: > fixtures.txt
grep -v '^#' cases.txt | while IFS= read -r line; do
  [ -z "$line" ] && continue
  if out=$(eval "$HELM template probe probe $line" 2>/tmp/kiln-probe-err); then
    body=$(printf '%s\n' "$out" | sed -n 's/^# {/{/p')
    [ -z "$body" ] && body='{"t":"map","v":{}}'
    printf 'CASE %s\nOK %s\n' "$line" "$body" >> fixtures.txt
  else
    printf 'CASE %s\nERR %s\n' "$line" "$(head -n1 /tmp/kiln-probe-err)" >> fixtures.txt
  fi
done
