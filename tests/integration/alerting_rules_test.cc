// Realistic host rules on tend's own metrics: tests/data/rules/
// node_alerts.yml (41 rules written for node_exporter's metric names) and
// tests/data/rules/third_party_node_exporter.yml (37 alerts in the style of
// the community's node_exporter rule collections) load in the agent and
// evaluate with health "ok", as they do in Prometheus (promtool accepts
// both files). A second test checks that every metric the rules use which
// the real node_exporter exposes on this host, tend exposes too: a rule
// over a metric tend lacks evaluates to nothing and can never fire.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>

#include "alerting_test_util.h"

namespace tend::testing {
namespace {

constexpr size_t kNodeRules = 41;
constexpr size_t kThirdPartyRules = 37;

std::string SourceDir() {
  const char* s = std::getenv("TEND_SOURCE_DIR");
  return s != nullptr && *s != '\0' ? s : ".";
}

// Copies the two rule files into `dir`. Groups with their own `interval:
// 30s` get 1s so the test sees two evaluations in seconds; nothing else
// changes.
void CopyRules(const std::string& dir) {
  std::string node =
      ReadText(SourceDir() + "/tests/data/rules/node_alerts.yml");
  ASSERT_FALSE(node.empty()) << "run from the repository root";
  node = Subst(node, {{"    interval: 30s\n", "    interval: 1s\n"}});
  ASSERT_TRUE(WriteText(dir + "/node_alerts.yml", node));
  const std::string third =
      ReadText(SourceDir() + "/tests/data/rules/third_party_node_exporter.yml");
  ASSERT_FALSE(third.empty());
  ASSERT_TRUE(WriteText(dir + "/third_party_node_exporter.yml", third));
}

std::string Config() {
  return R"(agent:
  interval: 1s
alerting:
  evaluation_interval: 1s
  rule_files: [node_alerts.yml, third_party_node_exporter.yml]
)";
}

// Every group's lastEvaluation (Unix ms) by file;group.
std::map<std::string, int64_t> GroupEvaluations(const nlohmann::json& rules) {
  std::map<std::string, int64_t> out;
  for (const nlohmann::json& g : rules["groups"]) {
    out[g.value("file", "") + ";" + g.value("name", "")] =
        ParseRfc3339Ms(g.value("lastEvaluation", ""));
  }
  return out;
}

TEST(AlertingRules, PromtoolAndTendAgreeOnTheFiles) {
  for (const auto& [file, n] : std::vector<std::pair<std::string, size_t>>{
           {"node_alerts.yml", kNodeRules},
           {"third_party_node_exporter.yml", kThirdPartyRules}}) {
    const std::string path = SourceDir() + "/tests/data/rules/" + file;
    const std::string want = "SUCCESS: " + std::to_string(n) + " rules found";
    SubprocessResult p = Exec({PeerBinary("promtool"), "check", "rules", path});
    EXPECT_EQ(p.exit_code, 0) << p.stdout_data << p.stderr_data;
    EXPECT_NE(p.stdout_data.find(want), std::string::npos) << p.stdout_data;
    SubprocessResult t = Exec({LogsTend(), "rules", "check", path});
    EXPECT_EQ(t.exit_code, 0) << t.stdout_data << t.stderr_data;
    EXPECT_NE(t.stdout_data.find(want), std::string::npos) << t.stdout_data;
  }
}

TEST(AlertingRules, HostRulesEvaluateWithHealthOk) {
  TempDir dir;
  const std::string& d = dir.path();
  CopyRules(d);
  if (HasFatalFailure()) return;
  AlertingAgent agent(d, Config());
  ASSERT_TRUE(agent.Start()) << agent.LastLog();
  const std::string& addr = agent.addr();

  // Two evaluations of every group: all evaluated once, then each again.
  std::map<std::string, int64_t> first;
  ASSERT_TRUE(PollUntil(30'000, [&] {
    Result<nlohmann::json> r = ApiData(addr, "/api/v1/rules", {});
    if (!r.ok()) return false;
    first = GroupEvaluations(*r);
    for (const auto& [g, t] : first) {
      if (t <= 0) return false;
    }
    return !first.empty();
  })) << "not every group was evaluated";
  nlohmann::json rules;
  ASSERT_TRUE(PollUntil(30'000, [&] {
    Result<nlohmann::json> r = ApiData(addr, "/api/v1/rules", {});
    if (!r.ok()) return false;
    for (const auto& [g, t] : GroupEvaluations(*r)) {
      if (t <= first[g]) return false;
    }
    rules = *r;
    return true;
  })) << "not every group was evaluated twice";

  size_t count = 0;
  std::map<std::string, size_t> per_file;
  std::string unhealthy;
  for (const nlohmann::json& g : rules["groups"]) {
    const std::string file = g.value("file", "");
    for (const nlohmann::json& r : g["rules"]) {
      ++count;
      ++per_file[file.substr(file.rfind('/') + 1)];
      const std::string name = r.value("name", "");
      if (r.value("health", "") != "ok" || r.contains("lastError")) {
        unhealthy += name + ": health " + r.value("health", "") + ": " +
                     r.value("lastError", "") + "\n";
      }
      EXPECT_GT(ParseRfc3339Ms(r.value("lastEvaluation", "")), 0)
          << name << " never evaluated: " << r.dump();
      EXPECT_FALSE(r.value("query", "").empty()) << name;
    }
  }
  EXPECT_TRUE(unhealthy.empty()) << unhealthy;
  EXPECT_EQ(count, kNodeRules + kThirdPartyRules);
  EXPECT_EQ(per_file["node_alerts.yml"], kNodeRules);
  EXPECT_EQ(per_file["third_party_node_exporter.yml"], kThirdPartyRules);

  // The record rule wrote its series, and rules over it see data: the
  // files evaluate over real samples, not over nothing.
  Result<nlohmann::json> rec =
      ApiData(addr, "/api/v1/query",
              {{"query", "instance:node_cpu_utilisation:rate5m"}});
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  ASSERT_EQ((*rec)["result"].size(), 1u) << rec->dump();
  const double util = std::strtod(
      (*rec)["result"][0]["value"][1].get<std::string>().c_str(), nullptr);
  EXPECT_GE(util, 0.0);
  EXPECT_LE(util, 1.0);
  // The rule evaluation metrics count both files' groups without failures.
  Result<nlohmann::json> fails =
      ApiData(addr, "/api/v1/query",
              {{"query", "sum(tend_rule_evaluation_failures_total)"}});
  ASSERT_TRUE(fails.ok()) << fails.status().ToString();
  if (!(*fails)["result"].empty()) {
    EXPECT_EQ((*fails)["result"][0]["value"][1], "0") << fails->dump();
  }
  EXPECT_EQ(agent.Stop(SIGTERM), 0) << agent.LastLog();
}

