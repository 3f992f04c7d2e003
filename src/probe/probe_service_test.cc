// ProbeService scheduling, overruns, RunNow, Collect and Results, with exec
// probes driven by a scripted CommandRunner (and one real tcp probe).
#include "probe/probe_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace tend {
namespace {

// argv[0] decides: "ok" exits 0, "fail" exits 1, "hang" blocks (ignoring
// its timeout) until Release(). Thread-safe.
class ScriptedRunner : public CommandRunner {
 public:
  Result<SubprocessResult> Run(const SubprocessOptions& o) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      calls_[o.argv[0]]++;
    }
    SubprocessResult r;
    if (o.argv[0] == "hang") {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return released_; });
    }
    r.exit_code = o.argv[0] == "fail" ? 1 : 0;
    return r;
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  int calls(const std::string& name) {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_[name];
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
  std::map<std::string, int> calls_;
};

ProbeSpec Exec(const std::string& name, const std::string& cmd,
               int64_t interval_ms, int64_t timeout_ms = 0) {
  ProbeSpec s;
  s.name = name;
  s.kind = ProbeKind::kExec;
  s.interval_ms = interval_ms;
  s.timeout_ms = timeout_ms;
  s.exec.argv = {cmd};
  return s;
}

// Polls `pred` for up to 10 s.
template <typename Pred>
bool Eventually(Pred pred) {
  for (int i = 0; i < 1000; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

ProbeStatus StatusOf(const ProbeService& s, const std::string& name) {
  for (const ProbeStatus& st : s.Results()) {
    if (st.name == name) return st;
  }
  ADD_FAILURE() << "no probe " << name;
  return {};
}

ProbeServiceOptions Immediate(int threads = 2) {
  ProbeServiceOptions o;
  o.threads = threads;
  o.spread_start = false;
  o.abandon_grace_ms = 100;
  return o;
}

TEST(ProbeServiceTest, RejectsInvalidAndDuplicateSpecs) {
  ScriptedRunner runner;
  ProbeDeps deps;
  deps.runner = &runner;
  auto s = ProbeService::Create({Exec("a", "ok", 1000), Exec("a", "ok", 1000)},
                                deps);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "probe \"a\": name used more than once");
  ProbeSpec bad = Exec("b", "ok", 1000);
  bad.exec.argv.clear();
  s = ProbeService::Create({Exec("a", "ok", 1000), bad}, deps);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("probe \"b\": exec.argv"),
            std::string::npos);
}

TEST(ProbeServiceTest, RunsOnIntervalAndReports) {
  ScriptedRunner runner;
  ProbeDeps deps;
  deps.runner = &runner;
  auto created = ProbeService::Create(
      {Exec("up", "ok", 50), Exec("down", "fail", 50)}, deps, Immediate());
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  ProbeService& svc = **created;
  std::mutex mu;
  std::map<std::string, int> seen;
  svc.SetResultCallback([&](const std::string& name, const ProbeResult& r) {
    std::lock_guard<std::mutex> lock(mu);
    seen[name + (r.success ? ":ok" : ":fail")]++;
  });
  EXPECT_FALSE(StatusOf(svc, "up").has_run);
  svc.Start();
  EXPECT_TRUE(Eventually([&] {
    return StatusOf(svc, "up").runs >= 3 && StatusOf(svc, "down").runs >= 3;
  }));
  svc.Stop();

  ProbeStatus up = StatusOf(svc, "up");
  EXPECT_TRUE(up.has_run);
  EXPECT_TRUE(up.last_success);
  EXPECT_EQ(up.failures, 0u);
  EXPECT_EQ(up.target, "ok");
  EXPECT_EQ(up.interval_ms, 50);
  EXPECT_EQ(up.timeout_ms, 50);
  EXPECT_GT(up.last_run_unix_ms, 1'500'000'000'000);
  ProbeStatus down = StatusOf(svc, "down");
  EXPECT_FALSE(down.last_success);
  EXPECT_EQ(down.last_error, "fail exited with 1");
  EXPECT_EQ(down.failures, down.runs);
  EXPECT_EQ(down.consecutive_failures, static_cast<int64_t>(down.runs));
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(seen["up:ok"], static_cast<int>(up.runs));
  EXPECT_EQ(seen["down:fail"], static_cast<int>(down.runs));
  EXPECT_EQ(seen["up:fail"], 0);
}

