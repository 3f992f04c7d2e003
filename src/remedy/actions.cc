#include "remedy/actions.h"

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "remedy/supervisor.h"
#include "systemd/unit_client.h"

namespace tend::remedy {
namespace {

constexpr size_t kTailBytes = 2048;

std::string Join(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    out += a;
  }
  return out;
}

std::string StepName(const RunbookStep& s, size_t i) {
  return s.name.empty() ? "step " + std::to_string(i + 1) : s.name;
}

ActionResult RestartUnit(const RemedySpec& spec, const ActionContext& ctx) {
  if (spec.dry_run) return {true, "would restart unit " + spec.unit, ""};
  if (ctx.units == nullptr) {
    return {false,
            "cannot restart unit " + spec.unit +
                ": no systemd D-Bus connection (restart_unit needs systemd)",
            ""};
  }
  Status s = ctx.units->Restart(spec.unit);
  if (!s.ok()) {
    return {false, "restart of unit " + spec.unit + " failed: " + s.ToString(),
            ""};
  }
  return {true, "restarted unit " + spec.unit, ""};
}

ActionResult RestartSupervised(const RemedySpec& spec,
                               const ActionContext& ctx) {
  if (spec.dry_run) {
    return {true, "would restart supervised process " + spec.process, ""};
  }
  if (ctx.supervisor == nullptr) {
    return {false, "no supervised process " + spec.process, ""};
  }
  Status s = ctx.supervisor->Restart(spec.process, spec.timeout_ms);
  if (!s.ok()) {
    return {false,
            "restart of supervised process " + spec.process +
                " failed: " + s.ToString(),
            ""};
  }
  return {true, "restarted supervised process " + spec.process, ""};
}

ActionResult RunSteps(const RemedySpec& spec, const ActionContext& ctx) {
  const bool exec = spec.kind == RemedyKind::kExec;
  if (spec.dry_run) {
    std::string msg = "would run";
    for (size_t i = 0; i < spec.steps.size(); ++i) {
      msg += (i ? "; " : " ") + StepName(spec.steps[i], i) + ": " +
             Join(spec.steps[i].argv);
    }
    return {true, msg, ""};
  }
  nlohmann::json steps = nlohmann::json::array();
  ActionResult out;
  out.ok = true;
  size_t done = 0;
  for (size_t i = 0; i < spec.steps.size(); ++i) {
    const RunbookStep& step = spec.steps[i];
    SubprocessOptions opts;
    opts.argv = step.argv;
    opts.timeout_ms = step.timeout_ms;
    opts.max_output_bytes = 64 * 1024;
    Result<SubprocessResult> r = ctx.runner->Run(opts);
    nlohmann::json j;
    j["step"] = StepName(step, i);
    j["argv"] = step.argv;
    std::string failure;
    if (!r.ok()) {
      j["error"] = r.status().ToString();
      failure = "could not start: " + r.status().ToString();
    } else {
      j["exit_code"] = r->exit_code;
      if (r->term_signal) j["signal"] = r->term_signal;
      j["timed_out"] = r->timed_out;
      j["duration_ms"] = r->duration_ns / 1'000'000;
      j["stdout_tail"] = OutputTail(r->stdout_data, kTailBytes);
      j["stderr_tail"] = OutputTail(r->stderr_data, kTailBytes);
      if (r->timed_out) {
        failure = "timed out after " + std::to_string(step.timeout_ms) + " ms";
      } else if (r->term_signal) {
        failure = "killed by signal " + std::to_string(r->term_signal);
      } else if (r->exit_code != 0) {
        failure = "exit code " + std::to_string(r->exit_code);
      }
      if (!failure.empty()) {
        std::string tail = OutputTail(r->stderr_data, 200);
        if (tail.empty()) tail = OutputTail(r->stdout_data, 200);
        std::replace(tail.begin(), tail.end(), '\n', ' ');
        while (!tail.empty() && tail.back() == ' ') tail.pop_back();
        if (!tail.empty()) failure += " (" + tail + ")";
      }
    }
    steps.push_back(std::move(j));
    if (!failure.empty()) {
      out.ok = false;
      out.message = exec ? "command " + Join(step.argv) + " failed: " + failure
                         : "runbook stopped at " + StepName(step, i) + " (" +
                               std::to_string(i + 1) + "/" +
                               std::to_string(spec.steps.size()) +
                               "): " + failure;
      break;
    }
    ++done;
  }
  if (out.ok) {
    out.message = exec ? "ran " + Join(spec.steps[0].argv)
                       : "runbook ran " + std::to_string(done) + " steps";
  }
  nlohmann::json details;
  details["steps"] = std::move(steps);
  out.details_json = details.dump();
  return out;
}

// The instance number of "app@3.service" for template "app@.service".
int InstanceNumber(const std::string& name, const std::string& prefix,
                   const std::string& suffix) {
  if (name.size() <= prefix.size() + suffix.size() ||
      name.compare(0, prefix.size(), prefix) != 0 ||
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return -1;
  }
  std::string mid =
      name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  char* end = nullptr;
  long n = strtol(mid.c_str(), &end, 10);
  if (mid.empty() || *end != '\0' || n <= 0 || n > 1'000'000) return -1;
  return int(n);
}

ActionResult ScaleUnit(const RemedySpec& spec, const ActionContext& ctx) {
  size_t at = spec.template_unit.find('@');
  const std::string prefix = spec.template_unit.substr(0, at + 1);
  const std::string suffix = spec.template_unit.substr(at + 1);
  const bool up = ctx.direction == ScaleDirection::kUp;
  if (ctx.units == nullptr) {
    return {false,
            "cannot scale " + spec.template_unit +
                ": no systemd D-Bus connection (scale_unit needs systemd)",
            ""};
  }
  Result<std::vector<UnitStatus>> list = ctx.units->List(prefix + "*" + suffix);
  if (!list.ok()) {
    return {false,
            "cannot list instances of " + spec.template_unit + ": " +
                list.status().ToString(),
            ""};
  }
  std::vector<int> active;
  for (const auto& u : *list) {
    int n = InstanceNumber(u.name, prefix, suffix);
    if (n < 0) continue;
    if (u.active_state == "active" || u.active_state == "activating" ||
        u.active_state == "reloading") {
      active.push_back(n);
    }
  }
  std::sort(active.begin(), active.end());
  const int count = int(active.size());
  std::string unit;
  if (up) {
    if (count >= spec.max_instances) {
      return {true,
              spec.template_unit + " already at max " +
                  std::to_string(spec.max_instances) + " instances",
              ""};
    }
    int n = 1;
    for (int a : active) {
      if (a == n) ++n;
    }
    unit = prefix + std::to_string(n) + suffix;
  } else {
    if (count <= spec.min_instances) {
      return {true,
              spec.template_unit + " already at min " +
                  std::to_string(spec.min_instances) + " instances",
              ""};
    }
    unit = prefix + std::to_string(active.back()) + suffix;
  }
  const std::string what = std::string(up ? "start " : "stop ") + unit + " (" +
                           std::to_string(count) + " -> " +
                           std::to_string(up ? count + 1 : count - 1) +
                           " instances)";
  if (spec.dry_run) return {true, "would " + what, ""};
  Status s = up ? ctx.units->Start(unit) : ctx.units->Stop(unit);
  if (!s.ok()) return {false, what + " failed: " + s.ToString(), ""};
  return {true, (up ? "started " : "stopped ") + what.substr(up ? 6 : 5), ""};
}

struct KindRow {
  RemedyKind kind;
  const char* name;
  ActionResult (*run)(const RemedySpec&, const ActionContext&);
};

// The table of remedy kinds.
constexpr KindRow kKinds[] = {
    {RemedyKind::kRestartUnit, "restart_unit", RestartUnit},
    {RemedyKind::kRestartSupervised, "restart_supervised", RestartSupervised},
    {RemedyKind::kRunbook, "runbook", RunSteps},
    {RemedyKind::kScaleUnit, "scale_unit", ScaleUnit},
    {RemedyKind::kExec, "exec", RunSteps},
};

}  // namespace

