#!/usr/bin/env bash
# Starts (or stops) a throwaway Redis on 127.0.0.1 for the tests (Debian's redis-server).
#   scripts/services/redis.sh start   -> prints the connection URL (redis://:pw@127.0.0.1:port)
#   scripts/services/redis.sh stop
# No persistence; runtime files under $OPSDECK_SERVICES_DIR (default /tmp/opsdeck-services).
set -euo pipefail
action=${1:-start}
port=${OPSDECK_REDIS_PORT:-56379}
base=${OPSDECK_SERVICES_DIR:-/tmp/opsdeck-services}
dir="$base/redis-$port"
password=opsdeck-test-pw

stop_server() {
  if [ -f "$dir/redis.pid" ]; then
    local pid
    pid=$(cat "$dir/redis.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  fi
}

case "$action" in
  start)
    stop_server
    rm -rf "$dir"
    mkdir -p "$dir"
    chmod 700 "$dir"
    redis-server --bind 127.0.0.1 --port "$port" --requirepass "$password" \
      --save '' --appendonly no --dir "$dir" --daemonize yes \
      --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --slowlog-log-slower-than 0
    for _ in $(seq 1 50); do
      redis-cli -h 127.0.0.1 -p "$port" -a "$password" --no-auth-warning ping >/dev/null 2>&1 && break
      sleep 0.2
    done
    redis-cli -h 127.0.0.1 -p "$port" -a "$password" --no-auth-warning ping >/dev/null \
      || { tail -n 20 "$dir/redis.log" >&2; exit 1; }
    echo "redis://:$password@127.0.0.1:$port"
    ;;
  stop)
    stop_server
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
