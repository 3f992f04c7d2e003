// Runs Prometheus 2.42's PromQL test scripts (../shared/data/promql-v2.42)
// through the engine and the script runner. Every eval must pass except the
// ones listed, with a reason, in tests/promql/known_failures.txt; a listed
// eval that passes fails the test too, so the list only shrinks.
#include <dirent.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "promql/engine.h"
#include "promql/test_script.h"

namespace tend::promql {
namespace {

constexpr char kScriptDir[] = "../shared/data/promql-v2.42";
constexpr char kKnownFailures[] = "tests/promql/known_failures.txt";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> ScriptFiles() {
  std::vector<std::string> out;
  DIR* d = opendir(kScriptDir);
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name.size() > 5 && name.ends_with(".test")) out.push_back(name);
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

TEST(PromqlConformanceTest, AllScriptsPassExceptKnownFailures) {
  std::vector<std::string> files = ScriptFiles();
  ASSERT_GE(files.size(), 5u) << "no scripts in " << kScriptDir;
  std::ifstream probe(kKnownFailures);
  ASSERT_TRUE(probe.good()) << kKnownFailures << " is missing";
  Result<KnownFailures> known =
      ParseKnownFailures(ReadAll(kKnownFailures), kKnownFailures);
  ASSERT_TRUE(known.ok()) << known.status().ToString();

  // Prometheus's test engine settings (promql/test.go).
  EngineOptions opts;
  opts.max_samples = 10000;
  opts.timeout = std::chrono::seconds(100);
  Engine engine(opts);
  ScriptOptions script_opts;
  script_opts.known = &*known;

  int total = 0, passed = 0, known_failed = 0;
  for (const std::string& f : files) {
    const std::string path = std::string(kScriptDir) + "/" + f;
    Result<ScriptResult> r =
        RunTestScript(ReadAll(path), path, engine, script_opts);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    std::cout << f << ": " << r->passed << "/" << r->total() << " passed ("
              << r->known_failed << " known failures)\n";
    for (const std::string& msg : r->failures) {
      ADD_FAILURE() << "unexpected failure: " << msg;
    }
    for (const std::string& key : r->unexpected_passes) {
      ADD_FAILURE() << key << " is listed in " << kKnownFailures
                    << " but passes; remove it";
    }
    total += r->total();
    passed += r->passed;
    known_failed += r->known_failed;
  }
  std::cout << "total: " << passed << "/" << total << " passed, "
            << known_failed << " known failures\n";
  EXPECT_EQ(passed, total - known_failed);
  EXPECT_EQ(static_cast<size_t>(known_failed), known->entries.size());
}

}  // namespace
}  // namespace tend::promql
