#!/usr/bin/env bash
# The demo on a fresh machine: installs what is missing, builds the release, and serves it
# on http://127.0.0.1:${PORT:-8080}/ with the mock backend (the shipped config.json).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"
scripts/setup.sh build
scripts/build.sh
exec node scripts/serve.mjs dist --port "${PORT:-8080}"
