#include "automate/transport/local_sudo.h"

#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "base/file_util.h"

namespace tend::automate::sudo_files {
namespace {

std::string Octal(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0%o", v);
  return buf;
}

// "@SEC.NSEC" for touch -d, or "now" for -1.
std::string TouchTime(int64_t ns) {
  if (ns == -1) return "now";
  int64_t sec = ns / 1000000000;
  int64_t rem = ns % 1000000000;
  if (rem < 0) {
    rem += 1000000000;
    --sec;
  }
  char buf[48];
  std::snprintf(buf, sizeof(buf), "@%lld.%09lld", static_cast<long long>(sec),
                static_cast<long long>(rem));
  return buf;
}

bool ParseU64(std::string_view s, int base, uint64_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out, base);
  return ec == std::errc() && p == s.data() + s.size();
}

// "1795652039.757231171" -> nanoseconds.
bool ParseTimeNs(std::string_view s, int64_t* out) {
  bool neg = !s.empty() && s[0] == '-';
  if (neg) s.remove_prefix(1);
  size_t dot = s.find('.');
  uint64_t sec = 0, frac = 0;
  if (!ParseU64(s.substr(0, dot), 10, &sec)) return false;
  if (dot != std::string_view::npos) {
    std::string f(s.substr(dot + 1));
    f.resize(9, '0');
    if (!ParseU64(f, 10, &frac)) return false;
  }
  int64_t v =
      static_cast<int64_t>(sec) * 1000000000 + static_cast<int64_t>(frac);
  *out = neg ? -v : v;
  return true;
}

FileType TypeFromMode(uint32_t m) {
  switch (m & S_IFMT) {
    case S_IFREG:
      return FileType::kFile;
    case S_IFDIR:
      return FileType::kDirectory;
    case S_IFLNK:
      return FileType::kSymlink;
    default:
      return FileType::kOther;
  }
}

Status Run(const ScriptRunner& run, std::string_view what,
           const std::string& script, std::vector<std::string> args,
           std::string stdin_data = "") {
  Result<ExecResult> r =
      run(what, script, std::move(args), std::move(stdin_data));
  return r.ok() ? Status::Ok() : r.status();
}

}  // namespace

Status ScriptError(std::string_view what, const ExecResult& r) {
  std::string err = r.err;
  while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) {
    err.pop_back();
  }
  if (err.empty()) {
    err = r.timed_out ? "timed out"
                      : "exited with status " + std::to_string(r.exit_code);
  }
  std::string msg = std::string(what) + ": " + err;
  if (err.find("No such file") != std::string::npos) {
    return NotFoundError(std::move(msg));
  }
  if (err.find("Permission denied") != std::string::npos ||
      err.find("not permitted") != std::string::npos ||
      err.find("password is required") != std::string::npos) {
    return PermissionDeniedError(std::move(msg));
  }
  if (err.find("File exists") != std::string::npos) {
    return AlreadyExistsError(std::move(msg));
  }
  return FailedPreconditionError(std::move(msg));
}

Result<FileStat> Stat(const ScriptRunner& run, const std::string& path,
                      bool follow) {
  // Prints "missing", or the stat line and (not following) the link text.
  const std::string script =
      follow ? "if [ ! -e \"$1\" ]; then echo missing; exit 0; fi\n"
               "stat -L -c '%f %u %g %s %.9Y %.9X %i %d %h' -- \"$1\"\n"
             : "if [ ! -e \"$1\" ] && [ ! -L \"$1\" ]; then echo missing; "
               "exit 0; fi\n"
               "stat -c '%f %u %g %s %.9Y %.9X %i %d %h' -- \"$1\" || exit 1\n"
               "if [ -L \"$1\" ]; then readlink -- \"$1\"; fi\n";
  ASSIGN_OR_RETURN(ExecResult r, run("stat " + path, script, {path}, ""));
  FileStat st;
  std::string_view out = r.out;
  if (out.starts_with("missing")) return st;
  size_t nl = out.find('\n');
  std::string_view line = out.substr(0, nl);
  std::vector<std::string_view> f;
  while (!line.empty()) {
    size_t sp = line.find(' ');
    f.push_back(line.substr(0, sp));
    if (sp == std::string_view::npos) break;
    line.remove_prefix(sp + 1);
  }
  uint64_t mode = 0, uid = 0, gid = 0, size = 0, ino = 0, dev = 0, nlink = 0;
  if (f.size() != 9 || !ParseU64(f[0], 16, &mode) ||
      !ParseU64(f[1], 10, &uid) || !ParseU64(f[2], 10, &gid) ||
      !ParseU64(f[3], 10, &size) || !ParseTimeNs(f[4], &st.mtime_ns) ||
      !ParseTimeNs(f[5], &st.atime_ns) || !ParseU64(f[6], 10, &ino) ||
      !ParseU64(f[7], 10, &dev) || !ParseU64(f[8], 10, &nlink)) {
    return InternalError("stat " + path + ": unexpected output '" +
                         std::string(out.substr(0, nl)) + "'");
  }
  st.type = TypeFromMode(static_cast<uint32_t>(mode));
  st.mode = static_cast<uint32_t>(mode) & 07777;
  st.uid = static_cast<uint32_t>(uid);
  st.gid = static_cast<uint32_t>(gid);
  st.size = size;
  st.inode = ino;
  st.dev = dev;
  st.nlink = static_cast<uint32_t>(nlink);
  if (st.type == FileType::kSymlink && nl != std::string_view::npos) {
    std::string_view rest = out.substr(nl + 1);
    if (rest.ends_with('\n')) rest.remove_suffix(1);
    st.link_target = std::string(rest);
  }
  return st;
}

