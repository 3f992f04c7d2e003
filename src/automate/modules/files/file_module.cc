// ansible.builtin.file: state file, directory, link, hard, touch, absent;
// mode/owner/group, recurse, force, follow, access/modification times.
#include <ctime>

#include "automate/modules/args.h"
#include "automate/modules/files/file_common.h"

namespace tend::automate::filemod {
namespace {

// Ansible's get_state.
Result<std::string> GetState(ModuleContext& ctx, const std::string& path) {
  ASSIGN_OR_RETURN(FileStat st, ctx.conn->Stat(path, false, ctx.priv));
  switch (st.type) {
    case FileType::kMissing:
      return std::string("absent");
    case FileType::kSymlink:
      return std::string("link");
    case FileType::kDirectory:
      return std::string("directory");
    default:
      return std::string(st.nlink > 1 ? "hard" : "file");
  }
}

Result<bool> Exists(ModuleContext& ctx, const std::string& path) {
  ASSIGN_OR_RETURN(FileStat st, ctx.conn->Stat(path, true, ctx.priv));
  return st.exists();
}

// A timestamp parameter: preserve (nullopt), now (kNow) or a time.
constexpr int64_t kNow = INT64_MIN;
struct Times {
  std::optional<int64_t> mtime_ns, atime_ns;
};

Result<std::optional<int64_t>> ParseTime(const std::string& value,
                                         const std::string& format) {
  if (value == "preserve") return std::optional<int64_t>();
  if (value == "now") return std::optional<int64_t>(kNow);
  struct tm tm = {};
  const char* end = ::strptime(value.c_str(), format.c_str(), &tm);
  if (end == nullptr || *end != '\0') {
    return InvalidArgumentError("Error while obtaining timestamp for time " +
                                value + " using format " + format +
                                ": time data '" + value +
                                "' does not match format '" + format + "'");
  }
  tm.tm_isdst = -1;
  time_t t = std::mktime(&tm);
  return std::optional<int64_t>(static_cast<int64_t>(t) * 1000000000);
}

double Secs(int64_t ns) { return static_cast<double>(ns) / 1e9; }

// Ansible's update_timestamp_for_file; records mtime/atime in the diff.
Result<bool> UpdateTimes(ModuleContext& ctx, const std::string& path,
                         const Times& t, Value* before, Value* after) {
  if (!t.mtime_ns && !t.atime_ns) return false;
  ASSIGN_OR_RETURN(FileStat st, ctx.conn->Stat(path, true, ctx.priv));
  if (!st.exists()) {
    if (ctx.check_mode) return true;
    return NotFoundError("Error while updating modification or access time: " +
                         path + ": No such file or directory");
  }
  const int64_t now =
      ctx.clock ? ctx.clock->NowUnixNanos()
                : static_cast<int64_t>(std::time(nullptr)) * 1000000000;
  const bool both_now = t.mtime_ns == kNow && t.atime_ns == kNow;
  int64_t m = !t.mtime_ns           ? st.mtime_ns
              : *t.mtime_ns == kNow ? now
                                    : *t.mtime_ns;
  int64_t a = !t.atime_ns           ? st.atime_ns
              : *t.atime_ns == kNow ? now
                                    : *t.atime_ns;
  if (!both_now && m == st.mtime_ns && a == st.atime_ns) return false;
  if (!ctx.check_mode) {
    RETURN_IF_ERROR(ctx.conn->SetTimes(path, t.atime_ns == kNow ? -1 : a,
                                       t.mtime_ns == kNow ? -1 : m, ctx.priv));
  }
  if (m != st.mtime_ns) {
    (*before)["mtime"] = Secs(st.mtime_ns);
    (*after)["mtime"] = Secs(m);
  }
  if (a != st.atime_ns) {
    (*before)["atime"] = Secs(st.atime_ns);
    (*after)["atime"] = Secs(a);
  }
  return true;
}

// Where the common attributes apply: a symlink's target when following
// (Ansible's load_file_common_arguments).
Result<std::string> AttrPath(ModuleContext& ctx, const std::string& path,
                             bool follow) {
  if (!follow) return path;
  ASSIGN_OR_RETURN(FileStat st, ctx.conn->Stat(path, false, ctx.priv));
  if (st.type != FileType::kSymlink) return path;
  return RealPath(ctx, path);
}

struct FileRun {
  ModuleContext& ctx;
  const Value& args;
  std::string path;
  bool follow;
  Times times;
  ModuleResult result;
  Value before = Value::object();
  Value after = Value::object();

