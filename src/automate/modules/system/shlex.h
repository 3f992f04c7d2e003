// Python's shlex.split (POSIX mode), which Ansible's command module uses
// to turn a free-form command line into argv.
#ifndef TEND_AUTOMATE_MODULES_SYSTEM_SHLEX_H_
#define TEND_AUTOMATE_MODULES_SYSTEM_SHLEX_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace tend::automate::sysmod {

// Words split on unquoted whitespace; '...' is literal, "..." allows \" and
// \\ (a backslash before anything else stays), and an unquoted backslash
// escapes the next character. kInvalidArgument "No closing quotation" or
// "No escaped character" as Python raises them.
Result<std::vector<std::string>> ShlexSplit(std::string_view text);

}  // namespace tend::automate::sysmod

#endif  // TEND_AUTOMATE_MODULES_SYSTEM_SHLEX_H_
