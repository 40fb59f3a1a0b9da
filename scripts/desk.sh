#!/usr/bin/env bash
# The desk with the widget, on SQLite, on a fresh machine: installs what is missing, builds
# the widget's release and the desk, and serves both from one origin on
# http://127.0.0.1:${PORT:-8080}/ . Reports go to .desk/desk.db, photos to .desk/photos/.
# Any DESK_* variable (or DESK_CONFIG) set in the environment is passed on.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"
scripts/setup.sh build
scripts/build.sh
cargo build --locked -p xinjing-desk --profile server
mkdir -p .desk
export DESK_LISTEN=${DESK_LISTEN:-127.0.0.1:${PORT:-8080}}
export DATABASE_URL=${DATABASE_URL:-sqlite://.desk/desk.db}
export DESK_PHOTOS=${DESK_PHOTOS:-.desk/photos}
export DESK_DIST=${DESK_DIST:-dist}
echo "Xinjing desk with the widget: http://$DESK_LISTEN/  (Ctrl+C stops it)"
# Trying it out on this machine: links point at the bound address (no public_url needed).
exec target/server/xinjing-desk serve --dev
