// ansible.builtin.copy: a controller file, a controller directory tree
// (trailing "/" copies its contents), inline content, or (remote_src) a
// file already on the target, to dest; plus PutFile, shared with template.
#include <filesystem>

#include "automate/modules/args.h"
#include "automate/modules/files/file_common.h"
#include "base/file_util.h"

namespace tend::automate::filemod {
namespace {

// Creates `dir` and its missing parents on the target (mode: umask
// default, or directory_mode when given); true when anything was created.
Result<bool> MakeDirs(ModuleContext& ctx, const std::string& dir,
                      const Value& args) {
  ASSIGN_OR_RETURN(FileStat st, ctx.conn->Stat(dir, true, ctx.priv));
  if (st.type == FileType::kDirectory) return false;
  if (st.exists()) {
    return FailedPreconditionError(dir + " exists and is not a directory");
  }
  std::string parent = Dirname(dir);
  if (!parent.empty() && parent != dir) {
    ASSIGN_OR_RETURN(bool made, MakeDirs(ctx, parent, args));
    (void)made;
  }
  if (ctx.check_mode) return true;
  Status s = ctx.conn->MakeDir(dir, 0777, ctx.priv);
  if (!s.ok() && s.code() != StatusCode::kAlreadyExists) return s;
  if (ArgHas(args, "directory_mode")) {
    Value dargs = Value::object();
    dargs["mode"] = args["directory_mode"];
    ASSIGN_OR_RETURN(AttrOutcome o, ApplyFileAttrs(ctx, dir, dargs, true));
    (void)o;
  }
  return true;
}

class CopyModule : public Module {
 public:
  CopyModule() {
    spec_.name = "copy";
    spec_.params = {
        Param("src", ParamType::kPath),
        Param("content", ParamType::kRaw),
        Param("dest", ParamType::kPath).Required(),
        Param("force", ParamType::kBool).Default(true).Aliases({"thirsty"}),
        Param("backup", ParamType::kBool).Default(false),
        Param("remote_src", ParamType::kBool).Default(false),
        Param("directory_mode", ParamType::kRaw),
        Param("validate"),
        Param("checksum"),
        Param("follow", ParamType::kBool).Default(false),
        Param("local_follow", ParamType::kBool).Default(true),
        Param("decrypt", ParamType::kBool).Default(true),
    };
    AddFileCommonParams(&spec_.params);
    spec_.mutually_exclusive = {{"src", "content"}};
    spec_.required_one_of = {{"src", "content"}};
  }
  const ModuleSpec& spec() const override { return spec_; }

  Result<ModuleResult> Run(const Value& args, ModuleContext& ctx) override {
    ASSIGN_OR_RETURN(std::string dest, ExpandUser(ctx, ArgStr(args, "dest")));
    if (ArgHas(args, "content")) {
      const Value& c = args["content"];
      PutSource src;
      // Ansible writes a non-string content as its JSON text.
      src.content = c.is_string() ? c.get<std::string>() : c.dump();
      src.display = "content";
      return PutFile(ctx, args, src, dest, true);
    }
    const std::string src = ArgStr(args, "src");
    if (ArgBool(args, "remote_src")) return RemoteFile(ctx, args, src, dest);
    std::string local = src;
    if (ctx.find_src) {
      Result<std::string> found = ctx.find_src(src, "files");
      if (!found.ok()) {
        return Fail("Could not find or access '" + src +
                    "' on the controller: " + found.status().message());
      }
      local = *found;
      if (src.ends_with('/') && !local.ends_with('/')) local += '/';
    }
    std::error_code ec;
    if (std::filesystem::is_directory(local, ec)) {
      return CopyTree(ctx, args, src, local, dest);
    }
    ASSIGN_OR_RETURN(PutSource put, ReadLocal(local));
    put.display = local;
    return PutFile(ctx, args, put, dest, false);
  }

 private:
  static Result<PutSource> ReadLocal(const std::string& path) {
    PutSource put;
    Status s =
        ReadFileLimited(path, kMaxFileBytes, "a copy source", &put.content);
    if (!s.ok()) {
      return NotFoundError("Could not find or access '" + path +
                           "' on the controller: " + s.message());
    }
    std::error_code ec;
    auto perms = std::filesystem::status(path, ec).permissions();
    if (!ec) put.mode = static_cast<uint32_t>(perms) & 07777;
    return put;
  }

