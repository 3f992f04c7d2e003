// Test helpers for probe tests.
#ifndef TEND_PROBE_PROBE_TEST_UTIL_H_
#define TEND_PROBE_PROBE_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "probe/probe.h"
#include "probe/probe_table.h"

namespace tend::testing {

// Builds the probe (failing the test if the spec is rejected) and runs it
// once with its effective timeout.
inline ProbeResult RunSpec(const ProbeSpec& spec,
                           const ProbeDeps& deps = ProbeDeps()) {
  Result<std::unique_ptr<Probe>> p = MakeProbe(spec, deps);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  if (!p.ok()) return ProbeResult{false, 0, "spec rejected", {}};
  return (*p)->Run(deps.clock->MonotonicNanos() +
                   EffectiveTimeoutMs(spec) * kNanosPerMilli);
}

// The value of sample `name` (with label `label`=`value` when given).
inline std::optional<double> SampleValue(const ProbeResult& r,
                                         const std::string& name,
                                         const std::string& label = "",
                                         const std::string& value = "") {
  for (const ProbeSample& s : r.samples) {
    if (s.name != name) continue;
    if (!label.empty() && GetLabel(s.labels, label) != value) continue;
    return s.value;
  }
  return std::nullopt;
}

}  // namespace tend::testing

#endif  // TEND_PROBE_PROBE_TEST_UTIL_H_
