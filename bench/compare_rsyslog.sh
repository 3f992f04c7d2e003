#!/usr/bin/env bash
# Side by side with rsyslog 8.2302 (Debian's, unpacked by scripts/peers.sh)
# collecting logs, in one run, one collector at a time on the same input:
#
#  (a) file tailing: LINES (default 2,000,000) syslog lines, written to a
#      file beforehand, read from its beginning. rsyslog: imfile -> omfile
#      (RSYSLOG_FileFormat); tend: a file source (parser syslog) -> the log
#      store (compressed, indexed, queryable).
#  (b) syslog over TCP: the same lines with a <PRI>, octet-counted (RFC 6587),
#      sent over one loopback connection by cat(1) from a prepared file.
#      rsyslog: imtcp -> omfile; tend: a syslog source -> the log store.
#
#   usage: bench/compare_rsyslog.sh BIN_DIR PEERS_BIN_DIR [LINES]
#
# The lines are the loghub Linux and OpenSSH samples
# (../shared/data/loghub, or LOGHUB_DIR) repeated, with timestamps
# rewritten to increase by one second per 1000 lines, ending about half an
# hour ago. The last line carries a unique marker.
#
# Figures, per collector and scenario:
#  - wall: (a) from the collector's start, (b) from the first byte sent,
#    until every line is written (rsyslog: the marker is the output file's
#    last line, then `wc -l` = LINES) or committed (tend: /api/v1/status
#    data.logs.store.lines_committed = LINES; polled every 50 ms);
#  - CPU: utime + stime from /proc/PID/stat over the same span (clock
#    ticks, so +-10 ms; (a) includes start-up);
#  - peak RSS: VmHWM;
#  - disk: rsyslog's output file; tend's log store (du -sb DATA/logs).
# tend's stored line count is then checked through LogQL
# (count_over_time); a mismatch fails the script.
#
# Prints a Markdown table with tend / rsyslog ratios. Everything runs on
# loopback in a temp dir; only the processes this script started are
# stopped, by pid.
set -euo pipefail
bin=${1:?usage: compare_rsyslog.sh BIN_DIR PEERS_BIN_DIR [LINES]}
peers=${2:?usage: compare_rsyslog.sh BIN_DIR PEERS_BIN_DIR [LINES]}
lines=${3:-${BENCH_LOG_LINES:-2000000}}
tend="$bin/tend"
rsyslogd="$peers/rsyslogd"
here=$(cd "$(dirname "$0")" && pwd)
loghub=${LOGHUB_DIR:-$here/../../shared/data/loghub}
[ -x "$tend" ] || { echo "no tend binary at $tend" >&2; exit 1; }
[ -x "$rsyslogd" ] || { echo "no rsyslogd at $rsyslogd (run scripts/peers.sh)" >&2; exit 1; }
for f in Linux_2k.log OpenSSH_2k.log; do
  [ -r "$loghub/$f" ] || { echo "no $loghub/$f (set LOGHUB_DIR)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/tend-bench-rsyslog-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

log() { echo "compare_rsyslog: $*" >&2; }

free_port() {  # a loopback port nothing answers on
  local p
  while :; do
    p=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

tck=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
now() { date +%s.%N; }
marker="bench-end-marker-$$"

# --- input -------------------------------------------------------------
log "generating $lines lines"
perl -e '
  use strict; use POSIX qw(strftime);
  my ($n, $marker, $plain, $framed, @files) = @ARGV;
  my @rest;
  for my $f (@files) {
    open(my $in, "<", $f) or die "$f: $!";
    while (<$in>) {
      s/\r?\n$//;
      # "Mmm dd hh:mm:ss " is 16 bytes; keep what follows.
      push @rest, substr($_, 15) if length($_) > 16;
    }
  }
  open(my $p, ">", $plain) or die "$plain: $!";
  open(my $t, ">", $framed) or die "$framed: $!";
  my $t0 = time() - 1800 - int($n / 1000);
  my ($sec, $ts) = (-1, "");
  for my $i (0 .. $n - 1) {
    my $s = $t0 + int($i / 1000);
    if ($s != $sec) { $sec = $s; $ts = strftime("%b %e %H:%M:%S", localtime($s)); }
    my $l = $ts . $rest[$i % @rest];
    $l .= " $marker" if $i == $n - 1;
    print $p $l, "\n";
    my $m = "<38>" . $l;
    { use bytes; print $t length($m), " ", $m; }
  }
  close($p) or die; close($t) or die;
' "$lines" "$marker" "$work/in.log" "$work/in.frames" \
  "$loghub/Linux_2k.log" "$loghub/OpenSSH_2k.log"
in_bytes=$(stat -c %s "$work/in.log")

# --- helpers -------------------------------------------------------------
# Waits until rsyslog's output OUT holds every line; 1 on timeout.
wait_rsyslog() {
  local out=$1 deadline=$(($(date +%s) + 600))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if [ -s "$out" ]; then
      case "$(tail -c 512 "$out")" in
        *"$marker"*) [ "$(wc -l < "$out")" -ge "$lines" ] && return 0 ;;
      esac
    fi
    sleep 0.05
  done
  return 1
}

# Waits until the tend agent at ADDR has committed every line; 1 on timeout.
wait_tend() {
  local addr=$1 deadline=$(($(date +%s) + 600)) c
  while [ "$(date +%s)" -lt "$deadline" ]; do
    c=$(curl -fsS "http://$addr/api/v1/status" 2>/dev/null |
        grep -o '"lines_committed":[0-9]*' | cut -d: -f2 || true)
    [ -n "$c" ] && [ "$c" -ge "$lines" ] && return 0
    sleep 0.05
  done
  return 1
}

# The number of lines tend's store holds for SOURCE, through LogQL.
tend_count() {
  curl -fsS -G "http://$1/loki/api/v1/query" \
    --data-urlencode "query=sum(count_over_time({source=\"$2\"}[1d]))" |
    grep -o '"value":\[[^]]*\]' | sed 's/.*,"\([0-9.]*\)"\]/\1/'
}

start_rsyslog() {  # start_rsyslog NAME CONF: sets pid_r
  "$rsyslogd" -n -f "$2" -i "$work/$1.pid" > "$work/$1.log" 2>&1 &
  pid_r=$!
  pids+=("$pid_r")
}

start_tend() {  # start_tend NAME CONF ADDR: sets pid_t once it is ready
  "$tend" agent --data-dir "$work/$1" --config "$2" --listen "$3" \
    --log-level warn > "$work/$1.log" 2>&1 &
  pid_t=$!
  pids+=("$pid_t")
}

wait_ready() {  # wait_ready ADDR
  for _ in $(seq 300); do
    curl -fs "http://$1/-/ready" >/dev/null && return 0
    sleep 0.05
  done
  echo "tend at $1 did not become ready" >&2
  return 1
}

wait_port() {  # wait_port PORT
  for _ in $(seq 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "nothing listens on $1" >&2
  return 1
}

stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# Results: name -> "wall cpu_s hwm_kib disk_bytes".
declare -A res

# --- (a) file tailing ------------------------------------------------------
mkdir -p "$work/rs-file"
cat > "$work/rs-file.conf" <<EOF
global(workDirectory="$work/rs-file")
module(load="imfile" mode="inotify")
input(type="imfile" file="$work/in.log" tag="bench:" ruleset="out")
ruleset(name="out") {
  action(type="omfile" file="$work/rs-file/out.log" template="RSYSLOG_FileFormat")
}
EOF
log "(a) rsyslog imfile"
t0=$(now)
start_rsyslog rs-file "$work/rs-file.conf"
wait_rsyslog "$work/rs-file/out.log" || { echo "rsyslog did not finish"; cat "$work/rs-file.log"; exit 1; } >&2
t1=$(now)
res[rs_file]="$(echo "$t1 - $t0" | bc -l) $(cpu_ticks $pid_r) $(hwm_kib $pid_r) $(stat -c %s "$work/rs-file/out.log")"
stop "$pid_r"

addr="127.0.0.1:$(free_port)"
cat > "$work/tend-file.yml" <<EOF
logs:
  sources:
    - name: bench
      paths: [$work/in.log]
      parser: syslog
      start_at: beginning
EOF
log "(a) tend file source"
t0=$(now)
start_tend tend-file "$work/tend-file.yml" "$addr"
wait_tend "$addr" || { echo "tend did not finish"; cat "$work/tend-file.log"; exit 1; } >&2
t1=$(now)
res[tend_file]="$(echo "$t1 - $t0" | bc -l) $(cpu_ticks $pid_t) $(hwm_kib $pid_t) $(du -sb "$work/tend-file/logs" | cut -f1)"
n=$(tend_count "$addr" bench)
[ "$n" = "$lines" ] || { echo "tend stored $n lines of $lines (file)" >&2; exit 1; }
stop "$pid_t"

# --- (b) syslog over TCP ---------------------------------------------------
port=$(free_port)
mkdir -p "$work/rs-tcp"
cat > "$work/rs-tcp.conf" <<EOF
global(workDirectory="$work/rs-tcp")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="$port" ruleset="out")
ruleset(name="out") {
  action(type="omfile" file="$work/rs-tcp/out.log" template="RSYSLOG_FileFormat")
}
EOF
log "(b) rsyslog imtcp"
start_rsyslog rs-tcp "$work/rs-tcp.conf"
wait_port "$port"
sleep 0.5
c0=$(cpu_ticks $pid_r)
t0=$(now)
cat "$work/in.frames" > "/dev/tcp/127.0.0.1/$port"
wait_rsyslog "$work/rs-tcp/out.log" || { echo "rsyslog did not finish"; cat "$work/rs-tcp.log"; exit 1; } >&2
t1=$(now)
res[rs_tcp]="$(echo "$t1 - $t0" | bc -l) $(($(cpu_ticks $pid_r) - c0)) $(hwm_kib $pid_r) $(stat -c %s "$work/rs-tcp/out.log")"
stop "$pid_r"

port=$(free_port)
addr="127.0.0.1:$(free_port)"
cat > "$work/tend-tcp.yml" <<EOF
logs:
  sources:
    - name: net
      type: syslog
      tcp: ["127.0.0.1:$port"]
EOF
log "(b) tend syslog source"
start_tend tend-tcp "$work/tend-tcp.yml" "$addr"
wait_ready "$addr"
wait_port "$port"
sleep 0.5
c0=$(cpu_ticks $pid_t)
t0=$(now)
cat "$work/in.frames" > "/dev/tcp/127.0.0.1/$port"
wait_tend "$addr" || { echo "tend did not finish"; cat "$work/tend-tcp.log"; exit 1; } >&2
t1=$(now)
res[tend_tcp]="$(echo "$t1 - $t0" | bc -l) $(($(cpu_ticks $pid_t) - c0)) $(hwm_kib $pid_t) $(du -sb "$work/tend-tcp/logs" | cut -f1)"
n=$(tend_count "$addr" net)
[ "$n" = "$lines" ] || { echo "tend stored $n lines of $lines (tcp)" >&2; exit 1; }
stop "$pid_t"

# --- report ----------------------------------------------------------------
tend_version=$("$tend" version 2>/dev/null | head -n1 || echo tend)
awk -v n="$lines" -v inb="$in_bytes" -v tck="$tck" -v tv="$tend_version" \
  -v rf="${res[rs_file]}" -v tf="${res[tend_file]}" \
  -v rt="${res[rs_tcp]}" -v tt="${res[tend_tcp]}" '
function row(what, r, t, fmt) {
  printf "| %s | " fmt " | " fmt " | %.2f |\n", what, r, t, (r > 0 ? t / r : 0)
}
function block(title, rs, te,   a, b) {
  split(rs, a, " "); split(te, b, " ")
  printf "| **%s** | | | |\n", title
  row("wall time to ingest everything, s", a[1], b[1], "%.2f")
  row("lines/s", n / a[1], n / b[1], "%.0f")
  row("MiB/s of input", inb / 1048576 / a[1], inb / 1048576 / b[1], "%.1f")
  row("CPU s (user + system)", a[2] / tck, b[2] / tck, "%.2f")
  row("peak RSS MiB", a[3] / 1024, b[3] / 1024, "%.1f")
  row("bytes on disk, MiB", a[4] / 1048576, b[4] / 1048576, "%.1f")
}
BEGIN {
  printf "Log collection side by side: %d syslog lines (%.1f MiB) from the loghub Linux and OpenSSH samples\n\n", n, inb / 1048576
  printf "| figure | rsyslog 8.2302 | %s | tend / rsyslog |\n", tv
  printf "|---|---|---|---|\n"
  block("(a) tail a file: imfile -> omfile vs file source -> log store", rf, tf)
  block("(b) syslog over TCP, octet-counted: imtcp -> omfile vs syslog source -> log store", rt, tt)
  printf "\nrsyslog writes plain text (RSYSLOG_FileFormat); tend writes its compressed, indexed log store, and every line was counted back through LogQL.\n"
  printf "Wall and CPU of (a) include start-up; (b) starts at the first byte sent. Lower is better except lines/s and MiB/s.\n"
}'
