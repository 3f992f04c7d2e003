#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "metrics/collectors_fs_proc.h"
#include "metrics/parse.h"

namespace tend {
namespace {

constexpr char kEdgeTree[] = "tests/data/hosts/edge-proc";
constexpr char kLinuxTree[] = "tests/data/hosts/linux-6.18-x86_64";

constexpr char kProcs[] = "namedprocess_namegroup_num_procs";
constexpr char kCpu[] = "namedprocess_namegroup_cpu_seconds_total";
constexpr char kMemory[] = "namedprocess_namegroup_memory_bytes";
constexpr char kRead[] = "namedprocess_namegroup_read_bytes_total";
constexpr char kWrite[] = "namedprocess_namegroup_write_bytes_total";
constexpr char kThreads[] = "namedprocess_namegroup_num_threads";
constexpr char kFds[] = "namedprocess_namegroup_open_filedesc";
constexpr char kStart[] = "namedprocess_namegroup_oldest_start_time_seconds";
constexpr char kMajor[] = "namedprocess_namegroup_major_page_faults_total";
constexpr char kMinor[] = "namedprocess_namegroup_minor_page_faults_total";
constexpr char kCtx[] = "namedprocess_namegroup_context_switches_total";

const double kTicks = static_cast<double>(sysconf(_SC_CLK_TCK));
const double kPage = static_cast<double>(sysconf(_SC_PAGESIZE));

std::optional<double> Value(const MetricSet& set, std::string_view family,
                            const std::string& group,
                            std::string_view label = "",
                            std::string_view label_value = "") {
  const MetricFamily* f = set.Find(family);
  if (f == nullptr) return std::nullopt;
  for (const Sample& s : f->samples) {
    bool group_ok = false;
    bool label_ok = label.empty();
    for (const Label& l : s.labels) {
      if (l.name == "groupname" && l.value == group) group_ok = true;
      if (!label.empty() && l.name == label && l.value == label_value) {
        label_ok = true;
      }
    }
    if (group_ok && label_ok) return s.value;
  }
  return std::nullopt;
}

std::optional<double> Cpu(const MetricSet& set, const std::string& group,
                          std::string_view mode) {
  return Value(set, kCpu, group, "mode", mode);
}

// The expected oldest_start_time_seconds: boot time plus the process start
// (clock ticks after boot) truncated to whole seconds, as process-exporter
// reports it.
double StartSeconds(int64_t btime, int64_t start_ticks) {
  const int64_t whole_seconds = start_ticks / static_cast<int64_t>(kTicks);
  return static_cast<double>(btime + whole_seconds);
}

// Group names reported in num_procs, in order.
std::vector<std::string> Groups(const MetricSet& set) {
  std::vector<std::string> out;
  const MetricFamily* f = set.Find(kProcs);
  if (f == nullptr) return out;
  for (const Sample& s : f->samples) out.push_back(s.labels.at(0).value);
  return out;
}

// A RootedEnv whose process directories can be hidden (the process has not
// started yet, or has exited), whose files can be overridden (counters that
// moved) and whose reads can fail (unreadable files).
class ProcEnv : public Env {
 public:
  explicit ProcEnv(std::string root) : base_(std::move(root)) {}

  void Hide(const std::string& pid) { hidden_.insert(pid); }
  void Show(const std::string& pid) { hidden_.erase(pid); }
  void Override(const std::string& path, std::string text) {
    overrides_[path] = std::move(text);
  }
  void Fail(const std::string& path, Status s) { faults_[path] = std::move(s); }
  void Heal(const std::string& path) { faults_.erase(path); }

