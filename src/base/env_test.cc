#include "base/env.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace tend {
namespace {

class EnvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tend-env-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::string cmd = "rm -rf '" + dir_ + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }
  void Write(const std::string& rel, const std::string& text) {
    std::ofstream(dir_ + rel) << text;
  }
  std::string dir_;
};

TEST_F(EnvTest, ReadsProcFilesWhoseSizeIsZero) {
  std::string out = "stale";
  ASSERT_TRUE(Env::Default()->ReadFile("/proc/self/stat", &out).ok());
  EXPECT_GT(out.size(), 20u);
  EXPECT_EQ(out.find("stale"), std::string::npos);
}

TEST_F(EnvTest, ReadsLargeFileWhole) {
  std::string big(100000, 'x');
  Write("/big", big);
  std::string out;
  ASSERT_TRUE(Env::Default()->ReadFile(dir_ + "/big", &out).ok());
  EXPECT_EQ(out, big);
}

// A kept file is read whole from offset 0 each time and sees what the
// file holds now, also when it changed in place; sysfs and procfs files
// (size 0) work too.
TEST_F(EnvTest, RereadableFileSeesCurrentContent) {
  Write("/attr", "1500\n");
  Result<std::unique_ptr<RereadableFile>> f =
      Env::Default()->OpenRereadable(dir_ + "/attr");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  std::string out;
  ASSERT_TRUE((*f)->Read(&out).ok());
  EXPECT_EQ(out, "1500\n");
  Write("/attr", std::string(9000, 'y'));  // Truncated and rewritten.
  ASSERT_TRUE((*f)->Read(&out).ok());
  EXPECT_EQ(out, std::string(9000, 'y'));

  Result<std::unique_ptr<RereadableFile>> stat =
      Env::Default()->OpenRereadable("/proc/self/stat");
  ASSERT_TRUE(stat.ok());
  ASSERT_TRUE((*stat)->Read(&out).ok());
  EXPECT_GT(out.size(), 20u);

  Result<std::unique_ptr<RereadableFile>> missing =
      Env::Default()->OpenRereadable(dir_ + "/nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  // Through a RootedEnv, paths are prefixed as for ReadFile.
  RootedEnv rooted(dir_);
  Result<std::unique_ptr<RereadableFile>> r = rooted.OpenRereadable("/attr");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE((*r)->Read(&out).ok());
  EXPECT_EQ(out.size(), 9000u);
}

TEST_F(EnvTest, MissingFileIsNotFound) {
  std::string out;
  Status s = Env::Default()->ReadFile(dir_ + "/nope", &out);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("/nope"), std::string::npos);
}

TEST_F(EnvTest, RootedEnvPrefixesAndCounts) {
  ASSERT_EQ(mkdir((dir_ + "/proc").c_str(), 0755), 0);
  Write("/proc/loadavg", "0.1 0.2 0.3 1/2 3\n");
  Write("/proc/a", "");
  RootedEnv env(dir_);
  std::string out;
  ASSERT_TRUE(env.ReadFile("/proc/loadavg", &out).ok());
  EXPECT_EQ(out, "0.1 0.2 0.3 1/2 3\n");
  Result<uint64_t> n = env.CountDirEntries("/proc");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2u);
}

TEST_F(EnvTest, RootedStatFsReadsFixture) {
  ASSERT_EQ(mkdir((dir_ + "/statfs").c_str(), 0755), 0);
  Write("/statfs/_home",
        "bsize 4096\nblocks 100\nbfree 40\nbavail 30\n"
        "files 50\nffree 10\nro 1\n");
  RootedEnv env(dir_);
  Result<FsStats> st = env.StatFs("/home");
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->blocks, 100u);
  EXPECT_EQ(st->blocks_avail, 30u);
  EXPECT_TRUE(st->read_only);
  EXPECT_FALSE(env.StatFs("/missing").ok());
}

TEST_F(EnvTest, RealStatFsOfRoot) {
  Result<FsStats> st = Env::Default()->StatFs("/");
  ASSERT_TRUE(st.ok());
  EXPECT_GT(st->blocks, 0u);
  EXPECT_GT(st->block_size, 0u);
}

}  // namespace
}  // namespace tend