  void InitialDiff(const std::string& state, const std::string& prev) {
    before["path"] = path;
    after["path"] = path;
    if (prev != state) {
      before["state"] = prev;
      after["state"] = state;
    }
  }

  // Attributes and times on `p` (resolved through a followed symlink).
  Result<bool> Attrs(const std::string& p) {
    ASSIGN_OR_RETURN(std::string target, AttrPath(ctx, p, follow));
    ASSIGN_OR_RETURN(AttrOutcome o, ApplyFileAttrs(ctx, target, args, false));
    for (auto& [k, v] : o.before.items()) before[k] = v;
    for (auto& [k, v] : o.after.items()) after[k] = v;
    ASSIGN_OR_RETURN(bool t, UpdateTimes(ctx, target, times, &before, &after));
    return o.changed || t;
  }

  Result<ModuleResult> Finish(bool changed, const std::string& key) {
    result.changed = changed;
    result.data[key] = path;
    if (ctx.diff) {
      if (auto d = StateDiff(before, after)) result.diffs.push_back(*d);
    }
    AddPathInfo(ctx, path, &result.data);
    return std::move(result);
  }

  Result<ModuleResult> Absent() {
    ASSIGN_OR_RETURN(std::string prev, GetState(ctx, path));
    result.data["path"] = path;
    result.data["state"] = "absent";
    if (prev == "absent") return std::move(result);
    InitialDiff("absent", prev);
    if (!ctx.check_mode) {
      Status s = ctx.conn->Remove(path, prev == "directory", ctx.priv);
      if (!s.ok()) {
        return Fail(
            (prev == "directory" ? "rmtree failed: " : "unlinking failed: ") +
                s.message(),
            path);
      }
    }
    result.changed = true;
    if (ctx.diff) {
      if (auto d = StateDiff(before, after)) result.diffs.push_back(*d);
    }
    return std::move(result);
  }

  Result<ModuleResult> File() {
    ASSIGN_OR_RETURN(std::string prev, GetState(ctx, path));
    if (prev != "file" && follow && prev == "link") {
      ASSIGN_OR_RETURN(path, RealPath(ctx, path));
      ASSIGN_OR_RETURN(prev, GetState(ctx, path));
    }
    if (prev != "file" && prev != "hard") {
      ModuleResult r =
          Fail("file (" + path + ") is " + prev + ", cannot continue", path);
      r.data["state"] = prev;
      return r;
    }
    InitialDiff("file", prev);
    ASSIGN_OR_RETURN(bool changed, Attrs(path));
    return Finish(changed, "path");
  }

  Result<ModuleResult> Directory(bool recurse) {
    ASSIGN_OR_RETURN(std::string prev, GetState(ctx, path));
    if (follow && prev == "link") {
      ASSIGN_OR_RETURN(path, RealPath(ctx, path));
      ASSIGN_OR_RETURN(prev, GetState(ctx, path));
    }
    InitialDiff("directory", prev);
    bool changed = false;
    if (prev == "absent") {
      if (ctx.check_mode) return Finish(true, "path");
      // Each missing component is created and given the attributes.
      std::string cur = path[0] == '/' ? "" : ".";
      size_t start = 0;
      while (start < path.size()) {
        size_t slash = path.find('/', start);
        std::string part = path.substr(
            start, slash == std::string::npos ? slash : slash - start);
        start = slash == std::string::npos ? path.size() : slash + 1;
        if (part.empty()) continue;
        cur += "/" + part;
        ASSIGN_OR_RETURN(bool exists, Exists(ctx, cur));
        if (exists) continue;
        Status s = ctx.conn->MakeDir(cur, 0777, ctx.priv);
        if (!s.ok() && s.code() != StatusCode::kAlreadyExists) {
          return Fail("There was an issue creating " +
                          (cur.starts_with("./") ? cur.substr(2) : cur) +
                          " as requested: " + s.message(),
                      path);
        }
        changed = true;
        Result<AttrOutcome> o = ApplyFileAttrs(ctx, cur, args, false);
        if (!o.ok()) return Fail(o.status().message(), path);
        for (auto& [k, v] : o->before.items()) before[k] = v;
        for (auto& [k, v] : o->after.items()) after[k] = v;
      }
      ASSIGN_OR_RETURN(bool t, UpdateTimes(ctx, path, times, &before, &after));
      return Finish(changed || t, "path");
    }
    if (prev != "directory") {
      return Fail(path + " already exists as a " + prev, path);
    }
    ASSIGN_OR_RETURN(changed, Attrs(path));
    if (recurse) {
      ASSIGN_OR_RETURN(bool r, Recurse(path, 0));
      changed |= r;
    }
    return Finish(changed, "path");
  }

