// Google Benchmarks of the XOR chunk encoding (src/tsdb/xor_chunk.h): filling
// a 120-sample chunk (the head's usual chunk size) and iterating one, for a
// few series shapes. Counters: ns_per_sample (CPU time per sample) and
// bytes_per_sample (encoded chunk size, header included, over 120).
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "tsdb/head.h"
#include "tsdb/wal.h"
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

// The head's append path (src/tsdb/head.h): one collection cycle of 10k
// series per iteration through an Appender (ref hints, as the agent holds
// them) and one Commit, without a WAL (wal=0) and with the WAL at fsync
// kNever (1) and kInterval (2, synced once a second). Counters:
// samples_per_s (the target is >= 3 M on one core) and head_bytes_per_series
// (the memory estimate once the head holds 720 samples per series, 2 h at
// 10 s; the target is <= 1 KiB).
void BM_HeadAppend(benchmark::State& state) {
  constexpr int kHeadSeries = 10000;
  const int mode = static_cast<int>(state.range(0));
  char tmpl[] = "/tmp/tend-head-bench-XXXXXX";
  const char* dir = ::mkdtemp(tmpl);
  if (dir == nullptr) {
    state.SkipWithError("mkdtemp failed");
    return;
  }
  HeadOptions options;
  if (mode > 0) options.wal_dir = std::string(dir) + "/wal";
  options.wal.fsync = mode == 1 ? WalFsync::kNever : WalFsync::kInterval;
  auto head_or = Head::Open(options);
  if (!head_or.ok()) {
    state.SkipWithError(head_or.status().ToString().c_str());
    return;
  }
  std::unique_ptr<Head> head = std::move(head_or).value();
  std::vector<Labels> labels;
  for (int i = 0; i < kHeadSeries; ++i) {
    labels.push_back({{"__name__", "node_metric_" + std::to_string(i % 100)},
                      {"cpu", std::to_string(i % 64)},
                      {"instance", "host-1:9100"},
                      {"job", "node"},
                      {"mode", "m" + std::to_string(i / 100)}});
  }
  std::vector<SeriesRef> refs(kHeadSeries, 0);
  const Series counter = MakeSeries(kCounter);
  auto app = head->NewAppender();
  int64_t t = 1'764'086'400'000;
  auto last_sync = std::chrono::steady_clock::now();
  int64_t cycles = 0;
  double bytes_per_series = 0;
  for (auto _ : state) {
    t += 10'000;
    const double base = counter.v[static_cast<size_t>(t / 10'000) % kSamples];
    for (int i = 0; i < kHeadSeries; ++i) {
      auto r = app->Append(refs[i], labels[i], t, base + (i % 3 == 0 ? 0 : i));
      if (!r.ok()) {
        state.SkipWithError(r.status().ToString().c_str());
        return;
      }
      refs[i] = *r;
    }
    if (!app->Commit().ok()) {
      state.SkipWithError("commit failed");
      return;
    }
    if (mode == 2 && std::chrono::steady_clock::now() - last_sync >
                         std::chrono::seconds(1)) {
      if (!head->SyncWal().ok()) {
        state.SkipWithError("sync failed");
        return;
      }
      last_sync = std::chrono::steady_clock::now();
    }
    // Memory is measured once the head holds 2 h at 10 s (720 samples).
    if (++cycles == 720) {
      state.PauseTiming();
      bytes_per_series = static_cast<double>(head->stats().bytes) / kHeadSeries;
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(state.iterations() * kHeadSeries);
  state.counters["samples_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * kHeadSeries,
                         benchmark::Counter::kIsRate);
  if (cycles >= 720) state.counters["head_bytes_per_series"] = bytes_per_series;
  head.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}
BENCHMARK(BM_HeadAppend)->ArgName("wal")->Arg(0)->Arg(1)->Arg(2);

// The write-ahead log (src/tsdb/wal.h) on its own: appending 1 KiB records
// with fsync kNever, so this measures framing, CRC32C and write(2), not the
// disk. Counter: bytes_per_second (record bytes, framing excluded).
void BM_WalAppend(benchmark::State& state) {
  constexpr size_t kRecordBytes = 1024;
  char tmpl[] = "/tmp/tend-wal-bench-XXXXXX";
  const char* dir = ::mkdtemp(tmpl);
  if (dir == nullptr) {
    state.SkipWithError("mkdtemp failed");
    return;
  }
  WalOptions options;
  options.fsync = WalFsync::kNever;
  auto wal = WalWriter::Open(std::string(dir) + "/wal", options);
  if (!wal.ok()) {
    state.SkipWithError(wal.status().ToString().c_str());
    return;
  }
  std::vector<uint8_t> record(kRecordBytes);
  std::mt19937 rng(3);
  for (auto& b : record) b = static_cast<uint8_t>(rng());
  for (auto _ : state) {
    if (!(*wal)->Log(record).ok()) {
      state.SkipWithError("wal append failed");
      break;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(kRecordBytes));
  (*wal)->Close().IgnoreError();
  wal->reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}
BENCHMARK(BM_WalAppend);

}  // namespace
}  // namespace tend

BENCHMARK_MAIN();
