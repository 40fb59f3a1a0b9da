#!/usr/bin/env bash
# The contract as a third-party tool reads it: Schemathesis (PyPI, 4.x, in .tools/venv,
# installed when missing) runs docs/openapi.json against the desk on a fresh SQLite
# database, with every check and every phase, the stateful one included.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"
VENV=.tools/venv
PORT=${DESK_SCHEMATHESIS_PORT:-9566}
URL="http://127.0.0.1:$PORT"
if [ ! -x "$VENV/bin/st" ]; then
  echo "== pip install 'schemathesis==4.*' into $VENV" >&2
  [ -x "$VENV/bin/pip" ] || python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install -q --disable-pip-version-check 'schemathesis==4.*' >&2
fi
cargo build --locked -q -p xinjing-desk
dir=$(mktemp -d)
DATABASE_URL="sqlite://$dir/desk.db" DESK_PHOTOS="$dir/photos" DESK_LISTEN="127.0.0.1:$PORT" \
  DESK_RATE_LIMIT_PER_MINUTE=0 DESK_LOG=warn \
  target/debug/xinjing-desk serve --dev >"$dir/desk.log" 2>&1 &
desk=$!
trap 'kill $desk 2>/dev/null; wait $desk 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "$URL/readyz" 2>/dev/null && break
  sleep 0.1
done
# One real report: its ticket and key let the status and feedback routes be reached.
XJ_KEY=$(python3 -c 'import uuid; print(uuid.uuid4())')
XJ_TICKET=$(curl -fsS -X POST "$URL/api/v1/reports" -H 'Content-Type: application/json' \
  -H "Idempotency-Key: $XJ_KEY" --data-binary @- <<JSON | python3 -c 'import json,sys; print(json.load(sys.stdin)["ticket"])'
{"schema":"xinjing.report/1","id":"$XJ_KEY","created_at":"2026-11-30T09:15:00+08:00",
 "category":"ebike_in_stairwell","location":{"community":"示例一村（演示）","building":"2号楼",
 "detail":"3 楼楼道"},"description":"3 楼楼道停着一辆电动车在充电","photos":[],"contact":null,
 "consent":{"contact":false,"notice_version":"2026-11"},"locale":"zh-CN","client":{"version":"0.1.0"}}
JSON
)
export XJ_KEY XJ_TICKET
"$VENV/bin/st" --config-file tests/contract/schemathesis.toml run docs/openapi.json \
  --url "$URL/api/v1/reports" --checks all --phases examples,coverage,fuzzing,stateful \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-50}" --seed 26 "$@"
