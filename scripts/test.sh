#!/usr/bin/env bash
# Every test layer, on a fresh machine too: installs what is missing, then
#   1. native cargo test (the pure core, property tests included)
#   2. wasm-bindgen-test: components in headless Chromium
#   3. release build + first-load size budget
#   4. the reference receiver's own tests (node --test)
#   5. Playwright end-to-end tests against the release build
#   6. the core flows again in WebKit (iOS WeChat's engine family): tests/webkit/run.sh
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"
started=$SECONDS
step() { printf '\n== %s (%ds)\n' "$*" $((SECONDS - started)); }

step "setup"
scripts/setup.sh

step "code health: no import cycles between modules"
python3 scripts/check-cycles.py

step "native cargo test"
cargo test --locked --workspace

step "wasm-bindgen-test in headless Chromium"
cargo test --locked --target wasm32-unknown-unknown --test web

step "release build"
scripts/build.sh

step "size budgets: critical path and whole app"
python3 scripts/size.py dist --budgets size-budget

step "crash-test build (test-only feature, separate folder)"
DIST=dist-crash-test scripts/build.sh --features crash-test

step "node tests: reference receiver, service worker"
node --test tests/e2e/receiver.test.mjs tests/sw.test.mjs

step "end-to-end tests (Playwright, Chromium, phone viewports)"
npx playwright test -c tests/e2e/playwright.config.js

# --- WebKit ------------------------------------------------------------------------------
# WebKitGTK's MiniBrowser through WebKitWebDriver: run.sh starts Xvfb and the driver on free
# ports and stops them when it exits (see tests/webkit/, and README "Browser support").
step "end-to-end tests in WebKit (WebKitGTK, the engine family of iOS WeChat)"
webkit_started=$SECONDS
tests/webkit/run.sh
echo "WebKit step: $((SECONDS - webkit_started)) s"
# -----------------------------------------------------------------------------------------

step "all test layers passed"
