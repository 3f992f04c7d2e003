// file probes on real temporary files.
#include <gtest/gtest.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <fstream>

#include "probe/probe_test_util.h"

namespace tend {
namespace {

using testing::SampleValue;

class FileProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tend_file_probe_XXXXXX";
    int fd = mkstemp(tmpl);
    ASSERT_GE(fd, 0);
    close(fd);
    path_ = tmpl;
    std::ofstream(path_) << std::string(100, 'b');
  }
  void TearDown() override { std::remove(path_.c_str()); }

  ProbeSpec Spec() const {
    ProbeSpec s;
    s.name = "backup";
    s.kind = ProbeKind::kFile;
    s.file.path = path_;
    return s;
  }

  void SetMtimeAgo(int seconds) {
    timeval tv[2];
    gettimeofday(&tv[0], nullptr);
    tv[0].tv_sec -= seconds;
    tv[1] = tv[0];
    ASSERT_EQ(utimes(path_.c_str(), tv), 0);
  }

  std::string path_;
};

TEST_F(FileProbeTest, ExistsWithSizeAndAge) {
  SetMtimeAgo(120);
  ProbeResult r = testing::RunSpec(Spec());
  EXPECT_TRUE(r.success) << r.error;
  EXPECT_EQ(SampleValue(r, "probe_file_exists"), 1);
  EXPECT_EQ(SampleValue(r, "probe_file_size_bytes"), 100);
  double age = *SampleValue(r, "probe_file_age_seconds");
  EXPECT_GE(age, 119);
  EXPECT_LT(age, 180);
}

TEST_F(FileProbeTest, MaxAge) {
  SetMtimeAgo(3600);
  ProbeSpec s = Spec();
  s.file.max_age_ms = 2 * 3600 * 1000;
  EXPECT_TRUE(testing::RunSpec(s).success);
  s.file.max_age_ms = 60 * 1000;
  ProbeResult r = testing::RunSpec(s);
  EXPECT_FALSE(r.success);
  EXPECT_NE(r.error.find(" s ago, older than max_age"), std::string::npos)
      << r.error;
}

TEST_F(FileProbeTest, SizeBounds) {
  ProbeSpec s = Spec();
  s.file.min_size_bytes = 100;
  s.file.max_size_bytes = 100;
  EXPECT_TRUE(testing::RunSpec(s).success);
  s.file.min_size_bytes = 101;
  s.file.max_size_bytes = -1;
  ProbeResult r = testing::RunSpec(s);
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.error, path_ + " is 100 bytes, below 101");
  s.file.min_size_bytes = -1;
  s.file.max_size_bytes = 99;
  r = testing::RunSpec(s);
  EXPECT_EQ(r.error, path_ + " is 100 bytes, above 99");
}

TEST_F(FileProbeTest, Missing) {
  ProbeSpec s = Spec();
  s.file.path = path_ + ".gone";
  ProbeResult r = testing::RunSpec(s);
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.error, s.file.path + " does not exist");
  EXPECT_EQ(SampleValue(r, "probe_file_exists"), 0);
  EXPECT_FALSE(SampleValue(r, "probe_file_age_seconds"));

  s.file.expect_exists = false;
  EXPECT_TRUE(testing::RunSpec(s).success);
  s.file.path = path_;
  r = testing::RunSpec(s);
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.error, path_ + " exists (expected absent)");
}

}  // namespace
}  // namespace tend
