// Silences through the agent's Alertmanager-compatible API (what amtool
// and Grafana use): a silence matching the alert mutes its notifications
// while the alert itself keeps firing in tend; expiring the silence with
// DELETE /api/v2/silence/{id} lets the notification out. A silence that
// does not match mutes nothing.
#include <gtest/gtest.h>

#include "alerting_test_util.h"

namespace tend::testing {
namespace {

// POST /api/v2/silences with one equality matcher; the new id, or "" after
// recording a failure.
std::string AddSilence(const std::string& addr, const std::string& name,
                       const std::string& value) {
  const int64_t now = WallMs();
  nlohmann::json body = {{"matchers",
                          {{{"name", name},
                            {"value", value},
                            {"isRegex", false},
                            {"isEqual", true}}}},
                         {"startsAt", FormatRfc3339(now)},
                         {"endsAt", FormatRfc3339(now + 3600 * 1000)},
                         {"createdBy", "itest"},
                         {"comment", "planned maintenance of " + value}};
  Result<HttpAnswer> r = Send(addr, "POST", "/api/v2/silences", body.dump());
  if (!r.ok() || r->status != 200) {
    ADD_FAILURE() << "POST /api/v2/silences: "
                  << (r.ok() ? std::to_string(r->status) + " " + r->body
                             : r.status().ToString());
    return "";
  }
  nlohmann::json j = nlohmann::json::parse(r->body, nullptr, false);
  if (!j.is_object() || !j.contains("silenceID")) {
    ADD_FAILURE() << "no silenceID in " << r->body;
    return "";
  }
  return j["silenceID"].get<std::string>();
}

// The silence's status.state from GET /api/v2/silence/{id}.
std::string SilenceState(const std::string& addr, const std::string& id) {
  Result<std::string> body = Get(addr, "/api/v2/silence/" + id);
  if (!body.ok()) return "error: " + body.status().ToString();
  nlohmann::json j = nlohmann::json::parse(*body, nullptr, false);
  if (!j.is_object() || !j.contains("status")) return "bad: " + *body;
  return j["status"].value("state", "");
}

TEST(AlertingSilence, SilenceMutesUntilExpired) {
  TempDir dir;
  const std::string& d = dir.path();
  HookServer hook;
  ASSERT_TRUE(WriteText(d + "/ready", "1\n"));
  ASSERT_TRUE(WriteText(d + "/rules.yml", R"(groups:
  - name: deploy
    rules:
      - alert: ReadyFlagMissing
        expr: probe_success{probe="ready"} == 0
        for: 1s
        labels:
          severity: warning
        annotations:
          summary: 'the ready flag is gone'
)"));
  ASSERT_TRUE(
      WriteText(d + "/alertmanager.yml", WebhookNotifications(hook.url())));
  AlertingAgent agent(d, BaseConfig() + Subst(R"(probes:
  - name: ready
    type: file
    interval: 1s
    file:
      path: @D@/ready
alerting:
  evaluation_interval: 1s
  rule_files: [rules.yml]
  notifications_file: alertmanager.yml
)",
                                              {{"@D@", d}}));
  ASSERT_TRUE(agent.Start()) << agent.LastLog();
  const std::string& addr = agent.addr();

  // Refused: a silence without matchers.
  Result<HttpAnswer> bad = Send(addr, "POST", "/api/v2/silences",
                                R"({"createdBy":"x","comment":"y"})");
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400) << bad->body;

  const std::string other = AddSilence(addr, "alertname", "SomethingElse");
  const std::string id = AddSilence(addr, "alertname", "ReadyFlagMissing");
  ASSERT_FALSE(id.empty());
  ASSERT_NE(id, other);
  EXPECT_EQ(SilenceState(addr, id), "active");
  {
    Result<std::string> list = Get(addr, "/api/v2/silences");
    ASSERT_TRUE(list.ok()) << list.status().ToString();
    nlohmann::json j = nlohmann::json::parse(*list, nullptr, false);
    ASSERT_TRUE(j.is_array()) << *list;
    bool found = false;
    for (const nlohmann::json& s : j) {
      if (s.value("id", "") != id) continue;
      found = true;
      ASSERT_EQ(s["matchers"].size(), 1u) << s.dump();
      EXPECT_EQ(s["matchers"][0].value("name", ""), "alertname");
      EXPECT_EQ(s["matchers"][0].value("value", ""), "ReadyFlagMissing");
      EXPECT_EQ(s["matchers"][0].value("isRegex", true), false);
      EXPECT_EQ(s.value("createdBy", ""), "itest");
    }
    EXPECT_TRUE(found) << *list;
  }

  ASSERT_EQ(::unlink((d + "/ready").c_str()), 0);
  // The alert fires in tend ...
  ASSERT_TRUE(PollUntil(30'000, [&] {
    nlohmann::json a = FindApiAlert(ActiveAlerts(addr), "ReadyFlagMissing");
    return a.is_object() && a.value("state", "") == "firing";
  })) << EventSummary(Events(addr));
  // ... and stays muted over several group intervals.
  SleepMs(4000);
  EXPECT_EQ(hook.count(), 0u) << hook.Dump();

  Result<HttpAnswer> del = Send(addr, "DELETE", "/api/v2/silence/" + id);
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del->status, 200) << del->body;
  EXPECT_EQ(SilenceState(addr, id), "expired");
  EXPECT_EQ(SilenceState(addr, other), "active");
  Result<HttpAnswer> missing =
      Send(addr, "DELETE", "/api/v2/silence/no-such-silence");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404) << missing->body;

  const auto expired_at = Steady::now();
  ASSERT_TRUE(PollUntil(
      10'000, [&] { return !hook.For("ReadyFlagMissing", "firing").empty(); }))
      << "not notified after the silence expired; events:\n"
      << EventSummary(Events(addr));
  const double delay =
      std::chrono::duration<double>(hook.hooks()[0].at - expired_at).count();
  // Within a couple of group intervals.
  EXPECT_LT(delay, 3.5);
  SleepMs(2000);
  EXPECT_EQ(hook.count(), 1u) << hook.Dump();

  // The silence's life is in the events.
  const nlohmann::json events = Events(addr, "silence");
  EXPECT_EQ(EventsWhere(events, "", "created").size(), 2u)
      << EventSummary(events);
  EXPECT_EQ(EventsWhere(events, "", "expired").size(), 1u)
      << EventSummary(events);
  EXPECT_EQ(agent.Stop(SIGTERM), 0) << agent.LastLog();
}

}  // namespace
}  // namespace tend::testing
