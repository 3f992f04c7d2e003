// Delivery retries through the live agent: a webhook receiver that answers
// HTTP 500 to the first three attempts gets the notification on the
// fourth; the waits between attempts follow the exponential backoff (1 s,
// 2 s, 4 s, each ±20 %), and every attempt is an event.
#include <gtest/gtest.h>

#include <iostream>

#include "alerting_test_util.h"

namespace tend::testing {
namespace {

TEST(AlertingRetry, FailingReceiverGetsItOnTheFourthAttemptWithBackoff) {
  TempDir dir;
  const std::string& d = dir.path();
  HookServer hook([](int attempt) { return attempt <= 3 ? 500 : 200; });
  // A maintenance flag file: the alert fires while it exists.
  ASSERT_TRUE(WriteText(d + "/maintenance", "on\n"));
  ASSERT_TRUE(WriteText(d + "/rules.yml", R"(groups:
  - name: host
    rules:
      - alert: MaintenanceMode
        expr: probe_file_exists{probe="maintenance"} == 1
        for: 1s
        labels:
          severity: info
        annotations:
          summary: 'maintenance flag {{ $labels.probe }} is set'
)"));
  ASSERT_TRUE(
      WriteText(d + "/alertmanager.yml", WebhookNotifications(hook.url())));
  AlertingAgent agent(d, BaseConfig() + Subst(R"(probes:
  - name: maintenance
    type: file
    interval: 1s
    file:
      path: @D@/maintenance
alerting:
  evaluation_interval: 1s
  rule_files: [rules.yml]
  notifications_file: alertmanager.yml
)",
                                              {{"@D@", d}}));
  ASSERT_TRUE(agent.Start()) << agent.LastLog();

  ASSERT_TRUE(PollUntil(40'000, [&] { return hook.count() >= 4; }))
      << "attempts: " << hook.count() << "\n"
      << hook.Dump() << EventSummary(Events(agent.addr())) << agent.LastLog();
  // Nothing after the accepted attempt.
  SleepMs(2500);
  const std::vector<HookServer::Hook> hooks = hook.hooks();
  ASSERT_EQ(hooks.size(), 4u) << hook.Dump();
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(hooks[i].answered, i < 3 ? 500 : 200);
    // The same notification each time.
    EXPECT_EQ(hooks[i].body, hooks[0].body);
  }
  ASSERT_TRUE(hooks[3].json.is_object()) << hooks[3].body;
  EXPECT_EQ(hooks[3].json.value("status", ""), "firing");
  EXPECT_EQ(hooks[3].json["alerts"][0]["labels"].value("alertname", ""),
            "MaintenanceMode");

  // Gaps between attempts: backoff 1 s, 2 s, 4 s with ±20 % jitter, plus
  // the deliverer's 200 ms scheduling granularity and the HTTP exchange.
  std::vector<double> gaps;
  for (int i = 1; i < 4; ++i) {
    gaps.push_back(
        std::chrono::duration<double>(hooks[i].at - hooks[i - 1].at).count());
  }
  const std::string shown = ::testing::PrintToString(gaps);
  EXPECT_GE(gaps[0], 0.75) << shown;
  EXPECT_LE(gaps[0], 1.7) << shown;
  EXPECT_GE(gaps[1], 1.5) << shown;
  EXPECT_LE(gaps[1], 2.9) << shown;
  EXPECT_GE(gaps[2], 3.0) << shown;
  EXPECT_LE(gaps[2], 5.5) << shown;
  EXPECT_LT(gaps[0], gaps[1]) << shown;
  EXPECT_LT(gaps[1], gaps[2]) << shown;
  std::cout << "backoff gaps (s): " << shown << "\n";

  // Events: retry, retry, retry, sent, with the attempt numbers and the
  // receiver's error.
  const nlohmann::json events = Events(agent.addr(), "notification");
  std::vector<std::string> outcomes;
  for (const nlohmann::json& e : events) {
    EXPECT_EQ(e.value("subject", ""), "hook");
    outcomes.push_back(e.value("outcome", ""));
  }
  EXPECT_EQ(outcomes,
            (std::vector<std::string>{"retry", "retry", "retry", "sent"}))
      << EventSummary(events);
  for (size_t i = 0; i < events.size() && i < 4; ++i) {
    const nlohmann::json& det = events[i]["details"];
    EXPECT_EQ(det.value("integration", ""), "webhook") << events[i].dump();
    EXPECT_EQ(det.value("alerts", 0), 1) << events[i].dump();
    if (i < 3) {
      EXPECT_NE(det.value("error", "").find("500"), std::string::npos)
          << events[i].dump();
    }
  }
  // The retries are attempts 1..3 of one outbox item, the success its 4th.
  if (events.size() == 4) {
    for (size_t i = 0; i < 4; ++i) {
      EXPECT_EQ(events[i]["details"].value("outbox_id", -1),
                events[0]["details"].value("outbox_id", -2));
    }
    EXPECT_LT(events[0]["details"].value("attempt", 0),
              events[3]["details"].value("attempt", 0));
  }
  EXPECT_EQ(agent.Stop(SIGTERM), 0) << agent.LastLog();
}

}  // namespace
}  // namespace tend::testing
