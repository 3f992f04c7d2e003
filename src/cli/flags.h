// Command-line flags: "--name value", "--name=value", "-o value", boolean
// "--name", positional arguments, and "--" to end flags.
#ifndef TEND_CLI_FLAGS_H_
#define TEND_CLI_FLAGS_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace tend {

struct FlagSpec {
  std::string_view name;   // Without dashes: "data-dir".
  std::string_view alias;  // Short form without dash ("o"), or empty.
  bool takes_value = true;
};

struct ParsedFlags {
  std::map<std::string, std::string, std::less<>> values;  // By name; the
                                                           // last one given.
  // Every value of a flag given more than once (-e a=1 -e b=2), in order.
  std::map<std::string, std::vector<std::string>, std::less<>> all_values;
  std::vector<std::string> positional;
  bool Has(std::string_view name) const { return values.count(name) != 0; }
  std::string Get(std::string_view name, std::string fallback = "") const {
    auto it = values.find(name);
    return it == values.end() ? fallback : it->second;
  }
  std::vector<std::string> GetAll(std::string_view name) const {
    auto it = all_values.find(name);
    return it == all_values.end() ? std::vector<std::string>{} : it->second;
  }
};

// Parses `args` (without the program and command names) against `specs`.
// An unknown flag is an error naming it, with a did-you-mean among `specs`;
// a flag that needs a value and has none is an error too.
Result<ParsedFlags> ParseFlags(const std::vector<std::string>& args,
                               const std::vector<FlagSpec>& specs);

}  // namespace tend

#endif  // TEND_CLI_FLAGS_H_
