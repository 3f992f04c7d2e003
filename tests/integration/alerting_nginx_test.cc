// The whole loop on a real nginx: tend probes it over HTTP every second;
// the test stops nginx; the rule `probe_success{probe="nginx"} == 0` with
// `for: 2s` fires; a runbook remedy bound to the alert starts nginx again;
// the probe passes and the alert resolves. A real HTTP receiver gets the
// firing and the resolved webhook exactly once each, also when tend is
// killed (SIGKILL) and started again between the two.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include "alerting_test_util.h"

namespace tend::testing {
namespace {

constexpr int kWaitMs = 40'000;

const char kRules[] = R"(groups:
  - name: web
    rules:
      - alert: NginxDown
        expr: probe_success{probe="nginx"} == 0
        for: 2s
        labels:
          severity: critical
        annotations:
          summary: 'nginx ({{ $labels.probe }}) does not answer'
)";

// The agent's configuration: the probe, the rule file and the
// notifications file (relative to the configuration's directory), and
// `remedy` appended as is.
std::string Config(const Nginx& nginx, const std::string& remedy) {
  return BaseConfig() +
         Subst(R"(probes:
  - name: nginx
    type: http
    interval: 1s
    timeout: 900ms
    http:
      url: '@URL@'
alerting:
  evaluation_interval: 1s
  rule_files: [rules.yml]
  notifications_file: alertmanager.yml
)",
               {{"@URL@", nginx.url()}}) +
         remedy;
}

// What every webhook payload of this file must look like: Alertmanager's
// version 4 payload with the one NginxDown alert in it.
void CheckPayload(const HookServer::Hook& h, const std::string& status) {
  SCOPED_TRACE(h.body);
  ASSERT_TRUE(h.json.is_object());
  EXPECT_EQ(h.json.value("version", ""), "4");
  EXPECT_EQ(h.json.value("status", ""), status);
  EXPECT_EQ(h.json.value("receiver", ""), "hook");
  EXPECT_EQ(h.json["groupLabels"].value("alertname", ""), "NginxDown");
  EXPECT_EQ(h.json["commonLabels"].value("severity", ""), "critical");
  ASSERT_EQ(h.json["alerts"].size(), 1u);
  const nlohmann::json& a = h.json["alerts"][0];
  EXPECT_EQ(a.value("status", ""), status);
  EXPECT_EQ(a["labels"].value("alertname", ""), "NginxDown");
  EXPECT_EQ(a["labels"].value("probe", ""), "nginx");
  EXPECT_EQ(a["labels"].value("severity", ""), "critical");
  EXPECT_EQ(a["annotations"].value("summary", ""),
            "nginx (nginx) does not answer");
  EXPECT_EQ(a.value("fingerprint", "").size(), 16u);
}

// Alert events of NginxDown: their outcomes in order.
std::vector<std::string> AlertOutcomes(const std::string& addr) {
  std::vector<std::string> out;
  for (const nlohmann::json& e :
       EventsWhere(Events(addr, "alert"), "NginxDown", "")) {
    out.push_back(e.value("outcome", ""));
  }
  return out;
}

// Waits until tend has probed nginx successfully and evaluated the rule
// group at least once, with no alert.
void WaitHealthy(const std::string& addr) {
  const bool healthy = PollUntil(kWaitMs, [&] {
    Result<nlohmann::json> probes = ApiData(addr, "/api/v1/probes", {});
    Result<nlohmann::json> rules = ApiData(addr, "/api/v1/rules", {});
    if (!probes.ok() || !rules.ok() || probes->size() != 1 ||
        rules->value("groups", nlohmann::json::array()).size() != 1) {
      return false;
    }
    const nlohmann::json& g = (*rules)["groups"][0];
    return (*probes)[0].value("health", "") == "up" &&
           ParseRfc3339Ms(g.value("lastEvaluation", "")) > 0;
  });
  ASSERT_TRUE(healthy) << "tend never saw nginx up and evaluated the rules";
  EXPECT_TRUE(ActiveAlerts(addr).empty());
}

