#!/usr/bin/env bash
# Two wuye nodes behind nginx on one PostgreSQL database, one killed with SIGKILL mid-load
# (issue 18 point 3). Checks that
#   - every write acknowledged with 2xx is in the database, and no idempotency key made two;
#   - the failed attempts failed cleanly (a connection error or 502/503/504, never a 500) and
#     succeeded when retried with the same key on the surviving node;
#   - the SLA scanner, run by both nodes every second, warned and escalated each due clock
#     exactly once over the run (the load's requests get one-minute clocks), and the surviving
#     node took the scan over;
#   - the late-fee accrual claimed each community's day once.
#
# Usage: bash .ci/nodes-test.sh   (CI runs it as the step `nodes` after test-postgres)
# Needs: the CI PostgreSQL (WUYE_PG_PORT, default 55432, role app/app with CREATEDB), nginx,
#        psql, python3, curl, and a debug binary (WUYE_BIN, default $CARGO_TARGET_DIR/debug/wuye,
#        built with `cargo build -p wuye` when missing).
# Knobs: WUYE_NODES_DB (wuye_nodes: dropped and created fresh), WUYE_NODES_PORT (18380: nginx;
#        the nodes take the next two), WUYE_NODES_SECONDS (40: the load), WUYE_NODES_KILL_AFTER
#        (15: seconds into the load), WUYE_NODES_THREADS (8), WUYE_NODES_KEEP=1 (keep the
#        work dir with the logs).
set -euo pipefail

CI_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$CI_DIR/.."

PG_PORT="${WUYE_PG_PORT:-55432}"
DB="${WUYE_NODES_DB:-wuye_nodes}"
ADMIN_URL="postgres://app:app@127.0.0.1:$PG_PORT/app"
DB_URL="postgres://app:app@127.0.0.1:$PG_PORT/$DB"
BIN="${WUYE_BIN:-${CARGO_TARGET_DIR:-target}/debug/wuye}"
LB_PORT="${WUYE_NODES_PORT:-18380}"
PORT_A=$((LB_PORT + 1))
PORT_B=$((LB_PORT + 2))
LOAD_SECONDS="${WUYE_NODES_SECONDS:-40}"
KILL_AFTER="${WUYE_NODES_KILL_AFTER:-15}"
THREADS="${WUYE_NODES_THREADS:-8}"
LB="http://127.0.0.1:$LB_PORT"
NODE_A="http://127.0.0.1:$PORT_A"
NODE_B="http://127.0.0.1:$PORT_B"
PASSWORD=wuye2026demo

log() { echo "nodes: $*" >&2; }
fail() {
  log "FAILED: $*"
  exit 1
}

