#include <algorithm>

#include "automate/modules/module.h"

namespace tend::automate {
namespace {

// Built once, on first use, and never changed: lookups need no lock.
const ModuleList& Registry() {
  static const ModuleList* modules = [] {
    auto* list = new ModuleList;
#ifdef TEND_HAVE_FILES_MODULES
    AddFileModules(list);
#endif
#ifdef TEND_HAVE_SYSTEM_MODULES
    AddSystemModules(list);
#endif
#ifdef TEND_HAVE_NET_MODULES
    AddNetModules(list);
#endif
#ifdef TEND_HAVE_DEPLOY_MODULES
    AddDeployModules(list);
#endif
#ifdef TEND_HAVE_BACKUP_MODULES
    AddBackupModules(list);
#endif
    return list;
  }();
  return *modules;
}

}  // namespace

const Module* FindModule(std::string_view name) {
  constexpr std::string_view kBuiltin = "ansible.builtin.";
  constexpr std::string_view kLegacy = "ansible.legacy.";
  // authorized_key, sysctl and mount live in ansible.posix.
  constexpr std::string_view kPosix = "ansible.posix.";
  if (name.starts_with(kBuiltin)) name.remove_prefix(kBuiltin.size());
  if (name.starts_with(kLegacy)) name.remove_prefix(kLegacy.size());
  if (name.starts_with(kPosix)) name.remove_prefix(kPosix.size());
  for (const auto& m : Registry()) {
    if (m->spec().name == name) return m.get();
  }
  return nullptr;
}

std::vector<std::string> ModuleNames() {
  std::vector<std::string> names;
  for (const auto& m : Registry()) names.push_back(m->spec().name);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace tend::automate
