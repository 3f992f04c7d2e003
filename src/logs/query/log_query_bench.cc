// LogQL evaluation figures (not a test; run from the repo root, Release):
//   log_query_bench
// A store of ~1M lines (the three loghub samples repeated, one line per
// 3.6 ms over one hour, plus a JSON access-log stream) and:
// 1. a rare-literal `|=` search with the token index and with it defeated
//    (the same literal behind a case-insensitive regex);
// 2. `| json | status >= 500` over the JSON stream;
// 3. `sum by (status) (count_over_time(... | json [1m]))` over the hour at
//    15 s steps.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "logs/query/query_test_util.h"

namespace tend::logql {
namespace {

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
      .count();
}

int Run(const logs::LogStore& store, const char* name, const std::string& q,
        int64_t start, int64_t end, int64_t step) {
  const auto t0 = std::chrono::steady_clock::now();
  QueryLimits lim;
  lim.max_entries = 100000;
  auto r = RangeQuery(store, q, start, end, step, logs::Direction::kBackward,
                      100000, lim);
  const double secs = Seconds(t0);
  if (!r.ok()) {
    std::printf("%s: %s\n", name, r.status().ToString().c_str());
    return 1;
  }
  size_t out = 0;
  for (const auto& s : r->streams) out += s.entries.size();
  for (const auto& s : r->metric.matrix) out += s.points.size();
  std::printf(
      "%-34s %7.3f s  scanned %8zu lines (%6.1f M lines/s, %6.1f MiB/s)  "
      "blocks read %5zu skipped %5zu  results %zu\n",
      name, secs, r->stats.lines_scanned,
      static_cast<double>(r->stats.lines_scanned) / secs / 1e6,
      static_cast<double>(r->stats.bytes_scanned) / secs / (1 << 20),
      r->stats.blocks_read, r->stats.blocks_skipped, out);
  return 0;
}

int Main() {
  const char* files[] = {"Apache_2k.log", "Linux_2k.log", "OpenSSH_2k.log"};
  char tmpl[] = "/tmp/log_query_bench.XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  logs::LogStoreOptions o;
  o.fsync = logs::LogFsync::kNever;
  auto store = logs::LogStore::Open(dir, o);
  if (!store.ok()) return 1;
  const int64_t hour = 3600 * kSec;
  const int reps = 170;  // 3 files x 2000 lines x 170 = 1.02M lines.
  const int64_t n = 3 * 2000 * reps;
  int64_t i = 0;
  for (const char* f : files) {
    const auto lines = ReadLoghub(f);
    const Labels stream = {{"source", f}};
    for (int r = 0; r < reps; ++r) {
      for (const auto& l : lines) {
        // Spread each file over the hour.
        const int64_t t = kT0 + (i % (n / 3)) * hour / (n / 3);
        ++i;
        if (!(*store)->Append(stream, t, l).ok()) return 1;
      }
      if (!(*store)->Commit().ok()) return 1;
    }
  }
  const int json_lines = 300000;
  for (int k = 0; k < json_lines; ++k) {
    const int status = k % 17 == 0 ? 503 : (k % 5 == 0 ? 404 : 200);
    const std::string line =
        R"({"ts":")" + std::to_string(k) + R"(","method":"GET","path":"/api/)" +
        std::to_string(k % 50) + R"(","status":)" + std::to_string(status) +
        R"(,"bytes":)" + std::to_string(200 + k % 1000) + "}";
    if (!(*store)
             ->Append({{"source", "api"}},
                      kT0 + static_cast<int64_t>(k) * hour / json_lines, line)
             .ok()) {
      return 1;
    }
    if (k % 10000 == 9999 && !(*store)->Commit().ok()) return 1;
  }
  if (!(*store)->Commit().ok()) return 1;
  std::printf("%lld loghub lines + %d JSON lines over 1 h\n",
              static_cast<long long>(n), json_lines);
  const int64_t end = kT0 + hour;
  int rc = 0;
  rc |= Run(**store, "|= rare literal (index)",
            R"({source=~".+"} |= "173.234.31.186")", kT0, end, 0);
  rc |= Run(**store, "|~ same literal (no index)",
            R"({source=~".+"} |~ "173\\.234\\.31\\.186")", kT0, end, 0);
  rc |= Run(**store, "|= common literal",
            R"({source=~".+"} |= "Failed password")", kT0, end, 0);
  rc |= Run(**store, "| json | status >= 500",
            R"({source="api"} | json | status >= 500)", kT0, end, 0);
  rc |= Run(
      **store, "sum by (status) count_over_time 1m",
      R"(sum by (status) (count_over_time({source="api"} | json status [1m])))",
      kT0, end, 15 * kSec);
  rc |= Run(**store, "sum count_over_time |= 1m",
            R"(sum(count_over_time({source=~".+"} |= "error" [1m])))", kT0, end,
            15 * kSec);
  store->reset();
  std::filesystem::remove_all(dir);
  return rc;
}

}  // namespace
}  // namespace tend::logql

int main() { return tend::logql::Main(); }
