#!/usr/bin/env bash
# Starts (or stops) N real OpenSSH servers on 127.0.0.1 for opsdeck's SSH tests and benchmarks.
#   scripts/services/sshd-hosts.sh start N [BASEPORT]   -> ports BASEPORT..BASEPORT+N-1 (default 22201);
#                                                          prints a JSON summary on stdout
#   scripts/services/sshd-hosts.sh stop [N BASEPORT]    -> stops all instances, or only that range
#   scripts/services/sshd-hosts.sh rekey PORT           -> gives that instance a NEW host key and restarts it
#   scripts/services/sshd-hosts.sh status               -> ports of the running instances
# Must run as root (sshd changes to the test user). Every instance logs in as user `opsdeck`
# (created if missing) with one ed25519 client key kept in the state directory.
# State lives under $OPSDECK_SERVICES_DIR/sshd (default /tmp/opsdeck-services/sshd): host keys are
# generated once per port and kept; each instance has <state>/<port>/{sshd_config,sshd.pid,sshd.log}.
# Starting a port whose instance already runs leaves it alone, so `start` is idempotent.
set -euo pipefail
action=${1:-}
base=${OPSDECK_SERVICES_DIR:-/tmp/opsdeck-services}
state="$base/sshd"
user=${OPSDECK_SSH_USER:-opsdeck}
sshd_bin=${OPSDECK_SSHD:-/usr/sbin/sshd}
listen=127.0.0.1

die() {
  echo "sshd-hosts: $*" >&2
  exit 1
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1" 2>/dev/null)" 2>/dev/null; }

