#!/usr/bin/env bash
# Runs an opsdeck backend entry point from TypeScript source, without the CLI's file
# watcher (which restarts the backend whenever a file changes: not what a test or a
# benchmark wants). Same loader as `backstage-cli package start`, which also passes
# --enable-source-maps (stack traces point into the TypeScript); OPSDECK_SOURCE_MAPS=0 leaves
# it out, as a built backend runs (bench/startup.mjs measures both).
#   scripts/lib/run-backend.sh src/index --config ../../app-config.yaml [--config ...]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
entry=$1
shift
cd "$OPSDECK_ROOT/packages/backend"
export NODE_ENV=${NODE_ENV:-development}
export ESBK_TSCONFIG_PATH="$OPSDECK_ROOT/tsconfig.json"
source_maps=()
[ "${OPSDECK_SOURCE_MAPS:-1}" = 0 ] || source_maps=(--enable-source-maps)
exec node "${source_maps[@]}" \
  --require "$OPSDECK_ROOT/node_modules/@backstage/cli-node/config/nodeTransform.cjs" \
  "$entry" "$@"
