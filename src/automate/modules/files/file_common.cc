#include "automate/modules/files/file_common.h"

#include <openssl/evp.h>
#include <unistd.h>

#include <ctime>
#include <deque>

#include "automate/modules/args.h"

namespace tend::automate::filemod {
namespace {

std::string Digest(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out, &len, md, nullptr) != 1) {
    return "";
  }
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    hex += kHex[out[i] >> 4];
    hex += kHex[out[i] & 15];
  }
  return hex;
}

// A name for a temporary file beside `path` (collisions are unlikely and
// WriteFile replaces atomically; validate's temporary is removed after).
std::string TempBeside(const std::string& path) {
  static uint64_t counter = 0;
  uint64_t v = (static_cast<uint64_t>(::getpid()) << 24) ^
               static_cast<uint64_t>(std::time(nullptr)) ^ (++counter << 40);
  char buf[32];
  std::snprintf(buf, sizeof(buf), ".tend-validate-%012llx",
                static_cast<unsigned long long>(v & 0xffffffffffffULL));
  return JoinPath(Dirname(path), buf);
}

}  // namespace

void AddFileCommonParams(std::vector<ParamSpec>* params) {
  params->push_back(Param("mode", ParamType::kRaw));
  params->push_back(Param("owner"));
  params->push_back(Param("group"));
  params->push_back(Param("unsafe_writes", ParamType::kBool));
  params->push_back(Param("attributes").Aliases({"attr"}));
}

Result<AttrOutcome> ApplyFileAttrs(ModuleContext& ctx, const std::string& path,
                                   const Value& args, bool follow) {
  AttrOutcome out;
  const bool want_mode = ArgHas(args, "mode");
  const bool want_owner = ArgHas(args, "owner");
  const bool want_group = ArgHas(args, "group");
  if (!want_mode && !want_owner && !want_group) return out;
  ASSIGN_OR_RETURN(FileStat st, ctx.conn->Stat(path, follow, ctx.priv));
  FileAttrs attrs;
  if (want_owner) {
    std::string owner = ArgStr(args, "owner");
    Result<uint32_t> uid = ctx.ids->Uid(owner);
    if (!uid.ok()) {
      return InvalidArgumentError("chown failed: failed to look up user " +
                                  owner);
    }
    if (!st.exists() || *uid != st.uid) {
      out.before["owner"] = st.uid;
      out.after["owner"] = *uid;
      attrs.uid = *uid;
    }
  }
  if (want_group) {
    std::string group = ArgStr(args, "group");
    Result<uint32_t> gid = ctx.ids->Gid(group);
    if (!gid.ok()) {
      return InvalidArgumentError("chgrp failed: failed to look up group " +
                                  group);
    }
    if (!st.exists() || *gid != st.gid) {
      out.before["group"] = st.gid;
      out.after["group"] = *gid;
      attrs.gid = *gid;
    }
  }
  if (want_mode && st.type != FileType::kSymlink) {
    ASSIGN_OR_RETURN(uint32_t mode,
                     ResolveMode(ctx, args["mode"], st.mode,
                                 st.type == FileType::kDirectory));
    if (!st.exists() || mode != st.mode) {
      out.before["mode"] = ModeString(st.mode);
      out.after["mode"] = ModeString(mode);
      attrs.mode = mode;
    }
  }
  if (!st.exists()) {
    // Only reachable in check mode (the file would have been created).
    out.changed = true;
    return out;
  }
  out.changed = attrs.mode || attrs.uid || attrs.gid;
  if (out.changed && !ctx.check_mode) {
    RETURN_IF_ERROR(ctx.conn->SetAttrs(path, attrs, follow, ctx.priv));
  }
  return out;
}

Result<FileAttrs> WantedAttrs(ModuleContext& ctx, const Value& args,
                              uint32_t current_mode, bool is_dir) {
  FileAttrs attrs;
  if (ArgHas(args, "mode")) {
    ASSIGN_OR_RETURN(attrs.mode,
                     ResolveMode(ctx, args["mode"], current_mode, is_dir));
  }
  if (ArgHas(args, "owner")) {
    std::string owner = ArgStr(args, "owner");
    Result<uint32_t> uid = ctx.ids->Uid(owner);
    if (!uid.ok()) {
      return InvalidArgumentError("chown failed: failed to look up user " +
                                  owner);
    }
    attrs.uid = *uid;
  }
  if (ArgHas(args, "group")) {
    std::string group = ArgStr(args, "group");
    Result<uint32_t> gid = ctx.ids->Gid(group);
    if (!gid.ok()) {
      return InvalidArgumentError("chgrp failed: failed to look up group " +
                                  group);
    }
    attrs.gid = *gid;
  }
  return attrs;
}

