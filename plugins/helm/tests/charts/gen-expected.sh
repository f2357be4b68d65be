#!/bin/sh
# Regenerate expected/ from cases.txt with the reference helm (v4.1.4): sh gen-expected.sh /path/to/helm
set -eu
HELM=${1:-/work/ref/bin/helm}
cd "$(dirname "$0")"
rm -rf expected && mkdir expected
grep -v '^#' cases.txt | while IFS='|' read -r name chart args; do
  [ -z "$name" ] && continue
  # shellcheck disable=SC2086
  if "$HELM" template rel "$chart" $args > "expected/$name.out" 2> "expected/$name.stderr"; then
    rm -f "expected/$name.stderr"
  else
    rm -f "expected/$name.out"
    mv "expected/$name.stderr" "expected/$name.err"
  fi
done
