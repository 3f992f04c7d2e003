// Compares tend's rule-file loader with the real `promtool check rules`
// (Prometheus 2.42, unpacked by scripts/peers.sh into build/peers/bin):
// both accept the same files with the same rule counts and reject the same
// broken files. Messages differ by design and are not compared.
#include <dirent.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <regex>
#include <string>
#include <vector>

#include "alert/rules/rule_file.h"

namespace tend::alert {
namespace {

const char kPromtool[] = "build/peers/bin/promtool";

struct Verdict {
  bool ok = false;
  long rules = -1;
};

// Runs promtool on one file; fails the test when promtool cannot run.
Verdict Promtool(const std::string& file) {
  const std::string cmd =
      std::string(kPromtool) + " check rules '" + file + "' 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  Verdict v;
  if (p == nullptr) {
    ADD_FAILURE() << "cannot run " << cmd;
    return v;
  }
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = ::pclose(p);
  v.ok = status == 0;
  std::smatch m;
  if (std::regex_search(out, m, std::regex("SUCCESS: ([0-9]+) rules found"))) {
    v.rules = std::stol(m[1]);
  }
  return v;
}

Verdict Tend(const std::string& file) {
  Verdict v;
  Result<RuleFile> f = LoadRuleFile(file);
  v.ok = f.ok();
  if (f.ok()) v.rules = static_cast<long>(f->RuleCount());
  return v;
}

std::vector<std::string> YamlFiles(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name.size() > 4 && name.substr(name.size() - 4) == ".yml") {
      out.push_back(dir + "/" + name);
    }
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

class PromtoolCompare : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::access(kPromtool, X_OK), 0)
        << kPromtool << " is missing: run `bash scripts/peers.sh build/peers`";
  }
};

TEST_F(PromtoolCompare, NodeAlertsAcceptedByBothWithSameCount) {
  const std::string file = "tests/data/rules/node_alerts.yml";
  const Verdict p = Promtool(file);
  const Verdict t = Tend(file);
  EXPECT_TRUE(p.ok);
  EXPECT_TRUE(t.ok);
  EXPECT_GE(t.rules, 30);
  EXPECT_EQ(p.rules, t.rules);
}

TEST_F(PromtoolCompare, BrokenFilesRejectedByBoth) {
  const std::vector<std::string> files = YamlFiles("tests/data/rules/broken");
  ASSERT_GE(files.size(), 15u);
  int promtool_rejected = 0, tend_rejected = 0;
  for (const std::string& f : files) {
    const Verdict p = Promtool(f);
    const Verdict t = Tend(f);
    promtool_rejected += !p.ok;
    tend_rejected += !t.ok;
    EXPECT_EQ(p.ok, t.ok) << f;
  }
  EXPECT_EQ(promtool_rejected, static_cast<int>(files.size()));
  EXPECT_EQ(tend_rejected, promtool_rejected);
}

}  // namespace
}  // namespace tend::alert
