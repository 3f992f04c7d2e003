// Helpers for the evaluator tests: stores in temporary directories.
#ifndef TEND_LOGS_QUERY_QUERY_TEST_UTIL_H_
#define TEND_LOGS_QUERY_QUERY_TEST_UTIL_H_

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "logs/logql/parser.h"
#include "logs/query/query.h"
#include "logs/store/log_store.h"

namespace tend::logql {

inline constexpr int64_t kSec = 1'000'000'000;
// 2024-01-01T00:00:00Z, so tests do not depend on the clock.
inline constexpr int64_t kT0 = 1704067200LL * kSec;

class TestStore {
 public:
  TestStore() {
    char tmpl[] = "/tmp/logquery_test.XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    logs::LogStoreOptions o;
    o.fsync = logs::LogFsync::kNever;
    o.block_lines = 64;  // Many blocks, so skipping is exercised.
    auto s = logs::LogStore::Open(dir_, o);
    if (s.ok()) store_ = std::move(*s);
  }
  ~TestStore() {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  logs::LogStore& store() { return *store_; }
  bool ok() const { return store_ != nullptr; }

 private:
  std::string dir_;
  std::unique_ptr<logs::LogStore> store_;
};

inline std::vector<std::string> ReadLoghub(const std::string& name) {
  std::ifstream in("../shared/data/loghub/" + name);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

inline Result<QueryResult> RangeQuery(const logs::LogStore& store,
                                      const std::string& q, int64_t start,
                                      int64_t end, int64_t step,
                                      logs::Direction d, size_t limit,
                                      QueryLimits limits = {}) {
  ASSIGN_OR_RETURN(auto expr, ParseLogQL(q));
  return EvalRange(store, *expr, start, end, step, d, limit, limits);
}

inline Result<QueryResult> InstantQuery(const logs::LogStore& store,
                                        const std::string& q, int64_t t,
                                        QueryLimits limits = {}) {
  ASSIGN_OR_RETURN(auto expr, ParseLogQL(q));
  return EvalInstant(store, *expr, t, logs::Direction::kBackward, 100, limits);
}

}  // namespace tend::logql

#endif  // TEND_LOGS_QUERY_QUERY_TEST_UTIL_H_
