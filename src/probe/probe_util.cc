#include "probe/probe_util.h"

#include <utility>

namespace tend {

Status SpecError(const ProbeSpec& spec, std::string_view message) {
  return InvalidArgumentError("probe \"" + spec.name +
                              "\": " + std::string(message));
}

Result<std::unique_ptr<RE2>> CompileProbeRegex(const ProbeSpec& spec,
                                               std::string_view field,
                                               const std::string& pattern) {
  if (pattern.empty()) return std::unique_ptr<RE2>();
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_unique<RE2>(pattern, options);
  if (!re->ok()) {
    return SpecError(spec, std::string(field) +
                               ": invalid regular expression " + "\"" +
                               pattern + "\": " + re->error());
  }
  return re;
}

int64_t RemainingMs(const Clock* clock, int64_t deadline_mono_ns) {
  int64_t left = (deadline_mono_ns - clock->MonotonicNanos()) / kNanosPerMilli;
  return left < 1 ? 1 : left;
}

void AddSample(ProbeResult* r, std::string_view name, double value,
               Labels labels) {
  r->samples.push_back({std::string(name), value, std::move(labels)});
}

void Fail(ProbeResult* r, std::string error) {
  if (!r->success && !r->error.empty()) return;
  r->success = false;
  r->error = std::move(error);
}

}  // namespace tend
