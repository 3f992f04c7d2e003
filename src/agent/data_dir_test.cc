#include "agent/data_dir.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "base/env.h"

namespace tend {
namespace {

class DataDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tend-datadir-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = std::string(tmpl) + "/data";
  }
  void TearDown() override {
    std::string parent = dir_.substr(0, dir_.rfind('/'));
    ASSERT_EQ(std::system(("rm -rf '" + parent + "'").c_str()), 0);
  }
  std::string dir_;
};

TEST_F(DataDirTest, OneOwnerAtATime) {
  auto a = DataDirLock::Acquire(dir_);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto b = DataDirLock::Acquire(dir_);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(b.status().message().find("in use by another tend process (pid"),
            std::string::npos)
      << b.status().message();
  a->reset();
  EXPECT_TRUE(DataDirLock::Acquire(dir_).ok());
}

TEST_F(DataDirTest, AgentInfoFindsListenOnlyWhileLocked) {
  EXPECT_EQ(FindAgentListen(dir_).status().code(), StatusCode::kNotFound);
  {
    auto lock = DataDirLock::Acquire(dir_);
    ASSERT_TRUE(lock.ok());
    ASSERT_TRUE(
        (*lock)
            ->WriteAgentInfo("{\"pid\":1,\"listen\":\"127.0.0.1:1234\"}\n")
            .ok());
    Result<std::string> l = FindAgentListen(dir_);
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    EXPECT_EQ(*l, "127.0.0.1:1234");
  }
  // Released: agent.json removed, nothing found.
  EXPECT_EQ(FindAgentListen(dir_).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace tend
