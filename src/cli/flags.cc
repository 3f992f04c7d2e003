#include "cli/flags.h"

#include "config/suggest.h"

namespace tend {
namespace {

const FlagSpec* Find(std::string_view name, const std::vector<FlagSpec>& specs,
                     bool short_form) {
  for (const FlagSpec& s : specs) {
    if (short_form ? (!s.alias.empty() && s.alias == name) : s.name == name)
      return &s;
  }
  return nullptr;
}

}  // namespace

Result<ParsedFlags> ParseFlags(const std::vector<std::string>& args,
                               const std::vector<FlagSpec>& specs) {
  ParsedFlags out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      out.positional.insert(out.positional.end(), args.begin() + i + 1,
                            args.end());
      break;
    }
    if (a.size() < 2 || a[0] != '-') {
      out.positional.push_back(a);
      continue;
    }
    bool is_long = a[1] == '-';
    std::string body = a.substr(is_long ? 2 : 1);
    std::string value;
    bool has_inline = false;
    size_t eq = body.find('=');
    if (eq != std::string::npos) {
      value = body.substr(eq + 1);
      body = body.substr(0, eq);
      has_inline = true;
    }
    const FlagSpec* spec = Find(body, specs, !is_long);
    if (spec == nullptr) {
      std::vector<std::string> names;
      for (const FlagSpec& s : specs) names.emplace_back(s.name);
      std::string msg = "unknown flag " + a.substr(0, a.find('='));
      std::string near = SuggestClosest(body, names);
      if (!near.empty()) msg += "; did you mean --" + near + "?";
      return InvalidArgumentError(msg);
    }
    std::string name(spec->name);
    if (!spec->takes_value) {
      if (has_inline) {
        return InvalidArgumentError("flag --" + name + " takes no value");
      }
      out.values[name] = "true";
      continue;
    }
    if (!has_inline) {
      if (i + 1 >= args.size()) {
        return InvalidArgumentError("flag --" + name + " needs a value");
      }
      value = args[++i];
    }
    out.values[name] = value;
    out.all_values[name].push_back(value);
  }
  return out;
}

}  // namespace tend
