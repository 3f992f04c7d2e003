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

constexpr char kAvail[] = "node_entropy_available_bits";
constexpr char kPool[] = "node_entropy_pool_size_bits";

// Read by hand from each tree's proc/sys/kernel/random/*.
const std::vector<ExpectedValue>& Expected() {
  static const auto* rows = new std::vector<ExpectedValue>{
      {"linux-6.18-x86_64", kAvail, {}, 256},
      {"linux-6.18-x86_64", kPool, {}, 256},
      {"linux-6.1-x86_64", kAvail, {}, 4},
      {"linux-6.1-x86_64", kPool, {}, 256},
  };
  return *rows;
}

void CheckAllFamilies(const MetricSet& set) {
  CheckFamily(set, kAvail, MetricType::kGauge, "Bits of available entropy.");
  CheckFamily(set, kPool, MetricType::kGauge, "Bits of entropy pool.");
}

class EntropyOnKernelTree : public ::testing::TestWithParam<std::string> {};

TEST_P(EntropyOnKernelTree, EmitsBoth) {
  TreeOptions t(std::string(kHostsDir) + GetParam());
  auto c = NewEntropyCollector(t.options);
  EXPECT_EQ(c->name(), "entropy");
  MetricSet set;
  Status s = c->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  CheckAllFamilies(set);
  EXPECT_EQ(set.SampleCount(), 2u);
  EXPECT_LE(ValueOf(set, kAvail), ValueOf(set, kPool));
  CheckExpectedValues(set, GetParam(), Expected());
}

INSTANTIATE_TEST_SUITE_P(Kernels, EntropyOnKernelTree,
                         ::testing::ValuesIn(KernelTrees()), TreeTestName);

TEST(EntropyCollectorTest, OldKernelPool) {
  TreeOptions t(EdgeTree("old-kernel"));
  MetricSet set;
  ASSERT_TRUE(NewEntropyCollector(t.options)->Collect(&set).ok());
  EXPECT_EQ(ValueOf(set, kAvail), 3521);
  EXPECT_EQ(ValueOf(set, kPool), 4096);
}

TEST(EntropyCollectorTest, GarbageValueReportedOtherKept) {
  TreeOptions t(EdgeTree("garbage"));
  MetricSet set;
  Status s = NewEntropyCollector(t.options)->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "/proc/sys/kernel/random/entropy_avail:1: expected an unsigned "
            "number: \"lots\"");
  EXPECT_EQ(set.Find(kAvail), nullptr);
  EXPECT_EQ(ValueOf(set, kPool), 256);
}

TEST(EntropyCollectorTest, EmptyAndTruncated) {
  {
    TreeOptions t(EdgeTree("empty"));
    MetricSet set;
    Status s = NewEntropyCollector(t.options)->Collect(&set);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.message(),
              "/proc/sys/kernel/random/entropy_avail: file is empty");
    EXPECT_EQ(set.SampleCount(), 0u);
  }
  TreeOptions t(EdgeTree("truncated"));
  MetricSet set;
  Status s = NewEntropyCollector(t.options)->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("entropy_avail: incomplete value"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(set.Find(kAvail), nullptr);
  EXPECT_EQ(ValueOf(set, kPool), 256);
}

TEST(EntropyCollectorTest, MissingAndUnreadable) {
  MetricSet missing;
  Status s = CollectFromMissingTree(NewEntropyCollector, &missing);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  MetricSet set;
  EXPECT_EQ(CollectWithUnreadable(NewEntropyCollector,
                                  "/proc/sys/kernel/random/poolsize", &set)
                .code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(ValueOf(set, kAvail), 256);
}

TEST(EntropyCollectorTest, RealHost) {
  CollectorOptions options;
  MetricSet set;
  Status s = NewEntropyCollector(options)->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  CheckAllFamilies(set);
  EXPECT_GT(ValueOf(set, kPool), 0);
  EXPECT_LE(ValueOf(set, kAvail), ValueOf(set, kPool));
}

}  // namespace
}  // namespace tend
