#include "notify/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "notify/notification.h"

namespace tend::notify {
namespace {

using ::testing::HasSubstr;

NotifyConfig MustLoad(std::string_view text) {
  Result<NotifyConfig> c = LoadNotifyConfigString(text, "am.yml");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : NotifyConfig{};
}

std::string ErrorOf(std::string_view text) {
  Result<NotifyConfig> c = LoadNotifyConfigString(text, "am.yml");
  EXPECT_FALSE(c.ok());
  return c.ok() ? "" : c.status().message();
}

TEST(NotifyConfigTest, LoadsTheFullExample) {
  Result<NotifyConfig> c =
      LoadNotifyConfigFile("tests/data/notify/alertmanager.yml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->global.resolve_timeout_ms, 300000);
  EXPECT_EQ(c->route.receiver, "ops");
  EXPECT_EQ(c->route.group_by,
            (std::vector<std::string>{"alertname", "instance"}));
  ASSERT_EQ(c->route.routes.size(), 3u);
  const RouteConfig& pager = c->route.routes[0];
  EXPECT_EQ(pager.receiver, "pager");
  EXPECT_TRUE(pager.continue_matching);
  EXPECT_EQ(pager.group_wait_ms, 10000);
  EXPECT_EQ(pager.group_interval_ms, 300000);    // Inherited.
  EXPECT_EQ(pager.group_by, c->route.group_by);  // Inherited.
  const RouteConfig& db = c->route.routes[1];
  EXPECT_TRUE(db.group_by_all);
  ASSERT_EQ(db.matchers.size(), 2u);
  EXPECT_TRUE(MatchesAll(db.matchers, {{"service", "mysql"}, {"team", "db"}}));
  EXPECT_FALSE(
      MatchesAll(db.matchers, {{"service", "mysqlx"}, {"team", "db"}}));
  EXPECT_EQ(c->route.routes[2].matchers.size(), 2u);

  ASSERT_EQ(c->receivers.size(), 3u);
  const ReceiverConfig& ops = c->receivers[0];
  ASSERT_EQ(ops.webhook_configs.size(), 1u);
  EXPECT_EQ(ops.webhook_configs[0].max_alerts, 20);
  ASSERT_EQ(ops.email_configs.size(), 1u);
  const EmailConfig& mail = ops.email_configs[0];
  EXPECT_EQ(mail.to, (std::vector<std::string>{"ops@example.org",
                                               "oncall@example.org"}));
  EXPECT_EQ(mail.from, "tend <tend@example.org>");  // From global.
  EXPECT_EQ(mail.smarthost, "mail.example.org:587");
  EXPECT_EQ(mail.auth_username, "tend");
  EXPECT_FALSE(mail.send_resolved);  // Alertmanager's default.
  const SlackConfig& slack = c->receivers[1].slack_configs[0];
  EXPECT_EQ(slack.api_url,
            "https://hooks.slack.example/services/T000/B000/XXX");
  const ExecConfig& exec = c->receivers[2].exec_configs[0];
  EXPECT_EQ(exec.argv[1], "--json");
  EXPECT_EQ(exec.timeout_ms, 20000);
  EXPECT_FALSE(exec.send_resolved);

  ASSERT_EQ(c->inhibit_rules.size(), 2u);
  EXPECT_EQ(c->inhibit_rules[0].equal,
            (std::vector<std::string>{"alertname", "instance"}));
  EXPECT_EQ(c->inhibit_rules[1].source_matchers.size(), 1u);
  EXPECT_EQ(c->inhibit_rules[1].target_matchers[0].type(),
            LabelMatcher::Type::kRegexMatch);
}

TEST(NotifyConfigTest, RendersTemplatesOfTheExample) {
  NotifyConfig c = MustLoad(R"(
route: {receiver: p}
receivers:
  - name: p
    slack_configs:
      - api_url: http://127.0.0.1:1/x
        title: '[{{ .Status | toUpper }}:{{ .Alerts.Firing | len }}] {{ .GroupLabels.alertname }}'
        text: '  {{- .CommonAnnotations.summary }} on {{ len .Alerts }}'
)");
  Notification n;
  n.status = "firing";
  n.group_labels = {{"alertname", "DiskFull"}};
  n.common_annotations = {{"summary", "disk is full"}};
  n.alerts.resize(3);
  n.alerts[2].ends_at_ms = 5;
  const SlackConfig& s = c.receivers[0].slack_configs[0];
  EXPECT_EQ(s.title.Render(n), "[FIRING:2] DiskFull");
  EXPECT_EQ(s.text.Render(n), "disk is full on 3");
}

TEST(NotifyConfigTest, DefaultSubjectIsAlertmanagers) {
  Notification n;
  n.status = "firing";
  n.group_labels = {{"alertname", "DiskFull"}};
  n.common_labels = {{"alertname", "DiskFull"}, {"severity", "warning"}};
  n.alerts.resize(2);
  EXPECT_EQ(DefaultSubject(n), "[FIRING:2] DiskFull (warning)");
}

TEST(NotifyConfigTest, ParsesMatcherForms) {
  Result<Matchers> m = ParseAlertmanagerMatchers("foo = bar baz");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ((*m)[0].value(), "bar baz");
  m = ParseAlertmanagerMatchers(R"({a="x,y", b!~"c|d"})");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->size(), 2u);
  EXPECT_EQ((*m)[0].value(), "x,y");
  EXPECT_EQ((*m)[1].type(), LabelMatcher::Type::kRegexNoMatch);
  m = ParseAlertmanagerMatchers(R"(a="say \"hi\"")");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ((*m)[0].value(), "say \"hi\"");
  EXPECT_FALSE(ParseAlertmanagerMatchers("=x").ok());
  EXPECT_FALSE(ParseAlertmanagerMatchers("a").ok());
  EXPECT_FALSE(ParseAlertmanagerMatchers("a=~\"(\"").ok());
  EXPECT_FALSE(ParseAlertmanagerMatchers("{a=\"b\"").ok());
  EXPECT_FALSE(ParseAlertmanagerMatchers("").ok());
}

TEST(NotifyConfigTest, ReportsEveryErrorWithItsPosition) {
  std::string e = ErrorOf(R"(route:
  receiver: nobody
  group_wait: soon
  mute_time_intervals: [night]
receivers:
  - name: a
    webhook_configs:
      - url: ftp://x
        sendresolved: true
    pagerduty_configs:
      - service_key: x
inhibit_rules:
  - source_matchers: ['sev=="x"']
)");
  EXPECT_THAT(e, HasSubstr("am.yml:2:13: route.receiver: no receiver named "
                           "\"nobody\""));
  EXPECT_THAT(e, HasSubstr("am.yml:3:15: route.group_wait: want a duration"));
  EXPECT_THAT(e, HasSubstr("am.yml:4:3: route.mute_time_intervals: not "
                           "supported by tend"));
  EXPECT_THAT(e, HasSubstr("am.yml:8:14: receivers[0].webhook_configs[0].url: "
                           "want an http:// or https:// URL"));
  EXPECT_THAT(e, HasSubstr("am.yml:9:9: receivers[0].webhook_configs[0]."
                           "sendresolved: unknown field"));
  EXPECT_THAT(e, HasSubstr("am.yml:10:5: receivers[0].pagerduty_configs: not "
                           "supported by tend"));
  EXPECT_THAT(e,
              HasSubstr("am.yml:13:23: inhibit_rules[0].source_matchers[0]"));
}

TEST(NotifyConfigTest, RejectsStructuralMistakes) {
  EXPECT_THAT(ErrorOf("receivers: []\n"), HasSubstr("needs a route"));
  EXPECT_THAT(ErrorOf("route: {receiver: a, matchers: ['x=\"y\"']}\n"
                      "receivers: [{name: a}]\n"),
              HasSubstr("root route must not have matchers"));
  EXPECT_THAT(ErrorOf("route: {receiver: a}\nreceivers: [{name: a}, {name: "
                      "a}]\n"),
              HasSubstr("duplicate receiver name"));
  EXPECT_THAT(ErrorOf("route: {receiver: a, group_by: ['...', x]}\n"
                      "receivers: [{name: a}]\n"),
              HasSubstr("'...' must be the only entry"));
  EXPECT_THAT(ErrorOf("route: {receiver: a}\nreceivers: [{name: a, "
                      "slack_configs: [{channel: x}]}]\n"),
              HasSubstr("needs api_url"));
  EXPECT_THAT(ErrorOf("route: {receiver: a}\nreceivers: [{name: a, "
                      "email_configs: [{to: x@y}]}]\n"),
              HasSubstr("needs `from`"));
  EXPECT_THAT(ErrorOf("route: {receiver: a}\nreceivers: [{name: a, "
                      "exec_configs: [{argv: []}]}]\n"),
              HasSubstr("non-empty argv"));
  EXPECT_THAT(ErrorOf("route: {receiver: a}\nreceivers: [{name: a, "
                      "slack_configs: [{api_url: 'http://x', title: '{{ if "
                      ".Status }}x{{ end }}'}]}]\n"),
              HasSubstr("only fields, len, template and pipes"));
  EXPECT_THAT(ErrorOf("route: {receiver: a}\nreceivers: [{name: a}]\n"
                      "templates: ['/etc/am/*.tmpl']\n"),
              HasSubstr("custom template files"));
  EXPECT_THAT(ErrorOf("route: [\n"), HasSubstr("am.yml:"));
  EXPECT_THAT(ErrorOf("- a\n"), HasSubstr("want a mapping"));
}

TEST(NotifyConfigTest, AcceptsGlobalDefaultsOfOtherIntegrations) {
  NotifyConfig c = MustLoad(
      "global: {pagerduty_url: 'https://events.pagerduty.com/v2/enqueue'}\n"
      "route: {receiver: a}\nreceivers: [{name: a}]\n");
  EXPECT_EQ(c.receivers.size(), 1u);
}

TEST(NotifyConfigTest, StableFingerprintMatchesAlertmanager) {
  // model.LabelSet{}.Fingerprint() is FNV-1a's offset basis.
  EXPECT_EQ(FingerprintHex(StableFingerprint({})), "cbf29ce484222325");
  EXPECT_NE(StableFingerprint({{"a", "bc"}}), StableFingerprint({{"ab", "c"}}));
  EXPECT_EQ(FormatRfc3339(0), "0001-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(1700000000123), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(FormatRfc3339(1700000000000), "2023-11-14T22:13:20Z");
}

}  // namespace
}  // namespace tend::notify
