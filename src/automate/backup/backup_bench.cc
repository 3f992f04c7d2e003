// The backup module against the plain shell command it wraps, on a
// generated 200 MB tree: `tar -I 'zstd -3' -cf` directly, the module
// without verification, and the module with its default verification
// (list + 3-file sample restore). Real time: the work is in tar and zstd.
//
// TEND_BACKUP_BENCH_MB sets the tree size (default 200).
#include <benchmark/benchmark.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "automate/backup/backup_module.h"
#include "automate/modules/args.h"
#include "automate/transport/local_connection.h"

namespace tend::automate::backup {
namespace {

namespace fs = std::filesystem;

struct Tree {
  std::string root;  // holds src/ and out/
  uint64_t bytes = 0;
  size_t files = 0;
};

// Text-like content (words from a small vocabulary with numbers) that
// zstd -3 compresses about 3:1, like logs and configuration, in files of
// 4 KiB to 1 MiB across nested directories.
const Tree& GetTree() {
  static const Tree* tree = [] {
    auto* t = new Tree;
    const char* mb_env = getenv("TEND_BACKUP_BENCH_MB");
    const uint64_t want = (mb_env ? std::stoull(mb_env) : 200) << 20;
    char tmpl[] = "/tmp/tend-backup-bench.XXXXXX";
    t->root = mkdtemp(tmpl);
    static const char* kWords[] = {"GET",   "POST",  "/api/v1/items", "200",
                                   "404",   "user",  "session",       "ok",
                                   "error", "retry", "upstream",      "ms"};
    uint64_t x = 0x9e3779b97f4a7c15ull;
    auto next = [&] {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      return x;
    };
    while (t->bytes < want) {
      std::string dir = t->root + "/src/d" + std::to_string(t->files % 37) +
                        "/e" + std::to_string(t->files % 11);
      fs::create_directories(dir);
      size_t size = 4096 << (next() % 9);  // 4 KiB .. 1 MiB
      std::string content;
      content.reserve(size + 64);
      while (content.size() < size) {
        content += kWords[next() % 12];
        content += ' ';
        content += std::to_string(next() % 100000);
        content += (next() % 8 == 0) ? '\n' : ' ';
      }
      std::ofstream(dir + "/f" + std::to_string(t->files) + ".log") << content;
      t->bytes += content.size();
      ++t->files;
    }
    fs::create_directories(t->root + "/out");
    return t;
  }();
  return *tree;
}

void ClearOut(const Tree& t) {
  fs::remove_all(t.root + "/out");
  fs::create_directories(t.root + "/out");
}

void Report(benchmark::State& state, const Tree& t) {
  state.counters["MB"] = static_cast<double>(t.bytes) / (1 << 20);
  state.counters["files"] = static_cast<double>(t.files);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * t.bytes));
}

void BM_ShellTarZstd(benchmark::State& state) {
  const Tree& t = GetTree();
  const std::string cmd = "tar -I 'zstd -3' -cf " + t.root +
                          "/out/plain.tar.zst -C / " + t.root.substr(1) +
                          "/src";
  for (auto _ : state) {
    state.PauseTiming();
    ClearOut(t);
    state.ResumeTiming();
    if (system(cmd.c_str()) != 0) state.SkipWithError("tar failed");
  }
  Report(state, t);
}

void RunModule(benchmark::State& state, bool verify) {
  const Tree& t = GetTree();
  auto module = NewBackupModule();
  auto args = ValidateArgs(module->spec(), Value{{"src", {t.root + "/src"}},
                                                 {"dest", t.root + "/out"},
                                                 {"name", "bench"},
                                                 {"verify", verify}});
  if (!args.ok()) {
    state.SkipWithError(args.status().message().c_str());
    return;
  }
  auto conn = NewLocalConnection("localhost");
  for (auto _ : state) {
    state.PauseTiming();
    ClearOut(t);
    state.ResumeTiming();
    ModuleContext ctx;
    ctx.conn = conn.get();
    ctx.clock = Clock::Real();
    auto r = module->Run(*args, ctx);
    if (!r.ok() || r->failed) {
      state.SkipWithError(r.ok() ? r->msg.c_str()
                                 : r.status().message().c_str());
      break;
    }
  }
  Report(state, t);
}

void BM_BackupModuleNoVerify(benchmark::State& state) {
  RunModule(state, false);
}
void BM_BackupModuleVerified(benchmark::State& state) {
  RunModule(state, true);
}

BENCHMARK(BM_ShellTarZstd)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);
BENCHMARK(BM_BackupModuleNoVerify)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);
BENCHMARK(BM_BackupModuleVerified)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

}  // namespace
}  // namespace tend::automate::backup

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  const auto& t = tend::automate::backup::GetTree();
  std::filesystem::remove_all(t.root);
  return 0;
}
