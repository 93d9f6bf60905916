#!/usr/bin/env bash
# The figures of docs/nodes.md: wrk through nginx with one node and with two, on a durable
# PostgreSQL (fsync and synchronous_commit on — unlike .ci/pg-start.sh's test cluster).
#
# Usage: bash .ci/nodes-bench.sh        (not part of CI; takes ~3 minutes after the build)
# Needs: a release binary (WUYE_BIN, default $CARGO_TARGET_DIR/release/wuye), PostgreSQL's
#        binaries, nginx, wrk, python3, curl; root (runs the cluster as the postgres user).
# Knobs: WUYE_BENCH_PG_PORT (55443), WUYE_BENCH_PORT (18480: nginx, the nodes take the next
#        two), WUYE_BENCH_SECONDS (10), WUYE_BENCH_CONNECTIONS (32), WUYE_BENCH_THREADS (2).
set -euo pipefail

CI_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$CI_DIR/.."
BIN="${WUYE_BIN:-${CARGO_TARGET_DIR:-target}/release/wuye}"
PG_PORT="${WUYE_BENCH_PG_PORT:-55443}"
LB_PORT="${WUYE_BENCH_PORT:-18480}"
SECS="${WUYE_BENCH_SECONDS:-10}"
CONNS="${WUYE_BENCH_CONNECTIONS:-32}"
WRK_THREADS="${WUYE_BENCH_THREADS:-2}"
LB="http://127.0.0.1:$LB_PORT"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
[ -x "$BIN" ] || { echo "no release binary at $BIN: cargo build --release -p wuye" >&2; exit 1; }

WORK="$(mktemp -d /tmp/wuye-bench-nodes.XXXXXX)"
chmod 755 "$WORK"
PIDS=()
PID_NGINX=""
stop() {
  set +e
  [ -n "$PID_NGINX" ] && kill "$PID_NGINX" && wait "$PID_NGINX"
  for p in "${PIDS[@]}"; do kill "$p"; wait "$p"; done 2>/dev/null
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg/data" -m fast -w stop >/dev/null 2>&1
  rm -rf "$WORK"
}
trap stop EXIT

# ---------------------------------------------------------------- a durable cluster of its own
mkdir -p "$WORK/pg" && chown postgres:postgres "$WORK/pg"
runuser -u postgres -- "$PGBIN/initdb" -D "$WORK/pg/data" -U postgres --auth=trust -E UTF8 \
  --locale=C.UTF-8 >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/log" -w -t 30 start \
  -o "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on -c max_connections=200" \
  >/dev/null
psql -qX -h 127.0.0.1 -p "$PG_PORT" -U postgres \
  -c "CREATE ROLE app LOGIN PASSWORD 'app'" -c "CREATE DATABASE bench OWNER app"
DB_URL="postgres://app:app@127.0.0.1:$PG_PORT/bench"
echo "PostgreSQL: $("$PGBIN/postgres" --version); fsync $(psql -qAtX "$DB_URL" -c 'SHOW fsync'), synchronous_commit $(psql -qAtX "$DB_URL" -c 'SHOW synchronous_commit')"
KEY="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"

start_node() { # NAME PORT [--demo]
  local name=$1 port=$2
  shift 2
  mkdir -p "$WORK/$name"
  WUYE_DATABASE_URL="$DB_URL" WUYE_KEY="$KEY" WUYE_DATA_DIR="$WORK/$name" \
    WUYE_LISTEN="127.0.0.1:$port" WUYE_TRUSTED_PROXY_HEADER=x-real-ip WUYE_PUBLIC_URL="$LB" \
    WUYE_LOG=warn "$BIN" serve "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 600); do
    curl -fsS "http://127.0.0.1:$port/api/openapi.json" -o /dev/null 2>/dev/null && return 0
    sleep 0.5
  done
  echo "node $name not ready" >&2
  exit 1
}

