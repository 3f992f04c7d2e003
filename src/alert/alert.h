// The alert model shared by rules (src/alert), notifications (src/notify),
// remedies (src/remedy), the state database and the API: Alertmanager's
// model of an alert.
#ifndef TEND_ALERT_ALERT_H_
#define TEND_ALERT_ALERT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "model/labels.h"

namespace tend::alert {

// A firing or resolved alert as rules hand it on. Pending alerts are not
// handed on (as in Prometheus, they stay inside the rule evaluator).
struct Alert {
  // Canonical; includes `alertname` and the rule's labels (expanded).
  Labels labels;
  // Canonical (sorted by name); values expanded from the rule's templates.
  Labels annotations;
  int64_t starts_at_ms = 0;  // When it began firing.
  // 0 while firing; the time it resolved once it did.
  int64_t ends_at_ms = 0;
  // Where it came from (Alertmanager's generatorURL): for rules, a link to
  // the rule's query at this agent's API (<external_url>/api/v1/query?query=
  // or /loki/api/v1/query for log rules); for tend's own alerts,
  // "supervise:<name>" or "remedy:<name>".
  std::string generator;
  double value = 0;  // The expression's value at the last evaluation.

  bool firing() const { return ends_at_ms == 0; }
  // Stable within a process; identifies the alert (as Alertmanager's
  // fingerprint does).
  uint64_t fingerprint() const { return HashLabels(labels); }
};

using Alerts = std::vector<Alert>;

}  // namespace tend::alert

#endif  // TEND_ALERT_ALERT_H_
