// From the `supervise:` and `remedies:` configuration to the remedy
// library's specs and bindings.
#ifndef TEND_AGENT_REMEDY_WIRING_H_
#define TEND_AGENT_REMEDY_WIRING_H_

#include <vector>

#include "base/status.h"
#include "config/remedy_config.h"
#include "remedy/remedy_manager.h"
#include "remedy/supervisor.h"

namespace tend {

Result<std::vector<remedy::SuperviseSpec>> SuperviseSpecsOf(
    const std::vector<SuperviseConfig>& configs);

struct RemedyPlan {
  std::vector<remedy::RemedySpec> remedies;
  std::vector<remedy::RemedyBinding> bindings;
};
Result<RemedyPlan> RemedyPlanOf(const std::vector<RemedyConfig>& configs);

}  // namespace tend

#endif  // TEND_AGENT_REMEDY_WIRING_H_
