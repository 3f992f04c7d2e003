#!/usr/bin/env bash
# Installs the Debian packages tend needs to build, test and benchmark, and
# nothing else. Does nothing (and needs no privileges) when all are present.
#
# Peers used only by tests and benchmarks (promtool, node_exporter) are not
# installed system-wide: installing them would start their systemd services
# on the host. scripts/peers.sh unpacks them into build/peers instead.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config make
  clang libclang-rt-14-dev           # libFuzzer for `make fuzz`
  clang-format clang-tidy            # `make lint`
  libgtest-dev libgmock-dev libbenchmark-dev
  libyaml-cpp-dev nlohmann-json3-dev libre2-dev
  libcpp-httplib-dev libssl-dev zlib1g-dev libbrotli-dev
  libzstd-dev libpcre2-dev libsimdjson-dev   # the log store and parsers
  libsystemd-dev systemd-journal-remote      # journal source and its tests
  libsqlite3-dev libcurl4-openssl-dev        # state database; probes and receivers
  dbus                                       # a private bus for the systemd unit tests
  bsdutils apache2-utils                     # logger(1); ab for the nginx log test
  curl ca-certificates bc             # bench/compare_node_exporter.sh
  openssl                            # certificates in the syslog TLS tests
  tar zstd                           # the backup module's tools (on every target too)
  libssh-dev openssh-client sudo     # the SSH transport; ssh-keygen, ssh-agent and become in its tests
  ansible                            # the real ansible-playbook (+ ansible.posix), side by side
  git zip unzip bzip2 xz-utils       # the git and unarchive modules' tests (real repos and archives)
  iproute2 procps hostname python3   # facts (ip), sysctl, hostname; http.server in the differential test
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps: not root and no sudo; install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
