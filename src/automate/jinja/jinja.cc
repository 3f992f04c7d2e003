// The public API: compiling, rendering, evaluating, conditions.
#include "automate/jinja/jinja.h"

#include <re2/re2.h>

#include <utility>

#include "automate/jinja/eval.h"
#include "automate/jinja/parser.h"
#include "automate/jinja/py_value.h"
#include "automate/jinja/string_util.h"
#include "automate/jinja/template.h"

namespace tend::automate::jinja {

Result<Value> Scope::CallLookup(std::string_view plugin,
                                const std::vector<Value>& args,
                                const Value& kwargs) {
  (void)plugin;
  (void)args;
  (void)kwargs;
  return NotFoundError("");
}

Result<std::optional<Value>> ValueScope::Lookup(std::string_view name) {
  const Value* v = Find(name);
  if (v == nullptr) return std::optional<Value>();
  return std::optional<Value>(*v);
}

const Value* ValueScope::Find(std::string_view name) {
  if (vars_ == nullptr || !vars_->is_object()) return nullptr;
  auto it = vars_->find(name);
  return it == vars_->end() ? nullptr : &*it;
}

bool IsTemplate(std::string_view text) {
  for (size_t i = text.find('{'); i != std::string_view::npos;
       i = text.find('{', i + 1)) {
    if (i + 1 < text.size() &&
        (text[i + 1] == '{' || text[i + 1] == '%' || text[i + 1] == '#')) {
      return true;
    }
  }
  return false;
}

Result<std::shared_ptr<const Template>> Compile(std::string_view text,
                                                const SourcePos& pos) {
  return Compile(text, pos, CompileOptions());
}

Result<std::shared_ptr<const Template>> Compile(std::string_view text,
                                                const SourcePos& pos,
                                                const CompileOptions& options) {
  if (text.size() > kMaxOutputBytes) {
    return PositionedError(pos, "", 0, "template larger than 64 MiB", "");
  }
  auto t = std::make_shared<Template>();
  t->pos = pos;
  t->text = std::string(text);
  RETURN_IF_ERROR(
      ParseTemplate(t.get(), options.verbatim_strings_in_output_tags));
  return std::shared_ptr<const Template>(std::move(t));
}

Result<std::shared_ptr<const Template>> CompileExpression(
    std::string_view expr, const SourcePos& pos) {
  if (expr.size() > kMaxOutputBytes) {
    return PositionedError(pos, "", 0, "expression larger than 64 MiB", "");
  }
  auto t = std::make_shared<Template>();
  t->pos = pos;
  t->text = std::string(expr);
  RETURN_IF_ERROR(ParseExpressionTemplate(t.get()));
  return std::shared_ptr<const Template>(std::move(t));
}

namespace {

int TrailingNewlines(std::string_view s) {
  int n = 0;
  size_t i = s.size();
  while (i > 0 && s[i - 1] == '\n') {
    ++n;
    --i;
    if (i > 0 && s[i - 1] == '\r') --i;
  }
  return n;
}

// Whether the template's text ends an expression with one of Ansible's
// string-type filters (string, to_json, to_nice_json, to_yaml,
// to_nice_yaml, ppretty, json): Ansible leaves such output as text
// (Templar's _no_type_regex), so `content: "{{ x | to_nice_json }}"` stays
// the JSON text.
bool EndsInStringFilter(const std::string& source) {
  static const RE2* re = new RE2(
      R"(\|\s*(?:string|to_json|to_nice_json|to_yaml|to_nice_yaml|ppretty|)"
      R"(json)(?:\([^|]*\))?\s*\)?\s*(?:\}\}|-\}\}))");
  return RE2::PartialMatch(source, *re);
}

// Ansible's templar turns output that looks like a list, a dict or a
// boolean back into one (ast.literal_eval with JSON's true/false/null),
// unless the template ends in a string-type filter.
Value AnsibleConvert(std::string text, const std::string& source) {
  if (((!text.empty() && (text[0] == '[' || text[0] == '{')) ||
       text == "True" || text == "False") &&
      !EndsInStringFilter(source)) {
    if (auto v = LiteralEval(text)) return *std::move(v);
  }
  return Value(std::move(text));
}

}  // namespace

Result<std::string> Render(const Template& t, Scope& scope) {
  Evaluator ev(t, scope);
  if (t.expression_mode) {
    ASSIGN_OR_RETURN(Value v, ev.EvalSingle());
    return v.is_null() ? std::string() : PyStr(v);
  }
  std::string out;
  RETURN_IF_ERROR(ev.RenderBody(&out));
  const int have = TrailingNewlines(out);
  if (have < t.trailing_newlines) {
    out.append(static_cast<size_t>(t.trailing_newlines - have), '\n');
  }
  return out;
}

Result<Value> Evaluate(const Template& t, Scope& scope) {
  if (t.expression_mode) {
    Evaluator ev(t, scope);
    return ev.EvalSingle();
  }
  if (t.single_output && t.trailing_newlines == 0) {
    Evaluator ev(t, scope);
    ASSIGN_OR_RETURN(Value v, ev.EvalSingle());
    if (v.is_null()) return Value("");
    if (v.is_string()) return AnsibleConvert(v.get<std::string>(), t.text);
    // Ansible 2.14 (no native types) hands numbers on as their text:
    // "{{ 3 }}" is the string "3"; lists, mappings and booleans keep
    // their type.
    if (v.is_number()) return Value(PyStr(v));
    return v;
  }
  ASSIGN_OR_RETURN(std::string text, Render(t, scope));
  return AnsibleConvert(std::move(text), t.text);
}

Result<bool> EvaluateCondition(const Template& t, Scope& scope) {
  ASSIGN_OR_RETURN(Value v, Evaluate(t, scope));
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_string()) {
    const std::string s = AsciiLower(v.get<std::string>());
    if (s == "true" || s == "yes") return true;
    if (s == "false" || s == "no") return false;
  }
  std::string repr = PyRepr(v);
  if (repr.size() > 80) repr = repr.substr(0, 77) + "...";
  const uint32_t offset = t.expression_mode ? t.expr_base : 0;
  return PositionedError(
      t.pos, t.text, offset,
      "the condition must be a boolean, got " + std::string(PyTypeName(v)) +
          " " + repr +
          " (compare it explicitly, e.g. 'x | bool' or 'x | length > 0')",
      t.text);
}

const SourcePos& PosOf(const Template& t) { return t.pos; }
const std::string& TextOf(const Template& t) { return t.text; }

}  // namespace tend::automate::jinja
