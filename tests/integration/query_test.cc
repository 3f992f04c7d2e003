// The metric store and PromQL end to end: the real agent stores what it
// collects, Prometheus's own promtool queries it over the HTTP API, and
// `tend query` answers both through the agent and, once it stopped, from the
// store on disk.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "base/subprocess.h"
#include "harness.h"

namespace tend::testing {
namespace {

SubprocessResult Exec(std::vector<std::string> argv) {
  SubprocessOptions o;
  o.argv = std::move(argv);
  o.timeout_ms = 60000;
  Result<SubprocessResult> r = RunSubprocess(o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : SubprocessResult();
}

class QueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    addr_ = "127.0.0.1:" + std::to_string(FreePort());
    data_ = dir_.path() + "/data";
    ASSERT_TRUE(agent_
                    .Start({TendBinary(), "agent", "--data-dir", data_,
                            "--listen", addr_},
                           dir_.path() + "/agent.log")
                    .ok());
    ASSERT_TRUE(WaitForHttp200(addr_, "/-/ready", 10000)) << agent_.Log();
    // A few 1 s cycles so that rates have two samples.
    ::sleep(4);
  }

  TempDir dir_;
  std::string addr_;
  std::string data_;
  ChildProcess agent_;
};

TEST_F(QueryTest, PromtoolQueriesTheAgent) {
  const std::string promtool = PeerBinary("promtool");
  SubprocessResult inst =
      Exec({promtool, "query", "instant", "-o", "json", "http://" + addr_,
            "count(node_cpu_seconds_total{mode=\"idle\"}) > 0"});
  ASSERT_TRUE(inst.success()) << inst.stderr_data;
  auto j = nlohmann::json::parse(inst.stdout_data, nullptr, false);
  ASSERT_TRUE(j.is_array()) << inst.stdout_data;
  ASSERT_EQ(j.size(), 1u);
  EXPECT_GE(std::stod(j[0]["value"][1].get<std::string>()), 1.0);

  const long now = static_cast<long>(std::time(nullptr));
  SubprocessResult range =
      Exec({promtool, "query", "range", "-o", "json",
            "--start=" + std::to_string(now - 3),
            "--end=" + std::to_string(now), "--step=1s", "http://" + addr_,
            "sum(rate(node_cpu_seconds_total[3s]))"});
  ASSERT_TRUE(range.success()) << range.stderr_data;
  auto r = nlohmann::json::parse(range.stdout_data, nullptr, false);
  ASSERT_TRUE(r.is_array()) << range.stdout_data;
  ASSERT_EQ(r.size(), 1u);
  // Busy seconds per second across CPUs: positive, at most the CPU count.
  ASSERT_FALSE(r[0]["values"].empty());
  double v = std::stod(r[0]["values"].back()[1].get<std::string>());
  EXPECT_GT(v, 0.0);
  EXPECT_LT(v, 1024.0);

  SubprocessResult labels =
      Exec({promtool, "query", "labels", "http://" + addr_, "mode"});
  ASSERT_TRUE(labels.success()) << labels.stderr_data;
  EXPECT_NE(labels.stdout_data.find("idle"), std::string::npos);
}

TEST_F(QueryTest, TendQueryThroughTheAgentThenFromDisk) {
  SubprocessResult live = Exec({TendBinary(), "query", "--data-dir", data_,
                                "-o", "json", "count(node_load1)"});
  ASSERT_TRUE(live.success()) << live.stderr_data;
  auto j = nlohmann::json::parse(live.stdout_data, nullptr, false);
  ASSERT_EQ(j["status"], "success") << live.stdout_data;
  EXPECT_EQ(j["data"]["result"][0]["value"][1], "1");

  ASSERT_EQ(agent_.SignalAndWait(SIGTERM, 10000), 0) << agent_.Log();
  // No agent now: tend opens the store itself (read-only, under the lock)
  // and finds the samples the agent wrote to its WAL.
  SubprocessResult off = Exec({TendBinary(), "query", "--data-dir", data_,
                               "--time", "now", "count(node_load1)"});
  ASSERT_TRUE(off.success()) << off.stderr_data;
  EXPECT_THAT(off.stdout_data, ::testing::ContainsRegex("\\{\\} +1\n"));

  SubprocessResult bad =
      Exec({TendBinary(), "query", "--data-dir", data_, "sum("});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.stderr_data.find("1:5: parse error"), std::string::npos)
      << bad.stderr_data;
}

TEST(QueryTestScripts, PrometheusConformanceScriptsPass) {
  std::vector<std::string> argv = {TendBinary(), "query", "test"};
  for (const char* f :
       {"aggregators", "functions", "literals", "operators", "selectors"}) {
    argv.push_back(std::string(std::getenv("TEND_SOURCE_DIR")) +
                   "/../shared/data/promql-v2.42/" + f + ".test");
  }
  SubprocessResult r = Exec(argv);
  ASSERT_TRUE(r.success()) << r.stdout_data << r.stderr_data;
  // The summary line, and nothing failed.
  EXPECT_NE(r.stdout_data.find(" passed, 0 failed\n"), std::string::npos)
      << r.stdout_data;
}

}  // namespace
}  // namespace tend::testing