void AddPathInfo(ModuleContext& ctx, const std::string& path, Value* data) {
  Result<FileStat> target = ctx.conn->Stat(path, true, ctx.priv);
  if (!target.ok() || !target->exists()) return;
  Result<FileStat> self = ctx.conn->Stat(path, false, ctx.priv);
  if (!self.ok()) return;
  (*data)["uid"] = target->uid;
  (*data)["gid"] = target->gid;
  (*data)["owner"] = ctx.ids->UserName(target->uid);
  (*data)["group"] = ctx.ids->GroupName(target->gid);
  (*data)["mode"] = ModeString(self->mode);
  (*data)["state"] = self->type == FileType::kSymlink     ? "link"
                     : self->type == FileType::kDirectory ? "directory"
                     : target->nlink > 1                  ? "hard"
                                                          : "file";
  (*data)["size"] = self->size;
}

Result<std::string> ExpandUser(ModuleContext& ctx, const std::string& path) {
  if (path.empty() || path[0] != '~') return path;
  size_t slash = path.find('/');
  std::string user =
      path.substr(1, slash == std::string::npos ? slash : slash - 1);
  std::string rest = slash == std::string::npos ? "" : path.substr(slash);
  std::string home;
  if (user.empty() && !ctx.priv.become) {
    ExecRequest req;
    req.shell = "printf %s \"$HOME\"";
    ASSIGN_OR_RETURN(ExecResult r, ctx.conn->Exec(req));
    home = r.out;
  } else {
    if (user.empty()) user = ctx.priv.user.empty() ? "root" : ctx.priv.user;
    Result<std::string> h = ctx.ids->Home(user);
    if (!h.ok()) return path;  // as Python's expanduser: left unexpanded
    home = *h;
  }
  if (home.empty()) return path;
  return home + rest;
}

Result<std::string> RealPath(ModuleContext& ctx, const std::string& path) {
  std::deque<std::string> todo;
  auto push_front_parts = [&](std::string_view p) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (start <= p.size()) {
      size_t slash = p.find('/', start);
      std::string_view part = p.substr(
          start, slash == std::string_view::npos ? slash : slash - start);
      if (!part.empty() && part != ".") parts.emplace_back(part);
      if (slash == std::string_view::npos) break;
      start = slash + 1;
    }
    todo.insert(todo.begin(), parts.begin(), parts.end());
  };
  const bool absolute = !path.empty() && path[0] == '/';
  std::string resolved = absolute ? "" : ".";
  push_front_parts(path);
  int hops = 0;
  while (!todo.empty()) {
    std::string part = std::move(todo.front());
    todo.pop_front();
    if (part == "..") {
      size_t slash = resolved.rfind('/');
      resolved =
          slash == std::string::npos ? resolved : resolved.substr(0, slash);
      continue;
    }
    std::string candidate = resolved + "/" + part;
    ASSIGN_OR_RETURN(FileStat st, ctx.conn->Stat(candidate, false, ctx.priv));
    if (st.type == FileType::kSymlink) {
      if (++hops > 40) {
        return InvalidArgumentError(path +
                                    ": too many levels of symbolic "
                                    "links");
      }
      if (!st.link_target.empty() && st.link_target[0] == '/') {
        resolved = "";
      }
      push_front_parts(st.link_target);
      continue;
    }
    resolved = std::move(candidate);
    if (!st.exists()) {
      for (const std::string& rest : todo) resolved += "/" + rest;
      break;
    }
  }
  if (resolved.empty()) return std::string("/");
  if (!absolute && resolved.starts_with("./")) return resolved.substr(2);
  return resolved;
}

std::string Sha1Hex(std::string_view data) { return Digest(EVP_sha1(), data); }
std::string Md5Hex(std::string_view data) { return Digest(EVP_md5(), data); }

