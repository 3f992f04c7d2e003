#!/usr/bin/env bash
# Side by side on this host, in one run: the tend agent collecting every 1 s
# (default config, which keeps every sample in its metric store; one with
# the store off; one with process groups off) and Debian's
# prometheus-node-exporter, all scraped every 1 s for DURATION seconds.
#
#   usage: bench/compare_node_exporter.sh TEND_BINARY PEERS_BIN_DIR [DURATION]
#
# CPU is the sum of every thread's on-CPU time from /proc/PID/task/*/schedstat
# (nanosecond resolution), measured over the window after a warm-up; peak
# RSS is VmHWM. Prints a Markdown table; exits non-zero if a process dies.
set -euo pipefail
tend=${1:?usage: compare_node_exporter.sh TEND_BINARY PEERS_BIN_DIR [DURATION]}
peers=${2:?usage}
duration=${3:-60}
ne="$peers/prometheus-node-exporter"
[ -x "$tend" ] || { echo "no tend binary at $tend" >&2; exit 1; }
[ -x "$ne" ] || { echo "no node_exporter at $ne (run scripts/peers.sh)" >&2; exit 1; }

work=$(mktemp -d /tmp/tend-bench-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {  # a loopback port nothing answers on
  local p
  while :; do
    p=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

cpu_ns() {  # total on-CPU nanoseconds of all threads of PID
  local total=0 t v
  for t in /proc/"$1"/task/*/schedstat; do
    read -r v _ < "$t" || continue
    total=$((total + v))
  done
  echo "$total"
}

hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

metric() {  # metric ADDR NAME: the value of an unlabelled sample
  curl -fsS "http://$1/metrics" | awk -v n="$2" '$1 == n {print $2}'
}

cat > "$work/noproc.yml" <<'YML'
collectors:
  processes:
    enabled: false
YML
cat > "$work/nostore.yml" <<'YML'
storage:
  enabled: false
YML

p_tend=$(free_port); p_noproc=$(free_port); p_ne=$(free_port)
p_nostore=$(free_port)
"$tend" agent --data-dir "$work/d1" --listen "127.0.0.1:$p_tend" \
  --log-level warn > "$work/tend.log" 2>&1 &
pids+=($!); pid_tend=$!
"$tend" agent --data-dir "$work/d2" --listen "127.0.0.1:$p_noproc" \
  --config "$work/noproc.yml" --log-level warn > "$work/noproc.log" 2>&1 &
pids+=($!); pid_noproc=$!
"$tend" agent --data-dir "$work/d3" --listen "127.0.0.1:$p_nostore" \
  --config "$work/nostore.yml" --log-level warn > "$work/nostore.log" 2>&1 &
pids+=($!); pid_nostore=$!
"$ne" --web.listen-address="127.0.0.1:$p_ne" --log.level=warn \
  > "$work/ne.log" 2>&1 &
pids+=($!); pid_ne=$!

for addr in "127.0.0.1:$p_tend" "127.0.0.1:$p_noproc" "127.0.0.1:$p_nostore"; do
  for _ in $(seq 100); do curl -fs "http://$addr/-/ready" >/dev/null && break; sleep 0.1; done
done
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$p_ne/metrics" >/dev/null && break; sleep 0.1; done
sleep 3  # Warm-up: first scrapes, allocator growth, process baselines.

c0_tend=$(cpu_ns $pid_tend); c0_noproc=$(cpu_ns $pid_noproc); c0_ne=$(cpu_ns $pid_ne)
c0_nostore=$(cpu_ns $pid_nostore)
cy0_nostore=$(metric "127.0.0.1:$p_nostore" tend_collection_cycles_total)
cy0_tend=$(metric "127.0.0.1:$p_tend" tend_collection_cycles_total)
cy0_noproc=$(metric "127.0.0.1:$p_noproc" tend_collection_cycles_total)
start=$(date +%s.%N)
scrapes=0
end=$(( $(date +%s) + duration ))
while [ "$(date +%s)" -lt "$end" ]; do
  curl -fsS -o /dev/null "http://127.0.0.1:$p_ne/metrics"
  curl -fsS -o /dev/null "http://127.0.0.1:$p_tend/metrics"
  curl -fsS -o /dev/null "http://127.0.0.1:$p_noproc/metrics"
  curl -fsS -o /dev/null "http://127.0.0.1:$p_nostore/metrics"
  scrapes=$((scrapes + 1))
  sleep 1
done
elapsed=$(echo "$(date +%s.%N) - $start" | bc -l)
c1_tend=$(cpu_ns $pid_tend); c1_noproc=$(cpu_ns $pid_noproc); c1_ne=$(cpu_ns $pid_ne)
c1_nostore=$(cpu_ns $pid_nostore)
cy1_nostore=$(metric "127.0.0.1:$p_nostore" tend_collection_cycles_total)
series=$(metric "127.0.0.1:$p_tend" tend_tsdb_head_series)
cy1_tend=$(metric "127.0.0.1:$p_tend" tend_collection_cycles_total)
cy1_noproc=$(metric "127.0.0.1:$p_noproc" tend_collection_cycles_total)
for p in $pid_tend $pid_noproc $pid_nostore $pid_ne; do
  kill -0 "$p" 2>/dev/null || { echo "process $p died" >&2; exit 1; }
done

awk -v el="$elapsed" -v sc="$scrapes" \
  -v t="$((c1_tend - c0_tend))" -v n="$((c1_noproc - c0_noproc))" \
  -v e="$((c1_ne - c0_ne))" -v s="$((c1_nostore - c0_nostore))" \
  -v sc2="$(echo "$cy1_nostore - $cy0_nostore" | bc)" \
  -v sh="$(hwm_kib $pid_nostore)" -v sr="$(rss_kib $pid_nostore)" \
  -v ser="$series" \
  -v tc="$(echo "$cy1_tend - $cy0_tend" | bc)" \
  -v nc="$(echo "$cy1_noproc - $cy0_noproc" | bc)" \
  -v th="$(hwm_kib $pid_tend)" -v nh="$(hwm_kib $pid_noproc)" \
  -v eh="$(hwm_kib $pid_ne)" \
  -v tr="$(rss_kib $pid_tend)" -v nr="$(rss_kib $pid_noproc)" \
  -v er="$(rss_kib $pid_ne)" 'BEGIN {
  printf "Side by side for %.0f s, each scraped every 1 s (%d scrapes each)\n\n", el, sc
  printf "| process | CPU s | %% of one core | CPU ms per cycle/scrape | RSS MiB | peak RSS MiB |\n"
  printf "|---|---|---|---|---|---|\n"
  printf "| tend agent, default config (%d cycles) | %.3f | %.3f %% | %.3f | %.1f | %.1f |\n", tc, t/1e9, 100*t/1e9/el, t/1e6/tc, tr/1024, th/1024
  printf "| tend agent, store off (%d cycles) | %.3f | %.3f %% | %.3f | %.1f | %.1f |\n", sc2, s/1e9, 100*s/1e9/el, s/1e6/sc2, sr/1024, sh/1024
  printf "| tend agent, process groups off (%d cycles) | %.3f | %.3f %% | %.3f | %.1f | %.1f |\n", nc, n/1e9, 100*n/1e9/el, n/1e6/nc, nr/1024, nh/1024
  printf "| prometheus-node-exporter 1.5 (%d scrapes) | %.3f | %.3f %% | %.3f | %.1f | %.1f |\n", sc, e/1e9, 100*e/1e9/el, e/1e6/sc, er/1024, eh/1024
  printf "\nCPU per tend cycle (process groups off) / CPU per node_exporter scrape: %.3f (target <= 0.25)\n", (n/nc)/(e/sc)
  printf "tend agent, store off: %.3f %% of one core (target <= 0.3 %%), peak RSS %.1f MiB (target <= 25 MiB)\n", 100*s/1e9/el, sh/1024
  printf "tend agent, default config with the store on (%d series in the head): %.3f %% of one core (target <= 0.5 %%), peak RSS %.1f MiB (target <= 40 MiB)\n", ser, 100*t/1e9/el, th/1024
}'
