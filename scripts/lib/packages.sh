# Sourced: installs the Debian packages the tests need when run as root and they are missing.
opsdeck_apt_ensure() {
  local missing=() pkg bin
  # pairs of "package:binary-or-file that proves it is installed"
  for pair in "$@"; do
    pkg=${pair%%:*}
    bin=${pair#*:}
    if [ "${bin#/}" != "$bin" ]; then
      ls $bin >/dev/null 2>&1 || missing+=("$pkg")
    else
      command -v "$bin" >/dev/null 2>&1 || missing+=("$pkg")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "opsdeck: missing Debian packages ${missing[*]}; install them as root (apt-get install ${missing[*]})" >&2
    return 1
  fi
  echo "opsdeck: installing Debian packages: ${missing[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# What the test suite needs from Debian.
OPSDECK_TEST_PACKAGES=(
  "postgresql:/usr/lib/postgresql/*/bin/initdb"
  "chromium:chromium"
  "libsecret-1-dev:/usr/include/libsecret-1/libsecret/secret.h"
  # real sshd test hosts (scripts/services/sshd-hosts.sh)
  "openssh-server:/usr/sbin/sshd"
  # Chinese glyphs for the zh-CN interface in the browser tests
  "fonts-wqy-microhei:/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
  # real MariaDB and Redis for the sql plugin (scripts/services/mariadb.sh, redis.sh)
  "mariadb-server:mariadbd"
  "redis-server:redis-server"
  # config plugin: real nginx validated (nginx -t), reloaded and served on sshd test hosts
  "nginx:/usr/sbin/nginx"
  # files plugin relay mode: hosts pass the stream on with socat (relay tests, bench)
  "socat:socat"
  # bastion recordings must play in the stock asciinema player (bastion-backend tests)
  "asciinema:asciinema"
  # bastion host-side exec audit: the kernel's audit daemon and a sudo-limited audit login
  # (scripts/services/exec-audit-host.sh)
  "auditd:/usr/sbin/auditd"
  "sudo:sudo"
  # TechDocs build offline: Debian's MkDocs, Material theme and PyMdown extensions
  "mkdocs:mkdocs"
  "mkdocs-material:/usr/share/mkdocs/themes/material/__init__.py"
  "python3-pymdownx:/usr/lib/python3/dist-packages/pymdownx/__init__.py"
  # monitoring-backend integration tests: real Prometheus (promtool), Alertmanager, node_exporter
  "prometheus:prometheus"
  "prometheus-alertmanager:prometheus-alertmanager"
  "prometheus-node-exporter:prometheus-node-exporter"
  # monitoring probes (TCP/HTTP) run by the real blackbox exporter
  "prometheus-blackbox-exporter:/usr/bin/prometheus-blackbox-exporter"
  # database and cache panels: the Debian exporters on the test PostgreSQL, MariaDB and Redis
  "prometheus-postgres-exporter:/usr/bin/prometheus-postgres-exporter"
  "prometheus-mysqld-exporter:/usr/bin/prometheus-mysqld-exporter"
  "prometheus-redis-exporter:/usr/bin/prometheus-redis-exporter"
  # queue panels: a real RabbitMQ node with its rabbitmq_prometheus plugin (scripts/services/rabbitmq.sh)
  "rabbitmq-server:/usr/lib/rabbitmq/bin/rabbitmq-server"
  # registry-backend integration tests and bench: Debian's Docker Registry v2 (distribution)
  # and skopeo, which pushes the OCI layouts the tests build
  "docker-registry:docker-registry"
  "skopeo:skopeo"
)

# What bench/run.sh needs besides the test packages: the peers opsdeck is measured against.
OPSDECK_BENCH_PACKAGES=(
  "pssh:parallel-ssh"
  "ansible:ansible"
  "time:/usr/bin/time"
)

# What the live demo of scripts/start.sh needs (as root): sshd demo hosts, the demo databases,
# and Debian's MkDocs for the knowledge base.
OPSDECK_DEMO_PACKAGES=(
  "openssh-server:/usr/sbin/sshd"
  "openssh-client:ssh-keygen"
  "postgresql:/usr/lib/postgresql/*/bin/initdb"
  "mariadb-server:mariadbd"
  "redis-server:redis-server"
  "curl:curl"
  "mkdocs:mkdocs"
  "mkdocs-material:/usr/share/mkdocs/themes/material/__init__.py"
  "python3-pymdownx:/usr/lib/python3/dist-packages/pymdownx/__init__.py"
)
