// Supervisor with real processes (/bin/sh, /bin/sleep).
#include "remedy/supervisor.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>

#include "state/state_db.h"

namespace tend::remedy {
namespace {

using Clock_ = std::chrono::steady_clock;

// Exists and is not a zombie (an orphan's zombie waits for PID 1 to reap
// it, which some container inits never do).
bool Alive(pid_t pid) {
  if (pid <= 0 || kill(pid, 0) != 0) return false;
  FILE* f = fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
  if (f == nullptr) return false;
  char buf[512] = {};
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  std::string stat(buf, n);
  size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() &&
         stat[paren + 2] != 'Z';
}

class Collected {
 public:
  void Line(const std::string& name, OutputStream s, std::string_view l) {
    std::lock_guard<std::mutex> g(mu_);
    lines_.push_back(name + (s == OutputStream::kStdout ? " out " : " err ") +
                     std::string(l));
  }
  void Event(const state::Event& e) {
    std::lock_guard<std::mutex> g(mu_);
    events_.push_back(e.outcome + ":" + e.subject);
  }
  std::vector<std::string> lines() {
    std::lock_guard<std::mutex> g(mu_);
    return lines_;
  }
  int Count(const std::string& ev) {
    std::lock_guard<std::mutex> g(mu_);
    return int(std::count(events_.begin(), events_.end(), ev));
  }