std::optional<std::string> DigestHex(std::string_view algorithm,
                                     std::string_view data) {
  const EVP_MD* md = algorithm == "sha1"     ? EVP_sha1()
                     : algorithm == "sha224" ? EVP_sha224()
                     : algorithm == "sha256" ? EVP_sha256()
                     : algorithm == "sha384" ? EVP_sha384()
                     : algorithm == "sha512" ? EVP_sha512()
                     : algorithm == "md5"    ? EVP_md5()
                                             : nullptr;
  if (md == nullptr) return std::nullopt;
  return Digest(md, data);
}

Result<std::string> BackupFile(ModuleContext& ctx, const std::string& path) {
  ASSIGN_OR_RETURN(FileStat st, ctx.conn->Stat(path, true, ctx.priv));
  ASSIGN_OR_RETURN(std::string data,
                   ctx.conn->ReadFile(path, kMaxFileBytes, ctx.priv));
  int64_t now_ns = ctx.clock
                       ? ctx.clock->NowUnixNanos()
                       : static_cast<int64_t>(std::time(nullptr)) * 1000000000;
  time_t secs = static_cast<time_t>(now_ns / 1000000000);
  struct tm tm;
  localtime_r(&secs, &tm);
  char stamp[64];
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%d@%H:%M:%S", &tm);
  std::string backup =
      path + "." + std::to_string(::getpid()) + "." + stamp + "~";
  FileAttrs attrs;
  attrs.mode = st.mode;
  RETURN_IF_ERROR(ctx.conn->WriteFile(backup, data, attrs, ctx.priv));
  RETURN_IF_ERROR(
      ctx.conn->SetTimes(backup, st.atime_ns, st.mtime_ns, ctx.priv));
  return backup;
}

Status WriteValidated(ModuleContext& ctx, const std::string& path,
                      std::string_view content, const FileAttrs& attrs,
                      const std::string& validate) {
  if (validate.empty()) {
    return ctx.conn->WriteFile(path, content, attrs, ctx.priv);
  }
  size_t at = validate.find("%s");
  if (at == std::string::npos) {
    return InvalidArgumentError("validate must contain %s: " + validate);
  }
  // The temporary gets the attributes the final file will have, since it
  // becomes that file by the rename.
  FileAttrs full = attrs;
  ASSIGN_OR_RETURN(FileStat old, ctx.conn->Stat(path, true, ctx.priv));
  if (old.type == FileType::kFile) {
    if (!full.mode) full.mode = old.mode;
    if (!full.uid) full.uid = old.uid;
    if (!full.gid) full.gid = old.gid;
  }
  const std::string tmp = TempBeside(path);
  RETURN_IF_ERROR(ctx.conn->WriteFile(tmp, content, full, ctx.priv));
  std::string cmd;
  for (size_t i = 0; i < validate.size(); ++i) {
    if (validate[i] == '%' && i + 1 < validate.size()) {
      if (validate[i + 1] == 's') {
        cmd += tmp;
        ++i;
        continue;
      }
      if (validate[i + 1] == '%') {
        cmd += '%';
        ++i;
        continue;
      }
    }
    cmd += validate[i];
  }
  auto cleanup = [&](Status s) {
    ctx.conn->Remove(tmp, false, ctx.priv).IgnoreError();
    return s;
  };
  Result<std::vector<std::string>> argv = SplitCommand(cmd);
  if (!argv.ok()) return cleanup(argv.status());
  if (argv->empty()) return cleanup(InvalidArgumentError("empty validate"));
  ExecRequest req;
  req.argv = std::move(*argv);
  req.priv = ctx.priv;
  Result<ExecResult> r = ctx.conn->Exec(req);
  if (!r.ok()) {
    return cleanup(
        FailedPreconditionError("failed to validate: " + r.status().message()));
  }
  if (r->exit_code != 0) {
    return cleanup(FailedPreconditionError(
        "failed to validate: rc:" + std::to_string(r->exit_code) +
        " error:" + r->err));
  }
  Status s = ctx.conn->Rename(tmp, path, ctx.priv);
  if (!s.ok()) return cleanup(s);
  return Status::Ok();
}

