#!/usr/bin/env bash
# `make bench`: the per-collector Google Benchmarks, then the side-by-side
# comparisons with node_exporter, Prometheus, rsyslog and monit, and the
# log and alerting benchmarks. Results also go to bench/results/.
#   usage: bench/run.sh RELEASE_BUILD_DIR PEERS_BIN_DIR [DURATION]
set -euo pipefail
build=${1:?usage: run.sh RELEASE_BUILD_DIR PEERS_BIN_DIR [DURATION]}
peers=${2:?usage}
duration=${3:-${BENCH_SECONDS:-60}}
here=$(cd "$(dirname "$0")" && pwd)
out="$here/results"
mkdir -p "$out"

echo "== Google Benchmark: each collector, a whole cycle, rendering /metrics"
"$build/tend_bench" --benchmark_min_time=0.5 \
  --benchmark_out="$out/collectors.json" --benchmark_out_format=json \
  | tee "$out/collectors.txt"

echo
echo "== Google Benchmark: XOR chunk append and iterate"
"$build/tsdb_bench" --benchmark_min_time=0.2 | tee "$out/tsdb.txt"

echo
echo "== Side by side with prometheus-node-exporter for ${duration}s"
bash "$here/compare_node_exporter.sh" "$build/tend" "$peers" "$duration" \
  | tee "$out/compare.md"

echo
echo "== Side by side with Prometheus: bytes per sample and query latency"
bash "$here/compare_prometheus.sh" "$build/tend" "$peers" \
  "$build/tend_hostdata_gen"

echo
echo "== Side by side with rsyslog: tailing a file and syslog over TCP"
bash "$here/compare_rsyslog.sh" "$build" "$peers" | tee "$out/rsyslog.md"

echo
echo "== Logs, part by part: parsing, tailing, the log store, LogQL, processors"
for b in parse/tend_logs_parse_bench sources/file_source_bench \
         store/log_store_bench query/log_query_bench \
         process/tend_logs_process_bench; do
  echo "-- $b"
  "$build/src/logs/$b"
done 2>&1 | tee "$out/logs.txt"

echo
echo "== Alerting: 1,000 alert rules over 10,000 series, one evaluation cycle"
"$build/src/alert/engine/rules_bench" --benchmark_min_time=2 \
  | tee "$out/rules.txt"

echo
echo "== Side by side with monit (set daemon 1): SIGKILL -> replacement running"
bash "$here/compare_monit.sh" "$build" "$peers" | tee "$out/monit.md"

echo
echo "== Side by side with ansible-playbook: 300 tasks on localhost"
bash "$here/compare_ansible_local.sh" "$build/tend" | tee "$out/ansible_local.md"

echo
echo "== Side by side with ansible-playbook: 50 tasks over SSH to 10 sshd hosts"
bash "$here/compare_ansible_ssh.sh" "$build" | tee "$out/ansible_ssh.md"

echo
echo "== Automation, part by part: templates, inventories, file modules"
"$build/src/automate/jinja/jinja_bench" --benchmark_min_time=0.5 | tee "$out/jinja.txt"
"$build/inventory_bench" --benchmark_min_time=0.5 | tee "$out/inventory.txt"
"$build/file_modules_bench" --benchmark_min_time=0.5 | tee "$out/file_modules.txt"
