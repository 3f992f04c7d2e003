// Remedy actions against real commands and the fake systemd over a real
// dbus-daemon.
#include "remedy/actions.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "systemd/fake_systemd.h"
#include "systemd/unit_client.h"

namespace tend::remedy {
namespace {

RunbookStep Step(std::vector<std::string> argv, int64_t timeout_ms = 10'000) {
  RunbookStep s;
  s.argv = std::move(argv);
  s.timeout_ms = timeout_ms;
  return s;
}

class ActionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char t[] = "/tmp/tend_actions_XXXXXX";
    dir_ = mkdtemp(t);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(ActionsTest, RunbookRunsEveryStepInOrder) {
  RemedySpec spec;
  spec.name = "rb";
  spec.kind = RemedyKind::kRunbook;
  const std::string f = dir_ + "/log";
  spec.steps = {Step({"/bin/sh", "-c", "echo one >> " + f}),
                Step({"/bin/sh", "-c", "echo two >> " + f + "; echo done"})};
  ASSERT_TRUE(ValidateRemedySpec(spec).ok());
  ActionResult r = RunAction(spec, {});
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.message, "runbook ran 2 steps");
  std::string content;
  {
    FILE* fp = fopen(f.c_str(), "r");
    ASSERT_NE(fp, nullptr);
    char buf[64] = {};
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    content.assign(buf, n);
  }
  EXPECT_EQ(content, "one\ntwo\n");
  auto j = nlohmann::json::parse(r.details_json);
  ASSERT_EQ(j["steps"].size(), 2u);
  EXPECT_EQ(j["steps"][1]["stdout_tail"], "done\n");
  EXPECT_EQ(j["steps"][1]["exit_code"], 0);
}

TEST_F(ActionsTest, RunbookStopsAtTheFirstFailure) {
  RemedySpec spec;
  spec.name = "rb";
  spec.kind = RemedyKind::kRunbook;
  const std::string marker = dir_ + "/third";
  spec.steps = {Step({"/bin/true"}),
                Step({"/bin/sh", "-c", "echo disk full >&2; exit 4"}),
                Step({"/usr/bin/touch", marker})};
  spec.steps[1].name = "clean cache";
  ActionResult r = RunAction(spec, {});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.message,
            "runbook stopped at clean cache (2/3): exit code 4 (disk full)");
  EXPECT_FALSE(std::filesystem::exists(marker));
  auto j = nlohmann::json::parse(r.details_json);
  EXPECT_EQ(j["steps"].size(), 2u);
  EXPECT_EQ(j["steps"][1]["stderr_tail"], "disk full\n");
}

TEST_F(ActionsTest, RunbookStepTimeout) {
  RemedySpec spec;
  spec.name = "rb";
  spec.kind = RemedyKind::kRunbook;
  spec.steps = {Step({"/bin/sleep", "30"}, 200), Step({"/bin/true"})};
  auto t0 = std::chrono::steady_clock::now();
  ActionResult r = RunAction(spec, {});
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("step 1 (1/2): timed out after 200 ms"),
            std::string::npos)
      << r.message;
}

TEST_F(ActionsTest, ExecAndMissingCommand) {
  RemedySpec spec;
  spec.name = "x";
  spec.kind = RemedyKind::kExec;
  spec.steps = {Step({"/bin/echo", "hi"})};
  ActionResult r = RunAction(spec, {});
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.message, "ran /bin/echo hi");
  spec.steps = {Step({"/nonexistent/cmd"})};
  r = RunAction(spec, {});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("could not start"), std::string::npos) << r.message;
}

TEST_F(ActionsTest, DryRunDescribesAndDoesNothing) {
  RemedySpec spec;
  spec.name = "rb";
  spec.kind = RemedyKind::kRunbook;
  spec.dry_run = true;
  const std::string marker = dir_ + "/made";
  spec.steps = {Step({"/usr/bin/touch", marker})};
  ActionResult r = RunAction(spec, {});
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.message, "would run step 1: /usr/bin/touch " + marker);
  EXPECT_FALSE(std::filesystem::exists(marker));
  spec.kind = RemedyKind::kRestartUnit;
  spec.unit = "nginx.service";
  r = RunAction(spec, {});  // No D-Bus needed for a dry run.
  EXPECT_EQ(r.message, "would restart unit nginx.service");
}

