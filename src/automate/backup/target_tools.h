// The standard programs the backup module runs on the target (tar, zstd,
// sha256sum, mktemp, sync), run through the connection with a fixed C
// locale and UTC so their output parses the same on every host.
#ifndef TEND_AUTOMATE_BACKUP_TARGET_TOOLS_H_
#define TEND_AUTOMATE_BACKUP_TARGET_TOOLS_H_

#include <string>
#include <string_view>
#include <vector>

#include "automate/transport/connection.h"
#include "base/status.h"

namespace tend::automate::backup {

// Runs argv (no shell) as `priv`. An error only when it could not be
// started; a non-zero exit is in the ExecResult.
Result<ExecResult> RunTool(Connection* conn, const Privilege& priv,
                           std::vector<std::string> argv,
                           std::string stdin_data = "");

// "tar --create ...: exit 2: tar: /x: Cannot open: Permission denied"
// (the program's name and its trimmed stderr, or stdout when that is
// empty; at most ~2 KB of it).
std::string DescribeFailure(std::string_view program, const ExecResult& r);

// sha256 of each path on the target, in order (one sha256sum run). An
// error when sha256sum fails (a missing file names itself in the message).
Result<std::vector<std::string>> Sha256Files(
    Connection* conn, const Privilege& priv,
    const std::vector<std::string>& paths);

// The compressor tar runs for --use-compress-program: "zstd -3" (tar adds
// -d itself to decompress).
std::string ZstdProgram(int level);

// "/a/b" + "c" -> "/a/b/c"; "/" + "c" -> "/c".
std::string JoinPath(std::string_view dir, std::string_view name);

}  // namespace tend::automate::backup

#endif  // TEND_AUTOMATE_BACKUP_TARGET_TOOLS_H_
