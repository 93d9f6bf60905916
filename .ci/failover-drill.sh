#!/usr/bin/env bash
# Failover drill: PostgreSQL under pg_auto_failover (a monitor and two data nodes on loopback,
# synchronous replication), `wuye serve` on the multi-host URI, a write load through the API, and
# the primary killed mid-load (SIGKILL of its pg_autoctl keeper and its postmaster: a node lost).
# Reports the write outage (the longest stretch with no acknowledged write) and the acknowledged
# writes lost (must be 0); exits 1 when one is lost, when wuye does not recover without a
# restart, or when a request failed uncleanly (a 500 rather than a 503 or a refused connection).
#
#   .ci/failover-drill.sh              builds the debug binary (or takes WUYE_BIN), runs, cleans up
#
# Env: WUYE_BIN; HA_PG_PORT (55450: the monitor; the nodes take the next two ports);
#      HA_WUYE_PORT (18450); HA_LOAD_SECONDS (45 tuned, 90 default); HA_KILL_AFTER (10);
#      HA_THREADS (4);
#      HA_TIMEOUTS (tuned | default: pg_auto_failover's own health-check timeouts, ~50 s to
#      fail over; tuned ones, ~10 s, are in tune_timeouts below); HA_KEEP=1 keeps the work dir
#      (logs, acked.jsonl) for a look afterwards.
# Needs postgresql-15-auto-failover and pg-auto-failover-cli (`pg_autoctl`), python3, curl.
# Run as root (CI) the PostgreSQL tools run as the postgres user: initdb refuses root.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE/.."

MON_PORT="${HA_PG_PORT:-55450}"
NODE_PORTS=("$((MON_PORT + 1))" "$((MON_PORT + 2))")
WUYE_PORT="${HA_WUYE_PORT:-18450}"
TIMEOUTS="${HA_TIMEOUTS:-tuned}"
# The load must outlast the outage, or the outage measured is cut at the load's end.
if [ "$TIMEOUTS" = "tuned" ]; then LOAD_DEFAULT=45; else LOAD_DEFAULT=90; fi
LOAD_SECONDS="${HA_LOAD_SECONDS:-$LOAD_DEFAULT}"
KILL_AFTER="${HA_KILL_AFTER:-10}"
THREADS="${HA_THREADS:-4}"
BIN="${WUYE_BIN:-${CARGO_TARGET_DIR:-target}/debug/wuye}"
BASE="http://127.0.0.1:$WUYE_PORT"
log() { echo "drill: $(date -u +%H:%M:%S) $*" >&2; }
die() { log "FAILED: $*"; exit 1; }

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
[ -x "$PGBIN/pg_ctl" ] || die "no PostgreSQL (/usr/lib/postgresql/*/bin/pg_ctl)"
command -v pg_autoctl >/dev/null || die "no pg_autoctl: install postgresql-15-auto-failover and pg-auto-failover-cli"
if [ ! -x "$BIN" ] || [ -z "${WUYE_BIN:-}" ]; then
  log "building $BIN"
  cargo build --quiet -p wuye
fi
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$MON_PORT" "${NODE_PORTS[@]}" "$WUYE_PORT"; do
  port_taken "$p" && die "port $p is already taken (another drill or server?)"
done

