#include <gtest/gtest.h>

#include "automate/modules/net/net_test_util.h"

namespace tend::automate::testing {
namespace {

class GitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A real upstream repository with two commits on main, a branch and
    // an annotated tag; the network is never needed.
    Sh("set -e; export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@e "
       "GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@e; cd " +
       dir_.path() +
       "; git init -q -b main up; cd up; echo 1 > f; git add f;"
       " git commit -qm one; git tag -a v1 -m v1; echo 2 > f;"
       " git commit -qam two; git branch dev HEAD~1");
    repo_ = dir_ / "up";
  }
  std::string Rev(const std::string& where, const std::string& rev) {
    return Sh("git -C " + where + " rev-parse " + rev + " | tr -d '\\n'");
  }
  std::string Head() { return Rev(dir_ / "co", "HEAD"); }
  void Commit(const std::string& text) {
    Sh("cd " + repo_ + " && echo " + text +
       " > f && GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@e "
       "GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@e git commit -qam " +
       text);
  }

  const Module& m_ = NetModule("git");
  ModuleHarness h_;
  TempDir dir_;
  std::string repo_;
};

TEST_F(GitTest, ClonesOnceThenConverges) {
  Value args{{"repo", repo_}, {"dest", dir_ / "co"}};
  ExpectConverges(h_, m_, args, [&] { return Head(); });
  EXPECT_EQ(Head(), Rev(repo_, "main"));
  EXPECT_EQ(ReadText(dir_ / "co/f"), "2\n");
}

TEST_F(GitTest, ReportsBeforeAndAfterAndFollowsNewCommits) {
  Value args{{"repo", repo_}, {"dest", dir_ / "co"}};
  auto r = h_.Run(m_, args);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_FALSE(r->failed) << r->msg;
  EXPECT_TRUE(r->data["before"].is_null());
  std::string first = Rev(repo_, "main");
  EXPECT_EQ(r->data["after"], first);
  Commit("three");
  std::string second = Rev(repo_, "main");
  auto check = h_.Run(m_, args, true);
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->changed);
  EXPECT_EQ(check->data["after"], second) << "ls-remote's prediction";
  EXPECT_EQ(Head(), first) << "check mode moved the checkout";
  r = h_.Run(m_, args);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->changed);
  EXPECT_EQ(r->data["before"], first);
  EXPECT_EQ(r->data["after"], second);
  EXPECT_EQ(ReadText(dir_ / "co/f"), "three\n");
}

TEST_F(GitTest, VersionAsBranchTagAndCommit) {
  Value args{{"repo", repo_}, {"dest", dir_ / "co"}, {"version", "dev"}};
  auto r = h_.Run(m_, args);
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->failed) << r->msg;
  EXPECT_EQ(Head(), Rev(repo_, "dev"));
  args["version"] = "v1";
  auto check = h_.Run(m_, args, true);
  ASSERT_TRUE(check.ok());
  EXPECT_FALSE(check->changed) << "dev and v1 name the same commit";
  r = h_.Run(m_, args);
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->failed) << r->msg;
  EXPECT_FALSE(r->changed);
  std::string main_sha = Rev(repo_, "main");
  args["version"] = main_sha;
  check = h_.Run(m_, args, true);
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->changed);
  r = h_.Run(m_, args);
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->failed) << r->msg;
  EXPECT_TRUE(r->changed);
  EXPECT_EQ(Head(), main_sha);
  r = h_.Run(m_, args);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->changed);
}

TEST_F(GitTest, ShallowClone) {
  Value args{{"repo", "file://" + repo_},
             {"dest", dir_ / "co"},
             {"depth", 1},
             {"version", "main"}};
  auto r = h_.Run(m_, args);
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->failed) << r->msg;
  EXPECT_EQ(Sh("git -C " + (dir_ / "co") + " rev-list --count HEAD"), "1\n");
  r = h_.Run(m_, args);
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->failed) << r->msg;
  EXPECT_FALSE(r->changed);
}

TEST_F(GitTest, LocalModificationsNeedForce) {
  Value args{{"repo", repo_}, {"dest", dir_ / "co"}};
  ASSERT_TRUE(h_.Run(m_, args).ok());
  WriteText(dir_ / "co/f", "local edit\n");
  auto r = h_.Run(m_, args);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->failed);
  EXPECT_EQ(r->msg, "Local modifications exist in the destination: " +
                        (dir_ / "co") + " (force=no).");
  args["force"] = true;
  r = h_.Run(m_, args, true);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->changed);
  EXPECT_EQ(ReadText(dir_ / "co/f"), "local edit\n");
  r = h_.Run(m_, args);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->changed);
  EXPECT_EQ(ReadText(dir_ / "co/f"), "2\n");
}

TEST_F(GitTest, UpdateNoLeavesTheCheckout) {
  Value args{{"repo", repo_}, {"dest", dir_ / "co"}};
  ASSERT_TRUE(h_.Run(m_, args).ok());
  std::string first = Head();
  Commit("later");
  args["update"] = false;
  auto r = h_.Run(m_, args);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->changed);
  EXPECT_EQ(r->data["after"], first);
  EXPECT_EQ(Head(), first);
}

TEST_F(GitTest, BadInput) {
  auto r =
      h_.Run(m_, Value{{"repo", dir_ / "nosuchrepo"}, {"dest", dir_ / "co"}});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->failed);
  EXPECT_NE(r->msg.find("git clone"), std::string::npos) << r->msg;
  r = h_.Run(m_,
             Value{{"repo", repo_},
                   {"dest", dir_ / "co"},
                   {"version", "no-such-branch"}},
             true);
  EXPECT_TRUE(!r.ok() || r->failed);
  auto v = h_.Run(m_, Value{{"dest", dir_ / "co"}});
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("repo"), std::string::npos);
}

}  // namespace
}  // namespace tend::automate::testing