Result<std::string> WriteContent(ModuleContext& ctx, const Value& args,
                                 const std::string& path,
                                 std::string_view content, bool exists) {
  if (ctx.check_mode) return std::string();
  std::string backup;
  if (exists && ArgBool(args, "backup")) {
    ASSIGN_OR_RETURN(backup, BackupFile(ctx, path));
  }
  if (!exists) {
    // Ansible creates the missing parent directories of a new file.
    std::string dir = Dirname(path);
    std::vector<std::string> missing;
    while (!dir.empty() && dir != "/") {
      ASSIGN_OR_RETURN(FileStat st, ctx.conn->Stat(dir, true, ctx.priv));
      if (st.exists()) break;
      missing.push_back(dir);
      dir = Dirname(dir);
    }
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
      Status s = ctx.conn->MakeDir(*it, 0777, ctx.priv);
      if (!s.ok() && s.code() != StatusCode::kAlreadyExists) {
        return s.WithContext("Error creating " + *it);
      }
    }
  }
  ASSIGN_OR_RETURN(std::string real, RealPath(ctx, path));
  RETURN_IF_ERROR(WriteValidated(ctx, real, content, FileAttrs{},
                                 ArgStr(args, "validate")));
  return backup;
}

Status CheckFileAttrs(ModuleContext& ctx, const Value& args,
                      const std::string& path, bool* changed, std::string* msg,
                      std::vector<FileDiff>* diffs) {
  ASSIGN_OR_RETURN(AttrOutcome o, ApplyFileAttrs(ctx, path, args, true));
  if (o.changed) {
    if (*changed) *msg += " and ";
    *changed = true;
    *msg += "ownership, perms or SE linux context changed";
  }
  if (ctx.diff && diffs != nullptr) {
    if (auto d = StateDiff(o.before, o.after)) diffs->push_back(*d);
  }
  return Status::Ok();
}

std::vector<std::string> SplitLinesKeep(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    lines.emplace_back(text.substr(start, end - start));
    start = end;
  }
  return lines;
}

Result<std::vector<std::string>> SplitCommand(std::string_view cmd) {
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false;
  for (size_t i = 0; i < cmd.size(); ++i) {
    char c = cmd[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) out.push_back(std::move(cur));
      cur.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\\' && i + 1 < cmd.size()) {
      cur += cmd[++i];
    } else if (c == '\'' || c == '"') {
      // Inside double quotes a backslash escapes " and \\; single quotes
      // take everything literally.
      size_t j = i + 1;
      for (; j < cmd.size() && cmd[j] != c; ++j) {
        if (c == '"' && cmd[j] == '\\' && j + 1 < cmd.size() &&
            (cmd[j + 1] == '"' || cmd[j + 1] == '\\')) {
          ++j;
        }
        cur += cmd[j];
      }
      if (j >= cmd.size()) {
        return InvalidArgumentError("unterminated quote in: " +
                                    std::string(cmd));
      }
      i = j;
    } else {
      cur += c;
    }
  }
  if (in_word) out.push_back(std::move(cur));
  return out;
}

std::string Dirname(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return "";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

std::string Basename(std::string_view path) {
  size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path
                                                     : path.substr(slash + 1));
}

std::string JoinPath(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  if (!name.empty() && name[0] == '/') return std::string(name);
  if (dir.back() == '/') return std::string(dir) + std::string(name);
  return std::string(dir) + "/" + std::string(name);
}

bool DiffableText(std::string_view s) {
  return s.size() <= kMaxDiffBytes && s.find('\0') == std::string_view::npos;
}

FileDiff ContentDiff(std::string before_header, std::string after_header,
                     std::string before, std::string after) {
  FileDiff d;
  d.before_header = std::move(before_header);
  d.after_header = std::move(after_header);
  d.before = std::move(before);
  d.after = std::move(after);
  return d;
}

std::optional<FileDiff> StateDiff(const Value& before, const Value& after) {
  if (before == after) return std::nullopt;
  // nlohmann::json (unordered) keeps keys sorted, as Python's sort_keys.
  auto text = [](const Value& v) {
    return nlohmann::json::parse(v.dump(), nullptr, false).dump(4) + "\n";
  };
  FileDiff d;
  d.before_header = "before";
  d.after_header = "after";
  d.before = text(before);
  d.after = text(after);
  d.is_state = true;
  return d;
}

ModuleResult Fail(std::string msg, std::string path) {
  ModuleResult r;
  r.failed = true;
  r.msg = std::move(msg);
  if (!path.empty()) r.data["path"] = std::move(path);
  return r;
}

}  // namespace tend::automate::filemod