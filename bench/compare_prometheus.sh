#!/usr/bin/env bash
# Side by side with Prometheus 2.42 in one run, on the same data: one day of
# 1,000 host-like series at 10 s from tests/tools/hostdata_gen.cc (8.6
# million samples), backfilled into 2 h blocks by `tend tsdb import` and by
# `promtool tsdb create-blocks-from openmetrics`.
#
#   usage: bench/compare_prometheus.sh TEND_BINARY PEERS_BIN_DIR GEN_BINARY
#
# Measures
#  - bytes on disk per sample: du -sb of the block directories each importer
#    wrote (chunks, index, meta), over the samples in their meta.json; again
#    once both servers have compacted them (as served);
#  - query latency through both HTTP APIs for a dashboard set, each a
#    query_range over the day at 60 s: 3 warm-up runs, then RUNS (default
#    25) runs alternating tend / Prometheus, timed by curl's
#    %{time_total} (request sent to last byte received, on loopback); median
#    and p90 per query, and the tend / Prometheus ratio of the medians.
#    Both servers run with nothing to scrape or collect meanwhile (tend
#    collects once an hour), and are measured after their compactions
#    settled.
#
# Prints a Markdown report to stdout and writes it to
# bench/results/prometheus.md. Everything listens on loopback, lives in a
# temp dir, and only the processes this script started are stopped.
set -euo pipefail
tend=${1:?usage: compare_prometheus.sh TEND_BINARY PEERS_BIN_DIR GEN_BINARY}
peers=${2:?usage: compare_prometheus.sh TEND_BINARY PEERS_BIN_DIR GEN_BINARY}
gen=${3:?usage: compare_prometheus.sh TEND_BINARY PEERS_BIN_DIR GEN_BINARY}
runs=${RUNS:-25}
prom="$peers/prometheus"
promtool="$peers/promtool"
for b in "$tend" "$prom" "$promtool" "$gen"; do
  [ -x "$b" ] || { echo "no executable at $b (scripts/peers.sh unpacks the peers)" >&2; exit 1; }
done
here=$(cd "$(dirname "$0")" && pwd)
result="$here/results/prometheus.md"
mkdir -p "$here/results"

# The generated day: [end - 1d, end), end = 2023-11-15T00:00Z (2 h aligned).
end=1700006400
start=$((end - 86400))