DIR="$(mktemp -d /tmp/wuye-ha.XXXXXX)"
chmod 755 "$DIR"
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DIR"
# pg_autoctl keeps its config and state under XDG dirs: inside the work dir, so nothing of the
# machine's (or a previous run's) is read or left behind.
as_pg() {
  local env=(env "XDG_CONFIG_HOME=$DIR/config" "XDG_DATA_HOME=$DIR/share")
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "${env[@]}" "$@"
  else
    "${env[@]}" "$@"
  fi
}
autoctl() { as_pg pg_autoctl "$@"; }
psql_at() { PGCONNECT_TIMEOUT=5 "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U postgres -d "$2" "${@:3}"; }

# Every process tree started here: pid of the runuser/pg_autoctl (or wuye, writeload) process.
declare -A RUN_PIDS=()
WUYE_PID=""
LOAD_PID=""

descendants() {
  local p
  for p in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    echo "$p"
    descendants "$p"
  done
}

# SIGKILL a process and all its descendants at once (collected first: a parent killed first
# would leave its children to init, out of reach of --ppid).
kill_tree() {
  local pids
  pids="$1 $(descendants "$1")"
  # shellcheck disable=SC2086
  kill -9 $pids 2>/dev/null || true
}

postmaster_pid() { head -1 "$1/postmaster.pid" 2>/dev/null || true; }

cleanup() {
  local rc=$?
  set +e
  [ -n "$LOAD_PID" ] && kill "$LOAD_PID" 2>/dev/null
  if [ -n "$WUYE_PID" ]; then
    kill "$WUYE_PID" 2>/dev/null
    wait "$WUYE_PID" 2>/dev/null
  fi
  local name pm trees=""
  # Each tree is listed before the polite stop: what outlives it has lost its parent by then.
  for name in "${!RUN_PIDS[@]}"; do
    trees="$trees ${RUN_PIDS[$name]} $(descendants "${RUN_PIDS[$name]}")"
    kill -TERM "${RUN_PIDS[$name]}" 2>/dev/null
  done
  for _ in $(seq 1 20); do
    local alive=0
    for name in "${!RUN_PIDS[@]}"; do
      kill -0 "${RUN_PIDS[$name]}" 2>/dev/null && alive=1
    done
    [ "$alive" -eq 0 ] && break
    sleep 0.5
  done
  # shellcheck disable=SC2086
  [ -n "$trees" ] && kill -9 $trees 2>/dev/null
  for name in "${!RUN_PIDS[@]}"; do
    pm=$(postmaster_pid "$DIR/$name")
    [ -n "$pm" ] && kill -0 "$pm" 2>/dev/null && kill -9 "$pm" 2>/dev/null
  done
  wait 2>/dev/null
  if [ "${HA_KEEP:-0}" = "1" ]; then
    log "work dir kept: $DIR"
  else
    rm -rf "$DIR"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# pg_autoctl run NAME in the background (its log in $DIR/NAME.log). Started directly, not
# through as_pg: a function in the background is a subshell, which would not pass a SIGTERM on.
start_node() {
  local name=$1
  local env=(env "XDG_CONFIG_HOME=$DIR/config" "XDG_DATA_HOME=$DIR/share")
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "${env[@]}" pg_autoctl run --pgdata "$DIR/$name" >"$DIR/$name.log" 2>&1 &
  else
    "${env[@]}" pg_autoctl run --pgdata "$DIR/$name" >"$DIR/$name.log" 2>&1 &
  fi
  RUN_PIDS[$name]=$!
}

# The monitor's view as "name:reported:assigned" lines.
states() {
  autoctl show state --pgdata "$DIR/monitor" --json 2>/dev/null | python3 -c '
import json, sys
for n in json.load(sys.stdin):
    print("%s:%s:%s" % (n["nodename"], n["current_group_state"], n["assigned_group_state"]))'
}

# wait_for SECONDS WHAT CMD...: polls CMD every half second until it succeeds.
wait_for() {
  local secs=$1 what=$2
  shift 2
  local deadline=$((SECONDS + secs))
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || die "timed out after ${secs}s waiting for $what"
    sleep 0.5
  done
}
in_sync() {
  local s
  s=$(states)
  grep -qx 'node1:primary:primary' <<<"$s" && grep -qx 'node2:secondary:secondary' <<<"$s"
}
# (grep -q on a pipe would stop reading early and fail the pipeline under pipefail.)
node_state_is() { grep -qx "$1:$2:$2" <<<"$(states)"; }

# pg_auto_failover's defaults take ~20 s to call a node unhealthy and then wait up to 30 s for
# a primary it cannot reach to demote itself before promoting the standby. The tuned values
# shorten both; the keeper's network_partition_timeout (after which a primary cut off from the
# monitor and the standby demotes itself) stays below primary_demote_timeout, the order
# pg_auto_failover needs to rule out two primaries.
tune_timeouts() {
  psql_at "$MON_PORT" pg_auto_failover \
    -c "ALTER SYSTEM SET pgautofailover.health_check_period = 1000" \
    -c "ALTER SYSTEM SET pgautofailover.health_check_timeout = 1000" \
    -c "ALTER SYSTEM SET pgautofailover.health_check_max_retries = 1" \
    -c "ALTER SYSTEM SET pgautofailover.health_check_retry_delay = 500" \
    -c "ALTER SYSTEM SET pgautofailover.node_considered_unhealthy_timeout = 3000" \
    -c "ALTER SYSTEM SET pgautofailover.primary_demote_timeout = 6000" \
    -c "SELECT pg_reload_conf()" >/dev/null
}

# ---------------------------------------------------------------- the cluster
log "work dir $DIR; monitor :$MON_PORT, nodes :${NODE_PORTS[0]} :${NODE_PORTS[1]}, wuye :$WUYE_PORT"
autoctl create monitor --pgctl "$PGBIN/pg_ctl" --pgdata "$DIR/monitor" --pgport "$MON_PORT" \
  --hostname 127.0.0.1 --auth trust --no-ssl >"$DIR/create-monitor.log" 2>&1 ||
  { cat "$DIR/create-monitor.log" >&2; die "pg_autoctl create monitor"; }
autoctl config set --pgdata "$DIR/monitor" postgresql.listen_addresses 127.0.0.1 >/dev/null 2>&1 || true
start_node monitor
MONITOR_URI="postgres://autoctl_node@127.0.0.1:$MON_PORT/pg_auto_failover?sslmode=prefer"
wait_for 30 "the monitor" "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$MON_PORT"
if [ "$TIMEOUTS" = "tuned" ]; then
  wait_for 30 "the monitor's extension" psql_at "$MON_PORT" pg_auto_failover -c "SELECT 1" >/dev/null
  tune_timeouts
fi

for i in 0 1; do
  name="node$((i + 1))"
  autoctl create postgres --pgctl "$PGBIN/pg_ctl" --pgdata "$DIR/$name" --pgport "${NODE_PORTS[$i]}" \
    --hostname 127.0.0.1 --listen 127.0.0.1 --name "$name" --dbname app --auth trust --no-ssl \
    --monitor "$MONITOR_URI" >"$DIR/create-$name.log" 2>&1 ||
    { cat "$DIR/create-$name.log" >&2; die "pg_autoctl create postgres $name"; }
  if [ "$TIMEOUTS" = "tuned" ]; then
    autoctl config set --pgdata "$DIR/$name" timeout.network_partition_timeout 3 >/dev/null
  fi
  start_node "$name"
  if [ "$i" -eq 0 ]; then
    wait_for 60 "node1 to be single" node_state_is node1 single
  fi
done
wait_for 120 "primary and secondary in sync" in_sync
autoctl show state --pgdata "$DIR/monitor" >&2

PRIMARY_PORT=${NODE_PORTS[0]}
# Synchronous replication: a commit returns once the standby has it. pg_auto_failover sets
# synchronous_standby_names itself (ANY 1 of the standbys with replication-quorum) while the
# standby is healthy; number_sync_standbys 0 lets the primary go on alone when it is not.
sync_names() { psql_at "$PRIMARY_PORT" app -c "SHOW synchronous_standby_names"; }
sync_ready() { [ -n "$(sync_names)" ]; }
wait_for 30 "synchronous_standby_names on the primary" sync_ready
SYNC_COMMIT=$(psql_at "$PRIMARY_PORT" app -c "SHOW synchronous_commit")
[ "$SYNC_COMMIT" = "on" ] || die "synchronous_commit is $SYNC_COMMIT, not on"
SYNC_STATE=$(psql_at "$PRIMARY_PORT" app -c "SELECT string_agg(sync_state, ',') FROM pg_stat_replication")
case "$SYNC_STATE" in sync | quorum) ;; *) die "the standby replicates as '$SYNC_STATE', not sync/quorum" ;; esac
NUMBER_SYNC=$(autoctl get formation number-sync-standbys --pgdata "$DIR/monitor" 2>/dev/null || echo "?")
log "synchronous_standby_names = $(sync_names); synchronous_commit = on; standby $SYNC_STATE; number_sync_standbys = $NUMBER_SYNC"

