// The alerting commands as a user runs them: `tend rules check` against the
// real promtool, `tend silence` and `tend events` on a data dir with no
// agent, and `tend probes` / `tend alerts` against a running agent.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "base/subprocess.h"
#include "harness.h"

namespace tend::testing {
namespace {

SubprocessResult RunBinary(const std::string& binary,
                           std::vector<std::string> args) {
  SubprocessOptions o;
  o.argv = {binary};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.timeout_ms = 20000;
  Result<SubprocessResult> r = RunSubprocess(o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : SubprocessResult();
}

SubprocessResult Tend(std::vector<std::string> args) {
  return RunBinary(TendBinary(), std::move(args));
}

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

const char kGood[] = R"(groups:
  - name: host
    rules:
      - alert: HostDown
        expr: up == 0
        for: 1m
        annotations: {summary: "{{ $labels.instance }} is down"}
      - record: instance:load1:sum
        expr: sum by (instance) (node_load1)
)";

const char kBad[] = R"(groups:
  - name: host
    rules:
      - alert: HostDown
        expr: up == = 0
)";

TEST(AlertingCliTest, RulesCheckAgreesWithPromtool) {
  TempDir dir;
  const std::string good = dir.path() + "/good.yml";
  const std::string bad = dir.path() + "/bad.yml";
  Write(good, kGood);
  Write(bad, kBad);
  const std::string promtool = PeerBinary("promtool");

  SubprocessResult t = Tend({"rules", "check", good});
  SubprocessResult p = RunBinary(promtool, {"check", "rules", good});
  EXPECT_EQ(t.exit_code, 0) << t.stderr_data;
  EXPECT_EQ(t.exit_code, p.exit_code);
  EXPECT_NE(t.stdout_data.find("SUCCESS: 2 rules found"), std::string::npos)
      << t.stdout_data;
  EXPECT_NE(p.stdout_data.find("SUCCESS: 2 rules found"), std::string::npos)
      << p.stdout_data;

  t = Tend({"rules", "check", good, bad});
  p = RunBinary(promtool, {"check", "rules", good, bad});
  EXPECT_EQ(t.exit_code, 1);
  EXPECT_EQ(t.exit_code, p.exit_code);
  // Every file is checked; the error names file, line, column and rule.
  EXPECT_NE(t.stdout_data.find("SUCCESS: 2 rules found"), std::string::npos);
  EXPECT_NE(t.stderr_data.find(bad + ":5:"), std::string::npos)
      << t.stderr_data;
  EXPECT_NE(t.stderr_data.find("HostDown"), std::string::npos);

  t = Tend({"rules", "check"});
  EXPECT_EQ(t.exit_code, 2);
}

TEST(AlertingCliTest, SilencesAndEventsWithoutAnAgent) {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  SubprocessResult r =
      Tend({"silence", "add", "alertname=\"HostDown\"", "instance=~\"web-.*\"",
            "--duration", "2h", "--comment", "kernel upgrade", "--author",
            "ops", "--data-dir", data});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  const std::string id = r.stdout_data.substr(0, r.stdout_data.find('\n'));
  EXPECT_EQ(id.size(), 36u) << id;

  r = Tend({"silence", "ls", "-o", "json", "--data-dir", data});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  nlohmann::json list = nlohmann::json::parse(r.stdout_data);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["id"], id);
  EXPECT_EQ(list[0]["status"]["state"], "active");
  EXPECT_EQ(list[0]["createdBy"], "ops");
  EXPECT_EQ(list[0]["matchers"].size(), 2u);
  EXPECT_EQ(list[0]["matchers"][1]["isRegex"], true);

  // A silence that would mute everything is refused, with the reason.
  r = Tend(
      {"silence", "add", "job=~\".*\"", "--comment", "x", "--data-dir", data});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.stderr_data.find("empty string"), std::string::npos)
      << r.stderr_data;
  r = Tend({"silence", "add", "job~x", "--comment", "x", "--data-dir", data});
  EXPECT_EQ(r.exit_code, 2) << r.stderr_data;

  r = Tend({"silence", "expire", id, "--data-dir", data});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  r = Tend({"silence", "ls", "-o", "json", "--data-dir", data});
  list = nlohmann::json::parse(r.stdout_data);
  EXPECT_EQ(list[0]["status"]["state"], "expired");
  r = Tend({"silence", "expire", "no-such-id", "--data-dir", data});
  EXPECT_EQ(r.exit_code, 1);

  r = Tend({"events", "--kind", "silence", "-o", "json", "--data-dir", data});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  nlohmann::json events = nlohmann::json::parse(r.stdout_data);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["outcome"], "created");
  EXPECT_EQ(events[1]["outcome"], "expired");
  EXPECT_EQ(events[0]["subject"], id);
}

