#!/usr/bin/env bash
# The demo's real servers (scripts/start.sh starts them as root), on ports of their own so the
# demo runs beside the test servers (55432/53306/56379, sshd 22201+ and 22301-22306):
#   six sshd hosts  127.0.0.1:22401-22406 (user opsdeck, one ed25519 key)
#   PostgreSQL      127.0.0.1:55442  database payments (pay-db-main)
#   MariaDB         127.0.0.1:53316  database shop (shop-db)
#   Redis           127.0.0.1:56389  (session-cache)
# with some data. State under $OPSDECK_DEMO_DIR (default .data/demo); databases are wiped
# and seeded again on every start.
#   scripts/demo/services.sh start | stop
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export OPSDECK_SERVICES_DIR=${OPSDECK_DEMO_DIR:-$root/.data/demo}
export OPSDECK_PG_PORT=55442 OPSDECK_MARIADB_PORT=53316 OPSDECK_REDIS_PORT=56389
SSHD_BASE=22401
SSHD_COUNT=6
services="$root/scripts/services"

case "${1:-}" in
  start)
    mkdir -p "$OPSDECK_SERVICES_DIR"
    chmod 755 "$OPSDECK_SERVICES_DIR"
    bash "$services/sshd-hosts.sh" start "$SSHD_COUNT" "$SSHD_BASE" >"$OPSDECK_SERVICES_DIR/sshd.json"
    bash "$services/postgres.sh" start >/dev/null
    runuser -u postgres -- psql -h 127.0.0.1 -p "$OPSDECK_PG_PORT" -U opsdeck -d payments -qAt \
      -v ON_ERROR_STOP=1 -f - <"$here/data.sql.pg" >/dev/null
    bash "$services/mariadb.sh" start >/dev/null
    mariadb --no-defaults --socket="$OPSDECK_SERVICES_DIR/mariadb-$OPSDECK_MARIADB_PORT/mariadb.sock" -uroot \
      <"$here/data.sql.mysql"
    bash "$services/redis.sh" start >/dev/null
    redis-cli -h 127.0.0.1 -p "$OPSDECK_REDIS_PORT" -a opsdeck-test-pw --no-auth-warning >/dev/null <<'REDIS'
SET session:7f3a9c '{"user":"customer-7","cart":["TEA-001","CUP-001"]}' EX 86400
SET session:91bd02 '{"user":"customer-12","cart":[]}' EX 86400
HSET cart:customer-7 TEA-001 1 CUP-001 2
INCRBY stats:orders:today 42
REDIS
    ;;
  stop)
    bash "$services/sshd-hosts.sh" stop "$SSHD_COUNT" "$SSHD_BASE" || true
    bash "$services/postgres.sh" stop || true
    bash "$services/mariadb.sh" stop || true
    bash "$services/redis.sh" stop || true
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
