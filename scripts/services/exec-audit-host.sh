#!/usr/bin/env bash
# A test host for the bastion's host-side exec audit, on this machine's own kernel:
#   scripts/services/exec-audit-host.sh start PORT   -> prints {"port","user","auditUser","logFile","privateKey"}
#   scripts/services/exec-audit-host.sh stop PORT
# - the kernel audit daemon (Debian auditd). The kernel takes one at a time, so this script keeps
#   its own kernel-wide, in /run/opsdeck-exec-audit (not under a services directory that a test
#   run may remove while the daemon runs). It starts one when no audit daemon is registered with
#   the kernel (`auditctl -s` pid 0) and knows it afterwards by the pid recorded at its start,
#   with that process's start time and /proc/<pid>/cmdline naming its directory. Each `start PORT`
#   takes a lease held by the calling process (the test); `stop PORT` returns it, and the stop of
#   the last lease stops that daemon, never another one. Another audit daemon (the system's, or one
#   an earlier test run left) is never touched: its log is searched when it writes a live one,
#   else this script fails naming its pid;
# - an sshd on 127.0.0.1:PORT with UsePAM yes, so that pam_loginuid gives every SSH connection its
#   own kernel audit session id (/proc/self/sessionid), as on a stock Debian/RHEL host;
# - the audit login `opsdeck-audit` (same client key as the sshd test hosts) that may run only
#   `sudo -n auditctl` and `sudo -n ausearch` (/etc/sudoers.d/opsdeck-audit).
# Uses the state (client key, test user) of scripts/services/sshd-hosts.sh, which it runs first.
# Must run as root.
set -euo pipefail
action=${1:-}
port=${2:-}
base=${OPSDECK_SERVICES_DIR:-/tmp/opsdeck-services}
here=$(cd "$(dirname "$0")" && pwd)
state="$base/exec-audit"
# one audit daemon per kernel, whatever the services directory
kernel=/run/opsdeck-exec-audit
auditdir="$kernel/auditd"
leases="$kernel/leases"
user=${OPSDECK_SSH_USER:-opsdeck}
audit_user=opsdeck-audit

die() {
  echo "exec-audit-host: $*" >&2
  exit 1
}

[ "$(id -u)" -eq 0 ] || die "must run as root"
[[ "$port" =~ ^[0-9]+$ ]] || die "usage: $0 start|stop PORT"
mkdir -p "$state" "$auditdir" "$leases"
exec 9>"$kernel/.lock"
flock 9

audit_pid() { auditctl -s 2>/dev/null | awk '$1 == "pid" { print $2 }'; }

# The start time of process $1 (clock ticks after boot; empty once it is gone or a zombie): with
# the pid it names one process, not whichever later gets the same pid.
start_time() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  stat=${stat##*) }
  # shellcheck disable=SC2086
  set -- $stat
  [ "$1" = Z ] || echo "${20}"
}

cmdline() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null || true; }

# The pid of the audit daemon this script started, while it runs; empty otherwise.
own_auditd() {
  local pid='' at=''
  [ -f "$kernel/auditd.pid" ] && read -r pid at <"$kernel/auditd.pid"
  [ -n "$pid" ] && [ -n "$at" ] && [ "$(start_time "$pid")" = "$at" ] || return 0
  [ "$(cmdline "$pid")" = "auditd -n -c $auditdir -s enable " ] && echo "$pid"
  return 0
}

