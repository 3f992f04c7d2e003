#include "remedy/remedy_manager.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>

#include "base/clock.h"
#include "state/state_db.h"
#include "systemd/fake_systemd.h"
#include "systemd/unit_client.h"

namespace tend::remedy {
namespace {

alert::Alert MakeAlert(const std::string& name, const std::string& instance,
                       bool firing) {
  alert::Alert a;
  a.labels = {{"alertname", name}, {"instance", instance}};
  CanonicalizeLabels(&a.labels);
  a.starts_at_ms = 1000;
  a.ends_at_ms = firing ? 0 : 2000;
  return a;
}

class RemedyManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char t[] = "/tmp/tend_rm_XXXXXX";
    dir_ = mkdtemp(t);
    OpenDb();
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  void OpenDb() {
    db_.reset();
    auto db = state::StateDb::Open(dir_ + "/state.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }
  RemedySpec Touch(const std::string& name) {
    RemedySpec s;
    s.name = name;
    s.kind = RemedyKind::kExec;
    RunbookStep step;
    step.argv = {"/bin/sh", "-c", "echo x >> " + dir_ + "/" + name};
    s.steps = {step};
    s.budget = {3, 5 * 60'000, 0};
    return s;
  }
  int Runs(const std::string& name) {
    FILE* f = fopen((dir_ + "/" + name).c_str(), "r");
    if (f == nullptr) return 0;
    int n = 0;
    for (int c; (c = fgetc(f)) != EOF;) n += c == '\n';
    fclose(f);
    return n;
  }
  std::vector<state::Event> Events() {
    state::EventQuery q;
    q.kinds = {"remedy"};
    auto e = db_->ListEvents(q);
    EXPECT_TRUE(e.ok());
    return e.ok() ? *e : std::vector<state::Event>{};
  }
  RemedyManagerOptions Opts() {
    RemedyManagerOptions o;
    o.db = db_.get();
    o.clock = &clock_;
    return o;
  }

  std::string dir_;
  FakeClock clock_;
  std::unique_ptr<state::StateDb> db_;
};

TEST_F(RemedyManagerTest, AlertTriggersOncePerFiringEpisode) {
  RemedyBinding b;
  b.remedy = "fix";
  b.alert = "NginxDown";
  auto m = RemedyManager::Create({Touch("fix")}, {b}, Opts());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  alert::Alert a = MakeAlert("NginxDown", "web1", true);
  for (int i = 0; i < 5; ++i) (*m)->OnAlerts({a});  // Five evaluations.
  (*m)->Drain();
  EXPECT_EQ(Runs("fix"), 1);
  (*m)->OnAlerts({MakeAlert("NginxDown", "web2", true)});  // Another alert.
  (*m)->OnAlerts({MakeAlert("Other", "web1", true)});
  (*m)->Drain();
  EXPECT_EQ(Runs("fix"), 2);
  (*m)->OnAlerts({MakeAlert("NginxDown", "web1", false)});  // Resolved.
  (*m)->OnAlerts({a});                                      // Fires again.
  (*m)->Drain();
  EXPECT_EQ(Runs("fix"), 3);
  auto last = (*m)->LastOutcomeForAlert(a.fingerprint());
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->outcome, "ok");
  EXPECT_NE(last->message.find("ran /bin/sh"), std::string::npos);
  EXPECT_NE(last->message.find("alertname=\"NginxDown\""), std::string::npos)
      << last->message;
  auto by_binding = (*m)->LastOutcome("fix:alert:NginxDown");
  ASSERT_TRUE(by_binding.has_value());
  auto events = Events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].subject, "fix");
  EXPECT_EQ(events[0].outcome, "ok");
}

TEST_F(RemedyManagerTest, MatchersSelectAlerts) {
  RemedyBinding b;
  b.remedy = "fix";
  b.alert = "Down";
  b.matchers = {LabelMatcher::Equal("instance", "web1")};
  auto m = RemedyManager::Create({Touch("fix")}, {b}, Opts());
  ASSERT_TRUE(m.ok());
  (*m)->OnAlerts({MakeAlert("Down", "web2", true)});
  (*m)->Drain();
  EXPECT_EQ(Runs("fix"), 0);
  (*m)->OnAlerts({MakeAlert("Down", "web1", true)});
  (*m)->Drain();
  EXPECT_EQ(Runs("fix"), 1);
}

TEST_F(RemedyManagerTest, ProbeFailuresReprobeAndBudgetEscalation) {
  RemedyBinding b;
  b.remedy = "fix";
  b.probe = "http-web";
  b.failures = 3;
  b.settle_ms = 10;
  RemedyManagerOptions o = Opts();
  std::atomic<int> reprobes{0};
  o.reprobe = [&](const std::string& p) {
    EXPECT_EQ(p, "http-web");
    return ++reprobes % 2 == 1;  // Passes, fails, passes ...
  };
  std::vector<RemedyOutcome> outs;
  o.on_outcome = [&](const RemedyOutcome& r) { outs.push_back(r); };
  auto m = RemedyManager::Create({Touch("fix")}, {b}, o);
  ASSERT_TRUE(m.ok());
  auto fail_streak = [&] {
    for (int i = 0; i < 4; ++i) (*m)->OnProbeResult("http-web", false);
    (*m)->OnProbeResult("http-web", true);
    (*m)->Drain();
    clock_.Advance(10 * kNanosPerSecond);
  };
  (*m)->OnProbeResult("http-web", false);
  (*m)->OnProbeResult("http-web", false);
  (*m)->OnProbeResult("http-web", true);  // Streak broken at 2.
  (*m)->Drain();
  EXPECT_EQ(Runs("fix"), 0);
  for (int i = 0; i < 5; ++i) fail_streak();
  EXPECT_EQ(Runs("fix"), 3);  // Budget 3 in 5m.
  ASSERT_EQ(outs.size(), 5u);
  EXPECT_EQ(outs[0].outcome, "ok");
  EXPECT_EQ(outs[0].reprobe_passed, true);
  EXPECT_NE(outs[0].message.find("re-probe http-web passed"),
            std::string::npos);
  EXPECT_EQ(outs[1].outcome, "failed");
  EXPECT_NE(outs[1].message.find("still failing"), std::string::npos);
  EXPECT_EQ(outs[3].outcome, "escalated");
  EXPECT_NE(outs[3].message.find("3/3 runs in 5m"), std::string::npos)
      << outs[3].message;
  EXPECT_EQ(outs[4].outcome, "skipped");

  // The budget survives a restart of tend: a new manager on the same db.
  m->reset();
  OpenDb();
  auto m2 = RemedyManager::Create({Touch("fix")}, {b}, Opts());
  ASSERT_TRUE(m2.ok());
  for (int i = 0; i < 3; ++i) (*m2)->OnProbeResult("http-web", false);
  (*m2)->Drain();
  EXPECT_EQ(Runs("fix"), 3);
  EXPECT_EQ((*m2)->LastOutcome("fix:probe:http-web")->outcome, "skipped");
  // The window clears: runs again.
  clock_.Advance(5 * 60 * kNanosPerSecond);
  (*m2)->OnProbeResult("http-web", true);
  for (int i = 0; i < 3; ++i) (*m2)->OnProbeResult("http-web", false);
  (*m2)->Drain();
  EXPECT_EQ(Runs("fix"), 4);
  // An operator's reset.
  ASSERT_TRUE((*m2)->ResetBudget("fix").ok());
  EXPECT_EQ((*m2)->ResetBudget("nope").code(), StatusCode::kNotFound);
}

TEST_F(RemedyManagerTest, CooldownSkips) {
  RemedySpec s = Touch("fix");
  s.budget = {0, 60'000, 60'000};
  RemedyBinding b;
  b.remedy = "fix";
  b.probe = "p";
  auto m = RemedyManager::Create({s}, {b}, Opts());
  ASSERT_TRUE(m.ok());
  (*m)->OnProbeResult("p", false);
  (*m)->OnProbeResult("p", true);
  (*m)->OnProbeResult("p", false);
  (*m)->Drain();
  EXPECT_EQ(Runs("fix"), 1);
  EXPECT_EQ((*m)->LastOutcome("fix:probe:p")->outcome, "skipped");
  EXPECT_NE((*m)->LastOutcome("fix:probe:p")->message.find("cool-down"),
            std::string::npos);
}

TEST_F(RemedyManagerTest, DryRunRecordsButDoesNothing) {
  RemedySpec s = Touch("fix");
  s.dry_run = true;
  RemedyBinding b;
  b.remedy = "fix";
  b.alert = "A";
  b.reprobe = "p";
  RemedyManagerOptions o = Opts();
  int reprobes = 0;
  o.reprobe = [&](const std::string&) { return ++reprobes > 0; };
  auto m = RemedyManager::Create({s}, {b}, o);
  ASSERT_TRUE(m.ok());
  (*m)->OnAlerts({MakeAlert("A", "x", true)});
  (*m)->Drain();
  EXPECT_EQ(Runs("fix"), 0);
  EXPECT_EQ(reprobes, 0);
  auto events = Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].outcome, "dry_run");
  EXPECT_NE(events[0].message.find("would run"), std::string::npos);
}

