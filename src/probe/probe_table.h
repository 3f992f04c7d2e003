// The table of probe kinds: how each validates its spec and is built.
// One explicit list (probe_table.cc), no self-registering statics.
#ifndef TEND_PROBE_PROBE_TABLE_H_
#define TEND_PROBE_PROBE_TABLE_H_

#include <memory>
#include <string>

#include "base/status.h"
#include "probe/probe.h"

namespace tend {

// Validates `spec` (name, interval, the kind's required fields, regexes)
// and builds its probe. Errors are kInvalidArgument naming the probe and
// the field: `probe "web": http.url is required`.
Result<std::unique_ptr<Probe>> MakeProbe(const ProbeSpec& spec,
                                         const ProbeDeps& deps);

// What the probe looks at, for listings: the URL, address, argv, process
// selector, unit or path.
std::string ProbeTarget(const ProbeSpec& spec);

// Per-kind constructors (validate their section; `spec.name` is set).
Result<std::unique_ptr<Probe>> NewHttpProbe(const ProbeSpec& spec,
                                            const ProbeDeps& deps);
Result<std::unique_ptr<Probe>> NewTcpProbe(const ProbeSpec& spec,
                                           const ProbeDeps& deps);
Result<std::unique_ptr<Probe>> NewExecProbe(const ProbeSpec& spec,
                                            const ProbeDeps& deps);
Result<std::unique_ptr<Probe>> NewProcessProbe(const ProbeSpec& spec,
                                               const ProbeDeps& deps);
Result<std::unique_ptr<Probe>> NewUnitProbe(const ProbeSpec& spec,
                                            const ProbeDeps& deps);
Result<std::unique_ptr<Probe>> NewFileProbe(const ProbeSpec& spec,
                                            const ProbeDeps& deps);

}  // namespace tend

#endif  // TEND_PROBE_PROBE_TABLE_H_
