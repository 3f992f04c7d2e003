#include "base/file_util.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "base/env.h"

namespace tend {
namespace {

class FileUtilTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tend-fileutil-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    ASSERT_EQ(std::system(("rm -rf '" + dir_ + "'").c_str()), 0);
  }
  std::string dir_;
};

TEST_F(FileUtilTest, WritesAndReplacesAtomically) {
  std::string path = dir_ + "/f.json";
  ASSERT_TRUE(WriteFileAtomic(path, "one").ok());
  ASSERT_TRUE(WriteFileAtomic(path, "two").ok());
  std::string got;
  ASSERT_TRUE(Env::Default()->ReadFile(path, &got).ok());
  EXPECT_EQ(got, "two");
  std::vector<std::string> names;
  ASSERT_TRUE(Env::Default()->ListDir(dir_, &names).ok());
  EXPECT_EQ(names, std::vector<std::string>{"f.json"});  // No temporaries.
}

TEST_F(FileUtilTest, FailureLeavesTargetUntouched) {
  std::string path = dir_ + "/missing-dir/f";
  Status s = WriteFileAtomic(path, "x");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("missing-dir"), std::string::npos);
}

TEST_F(FileUtilTest, MakeDirsCreatesParents) {
  std::string d = dir_ + "/a/b/c";
  ASSERT_TRUE(MakeDirs(d).ok());
  ASSERT_TRUE(MakeDirs(d).ok());  // Exists: fine.
  struct stat st;
  ASSERT_EQ(stat(d.c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/file", "x").ok());
  EXPECT_EQ(MakeDirs(dir_ + "/file").code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace tend