TEST(AlertingNginx, StopFiresRemedyRestartsResolvesNotifiesOnceEach) {
  TempDir dir;
  const std::string& d = dir.path();
  HookServer hook;
  Nginx nginx(d);
  std::string why;
  ASSERT_TRUE(nginx.Start(&why)) << why;
  const pid_t first_pid = nginx.Pid();
  ASSERT_GT(first_pid, 0);

  // The remedy: a runbook that checks nginx's configuration, then starts
  // it with the command line the test used.
  std::string steps;
  for (const char* step : {"check the configuration", "start nginx"}) {
    std::vector<std::string> argv = nginx.argv();
    if (std::string(step) == "check the configuration") {
      argv.insert(argv.begin() + 1, "-t");
    }
    std::string list;
    for (const std::string& a : argv) {
      list += (list.empty() ? "" : ", ") + nlohmann::json(a).dump();
    }
    steps += Subst(
        "      - name: @NAME@\n        argv: [@ARGV@]\n"
        "        timeout: 10s\n",
        {{"@NAME@", step}, {"@ARGV@", list}});
  }
  const std::string remedy = R"(remedies:
  - name: start-nginx
    kind: runbook
    steps:
)" + steps + R"(    budget: {max_runs: 3, window: 5m}
    on:
      - alert: NginxDown
        reprobe: nginx
        settle: 200ms
)";
  ASSERT_TRUE(WriteText(d + "/rules.yml", kRules));
  // group_wait 0: the firing notification is accepted in the evaluation
  // that fires the alert, before the remedy can have brought nginx back
  // (with a longer wait an alert fixed within group_wait is never
  // notified, as in Alertmanager).
  ASSERT_TRUE(WriteText(d + "/alertmanager.yml",
                        WebhookNotifications(hook.url(), "0s")));
  AlertingAgent agent(d, Config(nginx, remedy));
  ASSERT_TRUE(agent.Start()) << agent.LastLog();
  const std::string& addr = agent.addr();
  WaitHealthy(addr);
  if (HasFatalFailure()) return;
  EXPECT_EQ(hook.count(), 0u) << hook.Dump();

  const int64_t stopped_ms = WallMs();
  ASSERT_TRUE(nginx.Stop());

  ASSERT_TRUE(PollUntil(
      kWaitMs, [&] { return !hook.For("NginxDown", "firing").empty(); }))
      << "no firing webhook; events:\n"
      << EventSummary(Events(addr)) << agent.LastLog();
  ASSERT_TRUE(PollUntil(
      kWaitMs, [&] { return !hook.For("NginxDown", "resolved").empty(); }))
      << "no resolved webhook; hooks:\n"
      << hook.Dump() << "events:\n"
      << EventSummary(Events(addr));

  // The remedy started a new nginx that answers.
  const pid_t second_pid = nginx.Pid();
  EXPECT_GT(second_pid, 0);
  EXPECT_NE(second_pid, first_pid);
  EXPECT_TRUE(Get(nginx.addr(), "/ok").ok());

  // Three more group intervals: nothing else is sent.
  SleepMs(3500);
  const std::vector<HookServer::Hook> firing = hook.For("NginxDown", "firing");
  const std::vector<HookServer::Hook> resolved =
      hook.For("NginxDown", "resolved");
  ASSERT_EQ(firing.size(), 1u) << hook.Dump();
  ASSERT_EQ(resolved.size(), 1u) << hook.Dump();
  EXPECT_EQ(hook.count(), 2u) << hook.Dump();
  CheckPayload(firing[0], "firing");
  CheckPayload(resolved[0], "resolved");

  const nlohmann::json& fa = firing[0].json["alerts"][0];
  const nlohmann::json& ra = resolved[0].json["alerts"][0];
  const int64_t starts = ParseRfc3339Ms(fa.value("startsAt", ""));
  const int64_t ends = ParseRfc3339Ms(ra.value("endsAt", ""));
  // Firing: startsAt after nginx stopped plus `for`; Go's zero endsAt.
  EXPECT_GE(starts, stopped_ms + 2000) << fa.dump();
  EXPECT_LE(starts, firing[0].wall_ms) << fa.dump();
  EXPECT_EQ(fa.value("endsAt", ""), "0001-01-01T00:00:00Z");
  // Resolved: the same startsAt, an endsAt after it and before delivery.
  EXPECT_EQ(ra.value("startsAt", ""), fa.value("startsAt", ""));
  EXPECT_GT(ends, starts) << ra.dump();
  EXPECT_LE(ends, resolved[0].wall_ms) << ra.dump();
  EXPECT_GT(resolved[0].wall_ms, firing[0].wall_ms);
  EXPECT_EQ(ra.value("fingerprint", ""), fa.value("fingerprint", ""));
  // The resolved notification says what tend did (the remedy finished,
  // with its re-probe, before the probe's own next run resolved the
  // alert).
  const nlohmann::json& ann = ra["annotations"];
  EXPECT_EQ(ann.value("remedy", ""), "start-nginx") << ra.dump();
  EXPECT_EQ(ann.value("remedy_outcome", ""), "ok") << ra.dump();
  EXPECT_NE(ann.value("remedy_message", "").find("passed"), std::string::npos)
      << ra.dump();

  // Events: the alert went pending, firing, resolved; the remedy ran once
  // and worked (its re-probe passed); two notifications were sent; the
  // probe went down and up.
  const nlohmann::json events = Events(addr);
  EXPECT_EQ(AlertOutcomes(addr),
            (std::vector<std::string>{"pending", "firing", "resolved"}))
      << EventSummary(events);
  const nlohmann::json remedies = Events(addr, "remedy");
  const std::vector<nlohmann::json> ok =
      EventsWhere(remedies, "start-nginx", "ok");
  EXPECT_EQ(ok.size(), 1u) << EventSummary(events);
  EXPECT_EQ(EventsWhere(remedies, "start-nginx", "").size(), 1u)
      << EventSummary(events);
  if (!ok.empty()) {
    const nlohmann::json& details = ok[0]["details"];
    EXPECT_EQ(details.value("reprobe_passed", false), true) << ok[0].dump();
    ASSERT_TRUE(details.contains("action")) << ok[0].dump();
    EXPECT_EQ(details["action"]["steps"].size(), 2u) << ok[0].dump();
  }
  const nlohmann::json notes = Events(addr, "notification");
  EXPECT_EQ(EventsWhere(notes, "hook", "sent").size(), 2u)
      << EventSummary(events);
  EXPECT_EQ(notes.size(), 2u) << EventSummary(events);
  const nlohmann::json probe = Events(addr, "probe");
  ASSERT_GE(probe.size(), 2u) << EventSummary(events);
  EXPECT_EQ(probe[0].value("outcome", ""), "down");
  EXPECT_EQ(probe[1].value("outcome", ""), "up");
  EXPECT_TRUE(ActiveAlerts(addr).empty());

  EXPECT_EQ(agent.Stop(SIGTERM), 0) << agent.LastLog();
  // nginx (the remedy's) is stopped by ~Nginx.
}

