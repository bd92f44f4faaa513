# Sourced by scripts/test.sh and scripts/e2e.sh: the browser tests' opsdeck.
# opsdeck_e2e_start OUT: the six sshd demo hosts (examples/entities.yaml's 127.0.0.1:22301-22306),
# a fresh data dir and the backend on :7017 (e2e-tests/app-config.e2e.yaml), waits for readiness;
# returns 1 when the backend did not become ready. opsdeck_e2e_stop stops the backend and the hosts.
opsdeck_e2e_start() {
  local out=$1 hosts_json
  export OPSDECK_E2E_DATA_DIR OPSDECK_E2E_SSH_KEY
  if hosts_json=$(bash scripts/services/sshd-hosts.sh start 6 22301); then
    OPSDECK_E2E_SSH_KEY=$(printf '%s' "$hosts_json" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);process.stdout.write(j.privateKey)})')
  else
    echo "the sshd test hosts did not start"
  fi
  OPSDECK_E2E_DATA_DIR=$(mktemp -d /tmp/opsdeck-e2e.XXXXXX)
  setsid bash scripts/lib/run-backend.sh src/index --config ../../app-config.yaml --config ../../e2e-tests/app-config.e2e.yaml >"$out/backend.log" 2>&1 &
  backend_pid=$!
  for _ in $(seq 1 240); do
    curl -fs http://localhost:7017/.backstage/health/v1/readiness >/dev/null 2>&1 && return 0
    kill -0 "$backend_pid" 2>/dev/null || break
    sleep 1
  done
  echo "opsdeck's backend did not become ready; its log ends with:"
  tail -n 40 "$out/backend.log"
  return 1
}

opsdeck_e2e_stop() {
  if [ -n "${backend_pid:-}" ]; then
    kill -- -"$backend_pid" 2>/dev/null
    wait "$backend_pid" 2>/dev/null
    backend_pid=
  fi
  bash scripts/services/sshd-hosts.sh stop >/dev/null 2>&1
}
