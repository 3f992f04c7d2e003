#include "automate/deploy/deploy_module.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "automate/deploy/deploy_state.h"
#include "automate/modules/system/module_test_util.h"

namespace tend::automate::deploy {
namespace {

using testing::ModuleHarness;
using testing::ReadText;
using testing::Sh;
using testing::WriteText;

class DeployModuleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tend-deploy-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    app_ = dir_ + "/app";
    Sh("mkdir -p '" + dir_ + "/src/bin' && echo v1 > '" + dir_ +
       "/src/VERSION' && printf '#!/bin/sh\\n' > '" + dir_ +
       "/src/bin/run' && chmod 750 '" + dir_ + "/src/bin/run' && ln -s " +
       "VERSION '" + dir_ + "/src/V'");
  }
  void TearDown() override { Sh("rm -rf '" + dir_ + "'"); }

  Value Args(const std::string& release) {
    return Value{{"path", app_},
                 {"release", release},
                 {"src", dir_ + "/src"},
                 {"interval", 0.02},
                 {"health_timeout", 0.3}};
  }
  Result<ModuleResult> Run(const Value& args, bool check = false) {
    return h_.Run(*module_, args, check);
  }
  // The tree and the state file, to tell whether anything changed.
  std::string Snapshot() {
    return Sh("cd '" + dir_ + "' && find . -printf '%p %y %m %l\\n' | sort") +
           ReadText(app_ + "/.tend-deploy.json");
  }
  std::string Current() { return Sh("readlink '" + app_ + "/current'"); }
  DeployState State() {
    auto s = ParseDeployState(ReadText(app_ + "/.tend-deploy.json"), "state");
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : DeployState{};
  }
  void Deploy(const Value& args) {
    auto r = Run(args);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_FALSE(r->failed) << r->msg;
  }

  std::unique_ptr<Module> module_ = NewDeployModule();
  ModuleHarness h_;
  std::string dir_, app_;
};

TEST_F(DeployModuleTest, FirstDeployLaysOutTheTreeAndConverges) {
  Value args = Args("r1");
  args["shared"] = Value::array({"log", "data/cache"});
  testing::ExpectConverges(h_, *module_, args, [&] { return Snapshot(); });
  EXPECT_EQ(Current(), "releases/r1\n");
  EXPECT_EQ(ReadText(app_ + "/current/VERSION"), "v1\n");
  EXPECT_EQ(Sh("stat -c %a '" + app_ + "/releases/r1/bin/run'"), "750\n");
  EXPECT_EQ(Sh("readlink '" + app_ + "/releases/r1/V'"), "VERSION\n");
  EXPECT_EQ(Sh("readlink '" + app_ + "/releases/r1/log'"),
            app_ + "/shared/log\n");
  EXPECT_EQ(Sh("test -d '" + app_ + "/shared/data/cache' && echo dir"),
            "dir\n");
  DeployState s = State();
  ASSERT_EQ(s.releases.size(), 1u);
  EXPECT_EQ(s.releases[0].outcome, Outcome::kHealthy);
  EXPECT_EQ(s.current, "r1");
  EXPECT_FALSE(s.releases[0].switched.empty());
}

TEST_F(DeployModuleTest, CheckModePredictsWithoutTouching) {
  Deploy(Args("r1"));
  std::string before = Snapshot();
  auto r = Run(Args("r2"), /*check=*/true);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->changed);
  EXPECT_EQ(r->msg,
            "would create release 'r2' and switch current to it (from 'r1')");
  EXPECT_EQ(r->data["would_create"], true);
  EXPECT_EQ(Snapshot(), before);
  Value back = {{"path", app_}, {"state", "rolled_back"}, {"to", "r1"}};
  r = Run(back, /*check=*/true);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->changed) << r->msg;  // r1 is already current
}

