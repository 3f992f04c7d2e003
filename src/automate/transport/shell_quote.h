// Quoting for a POSIX shell on the far side of a connection (SSH runs
// every command through the login user's shell, so argv must be turned
// into one command line that the shell splits back into the same words).
#ifndef TEND_AUTOMATE_TRANSPORT_SHELL_QUOTE_H_
#define TEND_AUTOMATE_TRANSPORT_SHELL_QUOTE_H_

#include <string>
#include <string_view>
#include <vector>

namespace tend::automate {

// One word for sh: unchanged when it is made only of characters no shell
// treats specially (letters, digits, and _@%+=:,./-), else in single
// quotes with each ' written as '\''. The empty string becomes ''.
std::string ShellQuote(std::string_view word);

// The words quoted and joined by single spaces.
std::string ShellJoin(const std::vector<std::string>& argv);

}  // namespace tend::automate

#endif  // TEND_AUTOMATE_TRANSPORT_SHELL_QUOTE_H_
