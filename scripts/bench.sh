#!/usr/bin/env bash
# Builds the release and runs the performance benchmark (scripts/bench.mjs), then Lighthouse
# (mobile profile, offline, Debian Chromium) if it can be installed from npm.
#   scripts/bench.sh [runs=5]
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"
scripts/setup.sh
scripts/build.sh
node scripts/bench.mjs "${1:-5}"
if [ "${LIGHTHOUSE:-1}" = 1 ]; then
  printf '\n== Lighthouse 12.8.2 (mobile, offline)\n'
  node scripts/lighthouse.mjs || echo "Lighthouse did not run (see above)."
fi
