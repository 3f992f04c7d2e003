// Log rules over a real log store.
#include "alert/engine/log_rule_evaluator.h"

#include <gtest/gtest.h>

#include <memory>

#include "alert/engine/engine_test_util.h"
#include "alert/engine/rule_manager.h"
#include "base/clock.h"
#include "logs/store/log_store.h"

namespace tend::alert {
namespace {

using namespace testing;  // NOLINT

class LogRuleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    logs::LogStoreOptions o;
    o.fsync = logs::LogFsync::kNever;
    auto s = logs::LogStore::Open(dir_.path(), o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    Labels nginx = {{"app", "nginx"}};
    for (int i = 0; i < 12; ++i) {
      const int64_t t_ns = (kT0 - 60'000 + i * 1000) * 1'000'000;
      ASSERT_TRUE(
          store_->Append(nginx, t_ns, i % 2 == 0 ? "upstream timed out" : "ok")
              .ok());
    }
    ASSERT_TRUE(store_->Commit().ok());
  }
  TempDir dir_;
  std::unique_ptr<logs::LogStore> store_;
};

TEST_F(LogRuleTest, EvaluatesMetricQueries) {
  LogStoreRuleEvaluator ev(store_.get());
  auto v = ev.EvalInstant(
      R"(count_over_time({app="nginx"} |= "timed out" [5m]))", kT0);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ASSERT_EQ(v->size(), 1u);
  EXPECT_EQ((*v)[0].v, 6);
  EXPECT_EQ((*v)[0].t, kT0);
  EXPECT_EQ(GetLabel((*v)[0].labels, "app"), "nginx");

  auto bad = ev.EvalInstant(R"({app="nginx"})", kT0);
  ASSERT_FALSE(bad.ok());
  auto syntax = ev.EvalInstant(R"(count_over_time({app="nginx"})", kT0);
  ASSERT_FALSE(syntax.ok());
  EXPECT_EQ(syntax.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(LogRuleTest, LogAlertRuleFires) {
  LogStoreRuleEvaluator ev(store_.get());
  World w;
  w.ctx.logs = &ev;
  FakeClock clock;
  RuleManagerOptions o;
  o.clock = &clock;
  RuleManager m(o, w.ctx);
  Rule r;
  r.kind = RuleKind::kAlert;
  r.language = QueryLanguage::kLogQL;
  r.name = "UpstreamTimeouts";
  r.expr = R"(count_over_time({app="nginx"} |= "timed out" [5m]) > 5)";
  ASSERT_TRUE(m.Load({OneGroup({r})}).ok());
  EvalOutput out = m.EvaluateAll(kT0);
  ASSERT_EQ(out.alerts.size(), 1u);
  EXPECT_EQ(GetLabel(out.alerts[0].labels, "alertname"), "UpstreamTimeouts");
  EXPECT_EQ(GetLabel(out.alerts[0].labels, "app"), "nginx");
  EXPECT_EQ(out.alerts[0].value, 6);
}

}  // namespace
}  // namespace tend::alert
