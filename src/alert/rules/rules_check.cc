#include "alert/rules/rules_check.h"

#include "alert/rules/rule_file.h"

namespace tend::alert {

int RunRulesCheck(const std::vector<std::string>& files, std::ostream& out,
                  std::ostream& err, QueryLanguage language) {
  if (files.empty()) {
    err << "usage: tend rules check FILE...\n";
    return 1;
  }
  int status = 0;
  for (const std::string& path : files) {
    out << "Checking " << path << "\n";
    Result<RuleFile> file = LoadRuleFile(path, language);
    if (file.ok()) {
      out << "  SUCCESS: " << file->RuleCount() << " rules found\n\n";
      continue;
    }
    status = 1;
    out.flush();
    err << "  FAILED:\n" << file.status().message() << "\n";
    err.flush();
    out << "\n";
  }
  return status;
}

}  // namespace tend::alert
