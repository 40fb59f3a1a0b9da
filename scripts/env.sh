# Sourced by the other scripts: tool paths and versions, in one place.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$REPO_ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true
export CHROME_PATH=/usr/bin/chromium
export CHROMEDRIVER=/usr/bin/chromedriver
TRUNK_VERSION=0.21.14
# Must equal the exact wasm-bindgen version in Cargo.toml / Cargo.lock.
WASM_BINDGEN_VERSION=0.2.130
