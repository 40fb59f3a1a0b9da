#!/usr/bin/env bash
# The demo on a fresh machine: installs what is missing, builds the release with the demo's
# mock backend (feature `demo`, into dist-demo/: the production dist/ has no mock), and serves
# it on http://127.0.0.1:${PORT:-8080}/ with the shipped config.json ("endpoint": "mock").
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"
scripts/setup.sh build
DIST=dist-demo scripts/build.sh --features demo
exec node scripts/serve.mjs dist-demo --port "${PORT:-8080}"
