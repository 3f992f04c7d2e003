// Benchmarks: parsing and executing typical alert annotations, and loading
// a rule file (the 41-rule node_exporter set).
#include <benchmark/benchmark.h>

#include "alert/rules/rule_file.h"
#include "alert/template/template.h"

namespace tend::tmpl {
namespace {

const char kSummary[] =
    "{{ $labels.mountpoint }} on {{ $labels.instance }} has "
    "{{ $value | humanizePercentage }} free ({{ printf \"%.1f\" $value }})";

const Labels kLabels = {{"__name__", "node_filesystem_avail_bytes"},
                        {"device", "/dev/sda1"},
                        {"fstype", "ext4"},
                        {"instance", "web-1:9100"},
                        {"job", "node"},
                        {"mountpoint", "/var"}};

void BM_Parse(benchmark::State& state) {
  for (auto _ : state) {
    auto t = Template::Parse("t", kSummary);
    benchmark::DoNotOptimize(t);
  }
}
BENCHMARK(BM_Parse);

void BM_Execute(benchmark::State& state) {
  auto t = Template::Parse("t", kSummary);
  TemplateData d;
  d.labels = &kLabels;
  d.value = 0.0734;
  for (auto _ : state) {
    auto out = (*t)->Execute(d);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_Execute);

void BM_LoadNodeAlerts(benchmark::State& state) {
  for (auto _ : state) {
    auto f = alert::LoadRuleFile("tests/data/rules/node_alerts.yml");
    if (!f.ok()) state.SkipWithError("load failed");
    benchmark::DoNotOptimize(f);
  }
}
BENCHMARK(BM_LoadNodeAlerts);

}  // namespace
}  // namespace tend::tmpl

BENCHMARK_MAIN();