  Status ReadFile(const std::string& path, std::string* out) override {
    if (Status s = Check(path); !s.ok()) return s;
    auto it = overrides_.find(path);
    if (it != overrides_.end()) {
      *out = it->second;
      return Status::Ok();
    }
    return base_.ReadFile(path, out);
  }
  Status ListDir(const std::string& path,
                 std::vector<std::string>* names) override {
    if (Status s = Check(path); !s.ok()) return s;
    RETURN_IF_ERROR(base_.ListDir(path, names));
    if (path == "/proc") {
      std::erase_if(
          *names, [this](const std::string& n) { return hidden_.contains(n); });
    }
    return Status::Ok();
  }
  Result<uint64_t> CountDirEntries(const std::string& path) override {
    if (Status s = Check(path); !s.ok()) return s;
    return base_.CountDirEntries(path);
  }
  Result<std::string> ReadLink(const std::string& path) override {
    if (Status s = Check(path); !s.ok()) return s;
    return base_.ReadLink(path);
  }
  Result<FsStats> StatFs(const std::string& path) override {
    return base_.StatFs(path);
  }
  Result<FileTimes> Stat(const std::string& path) override {
    if (Status s = Check(path); !s.ok()) return s;
    return base_.Stat(path);
  }

 private:
  Status Check(const std::string& path) {
    auto f = faults_.find(path);
    if (f != faults_.end()) return f->second;
    for (const std::string& pid : hidden_) {
      std::string dir = "/proc/" + pid;
      if (path == dir || path.starts_with(dir + "/")) {
        return NotFoundError(path + ": No such file or directory");
      }
    }
    return Status::Ok();
  }