work=$(mktemp -d /tmp/tend-bench-prom-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

log() { echo "compare_prometheus: $*" >&2; }

free_port() {  # a loopback port nothing answers on
  local p
  while :; do
    p=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

block_dirs() {  # the block directories (those with a meta.json) under $1
  local d
  for d in "$1"/*/; do [ -f "$d/meta.json" ] && echo "${d%/}"; done
  return 0
}
block_count() { block_dirs "$1" | wc -l; }
block_bytes() {  # du -sb over the block directories
  local dirs
  mapfile -t dirs < <(block_dirs "$1")
  du -sbc "${dirs[@]}" | tail -1 | cut -f1
}
block_samples() {  # sum of numSamples over the blocks' meta.json
  local d total=0 n
  for d in $(block_dirs "$1"); do
    n=$(grep -o '"numSamples": *[0-9]*' "$d/meta.json" | tr -dc '0-9')
    total=$((total + n))
  done
  echo "$total"
}

now_s() { date +%s.%N; }

# Waits until the block directories under $1 (and no *.tmp* directory) stay
# the same for 15 s, at least $2 seconds after $3 (a start time): Prometheus
# first compacts a minute after it starts.
wait_settled() {
  local dir=$1 min=$2 since=$3 last="" cur stable=0
  while :; do
    cur=$(ls "$dir")
    if [ "$cur" = "$last" ] && ! grep -q tmp <<<"$cur"; then
      stable=$((stable + 1))
    else
      stable=0
    fi
    last=$cur
    if [ "$stable" -ge 15 ] &&
       [ "$(echo "$(now_s) - $since >= $min" | bc)" = 1 ]; then
      return
    fi
    sleep 1
  done
}

# --- Data ------------------------------------------------------------------
om="$work/host.om"
log "generating 1000 series x 1 day at 10 s"
"$gen" --series 1000 --duration 1d --step 10s --end "$end" --seed 1 --out "$om"

log "importing with promtool"
mkdir -p "$work/prom"
t0=$(now_s)
"$promtool" tsdb create-blocks-from openmetrics --quiet "$om" "$work/prom" >/dev/null
prom_import_s=$(echo "$(now_s) - $t0" | bc -l)

log "importing with tend tsdb import"
t0=$(now_s)
"$tend" tsdb import "$om" --data-dir "$work/tend" --log-level warn >/dev/null
tend_import_s=$(echo "$(now_s) - $t0" | bc -l)
rm -f "$om"

prom_blocks=$(block_count "$work/prom")
tend_blocks=$(block_count "$work/tend/tsdb")
prom_bytes=$(block_bytes "$work/prom")
tend_bytes=$(block_bytes "$work/tend/tsdb")
prom_samples=$(block_samples "$work/prom")
tend_samples=$(block_samples "$work/tend/tsdb")
tend_stats=$("$tend" tsdb stats --data-dir "$work/tend")

# --- Servers ---------------------------------------------------------------
echo "scrape_configs: []" > "$work/prometheus.yml"
cat > "$work/tend.yml" <<'YML'
agent:
  interval: 1h
storage:
  retention: 100y
YML
p_prom=$(free_port)
p_tend=$(free_port)
started=$(now_s)
"$prom" --config.file="$work/prometheus.yml" \
  --storage.tsdb.path="$work/prom" --storage.tsdb.retention.time=100y \
  --web.listen-address="127.0.0.1:$p_prom" --log.level=warn \
  > "$work/prometheus.log" 2>&1 &
pids+=($!); pid_prom=$!
"$tend" agent --config "$work/tend.yml" --data-dir "$work/tend" \
  --listen "127.0.0.1:$p_tend" --log-level warn > "$work/tend.log" 2>&1 &
pids+=($!); pid_tend=$!
for url in "http://127.0.0.1:$p_prom/-/ready" "http://127.0.0.1:$p_tend/-/ready"; do
  for _ in $(seq 600); do curl -fs -o /dev/null "$url" && break; sleep 0.1; done
  curl -fs -o /dev/null "$url" || { echo "not ready: $url" >&2; exit 1; }
done
log "waiting for both stores to finish compacting"
wait_settled "$work/prom" 75 "$started"
wait_settled "$work/tend/tsdb" 0 "$started"
prom_blocks_served=$(block_count "$work/prom")
tend_blocks_served=$(block_count "$work/tend/tsdb")
prom_bytes_served=$(block_bytes "$work/prom")
tend_bytes_served=$(block_bytes "$work/tend/tsdb")

# --- Queries ---------------------------------------------------------------
queries=(
  'sum by (mode) (rate(node_cpu_seconds_total[5m]))'
  '1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m]))'
  'avg by (instance) (node_load1)'
  'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))'
  'topk(5, node_memory_MemAvailable_bytes)'
  'rate(node_network_receive_bytes_total[5m])'
  'node_filesystem_avail_bytes{mountpoint="/"} / 1e9'
)

# time_one ADDR QUERY OUT: seconds for one query_range, the body in OUT.
time_one() {
  curl -fsS -o "$3" -w '%{time_total}' "http://$1/api/v1/query_range" \
    --data-urlencode "query=$2" --data-urlencode "start=$start" \
    --data-urlencode "end=$end" --data-urlencode "step=60"
}

# quantile Q: of the numbers on stdin (nearest rank).
quantile() {
  sort -g | awk -v q="$1" '{v[NR] = $1} END {
    i = int(q * NR + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR; print v[i] }'
}

rows=""
for q in "${queries[@]}"; do
  log "timing: $q"
  for _ in 1 2 3; do
    time_one "127.0.0.1:$p_tend" "$q" /dev/null >/dev/null
    time_one "127.0.0.1:$p_prom" "$q" /dev/null >/dev/null
  done
  : > "$work/t.txt"
  : > "$work/p.txt"
  for _ in $(seq "$runs"); do
    time_one "127.0.0.1:$p_tend" "$q" "$work/t.json" >> "$work/t.txt"; echo >> "$work/t.txt"
    time_one "127.0.0.1:$p_prom" "$q" "$work/p.json" >> "$work/p.txt"; echo >> "$work/p.txt"
  done
  if cmp -s "$work/t.json" "$work/p.json"; then same="identical"; else same="differs"; fi
  tm=$(quantile 0.5 < "$work/t.txt"); t9=$(quantile 0.9 < "$work/t.txt")
  pm=$(quantile 0.5 < "$work/p.txt"); p9=$(quantile 0.9 < "$work/p.txt")
  size=$(stat -c %s "$work/p.json")
  rows+=$(awk -v q="$q" -v tm="$tm" -v t9="$t9" -v pm="$pm" -v p9="$p9" \
    -v same="$same" -v size="$size" 'BEGIN {
    gsub(/\|/, "\\|", q)
    printf "| `%s` | %.1f | %.1f | %.1f | %.1f | %.2f | %s (%.0f KiB) |\n",
      q, tm * 1000, t9 * 1000, pm * 1000, p9 * 1000, tm / pm, same, size / 1024 }')
  rows+=$'\n'
done
for p in $pid_prom $pid_tend; do
  kill -0 "$p" 2>/dev/null || { echo "process $p died" >&2; exit 1; }
done

# --- Report ----------------------------------------------------------------
prom_version=$("$prom" --version 2>&1 | head -1 | awk '{print $3}')
{
  echo "## tend vs Prometheus $prom_version: storage and query latency"
  echo
  echo "Same data for both: tend_hostdata_gen, 1,000 host-like series x 1 day"
  echo "at 10 s ($tend_samples samples), backfilled into 2 h blocks."
  echo
  echo "| store | import s | blocks | bytes on disk | bytes per sample | blocks as served | bytes as served | bytes per sample as served |"
  echo "|---|---|---|---|---|---|---|---|"
  awk -v s="$tend_samples" -v b="$tend_bytes" -v n="$tend_blocks" \
    -v i="$tend_import_s" -v sn="$tend_blocks_served" -v sb="$tend_bytes_served" 'BEGIN {
    printf "| tend (`tend tsdb import`) | %.1f | %d | %d | %.3f | %d | %d | %.3f |\n",
      i, n, b, b / s, sn, sb, sb / s }'
  awk -v s="$prom_samples" -v b="$prom_bytes" -v n="$prom_blocks" \
    -v i="$prom_import_s" -v sn="$prom_blocks_served" -v sb="$prom_bytes_served" 'BEGIN {
    printf "| Prometheus (`promtool tsdb create-blocks-from openmetrics`) | %.1f | %d | %d | %.3f | %d | %d | %.3f |\n",
      i, n, b, b / s, sn, sb, sb / s }'
  echo
  awk -v tb="$tend_bytes" -v ts="$tend_samples" -v pb="$prom_bytes" \
    -v ps="$prom_samples" 'BEGIN {
    printf "Bytes per sample, tend / Prometheus: %.2f (target <= 0.8)\n",
      (tb / ts) / (pb / ps) }'
  echo
  echo "Both compact the 2 h blocks once they serve them (\"as served\": after"
  echo "their compactions settled). \`tend tsdb stats\` after the import:"
  echo
  echo '```'
  echo "$tend_stats"
  echo '```'
  echo
  echo "Query latency through each HTTP API: query_range over the day at 60 s"
  echo "(1,441 steps), $runs runs each after 3 warm-ups, alternating, timed by"
  echo "curl (%{time_total}, loopback). Last column: whether the two JSON"
  echo "answers were byte-identical, and their size."
  echo
  echo "| query | tend median ms | tend p90 ms | Prometheus median ms | Prometheus p90 ms | tend / Prometheus (median) | answers |"
  echo "|---|---|---|---|---|---|---|"
  printf "%s" "$rows"
  echo
  echo "Targets: bytes per sample <= 0.8x Prometheus; query latency <= 0.5x."
} | tee "$result"
