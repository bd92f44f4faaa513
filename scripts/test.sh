#!/usr/bin/env bash
# The README's second command: every test opsdeck has.
#  - installs what is missing: Debian packages (as root), Node 22, yarn dependencies
#  - starts the real servers the tests talk to (PostgreSQL on loopback)
#  - static checks (OpenAPI generated code in sync, tsc, eslint, prettier)
#  - unit and integration tests (jest; database tests on SQLite AND PostgreSQL)
#  - browser tests (Playwright driving Debian's Chromium against a running opsdeck)
# Ends with one line "N passed, N failed" counted from the runners' JSON reports.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/toolchain.sh"
source "$OPSDECK_ROOT/scripts/lib/packages.sh"
source "$OPSDECK_ROOT/scripts/lib/e2e.sh"
cd "$OPSDECK_ROOT"

started=$(date +%s)
out="$OPSDECK_ROOT/test-results"
rm -rf "$out" && mkdir -p "$out/checks"
step() { echo; echo "== $* ($(($(date +%s) - started)) s)"; }

step "installing Debian packages and yarn dependencies"
opsdeck_apt_ensure "${OPSDECK_TEST_PACKAGES[@]}" || exit 1
opsdeck_yarn_install || exit 1

cleanup() {
  opsdeck_e2e_stop
  bash scripts/services/postgres.sh stop
  bash scripts/services/mariadb.sh stop
  bash scripts/services/redis.sh stop
  bash scripts/services/rabbitmq.sh stop
}
trap cleanup EXIT

step "starting PostgreSQL on 127.0.0.1"
pg_url=$(bash scripts/services/postgres.sh start) || { echo "PostgreSQL did not start" >&2; exit 1; }
export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING="$pg_url"
# Database tests must cover PostgreSQL, not silently fall back to SQLite only.
export OPSDECK_REQUIRE_POSTGRES_TESTS=1
# MariaDB and Redis for the sql plugin's integration tests and the demo database entities.
step "starting MariaDB and Redis on 127.0.0.1"
OPSDECK_TEST_MARIADB_URL=$(bash scripts/services/mariadb.sh start) || { echo "MariaDB did not start" >&2; exit 1; }
OPSDECK_TEST_REDIS_URL=$(bash scripts/services/redis.sh start) || { echo "Redis did not start" >&2; exit 1; }
export OPSDECK_TEST_MARIADB_URL OPSDECK_TEST_REDIS_URL
# RabbitMQ (its rabbitmq_prometheus plugin) for monitoring's queue panels.
step "starting RabbitMQ on 127.0.0.1"
OPSDECK_TEST_RABBITMQ_URL=$(bash scripts/services/rabbitmq.sh start) || { echo "RabbitMQ did not start" >&2; exit 1; }
export OPSDECK_TEST_RABBITMQ_URL
export OPSDECK_TEST_POSTGRES_URL="$pg_url"

# A static check counts as one test: passed when the command exits 0.
check() {
  local name=$1; shift
  step "check: $name"
  if "$@" >"$out/checks/$name.log" 2>&1; then
    echo "passed" >"$out/checks/$name.result"
  else
    echo "failed" >"$out/checks/$name.result"
    tail -n 40 "$out/checks/$name.log"
  fi
}
check openapi-in-sync node scripts/openapi-generate.mjs --check
# tsc, eslint and prettier are each one thread: tsc runs beside the other two (two cores).
check tsc env NODE_OPTIONS=--max-old-space-size=12288 yarn tsc &
tsc_pid=$!
check lint yarn lint:all
check prettier yarn prettier --check .
wait "$tsc_pid"

# V8's compile cache for every Node process from here on (the crash tests start real backends
# many times; the browser tests' backend once): measured in bench/README.md ("test command").
export NODE_COMPILE_CACHE="$OPSDECK_ROOT/.cache/node-compile"

# The browser tests' frontend bundle builds at low priority beside jest, on the cycles jest leaves
# idle (its crash tests wait on real backends); its exit status is collected before the browser tests.
nice -n 10 yarn workspace app build >"$out/app-build.log" 2>&1 &
app_build_pid=$!

step "unit and integration tests (jest)"
# The console shows the first 200 PASS/FAIL/● lines; awk keeps reading after them (head would exit,
# and the broken pipe would kill tee and jest before jest.json is written).
# A jest worker is replaced when its heap passes the idle limit; with the CLI's default (1000M)
# frontend workers were replaced after a few files, and each new worker loads React, MUI and
# Backstage again: 2500M keeps them longer (Node's heap limit here is 4.3 GB).
CI=true yarn backstage-cli repo test --workerIdleMemoryLimit=2500M --json --outputFile="$out/jest.json" 2>&1 | tee "$out/jest.log" | grep -E '^(PASS|FAIL)|●' | awk 'NR <= 200'

step "browser tests (Playwright + Debian Chromium)"
if wait "$app_build_pid"; then
  opsdeck_e2e_start "$out"
  yarn playwright test --config e2e-tests/playwright.config.ts 2>&1 | tee "$out/e2e.log" | tail -n 60
  opsdeck_e2e_stop
else
  echo "the frontend build failed; browser tests not run" | tee -a "$out/app-build.log"
  tail -n 40 "$out/app-build.log"
fi

step "summary"
node scripts/test-summary.mjs "$out"