  // Ansible's recursive_set_attributes (no diff entries for the tree).
  Result<bool> Recurse(const std::string& dir, int depth) {
    if (depth > 64) {
      return InvalidArgumentError("Could not recursively set attributes on " +
                                  dir + ": too deep");
    }
    ASSIGN_OR_RETURN(std::vector<DirEntry> entries,
                     ctx.conn->ListDir(dir, ctx.priv));
    bool changed = false;
    Value scratch_b = Value::object(), scratch_a = Value::object();
    for (const DirEntry& e : entries) {
      std::string p = JoinPath(dir, e.name);
      ASSIGN_OR_RETURN(AttrOutcome o, ApplyFileAttrs(ctx, p, args, false));
      ASSIGN_OR_RETURN(bool t,
                       UpdateTimes(ctx, p, times, &scratch_b, &scratch_a));
      changed |= o.changed || t;
      if (e.type == FileType::kDirectory) {
        ASSIGN_OR_RETURN(bool r, Recurse(p, depth + 1));
        changed |= r;
      } else if (e.type == FileType::kSymlink && follow) {
        ASSIGN_OR_RETURN(FileStat ls, ctx.conn->Stat(p, false, ctx.priv));
        std::string target = JoinPath(dir, ls.link_target);
        ASSIGN_OR_RETURN(FileStat ts, ctx.conn->Stat(target, true, ctx.priv));
        if (!ts.exists()) continue;
        if (ts.type == FileType::kDirectory) {
          ASSIGN_OR_RETURN(bool r, Recurse(target, depth + 1));
          changed |= r;
        }
        ASSIGN_OR_RETURN(AttrOutcome to,
                         ApplyFileAttrs(ctx, target, args, true));
        changed |= to.changed;
      }
    }
    return changed;
  }

  Result<ModuleResult> Link(std::string src, bool force) {
    ASSIGN_OR_RETURN(std::string prev, GetState(ctx, path));
    ASSIGN_OR_RETURN(FileStat self, ctx.conn->Stat(path, false, ctx.priv));
    if (src.empty() && follow && self.type == FileType::kSymlink) {
      src = self.link_target;
    }
    std::string relpath =
        self.type == FileType::kDirectory ? path : Dirname(path);
    if (!force && !src.empty()) {
      std::string absrc = JoinPath(relpath, src);
      ASSIGN_OR_RETURN(bool exists, Exists(ctx, absrc));
      if (!exists) {
        ModuleResult r = Fail(
            "src file does not exist, use \"force=yes\" if you really want "
            "to create the link: " +
                absrc,
            path);
        r.data["src"] = src;
        return r;
      }
    }
    if (prev == "directory") {
      if (!force) {
        return Fail("refusing to convert from directory to symlink for " + path,
                    path);
      }
      ASSIGN_OR_RETURN(std::vector<DirEntry> entries,
                       ctx.conn->ListDir(path, ctx.priv));
      if (!entries.empty()) {
        return Fail(
            "the directory " + path + " is not empty, refusing to convert it",
            path);
      }
    } else if ((prev == "file" || prev == "hard") && !force) {
      return Fail(
          "refusing to convert from " + prev + " to symlink for " + path, path);
    }
    InitialDiff("link", prev);
    bool changed = false;
    if (prev != "link") {
      if (src.empty()) return Fail("src is required for creating new symlinks");
      changed = true;
    } else if (!src.empty() && self.link_target != src) {
      before["src"] = self.link_target;
      after["src"] = src;
      changed = true;
    }
    if (changed && !ctx.check_mode) {
      if (prev == "directory") {
        Status s = ctx.conn->Remove(path, false, ctx.priv);
        if (!s.ok()) return Fail("Error while replacing: " + s.message(), path);
      }
      Status s = ctx.conn->Symlink(src, path, ctx.priv);
      if (!s.ok()) return Fail("Error while linking: " + s.message(), path);
    }
    result.data["src"] = src;
    ASSIGN_OR_RETURN(bool exists, Exists(ctx, path));
    if (ctx.check_mode && !exists) {
      result.changed = changed;
      result.data["dest"] = path;
      if (ctx.diff) {
        if (auto d = StateDiff(before, after)) result.diffs.push_back(*d);
      }
      return std::move(result);
    }
    if (follow && !exists) {
      // Ansible warns and skips attributes on a dangling link's target.
    } else {
      ASSIGN_OR_RETURN(bool a, Attrs(path));
      changed |= a;
    }
    return Finish(changed, "dest");
  }

