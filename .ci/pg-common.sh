# shellcheck shell=bash
# Shared settings for pg-start.sh / pg-stop.sh (sourced, not executed).
WUYE_PG_PORT="${WUYE_PG_PORT:-55432}"
WUYE_PG_DIR="${WUYE_PG_DIR:-/tmp/ci-pg}"
PG_DATA="$WUYE_PG_DIR/data"
PG_LOG="$WUYE_PG_DIR/log"
PG_URL="postgres://app:app@127.0.0.1:${WUYE_PG_PORT}/app"

pg_log() { echo "pg: $*" >&2; }

pg_find_bin() {
  PGBIN="${WUYE_PGBIN:-}"
  if [ -z "$PGBIN" ]; then
    PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  fi
  if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/pg_ctl" ]; then
    pg_log "cannot find PostgreSQL binaries (/usr/lib/postgresql/*/bin); install the 'postgresql' package or set WUYE_PGBIN"
    return 1
  fi
}

# initdb refuses to run as root: when root, run server-side commands as the postgres user.
pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# psql as superuser over TCP (trust auth on 127.0.0.1).
pg_super_psql() {
  PGCONNECT_TIMEOUT=5 "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$WUYE_PG_PORT" -U postgres -d postgres "$@"
}

# Is anything accepting connections on our port?
pg_port_ready() {
  "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$WUYE_PG_PORT" -t 2 >/dev/null 2>&1
}

pg_port_listening() {
  (exec 3<>"/dev/tcp/127.0.0.1/$WUYE_PG_PORT") 2>/dev/null
}

# Stop the server that is using our port, whichever data dir it runs from
# (asks the server itself for its data_directory). Returns 1 if it can't.
pg_stop_server_on_port() {
  local datadir
  datadir=$(pg_super_psql -Atc 'SHOW data_directory' 2>/dev/null || true)
  if [ -z "$datadir" ]; then
    return 1
  fi
  pg_log "stopping PostgreSQL on port $WUYE_PG_PORT (data dir $datadir)"
  pg_as_owner "$PGBIN/pg_ctl" -D "$datadir" -m fast -w -t 30 stop >&2
}
