#include "automate/playbook/actions.h"

#include <algorithm>

namespace tend::automate {
namespace {

std::vector<ModuleSpec> MakeSpecs() {
  using T = ParamType;
  std::vector<ModuleSpec> specs;
  specs.push_back({.name = "debug",
                   .params = {{.name = "msg", .type = T::kRaw},
                              {.name = "var", .type = T::kStr},
                              {.name = "verbosity", .type = T::kInt}},
                   .mutually_exclusive = {{"msg", "var"}}});
  specs.push_back(
      {.name = "assert",
       .params = {{.name = "that", .type = T::kRaw, .required = true},
                  {.name = "msg", .type = T::kRaw, .aliases = {"fail_msg"}},
                  {.name = "success_msg", .type = T::kRaw},
                  {.name = "quiet", .type = T::kBool}}});
  specs.push_back(
      {.name = "fail", .params = {{.name = "msg", .type = T::kRaw}}});
  specs.push_back({.name = "pause",
                   .params = {{.name = "seconds", .type = T::kFloat},
                              {.name = "minutes", .type = T::kFloat},
                              {.name = "prompt", .type = T::kStr},
                              {.name = "echo", .type = T::kBool}}});
  ModuleSpec setup{.name = "setup",
                   .params = {{.name = "gather_subset", .type = T::kList},
                              {.name = "filter", .type = T::kList},
                              {.name = "gather_timeout", .type = T::kInt}}};
  specs.push_back(setup);
  setup.name = "gather_facts";
  specs.push_back(setup);
  specs.push_back(
      {.name = "ping", .params = {{.name = "data", .type = T::kStr}}});
  specs.push_back({.name = "include_vars",
                   .params = {{.name = "file", .type = T::kPath},
                              {.name = "name", .type = T::kStr}},
                   .free_form = true});
  for (const char* n : {"include_tasks", "import_tasks"}) {
    specs.push_back({.name = n,
                     .params = {{.name = "file", .type = T::kPath},
                                {.name = "apply", .type = T::kDict}},
                     .free_form = true});
  }
  for (const char* n : {"include_role", "import_role"}) {
    specs.push_back(
        {.name = n,
         .params = {{.name = "name", .type = T::kStr, .required = true},
                    {.name = "tasks_from", .type = T::kStr},
                    {.name = "vars_from", .type = T::kStr},
                    {.name = "defaults_from", .type = T::kStr},
                    {.name = "handlers_from", .type = T::kStr},
                    {.name = "apply", .type = T::kDict},
                    {.name = "public", .type = T::kBool}}});
  }
  specs.push_back({.name = "meta", .free_form = true});
  return specs;
}

const std::vector<ModuleSpec>& Specs() {
  static const std::vector<ModuleSpec>* specs =
      new std::vector<ModuleSpec>(MakeSpecs());
  return *specs;
}

}  // namespace

std::string_view ShortActionName(std::string_view name) {
  for (std::string_view prefix :
       {"ansible.builtin.", "ansible.legacy.", "ansible.posix."}) {
    if (name.starts_with(prefix)) return name.substr(prefix.size());
  }
  return name;
}

const ModuleSpec* FindActionSpec(std::string_view name) {
  name = ShortActionName(name);
  for (const ModuleSpec& s : Specs()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

bool IsKnownAction(std::string_view name) {
  return ShortActionName(name) == "set_fact" ||
         FindActionSpec(name) != nullptr || FindModule(name) != nullptr;
}

std::vector<std::string> KnownActionNames() {
  std::vector<std::string> names = ModuleNames();
  for (const ModuleSpec& s : Specs()) names.push_back(s.name);
  names.push_back("set_fact");
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace tend::automate