psql_at "$PRIMARY_PORT" app \
  -c "CREATE ROLE app LOGIN PASSWORD 'app'" \
  -c "ALTER DATABASE app OWNER TO app" \
  -c "ALTER SCHEMA public OWNER TO app" >/dev/null

URI=$(autoctl show uri --pgdata "$DIR/monitor" --formation default)
case "$URI" in postgres://*,*target_session_attrs=read-write*) ;; *) die "unexpected URI '$URI'" ;; esac
URL="postgres://app:app@${URI#postgres://}"
log "wuye's URL: $URL"

# ---------------------------------------------------------------- wuye and the load
WUYE_DATA_DIR="$DIR/wuye" WUYE_LISTEN="127.0.0.1:$WUYE_PORT" WUYE_LOG="${WUYE_LOG:-warn}" \
  WUYE_DATABASE_URL="$URL" "$BIN" serve --demo >"$DIR/wuye.log" 2>&1 &
WUYE_PID=$!
wuye_up() {
  kill -0 "$WUYE_PID" 2>/dev/null || { tail -20 "$DIR/wuye.log" >&2; die "wuye exited"; }
  curl -fsS -o /dev/null "$BASE/api/openapi.json" 2>/dev/null
}
wait_for 240 "wuye serve --demo" wuye_up

