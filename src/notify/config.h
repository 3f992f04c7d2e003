// The notification configuration: Alertmanager's alertmanager.yml, loaded
// unchanged (the subset tend supports, see docs/notifications.md), plus
// tend's own `exec_configs` receiver.
//
// Loading reports EVERY problem as "file:line:column: path: what is wrong";
// unknown fields are errors, and known Alertmanager features tend does not
// implement (time intervals, other integrations, custom templates) are
// errors that name them, never silently ignored.
#ifndef TEND_NOTIFY_CONFIG_H_
#define TEND_NOTIFY_CONFIG_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "model/matcher.h"
#include "notify/text_template.h"

namespace tend::notify {

// Alertmanager's http_config (the parts tend supports).
struct HttpClientConfig {
  std::string basic_auth_username, basic_auth_password;
  std::string bearer_token;  // From bearer_token or authorization.credentials.
  bool insecure_skip_verify = false;
  std::string ca_file, cert_file, key_file, server_name;
  bool follow_redirects = true;
};

struct WebhookConfig {
  std::string url;
  bool send_resolved = true;
  int max_alerts = 0;  // 0: all alerts.
  int64_t timeout_ms = 10000;
  HttpClientConfig http;
};

struct SlackConfig {
  std::string api_url;  // Defaults to global.slack_api_url.
  std::string channel, username, icon_emoji, icon_url, color, title_link;
  TextTemplate title, text;  // Defaults: kDefaultSlackTitle / Text.
  bool send_resolved = false;
  int64_t timeout_ms = 10000;
  HttpClientConfig http;
};

struct EmailConfig {
  std::vector<std::string> to;         // Comma-separated in the file.
  std::string from, smarthost, hello;  // Defaults from `global`.
  std::string auth_username, auth_password, auth_identity;
  bool require_tls = true;
  bool insecure_skip_verify = false;
  // Header name and template, including Subject (default
  // kDefaultEmailSubject), To and From.
  std::vector<std::pair<std::string, TextTemplate>> headers;
  TextTemplate text;  // The plain-text body (default kDefaultEmailText).
  bool send_resolved = false;
  int64_t timeout_ms = 30000;
};

// tend's extension: run argv with the webhook JSON payload on stdin.
struct ExecConfig {
  std::vector<std::string> argv;
  int64_t timeout_ms = 30000;
  bool send_resolved = true;
};

struct ReceiverConfig {
  std::string name;
  std::vector<WebhookConfig> webhook_configs;
  std::vector<SlackConfig> slack_configs;
  std::vector<EmailConfig> email_configs;
  std::vector<ExecConfig> exec_configs;
};

// A route with its inherited settings already applied.
struct RouteConfig {
  std::string receiver;
  std::vector<std::string> group_by;
  bool group_by_all = false;  // group_by: ['...']
  bool continue_matching = false;
  Matchers matchers;  // From matchers, match and match_re together.
  int64_t group_wait_ms = 30000;
  int64_t group_interval_ms = 5 * 60000;
  int64_t repeat_interval_ms = 4 * 3600000;
  std::vector<RouteConfig> routes;
};

struct InhibitRuleConfig {
  Matchers source_matchers;
  Matchers target_matchers;
  std::vector<std::string> equal;
};

struct GlobalConfig {
  int64_t resolve_timeout_ms = 5 * 60000;
  std::string smtp_from, smtp_smarthost, smtp_hello = "localhost";
  std::string smtp_auth_username, smtp_auth_password, smtp_auth_identity;
  bool smtp_require_tls = true;
  std::string slack_api_url;
  HttpClientConfig http;
};

struct NotifyConfig {
  GlobalConfig global;
  RouteConfig route;
  std::vector<ReceiverConfig> receivers;
  std::vector<InhibitRuleConfig> inhibit_rules;

  // The receiver named `name`, or nullptr.
  const ReceiverConfig* FindReceiver(std::string_view name) const;
};

// Inputs over this size are refused.
inline constexpr size_t kMaxNotifyConfigBytes = 4 << 20;

// Parses alertmanager.yml text; `file` names it in errors. On failure the
// status (kInvalidArgument) lists every error, one per line, as
// "file:line:column: path: message".
Result<NotifyConfig> LoadNotifyConfigString(std::string_view text,
                                            std::string_view file);
// Reads and parses the file at `path` (kNotFound etc. when unreadable).
Result<NotifyConfig> LoadNotifyConfigFile(const std::string& path);

// Parses one Alertmanager matcher list entry: `name="value"`, `name!=v`,
// `name=~"re"`, `name!~re`, or several comma-separated, optionally inside
// {braces}. Values may be quoted (Go escapes) or bare.
Result<Matchers> ParseAlertmanagerMatchers(std::string_view text);

}  // namespace tend::notify

#endif  // TEND_NOTIFY_CONFIG_H_
