#!/bin/sh
# Captures the /proc and /sys files tend's collectors read into a fixture
# tree, for unit tests that must run against what real kernels print.
#   usage: capture-fixtures.sh OUT_DIR [PID...]
# POSIX sh and coreutils/busybox only, so it also runs inside a minimal VM.
set -u
out=${1:?usage: capture-fixtures.sh OUT_DIR [PID...]}
shift
mkdir -p "$out"

grab() {  # grab PATH: copy one file's current content, if readable
  [ -r "$1" ] || return 0
  mkdir -p "$out$(dirname "$1")"
  cat "$1" > "$out$1" 2>/dev/null || rm -f "$out$1"
}

for f in stat meminfo loadavg vmstat diskstats mounts uptime version \
         sys/kernel/random/entropy_avail sys/kernel/random/poolsize \
         sys/fs/file-nr sys/kernel/hostname sys/kernel/osrelease \
         sys/kernel/ostype sys/kernel/version sys/kernel/domainname \
         net/dev net/netstat net/snmp net/snmp6 net/sockstat net/sockstat6 \
         pressure/cpu pressure/memory pressure/io self/mounts; do
  grab "/proc/$f"
done
for dev in /sys/class/net/*; do
  name=$(basename "$dev")
  for a in address addr_assign_type broadcast carrier carrier_changes dev_id \
           dormant duplex flags ifalias ifindex iflink mtu name_assign_type \
           operstate speed tx_queue_len type; do
    f="$dev/$a"
    [ -r "$f" ] || continue
    mkdir -p "$out/sys/class/net/$name"
    cat "$f" > "$out/sys/class/net/$name/$a" 2>/dev/null || rm -f "$out/sys/class/net/$name/$a"
  done
done
for pid in "$@"; do
  for f in stat status io cmdline comm; do grab "/proc/$pid/$f"; done
  if [ -d "/proc/$pid/fd" ]; then
    mkdir -p "$out/proc/$pid/fd"
    for fd in /proc/$pid/fd/*; do : > "$out/proc/$pid/fd/$(basename "$fd")"; done
  fi
done
exit 0
