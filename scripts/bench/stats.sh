#!/usr/bin/env bash
# `scripts/bench-desk.sh stats [sqlite] [postgres]` (default: both): the town's figures at
# a district's scale. For each database, a fresh one: migrate, a town account, the floor
# (the same requests on the empty database), then 1,000,000 reports seeded in bulk SQL
# (scripts/bench/stats-seed.sql, not the API), the figures filled (`stats rebuild`, timed),
# and BENCH_REQUESTS (default 30) timed requests each of the month's /desk/stats and its
# XLSX, one at a time, p50 and p95. Release build. PostgreSQL: the running server named by
# BENCH_PG (default DESK_TEST_PG, else desk_test on 127.0.0.1), in a database made and
# dropped here. Bounded: every step under `timeout`.
set -euo pipefail
source "$(dirname "$0")/../env.sh"
cd "$REPO_ROOT"
backends=("$@")
[ ${#backends[@]} -gt 0 ] || backends=(sqlite postgres)
REQUESTS=${BENCH_REQUESTS:-30}
PG=${BENCH_PG:-${DESK_TEST_PG:-postgres://desk_test:desk_test@127.0.0.1:5432/desk_test}}
PASSWORD='bench town password'
PORT=18090

echo "== building the desk (release)" >&2
cargo build --locked -q --release -p xinjing-desk --bin xinjing-desk
DESK=$PWD/target/release/xinjing-desk
work=$(mktemp -d)
desk_pid=
pg_db=
cleanup() {
  [ -n "$desk_pid" ] && kill "$desk_pid" 2>/dev/null || true
  [ -n "$pg_db" ] && psql "$PG" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
results="$work/results.tsv"
: >"$results"
now_ms=$(( $(date +%s) * 1000 ))
t0=$(( now_ms - 63072000000 ))
# The last whole month (its list in the workbook is the longest a month gives).
month=$(TZ=Asia/Shanghai date -d "$(TZ=Asia/Shanghai date +%Y-%m-01) -1 day" +%F)
paths=("/desk/stats?period=month&day=$month" "/desk/stats.xlsx?period=month&day=$month")

export DESK_LISTEN=127.0.0.1:$PORT DESK_PHOTOS=$work/photos DESK_LOG=warn \
  DESK_RATE_LIMIT_PER_MINUTE=0 DESK_INTAKE_PER_MINUTE=0

measure() { # LABEL
  "$DESK" serve --dev 2>>"$work/desk.log" &
  desk_pid=$!
  for _ in $(seq 1 600); do
    curl -fsS -o /dev/null "http://127.0.0.1:$PORT/readyz" 2>/dev/null && break
    sleep 0.1
  done
  timeout 900 python3 scripts/bench/stats-client.py "$PORT" bench "$PASSWORD" "$REQUESTS" "$1" \
    "${paths[@]}" | tee -a "$results" >&2
  kill "$desk_pid"
  wait "$desk_pid" 2>/dev/null || true
  desk_pid=
}

seeded() { # NAME SQL-RUNNER...
  local name=$1
  shift
  local start=$SECONDS
  sed -e "s/@T0@/$t0/g" -e "s/@SERIES@/$SERIES/" -e "s/@DAY@/$DAY/" scripts/bench/stats-seed.sql |
    timeout 1800 "$@" >/dev/null
  echo "$name: seeded 1,000,000 reports in $((SECONDS - start)) s" | tee -a "$work/notes" >&2
  start=$SECONDS
  timeout 1800 "$DESK" stats rebuild >&2
  echo "$name: figures filled in $((SECONDS - start)) s" | tee -a "$work/notes" >&2
  # What autovacuum does on its own soon after a bulk load (the visibility map that lets
  # PostgreSQL read the sums from the indexes alone, and the planner's statistics).
  [ "$name" = SQLite ] ||
    timeout 600 "$@" -c "VACUUM ANALYZE reports, report_events, stats_daily, stats_hours" >&2
}

for backend in "${backends[@]}"; do
  case "$backend" in
    sqlite)
      export DATABASE_URL="sqlite://$work/stats.db"
      name=SQLite
      SERIES="s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < 999999)"
      SERIES="RECURSIVE $SERIES"
      DAY="strftime('%Y-%m-%d', (received_at + 28800000) \/ 1000, 'unixepoch')"
      runner=(sqlite3 "$work/stats.db")
      ;;
    postgres)
      pg_db=desk_bench_stats_$$
      psql "$PG" -qc "CREATE DATABASE $pg_db" >/dev/null
      export DATABASE_URL="${PG%/*}/$pg_db"
      name="PostgreSQL 15"
      SERIES="s(i) AS (SELECT generate_series(CAST(0 AS BIGINT), 999999))"
      DAY="to_char(to_timestamp((received_at + 28800000) \/ 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
      runner=(psql -q -v ON_ERROR_STOP=1 "$DATABASE_URL")
      ;;
    *) echo "unknown backend $backend (sqlite, postgres)" >&2; exit 2 ;;
  esac
  "$DESK" migrate >/dev/null
  echo "$PASSWORD" | "$DESK" user add bench --role town >/dev/null
  measure "$name, empty (floor)"
  seeded "$name" "${runner[@]}"
  measure "$name, 1,000,000 reports"
  if [ "$backend" = postgres ]; then
    psql "$PG" -qc "DROP DATABASE $pg_db WITH (FORCE)" >/dev/null
    pg_db=
  fi
done

echo
cat "$work/notes"
echo
echo "| database | request | p50 ms | p95 ms | bytes |"
echo "|---|---|---|---|---|"
while IFS=$'\t' read -r label path p50 p95 bytes; do
  kind="/desk/stats (month, town)"
  case "$path" in *xlsx*) kind="/desk/stats.xlsx (month, town)" ;; esac
  echo "| $label | $kind | $p50 | $p95 | $bytes |"
done <"$results"
