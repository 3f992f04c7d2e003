// Helpers shared by the system modules (command, user, cron, apt, ...):
// running programs on the target, reading optional files, and building
// results in Ansible's shapes. Everything acts through ctx.conn with the
// task's privilege, so the same code serves the local and SSH transports.
#ifndef TEND_AUTOMATE_MODULES_SYSTEM_SYSTEM_UTIL_H_
#define TEND_AUTOMATE_MODULES_SYSTEM_SYSTEM_UTIL_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "automate/modules/module.h"
#include "base/status.h"

namespace tend::automate::sysmod {

// Text files the modules read (passwd, fstab, crontabs) are small; this
// bounds what a broken or hostile target can make the controller hold.
inline constexpr size_t kMaxConfigFileBytes = 16 << 20;

// Runs argv on the target. An error only when it could not be started;
// a non-zero exit is in the ExecResult.
Result<ExecResult> Run(ModuleContext& ctx, std::vector<std::string> argv,
                       std::string stdin_data = "",
                       std::map<std::string, std::string> env = {});

// "useradd -m bob: exit 9: useradd: user 'bob' already exists": for a
// failed command's message, with stderr (or stdout when stderr is empty)
// trimmed.
std::string DescribeFailure(const std::vector<std::string>& argv,
                            const ExecResult& r);

// The file's text, or nullopt when it does not exist.
Result<std::optional<std::string>> ReadIfExists(ModuleContext& ctx,
                                                const std::string& path);

// True when `program` is found in the target's PATH.
Result<bool> HasProgram(ModuleContext& ctx, std::string_view program);

// Lines without their terminators; a final newline does not make an empty
// last line ("a\nb\n" and "a\nb" both give {a, b}).
std::vector<std::string> SplitLines(std::string_view text);
// Python's str.splitlines() on stdout (\n, \r\n and \r end lines).
std::vector<std::string> PyLines(std::string_view text);
std::vector<std::string> SplitWhitespace(std::string_view text);
std::string_view TrimSpace(std::string_view s);

// POSIX shell single-quoting ('it'\''s').
std::string ShellQuote(std::string_view s);

// A failed ModuleResult with msg.
ModuleResult Failed(std::string msg);

// Wall-clock time as Python's str(datetime.now()) prints it:
// "2024-01-02 03:04:05.123456" (local time, as Ansible's target reports).
std::string PyDateTime(int64_t unix_nanos);
// A duration as str(timedelta): "0:00:00.003655".
std::string PyTimeDelta(int64_t nanos);

// A content diff of one file (or pseudo-file) for --diff.
FileDiff MakeDiff(std::string before_header, std::string after_header,
                  std::string before, std::string after);

// Module factories (one file each; system_modules.cc lists them).
std::unique_ptr<Module> NewCommandModule();
std::unique_ptr<Module> NewShellModule();
std::unique_ptr<Module> NewUserModule();
std::unique_ptr<Module> NewGroupModule();
std::unique_ptr<Module> NewCronModule();
std::unique_ptr<Module> NewSysctlModule();
std::unique_ptr<Module> NewHostnameModule();
std::unique_ptr<Module> NewMountModule();
std::unique_ptr<Module> NewAuthorizedKeyModule();
std::unique_ptr<Module> NewAptModule();
std::unique_ptr<Module> NewServiceModule();
std::unique_ptr<Module> NewSystemdModule();

}  // namespace tend::automate::sysmod

#endif  // TEND_AUTOMATE_MODULES_SYSTEM_SYSTEM_UTIL_H_