TEST(AlertingCliTest, ProbesAndAlertsFromTheAgent) {
  TempDir dir;
  const int port = FreePort();
  const int closed = FreePort();
  const std::string addr = "127.0.0.1:" + std::to_string(port);
  Write(dir.path() + "/rules.yml", R"(groups:
  - name: probes
    interval: 1s
    rules:
      - alert: EndpointDown
        expr: probe_success == 0
        annotations: {summary: "{{ $labels.probe }} does not answer"}
)");
  Write(dir.path() + "/tend.yml", "agent: {listen: \"" + addr +
                                      "\"}\n"
                                      "logs: {enabled: false}\n"
                                      "alerting: {rule_files: [rules.yml]}\n"
                                      "probes:\n"
                                      "  - {name: self, type: http, interval: "
                                      "1s, http: {url: \"http://" +
                                      addr +
                                      "/-/healthy\"}}\n"
                                      "  - {name: gone, type: tcp, interval: "
                                      "1s, tcp: {address: \"127.0.0.1:" +
                                      std::to_string(closed) + "\"}}\n");
  ChildProcess agent;
  ASSERT_TRUE(agent
                  .Start({TendBinary(), "agent", "-c", dir.path() + "/tend.yml",
                          "--data-dir", dir.path() + "/data"},
                         dir.path() + "/agent.log")
                  .ok());
  ASSERT_TRUE(WaitForHttp200(addr, "/-/ready", 20000)) << agent.Log();
  SubprocessResult r;
  for (int i = 0; i < 100; ++i) {
    r = Tend({"alerts", "--listen", addr});
    if (r.stdout_data.find("firing") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(r.exit_code, 1) << r.stdout_data << r.stderr_data;
  EXPECT_NE(r.stdout_data.find("EndpointDown"), std::string::npos);
  EXPECT_NE(r.stdout_data.find("gone does not answer"), std::string::npos)
      << r.stdout_data;
  EXPECT_EQ(r.stdout_data.find("probe=self"), std::string::npos);

  r = Tend({"probes", "--listen", addr});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.stdout_data.find("gone"), std::string::npos);
  EXPECT_NE(r.stdout_data.find("down"), std::string::npos);
  EXPECT_NE(r.stdout_data.find("Connection refused"), std::string::npos)
      << r.stdout_data;
  r = Tend({"probes", "-o", "json", "--listen", addr});
  nlohmann::json probes = nlohmann::json::parse(r.stdout_data);
  ASSERT_EQ(probes.size(), 2u);
  for (const auto& p : probes) {
    EXPECT_EQ(p["health"], p["name"] == "self" ? "up" : "down") << p.dump();
  }
  r = Tend({"events", "--kind", "alert", "--listen", addr});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.stdout_data.find("firing"), std::string::npos) << r.stdout_data;

  // Silences through the running agent (add, list, expire over its API).
  r = Tend({"silence", "add", "alertname=\"EndpointDown\"", "--comment",
            "planned", "--listen", addr});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  const std::string id = r.stdout_data.substr(0, r.stdout_data.find('\n'));
  r = Tend({"silence", "ls", "--listen", addr});
  EXPECT_NE(r.stdout_data.find(id + " active"), std::string::npos)
      << r.stdout_data;
  r = Tend({"silence", "expire", id, "--listen", addr});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  r = Tend({"silence", "ls", "-o", "json", "--listen", addr});
  nlohmann::json silences = nlohmann::json::parse(r.stdout_data);
  ASSERT_EQ(silences.size(), 1u);
  EXPECT_EQ(silences[0]["status"]["state"], "expired");
}

}  // namespace
}  // namespace tend::testing