TEST_F(DeployModuleTest, FailingGateRollsBackToTheLastHealthyRelease) {
  Value good = Args("r1");
  good["health"] = {{"exec", "test -f current/VERSION"}};
  Deploy(good);
  Sh("echo v2 > '" + dir_ + "/src/VERSION'");
  // r2 passes at first, then fails: the bake must catch it. The check counts
  // its own runs in a file next to the app.
  Value bad = Args("r2");
  bad["health"] = {{"exec",
                    "n=$(cat ../probes 2>/dev/null || echo 0); "
                    "echo $((n+1)) > ../probes; "
                    "[ \"$(cat current/VERSION)\" = v1 ] || "
                    "[ $n -lt 3 ] || { echo down >&2; exit 1; }"}};
  bad["bake"] = 5;
  bad["restart"] = "echo restarted $TEND_RELEASE >> ../restarts";
  auto r = Run(bad);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->failed);
  EXPECT_TRUE(r->changed);
  EXPECT_NE(r->msg.find("release 'r2' failed: health check exec"),
            std::string::npos)
      << r->msg;
  EXPECT_NE(r->msg.find("failed after passing for"), std::string::npos);
  EXPECT_NE(r->msg.find("of the 5.0s bake: exit 1: down"), std::string::npos);
  EXPECT_NE(r->msg.find("rolled back to release 'r1'"), std::string::npos);
  EXPECT_EQ(r->data["rolled_back_to"], "r1");
  EXPECT_EQ(Current(), "releases/r1\n");
  // Restarted for the new release, then again for the old one.
  EXPECT_EQ(ReadText(dir_ + "/restarts"), "restarted r2\nrestarted r1\n");
  DeployState s = State();
  ASSERT_EQ(s.releases.size(), 2u);
  EXPECT_EQ(s.releases[1].id, "r2");
  EXPECT_EQ(s.releases[1].outcome, Outcome::kFailed);
  EXPECT_NE(s.releases[1].message.find("exit 1: down"), std::string::npos);
  EXPECT_EQ(s.rolled_back_from, "r2");
  // The failed release is rebuilt, not reused, when deployed again.
  Sh("echo v3 > '" + dir_ + "/src/VERSION'");
  Deploy(Args("r2"));
  EXPECT_EQ(ReadText(app_ + "/current/VERSION"), "v3\n");
}

TEST_F(DeployModuleTest, NoHealthyReleaseLeavesTheNewOneInPlace) {
  Value bad = Args("r1");
  bad["health"] = {{"exec", "exit 2"}};
  auto r = Run(bad);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->failed);
  EXPECT_NE(r->msg.find("did not pass within 0.3s: exit 2"), std::string::npos)
      << r->msg;
  EXPECT_NE(r->msg.find("no release is recorded healthy"), std::string::npos);
  EXPECT_EQ(Current(), "releases/r1\n");
  EXPECT_EQ(State().releases[0].outcome, Outcome::kFailed);
}

TEST_F(DeployModuleTest, BeforeSwitchFailureLeavesCurrentAlone) {
  Deploy(Args("r1"));
  Value args = Args("r2");
  args["before_switch"] = Value::array({"true", "echo nope >&2; exit 4"});
  auto r = Run(args);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->failed);
  EXPECT_NE(r->msg.find("before_switch hook 'echo nope >&2; exit 4' failed: "
                        "exit 4: nope"),
            std::string::npos)
      << r->msg;
  EXPECT_EQ(Current(), "releases/r1\n");
  EXPECT_EQ(State().Find("r2")->outcome, Outcome::kFailed);
}

TEST_F(DeployModuleTest, HooksRunInTheReleaseWithItsEnvironment) {
  Deploy(Args("r1"));
  Value args = Args("r2");
  args["build"] = "echo built > BUILT";
  args["before_switch"] = "echo \"$TEND_RELEASE $TEND_PREVIOUS_RELEASE\" > B";
  args["after_switch"] = Value::array({"readlink ../../current > A"});
  Deploy(args);
  EXPECT_EQ(ReadText(app_ + "/releases/r2/BUILT"), "built\n");
  EXPECT_EQ(ReadText(app_ + "/releases/r2/B"), "r2 r1\n");
  EXPECT_EQ(ReadText(app_ + "/releases/r2/A"), "releases/r2\n");
  // A failing build removes the partial release.
  args = Args("r3");
  args["build"] = "touch half; false";
  auto r = Run(args);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->failed);
  EXPECT_NE(r->msg.find("build command 'touch half; false' failed"),
            std::string::npos);
  EXPECT_EQ(Sh("test -e '" + app_ + "/releases/r3' && echo there"), "");
}

