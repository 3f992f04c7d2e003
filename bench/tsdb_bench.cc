// Google Benchmarks of the XOR chunk encoding (src/tsdb/xor_chunk.h): filling
// a 120-sample chunk (the head's usual chunk size) and iterating one, for a
// few series shapes. Counters: ns_per_sample (CPU time per sample) and
// bytes_per_sample (encoded chunk size, header included, over 120).
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "tsdb/block.h"
#include "tsdb/block_writer.h"
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

// node_exporter-like values for the head benchmark, by series index modulo
// 20 (the same mix as head_test's NodeLikeValues): 12 constants, 5 integer
// counters with step bounds 4..8192 (one mostly idle), a page-granular
// memory gauge, a cpu-seconds counter (0.01 resolution) and a 2-decimal
// gauge.
class NodeLikeValues {
 public:
  explicit NodeLikeValues(int n) : v_(n), ticks_(n), rng_(7) {
    for (int i = 0; i < n; ++i) {
      ticks_[i] = 10'000'000 + static_cast<int64_t>(i) * 7919;
      const int k = i % 20;
      if (k < 5) {
        v_[i] = 0;
      } else if (k < 8) {
        v_[i] = 1;
      } else if (k < 12) {
        v_[i] = 4096.0 * static_cast<double>(1000 + i);
      } else if (k == 16) {
        v_[i] = 4096.0 * 2'000'000;
      } else if (k == 18) {
        v_[i] = static_cast<double>(ticks_[i]) / 100;
      } else if (k == 19) {
        ticks_[i] = 150;
        v_[i] = 1.5;
      } else {
        v_[i] = static_cast<double>(1'000'000 + i);
      }
    }
  }
  double Next(int i) {
    const int k = i % 20;
    if (k >= 12 && k <= 15) {
      v_[i] += static_cast<double>(rng_() % (uint64_t{4} << ((i / 20) % 12)));
    } else if (k == 17) {
      if (rng_() % 8 == 0) v_[i] += static_cast<double>(1 + rng_() % 4);
    } else if (k == 16) {
      if (rng_() % 4 == 0) {
        v_[i] = 4096.0 * static_cast<double>(2'000'000 + rng_() % 4096);
      }
    } else if (k == 18) {
      ticks_[i] += static_cast<int64_t>(rng_() % 1001);
      v_[i] = static_cast<double>(ticks_[i]) / 100;
    } else if (k == 19) {
      ticks_[i] = std::max<int64_t>(
          0, ticks_[i] + static_cast<int64_t>(rng_() % 21) - 10);
      v_[i] = static_cast<double>(ticks_[i]) / 100;
    }
    return v_[i];
  }

 private:
  std::vector<double> v_;
  std::vector<int64_t> ticks_;
  std::mt19937_64 rng_;
};

// Bytes of heap in use (glibc's count of allocated chunks, headers included)
// and resident memory, for the head benchmark's cross-check of its
// memory estimate.
size_t HeapInUse() { return mallinfo2().uordblks; }
// The process's anonymous resident memory (RssAnon: heap and stacks) and
// its resident file-backed pages (RssFile: mapped files the process has
// touched, which the kernel can drop and re-read), from /proc/self/status.
size_t StatusKiB(const char* key) {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return 0;
  char line[256];
  size_t kib = 0;
  const size_t n = std::strlen(key);
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::strncmp(line, key, n) == 0 && line[n] == ':') {
      kib = std::strtoul(line + n + 1, nullptr, 10);
      break;
    }
  }
  std::fclose(f);
  return kib * 1024;
}
size_t ResidentBytes() { return StatusKiB("RssAnon"); }
size_t ResidentFileBytes() { return StatusKiB("RssFile"); }

