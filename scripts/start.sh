#!/usr/bin/env bash
# The README's first command: set up and start opsdeck on the embedded default
# (SQLite under .data/, the demo catalog from examples/, local sign-in).
#   bash scripts/start.sh            build the app if needed and start on :7007
#   OPSDECK_CONFIG=extra.yaml bash scripts/start.sh   add a config file
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/toolchain.sh"
cd "$OPSDECK_ROOT"

opsdeck_yarn_install
mkdir -p .data/sqlite

# Rebuild the frontend only when its sources (or the lockfile) changed since the last build.
stamp=packages/app/dist/index.html
if [ ! -f "$stamp" ] || [ -n "$(find packages/app/src packages/app/public plugins/*/src yarn.lock -newer "$stamp" -print -quit 2>/dev/null)" ]; then
  echo "opsdeck: building the frontend (about a minute)"
  yarn workspace app build >/dev/null
fi

configs=(--config ../../app-config.yaml)
for extra in ${OPSDECK_CONFIG:-}; do configs+=(--config "$(readlink -f "$extra")"); done

port=${OPSDECK_PORT:-7007}
echo "opsdeck: starting the backend"
bash scripts/lib/run-backend.sh src/index "${configs[@]}" &
backend=$!
trap 'kill $backend 2>/dev/null; wait $backend 2>/dev/null' EXIT INT TERM

for _ in $(seq 1 180); do
  if curl -fs "http://localhost:$port/.backstage/health/v1/readiness" >/dev/null 2>&1; then
    echo
    echo "opsdeck is ready: open http://localhost:$port"
    echo "Sign in as alice (admin), bob (ops), carol (dba), dave (dev) or erin (security/viewer); password: opsdeck-demo"
    break
  fi
  kill -0 $backend 2>/dev/null || { echo "opsdeck: the backend exited during start-up" >&2; exit 1; }
  sleep 1
done
wait $backend