TEST_F(RemedyManagerTest, InvalidBindings) {
  RemedyBinding b;
  b.remedy = "missing";
  b.alert = "A";
  EXPECT_EQ(RemedyManager::Create({Touch("fix")}, {b}, Opts()).status().code(),
            StatusCode::kInvalidArgument);
  b.remedy = "fix";
  b.probe = "p";  // Both alert and probe.
  EXPECT_FALSE(RemedyManager::Create({Touch("fix")}, {b}, Opts()).ok());
}

TEST_F(RemedyManagerTest, RestartUnitThroughFakeSystemd) {
  auto d = TestDbusDaemon::Start(dir_);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  auto f = FakeSystemd::Start((*d)->address());
  ASSERT_TRUE(f.ok());
  FakeUnitState u;
  u.name = "nginx.service";
  (*f)->AddUnit(u);
  (*f)->Kill("nginx.service");
  RemedySpec s;
  s.name = "restart-nginx";
  s.kind = RemedyKind::kRestartUnit;
  s.unit = "nginx.service";
  RemedyBinding b;
  b.remedy = s.name;
  b.alert = "NginxDown";
  b.reprobe = "nginx-unit";
  b.settle_ms = 0;
  RemedyManagerOptions o = Opts();
  std::string addr = (*d)->address();
  o.connect_units = [addr] { return UnitClient::Connect(addr, 3000); };
  FakeSystemd* fake = f->get();
  o.reprobe = [fake](const std::string&) {
    return fake->Get("nginx.service")->active_state == "active";
  };
  auto m = RemedyManager::Create({s}, {b}, o);
  ASSERT_TRUE(m.ok());
  (*m)->OnAlerts({MakeAlert("NginxDown", "web1", true)});
  (*m)->Drain();
  auto last = (*m)->LastOutcome("restart-nginx:alert:NginxDown");
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->outcome, "ok") << last->message;
  EXPECT_EQ(last->reprobe_passed, true);
  EXPECT_NE(last->message.find("restarted unit nginx.service"),
            std::string::npos);
  m->reset();
}

}  // namespace
}  // namespace tend::remedy
