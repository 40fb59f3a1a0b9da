#!/usr/bin/env bash
# Fuzzes every parser for a bounded time with cargo-fuzz (libFuzzer, nightly toolchain).
#   scripts/fuzz.sh [seconds per target, default 30]
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"
seconds=${1:-30}
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
for target in config feed outbox answers; do
  printf '\n== fuzz %s for %ss\n' "$target" "$seconds"
  log=$(mktemp)
  if ! cargo +nightly fuzz run "$target" -- -max_total_time="$seconds" -max_len=4096 >"$log" 2>&1; then
    tail -40 "$log"
    echo "fuzz target $target failed (crash input kept under fuzz/artifacts/$target)"
    exit 1
  fi
  grep -E '^Done [0-9]+ runs' "$log"
done
