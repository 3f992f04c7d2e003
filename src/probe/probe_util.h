// Helpers shared by the probe kinds.
#ifndef TEND_PROBE_PROBE_UTIL_H_
#define TEND_PROBE_PROBE_UTIL_H_

#include <re2/re2.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "probe/probe.h"

namespace tend {

// `probe "NAME": MESSAGE` as kInvalidArgument.
Status SpecError(const ProbeSpec& spec, std::string_view message);

// Compiles an RE2 pattern for `field`; an empty pattern yields nullptr.
Result<std::unique_ptr<RE2>> CompileProbeRegex(const ProbeSpec& spec,
                                               std::string_view field,
                                               const std::string& pattern);

// Milliseconds left until `deadline_mono_ns`, at least 1.
int64_t RemainingMs(const Clock* clock, int64_t deadline_mono_ns);

// Appends a sample with optional labels (name/value pairs, sorted by the
// caller).
void AddSample(ProbeResult* r, std::string_view name, double value,
               Labels labels = {});

// Marks the result failed with `error` unless it already failed (the first
// reason is the one reported).
void Fail(ProbeResult* r, std::string error);

}  // namespace tend

#endif  // TEND_PROBE_PROBE_UTIL_H_
