// The `supervise:` and `remedies:` sections (docs/remedies.md). Plain
// values bind straight to the remedy library's structs (budgets, runbook
// steps); enums and lists of matchers have YAML forms converted by the
// agent (src/agent/remedy_wiring.h).
#ifndef TEND_CONFIG_REMEDY_CONFIG_H_
#define TEND_CONFIG_REMEDY_CONFIG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "remedy/actions.h"
#include "remedy/budget.h"

namespace tend {

struct SuperviseConfig {
  std::string name;
  std::vector<std::string> argv;
  std::vector<std::string> env;  // KEY=VALUE, added to tend's.
  std::string user;
  std::string working_dir;
  std::string restart = "always";  // always, on-failure, never.
  int64_t restart_delay_ms = 0;
  int64_t min_uptime_ms = 1000;
  int64_t max_backoff_ms = 10000;
  std::string stop_signal = "SIGTERM";
  int64_t stop_timeout_ms = 10000;
  remedy::BudgetSpec budget{5, 5 * 60'000, 0};
  int64_t max_line_bytes = 16 * 1024;
  // Store the process's stdout and stderr in the log store (source
  // "supervise", app = name).
  bool log_output = true;
};

// What starts a remedy: an alert (by name and label matchers) or a probe
// (after consecutive failures).
struct RemedyTriggerConfig {
  std::string alert;
  std::vector<std::string> matchers;  // name="value", name=~"re" ...
  std::string probe;
  int64_t failures = 1;
  std::string reprobe;  // Probe run after the action; default `probe`.
  int64_t settle_ms = 5000;
  std::string direction = "up";  // scale_unit: up or down.
};

struct RemedyConfig {
  std::string name;
  std::string kind = "exec";  // restart_unit, restart_supervised, runbook,
                              // scale_unit, exec.
  std::string unit;
  std::string process;
  std::vector<remedy::RunbookStep> steps;
  // exec: the command (the same as one step with this argv and `timeout`).
  std::vector<std::string> argv;
  std::string template_unit;
  int64_t min_instances = 1;
  int64_t max_instances = 1;
  int64_t timeout_ms = 30000;
  remedy::BudgetSpec budget;
  bool dry_run = false;
  std::vector<RemedyTriggerConfig> on;
};

}  // namespace tend

#endif  // TEND_CONFIG_REMEDY_CONFIG_H_