 private:
  std::mutex mu_;
  std::vector<std::string> lines_;
  std::vector<std::string> events_;
};

SupervisorOptions Opts(Collected* c, state::StateDb* db = nullptr) {
  SupervisorOptions o;
  o.on_line = [c](const std::string& n, OutputStream s, std::string_view l) {
    c->Line(n, s, l);
  };
  o.on_event = [c](const state::Event& e) { c->Event(e); };
  o.db = db;
  return o;
}

ProcessStatus Get(Supervisor* s, const std::string& name) {
  for (auto& p : s->Snapshot()) {
    if (p.name == name) return p;
  }
  return {};
}

// Waits until `pred` holds (up to 10 s).
template <typename F>
bool WaitFor(F pred) {
  auto end = Clock_::now() + std::chrono::seconds(10);
  while (Clock_::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return pred();
}

SuperviseSpec Sleeper(const std::string& name) {
  SuperviseSpec s;
  s.name = name;
  s.argv = {"sleep", "1000"};
  s.min_uptime_ms = 0;  // No backoff: restarts are immediate.
  s.budget = {0, 60'000, 0};
  return s;
}

class TempDir {
 public:
  TempDir() {
    char t[] = "/tmp/tend_remedy_XXXXXX";
    path_ = mkdtemp(t);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void KilledRestartedLoop(bool use_pidfd) {
  TempDir dir;
  auto db = state::StateDb::Open(dir.path() + "/state.db");
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  Collected c;
  SuperviseSpec spec = Sleeper("sleeper");
  spec.budget = {20, 3'600'000, 0};
  SupervisorOptions o = Opts(&c, db->get());
  o.use_pidfd = use_pidfd;
  auto sup = Supervisor::Start({spec}, o);
  ASSERT_TRUE(sup.ok()) << sup.status().ToString();
  Supervisor* s = sup->get();
  pid_t pid = Get(s, "sleeper").pid;
  ASSERT_TRUE(Alive(pid));
  std::vector<double> ms;
  for (int i = 0; i < 20; ++i) {
    auto t0 = Clock_::now();
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    pid_t next = 0;
    ASSERT_TRUE(WaitFor([&] {
      ProcessStatus st = Get(s, "sleeper");
      next = st.pid;
      return st.state == ProcessState::kRunning && next != pid && next != 0;
    })) << "kill "
        << i;
    ms.push_back(
        std::chrono::duration<double, std::milli>(Clock_::now() - t0).count());
    EXPECT_TRUE(Alive(next));
    EXPECT_FALSE(Alive(pid)) << "the old process was reaped";
    pid = next;
  }
  ProcessStatus st = Get(s, "sleeper");
  EXPECT_EQ(st.restarts, 20);
  EXPECT_EQ(st.last_signal, SIGKILL);
  EXPECT_EQ(st.budget_runs, 20);
  std::sort(ms.begin(), ms.end());
  // Generous: a restart is a signal away, not a poll interval.
  EXPECT_LT(ms[ms.size() / 2], 1000.0);
  ::testing::Test::RecordProperty("median_restart_ms",
                                  std::to_string(ms[ms.size() / 2]));

  // The 21st death exceeds the budget: no restart, escalated.
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  ASSERT_TRUE(WaitFor(
      [&] { return Get(s, "sleeper").state == ProcessState::kEscalated; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(Get(s, "sleeper").pid, 0);
  EXPECT_EQ(Get(s, "sleeper").restarts, 20);
  EXPECT_EQ(c.Count("escalated:sleeper"), 1);
  state::EventQuery q;
  q.kinds = {"supervise"};
  auto events = (*db)->ListEvents(q);
  ASSERT_TRUE(events.ok());
  ASSERT_FALSE(events->empty());
  EXPECT_EQ(events->back().outcome, "escalated");
  EXPECT_NE(events->back().message.find("20 restarts"), std::string::npos)
      << events->back().message;

  // An operator's reset starts it again.
  ASSERT_TRUE(s->ResetBudget("sleeper").ok());
  ASSERT_TRUE(WaitFor(
      [&] { return Get(s, "sleeper").state == ProcessState::kRunning; }));
  pid = Get(s, "sleeper").pid;
  s->Shutdown();
  EXPECT_FALSE(Alive(pid));
}

TEST(SupervisorTest, SigkilledTwentyTimesThenBudgetEscalates) {
  KilledRestartedLoop(true);
}

TEST(SupervisorTest, SigchldFallbackRestartsToo) { KilledRestartedLoop(false); }

TEST(SupervisorTest, OutputLinesReachTheCallback) {
  Collected c;
  SuperviseSpec s;
  s.name = "talker";
  s.argv = {"/bin/sh", "-c",
            "echo hello; echo oops >&2; printf 'a%.0s' $(seq 1 50); echo; "
            "printf 'no newline'; exec sleep 1000"};
  s.max_line_bytes = 10;
  auto sup = Supervisor::Start({s}, Opts(&c));
  ASSERT_TRUE(sup.ok()) << sup.status().ToString();
  ASSERT_TRUE(WaitFor([&] { return c.lines().size() >= 3; }));
  auto lines = c.lines();
  EXPECT_EQ(lines[0], "talker out hello");
  // stdout and stderr are separate pipes: order between them is not kept.
  EXPECT_NE(std::find(lines.begin(), lines.end(), "talker err oops"),
            lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(), "talker out aaaaaaaaaa"),
            lines.end());
  EXPECT_EQ(Get(sup->get(), "talker").lines_truncated, 1);
  // The unterminated last line is handed on when the pipe closes.
  (*sup)->Shutdown();
  lines = c.lines();
  EXPECT_EQ(lines.back(), "talker out no newline");
}

TEST(SupervisorTest, SlowCallbackLosesNoLines) {
  std::mutex mu;
  std::vector<std::string> got;
  SupervisorOptions o;
  o.max_buffered_bytes = 4096;  // Far less than the output.
  o.on_line = [&](const std::string&, OutputStream, std::string_view l) {
    if (got.size() % 100 == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    std::lock_guard<std::mutex> g(mu);
    got.emplace_back(l);
  };
  SuperviseSpec s;
  s.name = "chatty";
  s.argv = {"/bin/sh", "-c", "seq 1 20000; exec sleep 1000"};
  auto sup = Supervisor::Start({s}, o);
  ASSERT_TRUE(sup.ok());
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard<std::mutex> g(mu);
    return got.size() >= 20000;
  }));
  std::lock_guard<std::mutex> g(mu);
  ASSERT_EQ(got.size(), 20000u);
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i], std::to_string(i + 1));
  }
}

TEST(SupervisorTest, ShutdownEscalatesToSigkillAndLeavesNoChild) {
  Collected c;
  SuperviseSpec s;
  s.name = "stubborn";
  // Ignores SIGTERM; its child sleep shares the process group.
  s.argv = {"/bin/sh", "-c", "trap '' TERM; sleep 1000 & echo $!; wait"};
  s.stop_timeout_ms = 300;
  auto sup = Supervisor::Start({s}, Opts(&c));
  ASSERT_TRUE(sup.ok());
  ASSERT_TRUE(WaitFor([&] { return !c.lines().empty(); }));
  pid_t child =
      std::stoi(c.lines()[0].substr(std::string("stubborn out ").size()));
  pid_t pid = Get(sup->get(), "stubborn").pid;
  ASSERT_TRUE(Alive(child));
  auto t0 = Clock_::now();
  (*sup)->Shutdown();
  auto took = Clock_::now() - t0;
  EXPECT_GE(took, std::chrono::milliseconds(250));
  EXPECT_FALSE(Alive(pid));
  EXPECT_FALSE(Alive(child));
  EXPECT_EQ(Get(sup->get(), "stubborn").state, ProcessState::kStopped);
}

TEST(SupervisorTest, RestartReplacesARunningProcessWithoutSpendingBudget) {
  Collected c;
  SuperviseSpec s = Sleeper("svc");
  s.budget = {1, 60'000, 0};
  auto sup = Supervisor::Start({s}, Opts(&c));
  ASSERT_TRUE(sup.ok());
  pid_t pid = Get(sup->get(), "svc").pid;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE((*sup)->Restart("svc", 5000).ok());
    pid_t next = Get(sup->get(), "svc").pid;
    EXPECT_NE(next, pid);
    EXPECT_TRUE(Alive(next));
    pid = next;
  }
  EXPECT_EQ(Get(sup->get(), "svc").budget_runs, 0);
  EXPECT_EQ((*sup)->Restart("nope", 100).code(), StatusCode::kNotFound);
}

TEST(SupervisorTest, OnFailurePolicyLeavesACleanExitStopped) {
  Collected c;
  SuperviseSpec ok;
  ok.name = "clean";
  ok.argv = {"/bin/true"};
  ok.restart = RestartPolicy::kOnFailure;
  SuperviseSpec bad;
  bad.name = "bad";
  bad.argv = {"/bin/sh", "-c", "exit 3"};
  bad.restart = RestartPolicy::kOnFailure;
  bad.min_uptime_ms = 0;
  bad.budget = {2, 60'000, 0};
  auto sup = Supervisor::Start({ok, bad}, Opts(&c));
  ASSERT_TRUE(sup.ok());
  ASSERT_TRUE(WaitFor([&] {
    return Get(sup->get(), "bad").state == ProcessState::kEscalated &&
           Get(sup->get(), "clean").state == ProcessState::kStopped;
  }));
  EXPECT_EQ(Get(sup->get(), "clean").last_exit_code, 0);
  EXPECT_EQ(Get(sup->get(), "clean").restarts, 0);
  EXPECT_EQ(Get(sup->get(), "bad").last_exit_code, 3);
  EXPECT_EQ(Get(sup->get(), "bad").restarts, 2);
}

TEST(SupervisorTest, QuickDeathsBackOff) {
  Collected c;
  SuperviseSpec s;
  s.name = "crashy";
  s.argv = {"/bin/sh", "-c", "exit 1"};
  s.min_uptime_ms = 5000;
  s.budget = {0, 60'000, 0};
  auto sup = Supervisor::Start({s}, Opts(&c));
  ASSERT_TRUE(sup.ok());
  // Delays 0, 100, 200, 400 ms: about 4 restarts in the first second, not
  // hundreds.
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  int64_t restarts = Get(sup->get(), "crashy").restarts;
  EXPECT_GE(restarts, 2);
  EXPECT_LE(restarts, 6);
}

TEST(SupervisorTest, BudgetSurvivesARestartOfTend) {
  TempDir dir;
  Collected c;
  SuperviseSpec s = Sleeper("p");
  s.budget = {2, 3'600'000, 0};
  {
    auto db = state::StateDb::Open(dir.path() + "/state.db");
    ASSERT_TRUE(db.ok());
    auto sup = Supervisor::Start({s}, Opts(&c, db->get()));
    ASSERT_TRUE(sup.ok());
    for (int i = 0; i < 2; ++i) {
      pid_t pid = Get(sup->get(), "p").pid;
      kill(pid, SIGKILL);
      ASSERT_TRUE(WaitFor([&] {
        auto st = Get(sup->get(), "p");
        return st.pid != pid && st.state == ProcessState::kRunning;
      }));
    }
  }
  auto db = state::StateDb::Open(dir.path() + "/state.db");
  ASSERT_TRUE(db.ok());
  auto sup = Supervisor::Start({s}, Opts(&c, db->get()));
  ASSERT_TRUE(sup.ok());
  EXPECT_EQ(Get(sup->get(), "p").budget_runs, 2);
  kill(Get(sup->get(), "p").pid, SIGKILL);
  ASSERT_TRUE(WaitFor(
      [&] { return Get(sup->get(), "p").state == ProcessState::kEscalated; }));
}

TEST(SupervisorTest, InvalidSpecsAreRejected) {
  Collected c;
  SuperviseSpec a = Sleeper("x");
  auto dup = Supervisor::Start({a, a}, Opts(&c));
  EXPECT_EQ(dup.status().code(), StatusCode::kInvalidArgument);
  SuperviseSpec missing = Sleeper("m");
  missing.argv = {"/nonexistent/binary"};
  auto r = Supervisor::Start({missing}, Opts(&c));
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("supervise m"), std::string::npos);
  SuperviseSpec user = Sleeper("u");
  user.user = "no-such-user-tend";
  EXPECT_EQ(Supervisor::Start({user}, Opts(&c)).status().code(),
            StatusCode::kNotFound);
  SuperviseSpec env = Sleeper("e");
  env.env = {"NOEQUALS"};
  EXPECT_EQ(Supervisor::Start({env}, Opts(&c)).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(SupervisorTest, EnvWorkingDirAndUser) {
  TempDir dir;
  Collected c;
  SuperviseSpec s;
  s.name = "env";
  s.argv = {"/bin/sh", "-c", "echo $GREETING; pwd; id -u; exec sleep 1000"};
  s.env = {"GREETING=hi"};
  s.working_dir = dir.path();
  chmod(dir.path().c_str(), 0755);  // Reachable for "nobody".
  if (geteuid() == 0) s.user = "nobody";
  auto sup = Supervisor::Start({s}, Opts(&c));
  ASSERT_TRUE(sup.ok()) << sup.status().ToString();
  ASSERT_TRUE(WaitFor([&] { return c.lines().size() >= 3; }));
  auto lines = c.lines();
  EXPECT_EQ(lines[0], "env out hi");
  EXPECT_EQ(lines[1], "env out " + dir.path());
  if (geteuid() == 0) {
    EXPECT_NE(lines[2], "env out 0");
  }
}

}  // namespace
}  // namespace tend::remedy
