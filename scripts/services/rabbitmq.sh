#!/usr/bin/env bash
# Starts (or stops) a throwaway RabbitMQ node on 127.0.0.1 for the tests (Debian's rabbitmq-server)
# with the rabbitmq_prometheus plugin.
#   scripts/services/rabbitmq.sh start   -> prints the AMQP URL and the Prometheus listener:
#                                           amqp://opsdeck:pw@127.0.0.1:port?prometheus=port
#   scripts/services/rabbitmq.sh stop
# A private node: runs as the invoking user (not Debian's rabbitmq service or its user), its own
# node name, Erlang cookie (HOME), config, enabled_plugins, Mnesia and log dirs under
# $OPSDECK_SERVICES_DIR (default /tmp/opsdeck-services, wiped on start), and its own epmd and
# distribution ports on loopback, so it never meets another Erlang node. No guest user: the
# node's only user is made from the config on first boot (default_user).
set -euo pipefail
action=${1:-start}
port=${OPSDECK_RABBITMQ_PORT:-55672}
prometheus_port=${OPSDECK_RABBITMQ_PROMETHEUS_PORT:-55692}
base=${OPSDECK_SERVICES_DIR:-/tmp/opsdeck-services}
dir="$base/rabbitmq-$port"
user=opsdeck
password=opsdeck-test-pw
bin=/usr/lib/rabbitmq/bin

export HOME="$dir"
export RABBITMQ_NODENAME="opsdeck-$port@localhost"
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT="$port"
export RABBITMQ_DIST_PORT=${OPSDECK_RABBITMQ_DIST_PORT:-$((port + 1))}
export ERL_EPMD_PORT=${OPSDECK_RABBITMQ_EPMD_PORT:-$((port + 2))}
export ERL_EPMD_ADDRESS=127.0.0.1
export RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf"
export RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf"
export RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config"
export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
export RABBITMQ_MNESIA_BASE="$dir/mnesia"
export RABBITMQ_LOG_BASE="$dir/log"
export RABBITMQ_PID_FILE="$dir/rabbitmq.pid"
# the distribution listener on loopback only; rabbitmqctl's own port near the node's
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
export RABBITMQ_CTL_DIST_PORT_MIN=$((port + 3))
export RABBITMQ_CTL_DIST_PORT_MAX=$((port + 9))

stop_server() {
  [ -d "$dir" ] || return 0
  if [ -f "$RABBITMQ_PID_FILE" ]; then
    local pid
    pid=$(cat "$RABBITMQ_PID_FILE")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  # the node's own epmd (started by the node on ERL_EPMD_PORT)
  epmd -port "$ERL_EPMD_PORT" -kill >/dev/null 2>&1 || true
}

case "$action" in
  start)
    stop_server
    rm -rf "$dir"
    mkdir -p "$dir/mnesia" "$dir/log"
    chmod 700 "$dir"
    : >"$RABBITMQ_CONF_ENV_FILE"
    echo '[].' >"$RABBITMQ_ADVANCED_CONFIG_FILE"
    echo '[rabbitmq_prometheus].' >"$RABBITMQ_ENABLED_PLUGINS_FILE"
    # a private cookie, not the invoking user's ~/.erlang.cookie
    head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$dir/.erlang.cookie"
    chmod 400 "$dir/.erlang.cookie"
    cat >"$RABBITMQ_CONFIG_FILE" <<EOF
listeners.tcp.1 = 127.0.0.1:$port
default_user = $user
default_pass = $password
default_user_tags.administrator = true
loopback_users = none
prometheus.tcp.ip = 127.0.0.1
prometheus.tcp.port = $prometheus_port
log.console = false
log.file.level = info
EOF
    # every process of the node (and the subshell waiting on it) off the caller's stdout/stderr:
    # a caller reading them to the end (node's execFileSync, $(...)) must not wait on the node
    (cd "$dir" && exec setsid "$bin/rabbitmq-server") >"$dir/log/stdout.log" 2>&1 </dev/null &
    # the pid file is written early; the node is up when its Prometheus endpoint answers
    ok=
    for _ in $(seq 1 300); do
      if curl -fs "http://127.0.0.1:$prometheus_port/metrics" -o /dev/null 2>/dev/null; then
        ok=1
        break
      fi
      sleep 0.2
    done
    if [ -z "$ok" ] || ! "$bin/rabbitmqctl" -q await_startup >/dev/null 2>&1; then
      tail -n 30 "$dir/log/stdout.log" >&2
      stop_server
      exit 1
    fi
    echo "amqp://$user:$password@127.0.0.1:$port?prometheus=$prometheus_port"
    ;;
  stop)
    stop_server
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
