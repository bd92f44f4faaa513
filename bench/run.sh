#!/usr/bin/env bash
# Runs opsdeck's benchmarks; each prints opsdeck's figure beside a baseline measured in the same run.
#   bash bench/run.sh            all benchmarks
#   bash bench/run.sh startup    backend cold start and memory vs the bare Backstage backend
#   bash bench/run.sh fanout     `uptime` on 10 and 50 sshd hosts: SSH core vs parallel-ssh and ansible
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/toolchain.sh"
source "$OPSDECK_ROOT/scripts/lib/packages.sh"
cd "$OPSDECK_ROOT"
opsdeck_apt_ensure "${OPSDECK_TEST_PACKAGES[@]}" "${OPSDECK_BENCH_PACKAGES[@]}"
opsdeck_yarn_install
mkdir -p bench/results
which=${1:-all}
if [ "$which" = all ] || [ "$which" = startup ]; then
  node bench/startup.mjs "${BENCH_RUNS:-3}" | tee bench/results/startup.txt
fi
if [ "$which" = all ] || [ "$which" = fanout ]; then
  node --require ./node_modules/@backstage/cli-node/config/nodeTransform.cjs bench/fanout.mjs |
    tee bench/results/fanout.txt
fi
