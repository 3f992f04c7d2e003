#include <gtest/gtest.h>
#include <sys/utsname.h>

#include <string>

#include "metrics/collectors_system.h"
#include "metrics/collectors_system_testing.h"

namespace tend {
namespace {

using system_testing::CheckFamily;
using system_testing::EdgeTree;
using system_testing::FaultInjectingEnv;
using system_testing::FindSample;
using system_testing::KernelTrees;
using system_testing::kHostsDir;
using system_testing::TreeOptions;
using system_testing::TreeTestName;

constexpr char kInfo[] = "node_uname_info";
constexpr char kHelp[] =
    "Labeled system information as provided by the uname system call.";

std::string HostMachine() {
  struct utsname u;
  EXPECT_EQ(::uname(&u), 0);
  return u.machine;
}

struct Identity {
  std::string domainname, machine, nodename, release, sysname, version;
  Labels ToLabels() const {
    return {{"domainname", domainname}, {"machine", machine},
            {"nodename", nodename},     {"release", release},
            {"sysname", sysname},       {"version", version}};
  }
};

// Read by hand from each tree's proc/sys/kernel/*. Neither capture has the
// arch file, so machine comes from uname(2) of the machine running the test.
Identity ExpectedFor(const std::string& tree) {
  if (tree == "linux-6.18-x86_64") {
    return {"(none)",          HostMachine(), "vm",
            "6.18.44-fc-v669", "Linux",       "#1 SMP PREEMPT_DYNAMIC @0"};
  }
  if (tree == "linux-6.1-x86_64") {
    return {
        "(none)",      HostMachine(),
        "fixturehost", "6.1.0-56-amd64",
        "Linux",       "#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)"};
  }
  return {};
}

class UnameOnKernelTree : public ::testing::TestWithParam<std::string> {};

TEST_P(UnameOnKernelTree, EmitsOneInfoSample) {
  TreeOptions t(std::string(kHostsDir) + GetParam());
  auto c = NewUnameCollector(t.options);
  EXPECT_EQ(c->name(), "uname");
  MetricSet set;
  Status s = c->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(CheckFamily(set, kInfo, MetricType::kGauge, kHelp,
                        {"domainname", "machine", "nodename", "release",
                         "sysname", "version"}),
            1u);
  const Sample& sample = set.Find(kInfo)->samples[0];
  EXPECT_EQ(sample.value, 1);
  EXPECT_EQ(sample.labels[4].value, "Linux");
  for (const Label& l : sample.labels) {
    EXPECT_FALSE(l.value.empty()) << l.name;
    EXPECT_EQ(l.value.find('\n'), std::string::npos) << l.name;
  }
  Identity want = ExpectedFor(GetParam());
  if (!want.sysname.empty()) {
    EXPECT_EQ(sample.labels, want.ToLabels());
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, UnameOnKernelTree,
                         ::testing::ValuesIn(KernelTrees()), TreeTestName);

TEST(UnameCollectorTest, OldKernelWithoutArchUsesUnameSyscall) {
  TreeOptions t(EdgeTree("old-kernel"));
  MetricSet set;
  Status s = NewUnameCollector(t.options)->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  Identity want{"(none)", HostMachine(),
                "rhel4",  "2.6.9-89.ELsmp",
                "Linux",  "#1 SMP Mon Apr 20 10:33:05 EDT 2009"};
  EXPECT_NE(FindSample(set, kInfo, want.ToLabels()), nullptr);
}

TEST(UnameCollectorTest, ArchFileWins) {
  TreeOptions t(EdgeTree("max-counters"));
  MetricSet set;
  Status s = NewUnameCollector(t.options)->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  Identity want{"(none)", "aarch64",
                "big",    "6.1.0-13-arm64",
                "Linux",  "#1 SMP Debian 6.1.55-1 (2023-09-29)"};
  EXPECT_NE(FindSample(set, kInfo, want.ToLabels()), nullptr);
}

TEST(UnameCollectorTest, MultiLineValueRejected) {
  TreeOptions t(EdgeTree("garbage"));
  MetricSet set;
  Status s = NewUnameCollector(t.options)->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "/proc/sys/kernel/hostname: expected one line, found several");
  EXPECT_EQ(set.SampleCount(), 0u);
}

TEST(UnameCollectorTest, EmptyAndTruncated) {
  {
    TreeOptions t(EdgeTree("empty"));
    MetricSet set;
    Status s = NewUnameCollector(t.options)->Collect(&set);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.message(), "/proc/sys/kernel/domainname: file is empty");
    EXPECT_EQ(set.SampleCount(), 0u);
  }
  TreeOptions t(EdgeTree("truncated"));
  MetricSet set;
  Status s = NewUnameCollector(t.options)->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("/proc/sys/kernel/hostname: incomplete value"),
            std::string::npos)
      << s.message();
  // No half-labelled info sample.
  EXPECT_EQ(set.SampleCount(), 0u);
}

TEST(UnameCollectorTest, MissingAndUnreadable) {
  {
    TreeOptions t(EdgeTree("does-not-exist"));
    MetricSet set;
    Status s = NewUnameCollector(t.options)->Collect(&set);
    EXPECT_EQ(s.code(), StatusCode::kNotFound);
    EXPECT_EQ(set.SampleCount(), 0u);
  }
  // An arch file that exists but cannot be read is an error, not a reason to
  // fall back.
  RootedEnv base(EdgeTree("max-counters"));
  FaultInjectingEnv env(&base);
  env.FailReadFile("/proc/sys/kernel/arch",
                   PermissionDeniedError("/proc/sys/kernel/arch: denied"));
  CollectorOptions options;
  options.env = &env;
  MetricSet set;
  Status s = NewUnameCollector(options)->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("/proc/sys/kernel/arch"), std::string::npos);
  EXPECT_EQ(set.SampleCount(), 0u);
}

TEST(UnameCollectorTest, HostnameRereadKernelFieldsKept) {
  RootedEnv base(EdgeTree("max-counters"));
  FaultInjectingEnv env(&base);
  CollectorOptions options;
  options.env = &env;
  auto c = NewUnameCollector(options);
  MetricSet first;
  ASSERT_TRUE(c->Collect(&first).ok());
  // After one good cycle, release/version/... are not read again, but the
  // host name is: a failure there shows.
  env.FailReadFile("/proc/sys/kernel/osrelease",
                   PermissionDeniedError("/proc/sys/kernel/osrelease: x"));
  MetricSet second;
  Status s = c->Collect(&second);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(second.Find(kInfo)->samples[0].labels,
            first.Find(kInfo)->samples[0].labels);
  env.FailReadFile("/proc/sys/kernel/hostname",
                   PermissionDeniedError("/proc/sys/kernel/hostname: x"));
  MetricSet third;
  EXPECT_EQ(c->Collect(&third).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(third.SampleCount(), 0u);
}

TEST(UnameCollectorTest, RealHostMatchesUnameSyscall) {
  CollectorOptions options;
  MetricSet set;
  Status s = NewUnameCollector(options)->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  struct utsname u;
  ASSERT_EQ(::uname(&u), 0);
  // The same kernel answers both ways (hostname could change in between,
  // which a test machine does not do).
  Identity want{u.domainname, u.machine, u.nodename,
                u.release,    u.sysname, u.version};
  EXPECT_NE(FindSample(set, kInfo, want.ToLabels()), nullptr);
}

}  // namespace
}  // namespace tend
