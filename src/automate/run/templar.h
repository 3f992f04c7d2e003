// Templating playbook values: compiled templates cached by text and
// position, and Expr/Value rendering with Ansible's rules (strings with
// template syntax are rendered, a lone "{{ x }}" keeps x's type, lists and
// mappings are rendered element by element, `omit` drops an argument).
#ifndef TEND_AUTOMATE_RUN_TEMPLAR_H_
#define TEND_AUTOMATE_RUN_TEMPLAR_H_

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "automate/jinja/jinja.h"
#include "automate/playbook/playbook.h"
#include "base/status.h"
#include "base/thread_annotations.h"

namespace tend::automate {

// Compiled templates shared by every host and task of a run. Thread-safe.
class TemplateCache {
 public:
  enum class Kind {
    kText,        // a playbook string ("{{ x }}/etc")
    kExpression,  // a bare expression (when:, until:, debug var=)
    kFile,        // a template file (template module): Jinja's own string
                  // escapes inside {{ }}, unlike playbook strings
  };
  // The compiled template for `text` written at `pos` (compiled on first
  // use).
  Result<std::shared_ptr<const jinja::Template>> Get(std::string_view text,
                                                     const SourcePos& pos,
                                                     Kind kind);

 private:
  Mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const jinja::Template>> cache_
      GUARDED_BY(mu_);
};

class Templar {
 public:
  explicit Templar(TemplateCache* cache) : cache_(cache) {}

  // Renders every template string in `v` (recursively) against `scope`.
  // A string that is exactly one {{ }} keeps its result's type. Mapping
  // entries whose value renders to the omit placeholder are dropped when
  // `drop_omitted`.
  Result<Value> Render(const Value& v, const SourcePos& pos,
                       jinja::Scope& scope, bool drop_omitted = false);
  Result<Value> Render(const Expr& e, jinja::Scope& scope) {
    if (e.unsafe) return e.value;
    return Render(e.value, e.pos, scope);
  }

  // A module's arguments: top-level entries rendered with the position of
  // each argument where known; omitted ones dropped.
  Result<Value> RenderArgs(
      const Expr& args,
      const std::vector<std::pair<std::string, SourcePos>>& arg_pos,
      jinja::Scope& scope);

  // A condition (when:, changed_when:, failed_when:, until:, assert's
  // that:): booleans as they are, strings as bare expressions.
  Result<bool> Condition(const Expr& e, jinja::Scope& scope);

  // Renders to text (task names, messages).
  Result<std::string> RenderText(const Expr& e, jinja::Scope& scope);

  TemplateCache* cache() { return cache_; }

 private:
  TemplateCache* cache_;
};

}  // namespace tend::automate

#endif  // TEND_AUTOMATE_RUN_TEMPLAR_H_
