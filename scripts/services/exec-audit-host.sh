#!/usr/bin/env bash
# A test host for the bastion's host-side exec audit, on this machine's own kernel:
#   scripts/services/exec-audit-host.sh start PORT   -> prints {"port","user","auditUser","logFile","privateKey"}
#   scripts/services/exec-audit-host.sh stop PORT
# - the kernel audit daemon (Debian auditd) with its log in $OPSDECK_SERVICES_DIR/auditd/audit.log,
#   started when no audit daemon is registered with the kernel (`auditctl -s` pid 0); one per
#   kernel, so a running one started by this script is reused; the system's own one, if any, is not
#   touched (then this script fails: point the test at that one's log instead);
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
auditdir="$base/auditd"
user=${OPSDECK_SSH_USER:-opsdeck}
audit_user=opsdeck-audit

die() {
  echo "exec-audit-host: $*" >&2
  exit 1
}

[ "$(id -u)" -eq 0 ] || die "must run as root"
[[ "$port" =~ ^[0-9]+$ ]] || die "usage: $0 start|stop PORT"
mkdir -p "$state" "$auditdir"
exec 9>"$state/.lock"
flock 9

audit_pid() { auditctl -s 2>/dev/null | awk '$1 == "pid" { print $2 }'; }

# Sets audit_log to the log of the running audit daemon when this script started it (under any
# services directory: there is one per kernel); starts one otherwise.
start_auditd() {
  local pid dir
  pid=$(audit_pid)
  if [ -n "$pid" ] && [ "$pid" != 0 ]; then
    dir=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | sed -n '/^-c$/{n;p}')
    if [ -n "$dir" ] && [ -f "$dir/.opsdeck-exec-audit" ]; then
      audit_log="$dir/audit.log"
      return 0
    fi
    die "an audit daemon not started by this script runs (pid $pid); search its log instead"
  fi
  audit_log="$auditdir/audit.log"
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
  echo $! >"$auditdir/auditd.pid"
  for _ in $(seq 1 100); do
    [ "$(audit_pid)" = "$(cat "$auditdir/auditd.pid")" ] && [ -f "$auditdir/audit.log" ] && return 0
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
    # the audit daemon stays for other users of this services directory; its rules are the
    # sessions' own and removed by them
    ;;
  *)
    die "usage: $0 start|stop PORT"
    ;;
esac