TEST_F(DeployModuleTest, KeepReleasesNeverPrunesCurrentOrLastHealthy) {
  Deploy(Args("r1"));
  Deploy(Args("r2"));
  Value bad = Args("r3");
  bad["health"] = {{"exec", "false"}};
  bad["keep_releases"] = 1;
  ASSERT_TRUE(Run(bad)->failed);  // rolled back to r2
  for (const char* id : {"r4", "r5"}) {
    Value bad_again = Args(id);
    bad_again["health"] = {{"exec", "false"}};
    ASSERT_TRUE(Run(bad_again)->failed);
  }
  EXPECT_EQ(Current(), "releases/r2\n");
  Value args = Args("r6");
  args["keep_releases"] = 2;
  Deploy(args);
  // r6 is current and healthy; r2 was current; the rest are gone.
  EXPECT_EQ(Sh("ls '" + app_ + "/releases'"), "r2\nr6\n");
  DeployState s = State();
  ASSERT_EQ(s.releases.size(), 2u);
  EXPECT_EQ(s.releases[0].id, "r2");
  Deploy(Args("r7"));  // default keep 5
  EXPECT_EQ(Sh("ls '" + app_ + "/releases'"), "r2\nr6\nr7\n");
}

TEST_F(DeployModuleTest, RollbackByHandIsIdempotent) {
  Deploy(Args("r1"));
  Deploy(Args("r2"));
  Deploy(Args("r3"));
  Value back = {{"path", app_},
                {"state", "rolled_back"},
                {"restart", "echo $TEND_RELEASE >> ../restarts"}};
  auto r = Run(back);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->failed) << r->msg;
  EXPECT_TRUE(r->changed);
  EXPECT_EQ(r->msg, "rolled back from 'r3' to 'r2'");
  EXPECT_EQ(Current(), "releases/r2\n");
  EXPECT_EQ(ReadText(dir_ + "/restarts"), "r2\n");
  r = Run(back);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->changed) << r->msg;
  EXPECT_EQ(r->msg, "already rolled back to 'r2' (from 'r3')");
  EXPECT_EQ(State().Find("r3")->outcome, Outcome::kRolledBack);
  back["to"] = "r1";
  r = Run(back);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->changed);
  EXPECT_EQ(Current(), "releases/r1\n");
  back["to"] = "r9";
  r = Run(back);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->failed);
  EXPECT_NE(r->msg.find("'r9' does not exist"), std::string::npos);
  // Deploying r3 again switches back to its directory as it is.
  Deploy(Args("r3"));
  EXPECT_EQ(Current(), "releases/r3\n");
  EXPECT_EQ(State().rolled_back_from, "");
}

TEST_F(DeployModuleTest, ArchiveSource) {
  Sh("cd '" + dir_ + "/src' && tar -czf ../app.tar.gz .");
  Value args = Args("r1");
  args["src"] = dir_ + "/app.tar.gz";
  Deploy(args);
  EXPECT_EQ(ReadText(app_ + "/current/VERSION"), "v1\n");
  EXPECT_EQ(Sh("ls -A '" + app_ + "'"),
            ".tend-deploy.json\ncurrent\nreleases\nshared\n");
}

TEST_F(DeployModuleTest, BadArgumentsAreClearErrors) {
  Value args = Args("a/x");
  auto r = Run(args);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->failed);
  EXPECT_NE(r->msg.find("has the character '/'"), std::string::npos) << r->msg;
  args = Args("r1");
  args["path"] = "relative/app";
  EXPECT_NE(Run(args)->msg.find("absolute"), std::string::npos);
  args = Args("r1");
  args["health"] = {{"http", "ftp://x"}};
  EXPECT_NE(Run(args)->msg.find("health: 'http' must be an http:// URL"),
            std::string::npos);
  args = Args("r1");
  args["shared"] = Value::array({"../etc"});
  EXPECT_NE(Run(args)->msg.find("stay inside"), std::string::npos);
  args = Args("r1");
  args["repo"] = "https://example.invalid/x.git";
  auto v = Run(args);
  ASSERT_FALSE(v.ok());  // mutually exclusive with src
  EXPECT_NE(v.status().message().find("src"), std::string::npos);
  args = Args("r1");
  args["src"] = dir_ + "/missing";
  r = Run(args);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->failed);
  EXPECT_NE(r->msg.find(dir_ + "/missing"), std::string::npos);
  // Nothing was ever written for the argument errors.
  EXPECT_EQ(Sh("ls -A '" + dir_ + "'"), "src\n");
}

TEST_F(DeployModuleTest, CurrentThatIsNotASymlinkIsRefused) {
  Sh("mkdir -p '" + app_ + "/current'");
  auto r = Run(Args("r1"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("is not a symlink"), std::string::npos);
}

}  // namespace
}  // namespace tend::automate::deploy