TOKEN=$(python3 .ci/writeload.py token --url "$BASE" --user manager --password wuye2026demo)
COMMUNITY=$(curl -fsS -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/communities" |
  python3 -c 'import json, sys; print(min(c["id"] for c in json.load(sys.stdin)))')

LOAD="$DIR/load"
log "write load: $LOAD_SECONDS s, $THREADS threads, community $COMMUNITY; the primary dies after $KILL_AFTER s"
python3 .ci/writeload.py run --url "$BASE" --token "$TOKEN" --community "$COMMUNITY" \
  --seconds "$LOAD_SECONDS" --threads "$THREADS" --out "$LOAD" --retry-seconds 60 \
  >"$DIR/run.json" 2>"$DIR/run.err" &
LOAD_PID=$!
sleep "$KILL_AFTER"

# ---------------------------------------------------------------- a node lost
grep -qx 'node1:primary:primary' <<<"$(states)" || die "node1 is not the primary before the kill: $(states | tr '\n' ' ')"
PM=$(postmaster_pid "$DIR/node1")
KEEPER=${RUN_PIDS[node1]}
KILL_T=$(date +%s.%N)
kill_tree "$KEEPER"
[ -n "$PM" ] && kill -9 "$PM" 2>/dev/null || true
unset 'RUN_PIDS[node1]'
log "killed node1: its pg_autoctl (pid $KEEPER and children) and its postmaster (pid $PM)"