TEST(ProbeServiceTest, CollectLabelsEverySample) {
  ScriptedRunner runner;
  ProbeDeps deps;
  deps.runner = &runner;
  auto created = ProbeService::Create(
      {Exec("up", "ok", 60000), Exec("later", "ok", 60000)}, deps, Immediate());
  ASSERT_TRUE(created.ok());
  ProbeService& svc = **created;
  ASSERT_TRUE(svc.RunNow("up").ok());
  MetricSet set;
  svc.Collect(&set);
  const MetricFamily* success = set.Find("probe_success");
  ASSERT_NE(success, nullptr);
  EXPECT_EQ(success->type, MetricType::kGauge);
  // Only the probe that ran has probe_* samples.
  ASSERT_EQ(success->samples.size(), 1u);
  Labels want = {{"probe", "up"}, {"type", "exec"}};
  EXPECT_EQ(success->samples[0].labels, want);
  EXPECT_EQ(success->samples[0].value, 1);
  const MetricFamily* code = set.Find("probe_exec_exit_code");
  ASSERT_NE(code, nullptr);
  EXPECT_EQ(code->samples[0].labels, want);
  EXPECT_FALSE(code->help.empty());
  ASSERT_NE(set.Find("probe_duration_seconds"), nullptr);
  // Self metrics for every probe.
  const MetricFamily* runs = set.Find("tend_probe_runs_total");
  ASSERT_NE(runs, nullptr);
  EXPECT_EQ(runs->type, MetricType::kCounter);
  ASSERT_EQ(runs->samples.size(), 2u);
  EXPECT_EQ(runs->samples[0].value, 1);
  EXPECT_EQ(runs->samples[1].value, 0);
}

TEST(ProbeServiceTest, RunNow) {
  ScriptedRunner runner;
  ProbeDeps deps;
  deps.runner = &runner;
  auto created =
      ProbeService::Create({Exec("down", "fail", 60000)}, deps, Immediate());
  ASSERT_TRUE(created.ok());
  ProbeService& svc = **created;
  int callbacks = 0;
  svc.SetResultCallback(
      [&](const std::string&, const ProbeResult&) { callbacks++; });
  Result<ProbeResult> r = svc.RunNow("down");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->success);
  EXPECT_EQ(r->error, "fail exited with 1");
  EXPECT_EQ(callbacks, 1);
  r = svc.RunNow("down");
  EXPECT_EQ(StatusOf(svc, "down").consecutive_failures, 2);
  Result<ProbeResult> missing = svc.RunNow("nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST(ProbeServiceTest, HungProbeIsAbandonedAndDoesNotBlockOthers) {
  ScriptedRunner runner;
  ProbeDeps deps;
  deps.runner = &runner;
  auto created = ProbeService::Create(
      {Exec("stuck", "hang", 50, 100), Exec("fast", "ok", 50)}, deps,
      Immediate(/*threads=*/2));
  ASSERT_TRUE(created.ok());
  ProbeService& svc = **created;
  std::atomic<int> abandoned_reports{0};
  svc.SetResultCallback([&](const std::string& name, const ProbeResult& r) {
    if (name == "stuck" && r.error.find("abandoned") != std::string::npos) {
      abandoned_reports++;
    }
  });
  svc.Start();
  EXPECT_TRUE(Eventually([&] { return StatusOf(svc, "stuck").overruns >= 1; }));
  int fast_before = static_cast<int>(StatusOf(svc, "fast").runs);
  EXPECT_TRUE(Eventually(
      [&] { return StatusOf(svc, "fast").runs >= fast_before + 5u; }));
  ProbeStatus stuck = StatusOf(svc, "stuck");
  EXPECT_FALSE(stuck.last_success);
  EXPECT_EQ(stuck.last_error,
            "probe did not finish within its timeout of 100 ms; abandoned");
  EXPECT_EQ(stuck.overruns, 1u);  // Never re-run while still hung.
  EXPECT_GE(stuck.skipped, 1u);
  EXPECT_EQ(runner.calls("hang"), 1);
  EXPECT_EQ(abandoned_reports.load(), 1);
  runner.Release();
  // Once the hung run returns, the probe is scheduled again.
  EXPECT_TRUE(Eventually([&] { return runner.calls("hang") >= 2; }));
  svc.Stop();
}

TEST(ProbeServiceTest, SpreadStartDelaysFirstRunWithinInterval) {
  ScriptedRunner runner;
  ProbeDeps deps;
  deps.runner = &runner;
  ProbeServiceOptions o;
  o.spread_start = true;
  // A long interval: the first run lands at an offset within the hour
  // derived from the name (fixed for "hourly"), so not within the test.
  auto created =
      ProbeService::Create({Exec("hourly", "ok", 3600 * 1000)}, deps, o);
  ASSERT_TRUE(created.ok());
  (*created)->Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  (*created)->Stop();
  EXPECT_EQ(runner.calls("ok"), 0);
  EXPECT_FALSE(StatusOf(**created, "hourly").has_run);
}

}  // namespace
}  // namespace tend
