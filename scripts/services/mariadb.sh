#!/usr/bin/env bash
# Starts (or stops) a throwaway MariaDB on 127.0.0.1 for the tests (Debian's mariadb-server).
#   scripts/services/mariadb.sh start   -> prints the connection URL (mysql://user:pw@127.0.0.1:port)
#   scripts/services/mariadb.sh stop
# Data lives under $OPSDECK_SERVICES_DIR (default /tmp/opsdeck-services) and is wiped on start.
# The slow query log goes to the mysql.slow_log table (long_query_time 0: every statement).
set -euo pipefail
action=${1:-start}
port=${OPSDECK_MARIADB_PORT:-53306}
base=${OPSDECK_SERVICES_DIR:-/tmp/opsdeck-services}
dir="$base/mariadb-$port"
password=opsdeck-test-pw
# the demo's read-only login (shop-db's read credential; docs/sql.md)
read_password=opsdeck-read-pw
user=$(id -un)
[ "$(id -u)" -eq 0 ] && user=mysql

stop_server() {
  if [ -f "$dir/mariadb.pid" ]; then
    local pid
    pid=$(cat "$dir/mariadb.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  fi
}

case "$action" in
  start)
    stop_server
    rm -rf "$dir"
    mkdir -p "$dir/data"
    [ "$(id -u)" -eq 0 ] && chown -R mysql:mysql "$dir"
    chmod 700 "$dir"
    mariadb-install-db --no-defaults --user="$user" --datadir="$dir/data" \
      --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1
    (setsid mariadbd --no-defaults --user="$user" --datadir="$dir/data" \
      --bind-address=127.0.0.1 --port="$port" --socket="$dir/mariadb.sock" \
      --pid-file="$dir/mariadb.pid" --log-error="$dir/error.log" \
      --skip-name-resolve --innodb-flush-log-at-trx-commit=0 --innodb-buffer-pool-size=64M \
      --slow-query-log=1 --log-output=TABLE --long-query-time=0 \
      >/dev/null 2>&1 &)
    for _ in $(seq 1 100); do
      mariadb-admin --no-defaults --socket="$dir/mariadb.sock" -uroot ping >/dev/null 2>&1 && break
      sleep 0.2
    done
    mariadb --no-defaults --socket="$dir/mariadb.sock" -uroot -e \
      "CREATE USER 'opsdeck'@'127.0.0.1' IDENTIFIED BY '$password';
       GRANT ALL PRIVILEGES ON *.* TO 'opsdeck'@'127.0.0.1' WITH GRANT OPTION;
       CREATE USER 'opsdeck_read'@'127.0.0.1' IDENTIFIED BY '$read_password';
       GRANT SELECT, SHOW VIEW ON shop.* TO 'opsdeck_read'@'127.0.0.1';
       GRANT SELECT ON mysql.slow_log TO 'opsdeck_read'@'127.0.0.1';" \
      || { tail -n 20 "$dir/error.log" >&2; exit 1; }
    echo "mysql://opsdeck:$password@127.0.0.1:$port"
    ;;
  stop)
    stop_server
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
