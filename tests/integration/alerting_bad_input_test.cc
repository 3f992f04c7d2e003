// Bad input through the agent: a rule file with errors and a bad
// notifications file make `tend agent` refuse to start, naming
// file:line:column; a receiver that accepts connections and never answers
// blocks neither rule evaluation nor another receiver.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <regex>

#include "alerting_test_util.h"

namespace tend::testing {
namespace {

// Runs `tend agent` on `config` expecting it to refuse to start: it must
// exit (not serve) with a non-zero status. Its stderr and stdout.
std::string RefusedStart(const std::string& dir, const std::string& config) {
  const std::string path = dir + "/tend.yml";
  EXPECT_TRUE(WriteText(path, config));
  SubprocessResult r =
      Exec({LogsTend(), "agent", "--config", path, "--data-dir", dir + "/data",
            "--listen", "127.0.0.1:" + std::to_string(FreePort())},
           30'000);
  EXPECT_NE(r.exit_code, 0) << "tend agent started on a bad configuration";
  EXPECT_NE(r.exit_code, -1) << "tend agent did not exit: " << r.stderr_data;
  return r.stderr_data + r.stdout_data;
}

TEST(AlertingBadInput, BrokenRuleFilesRefuseToStartWithPositions) {
  TempDir dir;
  const std::string& d = dir.path();
  // Line 5: an unclosed parenthesis in PromQL. Line 12 of the other file:
  // an unclosed template action.
  ASSERT_TRUE(WriteText(d + "/a_promql.yml", R"(groups:
  - name: g
    rules:
      - alert: A
        expr: sum(rate(node_cpu_seconds_total[5m]) > 1
)"));
  ASSERT_TRUE(WriteText(d + "/b_template.yml", R"(groups:
  - name: ok
    rules:
      - alert: Fine
        expr: up == 0
  - name: broken
    rules:
      - alert: B
        expr: up == 0
        for: 1m
        annotations:
          summary: "{{ $labels.instance "
)"));
  const std::string out =
      RefusedStart(d, BaseConfig() + "alerting:\n  rule_files: ['*.yml']\n");
  // Both files' errors are reported, each as file:line:column.
  EXPECT_TRUE(std::regex_search(out, std::regex("a_promql\\.yml:5:\\d+")))
      << out;
  EXPECT_TRUE(std::regex_search(out, std::regex("b_template\\.yml:12:\\d+")))
      << out;
  EXPECT_EQ(out.find("AddressSanitizer"), std::string::npos) << out;

  // A missing rule file is named too.
  const std::string missing = RefusedStart(
      d, BaseConfig() + "alerting:\n  rule_files: [no_such_rules.yml]\n");
  EXPECT_NE(missing.find("no_such_rules.yml"), std::string::npos) << missing;
}

TEST(AlertingBadInput, BrokenNotificationsFileRefusesToStartWithPosition) {
  TempDir dir;
  const std::string& d = dir.path();
  // Line 3 column 15: not a duration. Line 7: an integration tend does not
  // have (refused by name, never ignored).
  ASSERT_TRUE(WriteText(d + "/alertmanager.yml", R"(route:
  receiver: ops
  group_wait: soon
receivers:
  - name: ops
    webhook_configs: [{url: 'http://127.0.0.1:9/x'}]
    pagerduty_configs:
      - routing_key: abc
)"));
  const std::string out = RefusedStart(
      d, BaseConfig() + "alerting:\n  notifications_file: alertmanager.yml\n");
  EXPECT_TRUE(std::regex_search(out, std::regex("alertmanager\\.yml:3:\\d+")))
      << out;
  EXPECT_TRUE(std::regex_search(out, std::regex("alertmanager\\.yml:7:\\d+")))
      << out;
  EXPECT_NE(out.find("pagerduty_configs"), std::string::npos) << out;

  // A route naming a receiver that does not exist.
  ASSERT_TRUE(WriteText(d + "/alertmanager.yml", R"(route:
  receiver: ops
  routes:
    - receiver: nobody
receivers:
  - name: ops
)"));
  const std::string unknown = RefusedStart(
      d, BaseConfig() + "alerting:\n  notifications_file: alertmanager.yml\n");
  EXPECT_TRUE(
      std::regex_search(unknown, std::regex("alertmanager\\.yml:4:\\d+")))
      << unknown;
  EXPECT_NE(unknown.find("nobody"), std::string::npos) << unknown;
}

// The group's lastEvaluation in Unix ms (-1 when unknown).
int64_t LastEvaluation(const std::string& addr) {
  Result<nlohmann::json> d = ApiData(addr, "/api/v1/rules", {});
  if (!d.ok() || (*d)["groups"].empty()) return -1;
  return ParseRfc3339Ms((*d)["groups"][0].value("lastEvaluation", ""));
}

TEST(AlertingBadInput, HangingReceiverBlocksNeitherRulesNorOthers) {
  TempDir dir;
  const std::string& d = dir.path();
  HangServer hang;
  HookServer good;
  ASSERT_TRUE(WriteText(d + "/flag", "1\n"));
  ASSERT_TRUE(WriteText(d + "/rules.yml", R"(groups:
  - name: g
    rules:
      - alert: AlwaysOn
        expr: vector(1)
        labels: {severity: info}
      - alert: FlagGone
        expr: probe_success{probe="flag"} == 0
        labels: {severity: warning}
)"));
  // Every alert goes to both receivers: `hang` first (continue), then
  // `good`. hang's timeout is 3 s, so its attempts time out and retry.
  ASSERT_TRUE(
      WriteText(d + "/alertmanager.yml",
                Subst(R"(route:
  receiver: good
  group_by: [alertname]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
  routes:
    - receiver: hang
      continue: true
    - receiver: good
receivers:
  - name: hang
    webhook_configs:
      - url: '@HANG@'
        timeout: 3s
  - name: good
    webhook_configs:
      - url: '@GOOD@'
)",
                      {{"@HANG@", hang.url()}, {"@GOOD@", good.url()}})));
  AlertingAgent agent(d, BaseConfig() + Subst(R"(probes:
  - name: flag
    type: file
    interval: 1s
    file:
      path: @D@/flag
alerting:
  evaluation_interval: 1s
  rule_files: [rules.yml]
  notifications_file: alertmanager.yml
)",
                                              {{"@D@", d}}));
  ASSERT_TRUE(agent.Start()) << agent.LastLog();
  const std::string& addr = agent.addr();

  // The hanging receiver holds a connection; the good one got AlwaysOn.
  ASSERT_TRUE(PollUntil(20'000, [&] { return hang.accepted() >= 1; }))
      << EventSummary(Events(addr));
  ASSERT_TRUE(PollUntil(
      10'000, [&] { return !good.For("AlwaysOn", "firing").empty(); }))
      << good.Dump() << EventSummary(Events(addr));

  // While it hangs, evaluation goes on: lastEvaluation advances each
  // second.
  std::vector<int64_t> evals;
  for (int i = 0; i < 5; ++i) {
    evals.push_back(LastEvaluation(addr));
    SleepMs(1000);
  }
  evals.push_back(LastEvaluation(addr));
  int advanced = 0;
  for (size_t i = 1; i < evals.size(); ++i) advanced += evals[i] > evals[i - 1];
  EXPECT_GE(advanced, 4) << ::testing::PrintToString(evals);

  // A new alert while the hang goes on still reaches the good receiver.
  const auto removed = Steady::now();
  ASSERT_EQ(::unlink((d + "/flag").c_str()), 0);
  ASSERT_TRUE(PollUntil(
      15'000, [&] { return !good.For("FlagGone", "firing").empty(); }))
      << good.Dump() << EventSummary(Events(addr));
  EXPECT_LT(std::chrono::duration<double>(Steady::now() - removed).count(),
            6.0);
  EXPECT_EQ(good.For("AlwaysOn", "firing").size(), 1u) << good.Dump();

  // The hanging receiver's attempts time out and are retried; the good
  // one never failed.
  const nlohmann::json events = Events(addr, "notification");
  EXPECT_GE(EventsWhere(events, "hang", "retry").size(), 1u)
      << EventSummary(events);
  EXPECT_TRUE(EventsWhere(events, "hang", "sent").empty())
      << EventSummary(events);
  EXPECT_EQ(EventsWhere(events, "good", "sent").size(), 2u)
      << EventSummary(events);
  EXPECT_TRUE(EventsWhere(events, "good", "retry").empty())
      << EventSummary(events);
  // The API stays responsive.
  const auto t0 = Steady::now();
  EXPECT_TRUE(Get(addr, "/-/ready").ok());
  EXPECT_LT(std::chrono::duration<double>(Steady::now() - t0).count(), 1.0);
  // Stopping does not wait for the hung attempt longer than its timeout.
  const auto stop0 = Steady::now();
  EXPECT_EQ(agent.Stop(SIGTERM), 0) << agent.LastLog();
  EXPECT_LT(std::chrono::duration<double>(Steady::now() - stop0).count(), 10.0);
}

}  // namespace
}  // namespace tend::testing
