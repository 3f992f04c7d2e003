#!/usr/bin/env bash
# Makes the real peers that tests and benchmarks compare tend with available
# under build/peers/bin, unpacked from Debian's own packages without
# installing them (so no host service is started or changed).
#   usage: scripts/peers.sh DIR
# Prints nothing on success; DIR/bin then holds promtool, prometheus,
# prometheus-node-exporter and nginx (run it with -p, -c and -e: its
# compiled-in paths are the host's).
set -euo pipefail
dir=${1:?usage: peers.sh DIR}
mkdir -p "$dir/bin" "$dir/debs"
need=()
[ -x "$dir/bin/promtool" ] || need+=(prometheus)
[ -x "$dir/bin/prometheus-node-exporter" ] || need+=(prometheus-node-exporter)
[ -x "$dir/bin/nginx" ] || need+=(nginx)
[ ${#need[@]} -eq 0 ] && exit 0

for pkg in "${need[@]}"; do
  # apt-get download needs package lists; refresh them once if it fails.
  if ! (cd "$dir/debs" && apt-get download -qq "$pkg" >/dev/null 2>&1); then
    sudo=(); [ "$(id -u)" -ne 0 ] && sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    (cd "$dir/debs" && apt-get download -qq "$pkg")
  fi
  deb=$(ls -t "$dir/debs/${pkg}"_*.deb | head -n1)
  rm -rf "$dir/x-$pkg" && mkdir -p "$dir/x-$pkg"
  dpkg-deb -x "$deb" "$dir/x-$pkg"
done
[ -d "$dir/x-prometheus" ] && ln -sf "../x-prometheus/usr/bin/promtool" "$dir/bin/promtool"
[ -d "$dir/x-prometheus" ] && ln -sf "../x-prometheus/usr/bin/prometheus" "$dir/bin/prometheus"
[ -d "$dir/x-prometheus-node-exporter" ] && ln -sf "../x-prometheus-node-exporter/usr/bin/prometheus-node-exporter" "$dir/bin/prometheus-node-exporter"
[ -d "$dir/x-nginx" ] && ln -sf "../x-nginx/usr/sbin/nginx" "$dir/bin/nginx"
exit 0