TEST(AlertingNginx, RestartBetweenFiringAndResolvedNotifiesOnceEach) {
  TempDir dir;
  const std::string& d = dir.path();
  HookServer hook;
  Nginx nginx(d);
  std::string why;
  ASSERT_TRUE(nginx.Start(&why)) << why;
  ASSERT_TRUE(WriteText(d + "/rules.yml", kRules));
  ASSERT_TRUE(
      WriteText(d + "/alertmanager.yml", WebhookNotifications(hook.url())));
  AlertingAgent agent(d, Config(nginx, ""));
  ASSERT_TRUE(agent.Start()) << agent.LastLog();
  WaitHealthy(agent.addr());
  if (HasFatalFailure()) return;

  ASSERT_TRUE(nginx.Stop());
  ASSERT_TRUE(PollUntil(
      kWaitMs, [&] { return !hook.For("NginxDown", "firing").empty(); }))
      << "no firing webhook; events:\n"
      << EventSummary(Events(agent.addr())) << agent.LastLog();
  const nlohmann::json before =
      FindApiAlert(ActiveAlerts(agent.addr()), "NginxDown");
  ASSERT_TRUE(before.is_object());
  EXPECT_EQ(before.value("state", ""), "firing");

  // SIGKILL: no shutdown path runs.
  const int st = agent.Stop(SIGKILL);
  ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) << st;
  ASSERT_TRUE(agent.Start()) << agent.LastLog();
  const std::string& addr = agent.addr();

  // Right after the restart: still firing, with the original activeAt.
  const nlohmann::json after = FindApiAlert(ActiveAlerts(addr), "NginxDown");
  ASSERT_TRUE(after.is_object()) << "the firing alert was forgotten";
  EXPECT_EQ(after.value("state", ""), "firing");
  EXPECT_EQ(after.value("activeAt", ""), before.value("activeAt", ""));

  // A few evaluations and group intervals with nginx still down: the
  // firing notification is not sent again, no second `firing` event.
  SleepMs(4000);
  EXPECT_EQ(hook.For("NginxDown", "firing").size(), 1u) << hook.Dump();
  EXPECT_EQ(AlertOutcomes(addr),
            (std::vector<std::string>{"pending", "firing"}));
  const nlohmann::json still = FindApiAlert(ActiveAlerts(addr), "NginxDown");
  ASSERT_TRUE(still.is_object());
  EXPECT_EQ(still.value("activeAt", ""), before.value("activeAt", ""));

  ASSERT_TRUE(nginx.Start(&why)) << why;
  ASSERT_TRUE(PollUntil(
      kWaitMs, [&] { return !hook.For("NginxDown", "resolved").empty(); }))
      << "no resolved webhook; hooks:\n"
      << hook.Dump() << "events:\n"
      << EventSummary(Events(addr));
  SleepMs(3500);
  const std::vector<HookServer::Hook> firing = hook.For("NginxDown", "firing");
  const std::vector<HookServer::Hook> resolved =
      hook.For("NginxDown", "resolved");
  ASSERT_EQ(firing.size(), 1u) << hook.Dump();
  ASSERT_EQ(resolved.size(), 1u) << hook.Dump();
  EXPECT_EQ(hook.count(), 2u) << hook.Dump();
  CheckPayload(firing[0], "firing");
  CheckPayload(resolved[0], "resolved");
  EXPECT_EQ(resolved[0].json["alerts"][0].value("startsAt", ""),
            firing[0].json["alerts"][0].value("startsAt", ""));
  EXPECT_EQ(AlertOutcomes(addr),
            (std::vector<std::string>{"pending", "firing", "resolved"}));
  // Without a remedy, no remedy annotations.
  EXPECT_FALSE(resolved[0].json["alerts"][0]["annotations"].contains("remedy"));
  EXPECT_EQ(agent.Stop(SIGTERM), 0) << agent.LastLog();
}

}  // namespace
}  // namespace tend::testing
