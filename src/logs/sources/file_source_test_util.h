// Helpers for the file source tests: a temporary directory, a sink that
// keeps copies, and file writing.
#ifndef TEND_LOGS_SOURCES_FILE_SOURCE_TEST_UTIL_H_
#define TEND_LOGS_SOURCES_FILE_SOURCE_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "logs/sources/source.h"

namespace tend::logs::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "tend-files-XXXXXX").string();
    char* made = mkdtemp(tmpl.data());
    EXPECT_NE(made, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const {
    return path_ + "/" + name;
  }

 private:
  std::string path_;
};

struct Kept {
  std::string line;
  std::string origin;
  bool truncated;
};

class KeepSink : public EntrySink {
 public:
  void Add(const SourceEntry& e) override {
    entries.push_back(
        {std::string(e.line), std::string(e.origin), e.truncated});
  }
  std::vector<std::string> Lines() const {
    std::vector<std::string> out;
    for (const Kept& k : entries) out.push_back(k.line);
    return out;
  }
  std::vector<Kept> entries;
};

inline void AppendText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << text;
}

inline std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) break;
    std::string line = text.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(line);
    pos = nl + 1;
  }
  return out;
}

// Like SplitLines, plus an unterminated last line.
inline std::vector<std::string> AllLines(const std::string& text) {
  std::vector<std::string> out = SplitLines(text);
  size_t last_nl = text.rfind('\n');
  size_t tail = last_nl == std::string::npos ? 0 : last_nl + 1;
  if (tail < text.size()) out.push_back(text.substr(tail));
  return out;
}

// Polls until a Poll hands nothing; returns the number handed.
inline size_t Drain(LogSource& source, EntrySink& sink,
                    size_t max_bytes = 1 << 20) {
  size_t total = 0;
  for (int i = 0; i < 100000; ++i) {
    auto n = source.Poll(sink, max_bytes);
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    if (!n.ok() || *n == 0) break;
    total += *n;
  }
  return total;
}

inline std::string Numbered(int from, int to, const std::string& prefix = "") {
  std::string out;
  for (int i = from; i < to; ++i) {
    out += prefix + "line " + std::to_string(i) + "\n";
  }
  return out;
}

inline std::vector<std::string> NumberedLines(int from, int to,
                                              const std::string& prefix = "") {
  return SplitLines(Numbered(from, to, prefix));
}

}  // namespace tend::logs::testing

#endif  // TEND_LOGS_SOURCES_FILE_SOURCE_TEST_UTIL_H_
