// The field tables of the `probes:` list (probes_config.h). Internal to the
// configuration library: tend_config_schema.cc splices it in.
#ifndef TEND_CONFIG_PROBES_CONFIG_SCHEMA_H_
#define TEND_CONFIG_PROBES_CONFIG_SCHEMA_H_

#include <vector>

#include "base/status.h"
#include "config/probes_config.h"
#include "config/schema.h"

namespace tend {

Schema<ProbeConfig> ProbeSchema();

// Whole-list rules: names present and unique.
Status CheckProbeList(const std::vector<ProbeConfig>& probes);

}  // namespace tend

#endif  // TEND_CONFIG_PROBES_CONFIG_SCHEMA_H_
