// Prometheus's alert template language: the subset of Go's text/template
// (with Prometheus's functions) that alert rules use in labels and
// annotations, e.g.
//   "{{ $labels.instance }} is {{ $value | humanizePercentage }} full"
//
// Supported: text and {{ actions }} with trim markers ({{- -}}), comments,
// pipelines with |, variables ($labels, $value, $externalLabels,
// $externalURL, $ and user variables with := and =), field and map access
// (.Labels.x, $labels.x, index), if/else if/else, range (over maps and
// lists, with $k, $v :=), with, and/or/not, eq/ne/lt/le/gt/ge, len, print,
// printf, println, html, js, urlquery, and Prometheus's functions: humanize,
// humanize1024, humanizeDuration, humanizePercentage, humanizeTimestamp,
// title, toUpper, toLower, match, reReplaceAll, label, value, first, args,
// safeHtml, stripPort, stripDomain, parseDuration, toTime, pathPrefix,
// externalURL, sortByLabel. `query` is not supported (an error at parse
// time naming it).
//
// Errors: Parse reports the template name, line and column and what was
// expected; Execute reports run-time errors (a missing function argument,
// a bad index) with the action's position. Output is capped (a runaway
// range is an error, not an out-of-memory).
//
// Thread-safety: a parsed Template is immutable; Execute may run
// concurrently.
#ifndef TEND_ALERT_TEMPLATE_TEMPLATE_H_
#define TEND_ALERT_TEMPLATE_TEMPLATE_H_

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "model/labels.h"

namespace tend::tmpl {

// What a rule's templates see.
struct TemplateData {
  const Labels* labels = nullptr;  // $labels / .Labels; may be null (empty).
  double value = 0;                // $value / .Value.
  const Labels* external_labels = nullptr;  // $externalLabels.
  std::string_view external_url;            // $externalURL.
};

class Template {
 public:
  // Parses `text`. `name` appears in error messages (e.g. the rule file
  // and field: "rules.yml:12: annotations.summary").
  static Result<std::shared_ptr<const Template>> Parse(std::string_view name,
                                                       std::string_view text);
  virtual ~Template() = default;

  // Executes against `data`. Never throws, never crashes.
  virtual Result<std::string> Execute(const TemplateData& data) const = 0;

  // True when the text has no actions (Execute returns it unchanged).
  virtual bool IsPlainText() const = 0;

  // At most this many bytes of output.
  static constexpr size_t kMaxOutputBytes = 64 * 1024;
};

}  // namespace tend::tmpl

#endif  // TEND_ALERT_TEMPLATE_TEMPLATE_H_