# Stops the instances on the given ports: TERM to all listeners at once, then wait (sshd can take a
# second to exit), KILL what is left. Sessions already open are separate processes and end on their own.
stop_ports() {
  local port pid pids=() pidfile
  for port in "$@"; do
    pidfile="$state/$port/sshd.pid"
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
    rm -f "$pidfile"
  done
  [ ${#pids[@]} -eq 0 ] && return 0
  for _ in $(seq 1 100); do
    kill -0 "${pids[@]}" 2>/dev/null || return 0
    sleep 0.05
  done
  kill -9 "${pids[@]}" 2>/dev/null || true
}

# One-time setup shared by every instance: test user, client key, authorized_keys.
setup_common() {
  [ "$(id -u)" -eq 0 ] || die "must run as root (sshd switches to the test user)"
  [ -x "$sshd_bin" ] || die "$sshd_bin not found; install the Debian package openssh-server"
  command -v ssh-keygen >/dev/null || die "ssh-keygen not found; install openssh-client"
  mkdir -p "$state/hostkeys" "$state/client" /run/sshd
  chmod 755 /run/sshd
  # host and client keys: root's alone
  chown -R 0:0 "$state"
  chmod 700 "$state"
  if ! id "$user" >/dev/null 2>&1; then
    useradd --create-home --shell /bin/bash "$user" >/dev/null
  fi
  # `*` (not `!`): no password login, but the account is not "locked", so key login works with UsePAM no.
  if [ "$(getent shadow "$user" | cut -d: -f2)" != '*' ]; then
    usermod -p '*' "$user"
  fi
  local home
  home=$(getent passwd "$user" | cut -d: -f6)
  [ -d "$home" ] || { mkdir -p "$home" && chown "$user:" "$home"; }
  chmod 755 "$home"
  if [ ! -f "$state/client/id_ed25519" ]; then
    rm -f "$state/client/id_ed25519.pub"
    ssh-keygen -q -t ed25519 -N '' -C "opsdeck-test-client" -f "$state/client/id_ed25519"
  fi
  chmod 600 "$state/client/id_ed25519"
  install -d -m 700 -o "$user" -g "$(id -gn "$user")" "$home/.ssh"
  local pub
  pub=$(cat "$state/client/id_ed25519.pub")
  if ! grep -qxF "$pub" "$home/.ssh/authorized_keys" 2>/dev/null; then
    echo "$pub" >>"$home/.ssh/authorized_keys"
  fi
  chown "$user:" "$home/.ssh/authorized_keys"
  chmod 600 "$home/.ssh/authorized_keys"
}

write_config() {
  local port=$1 dir="$state/$1"
  mkdir -p "$dir"
  cat >"$dir/sshd_config" <<EOF
Port $port
ListenAddress $listen
HostKey $state/hostkeys/$port
PidFile $dir/sshd.pid
UsePAM no
PermitRootLogin no
AllowUsers $user
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile .ssh/authorized_keys
StrictModes yes
MaxStartups 500
MaxSessions 100
MaxAuthTries 20
LoginGraceTime 60
AllowTcpForwarding yes
AcceptEnv LANG LC_* OPSDECK_*
PrintMotd no
UseDNS no
LogLevel INFO
Subsystem sftp internal-sftp
$extra_config
EOF
}

host_key() {
  local port=$1 f="$state/hostkeys/$1"
  if [ ! -f "$f" ] || [ "${2:-}" = new ]; then
    rm -f "$f" "$f.pub"
    ssh-keygen -q -t ed25519 -N '' -C "opsdeck-test-host-$port" -f "$f"
  fi
}

start_port() {
  local port=$1 dir="$state/$1"
  pid_alive "$dir/sshd.pid" && return 0
  rm -f "$dir/sshd.pid"
  # sshd binds its socket before it daemonizes, so a port in use makes this command fail.
  if ! "$sshd_bin" -f "$dir/sshd_config" -E "$dir/sshd.log"; then
    echo "sshd-hosts: sshd on $listen:$port did not start (port in use?); see $dir/sshd.log" >&2
    tail -n 5 "$dir/sshd.log" >&2 || true
    return 1
  fi
}

# sshd writes its pid file right after daemonizing; wait for it so `stop` can always find it.
wait_pidfile() {
  local pidfile="$state/$1/sshd.pid"
  for _ in $(seq 1 200); do
    pid_alive "$pidfile" && return 0
    sleep 0.02
  done
  die "sshd on port $1 wrote no pid file"
}

summary() {
  local n=$1 first=$2 port sep=''
  printf '{"user":"%s","privateKey":"%s","publicKey":"%s","stateDir":"%s","hosts":[' \
    "$user" "$state/client/id_ed25519" "$state/client/id_ed25519.pub" "$state"
  for ((port = first; port < first + n; port++)); do
    printf '%s{"host":"%s","port":%d,"hostKeyFingerprint":"%s","log":"%s"}' "$sep" "$listen" "$port" \
      "$(ssh-keygen -l -E sha256 -f "$state/hostkeys/$port.pub" | cut -d' ' -f2)" "$state/$port/sshd.log"
    sep=','
  done
  printf ']}\n'
}

# Newer OpenSSH (9.8+) penalises sources with failed logins (all tests come from 127.0.0.1); older
# versions reject the option, so it is only written when this sshd knows it.
probe_extra_config() {
  extra_config=''
  if "$sshd_bin" -t -f /dev/null -o "HostKey=$state/hostkeys/$1" -o PerSourcePenalties=no >/dev/null 2>&1; then
    extra_config='PerSourcePenalties no'
  fi
}

mkdir -p "$base"
exec 9>"$base/.sshd-hosts.lock"

case "$action" in
  start)
    n=${2:-}
    first=${3:-22201}
    [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] || die "usage: $0 start N [BASEPORT]"
    [[ "$first" =~ ^[0-9]+$ ]] && [ $((first + n - 1)) -le 65535 ] || die "bad BASEPORT $first"
    flock 9
    setup_common
    for ((port = first; port < first + n; port++)); do host_key "$port"; done
    probe_extra_config "$first"
    for ((port = first; port < first + n; port++)); do write_config "$port"; done
    failed=0
    for ((port = first; port < first + n; port++)); do start_port "$port" || failed=1; done
    for ((port = first; port < first + n; port++)); do
      [ -f "$state/$port/sshd_config" ] && { wait_pidfile "$port" || failed=1; }
    done
    [ "$failed" -eq 0 ] || die "some instances did not start"
    summary "$n" "$first"
    ;;
  stop)
    flock 9
    ports=()
    if [ $# -ge 3 ]; then
      for ((port = $3; port < $3 + $2; port++)); do ports+=("$port"); done
    else
      for dir in "$state"/[0-9]*; do
        [ -d "$dir" ] && ports+=("$(basename "$dir")")
      done
    fi
    [ ${#ports[@]} -eq 0 ] || stop_ports "${ports[@]}"
    ;;
  rekey)
    port=${2:-}
    [[ "$port" =~ ^[0-9]+$ ]] || die "usage: $0 rekey PORT"
    flock 9
    [ -f "$state/$port/sshd_config" ] || die "no instance was ever started on port $port"
    stop_ports "$port"
    host_key "$port" new
    start_port "$port"
    wait_pidfile "$port"
    summary 1 "$port"
    ;;
  status)
    for dir in "$state"/[0-9]*; do
      [ -d "$dir" ] && pid_alive "$dir/sshd.pid" && basename "$dir"
    done
    true
    ;;
  *)
    echo "usage: $0 start N [BASEPORT] | stop [N BASEPORT] | rekey PORT | status" >&2
    exit 2
    ;;
esac
