// Fuzz target: the Prometheus rule-file loader (src/alert/rules).
//
// Arbitrary bytes must load or fail with kInvalidArgument naming the file,
// never crash, hang or throw (yaml-cpp's exceptions stay inside the
// loader). A file that loads has a parsed PromQL tree for every PromQL
// rule and a parsed template for every label and annotation.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "alert/rules/rule_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto f = tend::alert::ParseRuleFile(text, "f.yml");
  if (!f.ok()) {
    if (f.status().code() != tend::StatusCode::kInvalidArgument) {
      __builtin_trap();
    }
    if (f.status().message().rfind("f.yml", 0) != 0) __builtin_trap();
    return 0;
  }
  for (const tend::alert::RuleGroup& g : f->groups) {
    for (const tend::alert::Rule& r : g.rules) {
      if (r.language == tend::alert::QueryLanguage::kPromQL &&
          r.promql == nullptr) {
        __builtin_trap();
      }
      for (const auto& p : r.labels) {
        if (p.tmpl == nullptr) __builtin_trap();
      }
      for (const auto& p : r.annotations) {
        if (p.tmpl == nullptr) __builtin_trap();
      }
    }
  }
  return 0;
}