Result<std::string> ReadFile(const ScriptRunner& run, const std::string& path,
                             size_t max_bytes) {
  const std::string script =
      "if [ -d \"$1\" ]; then echo \"$1: Is a directory\" >&2; exit 1; fi\n"
      "exec head -c \"$2\" -- \"$1\"\n";
  ASSIGN_OR_RETURN(
      ExecResult r,
      run("read " + path, script, {path, std::to_string(max_bytes + 1)}, ""));
  if (r.out.size() > max_bytes) {
    return ResourceExhaustedError(path + ": the file is larger than " +
                                  std::to_string(max_bytes) +
                                  " bytes, the limit for reading it");
  }
  return std::move(r.out);
}

Status WriteFile(const ScriptRunner& run, const std::string& path,
                 std::string content, const FileAttrs& attrs) {
  // $2 owner ("+UID:+GID", "+UID", ":+GID" or ""), $3 mode ("" = keep the
  // old file's or the umask default).
  const std::string script =
      "set -e\n"
      "d=$(dirname -- \"$1\")\n"
      "t=$(mktemp -- \"$d/.tend-XXXXXXXXXX\")\n"
      "trap 'rm -f -- \"$t\"' EXIT\n"
      "cat > \"$t\"\n"
      "if [ -n \"$2\" ]; then chown -- \"$2\" \"$t\"\n"
      "elif [ -f \"$1\" ]; then chown --reference=\"$1\" -- \"$t\" "
      "2>/dev/null || true; fi\n"
      "if [ -n \"$3\" ]; then chmod -- \"$3\" \"$t\"\n"
      "elif [ -f \"$1\" ]; then chmod --reference=\"$1\" -- \"$t\"\n"
      "else chmod -- \"$(printf %o $((0666 & ~0$(umask))))\" \"$t\"; fi\n"
      "sync -- \"$t\"\n"
      "mv -f -- \"$t\" \"$1\"\n";
  std::string owner;
  if (attrs.uid) owner = "+" + std::to_string(*attrs.uid);
  if (attrs.gid) owner += ":+" + std::to_string(*attrs.gid);
  std::string mode = attrs.mode ? Octal(*attrs.mode) : "";
  return Run(run, "write " + path, script, {path, owner, mode},
             std::move(content));
}

Status SetAttrs(const ScriptRunner& run, const std::string& path,
                const FileAttrs& attrs, bool follow) {
  const std::string script =
      "set -e\n"
      "if [ -n \"$2\" ]; then\n"
      "  if [ \"$4\" = follow ]; then chown -- \"$2\" \"$1\";\n"
      "  else chown -h -- \"$2\" \"$1\"; fi\n"
      "fi\n"
      "if [ -n \"$3\" ]; then\n"
      "  if [ \"$4\" = follow ] || [ ! -L \"$1\" ]; then "
      "chmod -- \"$3\" \"$1\"; fi\n"
      "fi\n";
  std::string owner;
  if (attrs.uid) owner = "+" + std::to_string(*attrs.uid);
  if (attrs.gid) owner += ":+" + std::to_string(*attrs.gid);
  std::string mode = attrs.mode ? Octal(*attrs.mode) : "";
  return Run(run, "set attributes of " + path, script,
             {path, owner, mode, follow ? "follow" : "nofollow"});
}

Status MakeDir(const ScriptRunner& run, const std::string& path,
               uint32_t mode) {
  const std::string script =
      "if [ -e \"$1\" ] || [ -L \"$1\" ]; then echo \"$1: File exists\" >&2; "
      "exit 1; fi\n"
      "exec mkdir -m \"$(printf %o $(($2 & ~0$(umask))))\" -- \"$1\"\n";
  return Run(run, "mkdir " + path, script, {path, Octal(mode)});
}

