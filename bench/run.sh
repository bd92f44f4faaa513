#!/usr/bin/env bash
# Runs opsdeck's benchmarks; each prints opsdeck's figure beside a baseline measured in the same run.
#   bash bench/run.sh            all benchmarks
#   bash bench/run.sh startup    backend cold start and memory vs the bare Backstage backend
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/toolchain.sh"
cd "$OPSDECK_ROOT"
opsdeck_yarn_install
mkdir -p bench/results
which=${1:-all}
if [ "$which" = all ] || [ "$which" = startup ]; then
  node bench/startup.mjs "${BENCH_RUNS:-3}" | tee bench/results/startup.txt
fi
