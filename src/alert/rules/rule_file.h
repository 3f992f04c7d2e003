// Loading Prometheus rule files (the format of Prometheus's rule_files, read
// unchanged) into the model of alert/rule.h, with promtool's validation.
//
//   groups:
//     - name: node
//       interval: 30s
//       rules:
//         - alert: HostDown
//           expr: up{job="node"} == 0
//           for: 5m
//           labels: {severity: critical}
//           annotations:
//             summary: "{{ $labels.instance }} is down"
//
// Every problem in a file is reported, not only the first, each as
//   rules.yml:12:11: group "node", rule 3 (alert HostDown): could not parse
//   expr: unexpected <op:=> ...
// with the position of the offending value; a parse error inside an expr or
// template points at the offending character in the file when the value is
// a plain, simply quoted or block scalar.
//
// Query language: in a file loaded with kPromQL an expr that is not PromQL
// but is a LogQL metric query is a log rule (Rule::language = kLogQL); in a
// file loaded with kLogQL every expr must be a LogQL metric query.
//
// Thread-safety: the functions are pure (LoadRuleFile reads the file).
#ifndef TEND_ALERT_RULES_RULE_FILE_H_
#define TEND_ALERT_RULES_RULE_FILE_H_

#include <string>
#include <string_view>

#include "alert/rule.h"
#include "base/status.h"

namespace tend::alert {

// Rule files larger than this are refused (a clear error, nothing parsed).
inline constexpr size_t kMaxRuleFileBytes = 16 << 20;
// Work bound against YAML aliases that repeat large groups: rules plus
// labels plus annotations counted over the whole file.
inline constexpr size_t kMaxRuleFileItems = 1000000;

// Reads and parses the file at `path`. Fails with kNotFound /
// kPermissionDenied when it cannot be read, kInvalidArgument listing every
// error (one per line, "path:line:column: where: what", at most
// ConfigErrors::kMaxReported then "... and N more errors").
Result<RuleFile> LoadRuleFile(
    const std::string& path,
    QueryLanguage default_language = QueryLanguage::kPromQL);

// The same over text already in memory; `path` names it in errors.
Result<RuleFile> ParseRuleFile(
    std::string_view text, const std::string& path,
    QueryLanguage default_language = QueryLanguage::kPromQL);

}  // namespace tend::alert

#endif  // TEND_ALERT_RULES_RULE_FILE_H_
