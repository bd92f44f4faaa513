#!/usr/bin/env bash
# An sshd for scripts/services/sshd-hosts.sh (OPSDECK_SSHD) whose host has a directory of its own:
# the sshd runs in its own mount namespace where $BENCH_OWN_DIR_MOUNT is a bind mount of
# $BENCH_OWN_DIR_HOSTS/<port>. The sshd test hosts share one machine, one user and one filesystem;
# with this, one absolute path (a config set's target path, an Ansible `dest`) is a different file
# on every host, as on real machines. Everything started through that sshd (the session, a server
# it starts) lives in the namespace; the namespace ends with its last process.
# Root only (unshare, mount). Used by bench/config.mjs.
set -euo pipefail
sshd=/usr/sbin/sshd
# sshd-hosts.sh starts an instance as `-f <state>/<port>/sshd_config -E <log>`; other calls
# (the option probe `-t ...`) go to sshd as they are.
if [ "${1:-}" != -f ] || [[ "${2:-}" != */sshd_config ]]; then
  exec "$sshd" "$@"
fi
port=$(basename "$(dirname "$2")")
[[ "$port" =~ ^[0-9]+$ ]] || { echo "sshd-own-dir: no port in $2" >&2; exit 1; }
: "${BENCH_OWN_DIR_HOSTS:?}" "${BENCH_OWN_DIR_MOUNT:?}"
own="$BENCH_OWN_DIR_HOSTS/$port"
[ -d "$own" ] || { echo "sshd-own-dir: $own missing" >&2; exit 1; }
[ -d "$BENCH_OWN_DIR_MOUNT" ] || { echo "sshd-own-dir: $BENCH_OWN_DIR_MOUNT missing" >&2; exit 1; }
# sshd daemonizes (the parent exits once it listens), so sshd-hosts.sh sees the start as usual.
exec unshare --mount --propagation private -- \
  bash -c 'mount --bind -- "$1" "$2" && shift 2 && exec "$@"' sshd-own-dir "$own" "$BENCH_OWN_DIR_MOUNT" "$sshd" "$@"
