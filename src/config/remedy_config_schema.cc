#include "config/remedy_config_schema.h"

#include <signal.h>
#include <string.h>

#include <charconv>
#include <set>
#include <string>

#include "config/yaml_text.h"
#include "model/matcher_text.h"

namespace tend {
namespace {

constexpr int64_t kDay = 24LL * 3600 * 1000;

Status ValidateSignal(std::string_view s) {
  Result<int> n = ParseSignalName(s);
  return n.ok() ? Status::Ok() : n.status();
}

Status ValidateMatcher(std::string_view m) {
  Result<LabelMatcher> parsed = ParseMatcherText(m);
  return parsed.ok() ? Status::Ok() : parsed.status();
}

Status ValidateOptionalAbsolute(std::string_view path) {
  if (path.empty() || path[0] == '/') return Status::Ok();
  return InvalidArgumentError("want an absolute path, got " +
                              QuoteForMessage(path));
}

Schema<remedy::BudgetSpec> BudgetSchema() {
  using B = remedy::BudgetSpec;
  Schema<B> s;
  s.Int("max_runs", &B::max_runs,
        "At most this many runs within `window`, then escalate (notify and "
        "stop trying); 0: no limit.",
        0, 1000000)
      .Duration("window", &B::window_ms, "The sliding window of max_runs.", 1,
                365 * kDay)
      .Duration("cooldown", &B::cooldown_ms, "The least time between two runs.",
                0, 365 * kDay);
  return s;
}

Schema<remedy::RunbookStep> StepSchema() {
  using R = remedy::RunbookStep;
  Schema<R> s;
  s.String("name", &R::name, "For messages; default \"step N\".")
      .StringList("argv", &R::argv, "The command and its arguments (no shell).")
      .Duration("timeout", &R::timeout_ms,
                "The step fails (and the runbook stops) after this long.", 1,
                kDay);
  return s;
}

Schema<RemedyTriggerConfig> TriggerSchema() {
  using T = RemedyTriggerConfig;
  Schema<T> s;
  s.String("alert", &T::alert, "Run when this alert starts firing.")
      .StringList("matchers", &T::matchers,
                  "Label matchers the alert must also satisfy.",
                  ValidateMatcher)
      .String("probe", &T::probe,
              "Run when this probe has failed `failures` times in a row.")
      .Int("failures", &T::failures,
           "Consecutive probe failures that start the remedy.", 1, 1000000)
      .String("reprobe", &T::reprobe,
              "The probe run after the action to tell whether it worked "
              "(default: `probe`).")
      .Duration("settle", &T::settle_ms,
                "How long after the action the probe runs again.", 0, kDay)
      .Enum("direction", &T::direction,
            "scale_unit: add or remove an instance.", {"up", "down"})
      .Validate([](const T& t) -> Status {
        if (t.alert.empty() == t.probe.empty()) {
          return InvalidArgumentError("set exactly one of alert or probe");
        }
        if (!t.matchers.empty() && t.alert.empty()) {
          return InvalidArgumentError("matchers need an alert trigger");
        }
        return Status::Ok();
      });
  return s;
}

}  // namespace

Result<int> ParseSignalName(std::string_view name) {
  int n = 0;
  auto [ptr, ec] = std::from_chars(name.data(), name.data() + name.size(), n);
  if (ec == std::errc() && ptr == name.data() + name.size()) {
    if (n >= 1 && n < NSIG) return n;
  } else {
    std::string_view bare = name;
    if (bare.substr(0, 3) == "SIG") bare.remove_prefix(3);
    for (int i = 1; i < NSIG; ++i) {
      const char* abbrev = sigabbrev_np(i);
      if (abbrev != nullptr && bare == abbrev) return i;
    }
  }
  return InvalidArgumentError(
      "want a signal name (SIGTERM, INT, HUP) or "
      "number, got " +
      QuoteForMessage(name));
}

Schema<SuperviseConfig> SuperviseSchema() {
  using S = SuperviseConfig;
  Schema<S> s;
  s.String("name", &S::name, "Unique name (required).")
      .StringList("argv", &S::argv,
                  "The command and its arguments (required; no shell).")
      .StringList("env", &S::env, "KEY=VALUE added to tend's environment.")
      .String("user", &S::user,
              "Run as this user (name or uid); needs tend to run as root.")
      .String("working_dir", &S::working_dir, "Where the process runs.",
              ValidateOptionalAbsolute)
      .Enum("restart", &S::restart, "When to restart it after it exits.",
            {"always", "on-failure", "never"})
      .Duration("restart_delay", &S::restart_delay_ms,
                "Wait this long before the first restart.", 0, kDay)
      .Duration("min_uptime", &S::min_uptime_ms,
                "Lives shorter than this count as crash loops and back off "
                "(0: never back off).",
                0, kDay)
      .Duration("max_backoff", &S::max_backoff_ms,
                "The longest wait between restarts in a crash loop.", 0, kDay)
      .String("stop_signal", &S::stop_signal, "The signal that stops it.",
              ValidateSignal)
      .Duration("stop_timeout", &S::stop_timeout_ms,
                "Then SIGKILL to its process group.", 0, kDay)
      .Section("budget", &S::budget, BudgetSchema(),
               "Automatic restarts allowed before tend escalates and leaves "
               "it down.")
      .Int("max_line_bytes", &S::max_line_bytes, "Longer output lines are cut.",
           256, 16 << 20)
      .Bool("log_output", &S::log_output,
            "Store its stdout and stderr in the log store (source "
            "\"supervise\").");
  return s;
}

Schema<RemedyConfig> RemedySchema() {
  using R = RemedyConfig;
  Schema<R> s;
  s.String("name", &R::name, "Unique name (required).")
      .Enum("kind", &R::kind, "What the remedy does.",
            {"restart_unit", "restart_supervised", "runbook", "scale_unit",
             "exec"})
      .String("unit", &R::unit, "restart_unit: the systemd unit.")
      .String("process", &R::process,
              "restart_supervised: the `supervise:` entry.")
      .SectionList("steps", &R::steps, StepSchema(),
                   "runbook: the steps in order (the first failure stops "
                   "it); exec: exactly one.")
      .StringList("argv", &R::argv,
                  "exec: the command and its arguments (no shell); the same "
                  "as one step.")
      .String("template_unit", &R::template_unit,
              "scale_unit: the template unit, app@.service.")
      .Int("min_instances", &R::min_instances, "scale_unit: the fewest.", 0,
           10000)
      .Int("max_instances", &R::max_instances, "scale_unit: the most.", 0,
           10000)
      .Duration("timeout", &R::timeout_ms,
                "How long to wait for a unit job or a restarted process.", 1,
                kDay)
      .Section("budget", &R::budget, BudgetSchema(),
               "Runs allowed before tend escalates and stops trying.")
      .Bool("dry_run", &R::dry_run, "Record what would be done and do nothing.")
      .SectionList("on", &R::on, TriggerSchema(),
                   "What starts it: alerts or probe failures.");
  return s;
}

Status CheckRemedyLists(const std::vector<SuperviseConfig>& supervise,
                        const std::vector<RemedyConfig>& remedies,
                        const std::vector<std::string>& probe_names) {
  std::set<std::string> processes;
  for (const SuperviseConfig& p : supervise) {
    if (p.name.empty())
      return InvalidArgumentError("supervise: an entry has no name");
    if (p.argv.empty()) {
      return InvalidArgumentError("supervise " + QuoteForMessage(p.name) +
                                  ": argv is required");
    }
    if (!processes.insert(p.name).second) {
      return InvalidArgumentError("supervise: two entries are named " +
                                  QuoteForMessage(p.name));
    }
  }
  std::set<std::string> probes(probe_names.begin(), probe_names.end());
  std::set<std::string> names;
  for (const RemedyConfig& r : remedies) {
    const std::string where = "remedy " + QuoteForMessage(r.name);
    if (r.name.empty())
      return InvalidArgumentError("remedies: an entry has no name");
    if (!names.insert(r.name).second) {
      return InvalidArgumentError("remedies: two entries are named " +
                                  QuoteForMessage(r.name));
    }
    if (r.kind == "restart_supervised" && !processes.count(r.process)) {
      return InvalidArgumentError(where + ": process " +
                                  QuoteForMessage(r.process) +
                                  " is not a supervise: entry");
    }
    for (const RemedyTriggerConfig& t : r.on) {
      if (!t.probe.empty() && !probes.count(t.probe)) {
        return InvalidArgumentError(where + ": no probe named " +
                                    QuoteForMessage(t.probe));
      }
      if (!t.reprobe.empty() && !probes.count(t.reprobe)) {
        return InvalidArgumentError(where + ": no probe named " +
                                    QuoteForMessage(t.reprobe) + " (reprobe)");
      }
    }
  }
  return Status::Ok();
}

}  // namespace tend
