// Per-call cost of the file modules on local files when nothing changes
// (the common case of a second apply): lineinfile with a present line,
// copy with equal content, file state=directory with its mode. Each
// iteration validates the arguments and runs the module, as the executor
// does.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "automate/modules/args.h"
#include "automate/modules/files/file_common.h"
#include "automate/transport/local_connection.h"
#include "base/clock.h"

namespace tend::automate::filemod {
namespace {

class Fixture {
 public:
  Fixture() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "tend-fmb-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    root_ = tmpl;
    ctx_.conn = &conn_;
    ctx_.ids = &ids_;
    ctx_.clock = &clock_;
  }
  ~Fixture() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  // Runs once to converge, then measures the no-change runs.
  void Measure(benchmark::State& state, Module& m, const Value& raw) {
    Result<Value> args = ValidateArgs(m.spec(), raw);
    if (!args.ok()) {
      state.SkipWithError(args.status().message().c_str());
      return;
    }
    if (!m.Run(*args, ctx_).ok()) std::abort();
    for (auto _ : state) {
      Result<Value> a = ValidateArgs(m.spec(), raw);
      Result<ModuleResult> r = m.Run(*a, ctx_);
      if (!r.ok() || r->changed || r->failed) {
        state.SkipWithError("the no-change run changed or failed");
        return;
      }
      benchmark::DoNotOptimize(r);
    }
  }
  std::string root_;
  LocalConnection conn_{"localhost"};
  IdResolver ids_{&conn_};
  FakeClock clock_;
  ModuleContext ctx_;
};

void BM_LineinfileNoChange(benchmark::State& state) {
  Fixture f;
  std::ofstream(f.root_ + "/conf") << std::string(100, '#') + "\n"
                                   << "a=1\nb=2\nListen 80\nc=3\n";
  auto m = NewLineinfileModule();
  f.Measure(state, *m,
            {{"path", f.root_ + "/conf"},
             {"regexp", "^Listen "},
             {"line", "Listen 80"}});
}
BENCHMARK(BM_LineinfileNoChange);

void BM_CopyContentNoChange(benchmark::State& state) {
  Fixture f;
  auto m = NewCopyModule();
  f.Measure(state, *m,
            {{"dest", f.root_ + "/copy"},
             {"content", std::string(2000, 'x')},
             {"mode", "0644"}});
}
BENCHMARK(BM_CopyContentNoChange);

void BM_FileDirectoryNoChange(benchmark::State& state) {
  Fixture f;
  auto m = NewFileModule();
  f.Measure(
      state, *m,
      {{"path", f.root_ + "/d"}, {"state", "directory"}, {"mode", "0755"}});
}
BENCHMARK(BM_FileDirectoryNoChange);

}  // namespace
}  // namespace tend::automate::filemod

BENCHMARK_MAIN();