# The log audit daemon $1 writes (log_file of its -c directory's auditd.conf), when it has that
# file open; empty otherwise (its directory removed, no logs written, ...).
foreign_log() {
  local pid=$1 dir conf log fd
  dir=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | sed -n '/^-c$/{n;p}')
  conf="${dir:-/etc/audit}/auditd.conf"
  [ -r "$conf" ] || return 0
  grep -Eiq '^[[:space:]]*write_logs[[:space:]]*=[[:space:]]*no' "$conf" && return 0
  log=$(sed -n 's/^[[:space:]]*log_file[[:space:]]*=[[:space:]]*//p' "$conf" | tail -1)
  log=$(readlink -f "${log:-/var/log/audit/audit.log}") || return 0
  [ -r "$log" ] || return 0
  for fd in /proc/"$pid"/fd/*; do
    if [ "$(readlink "$fd" 2>/dev/null)" = "$log" ]; then
      echo "$log"
      return 0
    fi
  done
}

# Returns the leases whose holder (the process that ran `start`) is gone.
prune_leases() {
  local f holder at
  for f in "$leases"/*; do
    [ -f "$f" ] || continue
    holder='' at=''
    read -r holder at <"$f" || true
    [ -n "$holder" ] && [ "$(start_time "$holder")" = "$at" ] || rm -f "$f"
  done
}

take_lease() {
  printf '%s %s\n' "$PPID" "$(start_time "$PPID")" >"$leases/$port"
}

# Stops this script's audit daemon (pid $1, as own_auditd found it): SIGTERM, SIGKILL after 10 s.
stop_own_auditd() {
  local pid=$1 at
  at=$(start_time "$pid")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    [ "$(start_time "$pid")" = "$at" ] || break
    sleep 0.1
  done
  if [ "$(start_time "$pid")" = "$at" ]; then
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$kernel/auditd.pid"
}

# Sets audit_log to the log to search: that of this script's audit daemon (started when no audit
# daemon runs), or of another one that writes a live log.
start_auditd() {
  local pid own log
  pid=$(audit_pid)
  own=$(own_auditd)
  if [ -n "$pid" ] && [ "$pid" != 0 ]; then
    if [ "$pid" = "$own" ]; then
      audit_log="$auditdir/audit.log"
      take_lease
      return 0
    fi
    log=$(foreign_log "$pid")
    if [ -n "$log" ]; then
      # the sessions' rules and records carry their own key (opsdeck-<session id>): sharing is safe
      echo "exec-audit-host: searching the log $log of the audit daemon pid $pid ($(cmdline "$pid")), which this script did not start and does not stop" >&2
      audit_log=$log
      return 0
    fi
    die "the kernel's audit daemon is pid $pid ($(cmdline "$pid")), not one this script started, and it writes no log this test can read (its directory removed?); the kernel takes one audit daemon at a time, so none can be started here: stop pid $pid if an earlier test run left it"
  fi
  # ours runs but the kernel does not know it (audit disabled and enabled again?): start anew
  if [ -n "$own" ]; then stop_own_auditd "$own"; fi
  audit_log="$auditdir/audit.log"
  # an older version of this script reuses a daemon whose directory holds this marker
  touch "$auditdir/.opsdeck-exec-audit"
  cat >"$auditdir/auditd.conf" <<EOF
local_events = yes
write_logs = yes
log_file = $auditdir/audit.log
log_format = RAW
flush = INCREMENTAL_ASYNC
freq = 1
max_log_file = 64
num_logs = 2
max_log_file_action = ROTATE
space_left = 16
space_left_action = IGNORE
admin_space_left = 8
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = IGNORE
plugin_dir = $auditdir/plugins
end_of_event_timeout = 2
q_depth = 2000
overflow_action = IGNORE
EOF
  chmod 600 "$auditdir/auditd.conf"
  mkdir -p "$auditdir/plugins"
  setsid auditd -n -c "$auditdir" -s enable >"$auditdir/auditd.out" 2>&1 </dev/null 9>&- &
  pid=$!
  # setsid execs auditd in this (non-leader) child: $! is the daemon's pid
  printf '%s %s\n' "$pid" "$(start_time "$pid")" >"$kernel/auditd.pid"
  take_lease
  for _ in $(seq 1 100); do
    [ "$(audit_pid)" = "$pid" ] && [ -f "$audit_log" ] && return 0
    sleep 0.05
  done
  die "auditd did not start (kernel audit refused?): $(tail -3 "$auditdir/auditd.out")"
}

setup_audit_user() {
  local key_pub=$1 home
  id "$audit_user" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$audit_user" >/dev/null
  [ "$(getent shadow "$audit_user" | cut -d: -f2)" = '*' ] || usermod -p '*' "$audit_user"
  home=$(getent passwd "$audit_user" | cut -d: -f6)
  install -d -m 700 -o "$audit_user" -g "$(id -gn "$audit_user")" "$home/.ssh"
  cp "$key_pub" "$home/.ssh/authorized_keys"
  chown "$audit_user:" "$home/.ssh/authorized_keys"
  chmod 600 "$home/.ssh/authorized_keys"
  printf '%s ALL=(root) NOPASSWD: /usr/sbin/auditctl, /usr/sbin/ausearch\n' "$audit_user" \
    >/etc/sudoers.d/opsdeck-audit.tmp
  chmod 440 /etc/sudoers.d/opsdeck-audit.tmp
  visudo -cf /etc/sudoers.d/opsdeck-audit.tmp >/dev/null
  mv /etc/sudoers.d/opsdeck-audit.tmp /etc/sudoers.d/opsdeck-audit
}

start_sshd() {
  local dir="$state/$port"
  mkdir -p "$dir"
  [ -f "$dir/sshd.pid" ] && kill -0 "$(cat "$dir/sshd.pid")" 2>/dev/null && return 0
  [ -f "$dir/hostkey" ] || ssh-keygen -q -t ed25519 -N '' -C "opsdeck-exec-audit-$port" -f "$dir/hostkey"
  cat >"$dir/sshd_config" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $dir/hostkey
PidFile $dir/sshd.pid
UsePAM yes
PermitRootLogin no
AllowUsers $user $audit_user
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
  /usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log" 9>&- || die "sshd on $port did not start; see $dir/sshd.log"
  for _ in $(seq 1 100); do
    [ -f "$dir/sshd.pid" ] && return 0
    sleep 0.02
  done
  die "sshd on $port wrote no pid file"
}

case "$action" in
  start)
    command -v auditd >/dev/null || die "auditd not found; install the Debian package auditd"
    command -v sudo >/dev/null || die "sudo not found; install the Debian package sudo"
    # the sshd test hosts' user and client key (no instance of theirs is needed)
    hosts=$(bash "$here/sshd-hosts.sh" start 1 "$((port + 1))")
    bash "$here/sshd-hosts.sh" stop 1 "$((port + 1))"
    key=$(printf '%s' "$hosts" | sed -n 's/.*"privateKey":"\([^"]*\)".*/\1/p')
    setup_audit_user "$key.pub"
    start_auditd
    start_sshd
    printf '{"port":%d,"user":"%s","auditUser":"%s","logFile":"%s","privateKey":"%s"}\n' \
      "$port" "$user" "$audit_user" "$audit_log" "$key"
    ;;
  stop)
    dir="$state/$port"
    if [ -f "$dir/sshd.pid" ]; then
      kill "$(cat "$dir/sshd.pid")" 2>/dev/null || true
      rm -f "$dir/sshd.pid"
    fi
    # the audit daemon this script started goes with the last lease (the sessions removed their
    # rules); one it did not start is never stopped
    rm -f "$leases/$port"
    prune_leases
    own=$(own_auditd)
    if [ -n "$own" ] && [ -z "$(ls -A "$leases")" ]; then
      stop_own_auditd "$own"
    fi
    ;;
  *)
    die "usage: $0 start|stop PORT"
    ;;
esac
