#!/usr/bin/env bash
# tools/kustomize-krusty/run.sh KILN [KUBECTL]
#
# Differential check of `kiln kustomize` against `kubectl kustomize` on the inputs of kustomize's own end-to-end
# tests (sigs.k8s.io/kustomize/api v0.20.1, the kustomize of kubectl v1.35.2, package krusty). The module is copied
# from the Go module cache to a scratch directory, its test harness is edited (by dump_patch.py) to write every
# in-memory file tree a test builds to $KRUSTY_DUMP/<test>-<n>/ with the build's options, the tests run (their own
# pass/fail does not matter), and cmp.py builds each dumped tree with both tools. Not part of the test suite: it
# needs the Go module proxy. Results on 2026-12-08: 293 builds, 250 identical, 43 refused by both, none different.
set -euo pipefail
kiln="${1:?usage: run.sh KILN [KUBECTL]}"
kubectl="${2:-${KILN_REF_KUBECTL:-kubectl}}"
here="$(cd "$(dirname "$0")" && pwd)"
work="${KRUSTY_WORK:-/tmp/kiln-krusty}"
rm -rf "$work" && mkdir -p "$work/dump"
cd "$work"
go mod init krusty-scratch >/dev/null 2>&1
src=$(go mod download -json sigs.k8s.io/kustomize/api@v0.20.1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
cp -r "$src" api && chmod -R u+w api
python3 "$here/dump_patch.py" api/testutils/kusttest/harness.go
(cd api && KRUSTY_DUMP="$work/dump" go test ./krusty/ -count=1 >/dev/null 2>&1 || true)
python3 "$here/cmp.py" --kiln "$kiln" --kubectl "$kubectl" "$work/dump"
