#!/usr/bin/env bash
# Every test layer, on a fresh machine too: installs what is missing, then
#   1. native cargo test (the pure core, property tests included)
#   2. wasm-bindgen-test: components in headless Chromium
#   3. release build + first-load size budget
#   4. the reference receiver's, service worker's and wasm renaming's own tests (node --test)
#   5. Playwright end-to-end tests against the release build
#   6. the desk (xinjing-desk): its tests on SQLite (among them the desk behind the shipped
#      nginx.conf, the shipped systemd unit, and a first-release database migrated to
#      today's schema), Schemathesis against it with docs/openapi.json, `nginx -t` and `systemd-analyze verify` on the shipped files, the
#      same tests on PostgreSQL 15 with photos in an S3-compatible bucket (moto), its
#      release build
#   7. the core flows again in WebKit (iOS WeChat's engine family): tests/webkit/run.sh,
#      after the desk's release build (the desk's first paint is among them)
#   8. the widget served by the desk in Chromium
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"
started=$SECONDS
step() { printf '\n== %s (%ds)\n' "$*" $((SECONDS - started)); }

step "setup"
scripts/setup.sh

step "code health: no import cycles in src/, crates/*/src, desk/src"
python3 scripts/check-cycles.py

step "native cargo test"
cargo test --locked --workspace --exclude xinjing-desk

step "wasm-bindgen-test in headless Chromium"
cargo test --locked --target wasm32-unknown-unknown --test web --test json_rules

step "release build"
scripts/build.sh

step "size budgets: critical path and whole app"
python3 scripts/size.py dist --budgets size-budget

step "demo build (mock backend, separate folder; the e2e tests with the mock use it)"
DIST=dist-demo scripts/build.sh --features demo
python3 scripts/size.py dist-demo

step "crash-test build (test-only feature, separate folder)"
DIST=dist-crash-test scripts/build.sh --features crash-test

step "node tests: reference receiver, service worker"
node --test tests/e2e/receiver.test.mjs tests/e2e/robots.test.mjs tests/sw.test.mjs tests/wasm-names.test.mjs

step "end-to-end tests (Playwright, Chromium, phone viewports)"
npx playwright test -c tests/e2e/playwright.config.js

# ---- the desk -------------------------------------------------------------------------
step "desk: tests on SQLite, photos in a folder"
cargo test --locked -p xinjing-desk

step "desk: Schemathesis reads docs/openapi.json and tries the desk on SQLite (every check and phase)"
scripts/schemathesis.sh

# Also in the run above; named here so the log shows each check of a shipped file.
step "desk: nginx -t on desk/deploy/nginx.conf, systemd-analyze verify on desk/deploy/xinjing-desk.service"
cargo test --locked -p xinjing-desk --test nginx --test deploy -- --exact --nocapture \
  nginx_t_accepts_the_shipped_config systemd_analyze_verify_accepts_the_unit

step "desk: PostgreSQL 15 and an S3-compatible server (moto) on loopback"
trap 'scripts/s3.sh stop; scripts/pg.sh stop' EXIT
pg_url=$(scripts/pg.sh start)
s3_url=$(scripts/s3.sh start)

step "desk: the same tests on PostgreSQL, photos in S3"
DESK_TEST_PG=$pg_url DESK_TEST_S3=$s3_url cargo test --locked -p xinjing-desk

step "desk: release build (profile server)"
cargo build --locked -p xinjing-desk --profile server

# --- WebKit ------------------------------------------------------------------------------
# WebKitGTK's MiniBrowser through WebKitWebDriver: run.sh starts Xvfb and the driver on free
# ports and stops them when it exits (see tests/webkit/, and README "Browser support").
# After the desk's release build: one WebKit test starts the desk (its first paint).
step "end-to-end tests in WebKit (WebKitGTK, the engine family of iOS WeChat)"
webkit_started=$SECONDS
tests/webkit/run.sh
echo "WebKit step: $((SECONDS - webkit_started)) s"
# -----------------------------------------------------------------------------------------

step "desk: end-to-end in Chromium (the widget served by the desk, staff pages, campaigns edited in the desk, posters and their QR codes)"
npx playwright test -c tests/e2e/desk.config.mjs

step "all test layers passed"
