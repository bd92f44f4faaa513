#!/usr/bin/env bash
# The "slow links" case of bench/files.mjs: the same benchmark inside a private network namespace
# whose loopback is shaped with tc, so it touches no other process's traffic and uses loopback
# addresses only. Every byte that leaves the source for an sshd host (destination ports
# BASE..BASE+N-1) shares one 100 Mbit/s class: the source's link. Host-to-host relay streams
# (socat, other ports) are not shaped; in a chain each of them carries one copy and is fed by the
# shaped source, so it runs at the source's rate, as one 100 Mbit/s link per host would.
#   bash bench/files-netns.sh        (root; BENCH_LINK_MBIT=100, BENCH_SIZES=10, BENCH_RUNS=1)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ns=opsdeck-bench-files-$$
mbit=${BENCH_LINK_MBIT:-100}
base=${BENCH_SSHD_BASEPORT:-22701}
hosts=${BENCH_SIZES:-10}
if [ "${1:-}" != inner ]; then
  ip netns add "$ns"
  trap 'ip netns del "$ns"' EXIT
  ip netns exec "$ns" bash "$0" inner
  exit
fi
ip link set lo up
ip link set lo mtu 1500
tc qdisc add dev lo root handle 1: htb default 20
tc class add dev lo parent 1: classid 1:10 htb rate "${mbit}mbit" ceil "${mbit}mbit"
tc class add dev lo parent 1: classid 1:20 htb rate 20gbit
for ((p = base; p < base + hosts; p++)); do
  tc filter add dev lo parent 1: protocol ip prio 1 u32 match ip dport "$p" 0xffff flowid 1:10
done
source "$root/scripts/lib/toolchain.sh"
cd "$root"
BENCH_SSHD_BASEPORT=$base BENCH_SIZES=$hosts BENCH_RUNS=${BENCH_RUNS:-1} \
  BENCH_TOOLS=${BENCH_TOOLS:-relay,pscp,direct} \
  BENCH_TITLE="Source link shaped to ${mbit} Mbit/s (tc htb in a private network namespace)" \
  node --require ./node_modules/@backstage/cli-node/config/nodeTransform.cjs bench/files.mjs
