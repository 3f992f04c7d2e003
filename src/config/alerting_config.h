// The `alerting:` section: rule files, where notifications go, and how long
// events are kept. Probes, remedies and supervised processes have their own
// top-level sections (probes_config.h, remedy_config.h).
#ifndef TEND_CONFIG_ALERTING_CONFIG_H_
#define TEND_CONFIG_ALERTING_CONFIG_H_

#include <cstdint>
#include <string>
#include <vector>

namespace tend {

struct AlertingSection {
  // Prometheus rule files (globs; relative paths are relative to the
  // configuration file's directory). An expression that is not PromQL but
  // a LogQL metric query is a log rule.
  std::vector<std::string> rule_files;
  // Rule files whose every expression is LogQL (Loki's ruler files).
  std::vector<std::string> log_rule_files;
  // How often rule groups are evaluated unless a group sets `interval`.
  int64_t evaluation_interval_ms = 15000;
  // Alertmanager's configuration file (alertmanager.yml, unchanged): routes,
  // receivers and inhibition rules. Empty: alerts are evaluated, stored and
  // shown, and forwarded to `alertmanagers`, but not notified by tend.
  std::string notifications_file;
  // Real Alertmanagers to forward every alert to (base URLs,
  // http://host:9093), as Prometheus's `alerting.alertmanagers` does.
  std::vector<std::string> alertmanagers;
  // Firing alerts are re-sent to `alertmanagers` this often.
  int64_t resend_delay_ms = 60000;
  // The URL of this agent's API as people reach it, for generatorURL and
  // $externalURL. Empty: http://<agent.listen>.
  std::string external_url;
  // Labels added to every alert sent out, as name=value.
  std::vector<std::string> external_labels;
  // Events older than this are deleted, and beyond max_events the oldest.
  int64_t events_retention_ms = 30LL * 24 * 3600 * 1000;
  int64_t max_events = 100000;
};

}  // namespace tend

#endif  // TEND_CONFIG_ALERTING_CONFIG_H_