  Result<ModuleResult> Hard(const std::string& src, bool force) {
    ASSIGN_OR_RETURN(std::string prev, GetState(ctx, path));
    if (prev != "hard" && src.empty()) {
      return Fail("src is required for creating new hardlinks");
    }
    FileStat src_st;
    if (!src.empty()) {
      ASSIGN_OR_RETURN(src_st, ctx.conn->Stat(src, true, ctx.priv));
      if (!src_st.exists()) {
        ModuleResult r = Fail("src does not exist");
        r.data["dest"] = path;
        r.data["src"] = src;
        return r;
      }
    }
    InitialDiff("hard", prev);
    bool changed = false;
    ASSIGN_OR_RETURN(FileStat cur, ctx.conn->Stat(path, true, ctx.priv));
    auto refuse = [&](std::string msg) {
      ModuleResult r = Fail(std::move(msg));
      r.data["dest"] = path;
      r.data["src"] = src;
      return r;
    };
    if (prev == "absent") {
      changed = true;
    } else if (prev == "link") {
      ASSIGN_OR_RETURN(FileStat ls, ctx.conn->Stat(path, false, ctx.priv));
      if (ls.link_target != src) {
        before["src"] = ls.link_target;
        after["src"] = src;
        changed = true;
      }
    } else if (prev == "hard") {
      if (!src.empty() &&
          (cur.inode != src_st.inode || cur.dev != src_st.dev)) {
        changed = true;
        if (!force) {
          return refuse(
              "Cannot link, different hard link exists at destination");
        }
      }
    } else if (prev == "file") {
      changed = true;
      if (!force) return refuse("Cannot link, file exists at destination");
    } else if (prev == "directory") {
      changed = true;
      if (cur.inode == src_st.inode && cur.dev == src_st.dev) {
        result.data["path"] = path;
        return std::move(result);
      }
      if (!force) {
        return refuse("Cannot link: different hard link exists at destination");
      }
    }
    if (changed && !ctx.check_mode) {
      if (prev == "directory") {
        Status s = ctx.conn->Remove(path, false, ctx.priv);
        if (!s.ok()) return Fail("Error while replacing: " + s.message(), path);
      }
      Status s = ctx.conn->HardLink(src, path, ctx.priv);
      if (!s.ok()) return Fail("Error while linking: " + s.message(), path);
    }
    result.data["src"] = src;
    ASSIGN_OR_RETURN(bool exists, Exists(ctx, path));
    if (ctx.check_mode && !exists) {
      result.changed = changed;
      result.data["dest"] = path;
      if (ctx.diff) {
        if (auto d = StateDiff(before, after)) result.diffs.push_back(*d);
      }
      return std::move(result);
    }
    ASSIGN_OR_RETURN(bool a, Attrs(path));
    return Finish(changed || a, "dest");
  }

