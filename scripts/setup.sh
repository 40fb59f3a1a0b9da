#!/usr/bin/env bash
# Installs whatever is missing for building and testing the widget; a second run skips what
# is there. Needs only rustup's toolchain, Node/npm and Python, plus the package registries.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"
want_browser=${1:-all}   # "build" skips the browser packages (the demo needs none)

step() { printf '\n== %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# Faster installs of the tools themselves (they are not what we ship).
export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION"; then
  step "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 6 minutes)"
  # Not --locked: its lock file wants a webpki-roots version the registry no longer has.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi
if ! trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION"; then
  step "cargo install trunk $TRUNK_VERSION (8-14 minutes)"
  cargo install trunk --version "$TRUNK_VERSION" --locked --force
fi
unset CARGO_PROFILE_RELEASE_LTO CARGO_PROFILE_RELEASE_CODEGEN_UNITS

if [ ! -x node_modules/.bin/wasm-opt ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "npm ci (binaryen's wasm-opt, Playwright, axe-core, selenium-webdriver)"
  npm ci --no-audit --no-fund
fi

if [ "$want_browser" = all ]; then
  missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
  fc-list 2>/dev/null | grep -qi 'wenquanyi\|noto sans cjk' || missing+=(fonts-wqy-microhei)
  command -v brotli >/dev/null || missing+=(brotli)
  # WebKit, the engine family of iOS WeChat: WebKitGTK's WebDriver and MiniBrowser, run
  # under a virtual X display (MiniBrowser has no headless mode).
  command -v WebKitWebDriver >/dev/null || missing+=(webkit2gtk-driver)
  command -v Xvfb >/dev/null || missing+=(xvfb)
  command -v xauth >/dev/null || missing+=(xauth)
  command -v sqlite3 >/dev/null || missing+=(sqlite3)  # the desk's end-to-end test reads its database
  # The desk's shipped deploy files, checked and run by its tests: nginx in front (with a
  # test certificate from openssl), the systemd unit verified by systemd-analyze.
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v systemd-analyze >/dev/null || missing+=(systemd)
  if [ ${#missing[@]} -gt 0 ]; then
    step "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
fi

step "fetching crates (Trunk builds offline)"
cargo fetch --locked 2>/dev/null || cargo fetch