// The head's append path (src/tsdb/head.h): one collection cycle of 10k
// node_exporter-like series per iteration through an Appender (ref hints, as
// the agent holds them) and one Commit, without a WAL (wal=0) and with the
// WAL at fsync kNever (1) and kInterval (2, synced once a second); with a
// WAL, closed chunks go to files as the Db configures the head
// (head_chunks.h). Counters: samples_per_s (the target is >= 3 M on one
// core) and, once the head holds 1020 samples per series (2 h 50 min at
// 10 s; a head spans 2 to 3 h; the target is <= 1 KiB per series):
// head_bytes_per_series (the head's own estimate, stats().bytes),
// heap_bytes_per_series (growth of malloc's in-use bytes since before
// Head::Open, measured with the appender destroyed; with a WAL it includes
// the WAL writer's buffers), rss_anon_bytes_per_series (growth of the
// anonymous resident set over the same span, after malloc_trim as the
// store's housekeeping does) and rss_file_bytes_per_series (chunk file
// pages mapped in; page cache the kernel may drop). A fixed 1100 cycles
// per run, so every run reaches the measurement point.
void BM_HeadAppend(benchmark::State& state) {
  constexpr int kHeadSeries = 10000;
  const int mode = static_cast<int>(state.range(0));
  char tmpl[] = "/tmp/tend-head-bench-XXXXXX";
  const char* dir = ::mkdtemp(tmpl);
  if (dir == nullptr) {
    state.SkipWithError("mkdtemp failed");
    return;
  }
  std::vector<Labels> labels;
  for (int i = 0; i < kHeadSeries; ++i) {
    labels.push_back({{"__name__", "node_metric_" + std::to_string(i % 100)},
                      {"cpu", std::to_string(i % 64)},
                      {"instance", "host-1:9100"},
                      {"job", "node"},
                      {"mode", "m" + std::to_string(i / 100)}});
  }
  std::vector<SeriesRef> refs(kHeadSeries, 0);
  NodeLikeValues values(kHeadSeries);
  std::vector<double> cycle(kHeadSeries);
  // Freed memory of earlier runs goes back to the kernel first, so that the
  // resident set grows with this run's head.
  malloc_trim(0);
  const size_t heap_before = HeapInUse();
  const size_t rss_before = ResidentBytes();
  const size_t rss_file_before = ResidentFileBytes();
  HeadOptions options;
  if (mode > 0) {
    options.wal_dir = std::string(dir) + "/wal";
    options.chunks_dir = std::string(dir) + "/chunks_head";
  }
  options.wal.fsync = mode == 1 ? WalFsync::kNever : WalFsync::kInterval;
  auto head_or = Head::Open(options);
  if (!head_or.ok()) {
    state.SkipWithError(head_or.status().ToString().c_str());
    return;
  }
  std::unique_ptr<Head> head = std::move(head_or).value();
  auto app = head->NewAppender();
  int64_t t = 1'764'086'400'000;
  auto last_sync = std::chrono::steady_clock::now();
  int64_t cycles = 0;
  double bytes_per_series = 0;
  double heap_per_series = 0;
  double rss_per_series = 0;
  double rss_file_per_series = 0;
  for (auto _ : state) {
    state.PauseTiming();
    for (int i = 0; i < kHeadSeries; ++i) cycle[i] = values.Next(i);
    state.ResumeTiming();
    t += 10'000;
    for (int i = 0; i < kHeadSeries; ++i) {
      auto r = app->Append(refs[i], labels[i], t, cycle[i]);
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
    // Memory is measured once the head holds 1020 samples per series.
    if (++cycles == 1020) {
      state.PauseTiming();
      // Without the appender's batch buffers, which the estimate leaves out,
      // and after returning free pages as the store's housekeeping
      // (Db::Maintain, once a minute in the agent) does.
      app.reset();
      malloc_trim(0);
      bytes_per_series = static_cast<double>(head->stats().bytes) / kHeadSeries;
      heap_per_series = (static_cast<double>(HeapInUse()) -
                         static_cast<double>(heap_before)) /
                        kHeadSeries;
      rss_per_series = (static_cast<double>(ResidentBytes()) -
                        static_cast<double>(rss_before)) /
                       kHeadSeries;
      rss_file_per_series = (static_cast<double>(ResidentFileBytes()) -
                             static_cast<double>(rss_file_before)) /
                            kHeadSeries;
      app = head->NewAppender();
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(state.iterations() * kHeadSeries);
  state.counters["samples_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * kHeadSeries,
                         benchmark::Counter::kIsRate);
  if (cycles >= 1020) {
    state.counters["head_bytes_per_series"] = bytes_per_series;
    state.counters["heap_bytes_per_series"] = heap_per_series;
    state.counters["rss_anon_bytes_per_series"] = rss_per_series;
    state.counters["rss_file_bytes_per_series"] = rss_file_per_series;
  }
  head.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}
BENCHMARK(BM_HeadAppend)
    ->ArgName("wal")
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->Iterations(1100);

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

// Persisted blocks (src/tsdb/block.h): one 2 h block of 1000 host-like
// series at 10 s (CPU seconds at 0.01, byte counters, KiB gauges, load
// averages, constants; 3% of scrapes a few ms late), written once; each
// iteration opens nothing and queries every series over the whole range.
// Counters: bytes_per_sample (the block's files on disk over its samples)
// and ns_per_sample (Select + ReadPoints, CPU time per sample returned).
void BM_BlockQuery(benchmark::State& state) {
  constexpr int kBlockSeries = 1000;
  constexpr int64_t kMint = 1'764'086'400'000;
  constexpr int64_t kMaxt = kMint + 7'200'000;
  char tmpl[] = "/tmp/tend-block-bench-XXXXXX";
  const char* dir = ::mkdtemp(tmpl);
  if (dir == nullptr) {
    state.SkipWithError("mkdtemp failed");
    return;
  }
  std::mt19937_64 rng(3);
  std::vector<int64_t> times;
  for (int64_t t = kMint; t < kMaxt; t += 10'000) {
    times.push_back(
        t + (rng() % 100 < 3 ? 1 + static_cast<int64_t>(rng() % 20) : 0));
  }
  std::vector<Labels> labels;
  for (int i = 0; i < kBlockSeries; ++i) {
    labels.push_back({{"__name__", "node_metric_" + std::to_string(i % 50)},
                      {"instance", "host-1:9100"},
                      {"series", std::to_string(i)}});
  }
  std::sort(labels.begin(), labels.end(), [](const Labels& a, const Labels& b) {
    return CompareLabels(a, b) < 0;
  });
  auto writer = BlockWriter::Create(dir, kMint, kMaxt);
  if (!writer.ok()) {
    state.SkipWithError(writer.status().ToString().c_str());
    return;
  }
  std::vector<Point> points;
  for (int i = 0; i < kBlockSeries; ++i) {
    points.clear();
    int64_t x = 1'000'000 + i;
    for (int64_t t : times) {
      switch (i % 5) {
        case 0:  // CPU seconds.
          x += 50 + static_cast<int64_t>(rng() % 900);
          points.push_back({t, static_cast<double>(x) / 100.0});
          break;
        case 1:  // Byte counter.
          x += static_cast<int64_t>(rng() % 200'000);
          points.push_back({t, static_cast<double>(x)});
          break;
        case 2:  // Memory gauge in KiB.
          x += static_cast<int64_t>(rng() % 2001) - 1000;
          points.push_back({t, static_cast<double>(x * 1024)});
          break;
        case 3:  // Load average.
          x = 50 + static_cast<int64_t>(rng() % 40);
          points.push_back({t, static_cast<double>(x) / 100.0});
          break;
        default:  // Constant.
          points.push_back({t, 1.0});
      }
    }
    if (!(*writer)->AddSeries(labels[static_cast<size_t>(i)], points).ok()) {
      state.SkipWithError("AddSeries failed");
      return;
    }
  }
  auto meta = (*writer)->Finish();
  auto block = meta.ok() ? Block::Open(meta->dir)
                         : Result<std::unique_ptr<Block>>(meta.status());
  if (!block.ok()) {
    state.SkipWithError(block.status().ToString().c_str());
    return;
  }
  uint64_t returned = 0;
  for (auto _ : state) {
    auto q = (*block)->NewQuerier(kMint, kMaxt);
    auto set = (*q)->Select(kMint, kMaxt, {});
    while (set->Next()) {
      points.clear();
      if (!set->ReadPoints(kMint, kMaxt, &points).ok()) {
        state.SkipWithError("ReadPoints failed");
        return;
      }
      returned += points.size();
    }
    benchmark::DoNotOptimize(points.data());
  }
  state.counters["bytes_per_sample"] = static_cast<double>(meta->size_bytes) /
                                       static_cast<double>(meta->num_samples);
  state.counters["ns_per_sample"] = benchmark::Counter(
      static_cast<double>(returned),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  block->reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}
BENCHMARK(BM_BlockQuery)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tend

BENCHMARK_MAIN();
