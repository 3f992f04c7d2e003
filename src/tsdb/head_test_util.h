// Helpers shared by the head's tests.
#ifndef TEND_TSDB_HEAD_TEST_UTIL_H_
#define TEND_TSDB_HEAD_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
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
