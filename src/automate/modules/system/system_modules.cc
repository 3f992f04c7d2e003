// The system modules, in one explicit list (no self-registration).
#include "automate/modules/module.h"
#include "automate/modules/system/system_util.h"

namespace tend::automate {

void AddSystemModules(ModuleList* out) {
  out->push_back(sysmod::NewCommandModule());
  out->push_back(sysmod::NewShellModule());
  out->push_back(sysmod::NewUserModule());
  out->push_back(sysmod::NewGroupModule());
  out->push_back(sysmod::NewCronModule());
  out->push_back(sysmod::NewSysctlModule());
  out->push_back(sysmod::NewHostnameModule());
  out->push_back(sysmod::NewMountModule());
  out->push_back(sysmod::NewAuthorizedKeyModule());
  out->push_back(sysmod::NewAptModule());
  out->push_back(sysmod::NewServiceModule());
  out->push_back(sysmod::NewSystemdModule());
}

}  // namespace tend::automate
