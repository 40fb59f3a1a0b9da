#!/usr/bin/env bash
# Every test layer, on a fresh machine too: installs what is missing, then
#   1. native cargo test (the pure core, property tests included)
#   2. wasm-bindgen-test: components in headless Chromium
#   3. release build + first-load size budget
#   4. the reference receiver's own tests (node --test)
#   5. Playwright end-to-end tests against the release build
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"
started=$SECONDS
step() { printf '\n== %s (%ds)\n' "$*" $((SECONDS - started)); }

step "setup"
scripts/setup.sh

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

step "reference receiver tests"
node --test tests/e2e/receiver.test.mjs

step "end-to-end tests (Playwright, Chromium, phone viewports)"
npx playwright test -c tests/e2e/playwright.config.js

step "all test layers passed"
