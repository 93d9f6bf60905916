#!/usr/bin/env bash
# Stop the chromedriver started by browser-start.sh (by its pid / process group, including any
# Chromium it left behind) and remove Chromium's temporary profiles /tmp/org.chromium.Chromium.*.
# Never fails when nothing is running (safe in an EXIT trap).
set -uo pipefail
PIDFILE="${WUYE_CHROMEDRIVER_PIDFILE:-/tmp/wuye-chromedriver.pid}"

log() { echo "chromedriver: $*" >&2; }

pid=$(cat "$PIDFILE" 2>/dev/null || true)
if [ -n "$pid" ] && [ -r "/proc/$pid/comm" ] && grep -q chromedriver "/proc/$pid/comm"; then
  log "stopping pid $pid"
  # The process group (pgid == pid, see browser-start.sh) holds chromedriver and its Chromiums.
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  kill -KILL "$pid" 2>/dev/null || true
else
  log "no chromedriver running from $PIDFILE"
fi
rm -f "$PIDFILE"
rm -rf /tmp/org.chromium.Chromium.* 2>/dev/null || true
exit 0