  RootedEnv base_;
  std::set<std::string> hidden_;
  std::map<std::string, std::string> overrides_;
  std::map<std::string, Status> faults_;
};

// A stat line as the edge tree's generator writes it.
std::string StatLine(int pid, const std::string& comm, int minflt, int majflt,
                     int utime, int stime, int threads, int start, int vsize,
                     int rss) {
  return std::to_string(pid) + " (" + comm + ") S 1 " + std::to_string(pid) +
         " " + std::to_string(pid) + " 0 -1 4194304 " + std::to_string(minflt) +
         " 0 " + std::to_string(majflt) + " 0 " + std::to_string(utime) + " " +
         std::to_string(stime) + " 0 0 20 0 " + std::to_string(threads) +
         " 0 " + std::to_string(start) + " " + std::to_string(vsize) + " " +
         std::to_string(rss) + " 18446744073709551615 1 1 0 0\n";
}

std::string IoText(int read, int write) {
  return "rchar: 1\nwchar: 1\nread_bytes: " + std::to_string(read) +
         "\nwrite_bytes: " + std::to_string(write) + "\n";
}

CollectorOptions Options(Env* env, int top_n = 0) {
  CollectorOptions o;
  o.env = env;
  o.processes.top_n = top_n;
  return o;
}

MetricSet MustCollect(Collector* c) {
  MetricSet set;
  Status s = c->Collect(&set);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return set;
}

TEST(ProcessesCollectorTest, Name) {
  ProcEnv env(kEdgeTree);
  EXPECT_EQ(NewProcessesCollector(Options(&env))->name(), "processes");
}

// The captured bash and sleep, first seen after the collector's first scan,
// so their whole usage counts.
TEST(ProcessesCollectorTest, Linux618CapturedProcesses) {
  ProcEnv env(kLinuxTree);
  env.Hide("1100");
  env.Hide("3473");
  auto c = NewProcessesCollector(Options(&env));
  MetricSet baseline = MustCollect(c.get());
  EXPECT_EQ(baseline.SampleCount(), 0u);
  env.Show("1100");
  env.Show("3473");
  MetricSet set = MustCollect(c.get());

  const int64_t btime = 1795628009;
  // bash: stat "... 8880 1197769 0 340 5 2 ... 1 0 3297 5378048 1056 ...".
  EXPECT_EQ(Value(set, kProcs, "bash"), 1);
  EXPECT_DOUBLE_EQ(*Cpu(set, "bash", "user"), 5 / kTicks);
  EXPECT_DOUBLE_EQ(*Cpu(set, "bash", "system"), 2 / kTicks);
  EXPECT_EQ(Value(set, kMemory, "bash", "memtype", "resident"), 1056 * kPage);
  EXPECT_EQ(Value(set, kMemory, "bash", "memtype", "virtual"), 5378048);
  EXPECT_EQ(Value(set, kMemory, "bash", "memtype", "swapped"), 0);
  EXPECT_EQ(Value(set, kRead, "bash"), 367570944);
  EXPECT_EQ(Value(set, kWrite, "bash"), 236285952);
  EXPECT_EQ(Value(set, kThreads, "bash"), 1);
  EXPECT_EQ(Value(set, kFds, "bash"), 9);
  EXPECT_EQ(Value(set, kStart, "bash"), StartSeconds(btime, 3297));
  EXPECT_EQ(Value(set, kMajor, "bash"), 0);
  EXPECT_EQ(Value(set, kMinor, "bash"), 8880);
  EXPECT_EQ(Value(set, kCtx, "bash", "ctxswitchtype", "voluntary"), 199);
  EXPECT_EQ(Value(set, kCtx, "bash", "ctxswitchtype", "nonvoluntary"), 35);

  // sleep: "... 140 0 1 0 0 0 ... 1 0 59080 2990080 406 ...".
  EXPECT_EQ(Value(set, kProcs, "sleep"), 1);
  EXPECT_EQ(Cpu(set, "sleep", "user"), 0);
  EXPECT_EQ(Cpu(set, "sleep", "system"), 0);
  EXPECT_EQ(Value(set, kMemory, "sleep", "memtype", "resident"), 406 * kPage);
  EXPECT_EQ(Value(set, kMemory, "sleep", "memtype", "virtual"), 2990080);
  EXPECT_EQ(Value(set, kRead, "sleep"), 45056);
  EXPECT_EQ(Value(set, kWrite, "sleep"), 0);
  EXPECT_EQ(Value(set, kFds, "sleep"), 5);
  EXPECT_EQ(Value(set, kStart, "sleep"), StartSeconds(btime, 59080));
  EXPECT_EQ(Value(set, kMajor, "sleep"), 1);
  EXPECT_EQ(Value(set, kMinor, "sleep"), 140);
  EXPECT_EQ(Value(set, kCtx, "sleep", "ctxswitchtype", "voluntary"), 3);
  EXPECT_EQ(Value(set, kCtx, "sleep", "ctxswitchtype", "nonvoluntary"), 0);

  // Types and label names as process-exporter declares them.
  for (const char* name : {kProcs, kMemory, kThreads, kFds, kStart}) {
    ASSERT_NE(set.Find(name), nullptr) << name;
    EXPECT_EQ(set.Find(name)->type, MetricType::kGauge) << name;
  }
  for (const char* name : {kCpu, kRead, kWrite, kMajor, kMinor, kCtx}) {
    ASSERT_NE(set.Find(name), nullptr) << name;
    EXPECT_EQ(set.Find(name)->type, MetricType::kCounter) << name;
  }
  EXPECT_EQ(set.Find(kCpu)->samples.at(0).labels,
            (Labels{{"groupname", "bash"}, {"mode", "user"}}));
  EXPECT_EQ(set.Find(kCtx)->samples.at(0).labels,
            (Labels{{"ctxswitchtype", "voluntary"}, {"groupname", "bash"}}));
}

// Debian 12's 6.1 kernel under qemu: busybox httpd, PID 117.
TEST(ProcessesCollectorTest, Linux61CapturedHttpd) {
  ProcEnv env("tests/data/hosts/linux-6.1-x86_64");
  env.Hide("117");
  auto c = NewProcessesCollector(Options(&env));
  MustCollect(c.get());
  env.Show("117");
  MetricSet set = MustCollect(c.get());
  // "117 (httpd) S 1 0 0 0 -1 4194304 67 0 0 0 0 0 0 0 20 0 1 0 209
  //  2314240 1 ..."
  EXPECT_EQ(Value(set, kProcs, "httpd"), 1);
  EXPECT_EQ(Cpu(set, "httpd", "user"), 0);
  EXPECT_EQ(Cpu(set, "httpd", "system"), 0);
  EXPECT_EQ(Value(set, kMinor, "httpd"), 67);
  EXPECT_EQ(Value(set, kMajor, "httpd"), 0);
  EXPECT_EQ(Value(set, kThreads, "httpd"), 1);
  EXPECT_EQ(Value(set, kMemory, "httpd", "memtype", "virtual"), 2314240);
  EXPECT_EQ(Value(set, kMemory, "httpd", "memtype", "resident"), 1 * kPage);
  EXPECT_EQ(Value(set, kMemory, "httpd", "memtype", "swapped"), 0);
  EXPECT_EQ(Value(set, kFds, "httpd"), 4);
  EXPECT_EQ(Value(set, kRead, "httpd"), 0);
  EXPECT_EQ(Value(set, kWrite, "httpd"), 0);
  EXPECT_EQ(Value(set, kCtx, "httpd", "ctxswitchtype", "voluntary"), 3);
  EXPECT_EQ(Value(set, kCtx, "httpd", "ctxswitchtype", "nonvoluntary"), 2);
  EXPECT_EQ(Value(set, kStart, "httpd"), StartSeconds(1795629030, 209));
}

// Processes running at the first scan are the baseline: gauges are exact,
// counters start at zero (see processes.cc for why).
TEST(ProcessesCollectorTest, FirstScanIsTheBaseline) {
  ProcEnv env(kLinuxTree);
  auto c = NewProcessesCollector(Options(&env));
  MetricSet set = MustCollect(c.get());
  EXPECT_EQ(Value(set, kProcs, "bash"), 1);
  EXPECT_EQ(Value(set, kFds, "bash"), 9);
  EXPECT_EQ(Value(set, kMemory, "bash", "memtype", "virtual"), 5378048);
  EXPECT_EQ(Cpu(set, "bash", "user"), 0);
  EXPECT_EQ(Value(set, kRead, "bash"), 0);
  EXPECT_EQ(Value(set, kMinor, "bash"), 0);
  EXPECT_EQ(Value(set, kCtx, "bash", "ctxswitchtype", "voluntary"), 0);

  // Then only what they use afterwards counts.
  env.Override(
      "/proc/1100/stat",
      "1100 (bash) S 1099 1100 1100 0 -1 4194560 8890 1197769 2 340 "
      "9 3 2149 540 20 0 1 0 3297 5378048 1056 18446744073709551615\n");
  set = MustCollect(c.get());
  EXPECT_DOUBLE_EQ(*Cpu(set, "bash", "user"), 4 / kTicks);
  EXPECT_DOUBLE_EQ(*Cpu(set, "bash", "system"), 1 / kTicks);
  EXPECT_EQ(Value(set, kMinor, "bash"), 10);
  EXPECT_EQ(Value(set, kMajor, "bash"), 2);
}

TEST(ProcessesCollectorTest, EdgeTreeGroupsAndOddNames) {
  ProcEnv env(kEdgeTree);
  env.Hide("100");
  env.Hide("101");
  env.Hide("102");
  env.Hide("103");
  env.Hide("104");
  env.Hide("300");
  auto c = NewProcessesCollector(Options(&env));
  MustCollect(c.get());
  for (const char* pid : {"100", "101", "102", "103", "300"}) env.Show(pid);
  MetricSet set = MustCollect(c.get());

  // 200 (no stat) and 201 (no status) vanished: skipped without an error.
  EXPECT_EQ(Groups(set), (std::vector<std::string>{"a) b (c) d", "idle",
                                                   "secret", "worker"}));
  const std::string odd = "a) b (c) d";
  EXPECT_EQ(Value(set, kProcs, odd), 1);
  EXPECT_DOUBLE_EQ(*Cpu(set, odd, "user"), 300 / kTicks);
  EXPECT_DOUBLE_EQ(*Cpu(set, odd, "system"), 100 / kTicks);
  EXPECT_EQ(Value(set, kThreads, odd), 3);
  EXPECT_EQ(Value(set, kFds, odd), 3);
  EXPECT_EQ(Value(set, kMemory, odd, "memtype", "swapped"), 8 * 1024);
  EXPECT_EQ(Value(set, kMajor, odd), 2);
  EXPECT_EQ(Value(set, kStart, odd),
            1700000000 + 1000 / static_cast<int64_t>(kTicks));

  // Two workers summed; the oldest start is 101's.
  EXPECT_EQ(Value(set, kProcs, "worker"), 2);
  EXPECT_DOUBLE_EQ(*Cpu(set, "worker", "user"), (50 + 150) / kTicks);
  EXPECT_DOUBLE_EQ(*Cpu(set, "worker", "system"), (25 + 75) / kTicks);
  EXPECT_EQ(Value(set, kThreads, "worker"), 3);
  EXPECT_EQ(Value(set, kFds, "worker"), 6);
  EXPECT_EQ(Value(set, kRead, "worker"), 4000);
  EXPECT_EQ(Value(set, kWrite, "worker"), 6000);
  EXPECT_EQ(Value(set, kMemory, "worker", "memtype", "resident"), 150 * kPage);
  EXPECT_EQ(Value(set, kMemory, "worker", "memtype", "virtual"),
            2097152 + 4194304);
  EXPECT_EQ(Value(set, kMemory, "worker", "memtype", "swapped"), 4 * 1024);
  EXPECT_EQ(Value(set, kMinor, "worker"), 300);
  EXPECT_EQ(Value(set, kCtx, "worker", "ctxswitchtype", "voluntary"), 30);
  EXPECT_EQ(Value(set, kCtx, "worker", "ctxswitchtype", "nonvoluntary"), 3);
  EXPECT_EQ(Value(set, kStart, "worker"),
            1700000000 + 2000 / static_cast<int64_t>(kTicks));
}

TEST(ProcessesCollectorTest, UnreadableIoAndFdAreSkippedNotErrors) {
  ProcEnv env(kEdgeTree);
  env.Hide("300");
  env.Fail("/proc/300/io", PermissionDeniedError("/proc/300/io: EACCES"));
  env.Fail("/proc/300/fd", PermissionDeniedError("/proc/300/fd: EACCES"));
  auto c = NewProcessesCollector(Options(&env));
  MustCollect(c.get());
  env.Show("300");
  MetricSet set = MustCollect(c.get());
  EXPECT_EQ(Value(set, kProcs, "secret"), 1);
  EXPECT_DOUBLE_EQ(*Cpu(set, "secret", "user"), 20 / kTicks);
  EXPECT_EQ(Value(set, kRead, "secret"), 0);
  EXPECT_EQ(Value(set, kWrite, "secret"), 0);
  EXPECT_EQ(Value(set, kFds, "secret"), 0);
  EXPECT_EQ(Value(set, kCtx, "secret", "ctxswitchtype", "nonvoluntary"), 3);

  // io readable again (777/888): that starts its baseline, no jump.
  env.Heal("/proc/300/io");
  env.Heal("/proc/300/fd");
  set = MustCollect(c.get());
  EXPECT_EQ(Value(set, kRead, "secret"), 0);
  EXPECT_EQ(Value(set, kFds, "secret"), 3);
  env.Override("/proc/300/io", IoText(1777, 988));
  set = MustCollect(c.get());
  EXPECT_EQ(Value(set, kRead, "secret"), 1000);
  EXPECT_EQ(Value(set, kWrite, "secret"), 100);
}

TEST(ProcessesCollectorTest, NoIoFileAtAllKeepsTheProcess) {
  // A kernel without task I/O accounting has no io file; stat still exists.
  ProcEnv env(kEdgeTree);
  env.Fail("/proc/103/io", NotFoundError("/proc/103/io: ENOENT"));
  auto c = NewProcessesCollector(Options(&env));
  MetricSet set = MustCollect(c.get());
  EXPECT_EQ(Value(set, kProcs, "idle"), 1);
  EXPECT_EQ(Value(set, kFds, "idle"), 1);
}

// A process that exits while it is read: from the first access to
// /proc/PID/<file> on, everything under /proc/PID is gone (ENOENT/ESRCH,
// both kNotFound), as when the process is reaped at that moment.
class VanishingEnv : public ProcEnv {
 public:
  VanishingEnv(std::string root, std::string pid, std::string file)
      : ProcEnv(std::move(root)),
        dir_("/proc/" + pid + "/"),
        trigger_(dir_ + file) {}
  Status ReadFile(const std::string& path, std::string* out) override {
    if (Gone(path)) return NotFoundError(path + ": No such process");
    return ProcEnv::ReadFile(path, out);
  }
  Result<uint64_t> CountDirEntries(const std::string& path) override {
    if (Gone(path)) return NotFoundError(path + ": No such file");
    return ProcEnv::CountDirEntries(path);
  }
  Result<FileTimes> Stat(const std::string& path) override {
    if (Gone(path)) return NotFoundError(path + ": No such file");
    return ProcEnv::Stat(path);
  }

