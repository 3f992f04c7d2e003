// Generated host-like metric data for block tests and the size comparison
// with Prometheus: node_exporter-shaped series (CPU seconds at 0.01 s, byte
// and packet counters with integer increments, memory gauges in KiB
// multiples, load averages with 2 decimals, durations in ns / 1e9, timex
// floats, constants, histograms) sampled at a fixed interval with occasional
// scrape jitter. Deterministic for a given seed. Test-only.
#ifndef TEND_TSDB_BLOCK_TESTDATA_H_
#define TEND_TSDB_BLOCK_TESTDATA_H_

#include <cstdint>
#include <string>
#include <vector>

#include "model/labels.h"
#include "model/point.h"

namespace tend {

struct TestSeries {
  Labels labels;       // Canonical.
  std::string family;  // OpenMetrics family name.
  std::string type;    // "counter", "gauge", "summary" or "histogram".
  std::vector<Point> points;
};

// Series over [start_ms, start_ms + duration_ms), one sample per step_ms,
// in generation order (families contiguous). About 500 series.
std::vector<TestSeries> MakeHostSeries(int64_t start_ms, int64_t duration_ms,
                                       int64_t step_ms, uint64_t seed);

// Sorts series by CompareLabels (the order BlockWriter wants).
void SortSeries(std::vector<TestSeries>* series);

// The series as OpenMetrics text with timestamps (seconds, ms precision),
// families with # TYPE, ending with "# EOF": what
// `promtool tsdb create-blocks-from openmetrics` reads. Values are written
// in the shortest form that parses back to the same double.
std::string ToOpenMetrics(const std::vector<TestSeries>& series);

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on
// destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace tend

#endif  // TEND_TSDB_BLOCK_TESTDATA_H_
