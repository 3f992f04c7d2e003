// Supervised processes through the agent: a process killed with SIGKILL 20
// times is restarted each time (a new pid, `restarts` counting up in
// /api/v1/supervise); with a small budget (3 restarts in the window) the
// 4th death is not restarted: the process is left `escalated`, an event
// says so, tend's own SupervisedProcessEscalated alert reaches the
// webhook, and the operator's POST /api/v1/supervise/restart brings it
// back.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <iostream>

#include "alerting_test_util.h"

namespace tend::testing {
namespace {

struct Proc {
  std::string state;
  pid_t pid = 0;
  int restarts = -1;
  int budget_runs = -1;
  int last_signal = 0;
};

// The entry `name` of GET /api/v1/supervise (state "" when absent).
Proc Status(const std::string& addr, const std::string& name) {
  Proc p;
  Result<nlohmann::json> d = ApiData(addr, "/api/v1/supervise", {});
  if (!d.ok()) return p;
  for (const nlohmann::json& e : *d) {
    if (e.value("name", "") != name) continue;
    p.state = e.value("state", "");
    p.pid = e.value("pid", 0);
    p.restarts = e.value("restarts", -1);
    p.budget_runs = e.value("budget_runs", -1);
    p.last_signal = e.value("last_signal", 0);
  }
  return p;
}

// The pid a supervised `sh -c 'echo $$ > FILE; exec sleep 1000'` wrote,
// once that pid runs `sleep 1000` (the exec happened); -1 otherwise.
pid_t SleeperPid(const std::string& pidfile) {
  const pid_t pid = static_cast<pid_t>(std::atoi(ReadText(pidfile).c_str()));
  if (pid <= 0) return -1;
  std::string cmdline = ReadText("/proc/" + std::to_string(pid) + "/cmdline");
  if (cmdline != std::string("sleep\0"
                             "1000\0",
                             11))
    return -1;
  return pid;
}

// Waits until the API and the pid file agree on a running process other
// than `old_pid`; its pid, or -1.
pid_t WaitRunning(const std::string& addr, const std::string& name,
                  const std::string& pidfile, pid_t old_pid) {
  pid_t pid = -1;
  PollUntil(10'000, [&] {
    const Proc p = Status(addr, name);
    const pid_t f = SleeperPid(pidfile);
    if (p.state == "running" && p.pid == f && f > 0 && f != old_pid) {
      pid = f;
      return true;
    }
    return false;
  });
  return pid;
}

std::string Sleeper(const std::string& name, const std::string& dir,
                    int max_runs) {
  return Subst(
      R"(  - name: @N@
    argv: [/bin/sh, -c, 'echo $$ > @D@/@N@.pid; exec sleep 1000']
    min_uptime: 0s
    log_output: false
    budget: {max_runs: @M@, window: 10m}
)",
      {{"@N@", name}, {"@D@", dir}, {"@M@", std::to_string(max_runs)}});
}

// Kills what is left of the sleepers once tend is gone (tend stops its
// processes itself; this only covers a crashed tend). Declared before the
// agent, so it runs after the agent was stopped.
struct Reaper {
  std::vector<std::string> pidfiles;
  ~Reaper() {
    for (const std::string& f : pidfiles) {
      const pid_t pid = SleeperPid(f);
      if (pid > 0) ::kill(pid, SIGKILL);
    }
  }
};