 private:
  bool Gone(const std::string& path) {
    if (path == trigger_) gone_ = true;
    return gone_ && path.starts_with(dir_);
  }
  const std::string dir_;
  const std::string trigger_;
  bool gone_ = false;
};

TEST(ProcessesCollectorTest, VanishingMidReadIsSilent) {
  for (const char* file : {"stat", "status", "io", "fd"}) {
    VanishingEnv env(kEdgeTree, "101", file);
    auto c = NewProcessesCollector(Options(&env));
    MetricSet set;
    Status s = c->Collect(&set);
    EXPECT_TRUE(s.ok()) << file << ": " << s.ToString();
    EXPECT_EQ(Value(set, kProcs, "worker"), 2) << file;  // 102 and 104.
    EXPECT_EQ(Value(set, kFds, "worker"), 3) << file;
  }
}

TEST(ProcessesCollectorTest, CountersStayMonotonicAcrossExitsAndStarts) {
  ProcEnv env(kEdgeTree);
  env.Hide("104");
  auto c = NewProcessesCollector(Options(&env));
  MetricSet set = MustCollect(c.get());  // Baseline: 101 and 102.
  EXPECT_EQ(Value(set, kProcs, "worker"), 2);
  EXPECT_EQ(Cpu(set, "worker", "user"), 0);

  // Both use CPU: 101 50->80, 102 150->160 user ticks.
  env.Override("/proc/101/stat",
               StatLine(101, "worker", 110, 1, 80, 25, 2, 2000, 2097152, 100));
  env.Override("/proc/102/stat",
               StatLine(102, "worker", 200, 0, 160, 75, 1, 2500, 4194304, 50));
  env.Override("/proc/102/io", IoText(3500, 4000));
  set = MustCollect(c.get());
  EXPECT_DOUBLE_EQ(*Cpu(set, "worker", "user"), 40 / kTicks);
  EXPECT_EQ(Value(set, kMinor, "worker"), 10);
  EXPECT_EQ(Value(set, kRead, "worker"), 500);

  // 102 exits; 101 uses 10 more. The group total must not drop.
  env.Hide("102");
  env.Override("/proc/101/stat",
               StatLine(101, "worker", 110, 1, 90, 25, 2, 2000, 2097152, 100));
  set = MustCollect(c.get());
  EXPECT_EQ(Value(set, kProcs, "worker"), 1);
  EXPECT_DOUBLE_EQ(*Cpu(set, "worker", "user"), 50 / kTicks);
  EXPECT_EQ(Value(set, kRead, "worker"), 500);
  EXPECT_EQ(Value(set, kThreads, "worker"), 2);
  EXPECT_EQ(Value(set, kStart, "worker"),
            1700000000 + 2000 / static_cast<int64_t>(kTicks));

  // 104 starts: its whole usage (40 user ticks, 500 bytes read) counts.
  env.Show("104");
  set = MustCollect(c.get());
  EXPECT_EQ(Value(set, kProcs, "worker"), 2);
  EXPECT_DOUBLE_EQ(*Cpu(set, "worker", "user"), 90 / kTicks);
  EXPECT_DOUBLE_EQ(*Cpu(set, "worker", "system"), 20 / kTicks);
  EXPECT_EQ(Value(set, kRead, "worker"), 1000);
  EXPECT_EQ(Value(set, kMajor, "worker"), 3);

  // Every worker exits: the group stays, counters kept, gauges zero.
  env.Hide("101");
  env.Hide("104");
  set = MustCollect(c.get());
  EXPECT_EQ(Value(set, kProcs, "worker"), 0);
  EXPECT_DOUBLE_EQ(*Cpu(set, "worker", "user"), 90 / kTicks);
  EXPECT_EQ(Value(set, kRead, "worker"), 1000);
  EXPECT_EQ(Value(set, kThreads, "worker"), 0);
  EXPECT_EQ(Value(set, kMemory, "worker", "memtype", "resident"), 0);
  EXPECT_EQ(Value(set, kStart, "worker"), std::nullopt);

  // A pid reused by a new process (other starttime) is a new process.
  env.Show("102");
  env.Override("/proc/102/stat",
               StatLine(102, "worker", 1, 0, 7, 0, 1, 9000, 4096, 1));
  env.Override("/proc/102/io", IoText(0, 0));
  set = MustCollect(c.get());
  EXPECT_EQ(Value(set, kProcs, "worker"), 1);
  EXPECT_DOUBLE_EQ(*Cpu(set, "worker", "user"), 97 / kTicks);
}

TEST(ProcessesCollectorTest, DeadGroupsAreForgottenAfterAnHour) {
  ProcEnv env(kEdgeTree);
  FakeClock clock;
  CollectorOptions o = Options(&env);
  o.clock = &clock;
  auto c = NewProcessesCollector(o);
  MustCollect(c.get());
  env.Override("/proc/103/stat",
               StatLine(103, "idle", 5, 0, 10, 0, 1, 3000, 1000000, 10));
  MustCollect(c.get());
  env.Hide("103");
  clock.Advance(3599 * kNanosPerSecond);
  MetricSet set = MustCollect(c.get());
  EXPECT_EQ(Value(set, kProcs, "idle"), 0);
  EXPECT_DOUBLE_EQ(*Cpu(set, "idle", "user"), 10 / kTicks);
  clock.Advance(2 * kNanosPerSecond);  // 3601 s since it was last seen.
  set = MustCollect(c.get());
  EXPECT_EQ(Value(set, kProcs, "idle"), std::nullopt);
  EXPECT_EQ(Value(set, kProcs, "worker"), 3);
  // Back again: a new group whose counters start from this process.
  env.Show("103");
  set = MustCollect(c.get());
  EXPECT_EQ(Value(set, kProcs, "idle"), 1);
  EXPECT_DOUBLE_EQ(*Cpu(set, "idle", "user"), 10 / kTicks);
}

TEST(ProcessesCollectorTest, TopNRanksByCpuSinceLastScanThenName) {
  ProcEnv env(kEdgeTree);
  env.Hide("104");
  auto c = NewProcessesCollector(Options(&env, /*top_n=*/2));
  // First scan: lifetime CPU ranks: "a) b (c) d" 400, worker 300, secret 30.
  MetricSet set = MustCollect(c.get());
  EXPECT_EQ(Groups(set), (std::vector<std::string>{"a) b (c) d", "worker"}));
  EXPECT_EQ(set.Find(kCpu)->samples.size(), 4u);

  // idle now uses CPU, secret a little; the others nothing.
  env.Override("/proc/103/stat",
               StatLine(103, "idle", 5, 0, 500, 100, 1, 3000, 1000000, 10));
  env.Override("/proc/300/stat",
               StatLine(300, "secret", 7, 0, 21, 10, 1, 4000, 500000, 20));
  set = MustCollect(c.get());
  EXPECT_EQ(Groups(set), (std::vector<std::string>{"idle", "secret"}));

  // Nobody uses CPU: a tie, broken by name.
  set = MustCollect(c.get());
  EXPECT_EQ(Groups(set), (std::vector<std::string>{"a) b (c) d", "idle"}));

  // top_n 0 reports every group.
  auto all = NewProcessesCollector(Options(&env, 0));
  set = MustCollect(all.get());
  EXPECT_EQ(Groups(set), (std::vector<std::string>{"a) b (c) d", "idle",
                                                   "secret", "worker"}));
}

TEST(ProcessesCollectorTest, MalformedStatIsReportedAfterTheRest) {
  ProcEnv env(kEdgeTree);
  env.Override("/proc/103/stat", "103 (idle S garbage\n");
  auto c = NewProcessesCollector(Options(&env));
  MetricSet set;
  Status s = c->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("/proc/103/stat"), std::string::npos)
      << s.message();
  EXPECT_EQ(Groups(set),
            (std::vector<std::string>{"a) b (c) d", "secret", "worker"}));
}

TEST(ProcessesCollectorTest, UnreadableStatusIsAnError) {
  ProcEnv env(kEdgeTree);
  env.Fail("/proc/100/status", PermissionDeniedError("/proc/100/status: no"));
  auto c = NewProcessesCollector(Options(&env));
  MetricSet set;
  Status s = c->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("1 process(es)"), std::string::npos)
      << s.message();
  EXPECT_EQ(Value(set, kProcs, "a) b (c) d"), std::nullopt);
  EXPECT_EQ(Value(set, kProcs, "idle"), 1);
}

