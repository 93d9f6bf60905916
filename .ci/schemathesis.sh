#!/usr/bin/env bash
# API fuzzing: schemathesis against a demo server, as two roles, bounded; fails on any 5xx and on
# any response the OpenAPI document does not describe (status code, content type, body schema).
#
#   .ci/schemathesis.sh                 build the debug binary if needed, run, clean up
#
# Env: WUYE_ST_EXAMPLES (25) examples per operation and phase; WUYE_ST_ROLES ("manager owner");
#      WUYE_ST_PORT (18181); WUYE_ST_VENV (/tmp/wuye-st-venv); WUYE_ST_VERSION (4.32.5);
#      WUYE_BIN (target/debug/wuye); WUYE_ST_REPORT (dir for the junit reports, default: none).
# Needs python3 with venv; installs schemathesis from PyPI into its own virtualenv.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE/.."

EXAMPLES="${WUYE_ST_EXAMPLES:-25}"
ROLES="${WUYE_ST_ROLES:-manager owner}"
PORT="${WUYE_ST_PORT:-18181}"
VENV="${WUYE_ST_VENV:-/tmp/wuye-st-venv}"
VERSION="${WUYE_ST_VERSION:-4.32.5}"
BIN="${WUYE_BIN:-target/debug/wuye}"
BASE="http://127.0.0.1:$PORT"
log() { echo "schemathesis: $*" >&2; }

if ! "$VENV/bin/st" --version 2>/dev/null | grep -q "$VERSION"; then
  log "installing schemathesis $VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION"
fi
if [ ! -x "$BIN" ] || [ -z "${WUYE_BIN:-}" ]; then
  cargo build --quiet -p wuye
fi

DATA="$(mktemp -d /tmp/wuye-st.XXXXXX)"
SERVER_PID=""
stop() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$DATA"
}
trap stop EXIT

# Its own data dir and port: the demo is seeded fresh, and nothing of a developer's data is fuzzed.
WUYE_DATA_DIR="$DATA" WUYE_LISTEN="127.0.0.1:$PORT" WUYE_LOG=warn "$BIN" serve --demo \
  >"$DATA/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 120); do
  curl -fsS "$BASE/api/openapi.json" -o /dev/null 2>/dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$DATA/server.log" >&2; exit 1; }
  sleep 0.5
done

token() {
  curl -fsS -X POST -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"wuye2026demo\"}" "$BASE/api/v1/auth/token" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

# Every token first: the fuzzer's wrong passwords soon throttle logins from this address.
declare -A TOKENS
for role in $ROLES; do
  TOKENS[$role]="$(token "$role")"
done

rc=0
for role in $ROLES; do
  tok="${TOKENS[$role]}"
  report=()
  if [ -n "${WUYE_ST_REPORT:-}" ]; then
    mkdir -p "$WUYE_ST_REPORT"
    report=(--report junit --report-dir "$WUYE_ST_REPORT/$role")
  fi
  log "fuzzing as $role ($EXAMPLES examples per operation)"
  # Left out: what would end the fuzzer's own session (its password, its token), and the
  # spreadsheet uploads (`…/import/<kind>`, meter readings, the equipment ledger), whose bodies schemathesis cannot
  # make (the integration tests send real and broken .xlsx files to each).
  # One worker: CPython 3.11's ast keeps its recursion depth per interpreter, and two threads of
  # hypothesis describing lambdas at once crash the fuzzer itself ("AST constructor recursion
  # depth mismatch") with no fault of the server.
  "$VENV/bin/st" run "$BASE/api/openapi.json" \
    -H "Authorization: Bearer $tok" \
    --checks "${WUYE_ST_CHECKS:-not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance}" \
    --phases examples,coverage,fuzzing \
    --max-examples "$EXAMPLES" \
    --workers 1 \
    --seed 20261204 \
    --exclude-path /api/v1/me/password \
    --exclude-path-regex '^/api/v1/tokens/|/import/[a-z-]+$|/meter-readings/import$|/equipment/import$' \
    --suppress-health-check all \
    --warnings off \
    --no-color \
    "${report[@]}" || rc=1
done
if grep -q "panicked\|internal_error" "$DATA/server.log"; then
  log "the server logged an internal error:"
  grep -B2 -A5 "panicked\|internal_error" "$DATA/server.log" >&2
  rc=1
fi
exit "$rc"
