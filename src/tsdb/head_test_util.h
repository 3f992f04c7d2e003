// Helpers shared by the head's tests.
#ifndef TEND_TSDB_HEAD_TEST_UTIL_H_
#define TEND_TSDB_HEAD_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "tsdb/head.h"

namespace tend {

inline Labels L(std::initializer_list<std::pair<std::string, std::string>> kv) {
  Labels out;
  for (const auto& [k, v] : kv) out.push_back({k, v});
  return out;
}

struct SeriesPoints {
  Labels labels;
  std::vector<Point> points;
};

// Every series matching `m` with its points in [mint, maxt].
inline std::vector<SeriesPoints> Query(Head* head, const Matchers& m,
                                       int64_t mint = INT64_MIN,
                                       int64_t maxt = INT64_MAX) {
  std::vector<SeriesPoints> out;
  auto q = head->NewQuerier(mint, maxt);
  EXPECT_TRUE(q.ok());
  if (!q.ok()) return out;
  auto set = (*q)->Select(mint, maxt, m);
  while (set->Next()) {
    SeriesPoints sp{set->labels(), {}};
    Status st = set->ReadPoints(mint, maxt, &sp.points);
    EXPECT_TRUE(st.ok()) << st.ToString();
    out.push_back(std::move(sp));
  }
  EXPECT_TRUE(set->status().ok());
  return out;
}

// Values for `n` node_exporter-like series scraped every 10 s, one cycle at
// a time (deterministic). The mix, by series index modulo 20, follows what a
// node_exporter on an ordinary host exposes:
// - 12/20 constant within 2 h: error and drop counters that stay 0, info
//   and success gauges at 1, sizes and limits (filesystem, memory totals);
// - 5/20 integer counters growing by integer steps whose bound ranges from
//   4 to 8192 per scrape (interrupts, packets, bytes, page faults), one of
//   them idle most of the time;
// - 1/20 a memory gauge in 4 KiB pages that moves every few scrapes;
// - 1/20 cpu-seconds counters (USER_HZ ticks / 100: 0.01 resolution);
// - 1/20 gauges with 2 decimals (load averages).
class NodeLikeValues {
 public:
  explicit NodeLikeValues(int n) : v_(n), ticks_(n), rng_(7) {
    for (int i = 0; i < n; ++i) {
      ticks_[i] = 10'000'000 + static_cast<int64_t>(i) * 7919;
      switch (i % 20) {
        case 0:
        case 1:
        case 2:
        case 3:
        case 4:
          v_[i] = 0;
          break;
        case 5:
        case 6:
        case 7:
          v_[i] = 1;
          break;
        case 8:
        case 9:
        case 10:
        case 11:
          v_[i] = 4096.0 * static_cast<double>(1000 + i);
          break;
        case 16:
          v_[i] = 4096.0 * 2'000'000;
          break;
        case 18:
          v_[i] = static_cast<double>(ticks_[i]) / 100;
          break;
        case 19:
          ticks_[i] = 150;
          v_[i] = 1.5;
          break;
        default:
          v_[i] = static_cast<double>(1'000'000 + i);
      }
    }
  }

  // The value of series i at the next scrape (call once per cycle).
  double Next(int i) {
    switch (i % 20) {
      case 12:
      case 13:
      case 14:
      case 15: {
        // Step bound 2^(2 + k) for k = 0..11 across series.
        const uint64_t bound = uint64_t{4} << ((i / 20) % 12);
        v_[i] += static_cast<double>(rng_() % bound);
        break;
      }
      case 17:  // Mostly idle.
        if (rng_() % 8 == 0) v_[i] += static_cast<double>(1 + rng_() % 4);
        break;
      case 16:
        if (rng_() % 4 == 0) {
          v_[i] = 4096.0 * static_cast<double>(2'000'000 + rng_() % 4096);
        }
        break;
      case 18:
        ticks_[i] += static_cast<int64_t>(rng_() % 1001);
        v_[i] = static_cast<double>(ticks_[i]) / 100;
        break;
      case 19:
        ticks_[i] += static_cast<int64_t>(rng_() % 21) - 10;
        if (ticks_[i] < 0) ticks_[i] = 0;
        v_[i] = static_cast<double>(ticks_[i]) / 100;
        break;
      default:
        break;
    }
    return v_[i];
  }

 private:
  std::vector<double> v_;
  std::vector<int64_t> ticks_;
  std::mt19937_64 rng_;
};

// A fresh directory under TMPDIR, removed at destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "tend-head-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string wal() const { return path_ + "/wal"; }

 private:
  std::string path_;
};

}  // namespace tend

#endif  // TEND_TSDB_HEAD_TEST_UTIL_H_
