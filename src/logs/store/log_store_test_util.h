// Helpers for the log store tests.
#ifndef TEND_LOGS_STORE_LOG_STORE_TEST_UTIL_H_
#define TEND_LOGS_STORE_LOG_STORE_TEST_UTIL_H_

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <tuple>
#include <vector>

#include "logs/store/log_store.h"

namespace tend::logs {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/logstore_test.XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::vector<std::string> ReadLogLines(const std::string& name) {
  std::ifstream in("../shared/data/loghub/" + name);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

struct Entry {
  Labels labels;
  int64_t t;
  std::string line;
  friend bool operator==(const Entry&, const Entry&) = default;
};

inline std::vector<Entry> Drain(LogIterator& it) {
  std::vector<Entry> out;
  while (it.Next())
    out.push_back({it.labels(), it.t(), std::string(it.line())});
  return out;
}

inline std::vector<Entry> SelectAll(const LogStore& store,
                                    const Matchers& ms = {},
                                    Direction d = Direction::kForward,
                                    size_t limit = 0) {
  auto it = store.Select(ms, INT64_MIN, INT64_MAX, d, limit, {});
  if (!it.ok()) return {};
  auto out = Drain(**it);
  if (!(*it)->status().ok()) out.push_back({{}, -1, "ERROR"});
  return out;
}

}  // namespace tend::logs

#endif  // TEND_LOGS_STORE_LOG_STORE_TEST_UTIL_H_
