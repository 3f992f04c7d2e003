#include <gtest/gtest.h>

#include <string>

#include "metrics/collectors_system.h"
#include "metrics/collectors_system_testing.h"

namespace tend {
namespace {

using system_testing::CheckExpectedValues;
using system_testing::CheckFamily;
using system_testing::CollectFromMissingTree;
using system_testing::CollectWithUnreadable;
using system_testing::EdgeTree;
using system_testing::ExpectedValue;
using system_testing::KernelTrees;
using system_testing::kHostsDir;
using system_testing::TreeOptions;
using system_testing::TreeTestName;
using system_testing::ValueOf;

constexpr char kAllocated[] = "node_filefd_allocated";
constexpr char kMaximum[] = "node_filefd_maximum";

// Read by hand from each tree's proc/sys/fs/file-nr.
const std::vector<ExpectedValue>& Expected() {
  static const auto* rows = new std::vector<ExpectedValue>{
      {"linux-6.18-x86_64", kAllocated, {}, 341},
      {"linux-6.18-x86_64", kMaximum, {}, 2466170},
      {"linux-6.1-x86_64", kAllocated, {}, 32},
      {"linux-6.1-x86_64", kMaximum, {}, 45370},
  };
  return *rows;
}

void CheckAllFamilies(const MetricSet& set) {
  CheckFamily(set, kAllocated, MetricType::kGauge,
              "File descriptor statistics: allocated.");
  CheckFamily(set, kMaximum, MetricType::kGauge,
              "File descriptor statistics: maximum.");
}

class FilefdOnKernelTree : public ::testing::TestWithParam<std::string> {};

TEST_P(FilefdOnKernelTree, EmitsBoth) {
  TreeOptions t(std::string(kHostsDir) + GetParam());
  auto c = NewFilefdCollector(t.options);
  EXPECT_EQ(c->name(), "filefd");
  MetricSet set;
  Status s = c->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  CheckAllFamilies(set);
  EXPECT_EQ(set.SampleCount(), 2u);
  EXPECT_LE(ValueOf(set, kAllocated), ValueOf(set, kMaximum));
  CheckExpectedValues(set, GetParam(), Expected());
}

INSTANTIATE_TEST_SUITE_P(Kernels, FilefdOnKernelTree,
                         ::testing::ValuesIn(KernelTrees()), TreeTestName);

TEST(FilefdCollectorTest, OldKernelAndUlongMax) {
  {
    TreeOptions t(EdgeTree("old-kernel"));
    MetricSet set;
    ASSERT_TRUE(NewFilefdCollector(t.options)->Collect(&set).ok());
    EXPECT_EQ(ValueOf(set, kAllocated), 1530);
    EXPECT_EQ(ValueOf(set, kMaximum), 204800);
  }
  TreeOptions t(EdgeTree("max-counters"));
  MetricSet set;
  ASSERT_TRUE(NewFilefdCollector(t.options)->Collect(&set).ok());
  EXPECT_EQ(ValueOf(set, kAllocated), 1024);
  EXPECT_EQ(ValueOf(set, kMaximum), 18446744073709551615.0);
}

TEST(FilefdCollectorTest, GarbageFieldReportedOthersKept) {
  TreeOptions t(EdgeTree("garbage"));
  MetricSet set;
  Status s = NewFilefdCollector(t.options)->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "/proc/sys/fs/file-nr:1: expected three unsigned numbers: \"1530 "
            "zero 204800\"");
  EXPECT_EQ(ValueOf(set, kAllocated), 1530);
  EXPECT_EQ(ValueOf(set, kMaximum), 204800);
}

TEST(FilefdCollectorTest, EmptyAndTruncated) {
  for (const char* tree : {"empty", "truncated"}) {
    TreeOptions t(EdgeTree(tree));
    MetricSet set;
    Status s = NewFilefdCollector(t.options)->Collect(&set);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << tree;
    EXPECT_NE(s.message().find("/proc/sys/fs/file-nr: "), std::string::npos)
        << s.message();
    EXPECT_EQ(set.SampleCount(), 0u) << tree;
  }
}

TEST(FilefdCollectorTest, MissingAndUnreadable) {
  MetricSet missing;
  Status s = CollectFromMissingTree(NewFilefdCollector, &missing);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  MetricSet set;
  EXPECT_EQ(
      CollectWithUnreadable(NewFilefdCollector, "/proc/sys/fs/file-nr", &set)
          .code(),
      StatusCode::kPermissionDenied);
}

TEST(FilefdCollectorTest, RealHost) {
  CollectorOptions options;
  MetricSet set;
  Status s = NewFilefdCollector(options)->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  CheckAllFamilies(set);
  // This process holds at least stdin, stdout and stderr.
  EXPECT_GE(ValueOf(set, kAllocated), 3);
  EXPECT_LE(ValueOf(set, kAllocated), ValueOf(set, kMaximum));
}

}  // namespace
}  // namespace tend
