#!/usr/bin/env bash
# Stop the PostgreSQL started by pg-start.sh (fast shutdown).
#   .ci/pg-stop.sh           stop it, keep the data dir (next pg-start.sh reuses it)
#   .ci/pg-stop.sh --purge   stop it and delete $WUYE_PG_DIR
# Env: WUYE_PG_PORT (55432), WUYE_PG_DIR (/tmp/ci-pg), WUYE_PGBIN.
# Never fails when nothing is running (safe in an EXIT trap).
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=pg-common.sh
. "$HERE/pg-common.sh"

purge=0
case "${1:-}" in
  --purge) purge=1 ;;
  "") ;;
  *) echo "usage: $0 [--purge]" >&2; exit 2 ;;
esac

pg_find_bin || exit 0

if [ -f "$PG_DATA/PG_VERSION" ] && pg_as_owner "$PGBIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
  pg_log "stopping PostgreSQL in $PG_DATA"
  pg_as_owner "$PGBIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >&2 \
    || pg_as_owner "$PGBIN/pg_ctl" -D "$PG_DATA" -m immediate -w -t 30 stop >&2 \
    || pg_log "could not stop PostgreSQL in $PG_DATA"
else
  pg_log "no PostgreSQL running from $PG_DATA"
fi

if [ "$purge" -eq 1 ]; then
  rm -rf "$WUYE_PG_DIR"
  pg_log "removed $WUYE_PG_DIR"
fi
exit 0
