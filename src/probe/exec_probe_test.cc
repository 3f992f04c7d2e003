// exec probes: real /bin/sh and /bin/sleep, and a scripted CommandRunner.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "probe/probe_test_util.h"

namespace tend {
namespace {

using testing::SampleValue;

ProbeSpec Sh(const std::string& script) {
  ProbeSpec s;
  s.name = "cmd";
  s.kind = ProbeKind::kExec;
  s.timeout_ms = 5000;
  s.exec.argv = {"/bin/sh", "-c", script};
  return s;
}

TEST(ExecProbeTest, ExitCodes) {
  ProbeResult r = testing::RunSpec(Sh("exit 0"));
  EXPECT_TRUE(r.success) << r.error;
  EXPECT_EQ(SampleValue(r, "probe_exec_exit_code"), 0);

  r = testing::RunSpec(Sh("echo 'disk almost full' >&2; exit 3"));
  EXPECT_FALSE(r.success);
  EXPECT_EQ(SampleValue(r, "probe_exec_exit_code"), 3);
  EXPECT_EQ(r.error, "/bin/sh exited with 3: disk almost full");

  ProbeSpec s = Sh("exit 3");
  s.exec.valid_exit_codes = {0, 3};
  r = testing::RunSpec(s);
  EXPECT_TRUE(r.success) << r.error;
}

TEST(ExecProbeTest, OutputMatches) {
  ProbeSpec s = Sh("echo 'replication lag: 3s'; echo 'warning: slow' >&2");
  s.exec.output_matches = "lag: [0-9]s";
  ProbeResult r = testing::RunSpec(s);
  EXPECT_TRUE(r.success) << r.error;
  EXPECT_EQ(SampleValue(r, "probe_failed_due_to_regex"), 0);

  s.exec.output_not_matches = "(?m)^warning:";  // Looks at stderr too.
  r = testing::RunSpec(s);
  EXPECT_FALSE(r.success);
  EXPECT_EQ(SampleValue(r, "probe_failed_due_to_regex"), 1);
  EXPECT_EQ(r.error, "output of /bin/sh matches \"(?m)^warning:\"");
}

TEST(ExecProbeTest, TimeoutKillsTheProcessGroup) {
  char tmpl[] = "/tmp/tend_exec_probe_XXXXXX";
  int fd = mkstemp(tmpl);
  ASSERT_GE(fd, 0);
  close(fd);
  std::string pidfile = tmpl;
  // A background grandchild in the same process group, then a wait.
  ProbeSpec s = Sh("/bin/sleep 30 & echo $! > " + pidfile + "; wait");
  s.timeout_ms = 300;
  auto start = std::chrono::steady_clock::now();
  ProbeResult r = testing::RunSpec(s);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(r.success);
  EXPECT_EQ(SampleValue(r, "probe_exec_exit_code"), -1);
  EXPECT_NE(r.error.find("timed out"), std::string::npos) << r.error;
  EXPECT_LT(took, std::chrono::seconds(3));
  std::ifstream in(pidfile);
  int pid = 0;
  in >> pid;
  ASSERT_GT(pid, 0);
  // The grandchild got the signal too (it may linger briefly as a zombie of
  // init or of a subreaper, so poll).
  bool gone = false;
  for (int i = 0; i < 200 && !gone; ++i) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(stat, line);
    gone = !stat.good() || line.find(") Z ") != std::string::npos;
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(gone) << "sleep " << pid << " survived";
  if (!gone) kill(pid, SIGKILL);
  std::remove(pidfile.c_str());
}

TEST(ExecProbeTest, MissingCommand) {
  ProbeSpec s;
  s.name = "cmd";
  s.kind = ProbeKind::kExec;
  s.exec.argv = {"/nonexistent/check"};
  ProbeResult r = testing::RunSpec(s);
  EXPECT_FALSE(r.success);
  EXPECT_NE(r.error.find("/nonexistent/check"), std::string::npos) << r.error;
}

class ScriptedRunner : public CommandRunner {
 public:
  Result<SubprocessResult> Run(const SubprocessOptions& options) override {
    seen = options;
    return result;
  }
  SubprocessOptions seen;
  SubprocessResult result;
};

TEST(ExecProbeTest, PassesOptionsAndReportsSignals) {
  ScriptedRunner runner;
  runner.result.term_signal = 9;
  ProbeDeps deps;
  deps.runner = &runner;
  ProbeSpec s;
  s.name = "cmd";
  s.kind = ProbeKind::kExec;
  s.timeout_ms = 1234;
  s.exec.argv = {"check", "--fast"};
  s.exec.env = {"A=1"};
  s.exec.working_dir = "/tmp";
  ProbeResult r = testing::RunSpec(s, deps);
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.error, "check killed by signal 9");
  EXPECT_EQ(runner.seen.argv, s.exec.argv);
  EXPECT_EQ(runner.seen.env, s.exec.env);
  EXPECT_EQ(runner.seen.working_dir, "/tmp");
  EXPECT_GT(runner.seen.timeout_ms, 1000);
  EXPECT_LE(runner.seen.timeout_ms, 1234);
}

}  // namespace
}  // namespace tend
