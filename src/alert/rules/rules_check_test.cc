#include "alert/rules/rules_check.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace tend::alert {
namespace {

std::string WriteTemp(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(RulesCheck, SuccessPrintsRuleCount) {
  const std::string path = WriteTemp(
      "ok_rules.yml",
      "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up "
      "== 0\n      - record: r\n        expr: sum(up)\n");
  std::ostringstream out, err;
  EXPECT_EQ(RunRulesCheck({path}, out, err), 0);
  EXPECT_EQ(out.str(), "Checking " + path + "\n  SUCCESS: 2 rules found\n\n");
  EXPECT_EQ(err.str(), "");
}

TEST(RulesCheck, FailurePrintsErrorsAndChecksTheRest) {
  const std::string bad = WriteTemp(
      "bad_rules.yml",
      "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up "
      "==\n");
  const std::string good = WriteTemp(
      "good_rules.yml",
      "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n");
  std::ostringstream out, err;
  EXPECT_EQ(RunRulesCheck({bad, good}, out, err), 1);
  EXPECT_EQ(out.str(), "Checking " + bad + "\n\nChecking " + good +
                           "\n  SUCCESS: 1 rules found\n\n");
  EXPECT_EQ(err.str().rfind("  FAILED:\n" + bad + ":5:", 0), 0u) << err.str();
  EXPECT_NE(err.str().find("group \"g\", rule 1 (alert A): could not parse "
                           "expr: parse error: "),
            std::string::npos)
      << err.str();
}

TEST(RulesCheck, MissingFileAndNoFiles) {
  std::ostringstream out, err;
  EXPECT_EQ(RunRulesCheck({"/nonexistent/x.yml"}, out, err), 1);
  EXPECT_NE(err.str().find("  FAILED:\n/nonexistent/x.yml"), std::string::npos)
      << err.str();
  std::ostringstream out2, err2;
  EXPECT_EQ(RunRulesCheck({}, out2, err2), 1);
  EXPECT_EQ(err2.str(), "usage: tend rules check FILE...\n");
}

TEST(RulesCheck, NodeAlertsFile) {
  std::ostringstream out, err;
  EXPECT_EQ(RunRulesCheck({"tests/data/rules/node_alerts.yml"}, out, err), 0)
      << err.str();
  EXPECT_EQ(out.str(),
            "Checking tests/data/rules/node_alerts.yml\n  SUCCESS: 41 rules "
            "found\n\n");
}

}  // namespace
}  // namespace tend::alert
