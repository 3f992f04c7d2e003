// service and systemd against a stand-in systemctl (this test machine has
// no systemd as PID 1): a shell script first on PATH that keeps each
// unit's active/enabled/masked state in files and logs every call.
#include <gtest/gtest.h>
#include <stdlib.h>

#include "automate/modules/system/module_test_util.h"
#include "automate/modules/system/system_util.h"

namespace tend::automate::sysmod {
namespace {

using testing::ModuleHarness;
using testing::ReadText;
using testing::Sh;

constexpr char kFakeSystemctl[] = R"SH(#!/bin/sh
D="$TEND_FAKE_SYSTEMD"
echo "$*" >> "$D/calls"
[ "$1" = "--no-block" ] && shift
cmd="$1"; u="${2%.service}"
get() { cat "$D/$u.$1" 2>/dev/null || echo "$2"; }
case "$cmd" in
  daemon-reload) echo reloaded >> "$D/daemon"; exit 0;;
  show)
    echo "Id=$u.service"
    if [ -e "$D/$u.masked" ]; then
      echo LoadState=masked; echo ActiveState=inactive; echo UnitFileState=masked
    elif [ -e "$D/$u.unit" ]; then
      echo LoadState=loaded; echo "ActiveState=$(get active inactive)"
      echo "UnitFileState=$(get enabled disabled)"
    else
      echo LoadState=not-found; echo ActiveState=inactive
    fi;;
  is-enabled)
    s=$(get enabled disabled); [ -e "$D/$u.masked" ] && s=masked
    echo "$s"; [ "$s" = enabled ];;
  start|restart|reload)
    [ -e "$D/$u.unit" ] || { echo "Unit $u.service not found." >&2; exit 5; }
    [ -e "$D/$u.masked" ] && { echo "Unit $u.service is masked." >&2; exit 1; }
    echo active > "$D/$u.active";;
  stop) echo inactive > "$D/$u.active";;
  enable) echo enabled > "$D/$u.enabled";;
  disable) echo disabled > "$D/$u.enabled";;
  mask) touch "$D/$u.masked";;
  unmask) rm -f "$D/$u.masked";;
  *) echo "unknown command $cmd" >&2; exit 1;;
esac
)SH";

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tend-systemd-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    testing::WriteText(dir_ + "/systemctl", kFakeSystemctl);
    Sh("chmod 755 " + dir_ + "/systemctl; touch " + dir_ + "/nginx.unit");
    old_path_ = getenv("PATH");
    setenv("PATH", (dir_ + ":" + old_path_).c_str(), 1);
    setenv("TEND_FAKE_SYSTEMD", dir_.c_str(), 1);
  }
  void TearDown() override {
    setenv("PATH", old_path_.c_str(), 1);
    unsetenv("TEND_FAKE_SYSTEMD");
    Sh("rm -rf '" + dir_ + "'");
  }
  std::string State() {
    return ReadText(dir_ + "/nginx.active") +
           ReadText(dir_ + "/nginx.enabled") +
           Sh("ls " + dir_ + " | grep -c masked");
  }
  std::string Calls() { return ReadText(dir_ + "/calls"); }

  ModuleHarness h_;
  std::string dir_;
  std::string old_path_;
};

TEST_F(ServiceTest, StartedAndEnabledConverge) {
  auto service = NewServiceModule();
  testing::ExpectConverges(
      h_, *service,
      {{"name", "nginx"}, {"state", "started"}, {"enabled", true}},
      [&] { return State(); });
  EXPECT_EQ(State(), "active\nenabled\n0\n");
  auto r = h_.Run(*service, {{"name", "nginx"}, {"state", "started"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->data["status"]["ActiveState"], "active");
  EXPECT_EQ(r->data["state"], "started");
  testing::ExpectConverges(
      h_, *service,
      {{"name", "nginx"}, {"state", "stopped"}, {"enabled", false}},
      [&] { return State(); });
  EXPECT_EQ(State(), "inactive\ndisabled\n0\n");
}

TEST_F(ServiceTest, RestartedAndReloadedAlwaysChange) {
  auto systemd = NewSystemdModule();
  for (const char* state : {"restarted", "reloaded"}) {
    auto check = h_.Run(*systemd, {{"name", "nginx"}, {"state", state}}, true);
    ASSERT_TRUE(check.ok());
    EXPECT_TRUE(check->changed);
    auto r = h_.Run(*systemd, {{"name", "nginx"}, {"state", state}});
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->changed);
    EXPECT_FALSE(r->failed) << r->msg;
  }
  // Stopped at first, so the first is a start; then restart, then reload.
  EXPECT_EQ(Calls().find("start nginx") != std::string::npos, true);
  EXPECT_NE(Calls().find("reload nginx"), std::string::npos) << Calls();
  EXPECT_EQ(Calls().find("restart nginx"), std::string::npos)
      << "a stopped unit is started, not restarted";
}

TEST_F(ServiceTest, MaskedAndDaemonReload) {
  auto systemd = NewSystemdModule();
  testing::ExpectConverges(h_, *systemd, {{"name", "nginx"}, {"masked", true}},
                           [&] { return State(); });
  auto start = h_.Run(*systemd, {{"name", "nginx"}, {"state", "started"}});
  ASSERT_TRUE(start.ok());
  EXPECT_TRUE(start->failed);
  EXPECT_NE(start->msg.find("masked"), std::string::npos) << start->msg;
  testing::ExpectConverges(h_, *systemd, {{"name", "nginx"}, {"masked", false}},
                           [&] { return State(); });
  auto reload = h_.Run(*systemd, {{"daemon_reload", true}});
  ASSERT_TRUE(reload.ok());
  EXPECT_FALSE(reload->changed);
  EXPECT_EQ(ReadText(dir_ + "/daemon"), "reloaded\n");
  auto check = h_.Run(*systemd, {{"daemon_reload", true}}, /*check=*/true);
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(ReadText(dir_ + "/daemon"), "reloaded\n");  // not again
}

TEST_F(ServiceTest, UnknownUnitAndBadParameters) {
  auto service = NewServiceModule();
  auto r = h_.Run(*service, {{"name", "nosuch"}, {"state", "started"}}, true);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->failed);
  EXPECT_EQ(r->msg, "Could not find the requested service nosuch: host");
  auto bad = h_.Run(*service, {{"name", "nginx"}, {"state", "running"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("must be one of"), std::string::npos);
  auto masked = h_.Run(*service, {{"name", "nginx"}, {"masked", true}});
  ASSERT_FALSE(masked.ok());  // masked is systemd's, not service's
}

}  // namespace
}  // namespace tend::automate::sysmod
