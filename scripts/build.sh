#!/usr/bin/env bash
# Release build into dist/ (or $DIST), offline. Extra args go to trunk (e.g. --features).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"
dist=${DIST:-dist}
trunk build --release --dist "$dist" "$@" 2>&1 | grep -vE '^\s*$' | grep -E 'error|warn|success|Finished' || true
test -f "$dist/index.html" && test -f "$dist/boot.js"
