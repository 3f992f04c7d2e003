// The Jinja2 that playbooks use: {{ expressions }}, {% if %}, {% for %},
// {% set %}, {# comments #}, filters, tests, and Ansible's lookups.
//
// A template is compiled once (Compile) and rendered many times against a
// Scope that supplies variables lazily: Ansible templates variables on use,
// so a variable whose value is itself a template string is rendered when it
// is read, by the Scope (see automate/run/vars.h).
//
// Values follow Python's semantics where playbooks can see the difference:
// int and float, truthiness, str() of lists and dicts ("['a', 'b']",
// "{'k': 1}", "True", "None"), integer division, comparisons.
//
// Errors (undefined variables, unknown filters, type errors, syntax errors)
// are kInvalidArgument with "file:line:column: message in \"expression\"",
// where the position is that of the offending expression in the source file
// (the template's own position plus the offset inside it; exact for text on
// one line, the template's start otherwise).
#ifndef TEND_AUTOMATE_JINJA_JINJA_H_
#define TEND_AUTOMATE_JINJA_JINJA_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "automate/value.h"
#include "base/status.h"

namespace tend::automate::jinja {

// The placeholder Ansible's `omit` variable evaluates to; a module argument
// equal to it is dropped (the executor does that, not the engine).
inline constexpr std::string_view kOmitPlaceholder =
    "__omit_place_holder__tend";

// Variables for one rendering. Implementations decide lookup order and may
// render nested templates on access (with their own cycle detection).
class Scope {
 public:
  virtual ~Scope() = default;
  // The variable's value; nullopt when it is not defined; an error when
  // producing the value failed (a nested template's error, a cycle).
  virtual Result<std::optional<Value>> Lookup(std::string_view name) = 0;
  // Optional fast path, tried before Lookup: the variable's value when the
  // Scope holds it materialized and it stays valid and unchanged for the
  // whole rendering (no copy is made); nullptr to use Lookup.
  virtual const Value* Find(std::string_view name) {
    (void)name;
    return nullptr;
  }
  // Ansible's lookup('name', args...) / query(...): 'env', 'file',
  // 'template', 'pipe', 'vars', 'first_found', 'fileglob' ... A Scope that
  // does not know `plugin` returns kNotFound; the engine then reports
  // "lookup plugin 'x' is not supported" at the call's position.
  virtual Result<Value> CallLookup(std::string_view plugin,
                                   const std::vector<Value>& args,
                                   const Value& kwargs);
};

// A Scope over one mapping Value (tests, simple uses); unknown lookups are
// kNotFound.
class ValueScope : public Scope {
 public:
  explicit ValueScope(const Value* vars) : vars_(vars) {}
  Result<std::optional<Value>> Lookup(std::string_view name) override;
  const Value* Find(std::string_view name) override;

 private:
  const Value* vars_;
};

class Template;  // compiled; immutable and shareable across threads

// True when `text` contains template syntax ("{{", "{%" or "{#"); text
// without it renders as itself and needs no compiling.
bool IsTemplate(std::string_view text);

// How template text is read.
struct CompileOptions {
  // Ansible's templar, for strings of playbooks and variables, keeps the
  // backslashes of string literals inside {{ }} verbatim (YAML already
  // processed escapes: '\\1' in a YAML double-quoted string reaches the
  // regex as \1). Template files (the template module) use Jinja's own
  // escapes (\n is a newline): set false for them. {% %} tags and bare
  // expressions always use Jinja's escapes, as in Ansible.
  bool verbatim_strings_in_output_tags = true;
};

// Compiles template text found at `pos`.
Result<std::shared_ptr<const Template>> Compile(std::string_view text,
                                                const SourcePos& pos);
Result<std::shared_ptr<const Template>> Compile(std::string_view text,
                                                const SourcePos& pos,
                                                const CompileOptions& options);

// Compiles a bare expression (a `when:`, `until:`, `changed_when:`,
// `failed_when:` string, or `that:` item of assert), written without braces.
// A string that is itself wrapped in "{{ }}" is accepted too, as Ansible
// does (with the same result).
Result<std::shared_ptr<const Template>> CompileExpression(std::string_view expr,
                                                          const SourcePos& pos);

// Renders to text (Python str() of each {{ }} result).
Result<std::string> Render(const Template& t, Scope& scope);

// Renders to a value, as Ansible's templar does: a template that is
// exactly one "{{ expr }}" yields the expression's value with its type
// when it is a list, mapping or boolean; a number yields its text ("3")
// and None gives "", as in Ansible 2.14. Text output, and a string value, that
// starts with '[' or '{' or is "True"/"False" is read back as a Python
// literal when it is one (Ansible's literal_eval). A compiled expression
// (CompileExpression) yields its value unconverted.
Result<Value> Evaluate(const Template& t, Scope& scope);

// Evaluates a compiled expression as a condition. Strict booleans: the
// result must be a boolean (or the strings "true"/"false"/"yes"/"no" in any
// case, which is what a "{{ x }}" rendering of a bool gives); anything else
// is an error naming the value and its type.
Result<bool> EvaluateCondition(const Template& t, Scope& scope);

// The template's source position and text, for messages.
const SourcePos& PosOf(const Template& t);
const std::string& TextOf(const Template& t);

// Python's str() of a value: what {{ x }} prints inside text.
std::string PyStr(const Value& v);
// Python's repr() (strings quoted with ' as Python chooses).
std::string PyRepr(const Value& v);
// Python truthiness.
bool Truthy(const Value& v);

}  // namespace tend::automate::jinja

#endif  // TEND_AUTOMATE_JINJA_JINJA_H_
