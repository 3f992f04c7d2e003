// Configuration reload (SIGHUP and POST /-/reload) and clean shutdown of
// the real agent.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "harness.h"
#include "http/client.h"

namespace tend::testing {
namespace {

nlohmann::json Status(const std::string& addr) {
  Result<std::string> body = Get(addr, "/api/v1/status");
  if (!body.ok()) return nlohmann::json();
  return nlohmann::json::parse(*body, nullptr, false)["data"];
}

bool WaitFor(const std::function<bool()>& cond, int timeout_ms) {
  for (int waited = 0; waited <= timeout_ms; waited += 50) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST(ReloadTest, BadConfigIsRejectedGoodOneApplied) {
  TempDir dir;
  const std::string config = dir.path() + "/tend.yml";
  std::ofstream(config) << "agent:\n  interval: 1s\n";
  const std::string addr = "127.0.0.1:" + std::to_string(FreePort());
  ChildProcess agent;
  ASSERT_TRUE(agent
                  .Start({TendBinary(), "agent", "--config", config,
                          "--data-dir", dir.path() + "/data", "--listen", addr},
                         dir.path() + "/agent.log")
                  .ok());
  ASSERT_TRUE(WaitForHttp200(addr, "/-/ready", 20000)) << agent.Log();
  ASSERT_NE(Get(addr, "/metrics")->find("node_cpu_seconds_total"),
            std::string::npos);

  // A broken file: SIGHUP is rejected, the old config keeps running.
  std::ofstream(config) << "agent:\n  interval: fast\n";
  agent.Signal(SIGHUP);
  ASSERT_TRUE(WaitFor(
      [&] { return Status(addr).value("reload_failures", 0) == 1; }, 10000))
      << agent.Log();
  const std::string reload_error =
      Status(addr)["last_reload_error"].get<std::string>();
  EXPECT_NE(reload_error.find(config + ":2:13"), std::string::npos)
      << Status(addr).dump();
  EXPECT_NE(agent.Log().find("configuration reload failed"), std::string::npos);
  EXPECT_TRUE(WaitFor(
      [&] {
        Result<std::string> m = Get(addr, "/metrics");
        return m.ok() && m->find("tend_config_last_reload_successful 0") !=
                             std::string::npos;
      },
      10000));
  EXPECT_TRUE(agent.Running());

  // The same through the API: 500 with the error.
  HttpClientRequest req;
  req.method = "POST";
  req.address = addr;
  req.path = "/-/reload";
  Result<HttpClientResponse> r = HttpFetch(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 500);
  EXPECT_NE(r->body.find("failed to reload config"), std::string::npos);

  // A good file that turns the cpu collector off: applied.
  std::ofstream(config) << "agent:\n  interval: 1s\ncollectors:\n  cpu:\n"
                           "    enabled: false\n";
  r = HttpFetch(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_TRUE(WaitFor(
      [&] {
        Result<std::string> m = Get(addr, "/metrics");
        return m.ok() &&
               m->find("node_cpu_seconds_total") == std::string::npos &&
               m->find("node_load1") != std::string::npos;
      },
      10000));
  EXPECT_EQ(Status(addr).value("reloads", 0), 1);

  // SIGTERM: clean exit, agent.json gone, lock free.
  int st = agent.SignalAndWait(SIGTERM, 10000);
  ASSERT_NE(st, -1);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << agent.Log();
  struct stat sb;
  EXPECT_NE(::stat((dir.path() + "/data/agent.json").c_str(), &sb), 0);
}

// --log-format json wins over the configuration's log.format (human by
// default): every line the agent writes is a JSON object.
TEST(LogFormatTest, JsonFlagOverridesConfig) {
  TempDir dir;
  const std::string addr = "127.0.0.1:" + std::to_string(FreePort());
  ChildProcess agent;
  ASSERT_TRUE(
      agent
          .Start({TendBinary(), "agent", "--data-dir", dir.path() + "/data",
                  "--listen", addr, "--log-format", "json"},
                 dir.path() + "/agent.log")
          .ok());
  ASSERT_TRUE(WaitForHttp200(addr, "/-/ready", 20000)) << agent.Log();
  int st = agent.SignalAndWait(SIGTERM, 10000);
  ASSERT_NE(st, -1);
  std::string log = agent.Log();
  int lines = 0;
  size_t pos = 0;
  while (pos < log.size()) {
    size_t eol = log.find('\n', pos);
    if (eol == std::string::npos) eol = log.size();
    std::string line = log.substr(pos, eol - pos);
    pos = eol + 1;
    if (line.empty()) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << "not JSON: " << line;
    EXPECT_TRUE(j.contains("ts") && j.contains("level") && j.contains("msg"))
        << line;
    ++lines;
  }
  EXPECT_GE(lines, 2) << log;  // "started" and "stopped" at least.
  EXPECT_NE(log.find("\"msg\":\"tend agent started\""), std::string::npos);
}

}  // namespace
}  // namespace tend::testing
