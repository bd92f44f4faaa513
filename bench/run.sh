#!/usr/bin/env bash
# Runs opsdeck's benchmarks; each prints opsdeck's figure beside a baseline measured in the same run.
#   bash bench/run.sh            all benchmarks
#   bash bench/run.sh startup    backend cold start and memory vs the bare Backstage backend; each opsdeck
#                                package's share of start-up CPU and JS heap (one profiled start)
#   bash bench/run.sh fanout     `uptime` on 10 and 50 sshd hosts: SSH core vs parallel-ssh and ansible
#   bash bench/run.sh hosts      register 10k and 100k hosts on PostgreSQL; host list latency
#   bash bench/run.sh files      100 MiB to 10 and 50 sshd hosts: files plugin vs parallel-scp and ansible copy,
#                                then 10 hosts behind a 100 Mbit/s source link (network namespace): relay vs direct
#   bash bench/run.sh files-bridge  100 MiB to 10 hosts in their own network namespaces on one bridge, every link
#                                100 Mbit/s (tc): relay vs direct vs parallel-scp vs ansible copy (~10 min)
#   bash bench/run.sh jobs       a job (`uptime`) on 50 sshd hosts through the jobs HTTP API vs parallel-ssh and ansible
#   bash bench/run.sh jobs-stream  live output of a running job to 1, 50 and 200 viewers: SSE stream vs the run page's
#                                1 s polling fallback (backend CPU, RSS growth, print-to-viewer delay)
#   bash bench/run.sh bastion    keystroke-to-echo latency: bastion WebSocket vs the SSH core PTY vs plain ssh;
#                                500 concurrent recorded sessions in one backend (CPU, memory per session)
#   bash bench/run.sh sql        review of a 10,000-statement script; UPDATE of 100,000 rows with backup vs bare, rollback
#   bash bench/run.sh docs       a 200-page TechDocs site: the portal's build (opsdeck's generator) vs `mkdocs build` by hand
#   bash bench/run.sh report     the weekly report for a week with 100,000 audit events vs the same figures as SQL COUNTs
#   bash bench/run.sh cicd       the CI failure locator on a 50 MB console log vs `grep -E -f` with the same patterns
#   bash bench/run.sh config     push an nginx config (template, per-host variable, nginx -t on the host, atomic swap,
#                                reload) to 100 sshd hosts: opsdeck's config push vs an Ansible template + handler playbook
#   bash bench/run.sh registry   registry browser on 1,000 repositories / 10,000 tags (docker-registry): first, middle,
#                                last and all pages through opsdeck vs the registry's API paged as a client does
#                                (min/median/max, ratio), all tags vs `skopeo list-tags`
#   bash bench/run.sh monitoring alert delivery latency through opsdeck (mail, Backstage notification) vs
#                                Alertmanager's own email receiver; the fleet overview API with 500 scraped
#                                targets vs the same PromQL straight to Prometheus (Debian prometheus,
#                                prometheus-alertmanager, prometheus-node-exporter)
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
  # one more start with V8's profilers: each opsdeck package's share of CPU until ready and of the JS heap
  node bench/startupShares.mjs | tee -a bench/results/startup.txt
fi
if [ "$which" = all ] || [ "$which" = fanout ]; then
  node --require ./node_modules/@backstage/cli-node/config/nodeTransform.cjs bench/fanout.mjs |
    tee bench/results/fanout.txt
fi
if [ "$which" = all ] || [ "$which" = hosts ]; then
  # needs PostgreSQL: the test one (scripts/services/postgres.sh) unless BENCH_PG_URL says otherwise
  node bench/hosts.mjs | tee bench/results/hosts.txt
fi
if [ "$which" = all ] || [ "$which" = files ]; then
  node --require ./node_modules/@backstage/cli-node/config/nodeTransform.cjs bench/files.mjs |
    tee bench/results/files.txt
  bash bench/files-netns.sh | tee -a bench/results/files.txt
fi
if [ "$which" = all ] || [ "$which" = files-bridge ]; then
  bash bench/files-bridge.sh | tee bench/results/files-bridge.txt
fi
if [ "$which" = all ] || [ "$which" = jobs ]; then
  node bench/jobs.mjs | tee bench/results/jobs.txt
fi
if [ "$which" = all ] || [ "$which" = jobs-stream ]; then
  node bench/jobs-stream.mjs | tee bench/results/jobs-stream.txt
fi
if [ "$which" = all ] || [ "$which" = sql ]; then
  # needs the test PostgreSQL and MariaDB (scripts/services/postgres.sh, mariadb.sh) unless BENCH_PG_URL/BENCH_MARIADB_URL say otherwise
  node --require ./node_modules/@backstage/cli-node/config/nodeTransform.cjs bench/sql.mjs |
    tee bench/results/sql.txt
fi
if [ "$which" = all ] || [ "$which" = docs ]; then
  node --require ./node_modules/@backstage/cli-node/config/nodeTransform.cjs bench/docs.mjs |
    tee bench/results/docs.txt
fi
if [ "$which" = all ] || [ "$which" = report ]; then
  # needs the test PostgreSQL (scripts/services/postgres.sh) unless BENCH_PG_URL says otherwise
  node --require ./node_modules/@backstage/cli-node/config/nodeTransform.cjs bench/report.mjs |
    tee bench/results/report.txt
fi
if [ "$which" = all ] || [ "$which" = bastion ]; then
  node --require ./node_modules/@backstage/cli-node/config/nodeTransform.cjs bench/bastion.mjs |
    tee bench/results/bastion.txt
  node --expose-gc --require ./node_modules/@backstage/cli-node/config/nodeTransform.cjs bench/bastion-sessions.mjs |
    tee bench/results/bastion-sessions.txt
fi
if [ "$which" = all ] || [ "$which" = cicd ]; then
  # the failure locator on a 50 MB console log vs grep -E -f with the same patterns
  node --require ./node_modules/@backstage/cli-node/config/nodeTransform.cjs bench/cicd.mjs |
    tee bench/results/cicd.txt
fi
if [ "$which" = all ] || [ "$which" = registry ]; then
  # Debian docker-registry + skopeo (test packages); the full backend from source
  node bench/registry.mjs | tee bench/results/registry.txt
fi
if [ "$which" = all ] || [ "$which" = config ]; then
  # 100 sshd hosts (root: each in its own mount namespace) with a real nginx each; Debian nginx + ansible
  node --require ./node_modules/@backstage/cli-node/config/nodeTransform.cjs bench/config.mjs |
    tee bench/results/config.txt
fi
if [ "$which" = all ] || [ "$which" = monitoring ]; then
  # real Prometheus, Alertmanager and node_exporter (test packages); the full backend from source
  node --require ./node_modules/@backstage/cli-node/config/nodeTransform.cjs bench/monitoring.mjs |
    tee bench/results/monitoring.txt
fi
