// Ingest and search figures for the log store (not a test; run from the
// repo root, Release build):
//   log_store_bench [zstd_level]
// 1. Each loghub file as its own stream in its own store: lines/s, bytes on
//    disk per line and compression ratio.
// 2. The three files repeated to ~1M lines in one store; a "Failed
//    password" search with and without the token index.
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "logs/store/log_store.h"
#include "logs/store/log_store_test_util.h"

namespace tend::logs {
namespace {

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
      .count();
}

int Main(int level) {
  const char* files[] = {"Apache_2k.log", "Linux_2k.log", "OpenSSH_2k.log"};
  LogStoreOptions o;
  o.fsync = LogFsync::kInterval;
  o.zstd_level = level;
  std::printf("zstd level %d, fsync at the end (kInterval)\n", level);
  for (const char* f : files) {
    const auto lines = ReadLogLines(f);
    size_t raw = 0;
    for (const auto& l : lines) raw += l.size() + 1;
    TempDir tmp;
    auto store = LogStore::Open(tmp.path(), o);
    if (!store.ok()) return 1;
    // Repeat the file 50x so that timing is measurable.
    const int reps = 50;
    const auto t0 = std::chrono::steady_clock::now();
    const Labels stream = {{"source", f}};
    int64_t t = 0;
    for (int r = 0; r < reps; ++r) {
      for (const auto& l : lines) {
        if (!(*store)->Append(stream, ++t, l).ok()) return 1;
      }
      if (!(*store)->Commit().ok()) return 1;
    }
    if (!(*store)->Sync().ok()) return 1;
    const double secs = Seconds(t0);
    const double disk = static_cast<double>((*store)->stats().disk_bytes);
    const double n = static_cast<double>(lines.size()) * reps;
    std::printf(
        "%-15s %8.0f lines/s %7.1f MiB/s  raw %.1f B/line  disk %.2f B/line "
        " ratio %.1fx\n",
        f, n / secs, raw * reps / secs / (1 << 20),
        static_cast<double>(raw) / lines.size(), disk / n, raw * reps / disk);
  }
  // Search over ~1M lines.
  TempDir tmp;
  auto store = LogStore::Open(tmp.path(), o);
  if (!store.ok()) return 1;
  std::vector<std::vector<std::string>> all;
  for (const char* f : files) all.push_back(ReadLogLines(f));
  size_t total = 0, raw = 0;
  int64_t t = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (int r = 0; total < 1'000'000; ++r) {
    for (int f = 0; f < 3; ++f) {
      const Labels stream = {{"source", files[f]}};
      for (const auto& l : all[f]) {
        if (!(*store)->Append(stream, ++t, l).ok()) return 1;
        raw += l.size() + 1;
        ++total;
      }
    }
    if (!(*store)->Commit().ok()) return 1;
  }
  const double ingest = Seconds(t0);
  const auto st = (*store)->stats();
  std::printf(
      "1M-line store: %zu lines, %.1f MiB raw, %.1f MiB on disk, %zu blocks, "
      "%zu segments, ingest %.2f s (%.0f lines/s)\n",
      total, raw / 1048576.0, st.disk_bytes / 1048576.0, st.blocks, st.segments,
      ingest, total / ingest);
  for (const std::string needle : {"Failed password for root", "Failed"}) {
    for (bool bloom : {true, false}) {
      const std::string req[] = {needle};
      const auto t1 = std::chrono::steady_clock::now();
      auto it = (*store)->Select(
          {}, INT64_MIN, INT64_MAX, Direction::kForward, 0,
          bloom ? std::span(req) : std::span<const std::string>());
      if (!it.ok()) return 1;
      size_t matches = 0, scanned = 0;
      while ((*it)->Next()) {
        ++scanned;
        matches += (*it)->line().find(needle) != std::string_view::npos;
      }
      const auto& ss = (*it)->stats();
      std::printf(
          "|= \"%s\" %-9s: %zu matches, %zu lines scanned, blocks read %zu "
          "/ %zu (bloom skipped %zu), %.3f s\n",
          needle.c_str(), bloom ? "bloom" : "no bloom", matches, scanned,
          ss.blocks_read, ss.blocks_considered, ss.skipped_by_bloom,
          Seconds(t1));
    }
  }
  return 0;
}

}  // namespace
}  // namespace tend::logs

int main(int argc, char** argv) {
  int level = 1;
  if (argc > 1) {
    const std::string_view arg = argv[1];
    if (std::from_chars(arg.data(), arg.data() + arg.size(), level).ec !=
        std::errc()) {
      std::fprintf(stderr, "usage: log_store_bench [zstd level]\n");
      return 2;
    }
  }
  return tend::logs::Main(level);
}
