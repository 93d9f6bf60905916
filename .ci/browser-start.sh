#!/usr/bin/env bash
# Start chromedriver for the wuye browser tests and wait until it is ready.
#   .ci/browser-start.sh       prints the chromedriver pid on stdout and writes it to
#                              $WUYE_CHROMEDRIVER_PIDFILE (/tmp/wuye-chromedriver.pid);
#                              reuses an already running chromedriver started by this script.
# Env: WUYE_CHROMEDRIVER_PORT (9515), WUYE_CHROMEDRIVER (chromedriver on PATH or /usr/bin/chromedriver),
#      WUYE_CHROMEDRIVER_PIDFILE, WUYE_CHROMEDRIVER_LOG (/tmp/wuye-chromedriver.log), WUYE_CHROMEDRIVER_TIMEOUT (30 s).
# Tests then use WUYE_WEBDRIVER_URL=http://127.0.0.1:9515 and WUYE_CHROMIUM=/usr/bin/chromium.
# Stop with .ci/browser-stop.sh.  Progress messages go to stderr.
set -euo pipefail

PORT="${WUYE_CHROMEDRIVER_PORT:-9515}"
PIDFILE="${WUYE_CHROMEDRIVER_PIDFILE:-/tmp/wuye-chromedriver.pid}"
LOG="${WUYE_CHROMEDRIVER_LOG:-/tmp/wuye-chromedriver.log}"
TIMEOUT="${WUYE_CHROMEDRIVER_TIMEOUT:-30}"
URL="http://127.0.0.1:$PORT"

log() { echo "chromedriver: $*" >&2; }

DRIVER="${WUYE_CHROMEDRIVER:-}"
if [ -z "$DRIVER" ]; then
  DRIVER=$(command -v chromedriver || true)
  [ -n "$DRIVER" ] || DRIVER=/usr/bin/chromedriver
fi
if [ ! -x "$DRIVER" ]; then
  log "$DRIVER not found; install the 'chromium-driver' package (and 'chromium', 'fonts-wqy-microhei')"
  exit 1
fi
if ! command -v curl >/dev/null; then
  log "curl is needed to poll $URL/status"
  exit 1
fi

is_ready() {
  curl -fsS --max-time 2 "$URL/status" 2>/dev/null | tr -d ' \n' | grep -q '"ready":true'
}

pid_is_driver() {
  [ -n "${1:-}" ] && [ -r "/proc/$1/comm" ] && grep -q chromedriver "/proc/$1/comm"
}

# Reuse a chromedriver started earlier by this script.
if [ -f "$PIDFILE" ]; then
  oldpid=$(cat "$PIDFILE" 2>/dev/null || true)
  if pid_is_driver "$oldpid" && is_ready; then
    log "reusing chromedriver pid $oldpid at $URL"
    echo "$oldpid"
    exit 0
  fi
  if pid_is_driver "$oldpid"; then
    log "stale chromedriver pid $oldpid (not ready); stopping it"
    kill -TERM -- "-$oldpid" 2>/dev/null || kill -TERM "$oldpid" 2>/dev/null || true
    sleep 1
  fi
  rm -f "$PIDFILE"
fi

if curl -s --max-time 2 -o /dev/null "$URL/status" 2>/dev/null; then
  log "port $PORT already answers HTTP but was not started by this script (no valid $PIDFILE); stop it or set WUYE_CHROMEDRIVER_PORT"
  exit 1
fi

log "starting $DRIVER on 127.0.0.1:$PORT (log: $LOG)"
# setsid (no fork, since a background job is not a group leader): chromedriver gets its own
# session and process group, with pgid == pid; killing -pid also reaps any Chromium it spawned,
# and the process outlives the calling shell when developers use this script.
setsid "$DRIVER" --port="$PORT" --allowed-ips=127.0.0.1 --log-path="$LOG" </dev/null >>"$LOG.stdout" 2>&1 &
pid=$!
echo "$pid" >"$PIDFILE"

deadline=$((SECONDS + TIMEOUT))
until is_ready; do
  if ! kill -0 "$pid" 2>/dev/null; then
    log "chromedriver (pid $pid) exited during startup; output follows:"
    tail -n 30 "$LOG.stdout" "$LOG" >&2 2>/dev/null || true
    rm -f "$PIDFILE"
    exit 1
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    log "not ready at $URL/status after ${TIMEOUT}s; last answer: $(curl -sS --max-time 2 "$URL/status" 2>&1 || true)"
    tail -n 30 "$LOG.stdout" "$LOG" >&2 2>/dev/null || true
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    rm -f "$PIDFILE"
    exit 1
  fi
  sleep 0.3
done
if ! pid_is_driver "$pid"; then
  log "warning: pid $pid is not chromedriver ($(cat "/proc/$pid/comm" 2>/dev/null || echo gone))"
fi
log "ready at $URL (pid $pid, pidfile $PIDFILE)"
echo "$pid"