Status Symlink(const ScriptRunner& run, const std::string& target,
               const std::string& path) {
  const std::string script =
      "d=$(dirname -- \"$2\")\n"
      "t=$(mktemp -u -- \"$d/.tend-XXXXXXXXXX\") || exit 1\n"
      "ln -s -- \"$1\" \"$t\" || exit 1\n"
      "mv -Tf -- \"$t\" \"$2\" || { rm -f -- \"$t\"; exit 1; }\n";
  return Run(run, "symlink " + path, script, {target, path});
}

Status HardLink(const ScriptRunner& run, const std::string& target,
                const std::string& path) {
  const std::string script =
      "if [ \"$1\" -ef \"$2\" ]; then exit 0; fi\n"
      "d=$(dirname -- \"$2\")\n"
      "t=$(mktemp -u -- \"$d/.tend-XXXXXXXXXX\") || exit 1\n"
      "ln -- \"$1\" \"$t\" || exit 1\n"
      "mv -Tf -- \"$t\" \"$2\" || { rm -f -- \"$t\"; exit 1; }\n";
  return Run(run, "hard link " + path, script, {target, path});
}

Status Remove(const ScriptRunner& run, const std::string& path,
              bool recursive) {
  const std::string script = recursive
                                 ? "exec rm -rf -- \"$1\"\n"
                                 : "if [ -d \"$1\" ] && [ ! -L \"$1\" ]; then "
                                   "exec rmdir -- \"$1\"; fi\n"
                                   "exec rm -f -- \"$1\"\n";
  return Run(run, "remove " + path, script, {path});
}

Status Rename(const ScriptRunner& run, const std::string& from,
              const std::string& to) {
  return Run(run, "rename " + from, "exec mv -Tf -- \"$1\" \"$2\"\n",
             {from, to});
}

Status SetTimes(const ScriptRunner& run, const std::string& path,
                int64_t atime_ns, int64_t mtime_ns) {
  const std::string script =
      "set -e\n"
      "if [ \"$2\" = now ]; then touch -c -a -- \"$1\"; "
      "else touch -c -a -d \"$2\" -- \"$1\"; fi\n"
      "if [ \"$3\" = now ]; then touch -c -m -- \"$1\"; "
      "else touch -c -m -d \"$3\" -- \"$1\"; fi\n";
  return Run(run, "set times of " + path, script,
             {path, TouchTime(atime_ns), TouchTime(mtime_ns)});
}

Result<std::vector<DirEntry>> ListDir(const ScriptRunner& run,
                                      const std::string& path) {
  const std::string script =
      "cd -- \"$1\" || exit 1\n"
      "exec find . -mindepth 1 -maxdepth 1 -printf '%y%f\\0'\n";
  ASSIGN_OR_RETURN(ExecResult r, run("list " + path, script, {path}, ""));
  std::vector<DirEntry> out;
  std::string_view rest = r.out;
  while (!rest.empty()) {
    size_t z = rest.find('\0');
    std::string_view item = rest.substr(0, z);
    if (item.size() >= 2) {
      DirEntry e;
      e.name = std::string(item.substr(1));
      switch (item[0]) {
        case 'f':
          e.type = FileType::kFile;
          break;
        case 'd':
          e.type = FileType::kDirectory;
          break;
        case 'l':
          e.type = FileType::kSymlink;
          break;
        default:
          e.type = FileType::kOther;
      }
      out.push_back(std::move(e));
    }
    if (z == std::string_view::npos) break;
    rest.remove_prefix(z + 1);
  }
  std::sort(out.begin(), out.end(), [](const DirEntry& a, const DirEntry& b) {
    return a.name < b.name;
  });
  return out;
}

ScriptRunner RunnerFor(Connection* conn, const Privilege& priv) {
  return [conn, priv](std::string_view what, const std::string& script,
                      std::vector<std::string> args,
                      std::string stdin_data) -> Result<ExecResult> {
    ExecRequest req;
    req.argv = {"/bin/sh", "-c", script, "sh"};
    req.argv.insert(req.argv.end(), std::make_move_iterator(args.begin()),
                    std::make_move_iterator(args.end()));
    req.stdin_data = std::move(stdin_data);
    req.priv = priv;
    ASSIGN_OR_RETURN(ExecResult r, conn->Exec(req));
    if (r.exit_code != 0) return ScriptError(what, r);
    return r;
  };
}

Status UploadFile(const ScriptRunner& run, const std::string& local_path,
                  const std::string& path, const FileAttrs& attrs) {
  std::string data;
  RETURN_IF_ERROR(
      ReadFileLimited(local_path, size_t{1} << 32, "an upload", &data));
  return WriteFile(run, path, std::move(data), attrs);
}

}  // namespace tend::automate::sudo_files