Result<RemedyKind> ParseRemedyKind(std::string_view s) {
  for (const auto& row : kKinds) {
    if (s == row.name) return row.kind;
  }
  return InvalidArgumentError("remedy kind '" + std::string(s) +
                              "' is not one of restart_unit, "
                              "restart_supervised, runbook, scale_unit, exec");
}

const char* RemedyKindName(RemedyKind k) {
  for (const auto& row : kKinds) {
    if (row.kind == k) return row.name;
  }
  return "?";
}

Result<ScaleDirection> ParseScaleDirection(std::string_view s) {
  if (s == "up") return ScaleDirection::kUp;
  if (s == "down") return ScaleDirection::kDown;
  return InvalidArgumentError("scale direction '" + std::string(s) +
                              "' is not up or down");
}

Status ValidateRemedySpec(const RemedySpec& spec) {
  const std::string where = "remedy " + spec.name + ": ";
  if (spec.name.empty()) return InvalidArgumentError("a remedy has no name");
  if (spec.timeout_ms <= 0) {
    return InvalidArgumentError(where + "timeout must be positive");
  }
  if (spec.budget.max_runs < 0 || spec.budget.window_ms <= 0 ||
      spec.budget.cooldown_ms < 0) {
    return InvalidArgumentError(
        where +
        "budget needs max_runs >= 0, a positive window and a "
        "cooldown >= 0");
  }
  switch (spec.kind) {
    case RemedyKind::kRestartUnit:
      if (spec.unit.empty())
        return InvalidArgumentError(where + "unit is required");
      break;
    case RemedyKind::kRestartSupervised:
      if (spec.process.empty()) {
        return InvalidArgumentError(where + "process is required");
      }
      break;
    case RemedyKind::kExec:
      if (spec.steps.size() != 1) {
        return InvalidArgumentError(where + "exec takes exactly one command");
      }
      [[fallthrough]];
    case RemedyKind::kRunbook:
      if (spec.steps.empty()) {
        return InvalidArgumentError(where + "steps are required");
      }
      for (size_t i = 0; i < spec.steps.size(); ++i) {
        if (spec.steps[i].argv.empty() || spec.steps[i].argv[0].empty()) {
          return InvalidArgumentError(where + "step " + std::to_string(i + 1) +
                                      ": argv is empty");
        }
        if (spec.steps[i].timeout_ms <= 0) {
          return InvalidArgumentError(where + "step " + std::to_string(i + 1) +
                                      ": timeout must be positive");
        }
      }
      break;
    case RemedyKind::kScaleUnit: {
      size_t at = spec.template_unit.find('@');
      if (at == std::string::npos || at + 1 >= spec.template_unit.size() ||
          spec.template_unit[at + 1] != '.') {
        return InvalidArgumentError(
            where +
            "template_unit must be a template like app@.service, got '" +
            spec.template_unit + "'");
      }
      if (spec.min_instances < 0 || spec.max_instances < spec.min_instances) {
        return InvalidArgumentError(
            where + "needs 0 <= min_instances <= max_instances");
      }
      break;
    }
  }
  return Status::Ok();
}

ActionResult RunAction(const RemedySpec& spec, const ActionContext& ctx) {
  for (const auto& row : kKinds) {
    if (row.kind == spec.kind) return row.run(spec, ctx);
  }
  return {false, "unknown remedy kind", ""};
}

std::string OutputTail(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  std::string_view tail = s.substr(s.size() - max_bytes);
  size_t nl = tail.find('\n');
  if (nl != std::string_view::npos && nl + 1 < tail.size()) {
    tail.remove_prefix(nl + 1);
  }
  return std::string(tail);
}

}  // namespace tend::remedy
