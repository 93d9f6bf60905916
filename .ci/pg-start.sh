#!/usr/bin/env bash
# Start a throw-away PostgreSQL for wuye tests and print its URL on stdout:
#   postgres://app:app@127.0.0.1:55432/app
# (role app LOGIN PASSWORD 'app' CREATEDB, database app owned by app).
#
#   .ci/pg-start.sh            reuse the server if ours is already running, else start it
#                              (initialising the data dir on first use)
#   .ci/pg-start.sh --fresh    stop whatever PostgreSQL runs on the port, wipe the data dir, start anew
#
# Env: WUYE_PG_PORT (55432), WUYE_PG_DIR (/tmp/ci-pg), WUYE_PGBIN (newest /usr/lib/postgresql/*/bin).
# Stop it with .ci/pg-stop.sh.   Use:  export WUYE_TEST_DATABASE_URL=$(.ci/pg-start.sh)
# All progress messages go to stderr; stdout carries only the URL.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=pg-common.sh
. "$HERE/pg-common.sh"

fresh=0
case "${1:-}" in
  --fresh) fresh=1 ;;
  "") ;;
  *) echo "usage: $0 [--fresh]" >&2; exit 2 ;;
esac

pg_find_bin

if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
  pg_log "running as root but there is no 'postgres' user (is the postgresql package installed?)"
  exit 1
fi

if [ "$fresh" -eq 1 ]; then
  if pg_port_listening; then
    if ! pg_stop_server_on_port; then
      pg_log "port $WUYE_PG_PORT is in use by something that is not a PostgreSQL we can stop (trust auth as postgres failed)"
      exit 1
    fi
  fi
  # Our data dir may hold a server on another port (or a stale pid file): stop it too.
  if [ -f "$PG_DATA/PG_VERSION" ]; then
    pg_as_owner "$PGBIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null 2>&1 || true
  fi
  rm -rf "$WUYE_PG_DIR"
fi

mkdir -p "$WUYE_PG_DIR"
if [ "$(id -u)" -eq 0 ]; then
  chown postgres:postgres "$WUYE_PG_DIR"
fi

if [ ! -f "$PG_DATA/PG_VERSION" ]; then
  pg_log "initdb in $PG_DATA ($PGBIN)"
  rm -rf "$PG_DATA"
  pg_as_owner "$PGBIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$WUYE_PG_DIR/initdb.log" 2>&1 || {
    pg_log "initdb failed:"; cat "$WUYE_PG_DIR/initdb.log" >&2; exit 1; }
fi

if pg_as_owner "$PGBIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
  pg_log "reusing PostgreSQL already running from $PG_DATA"
elif pg_port_listening; then
  pg_log "port $WUYE_PG_PORT is already in use by another server (not $PG_DATA); run '$0 --fresh' to replace it or set WUYE_PG_PORT"
  exit 1
else
  pg_log "starting PostgreSQL on 127.0.0.1:$WUYE_PG_PORT (log: $PG_LOG)"
  # setsid: keep the server out of the caller's process group / session, so it outlives the
  # calling shell when used by developers; CI stops it explicitly with pg-stop.sh.
  if ! pg_as_owner setsid -w "$PGBIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 30 start \
      -o "-p $WUYE_PG_PORT -k $WUYE_PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      </dev/null >&2; then
    pg_log "pg_ctl start failed; server log follows:"
    tail -n 50 "$PG_LOG" >&2 || true
    exit 1
  fi
fi

# Wait for connections (pg_ctl -w already did; this also covers the reuse path).
deadline=$((SECONDS + 30))
until pg_port_ready; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    pg_log "PostgreSQL did not accept connections on port $WUYE_PG_PORT within 30 s"
    tail -n 50 "$PG_LOG" >&2 || true
    exit 1
  fi
  sleep 0.5
done

# Role and database, idempotently.
if [ "$(pg_super_psql -Atc "SELECT 1 FROM pg_roles WHERE rolname = 'app'")" != "1" ]; then
  pg_super_psql -c "CREATE ROLE app LOGIN PASSWORD 'app' CREATEDB"
else
  pg_super_psql -c "ALTER ROLE app LOGIN PASSWORD 'app' CREATEDB"
fi
if [ "$(pg_super_psql -Atc "SELECT 1 FROM pg_database WHERE datname = 'app'")" != "1" ]; then
  pg_super_psql -c "CREATE DATABASE app OWNER app"
fi

# Prove the URL works before handing it out.
if ! PGCONNECT_TIMEOUT=5 "$PGBIN/psql" -X -q -Atc 'SELECT 1' "$PG_URL" >/dev/null; then
  pg_log "cannot connect as app with $PG_URL"
  exit 1
fi
pg_log "ready: $PG_URL"
echo "$PG_URL"