// Metric names in a PromQL expression that look like node_exporter's.
std::set<std::string> NodeMetrics(const std::string& expr) {
  static const std::regex kIdent("[a-zA-Z_:][a-zA-Z0-9_:]*");
  std::set<std::string> out;
  for (auto it = std::sregex_iterator(expr.begin(), expr.end(), kIdent);
       it != std::sregex_iterator(); ++it) {
    const std::string name = it->str();
    if (name.rfind("node_", 0) == 0 && name.find(':') == std::string::npos) {
      out.insert(name);
    }
  }
  return out;
}

// Metric names in a Prometheus text exposition.
std::set<std::string> ExposedNames(const std::string& text) {
  std::set<std::string> out;
  for (const std::string& line : SplitLines(text)) {
    if (line.empty() || line[0] == '#') continue;
    out.insert(line.substr(0, line.find_first_of("{ ")));
  }
  return out;
}

TEST(AlertingRules, TendHasEveryRuleMetricNodeExporterHasHere) {
  TempDir dir;
  const std::string& d = dir.path();
  CopyRules(d);
  if (HasFatalFailure()) return;
  // The real node_exporter with its default collectors, on this host.
  const std::string ne_addr = "127.0.0.1:" + std::to_string(FreePort());
  ChildProcess ne;
  ASSERT_TRUE(ne.Start({PeerBinary("prometheus-node-exporter"),
                        "--web.listen-address=" + ne_addr},
                       d + "/node_exporter.log")
                  .ok());
  ASSERT_TRUE(WaitForHttp200(ne_addr, "/metrics", 20'000)) << ne.Log();
  Result<std::string> ne_text = Get(ne_addr, "/metrics");
  ASSERT_TRUE(ne_text.ok()) << ne_text.status().ToString();
  const std::set<std::string> ne_names = ExposedNames(*ne_text);

  AlertingAgent agent(d, Config());
  ASSERT_TRUE(agent.Start()) << agent.LastLog();
  std::set<std::string> tend_names;
  ASSERT_TRUE(PollUntil(20'000, [&] {
    Result<nlohmann::json> names =
        ApiData(agent.addr(), "/api/v1/label/__name__/values", {});
    if (!names.ok()) return false;
    for (const nlohmann::json& n : *names)
      tend_names.insert(n.get<std::string>());
    return tend_names.count("node_cpu_seconds_total") > 0;
  }));
  Result<nlohmann::json> rules = ApiData(agent.addr(), "/api/v1/rules", {});
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();

  // metric -> rules using it, for the metrics node_exporter has and tend
  // lacks.
  std::map<std::string, std::set<std::string>> missing;
  size_t used = 0;
  for (const nlohmann::json& g : (*rules)["groups"]) {
    for (const nlohmann::json& r : g["rules"]) {
      for (const std::string& m : NodeMetrics(r.value("query", ""))) {
        ++used;
        if (ne_names.count(m) && !tend_names.count(m)) {
          missing[m].insert(r.value("name", ""));
        }
      }
    }
  }
  EXPECT_GT(used, 100u);
  std::string report;
  for (const auto& [m, rs] : missing) {
    report += "  " + m + " (used by";
    for (const std::string& r : rs) report += " " + r;
    report += ")\n";
  }
  EXPECT_TRUE(missing.empty())
      << "node_exporter exposes these metrics on this host and the rules "
         "use them, but tend does not expose them (those rules can never "
         "fire on tend's metrics):\n"
      << report;
  EXPECT_EQ(agent.Stop(SIGTERM), 0) << agent.LastLog();
}

}  // namespace
}  // namespace tend::testing
