// Read throughput of the file source: writes a file of N 100-byte lines
// and times Poll over it (entries to a sink that only counts).
//   file_source_bench [lines] [dir]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "logs/sources/file_source.h"

namespace {

class CountSink : public tend::logs::EntrySink {
 public:
  void Add(const tend::logs::SourceEntry& e) override {
    ++entries;
    bytes += e.line.size();
  }
  size_t entries = 0;
  size_t bytes = 0;
};

}  // namespace

int main(int argc, char** argv) {
  const long lines = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 5'000'000;
  const std::string dir = argc > 2 ? argv[2] : "/tmp/tend-file-bench";
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/bench.log";
  {
    std::ofstream out(path, std::ios::trunc | std::ios::binary);
    std::string line(99, 'x');
    for (long i = 0; i < lines; ++i) {
      std::string n = std::to_string(i);
      line.replace(0, n.size(), n);
      out << line << '\n';
    }
  }
  for (int multiline = 0; multiline < 2; ++multiline) {
    tend::logs::FileSourceOptions o;
    o.name = "bench";
    o.include = {path};
    if (multiline) {
      o.multiline.mode = tend::logs::MultilineMode::kIndented;
    }
    auto source = tend::logs::FileSource::Create(o);
    if (!source.ok()) {
      std::fprintf(stderr, "%s\n", source.status().ToString().c_str());
      return 1;
    }
    CountSink sink;
    auto start = std::chrono::steady_clock::now();
    for (;;) {
      auto n = (*source)->Poll(sink, 4 << 20);
      if (!n.ok() || *n == 0) break;
    }
    double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    std::printf(
        "%-10s %zu lines, %.1f MiB in %.3f s: %.2f M lines/s, %.0f MiB/s\n",
        multiline ? "indented" : "plain", sink.entries, sink.bytes / 1048576.0,
        s, sink.entries / s / 1e6, (sink.bytes + sink.entries) / s / 1048576.0);
  }
  std::filesystem::remove(path);
  return 0;
}