WORK="$(mktemp -d /tmp/wuye-nodes.XXXXXX)"
# nginx's workers may run as another user: they read the config and write nothing but temp
# files under the prefix.
chmod 755 "$WORK"
PID_A="" PID_B="" PID_NGINX="" PID_LOAD=""
stop() {
  local rc=$?
  set +e
  for p in $PID_LOAD $PID_NGINX $PID_A $PID_B; do
    kill "$p" 2>/dev/null
  done
  for p in $PID_LOAD $PID_NGINX $PID_A $PID_B; do
    wait "$p" 2>/dev/null
  done
  if [ "$rc" -ne 0 ]; then
    for f in "$WORK"/a.log "$WORK"/b.log "$WORK"/nginx/error.log; do
      [ -s "$f" ] && { echo "--- tail of $f" >&2; tail -n 30 "$f" >&2; }
    done
  fi
  if [ "${WUYE_NODES_KEEP:-0}" = "1" ]; then
    log "work dir kept: $WORK"
  else
    rm -rf "$WORK"
    psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
  fi
  exit "$rc"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

q() { psql -qAtX "$DB_URL" -c "$1"; }

if [ ! -x "$BIN" ]; then
  log "building $BIN"
  cargo build --quiet -p wuye
fi
command -v nginx >/dev/null || fail "nginx is not installed (.ci/install-deps.sh installs it)"

# ---------------------------------------------------------------- the database and the nodes
psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
# One key for both nodes: each reads what the other encrypted.
KEY="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"

# start_node NAME PORT [--demo]: a `wuye serve` on the shared database, scanning every second.
start_node() {
  local name=$1 port=$2
  shift 2
  mkdir -p "$WORK/$name"
  WUYE_DATABASE_URL="$DB_URL" WUYE_KEY="$KEY" WUYE_DATA_DIR="$WORK/$name" \
    WUYE_LISTEN="127.0.0.1:$port" WUYE_SCAN_SECONDS=1 WUYE_TRUSTED_PROXY_HEADER=x-real-ip \
    WUYE_PUBLIC_URL="$LB" WUYE_LOG=warn \
    "$BIN" serve "$@" >"$WORK/$name.log" 2>&1 &
}
wait_ready() {
  local url=$1 pid=$2
  for _ in $(seq 1 600); do
    curl -fsS "$url/api/openapi.json" -o /dev/null 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || fail "the node of $url exited"
    sleep 0.5
  done
  fail "$url not ready after 5 minutes"
}
t0=$SECONDS
start_node a "$PORT_A" --demo
PID_A=$!
wait_ready "$NODE_A" "$PID_A"
log "node a ready (demo seeded) in $((SECONDS - t0)) s"
start_node b "$PORT_B"
PID_B=$!
wait_ready "$NODE_B" "$PID_B"
log "node b ready"

# ---------------------------------------------------------------- nginx in front of both
mkdir -p "$WORK/nginx/logs" "$WORK/nginx/tmp"
chmod -R 777 "$WORK/nginx/tmp"
cat >"$WORK/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/tmp/body;
  proxy_temp_path $WORK/nginx/tmp/proxy;
  fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
  uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
  scgi_temp_path $WORK/nginx/tmp/scgi;
  upstream wuye {
    server 127.0.0.1:$PORT_A max_fails=1 fail_timeout=5s;
    server 127.0.0.1:$PORT_B max_fails=1 fail_timeout=5s;
    keepalive 32;
  }
  server {
    listen 127.0.0.1:$LB_PORT;
    location / {
      proxy_pass http://wuye;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_set_header X-Real-IP \$remote_addr;
      proxy_connect_timeout 2s;
      proxy_read_timeout 30s;
    }
  }
}
EOF
nginx -e "$WORK/nginx/error.log" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" &
PID_NGINX=$!
for _ in $(seq 1 40); do
  curl -fsS "$LB/api/openapi.json" -o /dev/null 2>/dev/null && break
  kill -0 "$PID_NGINX" 2>/dev/null || fail "nginx exited"
  sleep 0.25
done

# ---------------------------------------------------------------- who writes, and where
TOKEN="$(python3 .ci/writeload.py token --url "$LB" --user agent --password "$PASSWORD")"
MANAGER="$(python3 .ci/writeload.py token --url "$LB" --user admin --password "$PASSWORD")"
COMMUNITY="$(curl -fsS -H "Authorization: Bearer $TOKEN" "$LB/api/v1/communities" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')"
# The load's requests (elevator repairs) get one-minute clocks: they fall due during the run.
for clock in feedback on_site hotline; do
  curl -fsS -X PUT -H "Authorization: Bearer $MANAGER" -H 'content-type: application/json' \
    -d "{\"community_id\":$COMMUNITY,\"category\":\"elevator\",\"clock\":\"$clock\",\"enabled\":true,\"minutes\":1}" \
    "$LB/api/v1/communities/$COMMUNITY/sla" -o /dev/null
done
OWNER_BEFORE="$(q "SELECT lease_owner FROM jobs WHERE name = 'sla_scanner'")"
log "community $COMMUNITY; the scanner's lease is held by $OWNER_BEFORE"

# ---------------------------------------------------------------- the load, and the kill
mkdir -p "$WORK/load"
python3 .ci/writeload.py run --url "$LB" --token "$TOKEN" --community "$COMMUNITY" \
  --seconds "$LOAD_SECONDS" --threads "$THREADS" --out "$WORK/load" \
  --retry-url "$NODE_B" --retry-seconds 60 >"$WORK/load/summary.json" &
PID_LOAD=$!
sleep "$KILL_AFTER"
# Node a, which seeded first and holds the scanner's lease, dies: node b must take the scan over.
kill -KILL "$PID_A"
wait "$PID_A" 2>/dev/null || true
PID_A=""
log "node a killed with SIGKILL ${KILL_AFTER} s into the load"
load_rc=0
wait "$PID_LOAD" || load_rc=$?
PID_LOAD=""
log "load: $(cat "$WORK/load/summary.json")"
[ "$load_rc" -eq 0 ] || fail "the load reported unclean failures or writes never acknowledged"

# ---------------------------------------------------------------- every acknowledged write is there
python3 .ci/writeload.py verify --url "$NODE_B" --token "$TOKEN" --out "$WORK/load" \
  >"$WORK/load/verify.json" || fail "verify: $(cat "$WORK/load/verify.json")"