  Result<ModuleResult> RemoteFile(ModuleContext& ctx, const Value& args,
                                  const std::string& src,
                                  const std::string& dest) {
    ASSIGN_OR_RETURN(FileStat st, ctx.conn->Stat(src, true, ctx.priv));
    if (!st.exists()) return Fail("Source " + src + " not found");
    if (st.type == FileType::kDirectory) {
      return Fail("remote_src with a directory src is not supported; copy " +
                  src + " file by file or use a command");
    }
    Result<std::string> data = ctx.conn->ReadFile(src, kMaxFileBytes, ctx.priv);
    if (!data.ok())
      return Fail("Source " + src +
                  " not readable: " + data.status().message());
    PutSource put{.content = std::move(*data), .display = src, .mode = st.mode};
    return PutFile(ctx, args, put, dest, false);
  }

  // A controller directory: "src/" copies its contents into dest, "src"
  // copies the directory itself into dest/basename(src).
  Result<ModuleResult> CopyTree(ModuleContext& ctx, const Value& args,
                                const std::string& src,
                                const std::string& local,
                                const std::string& dest) {
    std::string root = dest;
    if (!local.ends_with('/')) {
      std::string trimmed = local;
      while (trimmed.size() > 1 && trimmed.ends_with('/')) trimmed.pop_back();
      root = JoinPath(dest, Basename(trimmed));
    }
    bool changed = false;
    ModuleResult out;
    Result<bool> made = MakeDirs(ctx, root, args);
    if (!made.ok()) return Fail(made.status().message(), dest);
    changed |= *made;
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    std::vector<std::filesystem::path> dirs;
    for (auto it = std::filesystem::recursive_directory_iterator(local, ec);
         !ec && it != std::filesystem::recursive_directory_iterator();
         it.increment(ec)) {
      if (it->is_directory(ec)) {
        dirs.push_back(it->path());
      } else {
        files.push_back(it->path());
      }
    }
    if (ec) return Fail("reading " + local + ": " + ec.message());
    std::sort(dirs.begin(), dirs.end());
    std::sort(files.begin(), files.end());
    auto rel = [&](const std::filesystem::path& p) {
      return std::filesystem::relative(p, local, ec).string();
    };
    for (const auto& d : dirs) {
      Result<bool> m = MakeDirs(ctx, JoinPath(root, rel(d)), args);
      if (!m.ok()) return Fail(m.status().message(), dest);
      changed |= *m;
    }
    for (const auto& f : files) {
      Result<PutSource> put = ReadLocal(f.string());
      if (!put.ok()) return Fail(put.status().message());
      put->display = f.string();
      ASSIGN_OR_RETURN(ModuleResult one,
                       PutFile(ctx, args, *put, JoinPath(root, rel(f)), false));
      if (one.failed) return one;
      changed |= one.changed;
      for (FileDiff& d : one.diffs) out.diffs.push_back(std::move(d));
    }
    out.changed = changed;
    out.data["dest"] = dest;
    out.data["src"] = src;
    return out;
  }