nginx_with() { # PORT...: (re)starts nginx with these upstreams
  [ -n "$PID_NGINX" ] && kill "$PID_NGINX" && wait "$PID_NGINX" 2>/dev/null
  mkdir -p "$WORK/nginx/tmp" && chmod 777 "$WORK/nginx/tmp"
  {
    echo "daemon off; worker_processes auto; pid $WORK/nginx/nginx.pid; error_log $WORK/nginx/error.log warn;"
    echo "events { worker_connections 4096; }"
    echo "http { access_log off; client_body_temp_path $WORK/nginx/tmp/body; proxy_temp_path $WORK/nginx/tmp/proxy;"
    echo "  fastcgi_temp_path $WORK/nginx/tmp/f; uwsgi_temp_path $WORK/nginx/tmp/u; scgi_temp_path $WORK/nginx/tmp/s;"
    echo "  upstream wuye {"
    for p in "$@"; do echo "    server 127.0.0.1:$p;"; done
    echo "    keepalive 64; }"
    echo "  server { listen 127.0.0.1:$LB_PORT; location / { proxy_pass http://wuye;"
    echo "    proxy_http_version 1.1; proxy_set_header Connection \"\"; proxy_set_header Host \$http_host;"
    echo "    proxy_set_header X-Real-IP \$remote_addr; } } }"
  } >"$WORK/nginx/nginx.conf"
  nginx -e "$WORK/nginx/error.log" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" &
  PID_NGINX=$!
  for _ in $(seq 1 40); do
    curl -fsS "$LB/api/openapi.json" -o /dev/null 2>/dev/null && return 0
    sleep 0.25
  done
  echo "nginx not ready" >&2
  exit 1
}

wrk_line() { # LABEL WHAT wrk-args...: one wrk run, summarised on one line
  local label=$1 what=$2 out
  shift 2
  out=$(wrk -t"$WRK_THREADS" -c"$CONNS" -d"${SECS}s" --latency "$@")
  echo "$label  $what: $(echo "$out" | awk '/Requests\/sec/ {print $2 " req/s"}'), p99 $(echo "$out" | awk '$1 == "99%" {print $2}')$(echo "$out" | awk '/Non-2xx/ {print ", non-2xx " $NF}')"
}
list() {
  wrk_line "$1" "GET  /api/v1/requests?view=mine&open=true&limit=20 ($(psql -qAtX "$DB_URL" -c 'SELECT COUNT(*) FROM requests') requests)" \
    -H "Authorization: Bearer $TOKEN" "$LB/api/v1/requests?view=mine&open=true&limit=20"
}
create() {
  WUYE_TOKEN="$TOKEN" WUYE_COMMUNITY="$COMMUNITY" wrk_line "$1" "POST /api/v1/requests" \
    -s .ci/wrk-create-request.lua "$LB/api/v1/requests"
  WUYE_IDEMPOTENT=1 WUYE_TOKEN="$TOKEN" WUYE_COMMUNITY="$COMMUNITY" \
    wrk_line "$1" "POST /api/v1/requests with an Idempotency-Key" \
    -s .ci/wrk-create-request.lua "$LB/api/v1/requests"
}

start_node a $((LB_PORT + 1)) --demo
TOKEN="$(python3 .ci/writeload.py token --url "http://127.0.0.1:$((LB_PORT + 1))" --user agent --password wuye2026demo)"
COMMUNITY="$(curl -fsS -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$((LB_PORT + 1))/api/v1/communities" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')"
echo "wrk -t$WRK_THREADS -c$CONNS -d${SECS}s through nginx; $(nproc) cores; community $COMMUNITY, user agent"
A=$((LB_PORT + 1))
B=$((LB_PORT + 2))
# The desk's list first, on the demo's data; then registrations (which grow the desk's list).
nginx_with $A
list "1 node "
start_node b $B
nginx_with $A $B
list "2 nodes"
nginx_with $A
create "1 node "
nginx_with $A $B
create "2 nodes"
list "2 nodes"
# Right after the registrations autovacuum is at work on the grown tables; the same list once it
# has had a minute.
sleep 60
list "2 nodes, a minute later"
