// Validating and converting a task's module arguments against a
// ModuleSpec, with Ansible's conversions and clear errors.
#ifndef TEND_AUTOMATE_MODULES_ARGS_H_
#define TEND_AUTOMATE_MODULES_ARGS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "automate/modules/module.h"
#include "automate/value.h"
#include "base/status.h"

namespace tend::automate {

// Returns a mapping with each given parameter converted to its type,
// aliases replaced by the parameter's name and defaults added. Errors
// (kInvalidArgument) name the module and the parameter:
//   "unsupported parameter 'pth' for module 'file' (did you mean 'path'?);
//    supported: access_time, group, mode, owner, path, ..."
//   "parameter 'state' of module 'file' must be one of absent, directory,
//    ...; got 'dir'"
//   "missing required parameter 'path' of module 'file'"
// `args` may also be a string for free-form modules ("ls -l chdir=/tmp")
// or for k=v argument strings ("path=/x state=touch"), split with shell-like
// quoting as Ansible's parse_kv does.
Result<Value> ValidateArgs(const ModuleSpec& spec, const Value& args);

// Splits "a=1 b='two words' free text" into k=v pairs and the rest
// (Ansible's parse_kv): quoted values keep their spaces; words that are not
// k=v (or whose key is not in `known` when `known` is non-null) join the
// free-form text "_raw_params".
Result<Value> ParseKeyValueArgs(std::string_view text, bool free_form,
                                const ModuleSpec* spec);

// Ansible's boolean conversion: true/false, yes/no, on/off, 1/0, y/n,
// t/f (strings any case; numbers 1/0; booleans). nullopt for anything else.
std::optional<bool> AnsibleBool(const Value& v);

// Accessors for validated args (absent or null gives the fallback).
std::string ArgStr(const Value& args, std::string_view name,
                   std::string_view fallback = "");
bool ArgBool(const Value& args, std::string_view name, bool fallback = false);
int64_t ArgInt(const Value& args, std::string_view name, int64_t fallback = 0);
bool ArgHas(const Value& args, std::string_view name);  // present, not null

}  // namespace tend::automate

#endif  // TEND_AUTOMATE_MODULES_ARGS_H_
