// The model of Prometheus rule files, as the loader (src/alert/rules)
// produces it and the evaluator (src/alert/engine) runs it.
#ifndef TEND_ALERT_RULE_H_
#define TEND_ALERT_RULE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "alert/template/template.h"

namespace tend::promql {
struct Expr;
}  // namespace tend::promql

namespace tend::alert {

// A position in a rule file (1-based; 0 when unknown).
struct SourcePos {
  std::string file;
  int line = 0;
  int column = 0;
};

enum class RuleKind { kRecord, kAlert };
// kLogQL: a LogQL metric query over the log store (a "log rule").
enum class QueryLanguage { kPromQL, kLogQL };

// One templated label or annotation: `name: text`, with `text` parsed.
struct TemplatedPair {
  std::string name;
  std::string text;                            // As written in the file.
  std::shared_ptr<const tmpl::Template> tmpl;  // Parsed `text`; never null.
  SourcePos pos;                               // Of the value.
};

struct Rule {
  RuleKind kind = RuleKind::kAlert;
  QueryLanguage language = QueryLanguage::kPromQL;
  std::string name;  // `record:` or `alert:`.
  std::string expr;  // As written.
  // kPromQL: the parsed expression (never null once loaded). kLogQL: null;
  // the evaluator parses `expr` with the LogQL parser.
  std::shared_ptr<const promql::Expr> promql;
  int64_t for_ms = 0;
  int64_t keep_firing_for_ms = 0;
  // Record rules: plain labels (templates are not expanded, as in
  // Prometheus). Alert rules: templated.
  std::vector<TemplatedPair> labels;
  std::vector<TemplatedPair> annotations;  // Alert rules only.
  SourcePos pos;       // Of the rule (its `- record:`/`- alert:` item).
  SourcePos expr_pos;  // Of the expr value.
};

struct RuleGroup {
  std::string name;
  std::string file;         // The file it was loaded from.
  int64_t interval_ms = 0;  // 0: the configured evaluation interval.
  int64_t limit = 0;        // 0: no limit on alerts/series per rule.
  int64_t query_offset_ms = 0;
  std::vector<Rule> rules;
  SourcePos pos;
};

struct RuleFile {
  std::string path;
  std::vector<RuleGroup> groups;
  size_t RuleCount() const {
    size_t n = 0;
    for (const RuleGroup& g : groups) n += g.rules.size();
    return n;
  }
};

}  // namespace tend::alert

#endif  // TEND_ALERT_RULE_H_
