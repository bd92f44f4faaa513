#!/usr/bin/env bash
# Starts (or stops) a throwaway PostgreSQL on 127.0.0.1 for the tests.
#   scripts/services/postgres.sh start   -> prints the connection string
#   scripts/services/postgres.sh stop
# Data lives under $OPSDECK_SERVICES_DIR (default /tmp/opsdeck-services) and is wiped on start.
set -euo pipefail
action=${1:-start}
port=${OPSDECK_PG_PORT:-55432}
base=${OPSDECK_SERVICES_DIR:-/tmp/opsdeck-services}
dir="$base/postgres-$port"
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
password=opsdeck-test-pw
# the demo's read-only login (pay-db-main's read credential; docs/sql.md)
read_password=opsdeck-read-pw

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$action" in
  start)
    as_pg "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    mkdir -p "$dir"
    # postgres owns its own directory only (the services dir holds other servers' keys)
    [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$dir"
    chmod 700 "$dir"
    as_pg "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust >"$dir/initdb.log" 2>&1
    as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o \
      "-p $port -k $dir -c listen_addresses=127.0.0.1 -c shared_preload_libraries=pg_stat_statements -c max_connections=300 -c fsync=off" \
      start >/dev/null
    as_pg "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -qAt \
      -c "CREATE ROLE opsdeck LOGIN SUPERUSER PASSWORD '$password'" \
      -c "CREATE ROLE opsdeck_read LOGIN PASSWORD '$read_password' IN ROLE pg_read_all_stats" \
      -c "CREATE DATABASE payments OWNER opsdeck" >/dev/null
    as_pg "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -d payments -qAt \
      -c "CREATE EXTENSION pg_stat_statements" \
      -c "ALTER DEFAULT PRIVILEGES FOR ROLE opsdeck IN SCHEMA public GRANT SELECT ON TABLES TO opsdeck_read" >/dev/null
    echo "postgresql://opsdeck:$password@127.0.0.1:$port"
    ;;
  stop)
    as_pg "$bindir/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
