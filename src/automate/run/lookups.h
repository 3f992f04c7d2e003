// Ansible's lookup plugins that playbooks commonly use, and the with_<kind>
// loops built on them. Lookups run on the controller.
#ifndef TEND_AUTOMATE_RUN_LOOKUPS_H_
#define TEND_AUTOMATE_RUN_LOOKUPS_H_

#include <string>
#include <string_view>
#include <vector>

#include "automate/jinja/jinja.h"
#include "automate/run/search_path.h"
#include "automate/value.h"
#include "base/status.h"

namespace tend::automate {

struct LookupContext {
  SearchDirs dirs;  // where relative file names are looked for
  jinja::Scope* scope = nullptr;
};

// Runs lookup `plugin` and returns its results as a list (what query()
// returns; lookup() joins strings with ","). Supported: env, file,
// fileglob, first_found, pipe, lines, vars, items, list, flattened, dict,
// indexed_items, sequence, subelements, nested, together. Unknown plugins
// are kNotFound.
Result<Value> RunLookup(std::string_view plugin, const std::vector<Value>& args,
                        const Value& kwargs, const LookupContext& ctx);

// The items of a task loop: `loop:` takes a list as is; with_<kind> runs
// the lookup of that name on the rendered value (with_items flattens one
// level, as Ansible does).
Result<Value> LoopItems(std::string_view kind, const Value& rendered,
                        const LookupContext& ctx);

}  // namespace tend::automate

#endif  // TEND_AUTOMATE_RUN_LOOKUPS_H_
