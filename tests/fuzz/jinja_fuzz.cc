// Fuzz target: the Jinja engine (src/automate/jinja/jinja.h).
//
// Arbitrary bytes are compiled as a template (both string modes) and as a
// bare expression; whatever compiles is rendered, evaluated and tested as
// a condition against a small set of variables. Every failure must be a
// kInvalidArgument (or kUnimplemented for a named unsupported filter)
// with a message, never a crash, a hang or unbounded memory: nesting,
// loop iterations, range() and output size are all capped.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "automate/jinja/jinja.h"

namespace {

using tend::StatusCode;
using tend::automate::Value;
namespace jinja = tend::automate::jinja;

void CheckStatus(const tend::Status& s) {
  if (s.ok()) return;
  if (s.code() != StatusCode::kInvalidArgument &&
      s.code() != StatusCode::kUnimplemented) {
    __builtin_trap();
  }
  if (s.message().empty()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;  // keep iterations fast; limits are tested
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static const Value* vars = new Value(Value::parse(R"({
    "s": "Hello", "n": 7, "f": 2.5, "l": [3, 1, 2], "e": [],
    "d": {"a": 1, "b": [1, {"c": null}]}, "t": true, "none_v": null,
    "users": [{"name": "x", "uid": 5}, {"name": "y", "uid": 3}]
  })"));
  jinja::ValueScope scope(vars);
  const tend::automate::SourcePos pos{"fuzz.yml", 3, 5};

  for (bool verbatim : {true, false}) {
    jinja::CompileOptions options;
    options.verbatim_strings_in_output_tags = verbatim;
    auto t = jinja::Compile(text, pos, options);
    if (!t.ok()) {
      CheckStatus(t.status());
      continue;
    }
    auto out = jinja::Render(**t, scope);
    if (!out.ok()) CheckStatus(out.status());
    auto v = jinja::Evaluate(**t, scope);
    if (!v.ok()) CheckStatus(v.status());
  }
  auto e = jinja::CompileExpression(text, pos);
  if (!e.ok()) {
    CheckStatus(e.status());
    return 0;
  }
  auto c = jinja::EvaluateCondition(**e, scope);
  if (!c.ok()) CheckStatus(c.status());
  auto r = jinja::Render(**e, scope);
  if (!r.ok()) CheckStatus(r.status());
  return 0;
}
