#!/usr/bin/env bash
# Release build into dist/ (or $DIST). Extra args go to trunk (e.g. --features crash-test).
# Runs without a network where it can (a fresh network namespace as root): proof that the
# build downloads nothing; setup.sh has fetched the crates and pinned the tools.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"
dist=${DIST:-dist}
isolate=()
if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
  isolate=(unshare -n)
fi
log=$(mktemp)
if ! "${isolate[@]}" trunk build --release --dist "$dist" "$@" >"$log" 2>&1; then
  cat "$log"
  echo "build failed${isolate:+ (without network)}"
  exit 1
fi
grep -E 'warn|✅' "$log" | grep -v 'integrity' || true
test -f "$dist/index.html" && compgen -G "$dist/boot-*.js" >/dev/null
