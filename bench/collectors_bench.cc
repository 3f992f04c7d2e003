// Google Benchmarks of the collection path on the real host: each collector
// alone, a whole cycle as the agent runs it, and rendering /metrics.
//
// CPU time (user + system of this thread) is what matters for an agent
// that runs every second, so every benchmark reports it via UseRealTime()
// off and the "cpu" column.
#include <benchmark/benchmark.h>

#include "agent/collection.h"
#include "agent/collector_table.h"
#include "http/exposition.h"

namespace tend {
namespace {

void BM_Collector(benchmark::State& state, std::string_view name) {
  TendConfig config;
  CollectorOptions options =
      MakeCollectorOptions(config, Env::Default(), Clock::Real());
  std::unique_ptr<Collector> c;
  for (const CollectorSpec& spec : CollectorTable()) {
    if (spec.name == name) c = spec.make(options);
  }
  if (!c) {
    state.SkipWithError("no such collector");
    return;
  }
  size_t samples = 0;
  for (auto _ : state) {
    MetricSet set;
    Status s = c->Collect(&set);
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
    samples = set.SampleCount();
    benchmark::DoNotOptimize(set);
  }
  state.counters["samples"] = static_cast<double>(samples);
}

// One full agent cycle with process groups off (the target) and on.
void BM_Cycle(benchmark::State& state) {
  TendConfig config;
  config.collectors.processes.enabled = state.range(0) != 0;
  config.collectors.processes.interval_ms = 0;
  Collection collection(config, Env::Default(), Clock::Real());
  size_t samples = 0;
  for (auto _ : state) {
    MetricSet set = collection.RunCycle();
    samples = set.SampleCount();
    benchmark::DoNotOptimize(set);
  }
  state.counters["samples"] = static_cast<double>(samples);
}
BENCHMARK(BM_Cycle)
    ->Arg(0)
    ->Arg(1)
    ->ArgName("processes")
    ->Unit(benchmark::kMicrosecond);

void BM_RenderText(benchmark::State& state) {
  TendConfig config;
  Collection collection(config, Env::Default(), Clock::Real());
  MetricSet set = collection.RunCycle();
  set.SortByName();
  size_t bytes = 0;
  for (auto _ : state) {
    std::string out;
    out.reserve(64 * 1024);
    WriteExposition(set.families(), ExpositionFormat::kPrometheusText, &out);
    bytes = out.size();
    benchmark::DoNotOptimize(out);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_RenderText)->Unit(benchmark::kMicrosecond);

int RegisterCollectors() {
  for (const CollectorSpec& spec : CollectorTable()) {
    std::string name = "BM_Collector/" + std::string(spec.name);
    benchmark::RegisterBenchmark(name.c_str(), BM_Collector, spec.name)
        ->Unit(benchmark::kMicrosecond);
  }
  return 0;
}
const int kRegistered = RegisterCollectors();

}  // namespace
}  // namespace tend

BENCHMARK_MAIN();
