// tend rules check: validates Prometheus rule files as promtool does.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "alert/rules/rules_check.h"
#include "cli/commands.h"

namespace tend {

const std::string_view kRulesHelp = R"(NAME
    tend rules - check Prometheus rule files

SYNOPSIS
    tend rules check [--logql] FILE...

DESCRIPTION
    Loads every FILE as the agent would (docs/alerting-rules.md) and prints,
    as `promtool check rules` does, "SUCCESS: N rules found" per file or
    FAILED followed by every error with file:line:column, the group and the
    rule. Expressions are PromQL; one that is not PromQL but a LogQL metric
    query is a log rule. With --logql every expression must be LogQL (the
    files listed under alerting.log_rule_files).

EXIT STATUS
    0 every file is valid; 1 a file is not; 2 bad arguments.
)";

int RunRules(const ParsedFlags& flags) {
  if (flags.positional.empty() || flags.positional[0] != "check") {
    fprintf(stderr, "tend rules: want `tend rules check FILE...`\n");
    return kExitUsage;
  }
  std::vector<std::string> files(flags.positional.begin() + 1,
                                 flags.positional.end());
  if (files.empty()) {
    fprintf(stderr, "tend rules check: name at least one rule file\n");
    return kExitUsage;
  }
  return alert::RunRulesCheck(files, std::cout, std::cerr,
                              flags.Has("logql")
                                  ? alert::QueryLanguage::kLogQL
                                  : alert::QueryLanguage::kPromQL);
}

}  // namespace tend