TEST(AlertingSupervise,
     KilledTwentyTimesThenBudgetEscalatesAndOperatorRestarts) {
  TempDir dir;
  const std::string& d = dir.path();
  HookServer hook;
  ASSERT_TRUE(
      WriteText(d + "/alertmanager.yml", WebhookNotifications(hook.url())));
  const std::string worker_pidfile = d + "/worker.pid";
  const std::string fragile_pidfile = d + "/fragile.pid";
  Reaper reaper{{worker_pidfile, fragile_pidfile}};
  {
    AlertingAgent agent(d, BaseConfig() + "supervise:\n" +
                               Sleeper("worker", d, 25) +
                               Sleeper("fragile", d, 3) + R"(alerting:
  evaluation_interval: 1s
  notifications_file: alertmanager.yml
)");
    ASSERT_TRUE(agent.Start()) << agent.LastLog();
    const std::string& addr = agent.addr();

    // 20 SIGKILLs: a new pid every time.
    pid_t pid = WaitRunning(addr, "worker", worker_pidfile, -1);
    ASSERT_GT(pid, 0) << agent.LastLog();
    std::vector<double> latencies_ms;
    std::vector<pid_t> pids = {pid};
    for (int i = 1; i <= 20; ++i) {
      const auto killed = Steady::now();
      ASSERT_EQ(::kill(pid, SIGKILL), 0) << "kill " << i;
      // Polled every millisecond: the figure includes the shell's start
      // and its exec of sleep.
      pid_t next = -1;
      while (Steady::now() - killed < std::chrono::seconds(10)) {
        next = SleeperPid(worker_pidfile);
        if (next > 0 && next != pid) break;
        SleepMs(1);
      }
      latencies_ms.push_back(
          std::chrono::duration<double, std::milli>(Steady::now() - killed)
              .count());
      next = WaitRunning(addr, "worker", worker_pidfile, pid);
      ASSERT_GT(next, 0) << "not restarted after kill " << i << "\n"
                         << agent.LastLog();
      const Proc p = Status(addr, "worker");
      EXPECT_EQ(p.restarts, i);
      EXPECT_EQ(p.last_signal, SIGKILL);
      pids.push_back(next);
      pid = next;
    }
    std::sort(pids.begin(), pids.end());
    EXPECT_EQ(std::unique(pids.begin(), pids.end()), pids.end())
        << "a pid was reused";
    EXPECT_EQ(Status(addr, "worker").budget_runs, 20);
    std::sort(latencies_ms.begin(), latencies_ms.end());
    std::cout << "SIGKILL to the new sleep running (ms): median "
              << latencies_ms[latencies_ms.size() / 2] << ", max "
              << latencies_ms.back() << "\n";

    // Budget 3: three restarts, then escalation.
    pid = WaitRunning(addr, "fragile", fragile_pidfile, -1);
    ASSERT_GT(pid, 0);
    for (int i = 1; i <= 3; ++i) {
      ASSERT_EQ(::kill(pid, SIGKILL), 0);
      pid_t next = WaitRunning(addr, "fragile", fragile_pidfile, pid);
      ASSERT_GT(next, 0) << "fragile not restarted after kill " << i;
      EXPECT_EQ(Status(addr, "fragile").restarts, i);
      pid = next;
    }
    EXPECT_TRUE(hook.For("SupervisedProcessEscalated", "firing").empty());
    const int64_t fourth_kill_ms = WallMs();
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    ASSERT_TRUE(PollUntil(10'000, [&] {
      return Status(addr, "fragile").state == "escalated";
    })) << ApiData(addr, "/api/v1/supervise", {})->dump();
    // Left down.
    SleepMs(1500);
    const Proc down = Status(addr, "fragile");
    EXPECT_EQ(down.state, "escalated");
    EXPECT_LE(down.pid, 0);
    EXPECT_EQ(down.restarts, 3);
    EXPECT_EQ(SleeperPid(fragile_pidfile), -1);
    EXPECT_EQ(Status(addr, "worker").state, "running");

    const nlohmann::json events = Events(addr, "supervise");
    EXPECT_EQ(EventsWhere(events, "fragile", "escalated").size(), 1u)
        << EventSummary(events);
    EXPECT_TRUE(EventsWhere(events, "worker", "escalated").empty())
        << EventSummary(events);

    // tend's own alert reaches the receiver; startsAt is when the process
    // escalated (between the 4th kill and the notification).
    ASSERT_TRUE(PollUntil(10'000, [&] {
      return !hook.For("SupervisedProcessEscalated", "firing").empty();
    })) << hook.Dump();
    const HookServer::Hook h =
        hook.For("SupervisedProcessEscalated", "firing")[0];
    ASSERT_EQ(h.json["alerts"].size(), 1u) << h.body;
    const nlohmann::json& a = h.json["alerts"][0];
    EXPECT_EQ(a["labels"].value("process", ""), "fragile") << h.body;
    EXPECT_EQ(a["labels"].value("severity", ""), "critical") << h.body;
    EXPECT_NE(a["annotations"].value("summary", "").find("fragile"),
              std::string::npos)
        << h.body;
    const int64_t escalated_starts = ParseRfc3339Ms(a.value("startsAt", ""));
    EXPECT_GE(escalated_starts, fourth_kill_ms) << h.body;
    EXPECT_LE(escalated_starts, h.wall_ms) << h.body;

    // The operator restarts it.
    Result<HttpAnswer> r =
        Send(addr, "POST", "/api/v1/supervise/restart?name=fragile");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200) << r->body;
    const pid_t back = WaitRunning(addr, "fragile", fragile_pidfile, pid);
    EXPECT_GT(back, 0) << ApiData(addr, "/api/v1/supervise", {})->dump();
    Result<HttpAnswer> unknown =
        Send(addr, "POST", "/api/v1/supervise/restart?name=nosuch");
    ASSERT_TRUE(unknown.ok());
    EXPECT_EQ(unknown->status, 404) << unknown->body;
    // Back up, the escalation is over: receivers are told at once (not
    // after Alertmanager's resolve_timeout of 5 minutes), with the same
    // startsAt, and there was exactly one firing notification.
    EXPECT_TRUE(PollUntil(
        6'000,
        [&] {
          return !hook.For("SupervisedProcessEscalated", "resolved").empty();
        }))
        << "no resolved notification after the operator restart:\n"
        << hook.Dump();
    const std::vector<HookServer::Hook> resolved =
        hook.For("SupervisedProcessEscalated", "resolved");
    if (!resolved.empty()) {
      const nlohmann::json& ra = resolved[0].json["alerts"][0];
      EXPECT_EQ(ra.value("startsAt", ""), a.value("startsAt", ""));
      EXPECT_GT(ParseRfc3339Ms(ra.value("endsAt", "")),
                ParseRfc3339Ms(a.value("startsAt", "")));
    }
    EXPECT_EQ(hook.For("SupervisedProcessEscalated", "firing").size(), 1u)
        << hook.Dump();

    EXPECT_EQ(agent.Stop(SIGTERM), 0) << agent.LastLog();
    // tend stopped its processes.
    EXPECT_EQ(SleeperPid(worker_pidfile), -1);
    EXPECT_EQ(SleeperPid(fragile_pidfile), -1);
  }
}

}  // namespace
}  // namespace tend::testing
