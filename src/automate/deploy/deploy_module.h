// The `deploy` module: releases/<id>, shared/, an atomic switch of
// `current`, hooks, a health gate with a bake time, automatic rollback to
// the last healthy release, pruning, and draining the host's backend in a
// load balancer around the switch. docs/automate-deploy.md describes the
// parameters and semantics; `tend deploy` runs this same module locally.
#ifndef TEND_AUTOMATE_DEPLOY_DEPLOY_MODULE_H_
#define TEND_AUTOMATE_DEPLOY_DEPLOY_MODULE_H_

#include <memory>

#include "automate/modules/module.h"

namespace tend::automate::deploy {

std::unique_ptr<Module> NewDeployModule();

}  // namespace tend::automate::deploy

#endif  // TEND_AUTOMATE_DEPLOY_DEPLOY_MODULE_H_
