// Helpers shared by the file modules (file, copy, template, lineinfile,
// blockinfile, replace, stat): Ansible's mode syntax, owner and group
// through the target's names, attribute changes with check mode and diff,
// checksums, backups and validated atomic writes. Everything acts through
// ctx.conn with the task's privilege.
#ifndef TEND_AUTOMATE_MODULES_FILES_FILE_COMMON_H_
#define TEND_AUTOMATE_MODULES_FILES_FILE_COMMON_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "automate/modules/module.h"
#include "base/status.h"

namespace tend::automate::filemod {

// The largest file a module reads into memory (content modules, checksums).
inline constexpr size_t kMaxFileBytes = 256u << 20;
// Ansible's max_file_size_for_diff: larger files show no content diff.
inline constexpr size_t kMaxDiffBytes = 104448;

// The common file parameters (mode, owner, group, unsafe_writes accepted
// and ignored; selinux ones are not supported) appended to a module's.
void AddFileCommonParams(std::vector<ParamSpec>* params);

// Ansible's mode: an integer is the mode's value as it is (YAML 0644 is
// 420, and 644 is 0o1204 as in Ansible); a string is octal ("0644", "644")
// or symbolic ("u=rw,g=r,o=", "u+x,g-w", "a+rX", "+x" using `umask`),
// applied to `current` (X depends on `is_dir` and current's x bits).
// kInvalidArgument "mode must be in octal or symbolic form: ..." otherwise.
Result<uint32_t> ParseMode(const Value& mode, uint32_t current, bool is_dir,
                           uint32_t umask);
// "0644", "04755": Python's '0%03o'.
std::string ModeString(uint32_t mode);

// The target's umask (from `umask` in a shell on the target).
uint32_t TargetUmask(ModuleContext& ctx);

// ParseMode with the target's umask, asked for only when a symbolic mode
// without a class ("+x") needs it.
Result<uint32_t> ResolveMode(ModuleContext& ctx, const Value& mode,
                             uint32_t current, bool is_dir);

// What an attribute pass did, for the module's result and diff.
struct AttrOutcome {
  bool changed = false;
  Value before = Value::object();  // {"mode": "0644", "owner": 0, ...}
  Value after = Value::object();
};

// Applies args' mode/owner/group to `path` (follow: act on a symlink's
// target) when they differ, in Ansible's order (owner, group, mode). In
// check mode only predicts; a path missing in check mode counts as changed
// when any attribute is given (it would be created first). Errors: an
// unknown user/group ("chown failed: failed to look up user X"), a bad
// mode, a failed chmod/chown.
Result<AttrOutcome> ApplyFileAttrs(ModuleContext& ctx, const std::string& path,
                                   const Value& args, bool follow);

// The attributes args ask for a file about to be written whose current
// mode is `current_mode` (0 when new): for WriteFile's FileAttrs.
Result<FileAttrs> WantedAttrs(ModuleContext& ctx, const Value& args,
                              uint32_t current_mode, bool is_dir);

// Ansible's add_path_info: uid, gid, owner, group (of the target when
// following), mode and size (of the path itself), state.
void AddPathInfo(ModuleContext& ctx, const std::string& path, Value* data);

// Expands a leading "~" or "~user" through the target's home directories.
Result<std::string> ExpandUser(ModuleContext& ctx, const std::string& path);

// The target's realpath of `path` (symlinks resolved component by
// component; a missing tail is kept as it is).
Result<std::string> RealPath(ModuleContext& ctx, const std::string& path);

// Lowercase hex digests.
std::string Sha1Hex(std::string_view data);
std::string Md5Hex(std::string_view data);
// "sha1", "sha224", "sha256", "sha384", "sha512", "md5"; nullopt if unknown.
std::optional<std::string> DigestHex(std::string_view algorithm,
                                     std::string_view data);

// Copies `path` to "PATH.PID.YYYY-MM-DD@HH:MM:SS~" (local time), keeping
// its mode, owner and times as Ansible's backup_local does; returns the
// backup's path.
Result<std::string> BackupFile(ModuleContext& ctx, const std::string& path);

// Writes `content` over `path` atomically. With `validate` ("visudo -cf
// %s"), the content is first written to a temporary file beside `path`,
// the command runs on it (argv split shell-like, no shell), and only a
// zero exit renames it over `path`; otherwise the temporary is removed and
// the error is "failed to validate: rc:N error:STDERR".
Status WriteValidated(ModuleContext& ctx, const std::string& path,
                      std::string_view content, const FileAttrs& attrs,
                      const std::string& validate);

// Splits a command line into words: whitespace separates, '...' and
// "..." quote, backslash escapes (outside single quotes).
Result<std::vector<std::string>> SplitCommand(std::string_view cmd);

// "dir/x" -> "dir", "x" -> "", "/x" -> "/".
std::string Dirname(std::string_view path);
std::string Basename(std::string_view path);
std::string JoinPath(std::string_view dir, std::string_view name);

// Text fit for a content diff: not larger than kMaxDiffBytes, no NUL.
bool DiffableText(std::string_view s);

// A content diff entry ("before_header"/"after_header" as given).
FileDiff ContentDiff(std::string before_header, std::string after_header,
                     std::string before, std::string after);
// A state diff (dicts printed as Ansible prints them: JSON, sorted keys,
// 4-space indent) when before != after; nullopt otherwise.
std::optional<FileDiff> StateDiff(const Value& before, const Value& after);

// A failed ModuleResult with msg (and path in data when given).
ModuleResult Fail(std::string msg, std::string path = "");

// Content modules (lineinfile, blockinfile, replace): writes `content`
// over the realpath of `path` (validate and backup as asked; attributes
// kept, or the umask default for a new file). Returns the backup's path
// or "". Nothing happens in check mode.
Result<std::string> WriteContent(ModuleContext& ctx, const Value& args,
                                 const std::string& path,
                                 std::string_view content, bool exists);

// Ansible's check_file_attrs: applies mode/owner/group, and when they
// changed sets *changed and appends "ownership, perms or SE linux context
// changed" to *msg (after " and " when msg is not empty). Adds the state
// diff to `diffs` when ctx.diff.
Status CheckFileAttrs(ModuleContext& ctx, const Value& args,
                      const std::string& path, bool* changed, std::string* msg,
                      std::vector<FileDiff>* diffs);

// Python's readlines(): lines with their "\n" kept.
std::vector<std::string> SplitLinesKeep(std::string_view text);

// What copy and template put at a destination: the bytes and where they
// came from.
struct PutSource {
  std::string content;
  std::string display;           // "src" in results, headers in diffs
  std::optional<uint32_t> mode;  // the source's mode, for mode=preserve
};

// copy's single-file logic (also template's): resolves dest (a directory
// or trailing "/" gets the source's basename), compares checksums, honours
// force/backup/validate/follow/checksum, writes atomically with the final
// attributes, and returns Ansible's copy results and diff.
Result<ModuleResult> PutFile(ModuleContext& ctx, const Value& args,
                             const PutSource& src, std::string dest,
                             bool from_content);

// Factories (one file each; file_modules.cc lists them).
std::unique_ptr<Module> NewFileModule();
std::unique_ptr<Module> NewCopyModule();
std::unique_ptr<Module> NewTemplateModule();
std::unique_ptr<Module> NewLineinfileModule();
std::unique_ptr<Module> NewBlockinfileModule();
std::unique_ptr<Module> NewReplaceModule();
std::unique_ptr<Module> NewStatModule();

}  // namespace tend::automate::filemod

#endif  // TEND_AUTOMATE_MODULES_FILES_FILE_COMMON_H_