TEST(ProcessesCollectorTest, MissingProcIsAnError) {
  ProcEnv env("tests/data/hosts/does-not-exist");
  auto c = NewProcessesCollector(Options(&env));
  MetricSet set;
  EXPECT_EQ(c->Collect(&set).code(), StatusCode::kNotFound);
  EXPECT_EQ(set.SampleCount(), 0u);
}

TEST(ProcessesCollectorTest, MissingBootTimeIsAnError) {
  ProcEnv env(kEdgeTree);
  env.Override("/proc/stat", "cpu 1 2 3\n");
  auto c = NewProcessesCollector(Options(&env));
  MetricSet set;
  Status s = c->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("btime"), std::string::npos) << s.message();
}

TEST(ProcessesCollectorTest, RealHostFindsItsOwnProcess) {
  std::string comm;
  ASSERT_TRUE(Env::Default()->ReadFile("/proc/self/comm", &comm).ok());
  std::string name(Trim(comm));
  CollectorOptions o;
  o.processes.top_n = 0;
  auto c = NewProcessesCollector(o);
  MetricSet set;
  Status s = c->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::optional<double> procs = Value(set, kProcs, name);
  ASSERT_TRUE(procs.has_value()) << "no group " << name;
  EXPECT_GE(*procs, 1);
  EXPECT_GE(*Value(set, kThreads, name), 1);
  EXPECT_GT(*Value(set, kMemory, name, "memtype", "resident"), 0);
  EXPECT_GE(*Value(set, kFds, name), 3);
  // A second scan: counters do not go down.
  double user = *Cpu(set, name, "user");
  MetricSet again;
  ASSERT_TRUE(c->Collect(&again).ok());
  EXPECT_GE(*Cpu(again, name, "user"), user);
}

}  // namespace
}  // namespace tend
