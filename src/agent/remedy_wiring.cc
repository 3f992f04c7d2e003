#include "agent/remedy_wiring.h"

#include <string>

#include "config/remedy_config_schema.h"
#include "model/matcher_text.h"

namespace tend {

Result<std::vector<remedy::SuperviseSpec>> SuperviseSpecsOf(
    const std::vector<SuperviseConfig>& configs) {
  std::vector<remedy::SuperviseSpec> out;
  for (const SuperviseConfig& c : configs) {
    const std::string where = "supervise \"" + c.name + "\"";
    remedy::SuperviseSpec s;
    s.name = c.name;
    s.argv = c.argv;
    s.env = c.env;
    s.user = c.user;
    s.working_dir = c.working_dir;
    Result<remedy::RestartPolicy> policy =
        remedy::ParseRestartPolicy(c.restart);
    if (!policy.ok()) return policy.status().WithContext(where);
    s.restart = *policy;
    s.restart_delay_ms = c.restart_delay_ms;
    s.min_uptime_ms = c.min_uptime_ms;
    s.max_backoff_ms = c.max_backoff_ms;
    Result<int> sig = ParseSignalName(c.stop_signal);
    if (!sig.ok()) return sig.status().WithContext(where);
    s.stop_signal = *sig;
    s.stop_timeout_ms = c.stop_timeout_ms;
    s.budget = c.budget;
    s.max_line_bytes = static_cast<size_t>(c.max_line_bytes);
    out.push_back(std::move(s));
  }
  return out;
}

Result<RemedyPlan> RemedyPlanOf(const std::vector<RemedyConfig>& configs) {
  RemedyPlan plan;
  for (const RemedyConfig& c : configs) {
    const std::string where = "remedy \"" + c.name + "\"";
    remedy::RemedySpec r;
    r.name = c.name;
    Result<remedy::RemedyKind> kind = remedy::ParseRemedyKind(c.kind);
    if (!kind.ok()) return kind.status().WithContext(where);
    r.kind = *kind;
    r.unit = c.unit;
    r.process = c.process;
    r.steps = c.steps;
    if (!c.argv.empty()) {
      if (r.kind != remedy::RemedyKind::kExec || !c.steps.empty()) {
        return InvalidArgumentError(
            where +
            ": argv is for kind exec without steps; a runbook lists "
            "steps");
      }
      remedy::RunbookStep step;
      step.argv = c.argv;
      step.timeout_ms = c.timeout_ms;
      r.steps.push_back(std::move(step));
    }
    r.template_unit = c.template_unit;
    r.min_instances = static_cast<int>(c.min_instances);
    r.max_instances = static_cast<int>(c.max_instances);
    r.timeout_ms = c.timeout_ms;
    r.budget = c.budget;
    r.dry_run = c.dry_run;
    RETURN_IF_ERROR(remedy::ValidateRemedySpec(r));
    for (const RemedyTriggerConfig& t : c.on) {
      remedy::RemedyBinding b;
      b.remedy = c.name;
      b.alert = t.alert;
      for (const std::string& m : t.matchers) {
        Result<LabelMatcher> parsed = ParseMatcherText(m);
        if (!parsed.ok()) return parsed.status().WithContext(where);
        b.matchers.push_back(std::move(*parsed));
      }
      b.probe = t.probe;
      b.failures = static_cast<int>(t.failures);
      b.reprobe = t.reprobe;
      b.settle_ms = t.settle_ms;
      Result<remedy::ScaleDirection> dir =
          remedy::ParseScaleDirection(t.direction);
      if (!dir.ok()) return dir.status().WithContext(where);
      b.direction = *dir;
      plan.bindings.push_back(std::move(b));
    }
    plan.remedies.push_back(std::move(r));
  }
  return plan;
}

}  // namespace tend
