#!/usr/bin/env bash
# The README's first command: set up and start opsdeck on the embedded default
# (SQLite under .data/, the demo catalog from examples/, local sign-in).
#   bash scripts/start.sh            as root: a live demo. Installs the Debian packages it needs,
#                                    starts six sshd demo hosts, PostgreSQL (payments), MariaDB
#                                    (shop) and Redis with data (scripts/demo/services.sh), stores
#                                    the demo credentials in the vault and collects the hosts' facts
#   bash scripts/start.sh --no-demo  an empty portal (no demo servers, nothing in the vault)
#   OPSDECK_CONFIG=extra.yaml bash scripts/start.sh   add a config file
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/toolchain.sh"
source "$OPSDECK_ROOT/scripts/lib/packages.sh"
cd "$OPSDECK_ROOT"

demo=1
for arg in "$@"; do
  case "$arg" in
    --no-demo) demo= ;;
    *) echo "usage: $0 [--no-demo]" >&2; exit 2 ;;
  esac
done
# Demo credentials never go into a production vault.
if [ -n "$demo" ] && { [ "${NODE_ENV:-}" = production ] || [[ "${OPSDECK_CONFIG:-}" == *production* ]]; }; then
  echo "opsdeck: production configuration: starting without the demo (no demo servers or credentials)"
  demo=
fi
if [ -n "$demo" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    missing=$(opsdeck_apt_ensure "${OPSDECK_DEMO_PACKAGES[@]}" 2>&1 >/dev/null || true)
    echo "opsdeck: the live demo starts sshd hosts and database servers, which needs root:" >&2
    echo "  sudo bash scripts/start.sh          (installs what is missing and starts the demo)" >&2
    [ -n "$missing" ] && echo "  ${missing#opsdeck: }" >&2
    echo "  or: bash scripts/start.sh --no-demo (an empty portal, no root needed)" >&2
    exit 1
  fi
  opsdeck_apt_ensure "${OPSDECK_DEMO_PACKAGES[@]}"
fi

opsdeck_yarn_install
mkdir -p .data/sqlite

# Rebuild the frontend only when its sources (or the lockfile) changed since the last build.
stamp=packages/app/dist/index.html
if [ ! -f "$stamp" ] || [ -n "$(find packages/app/src packages/app/public plugins/*/src yarn.lock -newer "$stamp" -print -quit 2>/dev/null)" ]; then
  echo "opsdeck: building the frontend (about a minute)"
  yarn workspace app build >/dev/null
fi

configs=(--config ../../app-config.yaml)
if [ -n "$demo" ]; then
  echo "opsdeck: starting the demo servers (sshd hosts 127.0.0.1:22401-22406, PostgreSQL :55442, MariaDB :53316, Redis :56389)"
  bash scripts/demo/services.sh start
  # the demo catalog on the demo servers' ports (examples/entities.yaml names the test servers')
  sed -e 's/port: 223\(0[1-6]\)$/port: 224\1/' -e 's/port: 55432$/port: 55442/' \
    -e 's/port: 53306$/port: 53316/' -e 's/port: 56379$/port: 56389/' \
    examples/entities.yaml >examples/entities.demo.generated.yaml
  configs+=(--config ../../scripts/demo/app-config.demo.yaml)
fi
for extra in ${OPSDECK_CONFIG:-}; do configs+=(--config "$(readlink -f "$extra")"); done

port=${OPSDECK_PORT:-7007}
echo "opsdeck: starting the backend"
bash scripts/lib/run-backend.sh src/index "${configs[@]}" &
backend=$!
stop_all() {
  kill $backend 2>/dev/null
  wait $backend 2>/dev/null
  [ -z "$demo" ] || bash scripts/demo/services.sh stop >/dev/null 2>&1
}
trap stop_all EXIT INT TERM

for _ in $(seq 1 180); do
  if curl -fs "http://localhost:$port/.backstage/health/v1/readiness" >/dev/null 2>&1; then
    echo
    if [ -n "$demo" ]; then
      echo "opsdeck: storing the demo credentials in the vault (as alice) and collecting facts"
      node scripts/demo/seed.mjs "http://localhost:$port" .data/demo/sshd.json ||
        echo "opsdeck: the demo set-up failed (above); the portal runs without it" >&2
    fi
    echo
    echo "opsdeck is ready: open http://localhost:$port"
    echo "Sign in as alice (admin), bob (ops), carol (dba), dave (dev) or erin (security/viewer); password: opsdeck-demo"
    break
  fi
  kill -0 $backend 2>/dev/null || { echo "opsdeck: the backend exited during start-up" >&2; exit 1; }
  sleep 1
done
wait $backend
