// The field table of the `alerting:` section (alerting_config.h). Internal
// to the configuration library: tend_config_schema.cc splices it in.
#ifndef TEND_CONFIG_ALERTING_CONFIG_SCHEMA_H_
#define TEND_CONFIG_ALERTING_CONFIG_SCHEMA_H_

#include "config/alerting_config.h"
#include "config/schema.h"

namespace tend {

Schema<AlertingSection> AlertingSchema();

}  // namespace tend

#endif  // TEND_CONFIG_ALERTING_CONFIG_SCHEMA_H_
