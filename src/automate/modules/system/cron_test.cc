#include <gtest/gtest.h>

#include "automate/modules/system/module_test_util.h"
#include "automate/modules/system/sandbox_test_util.h"
#include "automate/modules/system/system_util.h"

namespace tend::automate::sysmod {
namespace {

using testing::ExpectConverges;
using testing::ModuleHarness;
using testing::ReadText;
using testing::RunInSandbox;
using testing::Sh;

class CronTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why = testing::SandboxUnavailableReason();
    if (!why.empty()) GTEST_SKIP() << why;
  }
};

TEST_F(CronTest, CronFileJobsAddUpdateRemove) {
  RunInSandbox([] {
    ModuleHarness h;
    auto cron = NewCronModule();
    auto snap = [] {
      return Sh("cat /etc/cron.d/tendjobs 2>&1; ls -l /etc/cron.d");
    };
    Value job = {{"name", "backup"},
                 {"minute", "5"},
                 {"hour", "2"},
                 {"user", "root"},
                 {"job", "/usr/bin/true"},
                 {"cron_file", "tendjobs"}};
    ExpectConverges(h, *cron, job, snap);
    EXPECT_EQ(ReadText("/etc/cron.d/tendjobs"),
              "#Ansible: backup\n5 2 * * * root /usr/bin/true\n");
    EXPECT_EQ(Sh("stat -c %a /etc/cron.d/tendjobs"), "644\n");
    Value second = {{"name", "rotate"},        {"special_time", "daily"},
                    {"user", "root"},          {"job", "/usr/bin/false"},
                    {"cron_file", "tendjobs"}, {"disabled", true}};
    ExpectConverges(h, *cron, second, snap);
    job["hour"] = "3";
    ExpectConverges(h, *cron, job, snap);
    EXPECT_EQ(ReadText("/etc/cron.d/tendjobs"),
              "#Ansible: backup\n5 3 * * * root /usr/bin/true\n"
              "#Ansible: rotate\n#@daily root /usr/bin/false\n");
    auto r = h.Run(*cron, job);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->data["jobs"], Value::array({"backup", "rotate"}));
    ExpectConverges(
        h, *cron,
        {{"name", "backup"}, {"cron_file", "tendjobs"}, {"state", "absent"}},
        snap);
    // The last job gone takes the file with it.
    ExpectConverges(
        h, *cron,
        {{"name", "rotate"}, {"cron_file", "tendjobs"}, {"state", "absent"}},
        snap);
    EXPECT_EQ(Sh("test -e /etc/cron.d/tendjobs || echo gone"), "gone\n");
  });
}

TEST_F(CronTest, UserCrontabInTheSpool) {
  RunInSandbox([] {
    ModuleHarness h;
    ASSERT_TRUE(h.Run(*NewUserModule(), {{"name", "carol"}}).ok());
    auto cron = NewCronModule();
    const std::string path = "/var/spool/cron/crontabs/carol";
    // An existing line of the user's own stays as it is.
    testing::WriteText(path, "MAILTO=x\n@hourly /bin/own\n");
    auto snap = [&] { return Sh("cat " + path + "; stat -c '%a %U' " + path); };
    Value job = {{"name", "ping"}, {"user", "carol"}, {"job", "ping -c1 x"}};
    ExpectConverges(h, *cron, job, snap);
    EXPECT_EQ(
        ReadText(path),
        "MAILTO=x\n@hourly /bin/own\n#Ansible: ping\n* * * * * ping -c1 x\n");
    EXPECT_EQ(Sh("stat -c '%a %U' " + path), "600 carol\n");
    auto r = h.Run(*cron, job, /*check=*/false, /*diff=*/true);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->data["envs"], Value::array({"MAILTO"}));
  });
}

TEST_F(CronTest, BadParameters) {
  ModuleHarness h;
  auto cron = NewCronModule();
  auto r = h.Run(*cron,
                 {{"name", "x"},
                  {"job", "y"},
                  {"special_time", "daily"},
                  {"minute", "5"},
                  {"cron_file", "/tmp/none"},
                  {"user", "root"}},
                 /*check=*/true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->msg, "You must specify time and date fields or special time.");
  r = h.Run(*cron, {{"name", "x"}, {"job", "y"}, {"cron_file", "/tmp/none"}},
            /*check=*/true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->msg,
            "To use cron_file=... parameter you must specify user=... as well");
  r = h.Run(*cron,
            {{"name", "x"}, {"cron_file", "/tmp/none"}, {"user", "root"}},
            /*check=*/true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->msg,
            "You must specify 'job' to install a new cron job or variable");
  auto bad = h.Run(*cron, {{"name", "x"}, {"special_time", "fortnightly"}});
  EXPECT_FALSE(bad.ok());
}

}  // namespace
}  // namespace tend::automate::sysmod
