// The field tables of the `logs:` section (logs_config.h). Internal to the
// configuration library: tend_config_schema.cc splices it in.
#ifndef TEND_CONFIG_LOGS_CONFIG_SCHEMA_H_
#define TEND_CONFIG_LOGS_CONFIG_SCHEMA_H_

#include <string_view>

#include "base/status.h"
#include "config/logs_config.h"
#include "config/schema.h"

namespace tend {

Schema<LogsSection> LogsSchema();

// A LogQL label-filter expression (`status >= 500 and level="error"`), as
// keep/drop/sample/match conditions take it. Empty is accepted by callers
// that allow "no condition"; this function refuses it.
Status ValidateLogCondition(std::string_view condition);

}  // namespace tend

#endif  // TEND_CONFIG_LOGS_CONFIG_SCHEMA_H_
