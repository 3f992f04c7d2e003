// The table of every collector tend has: its name, how to build it, and
// where its section is in the configuration. One explicit list, no
// self-registration, so what the agent runs is visible in one place.
#ifndef TEND_AGENT_COLLECTOR_TABLE_H_
#define TEND_AGENT_COLLECTOR_TABLE_H_

#include <memory>
#include <string_view>
#include <vector>

#include "config/tend_config.h"
#include "metrics/collector.h"

namespace tend {

struct CollectorSpec {
  std::string_view name;  // Equals Collector::name() and the config key.
  std::unique_ptr<Collector> (*make)(const CollectorOptions& options);
  const CollectorToggle& (*section)(const CollectorsSection& config);
};

const std::vector<CollectorSpec>& CollectorTable();

// CollectorOptions for `config`'s paths and per-collector options.
CollectorOptions MakeCollectorOptions(const TendConfig& config, Env* env,
                                      Clock* clock);

}  // namespace tend

#endif  // TEND_AGENT_COLLECTOR_TABLE_H_
