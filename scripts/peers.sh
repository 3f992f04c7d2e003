#!/usr/bin/env bash
# Makes the real peers that tests and benchmarks compare tend with available
# under build/peers/bin, unpacked from Debian's own packages without
# installing them (so no host service is started or changed).
#   usage: scripts/peers.sh DIR
# Prints nothing on success; DIR/bin then holds promtool, prometheus,
# prometheus-node-exporter, nginx (run it with -p, -c and -e: its
# compiled-in paths are the host's) and rsyslogd (a wrapper that finds the
# unpacked libraries and modules; run it with -n -f CONF -i PIDFILE),
# alertmanager (prometheus-alertmanager), monit (run it with -I -c RCFILE)
# haproxy (a wrapper that finds the unpacked libraries; run it with -f
# CONF -db) and sshd (openssh-server, a wrapper likewise; run it as root
# with -D -e -f CONF and /run/sshd present; bin/sftp-server beside it).
set -euo pipefail
dir=${1:?usage: peers.sh DIR}
mkdir -p "$dir/bin" "$dir/debs"
need=()
[ -x "$dir/bin/promtool" ] || need+=(prometheus)
[ -x "$dir/bin/prometheus-node-exporter" ] || need+=(prometheus-node-exporter)
[ -x "$dir/bin/nginx" ] || need+=(nginx)
[ -x "$dir/bin/rsyslogd" ] || need+=(rsyslog)
[ -x "$dir/bin/alertmanager" ] || need+=(prometheus-alertmanager)
[ -x "$dir/bin/monit" ] || need+=(monit)
[ -x "$dir/bin/haproxy" ] || need+=(haproxy)
[ -x "$dir/bin/sshd" ] || need+=(openssh-server)
[ ${#need[@]} -eq 0 ] && exit 0

for pkg in "${need[@]}"; do
  debs=("$pkg")
  # rsyslog's own libraries are absent from hosts without rsyslog: unpack
  # them next to it.
  [ "$pkg" = rsyslog ] && debs+=(libestr0 libfastjson4 liblognorm5)
  # Likewise haproxy's Lua and OpenTracing libraries (ldd lists them).
  [ "$pkg" = haproxy ] && debs+=(liblua5.3-0 libopentracing-c-wrapper0 libopentracing1)
  # sshd's TCP wrappers library and what it pulls in are absent from a
  # fresh Debian 12 (the Kerberos ones come with openssh-client); ldd
  # lists them.
  [ "$pkg" = openssh-server ] && debs+=(openssh-sftp-server libwrap0 libnsl2 libtirpc3)
  rm -rf "$dir/x-$pkg" && mkdir -p "$dir/x-$pkg"
  for p in "${debs[@]}"; do
    # apt-get download needs package lists; refresh them once if it fails.
    if ! (cd "$dir/debs" && apt-get download -qq "$p" >/dev/null 2>&1); then
      sudo=(); [ "$(id -u)" -ne 0 ] && sudo=(sudo)
      "${sudo[@]}" apt-get update -qq
      (cd "$dir/debs" && apt-get download -qq "$p")
    fi
    deb=$(ls -t "$dir/debs/${p}"_*.deb | head -n1)
    dpkg-deb -x "$deb" "$dir/x-$pkg"
  done
done
[ -d "$dir/x-prometheus" ] && ln -sf "../x-prometheus/usr/bin/promtool" "$dir/bin/promtool"
[ -d "$dir/x-prometheus" ] && ln -sf "../x-prometheus/usr/bin/prometheus" "$dir/bin/prometheus"
[ -d "$dir/x-prometheus-node-exporter" ] && ln -sf "../x-prometheus-node-exporter/usr/bin/prometheus-node-exporter" "$dir/bin/prometheus-node-exporter"
[ -d "$dir/x-nginx" ] && ln -sf "../x-nginx/usr/sbin/nginx" "$dir/bin/nginx"
[ -d "$dir/x-prometheus-alertmanager" ] && ln -sf "../x-prometheus-alertmanager/usr/bin/prometheus-alertmanager" "$dir/bin/alertmanager"
[ -d "$dir/x-monit" ] && ln -sf "../x-monit/usr/bin/monit" "$dir/bin/monit"
if [ -d "$dir/x-rsyslog" ]; then
  # A symlink would find neither the libraries nor the modules (-M), whose
  # compiled-in paths are the host's.
  cat > "$dir/bin/rsyslogd" <<'SH'
#!/bin/sh
x=$(cd "$(dirname "$0")/../x-rsyslog" && pwd)
lib=$(dirname "$(ls -d "$x"/usr/lib/*/rsyslog)")
LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
  exec "$x/usr/sbin/rsyslogd" -M "$lib/rsyslog" "$@"
SH
  chmod +x "$dir/bin/rsyslogd"
fi
if [ -d "$dir/x-haproxy" ]; then
  cat > "$dir/bin/haproxy" <<'SH'
#!/bin/sh
x=$(cd "$(dirname "$0")/../x-haproxy" && pwd)
LD_LIBRARY_PATH="$x/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
  exec "$x/usr/sbin/haproxy" "$@"
SH
  chmod +x "$dir/bin/haproxy"
fi
if [ -d "$dir/x-openssh-server" ]; then
  # sshd re-executes itself by its absolute path: the unpacked binary.
  cat > "$dir/bin/sshd" <<'SH'
#!/bin/sh
x=$(cd "$(dirname "$0")/../x-openssh-server" && pwd)
LD_LIBRARY_PATH="$x/lib/x86_64-linux-gnu:$x/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
  exec "$x/usr/sbin/sshd" "$@"
SH
  chmod +x "$dir/bin/sshd"
  ln -sf "../x-openssh-server/usr/lib/openssh/sftp-server" "$dir/bin/sftp-server"
fi
exit 0