  ModuleSpec spec_;
};

}  // namespace

Result<ModuleResult> PutFile(ModuleContext& ctx, const Value& args,
                             const PutSource& src, std::string dest,
                             bool from_content) {
  const bool force = ArgBool(args, "force", true);
  const std::string validate = ArgStr(args, "validate");
  const std::string checksum_src = Sha1Hex(src.content);
  if (ArgHas(args, "checksum") && ArgStr(args, "checksum") != checksum_src) {
    return Fail(
        "Copied file does not match the expected checksum. Transfer failed.");
  }
  ASSIGN_OR_RETURN(FileStat dst, ctx.conn->Stat(dest, true, ctx.priv));
  if (dest.ends_with('/') || dst.type == FileType::kDirectory) {
    if (from_content) {
      return Fail("can not use content with a dir as dest", dest);
    }
    if (dst.type != FileType::kDirectory) {
      Result<bool> made = MakeDirs(ctx, dest, args);
      if (!made.ok()) return Fail(made.status().message(), dest);
    }
    dest = JoinPath(dest, Basename(src.display));
    ASSIGN_OR_RETURN(dst, ctx.conn->Stat(dest, true, ctx.priv));
  }
  if (ArgBool(args, "follow")) {
    ASSIGN_OR_RETURN(FileStat self, ctx.conn->Stat(dest, false, ctx.priv));
    if (self.type == FileType::kSymlink) {
      ASSIGN_OR_RETURN(dest, RealPath(ctx, dest));
    }
  }
  ModuleResult out;
  if (!dst.exists()) {
    std::string parent = Dirname(dest);
    if (!parent.empty()) {
      ASSIGN_OR_RETURN(FileStat p, ctx.conn->Stat(parent, true, ctx.priv));
      if (p.type != FileType::kDirectory && !ctx.check_mode) {
        ModuleResult r =
            Fail("Destination directory " + parent + " does not exist");
        r.data["checksum"] = checksum_src;
        return r;
      }
    }
  } else if (dst.type == FileType::kDirectory) {
    return Fail(dest + " is a directory", dest);
  } else if (!force) {
    out.data["dest"] = dest;
    out.data["src"] = src.display;
    return out;
  }
  // Mode "preserve" takes the source's mode.
  Value wanted = args;
  if (ArgStr(args, "mode") == "preserve") {
    if (src.mode) {
      wanted["mode"] = *src.mode;
    } else {
      wanted.erase("mode");
    }
  }
  std::string old;
  if (dst.exists()) {
    ASSIGN_OR_RETURN(old, ctx.conn->ReadFile(dest, kMaxFileBytes, ctx.priv));
  }
  const bool content_changed = !dst.exists() || old != src.content;
  if (content_changed) {
    // A new file's mode before attributes: the umask default (asked of
    // the target only when a symbolic mode needs it).
    uint32_t base = dst.mode;
    if (!dst.exists()) {
      const Value& m = wanted.contains("mode") ? wanted["mode"] : Value();
      bool symbolic =
          m.is_string() && m.get_ref<const std::string&>().find_first_not_of(
                               "01234567") != std::string::npos;
      base = symbolic ? 0666 & ~TargetUmask(ctx) : 0644;
    }
    ASSIGN_OR_RETURN(FileAttrs attrs, WantedAttrs(ctx, wanted, base, false));
    if (!ctx.check_mode) {
      if (ArgBool(args, "backup") && dst.exists()) {
        ASSIGN_OR_RETURN(std::string backup, BackupFile(ctx, dest));
        out.data["backup_file"] = backup;
      }
      Status s = WriteValidated(ctx, dest, src.content, attrs, validate);
      if (!s.ok()) return Fail(s.message(), dest);
    }
    if (ctx.diff) {
      if (DiffableText(old) && DiffableText(src.content)) {
        out.diffs.push_back(ContentDiff(dst.exists() ? dest : "", src.display,
                                        old, src.content));
      }
    }
  }
  // Attributes: already given to the new file; for an unchanged file they
  // are applied (or, in check mode, predicted) here.
  ASSIGN_OR_RETURN(AttrOutcome attrs, ApplyFileAttrs(ctx, dest, wanted, true));
  if (!content_changed && ctx.diff) {
    if (auto d = StateDiff(attrs.before, attrs.after)) out.diffs.push_back(*d);
  }
  out.changed = content_changed || attrs.changed;
  out.data["dest"] = dest;
  out.data["checksum"] = checksum_src;
  if (content_changed) {
    out.data["src"] = src.display;
    out.data["md5sum"] = Md5Hex(src.content);
  } else {
    out.data["path"] = dest;
  }
  if (ctx.check_mode && !dst.exists()) {
    out.data["size"] = src.content.size();
    return out;
  }
  AddPathInfo(ctx, dest, &out.data);
  return out;
}

std::unique_ptr<Module> NewCopyModule() {
  return std::make_unique<CopyModule>();
}

}  // namespace tend::automate::filemod
