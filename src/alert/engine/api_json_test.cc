// The shapes of /api/v1/rules and /api/v1/alerts, per Prometheus's API
// documentation.
#include "alert/engine/api_json.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "alert/engine/engine_test_util.h"
#include "alert/engine/rule_manager.h"
#include "base/clock.h"

namespace tend::alert {
namespace {

using namespace testing;  // NOLINT
using nlohmann::json;

TEST(ApiFormatTest, TimesAndValuesAsPrometheusWritesThem) {
  EXPECT_EQ(FormatApiTime(0), "0001-01-01T00:00:00Z");
  EXPECT_EQ(FormatApiTime(kT0), "2024-01-01T00:00:00Z");
  EXPECT_EQ(FormatApiTime(kT0 + 1500), "2024-01-01T00:00:01.5Z");
  EXPECT_EQ(FormatApiTime(kT0 + 123), "2024-01-01T00:00:00.123Z");
  EXPECT_EQ(FormatApiValue(1), "1e+00");
  EXPECT_EQ(FormatApiValue(0.35), "3.5e-01");
  EXPECT_EQ(FormatApiValue(1234.5), "1.2345e+03");
  EXPECT_EQ(FormatApiValue(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(FormatApiValue(-std::numeric_limits<double>::infinity()), "-Inf");
}

class ApiJsonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RuleManagerOptions o;
    o.clock = &clock_;
    manager_ = std::make_unique<RuleManager>(o, w_.ctx);
    Rule a = AlertRule("HighLoad", "load > 5", 5 * kMin, 2 * kMin);
    a.labels = Plain({{"severity", "page"}});
    a.annotations = Plain({{"summary", "load is high"}});
    Rule r = RecordRule("load:max", "max(load)");
    Rule f = AlertRule("Fires", "load > 1");
    ASSERT_TRUE(manager_->Load({OneGroup({a, r, f})}).ok());
    w_.Set("load", {{"host", "a"}}, kT0, 10);
    manager_->EvaluateAll(kT0);
  }
  World w_;
  FakeClock clock_;
  std::unique_ptr<RuleManager> manager_;
};

TEST_F(ApiJsonTest, RulesShape) {
  json d = RulesData(manager_->Snapshot());
  ASSERT_TRUE(d["groups"].is_array());
  ASSERT_EQ(d["groups"].size(), 1u);
  const json& g = d["groups"][0];
  EXPECT_EQ(g["name"], "g");
  EXPECT_EQ(g["file"], "rules.yml");
  EXPECT_TRUE(g["interval"].is_number());
  EXPECT_EQ(g["interval"].get<double>(), 60.0);
  EXPECT_TRUE(g["limit"].is_number_integer());
  EXPECT_TRUE(g["evaluationTime"].is_number());
  EXPECT_EQ(g["lastEvaluation"], "2024-01-01T00:00:00Z");
  ASSERT_EQ(g["rules"].size(), 3u);

  const json& a = g["rules"][0];
  EXPECT_EQ(a["type"], "alerting");
  EXPECT_EQ(a["name"], "HighLoad");
  EXPECT_EQ(a["query"], "load > 5");
  EXPECT_EQ(a["state"], "pending");
  EXPECT_EQ(a["duration"].get<double>(), 300.0);
  EXPECT_EQ(a["keepFiringFor"].get<double>(), 120.0);
  EXPECT_EQ(a["labels"], json({{"severity", "page"}}));
  EXPECT_EQ(a["annotations"], json({{"summary", "load is high"}}));
  EXPECT_EQ(a["health"], "ok");
  EXPECT_FALSE(a.contains("lastError"));
  EXPECT_TRUE(a["evaluationTime"].is_number());
  EXPECT_EQ(a["lastEvaluation"], "2024-01-01T00:00:00Z");
  ASSERT_EQ(a["alerts"].size(), 1u);
  const json& al = a["alerts"][0];
  EXPECT_EQ(
      al["labels"],
      json({{"alertname", "HighLoad"}, {"host", "a"}, {"severity", "page"}}));
  EXPECT_EQ(al["state"], "pending");
  EXPECT_EQ(al["activeAt"], "2024-01-01T00:00:00Z");
  EXPECT_EQ(al["value"], "1e+01");
  EXPECT_FALSE(al.contains("keepFiringSince"));

  const json& r = g["rules"][1];
  EXPECT_EQ(r["type"], "recording");
  EXPECT_EQ(r["name"], "load:max");
  EXPECT_EQ(r["health"], "ok");
  EXPECT_FALSE(r.contains("alerts"));
  EXPECT_FALSE(r.contains("state"));
  EXPECT_FALSE(r.contains("labels"));  // omitempty in Prometheus.
  EXPECT_EQ(g["rules"][2]["state"], "firing");
}

TEST_F(ApiJsonTest, RulesFilterAndErrors) {
  RulesFilter f;
  f.type = "record";
  json d = RulesData(manager_->Snapshot(), f);
  ASSERT_EQ(d["groups"].size(), 1u);
  ASSERT_EQ(d["groups"][0]["rules"].size(), 1u);
  EXPECT_EQ(d["groups"][0]["rules"][0]["name"], "load:max");
  f = {};
  f.rule_groups = {"other"};
  EXPECT_TRUE(RulesData(manager_->Snapshot(), f)["groups"].empty());

  // An error shows as health "err" with lastError.
  w_.Set("load", {{"host", "a"}, {"x", "1"}}, kT0 + kMin, 10);
  Rule bad = RecordRule("dup", "load");
  bad.labels = Plain({{"x", "y"}});
  ASSERT_TRUE(manager_->Load({OneGroup({bad})}).ok());
  w_.Set("load", {{"host", "a"}}, kT0 + kMin, 10);
  manager_->EvaluateAll(kT0 + kMin);
  d = RulesData(manager_->Snapshot());
  const json& r = d["groups"][0]["rules"][0];
  EXPECT_EQ(r["health"], "err");
  EXPECT_TRUE(r["lastError"].is_string());
  EXPECT_EQ(r["labels"], json({{"x", "y"}}));
}

TEST_F(ApiJsonTest, AlertsShape) {
  json d = AlertsData(manager_->Snapshot());
  ASSERT_TRUE(d["alerts"].is_array());
  ASSERT_EQ(d["alerts"].size(), 2u);
  for (const json& a : d["alerts"]) {
    EXPECT_TRUE(a["labels"].is_object());
    EXPECT_TRUE(a["annotations"].is_object());
    EXPECT_TRUE(a["state"] == "pending" || a["state"] == "firing");
    EXPECT_TRUE(a["activeAt"].is_string());
    EXPECT_TRUE(a["value"].is_string());
  }
}

}  // namespace
}  // namespace tend::alert
