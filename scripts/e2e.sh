#!/usr/bin/env bash
# Runs some of the browser tests, the way the test command runs them all:
#   bash scripts/e2e.sh e2e-tests/monitoring-alerts.spec.ts [more specs] [playwright options, e.g. -g 'title']
#   SKIP_BUILD=1 bash scripts/e2e.sh ...   reuse packages/app/dist (no frontend change since the last build)
# Needs what `bash scripts/test.sh` installs (run it once first). Starts PostgreSQL, MariaDB, Redis
# and RabbitMQ on their test ports (the demo database entities point there), the six sshd demo hosts
# and the backend on :7017, then stops them all. Results in test-results/e2e/.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/toolchain.sh"
source "$OPSDECK_ROOT/scripts/lib/e2e.sh"
cd "$OPSDECK_ROOT"
[ $# -gt 0 ] || { sed -n 2,7p "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
out="$OPSDECK_ROOT/test-results/e2e"
mkdir -p "$out"

cleanup() {
  opsdeck_e2e_stop
  for s in postgres mariadb redis rabbitmq; do bash scripts/services/$s.sh stop >/dev/null 2>&1; done
}
trap cleanup EXIT
OPSDECK_TEST_POSTGRES_URL=$(bash scripts/services/postgres.sh start) || { echo "PostgreSQL did not start" >&2; exit 1; }
OPSDECK_TEST_MARIADB_URL=$(bash scripts/services/mariadb.sh start) || { echo "MariaDB did not start" >&2; exit 1; }
OPSDECK_TEST_REDIS_URL=$(bash scripts/services/redis.sh start) || { echo "Redis did not start" >&2; exit 1; }
OPSDECK_TEST_RABBITMQ_URL=$(bash scripts/services/rabbitmq.sh start) || { echo "RabbitMQ did not start" >&2; exit 1; }
export OPSDECK_TEST_POSTGRES_URL OPSDECK_TEST_MARIADB_URL OPSDECK_TEST_REDIS_URL OPSDECK_TEST_RABBITMQ_URL
if [ -z "${SKIP_BUILD:-}" ] || [ ! -f packages/app/dist/index.html ]; then
  echo "building the frontend"
  yarn workspace app build >"$out/app-build.log" 2>&1 || { tail -n 40 "$out/app-build.log"; exit 1; }
fi
opsdeck_e2e_start "$out" || exit 1
yarn playwright test --config e2e-tests/playwright.config.ts "$@"
