#!/usr/bin/env bash
# PostgreSQL 15 for the desk's tests and benchmark, from Debian's packages.
#   scripts/pg.sh start   install when missing, start the cluster when down, create the role
#                         desk_test (CREATEDB) and its database; prints the admin URL
#   scripts/pg.sh stop    stop the cluster, only if `start` started it
# The URL printed is what the desk's tests read from DESK_TEST_PG.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"
VERSION=15
CLUSTER=main
PORT=${DESK_PG_PORT:-5432}
STATE=.tools/pg-started-by-us
URL="postgres://desk_test:desk_test@127.0.0.1:$PORT/desk_test"

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

case "${1:-start}" in
  start)
    mkdir -p .tools
    if ! command -v pg_ctlcluster >/dev/null || [ ! -d "/usr/lib/postgresql/$VERSION" ]; then
      echo "== apt-get install postgresql ($VERSION)" >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq --no-install-recommends postgresql >&2
    fi
    if ! pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1==v && $2==c' | grep -q .; then
      pg_createcluster "$VERSION" "$CLUSTER" -p "$PORT" >&2
    fi
    if pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1==v && $2==c {print $4}' | grep -q online; then
      :
    else
      pg_ctlcluster "$VERSION" "$CLUSTER" start >&2
      touch "$STATE"
    fi
    for _ in $(seq 1 50); do
      as_postgres psql -p "$PORT" -qtAc 'SELECT 1' >/dev/null 2>&1 && break
      sleep 0.2
    done
    as_postgres psql -p "$PORT" -v ON_ERROR_STOP=1 -qtA >&2 <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'desk_test') THEN
    CREATE ROLE desk_test LOGIN CREATEDB PASSWORD 'desk_test';
  END IF;
END $$;
SQL
    if ! as_postgres psql -p "$PORT" -qtAc "SELECT 1 FROM pg_database WHERE datname = 'desk_test'" | grep -q 1; then
      as_postgres createdb -p "$PORT" -O desk_test desk_test >&2
    fi
    # Databases left by interrupted test runs.
    for db in $(as_postgres psql -p "$PORT" -qtAc "SELECT datname FROM pg_database WHERE datname LIKE 'desk\_t\_%' OR datname LIKE 'desk\_bench%'"); do
      as_postgres dropdb -p "$PORT" --force "$db" >&2 || true
    done
    echo "$URL"
    ;;
  stop)
    if [ -f "$STATE" ]; then
      pg_ctlcluster "$VERSION" "$CLUSTER" stop >&2 || true
      rm -f "$STATE"
      echo "PostgreSQL stopped" >&2
    fi
    ;;
  *)
    echo "usage: scripts/pg.sh start|stop" >&2
    exit 2
    ;;
esac
