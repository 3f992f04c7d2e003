// Throughput of `auto` over the loghub samples: lines/s and MiB/s on one
// core. Run from the repository root on a Release build:
//   tend_logs_parse_bench [FILE...]
// A figure, not a test: it asserts nothing but that every line parsed.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "logs/parse/line_parser.h"

int main(int argc, char** argv) {
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) files.push_back(argv[i]);
  if (files.empty()) {
    for (const char* name : {"OpenSSH_2k", "Linux_2k", "Apache_2k"}) {
      files.push_back(std::string("../shared/data/loghub/") + name + ".log");
    }
  }
  auto parser = tend::logs::LineParser::Create(tend::logs::ParserConfig{});
  if (!parser.ok()) return 1;
  tend::logs::ParseOptions options;
  options.receive_time_ns = 1'700'000'000'000'000'000;
  options.zone = tend::logs::TimeZone::Local();
  tend::logs::LogRecord record;
  int rc = 0;
  for (const std::string& path : files) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "%s: cannot open\n", path.c_str());
      return 1;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    std::vector<std::string_view> lines;
    size_t start = 0;
    while (start < text.size()) {
      size_t nl = text.find('\n', start);
      if (nl == std::string::npos) nl = text.size();
      lines.emplace_back(text.data() + start, nl - start);
      start = nl + 1;
    }
    size_t failed = 0;
    for (std::string_view l : lines) {
      if (!(*parser)->Parse(l, options, &record)) ++failed;
    }
    const auto t0 = std::chrono::steady_clock::now();
    size_t n = 0, bytes = 0;
    double secs = 0;
    while (secs < 1.0) {
      for (std::string_view l : lines) {
        (*parser)->Parse(l, options, &record);
        bytes += l.size() + 1;
      }
      n += lines.size();
      secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
              .count();
    }
    std::printf("%-40s %10.0f lines/s %8.1f MiB/s  (unparsed %zu of %zu)\n",
                path.c_str(), n / secs, bytes / secs / (1 << 20), failed,
                lines.size());
    if (failed > 0) rc = 2;
  }
  return rc;
}
