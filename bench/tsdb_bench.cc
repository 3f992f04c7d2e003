// Google Benchmarks of the XOR chunk encoding (src/tsdb/xor_chunk.h): filling
// a 120-sample chunk (the head's usual chunk size) and iterating one, for a
// few series shapes. Counters: ns_per_sample (CPU time per sample) and
// bytes_per_sample (encoded chunk size, header included, over 120).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "tsdb/xor_chunk.h"

namespace tend {
namespace {

constexpr int kSamples = 120;

struct Series {
  std::vector<int64_t> t;
  std::vector<double> v;
};

enum Shape { kConstant = 0, kCounter = 1, kGauge = 2 };

// 1 s samples: a constant, a Poisson(5/s) request counter, a noisy gauge.
Series MakeSeries(int shape) {
  std::mt19937_64 rng(1);
  std::poisson_distribution<int> arrivals(5.0);
  std::normal_distribution<double> noise(0, 3.7);
  Series s;
  int64_t t = 1'764'092'400'000;
  double v = 1.2e6;
  for (int i = 0; i < kSamples; ++i) {
    t += 1000;
    if (shape == kCounter) v += arrivals(rng);
    if (shape == kGauge) v = 1000.0 + noise(rng);
    s.t.push_back(t);
    s.v.push_back(v);
  }
  return s;
}

void SetCounters(benchmark::State& state, size_t chunk_bytes) {
  state.counters["ns_per_sample"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * kSamples,
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["bytes_per_sample"] =
      static_cast<double>(chunk_bytes) / kSamples;
  state.SetItemsProcessed(state.iterations() * kSamples);
}

void BM_Append(benchmark::State& state) {
  const Series s = MakeSeries(static_cast<int>(state.range(0)));
  size_t bytes = 0;
  for (auto _ : state) {
    XorChunk c;
    for (int i = 0; i < kSamples; ++i) {
      if (!c.Append(s.t[i], s.v[i]).ok()) {
        state.SkipWithError("append failed");
        return;
      }
    }
    bytes = c.bytes().size();
    benchmark::DoNotOptimize(c.bytes().data());
  }
  SetCounters(state, bytes);
}

void BM_Iterate(benchmark::State& state) {
  const Series s = MakeSeries(static_cast<int>(state.range(0)));
  XorChunk c;
  for (int i = 0; i < kSamples; ++i) {
    if (!c.Append(s.t[i], s.v[i]).ok()) {
      state.SkipWithError("append failed");
      return;
    }
  }
  for (auto _ : state) {
    XorIterator it(c.bytes());
    double sum = 0;
    int64_t last = 0;
    while (it.Next()) {
      sum += it.v();
      last = it.t();
    }
    if (!it.status().ok()) {
      state.SkipWithError("iteration failed");
      return;
    }
    benchmark::DoNotOptimize(sum);
    benchmark::DoNotOptimize(last);
  }
  SetCounters(state, c.bytes().size());
}

// The ns_per_sample counter is a time per sample: kIsRate | kInvert gives
// seconds, shown with an SI prefix (e.g. "12.3n" = 12.3 ns).
BENCHMARK(BM_Append)->ArgName("shape")->Arg(kConstant)->Arg(kCounter)->Arg(
    kGauge);
BENCHMARK(BM_Iterate)
    ->ArgName("shape")
    ->Arg(kConstant)
    ->Arg(kCounter)
    ->Arg(kGauge);

}  // namespace
}  // namespace tend

BENCHMARK_MAIN();