log "verify: $(cat "$WORK/load/verify.json")"
read -r ACKED_KEYS FAILED_KEYS < <(python3 - "$WORK/load" <<'EOF'
import json, os, sys
d = sys.argv[1]
def keys(f):
    p = os.path.join(d, f)
    if not os.path.exists(p):
        return set()
    return {json.loads(l)["key"] for l in open(p, encoding="utf-8") if l.strip()}
acked, failed = keys("acked.jsonl"), keys("failed.jsonl")
assert failed <= acked, "a failed key was never acknowledged"
print(len(acked), len(failed))
EOF
)
ROWS="$(q "SELECT COUNT(*) FROM requests WHERE community_id = $COMMUNITY AND description LIKE '负载演练%'")"
KEYS="$(q "SELECT COUNT(*) FROM idempotency_keys WHERE community_id = $COMMUNITY AND scope = 'request'")"
log "$ACKED_KEYS keys acknowledged ($FAILED_KEYS after a failed attempt); $ROWS requests and $KEYS keys stored"
[ "$ROWS" = "$ACKED_KEYS" ] || fail "$ROWS requests stored for $ACKED_KEYS keys: a key made two, or a write no one acknowledged"
[ "$KEYS" = "$ACKED_KEYS" ] || fail "$KEYS idempotency keys stored for $ACKED_KEYS acknowledged"

# ---------------------------------------------------------------- the jobs ran once per due item
# Every clock of the load falls due within a minute of its request; the surviving node scans
# once its lease is free.
deadline=$((SECONDS + 150))
while :; do
  open_due="$(q "SELECT COUNT(*) FROM request_clocks c JOIN requests r ON r.id = c.request_id
    WHERE r.community_id = $COMMUNITY AND r.description LIKE '负载演练%' AND c.met_at IS NULL
      AND c.breached_at IS NULL")"
  [ "$open_due" = "0" ] && break
  [ "$SECONDS" -lt "$deadline" ] || fail "$open_due clocks of the load never escalated"
  sleep 1
done
OWNER_AFTER="$(q "SELECT lease_owner FROM jobs WHERE name = 'sla_scanner'")"
case "$OWNER_AFTER" in "$PID_B"-*) ;; *) fail "the scanner's lease is held by $OWNER_AFTER, not node b ($PID_B)" ;; esac
CLOCKS="$(q "SELECT COUNT(*) FROM request_clocks c JOIN requests r ON r.id = c.request_id
  WHERE r.community_id = $COMMUNITY AND r.description LIKE '负载演练%'")"
BREACHED="$(q "SELECT COUNT(*) FROM request_clocks WHERE breached_at IS NOT NULL")"
BREACH_LINES="$(q "SELECT COUNT(*) FROM request_events WHERE action = 'clock_breach'")"
TWICE="$(q "SELECT COUNT(*) FROM (SELECT request_id, note, action FROM request_events
  WHERE action IN ('clock_breach', 'clock_warning') GROUP BY request_id, note, action
  HAVING COUNT(*) > 1) d")"
NOTICES_TWICE="$(q "SELECT COUNT(*) FROM (SELECT user_id, request_id, clock, kind FROM notifications
  WHERE kind IN ('sla_breach', 'sla_warning') GROUP BY user_id, request_id, clock, kind
  HAVING COUNT(*) > 1) d")"
log "scanner: $CLOCKS clocks of the load; $BREACHED clocks escalated, $BREACH_LINES escalation lines; $TWICE clocks flagged twice, $NOTICES_TWICE notices doubled; lease $OWNER_BEFORE -> $OWNER_AFTER"
[ "$BREACHED" = "$BREACH_LINES" ] || fail "$BREACHED clocks escalated but $BREACH_LINES escalation lines"
[ "$TWICE" = "0" ] || fail "$TWICE clocks warned or escalated twice"
[ "$NOTICES_TWICE" = "0" ] || fail "$NOTICES_TWICE notifications sent twice"
# Both nodes ran the accrual when they started: each community's day was claimed once.
RUNS="$(q "SELECT COUNT(*) FROM late_fee_runs")"
DAYS="$(q "SELECT COUNT(DISTINCT as_of) FROM late_fee_runs")"
COMMUNITIES="$(q "SELECT COUNT(*) FROM communities")"
log "late fees: $RUNS community days accrued (of $COMMUNITIES communities, $DAYS distinct day)"
[ "$RUNS" = "$COMMUNITIES" ] && [ "$DAYS" = "1" ] || fail "late-fee runs: $RUNS rows, $DAYS days"
log "ok in $((SECONDS - t0)) s"
