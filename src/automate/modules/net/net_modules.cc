// The network and source modules, in one explicit list.
#include "automate/modules/module.h"
#include "automate/modules/net/net_util.h"

namespace tend::automate {

void AddNetModules(ModuleList* out) {
  out->push_back(netmod::NewGetUrlModule());
  out->push_back(netmod::NewUriModule());
  out->push_back(netmod::NewUnarchiveModule());
  out->push_back(netmod::NewGitModule());
  out->push_back(netmod::NewWaitForModule());
}

}  // namespace tend::automate