TEST_F(ActionsTest, ValidationNamesTheField) {
  RemedySpec spec;
  spec.name = "s";
  spec.kind = RemedyKind::kScaleUnit;
  spec.template_unit = "app.service";
  Status s = ValidateRemedySpec(spec);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("template_unit"), std::string::npos);
  spec.template_unit = "app@.service";
  spec.min_instances = 3;
  spec.max_instances = 2;
  EXPECT_FALSE(ValidateRemedySpec(spec).ok());
  spec.kind = RemedyKind::kRestartUnit;
  EXPECT_NE(ValidateRemedySpec(spec).message().find("unit is required"),
            std::string::npos);
  EXPECT_EQ(ParseRemedyKind("reboot").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(*ParseRemedyKind("scale_unit"), RemedyKind::kScaleUnit);
}

TEST_F(ActionsTest, UnitKindsWithoutDbusSaySo) {
  RemedySpec spec;
  spec.name = "r";
  spec.kind = RemedyKind::kRestartUnit;
  spec.unit = "nginx.service";
  ActionResult r = RunAction(spec, {});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("needs systemd"), std::string::npos);
}

class UnitActionsTest : public ActionsTest {
 protected:
  void SetUp() override {
    ActionsTest::SetUp();
    auto d = TestDbusDaemon::Start(dir_);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    daemon_ = std::move(*d);
    auto f = FakeSystemd::Start(daemon_->address());
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    fake_ = std::move(*f);
    auto c = UnitClient::Connect(daemon_->address(), 3000);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    client_ = std::move(*c);
  }
  void TearDown() override {
    client_.reset();
    fake_.reset();
    daemon_.reset();
    ActionsTest::TearDown();
  }
  std::unique_ptr<TestDbusDaemon> daemon_;
  std::unique_ptr<FakeSystemd> fake_;
  std::unique_ptr<UnitClient> client_;
};

TEST_F(UnitActionsTest, RestartUnitRevivesAFailedUnit) {
  FakeUnitState u;
  u.name = "nginx.service";
  fake_->AddUnit(u);
  fake_->Kill("nginx.service");
  RemedySpec spec;
  spec.name = "restart-nginx";
  spec.kind = RemedyKind::kRestartUnit;
  spec.unit = "nginx.service";
  ActionContext ctx;
  ctx.units = client_.get();
  ActionResult r = RunAction(spec, ctx);
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_EQ(fake_->Get("nginx.service")->active_state, "active");
  fake_->SetFailJobs("nginx.service", true);
  r = RunAction(spec, ctx);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("'failed'"), std::string::npos) << r.message;
}

TEST_F(UnitActionsTest, ScaleUnitStepsBetweenBounds) {
  FakeUnitState t;
  t.name = "app@.service";
  fake_->AddUnit(t);
  RemedySpec spec;
  spec.name = "scale-app";
  spec.kind = RemedyKind::kScaleUnit;
  spec.template_unit = "app@.service";
  spec.min_instances = 1;
  spec.max_instances = 3;
  ASSERT_TRUE(ValidateRemedySpec(spec).ok());
  ActionContext ctx;
  ctx.units = client_.get();
  std::vector<std::string> msgs;
  for (int i = 0; i < 4; ++i) {
    ActionResult r = RunAction(spec, ctx);
    EXPECT_TRUE(r.ok) << r.message;
    msgs.push_back(r.message);
  }
  EXPECT_EQ(msgs[0], "started app@1.service (0 -> 1 instances)");
  EXPECT_EQ(msgs[2], "started app@3.service (2 -> 3 instances)");
  EXPECT_EQ(msgs[3], "app@.service already at max 3 instances");
  EXPECT_EQ(fake_->Get("app@3.service")->active_state, "active");

  ctx.direction = ScaleDirection::kDown;
  spec.dry_run = true;
  ActionResult dry = RunAction(spec, ctx);
  EXPECT_EQ(dry.message, "would stop app@3.service (3 -> 2 instances)");
  EXPECT_EQ(fake_->Get("app@3.service")->active_state, "active");
  spec.dry_run = false;
  for (int i = 0; i < 3; ++i) msgs[size_t(i)] = RunAction(spec, ctx).message;
  EXPECT_EQ(msgs[0], "stopped app@3.service (3 -> 2 instances)");
  EXPECT_EQ(msgs[1], "stopped app@2.service (2 -> 1 instances)");
  EXPECT_EQ(msgs[2], "app@.service already at min 1 instances");
  EXPECT_EQ(fake_->Get("app@1.service")->active_state, "active");
  EXPECT_EQ(fake_->Get("app@2.service")->active_state, "inactive");
}

}  // namespace
}  // namespace tend::remedy
