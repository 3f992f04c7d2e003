#!/usr/bin/env bash
# Side by side with monit 5.33 (Debian's, unpacked by scripts/peers.sh) at
# its fastest polling, `set daemon 1`: how long after a SIGKILL a supervised
# process is running again, measured the same way for both from outside by
# tests/tools/restart_latency.cc (build target restart_latency).
#
#   usage: bench/compare_monit.sh BIN_DIR PEERS_BIN_DIR [KILLS]
#
# The supervised program is the same script for both: it writes its pid to
# a pidfile and execs sleep. Each round SIGKILLs the pid in the pidfile and
# polls (every 200 µs) until the pidfile names a new live process that has
# exec'ed; rounds are 1.2 s apart so monit's 1 s cycle is caught at every
# phase. monit runs the script through `start program` (in the background,
# as monit requires a start program to return); tend supervises it
# directly (`supervise:` with a budget larger than KILLS). Also reported:
# each supervisor's CPU time and peak RSS over the run (from /proc).
#
# Prints a Markdown table. Everything runs in a temp dir; only processes
# this script started are stopped, by pid.
set -euo pipefail
bin=${1:?usage: compare_monit.sh BIN_DIR PEERS_BIN_DIR [KILLS]}
peers=${2:?usage: compare_monit.sh BIN_DIR PEERS_BIN_DIR [KILLS]}
kills=${3:-${BENCH_KILLS:-40}}
tend="$bin/tend"
measure="$bin/restart_latency"
monit="$peers/monit"
[ -x "$tend" ] || { echo "no tend binary at $tend" >&2; exit 1; }
[ -x "$measure" ] || { echo "no restart_latency at $measure (build it)" >&2; exit 1; }
[ -x "$monit" ] || { echo "no monit at $monit (run scripts/peers.sh)" >&2; exit 1; }

work=$(mktemp -d /tmp/tend-bench-monit-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  for f in "$work"/*/victim.pid; do
    [ -r "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
log() { echo "compare_monit: $*" >&2; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hwm_kib() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
hz=$(getconf CLK_TCK)

victim() {  # DIR: the supervised script
  cat > "$1/victim.sh" <<SH
#!/bin/sh
echo \$\$ > $1/victim.pid
exec /bin/sleep 100000
SH
  chmod +x "$1/victim.sh"
}

run() {  # NAME PID DIR -> "median p90 max cpu_s rss_mib"
  local name=$1 pid=$2 dir=$3
  local c0 c1 json
  c0=$(cpu_ticks "$pid")
  json=$("$measure" "$dir/victim.pid" "$kills" 1200 30000)
  c1=$(cpu_ticks "$pid")
  local rss
  rss=$(hwm_kib "$pid")
  python3 - "$json" "$c0" "$c1" "$hz" "$rss" "$name" <<'PY'
import json, sys
j = json.loads(sys.argv[1]); c0, c1, hz, rss = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
if j["timeouts"]:
    sys.exit(f"{sys.argv[6]}: {j['timeouts']} kills were not replaced within 30 s")
print(f'{j["median_ms"]:.1f} {j["p90_ms"]:.1f} {j["max_ms"]:.1f} {(c1 - c0) / hz:.2f} {rss / 1024:.1f}')
PY
}

# monit
mkdir -p "$work/monit"
victim "$work/monit"
cat > "$work/monit/monitrc" <<EOF2
set daemon 1
set pidfile $work/monit/monit.pid
set idfile $work/monit/monit.id
set statefile $work/monit/monit.state
set logfile $work/monit/monit.log
check process victim with pidfile $work/monit/victim.pid
  start program = "/bin/sh -c '$work/monit/victim.sh >/dev/null 2>&1 &'"
  stop program = "/bin/true"
EOF2
chmod 600 "$work/monit/monitrc"
"$monit" -I -c "$work/monit/monitrc" >"$work/monit/out.log" 2>&1 &
mpid=$!
pids+=("$mpid")
log "monit (pid $mpid): $kills kills"
read -r m_med m_p90 m_max m_cpu m_rss < <(run monit "$mpid" "$work/monit")
kill "$mpid"; wait "$mpid" 2>/dev/null || true
kill "$(cat "$work/monit/victim.pid")" 2>/dev/null || true

# tend
mkdir -p "$work/tend"
victim "$work/tend"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/tend/tend.yml" <<EOF2
agent: {listen: "127.0.0.1:$port"}
logs: {enabled: false}
supervise:
  - name: victim
    argv: [$work/tend/victim.sh]
    min_uptime: 0s
    budget: {max_runs: 0}
EOF2
"$tend" agent -c "$work/tend/tend.yml" --data-dir "$work/tend/data" \
  >"$work/tend/out.log" 2>&1 &
tpid=$!
pids+=("$tpid")
log "tend (pid $tpid): $kills kills"
read -r t_med t_p90 t_max t_cpu t_rss < <(run tend "$tpid" "$work/tend")

ratio() { python3 -c "print(f'{$1 / $2:.3f}')"; }
cat <<EOF2
| SIGKILL -> replacement running ($kills kills) | monit 5.33 (set daemon 1) | tend | tend / monit |
|---|---|---|---|
| median | $m_med ms | $t_med ms | **$(ratio "$t_med" "$m_med")** |
| p90 | $m_p90 ms | $t_p90 ms | **$(ratio "$t_p90" "$m_p90")** |
| max | $m_max ms | $t_max ms | $(ratio "$t_max" "$m_max") |
| supervisor CPU over the run | $m_cpu s | $t_cpu s | — |
| supervisor peak RSS | $m_rss MiB | $t_rss MiB | $(ratio "$t_rss" "$m_rss") |
EOF2
