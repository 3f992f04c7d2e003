// Parsing configuration text into one yaml-cpp document, safely.
//
// Internal to src/config (exposes yaml-cpp types). yaml-cpp 0.7 has three
// problems this layer hides:
// - it throws; every exception becomes a ConfigError with its position;
// - YAML::LoadAll loops forever, allocating a new empty document each turn,
//   on a stray flow indicator at document level (the file ",\n" or
//   "[a],\n"): its parser stops advancing. A first pass counts documents
//   with a non-allocating event handler and stops when a document starts
//   where the previous one did;
// - its nesting guard (YAML::DeepRecursion, about 500 levels) reports
//   "bad file"; the message is replaced.
#ifndef TEND_CONFIG_YAML_DOCUMENT_H_
#define TEND_CONFIG_YAML_DOCUMENT_H_

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string_view>

#include "config/config_error.h"

namespace tend {

// Parses `text` as a single YAML document; text over `max_bytes` is refused.
// Returns the document (a null node for empty text), or nullopt after adding
// the reason to *errors. A file with several documents adds an error and
// still returns the first, so its contents are checked too. Never throws.
// `what` names the kind of file in the message about extra documents ("a
// configuration file holds one YAML document").
std::optional<YAML::Node> ParseYamlDocument(
    std::string_view text, size_t max_bytes, ConfigErrors* errors,
    std::string_view what = "a configuration file");

// 1-based line and column of a yaml-cpp mark; 0 for a null mark.
int LineOf(const YAML::Mark& mark);
int ColumnOf(const YAML::Mark& mark);

}  // namespace tend

#endif  // TEND_CONFIG_YAML_DOCUMENT_H_
