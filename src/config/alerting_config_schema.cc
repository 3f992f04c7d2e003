#include "config/alerting_config_schema.h"

#include <string>
#include <string_view>

#include "config/yaml_text.h"
#include "model/labels.h"

namespace tend {
namespace {

Status ValidateBaseUrl(std::string_view url) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return InvalidArgumentError("want an http:// or https:// URL, got " +
                                QuoteForMessage(url));
  }
  return Status::Ok();
}

Status ValidateOptionalUrl(std::string_view url) {
  return url.empty() ? Status::Ok() : ValidateBaseUrl(url);
}

Status ValidateLabelPair(std::string_view item) {
  size_t eq = item.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == item.size()) {
    return InvalidArgumentError("want name=value, got " +
                                QuoteForMessage(item));
  }
  if (!IsValidLabelName(item.substr(0, eq))) {
    return InvalidArgumentError("invalid label name " +
                                QuoteForMessage(item.substr(0, eq)));
  }
  return Status::Ok();
}

}  // namespace

Schema<AlertingSection> AlertingSchema() {
  using A = AlertingSection;
  Schema<A> s;
  s.StringList("rule_files", &A::rule_files,
               "Prometheus rule files, as globs; relative paths are relative "
               "to this file's directory. An expression that is a LogQL "
               "metric query rather than PromQL is a log rule.")
      .StringList("log_rule_files", &A::log_rule_files,
                  "Rule files whose every expression is a LogQL metric "
                  "query (Loki's ruler format).")
      .Duration("evaluation_interval", &A::evaluation_interval_ms,
                "How often rule groups run, unless a group sets `interval`.",
                /*min_ms=*/100, /*max_ms=*/24LL * 3600 * 1000)
      .String("notifications_file", &A::notifications_file,
              "Alertmanager's configuration file (alertmanager.yml, "
              "unchanged): route, receivers, inhibit_rules. Empty: no "
              "notifications from tend itself (docs/notifications.md).")
      .StringList("alertmanagers", &A::alertmanagers,
                  "Real Alertmanagers to forward every alert to, as base "
                  "URLs (http://127.0.0.1:9093).",
                  ValidateBaseUrl)
      .Duration("resend_delay", &A::resend_delay_ms,
                "How often firing alerts are re-sent to `alertmanagers`.",
                /*min_ms=*/1000, /*max_ms=*/24LL * 3600 * 1000)
      .String("external_url", &A::external_url,
              "This agent's URL as people reach it (generatorURL, "
              "$externalURL). Empty: http:// and agent.listen.",
              ValidateOptionalUrl)
      .StringList("external_labels", &A::external_labels,
                  "Labels added to every alert sent out, as name=value.",
                  ValidateLabelPair)
      .Duration("events_retention", &A::events_retention_ms,
                "Events (alerts, notifications, remedies) older than this "
                "are deleted.",
                /*min_ms=*/60000)
      .Int("max_events", &A::max_events,
           "At most this many events are kept; the oldest go first.",
           /*min=*/100, /*max=*/100000000);
  return s;
}

}  // namespace tend
