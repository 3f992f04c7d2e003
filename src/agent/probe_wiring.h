// From the `probes:` configuration to the probe library's specs.
#ifndef TEND_AGENT_PROBE_WIRING_H_
#define TEND_AGENT_PROBE_WIRING_H_

#include <vector>

#include "base/status.h"
#include "config/probes_config.h"
#include "probe/probe.h"

namespace tend {

// The spec of one configured probe. The configuration was validated when
// it loaded, so errors here are only for values the schema cannot check
// alone; they name the probe.
Result<ProbeSpec> ProbeSpecOf(const ProbeConfig& c);
Result<std::vector<ProbeSpec>> ProbeSpecsOf(const std::vector<ProbeConfig>& c);

}  // namespace tend

#endif  // TEND_AGENT_PROBE_WIRING_H_
