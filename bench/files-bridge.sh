#!/usr/bin/env bash
# The "switch" case of the files benchmark, as the issue describes it: N hosts, each in its own
# network namespace with its own sshd, all on one Linux bridge; the source (where opsdeck,
# parallel-scp and ansible run) is attached to the same bridge through its own veth. Every link —
# the source's and each host's, both directions — is limited with tc tbf on both veth ends, as NICs
# on a switch. Addresses come from 198.18.0.0/15 (RFC 2544, benchmarking), not a private range.
# Nothing is created in the root namespace: the bridge lives in its own namespace too.
#   bash bench/files-bridge.sh    (root; BENCH_LINK_MBIT=100, BENCH_BRIDGE_HOSTS=10, BENCH_RUNS=2,
#                                  BENCH_TOOLS=relay,direct,pscp,ansible)
# The hosts share this machine's filesystem and CPUs (each writes its own temporary file; opsdeck's
# targets are renamed atomically, so the shared target path is fine for it).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mbit=${BENCH_LINK_MBIT:-100}
n=${BENCH_BRIDGE_HOSTS:-10}
tag=odb$$ # short: interface names are at most 15 characters
sshd_bin=${OPSDECK_SSHD:-/usr/sbin/sshd}
client_key=${OPSDECK_SERVICES_DIR:-/tmp/opsdeck-services}/sshd/client/id_ed25519
user=${OPSDECK_SSH_USER:-opsdeck}
[ "$(id -u)" -eq 0 ] || { echo "files-bridge: must run as root" >&2; exit 1; }
[ -f "$client_key" ] || {
  # sshd-hosts.sh creates the test user, the client key and its authorized_keys entry.
  bash "$root/scripts/services/sshd-hosts.sh" start 1 22799 >/dev/null
  bash "$root/scripts/services/sshd-hosts.sh" stop 1 22799
}
work=$(mktemp -d /tmp/opsdeck-bench-bridge.XXXXXX)
chmod 755 "$work"
namespaces=("$tag-sw" "$tag-src")
for ((i = 1; i <= n; i++)); do namespaces+=("$tag-h$i"); done

cleanup() {
  local ns pids
  for ns in "${namespaces[@]}"; do
    # sshd and any relay hop left by a failed run: processes started in our namespaces only
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [ -z "$pids" ] || kill $pids 2>/dev/null || true
  done
  sleep 0.5
  for ns in "${namespaces[@]}"; do
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# tbf on one veth end: its egress, i.e. one direction of the link.
shape() { tc -n "$1" qdisc add dev "$2" root tbf rate "${mbit}mbit" burst 128kb latency 50ms; }

for ns in "${namespaces[@]}"; do
  ip netns add "$ns"
  ip -n "$ns" link set lo up
done
ip -n "$tag-sw" link add br0 type bridge
ip -n "$tag-sw" link set br0 up
# attach NS ADDRESS PORTNAME: veth eth0 in NS, its peer PORTNAME on the bridge, both ends shaped.
attach() {
  ip -n "$1" link add eth0 type veth peer name "$3" netns "$tag-sw"
  ip -n "$tag-sw" link set "$3" master br0
  ip -n "$tag-sw" link set "$3" up
  ip -n "$1" addr add "$2/24" dev eth0
  ip -n "$1" link set eth0 up
  shape "$1" eth0
  shape "$tag-sw" "$3"
}
attach "$tag-src" 198.18.0.1 psrc

hosts_json="$work/hosts.json"
printf '{"user":"%s","privateKey":"%s","hosts":[' "$user" "$client_key" >"$hosts_json"
for ((i = 1; i <= n; i++)); do
  addr=198.18.0.$((10 + i))
  attach "$tag-h$i" "$addr" "ph$i"
  dir="$work/h$i"
  mkdir -p "$dir"
  ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key"
  cat >"$dir/sshd_config" <<EOF
Port 22
ListenAddress $addr
HostKey $dir/host_key
PidFile $dir/sshd.pid
UsePAM no
PermitRootLogin no
AllowUsers $user
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile .ssh/authorized_keys
MaxStartups 100
MaxSessions 100
PrintMotd no
UseDNS no
Subsystem sftp internal-sftp
EOF
  ip netns exec "$tag-h$i" "$sshd_bin" -f "$dir/sshd_config" -E "$dir/sshd.log"
  [ "$i" -gt 1 ] && printf ',' >>"$hosts_json"
  printf '{"host":"%s","port":22}' "$addr" >>"$hosts_json"
done
printf ']}\n' >>"$hosts_json"

# Every host answers from the source before the clock starts.
for ((i = 1; i <= n; i++)); do
  for _ in $(seq 1 100); do
    ip netns exec "$tag-src" bash -c "exec 3<>/dev/tcp/198.18.0.$((10 + i))/22" 2>/dev/null && break
    sleep 0.05
  done
done

source "$root/scripts/lib/toolchain.sh"
cd "$root"
BENCH_HOSTS_JSON=$hosts_json BENCH_SIZES=$n BENCH_RUNS=${BENCH_RUNS:-2} \
  BENCH_TOOLS=${BENCH_TOOLS:-relay,direct,pscp,ansible} \
  BENCH_TITLE="$n hosts, each in its own network namespace with its own sshd, on one Linux bridge; every link (source and hosts, both directions) limited to ${mbit} Mbit/s with tc tbf; 198.18.0.0/24" \
  ip netns exec "$tag-src" \
  node --require ./node_modules/@backstage/cli-node/config/nodeTransform.cjs bench/files.mjs
