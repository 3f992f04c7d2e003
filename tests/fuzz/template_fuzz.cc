// Fuzz target: the alert template language (src/alert/template).
//
// Arbitrary bytes must parse or fail with kInvalidArgument whose message
// starts with "t:<line>:<col>: "; a template that parses must execute (or
// fail with an error) within the output cap, never crash or hang.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "alert/template/template.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto t = tend::tmpl::Template::Parse("t", text);
  if (!t.ok()) {
    if (t.status().code() != tend::StatusCode::kInvalidArgument) {
      __builtin_trap();
    }
    if (t.status().message().rfind("t:", 0) != 0) __builtin_trap();
    return 0;
  }
  const tend::Labels labels = {{"instance", "host:9100"}, {"job", "node"}};
  tend::tmpl::TemplateData d;
  d.labels = &labels;
  d.value = 1234.5;
  d.external_url = "http://localhost:9090/";
  auto out = (*t)->Execute(d);
  if (out.ok()) {
    // The cap is checked after every node; plain text is returned as is.
    if (!(*t)->IsPlainText() &&
        out->size() > tend::tmpl::Template::kMaxOutputBytes) {
      __builtin_trap();
    }
    if ((*t)->IsPlainText() && *out != text) __builtin_trap();
  }
  return 0;
}
