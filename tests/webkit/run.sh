#!/usr/bin/env bash
# The WebKit suite (the engine family of iOS WeChat): starts a virtual X display (Xvfb,
# since WebKitGTK's MiniBrowser has no headless mode) and WebKitWebDriver on free ports,
# runs tests/webkit/*.test.mjs with node's test runner against dist/ (desk.test.mjs also
# starts the desk's release binary, target/server/xinjing-desk), and stops both on exit.
# Needs Debian's webkit2gtk-driver, xvfb and xauth (scripts/setup.sh installs them).
#   tests/webkit/run.sh [extra node --test args, e.g. --test-name-pattern=photo]
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -f "${DIST:-dist}/index.html" ] || { echo "no ${DIST:-dist}/index.html: run scripts/build.sh first"; exit 1; }
for tool in Xvfb xauth WebKitWebDriver; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: run scripts/setup.sh"; exit 1; }
done
WEBKIT_MINIBROWSER=$(ls /usr/lib/*/webkit2gtk-4.*/MiniBrowser 2>/dev/null | head -n 1)
[ -n "$WEBKIT_MINIBROWSER" ] || { echo "MiniBrowser is missing: run scripts/setup.sh"; exit 1; }
export WEBKIT_MINIBROWSER

work=$(mktemp -d)
pids=()
stop() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap stop EXIT
trap 'exit 130' INT TERM

# X display: Xvfb picks a free number itself (-displayfd); only clients holding the cookie,
# on this machine's Unix socket, may connect. -noreset: by default the server resets when
# its last client leaves, and the next test's browser, starting at that moment, could not
# open the display (seen about once in 15 quick restarts).
cookie=$(mcookie 2>/dev/null || od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
xauth -q -f "$work/server.auth" add :0 . "$cookie" 2>/dev/null
Xvfb -displayfd 3 -noreset -auth "$work/server.auth" -nolisten tcp -screen 0 1280x1024x24 3>"$work/display" 2>"$work/xvfb.log" &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/display" ] && break; sleep 0.1; done
[ -s "$work/display" ] || { cat "$work/xvfb.log"; echo "Xvfb did not start"; exit 1; }
export DISPLAY=":$(cat "$work/display")" XAUTHORITY="$work/client.auth"
xauth -q -f "$XAUTHORITY" add "$DISPLAY" . "$cookie" 2>/dev/null

# WebDriver on a free port (asked of the kernel, then handed over).
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
WebKitWebDriver --host=127.0.0.1 --port="$port" >"$work/webdriver.log" 2>&1 &
pids+=($!)
driver_up() { node -e "fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))" "http://127.0.0.1:$port/status"; }
for _ in $(seq 50); do driver_up && break; sleep 0.1; done
driver_up || { cat "$work/webdriver.log"; echo "WebKitWebDriver did not start"; exit 1; }

export WEBKIT_WEBDRIVER_URL="http://127.0.0.1:$port"
echo "WebKit $("$WEBKIT_MINIBROWSER" --version 2>/dev/null | awk '{print $2}') on display $DISPLAY, WebDriver on port $port"
status=0
# Bounded: every wait in a test has its own limit (30 s at most); node's --test-timeout also
# applies to each file as a whole, so it is five minutes, and the suite (about one minute)
# gets ten. A server or socket left open by a failed test must not keep the runner waiting.
timeout 600 node --test --test-concurrency=1 --test-timeout=300000 --test-force-exit "$@" tests/webkit/*.test.mjs || status=$?
[ $status -eq 124 ] && echo "the WebKit suite took longer than 10 minutes and was stopped"
if [ $status -ne 0 ] && [ -s "$work/webdriver.log" ]; then
  echo "--- WebKitWebDriver log (last 30 lines)"; tail -n 30 "$work/webdriver.log"
fi
exit $status
