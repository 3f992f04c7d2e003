// `tend rules check FILE...`: validates rule files the way
// `promtool check rules` does and prints in its shape:
//
//   Checking rules.yml
//     SUCCESS: 12 rules found
//
//   Checking bad.yml
//     FAILED:
//   bad.yml:7:15: group "node", rule 2 (alert HostDown): could not parse expr:
//   ...
//
// "Checking" and SUCCESS lines go to `out`; FAILED and the errors to `err`.
#ifndef TEND_ALERT_RULES_RULES_CHECK_H_
#define TEND_ALERT_RULES_RULES_CHECK_H_

#include <ostream>
#include <string>
#include <vector>

#include "alert/rule.h"

namespace tend::alert {

// Checks every file (all of them, also after a failure) with
// `language` as the default query language (kLogQL for log rule files).
// Returns the process exit status: 0 when every file is valid, 1 when any
// is not (or when `files` is empty, with a usage message on `err`).
int RunRulesCheck(const std::vector<std::string>& files, std::ostream& out,
                  std::ostream& err,
                  QueryLanguage language = QueryLanguage::kPromQL);

}  // namespace tend::alert

#endif  // TEND_ALERT_RULES_RULES_CHECK_H_