promoted() { grep -Eq '^node2:(wait_primary|primary):(wait_primary|primary)$' <<<"$(states)"; }
wait_for 150 "node2 to be promoted" promoted
# When node2 reported the promotion done, from the monitor's event log (the poll above lags).
PROMOTED_T=$(psql_at "$MON_PORT" pg_auto_failover -c "SELECT extract(epoch FROM min(eventtime))
  FROM pgautofailover.event WHERE nodename = 'node2' AND reportedstate IN ('wait_primary', 'primary')
  AND eventtime > to_timestamp($KILL_T)")
log "node2 promoted $(python3 -c "print(round($PROMOTED_T - $KILL_T, 1))") s after the kill"

set +e
wait "$LOAD_PID"
LOAD_RC=$?
LOAD_PID=""
set -e
RUN_JSON=$(cat "$DIR/run.json")
log "load: $RUN_JSON (exit $LOAD_RC)"
[ -n "$RUN_JSON" ] || { cat "$DIR/run.err" >&2; die "the write load printed no summary"; }
kill -0 "$WUYE_PID" 2>/dev/null || die "wuye died during the drill"

set +e
VERIFY_JSON=$(python3 .ci/writeload.py verify --url "$BASE" --token "$TOKEN" --out "$LOAD")
VERIFY_RC=$?
set -e
log "verify through wuye: $VERIFY_JSON (exit $VERIFY_RC)"

# The same question asked of the new primary directly: every acknowledged id is a row there.
NEW_PORT=${NODE_PORTS[1]}
IDS=$(python3 -c '
import json, sys
print(",".join(sorted({str(json.loads(l)["id"]) for l in open(sys.argv[1]) if l.strip()})) or "0")' "$LOAD/acked.jsonl")
# On stdin: tens of thousands of ids are more than one command-line argument may hold (128 KiB).
ON_PRIMARY=$(printf 'SELECT count(*) FROM requests WHERE id IN (%s);\n' "$IDS" | psql_at "$NEW_PORT" app)
LOAD_ROWS=$(psql_at "$NEW_PORT" app -c "SELECT count(*) FROM requests WHERE community_id = $COMMUNITY AND description LIKE '负载演练第%'")

REPORT=$(python3 - "$RUN_JSON" "$VERIFY_JSON" "$KILL_T" "$PROMOTED_T" "$LOAD/acked.jsonl" "$ON_PRIMARY" "$LOAD_ROWS" "$TIMEOUTS" "$DIR/wuye.log" <<'EOF'
import datetime, json, re, sys
run, ver = json.loads(sys.argv[1]), json.loads(sys.argv[2] or "{}")
kill_t, promoted_t = float(sys.argv[3]), float(sys.argv[4])
acks = sorted(json.loads(l)["t"] for l in open(sys.argv[5]) if l.strip())
distinct_ids = ver.get("distinct_ids", 0)
on_primary, load_rows = int(sys.argv[6]), int(sys.argv[7])
after = [t for t in acks if t > promoted_t]
# wuye's own log line when its pool moved to the new primary.
followed = None
for line in open(sys.argv[9], encoding="utf-8", errors="replace"):
    if "the pool follows it" in line:
        m = re.search(r"\d{4}-\d\d-\d\dT[\d:.]+Z", re.sub(r"\x1b\[[0-9;]*m", "", line))
        if m:
            stamp = m.group(0).rstrip("Z")[:26]
            followed = datetime.datetime.fromisoformat(stamp).replace(tzinfo=datetime.timezone.utc).timestamp()
        break
report = {
    "timeouts": sys.argv[8],
    "outage_seconds": run["longest_gap_seconds"],
    "failover_seconds": round(promoted_t - kill_t, 1),
    "wuye_followed_seconds": round(followed - promoted_t, 2) if followed else None,
    "acked": run["acked"],
    "acked_after_promotion": len(after),
    "lost_through_wuye": ver.get("lost"),
    "lost_on_new_primary": distinct_ids - on_primary,
    "failed_attempts": run["failed_attempts"],
    "unclean_failures": run["unclean_failures"],
    "retried_ok": run["retried_ok"],
    "never_acked": run["never_acked"],
    # Rows written by the load but never acknowledged under their key: a commit whose answer
    # was lost with the primary and written again by the retry. The Idempotency-Key makes the
    # retry answer the first request instead, so this must be 0.
    "unacked_rows": load_rows - distinct_ids,
}
print(json.dumps(report))
EOF
)
echo "$REPORT"

python3 - "$REPORT" <<'EOF' || exit 1
import json, sys
r = json.loads(sys.argv[1])
problems = []
if r["lost_through_wuye"] != 0 or r["lost_on_new_primary"] != 0:
    problems.append("acknowledged writes lost")
if not r["acked_after_promotion"]:
    problems.append("wuye never acknowledged a write after the promotion (it did not follow)")
if r["unclean_failures"]:
    problems.append("requests failed uncleanly (not 503 / refused)")
if r["never_acked"]:
    problems.append("failed writes still not acknowledged after the retry window")
if r["unacked_rows"]:
    problems.append("a retried write was registered twice (its Idempotency-Key did not hold)")
for p in problems:
    print("drill: FAILED: " + p, file=sys.stderr)
sys.exit(1 if problems else 0)
EOF
[ "$VERIFY_RC" -eq 0 ] || die "writeload verify failed (exit $VERIFY_RC)"
log "ok: outage $(python3 -c "import json,sys; print(json.loads(sys.argv[1])['outage_seconds'])" "$REPORT") s, 0 acknowledged writes lost"