  Result<ModuleResult> Touch() {
    ASSIGN_OR_RETURN(std::string prev, GetState(ctx, path));
    bool changed = false;
    if (prev == "absent") {
      if (ctx.check_mode) {
        result.changed = true;
        result.data["dest"] = path;
        return std::move(result);
      }
      Status s = ctx.conn->WriteFile(path, "", FileAttrs{}, ctx.priv);
      if (!s.ok()) {
        return Fail("Error, could not touch target: " + s.message(), path);
      }
      changed = true;
    }
    InitialDiff("touch", prev);
    Result<bool> a = Attrs(path);
    if (!a.ok()) {
      if (prev == "absent") {
        ctx.conn->Remove(path, false, ctx.priv).IgnoreError();
      }
      return a.status();
    }
    return Finish(changed || *a, "dest");
  }
};

class FileModule : public Module {
 public:
  FileModule() {
    spec_.name = "file";
    spec_.params = {
        Param("path", ParamType::kPath).Required().Aliases({"dest", "name"}),
        Param("state").Choices(
            {"absent", "directory", "file", "hard", "link", "touch"}),
        Param("src", ParamType::kPath),
        Param("recurse", ParamType::kBool).Default(false),
        Param("force", ParamType::kBool).Default(false),
        Param("follow", ParamType::kBool).Default(true),
        Param("modification_time"),
        Param("modification_time_format").Default("%Y%m%d%H%M.%S"),
        Param("access_time"),
        Param("access_time_format").Default("%Y%m%d%H%M.%S"),
    };
    AddFileCommonParams(&spec_.params);
  }
  const ModuleSpec& spec() const override { return spec_; }

  Result<ModuleResult> Run(const Value& args, ModuleContext& ctx) override {
    ASSIGN_OR_RETURN(std::string path, ExpandUser(ctx, ArgStr(args, "path")));
    std::string state = ArgStr(args, "state");
    const std::string src = ArgStr(args, "src");
    const bool recurse = ArgBool(args, "recurse");
    const bool force = ArgBool(args, "force");
    const bool follow = ArgBool(args, "follow", true);
    if (state != "link" && state != "absent" && !src.empty()) {
      ASSIGN_OR_RETURN(FileStat st, ctx.conn->Stat(path, true, ctx.priv));
      if (st.type == FileType::kDirectory) {
        path = JoinPath(path, Basename(src));
      }
    }
    ASSIGN_OR_RETURN(std::string prev, GetState(ctx, path));
    if (state.empty()) {
      state = prev != "absent" ? prev : recurse ? "directory" : "file";
    }
    if (recurse && state != "directory") {
      return Fail("recurse option requires state to be 'directory'", path);
    }
    if (!src.empty() && state != "link" && state != "hard") {
      return Fail("src option requires state to be 'link' or 'hard'", path);
    }
    // Times: preserve by default, now for touch.
    FileRun run{.ctx = ctx,
                .args = args,
                .path = path,
                .follow = follow,
                .times = {},
                .result = {}};
    auto time_arg = [&](const char* name,
                        const char* fmt) -> Result<std::optional<int64_t>> {
      std::string v = ArgStr(args, name);
      if (v.empty()) v = state == "touch" ? "now" : "preserve";
      return ParseTime(v, ArgStr(args, fmt, "%Y%m%d%H%M.%S"));
    };
    Result<std::optional<int64_t>> m =
        time_arg("modification_time", "modification_time_format");
    if (!m.ok()) return Fail(m.status().message(), path);
    Result<std::optional<int64_t>> a =
        time_arg("access_time", "access_time_format");
    if (!a.ok()) return Fail(a.status().message(), path);
    run.times = {*m, *a};
    Result<ModuleResult> r = [&]() -> Result<ModuleResult> {
      if (state == "absent") return run.Absent();
      if (state == "file") return run.File();
      if (state == "directory") return run.Directory(recurse);
      if (state == "link") return run.Link(src, force);
      if (state == "hard") return run.Hard(src, force);
      return run.Touch();
    }();
    if (!r.ok()) return Fail(r.status().message(), path);
    return r;
  }

 private:
  ModuleSpec spec_;
};

}  // namespace

std::unique_ptr<Module> NewFileModule() {
  return std::make_unique<FileModule>();
}

}  // namespace tend::automate::filemod
