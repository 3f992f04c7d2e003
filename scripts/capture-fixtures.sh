#!/bin/sh
# Captures the /proc and /sys files tend's collectors read into a fixture
# tree, for unit tests that must run against what real kernels print.
#   usage: capture-fixtures.sh [--statfs-only] [--mounts FILE] OUT_DIR [PID...]
#     --statfs-only  write only OUT_DIR/statfs/ (no /proc, /sys or PID files)
#     --mounts FILE  take the mount points for statfs/ from FILE (a saved
#                    copy of /proc/mounts) instead of the live /proc/mounts;
#                    mount points that do not exist here are skipped
# Besides proc/... and sys/..., it writes OUT_DIR/statfs/<mount point with
# every '/' replaced by '_'> for each mount point, in the format RootedEnv
# reads (src/base/env.cc): lines "bsize N", "blocks N", "bfree N",
# "bavail N", "files N", "ffree N", "ro 0|1".
# PID 1 is never captured (on a real host it is the init system).
# POSIX sh and coreutils/busybox only, so it also runs inside a minimal VM.
set -u
usage='usage: capture-fixtures.sh [--statfs-only] [--mounts FILE] OUT_DIR [PID...]'
statfs_only=0
mounts_file=/proc/mounts
while [ $# -gt 0 ]; do
  case $1 in
    --statfs-only) statfs_only=1; shift ;;
    --mounts)
      [ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }
      mounts_file=$2; shift 2 ;;
    --) shift; break ;;
    -*) echo "capture-fixtures.sh: unknown option $1" >&2; echo "$usage" >&2; exit 2 ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || { echo "$usage" >&2; exit 2; }
out=$1
shift
[ -r "$mounts_file" ] || { echo "capture-fixtures.sh: cannot read $mounts_file" >&2; exit 1; }
mkdir -p "$out"

grab() {  # grab PATH: copy one file's current content, if readable
  [ -r "$1" ] || return 0
  mkdir -p "$out$(dirname "$1")"
  cat "$1" > "$out$1" 2>/dev/null || rm -f "$out$1"
}

# statvfs numbers through `stat -f -c`: %S is f_frsize (the unit of the block
# counts, what statvfs callers multiply by), %s (f_bsize) is the fallback for
# a stat without %S. Prints six numbers or nothing.
fs_numbers() {  # fs_numbers MOUNTPOINT
  fs_mp=$1
  to=
  if command -v timeout >/dev/null 2>&1; then to='timeout 10'; fi
  for fmt in '%S %b %f %a %c %d' '%s %b %f %a %c %d'; do
    nums=$($to stat -f -c "$fmt" "$fs_mp" 2>/dev/null) || continue
    case $nums in
      ''|*[!0-9\ ]*) continue ;;
    esac
    # shellcheck disable=SC2086 # split into the six numbers on purpose
    set -- $nums
    [ $# -eq 6 ] || continue
    echo "$nums"
    return 0
  done
  return 1
}

statfs_one() {  # statfs_one MOUNTPOINT_AS_IN_PROC_MOUNTS OPTIONS
  # /proc/mounts escapes space, tab, newline and backslash as \NNN octal;
  # printf %b decodes them once they are written \0NNN.
  mp=$(printf '%s' "$1" | sed 's/\\\([0-7][0-7][0-7]\)/\\0\1/g')
  mp=$(printf '%b' "$mp")
  if [ ! -d "$mp" ]; then
    echo "capture-fixtures.sh: statfs: skipping $mp (not a directory here)" >&2
    return 0
  fi
  if ! nums=$(fs_numbers "$mp"); then
    echo "capture-fixtures.sh: statfs: skipping $mp (stat -f -c failed or unsupported)" >&2
    return 0
  fi
  ro=0
  case ",$2," in *,ro,*) ro=1 ;; esac
  key=$(printf '%s' "$mp" | tr '/' '_')
  # shellcheck disable=SC2086 # split into the six numbers on purpose
  set -- $nums
  # A mount point listed twice is overmounted: statvfs sees the last mount, so
  # the last line's options win, which overwriting gives.
  printf 'bsize %s\nblocks %s\nbfree %s\nbavail %s\nfiles %s\nffree %s\nro %s\n' \
    "$1" "$2" "$3" "$4" "$5" "$6" "$ro" > "$out/statfs/$key"
}

capture_statfs() {
  mkdir -p "$out/statfs"
  # Read from a copy: stat'ing automount points may change the live table.
  tab=$(cat "$mounts_file")
  printf '%s\n' "$tab" | while read -r _dev mp _type opts _rest; do
    [ -n "${mp:-}" ] || continue
    statfs_one "$mp" "${opts:-}"
  done
}

capture_statfs
[ "$statfs_only" -eq 1 ] && exit 0

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
  if [ "$pid" = 1 ]; then
    echo "capture-fixtures.sh: refusing to capture PID 1" >&2
    continue
  fi
  for f in stat status io cmdline comm; do grab "/proc/$pid/$f"; done
  if [ -d "/proc/$pid/fd" ]; then
    mkdir -p "$out/proc/$pid/fd"
    for fd in "/proc/$pid/fd/"*; do : > "$out/proc/$pid/fd/$(basename "$fd")"; done
  fi
done
exit 0
