#!/usr/bin/env bash
# The desk's loopback benchmark (not part of test.sh):
#   scripts/bench-desk.sh [sqlite] [postgres]      (default: both)
# For each database, starts `xinjing-desk serve` (profile server) with a fresh database and
# photo folder, and runs the load generator (desk/examples/load.rs) for BENCH_SECONDS
# (default 10) with concurrent clients posting reports with 0 photos (BENCH_CLIENTS, default
# 32) and then 3 photos (BENCH_PHOTO_CLIENTS, default 8; BENCH_PHOTO_BYTES each, default
# 250000: a phone's 1600 px JPEG, so a report of about 1 MB).
# Each phase runs twice: against the floor (POST /api/v1/floor, the same server reading and
# discarding the same body) and against the desk. Prints reports/s, p50/p99 latency and the
# server's CPU and peak memory. SQLite runs with fsync on (the default) and off.
# Client and server share the machine's cores.
#   scripts/bench-desk.sh stats [sqlite] [postgres]: the town's figures at 1,000,000
#   reports instead (scripts/bench/stats.sh).
set -euo pipefail
if [ "${1:-}" = stats ]; then
  shift
  exec "$(dirname "$0")/bench/stats.sh" "$@"
fi
source "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"
backends=("$@")
[ ${#backends[@]} -gt 0 ] || backends=(sqlite postgres)
SECONDS_EACH=${BENCH_SECONDS:-10}
CLIENTS=${BENCH_CLIENTS:-32}
PHOTO_CLIENTS=${BENCH_PHOTO_CLIENTS:-8}
PHOTO_BYTES=${BENCH_PHOTO_BYTES:-250000}

echo "== building the desk and the load generator (profile server)" >&2
cargo build --locked -q -p xinjing-desk --profile server --features test-support --bin xinjing-desk --example load
DESK=target/server/xinjing-desk
LOAD=target/server/examples/load
work=$(mktemp -d)
desk_pid=
cleanup() {
  [ -n "$desk_pid" ] && kill "$desk_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

results="$work/results.jsonl"
: >"$results"

# run_backend NAME DATABASE_URL FSYNC
run_backend() {
  local name=$1 url=$2 fsync=$3 port=18089
  rm -rf "$work/photos"
  DESK_LISTEN=127.0.0.1:$port DATABASE_URL=$url DESK_PHOTOS=$work/photos DESK_FSYNC=$fsync \
    DESK_BENCH_FLOOR=true DESK_RATE_LIMIT_PER_MINUTE=0 DESK_INTAKE_PER_MINUTE=0 DESK_LOG=warn \
    "$DESK" serve --dev 2>"$work/desk.log" &
  desk_pid=$!
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/readyz" 2>/dev/null && break
    sleep 0.1
  done
  for photos in 0 3; do
    local clients=$CLIENTS
    [ "$photos" = 0 ] || clients=$PHOTO_CLIENTS
    for target in floor reports; do
      local path=/api/v1/$target
      "$LOAD" --url "http://127.0.0.1:$port$path" --clients "$clients" --seconds "$SECONDS_EACH" \
        --photos "$photos" --photo-bytes "$PHOTO_BYTES" --pid "$desk_pid" \
        --label "$name|$target" >>"$results"
      tail -n1 "$results" >&2
    done
  done
  kill "$desk_pid"
  wait "$desk_pid" 2>/dev/null || true
  desk_pid=
}

for backend in "${backends[@]}"; do
  case "$backend" in
    sqlite)
      rm -f "$work"/bench*.db*
      run_backend "SQLite, fsync on" "sqlite://$work/bench.db" true
      rm -f "$work"/bench*.db*
      run_backend "SQLite, fsync off" "sqlite://$work/bench2.db" false
      ;;
    postgres)
      admin=$(scripts/pg.sh start)
      db=desk_bench_$$
      psql "$admin" -qc "CREATE DATABASE $db" >/dev/null
      run_backend "PostgreSQL 15" "${admin%/*}/$db" true
      psql "$admin" -qc "DROP DATABASE $db WITH (FORCE)" >/dev/null
      scripts/pg.sh stop
      ;;
    *) echo "unknown backend $backend (sqlite, postgres)" >&2; exit 2 ;;
  esac
done

python3 - "$results" "$SECONDS_EACH" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(f"\nxinjing-desk loopback benchmark: {sys.argv[2]} s a phase, load generator on the same cores\n")
print(f"| database | photos | clients | handler | reports/s | p50 ms | p99 ms | desk CPU | desk RSS | failed |")
print(f"|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    db, target = r["label"].split("|")
    handler = "floor (read, discard)" if target == "floor" else "desk"
    print(f"| {db} | {r['photos']} | {r['clients']} | {handler} | {r['per_second']:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} "
          f"| {r['server_cpu_percent']:.0f} % | {r['server_rss_mib']:.0f} MiB | {r['failed']} |")
PY
