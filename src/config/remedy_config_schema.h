// The field tables of `supervise:` and `remedies:` (remedy_config.h).
// Internal to the configuration library: tend_config_schema.cc splices
// them in.
#ifndef TEND_CONFIG_REMEDY_CONFIG_SCHEMA_H_
#define TEND_CONFIG_REMEDY_CONFIG_SCHEMA_H_

#include <string_view>
#include <vector>

#include "base/status.h"
#include "config/remedy_config.h"
#include "config/schema.h"

namespace tend {

Schema<SuperviseConfig> SuperviseSchema();
Schema<RemedyConfig> RemedySchema();

// "SIGTERM", "TERM" or a number, to the signal number.
Result<int> ParseSignalName(std::string_view name);

// Whole-list rules: unique names; restart_supervised names a supervised
// process; triggers name existing probes.
Status CheckRemedyLists(const std::vector<SuperviseConfig>& supervise,
                        const std::vector<RemedyConfig>& remedies,
                        const std::vector<std::string>& probe_names);

}  // namespace tend

#endif  // TEND_CONFIG_REMEDY_CONFIG_SCHEMA_H_
