// process probes: real child processes found by name, argv[0], command line
// and pidfile; CPU and memory sums on a fixture /proc.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "probe/probe_test_util.h"

extern char** environ;

namespace tend {
namespace {

using testing::SampleValue;
namespace fs = std::filesystem;

pid_t Spawn(const std::string& path, std::vector<std::string> argv) {
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = 0;
  EXPECT_EQ(
      posix_spawn(&pid, path.c_str(), nullptr, nullptr, args.data(), environ),
      0);
  return pid;
}

void Reap(pid_t pid) {
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

class ProcessProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tend_process_probe_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    // A copy of sleep under a name nothing else on the host uses.
    binary_ = dir_ + "/tendprbsleep";
    fs::copy_file("/bin/sleep", binary_);
    fs::permissions(binary_, fs::perms::owner_all);
  }
  void TearDown() override {
    for (pid_t pid : children_) Reap(pid);
    fs::remove_all(dir_);
  }

  pid_t Start(std::vector<std::string> argv) {
    pid_t pid = Spawn(binary_, std::move(argv));
    children_.push_back(pid);
    return pid;
  }

  ProbeSpec Spec() const {
    ProbeSpec s;
    s.name = "worker";
    s.kind = ProbeKind::kProcess;
    return s;
  }

  std::string dir_, binary_;
  std::vector<pid_t> children_;
};

TEST_F(ProcessProbeTest, ByNameCountsChildren) {
  ProbeSpec s = Spec();
  s.process.name = "tendprbsleep";
  ProbeResult r = testing::RunSpec(s);
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.error, "0 processes with name tendprbsleep, expected at least 1");

  Start({binary_, "300"});
  // argv[0] is what `name` also matches; comm stays "tendprbsleep".
  Start({"renamed-worker", "301"});
  r = testing::RunSpec(s);
  EXPECT_TRUE(r.success) << r.error;
  EXPECT_EQ(SampleValue(r, "probe_process_count"), 2);
  EXPECT_GT(*SampleValue(r, "probe_process_resident_memory_bytes"), 0);
  EXPECT_GE(*SampleValue(r, "probe_process_cpu_seconds_total"), 0);

  s.process.max_count = 1;
  r = testing::RunSpec(s);
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.error, "2 processes with name tendprbsleep, expected at most 1");

  ProbeSpec by_argv0 = Spec();
  by_argv0.process.name = "renamed-worker";
  r = testing::RunSpec(by_argv0);
  EXPECT_TRUE(r.success) << r.error;
  EXPECT_EQ(SampleValue(r, "probe_process_count"), 1);
}

TEST_F(ProcessProbeTest, ByCmdline) {
  Start({binary_, "302"});
  Start({binary_, "303"});
  ProbeSpec s = Spec();
  s.process.cmdline = "tendprbsleep 30[23]$";
  ProbeResult r = testing::RunSpec(s);
  EXPECT_TRUE(r.success) << r.error;
  EXPECT_EQ(SampleValue(r, "probe_process_count"), 2);
  s.process.cmdline = "tendprbsleep 303$";
  r = testing::RunSpec(s);
  EXPECT_EQ(SampleValue(r, "probe_process_count"), 1);
}

TEST_F(ProcessProbeTest, ByPidfile) {
  pid_t pid = Start({binary_, "304"});
  std::string pidfile = dir_ + "/worker.pid";
  std::ofstream(pidfile) << pid << "\n";
  ProbeSpec s = Spec();
  s.process.pidfile = pidfile;
  ProbeResult r = testing::RunSpec(s);
  EXPECT_TRUE(r.success) << r.error;
  EXPECT_EQ(SampleValue(r, "probe_process_count"), 1);

  Reap(pid);
  children_.clear();
  r = testing::RunSpec(s);
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.error, "process " + std::to_string(pid) + " from " + pidfile +
                         " is not running");

  std::ofstream(pidfile) << "garbage";
  r = testing::RunSpec(s);
  EXPECT_EQ(r.error, "pidfile " + pidfile + " does not hold a PID");
  s.process.pidfile = dir_ + "/absent.pid";
  r = testing::RunSpec(s);
  EXPECT_FALSE(r.success);
  EXPECT_NE(r.error.find("pidfile " + dir_ + "/absent.pid"), std::string::npos)
      << r.error;
}

void WriteFixture(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << text;
}

TEST_F(ProcessProbeTest, SumsCpuAndMemoryOnFixtureProc) {
  const std::string tail =
      " 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n";
  // utime 250 + stime 50 ticks, rss 500 pages; and utime 100, rss 100.
  WriteFixture(dir_ + "/proc/100/stat",
               "100 (nginx) S 1 100 100 0 -1 4194560 100 0 0 0 250 50 0 0 20 "
               "0 1 0 1000 10000000 500" +
                   tail);
  WriteFixture(dir_ + "/proc/100/cmdline", std::string("nginx: master\0", 14));
  WriteFixture(dir_ + "/proc/200/stat",
               "200 (nginx) S 100 100 100 0 -1 4194560 100 0 0 0 100 0 0 0 20 "
               "0 1 0 1000 10000000 100" +
                   tail);
  WriteFixture(dir_ + "/proc/200/cmdline", std::string("nginx: worker\0", 14));
  // A zombie does not count.
  WriteFixture(dir_ + "/proc/300/stat",
               "300 (nginx) Z 100 100 100 0 -1 4194560 100 0 0 0 9 9 0 0 20 "
               "0 1 0 1000 0 0" +
                   tail);
  WriteFixture(dir_ + "/proc/self/stat", "not a pid directory");
  RootedEnv env(dir_);
  ProbeDeps deps;
  deps.env = &env;
  ProbeSpec s = Spec();
  s.process.name = "nginx";
  ProbeResult r = testing::RunSpec(s, deps);
  EXPECT_TRUE(r.success) << r.error;
  EXPECT_EQ(SampleValue(r, "probe_process_count"), 2);
  double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  EXPECT_DOUBLE_EQ(*SampleValue(r, "probe_process_cpu_seconds_total"),
                   400 / ticks);
  EXPECT_DOUBLE_EQ(*SampleValue(r, "probe_process_resident_memory_bytes"),
                   600.0 * static_cast<double>(sysconf(_SC_PAGESIZE)));

  s.process.name.clear();
  s.process.cmdline = "^nginx: worker$";
  r = testing::RunSpec(s, deps);
  EXPECT_EQ(SampleValue(r, "probe_process_count"), 1);
}

}  // namespace
}  // namespace tend
