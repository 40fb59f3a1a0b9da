#!/usr/bin/env bash
# An S3-compatible server for the desk's tests: moto in server mode (PyPI), on loopback.
#   scripts/s3.sh start   install moto[server] into .tools/venv when missing, start it on
#                         127.0.0.1:${DESK_S3_PORT:-9555}, create the bucket desk-test; prints
#                         the endpoint URL (what the tests read from DESK_TEST_S3)
#   scripts/s3.sh stop    stop the server `start` started
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"
PORT=${DESK_S3_PORT:-9555}
VENV=.tools/venv
PIDFILE=.tools/moto.pid
ENDPOINT="http://127.0.0.1:$PORT"

case "${1:-start}" in
  start)
    mkdir -p .tools
    if [ ! -x "$VENV/bin/moto_server" ]; then
      echo "== pip install 'moto[server]' into $VENV" >&2
      python3 -m venv "$VENV" >&2
      "$VENV/bin/pip" install -q --disable-pip-version-check 'moto[server]==5.*' >&2
    fi
    if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
      :
    else
      "$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT" >.tools/moto.log 2>&1 &
      echo $! >"$PIDFILE"
    fi
    for _ in $(seq 1 100); do
      curl -fsS -o /dev/null "$ENDPOINT/moto-api/" 2>/dev/null && break
      sleep 0.1
    done
    AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test "$VENV/bin/python" - "$ENDPOINT" >&2 <<'PY'
import sys, boto3
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1")
if "desk-test" not in [b["Name"] for b in s3.list_buckets().get("Buckets", [])]:
    s3.create_bucket(Bucket="desk-test")
PY
    echo "$ENDPOINT"
    ;;
  stop)
    if [ -f "$PIDFILE" ]; then
      kill "$(cat "$PIDFILE")" 2>/dev/null || true
      rm -f "$PIDFILE"
    fi
    ;;
  *)
    echo "usage: scripts/s3.sh start|stop" >&2
    exit 2
    ;;
esac
