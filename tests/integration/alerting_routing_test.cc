// Routing through the live agent: a Slack-compatible receiver and a
// webhook on separate routes, and an inhibition rule. Two file probes drive
// two alerts: HostDown (critical) and DiskFull (warning) on the same host.
// While HostDown fires, DiskFull is inhibited (equal: host); critical
// alerts go to Slack, warnings to the webhook.
#include <gtest/gtest.h>

#include "alerting_test_util.h"

namespace tend::testing {
namespace {

TEST(AlertingRouting, SlackRouteAndInhibition) {
  TempDir dir;
  const std::string& d = dir.path();
  HookServer slack;
  HookServer hook;
  ASSERT_TRUE(WriteText(d + "/rules.yml", R"(groups:
  - name: host
    rules:
      - alert: HostDown
        expr: probe_file_exists{probe="down-flag"} == 1
        labels: {severity: critical, host: web1}
        annotations: {summary: 'web1 is down'}
      - alert: DiskFull
        expr: probe_file_exists{probe="disk-flag"} == 1
        labels: {severity: warning, host: web1}
        annotations: {summary: 'web1 disk is full'}
)"));
  ASSERT_TRUE(WriteText(
      d + "/alertmanager.yml",
      Subst(R"(route:
  receiver: hook
  group_by: [alertname]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
  routes:
    - receiver: slack
      matchers: ['severity="critical"']
receivers:
  - name: hook
    webhook_configs:
      - url: '@HOOK@'
        send_resolved: true
  - name: slack
    slack_configs:
      - api_url: '@SLACK@'
        channel: '#ops'
        username: tend
        send_resolved: true
        title: '{{ .Status }}: {{ .CommonLabels.alertname }}'
        text: '{{ .CommonAnnotations.summary }}'
inhibit_rules:
  - source_matchers: ['alertname="HostDown"']
    target_matchers: ['severity="warning"']
    equal: [host]
)",
            {{"@HOOK@", hook.url()}, {"@SLACK@", slack.url("/slack")}})));
  AlertingAgent agent(d, BaseConfig() + Subst(R"(logs: {enabled: false}
probes:
  - {name: down-flag, type: file, interval: 1s, file: {path: @D@/down}}
  - {name: disk-flag, type: file, interval: 1s, file: {path: @D@/disk}}
alerting:
  evaluation_interval: 1s
  rule_files: [rules.yml]
  notifications_file: alertmanager.yml
)",
                                              {{"@D@", d}}));
  ASSERT_TRUE(agent.Start()) << agent.LastLog();

  // HostDown first, then DiskFull while it fires: DiskFull is inhibited.
  ASSERT_TRUE(WriteText(d + "/down", "x"));
  ASSERT_TRUE(PollUntil(20'000, [&] { return slack.count() >= 1; }))
      << EventSummary(Events(agent.addr())) << agent.LastLog();
  ASSERT_TRUE(WriteText(d + "/disk", "x"));
  SleepMs(4000);
  EXPECT_EQ(hook.count(), 0u) << hook.Dump();  // Inhibited.

  std::vector<HookServer::Hook> s = slack.hooks();
  ASSERT_EQ(s.size(), 1u) << slack.Dump();
  ASSERT_TRUE(s[0].json.is_object()) << s[0].body;
  EXPECT_EQ(s[0].json.value("channel", ""), "#ops");
  EXPECT_EQ(s[0].json.value("username", ""), "tend");
  ASSERT_TRUE(s[0].json["attachments"].is_array());
  const nlohmann::json& a = s[0].json["attachments"][0];
  EXPECT_EQ(a.value("title", ""), "firing: HostDown");
  EXPECT_EQ(a.value("text", ""), "web1 is down");
  EXPECT_EQ(a.value("color", ""), "danger");

  // HostDown resolves: Slack hears it, and DiskFull is no longer
  // inhibited, so the webhook gets it.
  ASSERT_EQ(unlink((d + "/down").c_str()), 0);
  ASSERT_TRUE(PollUntil(
      20'000, [&] { return slack.count() >= 2 && hook.count() >= 1; }))
      << slack.Dump() << hook.Dump() << EventSummary(Events(agent.addr()));
  s = slack.hooks();
  const nlohmann::json& r = s[1].json["attachments"][0];
  EXPECT_EQ(r.value("title", ""), "resolved: HostDown");
  EXPECT_EQ(r.value("color", ""), "good");
  std::vector<HookServer::Hook> h = hook.hooks();
  ASSERT_TRUE(h[0].json.is_object()) << h[0].body;
  EXPECT_EQ(h[0].json.value("status", ""), "firing");
  EXPECT_EQ(h[0].json["commonLabels"].value("alertname", ""), "DiskFull");
  EXPECT_EQ(h[0].json.value("receiver", ""), "hook");
  EXPECT_EQ(agent.Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace tend::testing
