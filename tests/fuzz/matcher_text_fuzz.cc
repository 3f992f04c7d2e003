// Fuzz target: label matchers as text (src/model/matcher_text.h), which
// silences take from the API and the CLI and routes take from
// alertmanager.yml.
//
// Arbitrary bytes must parse or fail with kInvalidArgument naming the bad
// matcher, never crash or hang. A list that parses must print (name, op,
// quoted value) to text that parses back to the same matchers.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "model/matcher_text.h"

namespace {

const char* Op(tend::LabelMatcher::Type t) {
  switch (t) {
    case tend::LabelMatcher::Type::kEqual:
      return "=";
    case tend::LabelMatcher::Type::kNotEqual:
      return "!=";
    case tend::LabelMatcher::Type::kRegexMatch:
      return "=~";
    case tend::LabelMatcher::Type::kRegexNoMatch:
      return "!~";
  }
  return "=";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  tend::Result<tend::Matchers> list = tend::ParseMatcherList(text);
  if (!list.ok()) {
    if (list.status().code() != tend::StatusCode::kInvalidArgument) {
      __builtin_trap();
    }
    if (list.status().message().rfind("bad matcher ", 0) != 0) {
      __builtin_trap();
    }
  } else {
    std::string printed;
    for (const tend::LabelMatcher& m : *list) {
      if (!printed.empty()) printed += ", ";
      // JSON string escaping is a subset of the quoted form's escapes only
      // for printable ASCII; skip values it would write as \u.
      std::string quoted = nlohmann::json(m.value()).dump(
          -1, ' ', false, nlohmann::json::error_handler_t::replace);
      if (quoted.find("\\u") != std::string::npos ||
          quoted.find("\\b") != std::string::npos ||
          quoted.find("\\f") != std::string::npos ||
          quoted.find("\\r") != std::string::npos ||
          quoted.find("\\/") != std::string::npos) {
        return 0;
      }
      printed += m.name() + Op(m.type()) + quoted;
    }
    tend::Result<tend::Matchers> again = tend::ParseMatcherList(printed);
    if (!again.ok() || again->size() != list->size()) __builtin_trap();
    for (size_t i = 0; i < list->size(); ++i) {
      if ((*again)[i].name() != (*list)[i].name() ||
          (*again)[i].value() != (*list)[i].value() ||
          (*again)[i].type() != (*list)[i].type()) {
        __builtin_trap();
      }
    }
  }
  (void)tend::ParseMatcherText(text);
  return 0;
}
