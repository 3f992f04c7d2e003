// mount: fstab entries and mounted filesystems (ansible.posix.mount on
// Linux). States: present (fstab only), mounted (fstab, then mount or
// remount), unmounted (umount only), absent (out of fstab, unmounted, the
// empty mount point removed), remounted (mount -o remount, always changed).
#include <algorithm>
#include <string>
#include <vector>

#include "automate/modules/args.h"
#include "automate/modules/system/fstab.h"
#include "automate/modules/system/system_util.h"

namespace tend::automate::sysmod {
namespace {

constexpr char kDefaultFstab[] = "/etc/fstab";

class MountModule : public Module {
 public:
  MountModule() {
    spec_.name = "mount";
    spec_.params = {
        Param("path", ParamType::kPath).Required().Aliases({"name"}),
        Param("src", ParamType::kPath),
        Param("fstype"),
        Param("opts"),
        Param("dump").Default("0"),
        Param("passno").Default("0"),
        Param("state").Required().Choices(
            {"absent", "mounted", "present", "unmounted", "remounted"}),
        Param("fstab"),
        Param("boot", ParamType::kBool).Default(true),
    };
  }

  const ModuleSpec& spec() const override { return spec_; }

  Result<ModuleResult> Run(const Value& args, ModuleContext& ctx) override {
    std::string state = ArgStr(args, "state");
    FstabEntry e;
    e.name = ArgStr(args, "path");
    e.src = ArgStr(args, "src");
    e.fstype = ArgStr(args, "fstype");
    e.opts = ArgStr(args, "opts", "defaults");
    e.dump = ArgStr(args, "dump", "0");
    e.passno = ArgStr(args, "passno", "0");
    std::string fstab = ArgStr(args, "fstab", kDefaultFstab);
    bool custom_fstab = fstab != kDefaultFstab;
    if (e.name.empty() || e.name[0] != '/') {
      return Failed("path must be absolute; got '" + e.name + "'");
    }
    while (e.name.size() > 1 && e.name.back() == '/') e.name.pop_back();
    if ((state == "mounted" || state == "present") &&
        (e.src.empty() || e.fstype.empty())) {
      std::string missing = e.src.empty() ? "src" : "fstype";
      if (e.src.empty() && e.fstype.empty()) missing = "src, fstype";
      return Failed("state is " + state +
                    " but all of the following are missing: " + missing);
    }
    bool boot = ArgBool(args, "boot", true);
    if (!boot) {
      std::vector<std::string> opts = SplitCommas(e.opts);
      if (std::find(opts.begin(), opts.end(), "noauto") == opts.end()) {
        e.opts += ",noauto";
      }
    }

    ModuleResult res;
    res.data = {{"name", e.name},   {"opts", e.opts},
                {"dump", e.dump},   {"passno", e.passno},
                {"fstab", fstab},   {"boot", boot ? "yes" : "no"},
                {"backup_file", ""}};
    if (!e.src.empty()) res.data["src"] = e.src;
    if (!e.fstype.empty()) res.data["fstype"] = e.fstype;

    ASSIGN_OR_RETURN(auto old_text, ReadIfExists(ctx, fstab));
    std::string text = old_text.value_or("");
    ASSIGN_OR_RETURN(bool mounted, IsMounted(ctx, e.name));

    auto write_fstab = [&](const std::string& new_text) -> Status {
      if (ctx.diff) {
        res.diffs.push_back(MakeDiff(fstab, fstab, text, new_text));
      }
      if (ctx.check_mode) return Status::Ok();
      FileAttrs attrs;
      if (!old_text) attrs.mode = 0644;
      return ctx.conn->WriteFile(fstab, new_text, attrs, ctx.priv);
    };

    if (state == "present") {
      FstabEdit edit = SetFstabEntry(text, e);
      res.changed = edit.changed;
      if (edit.changed) RETURN_IF_ERROR(write_fstab(edit.text));
    } else if (state == "absent") {
      FstabEdit edit = RemoveFstabEntry(text, e.name, e.src);
      res.changed = edit.changed;
      if (edit.changed) {
        RETURN_IF_ERROR(write_fstab(edit.text));
        if (!ctx.check_mode) {
          if (mounted) {
            ASSIGN_OR_RETURN(ExecResult r,
                             sysmod::Run(ctx, {"umount", e.name}));
            if (r.exit_code != 0) {
              return Failed("Error unmounting " + e.name + ": " + r.out +
                            r.err);
            }
          }
          ASSIGN_OR_RETURN(FileStat st,
                           ctx.conn->Stat(e.name, false, ctx.priv));
          if (st.type == FileType::kDirectory) {
            ASSIGN_OR_RETURN(ExecResult r, sysmod::Run(ctx, {"rmdir", e.name}));
            if (r.exit_code != 0) {
              return Failed("Error rmdir " + e.name + ": " +
                            std::string(TrimSpace(r.err)));
            }
          }
        }
      }
    } else if (state == "unmounted") {
      if (mounted) {
        res.changed = true;
        if (!ctx.check_mode) {
          ASSIGN_OR_RETURN(ExecResult r, sysmod::Run(ctx, {"umount", e.name}));
          if (r.exit_code != 0) {
            return Failed("Error unmounting " + e.name + ": " + r.out + r.err);
          }
        }
      }
    } else if (state == "remounted") {
      res.changed = true;
      if (!ctx.check_mode) {
        std::string err;
        ASSIGN_OR_RETURN(bool ok,
                         Remount(ctx, e, fstab, custom_fstab,
                                 /*explicit_opts=*/ArgHas(args, "opts"), &err));
        if (!ok) return Failed("Error remounting " + e.name + ": " + err);
      }
    } else {  // mounted
      FstabEdit edit = SetFstabEntry(text, e);
      res.changed = edit.changed;
      if (!ctx.check_mode) {
        ASSIGN_OR_RETURN(FileStat st, ctx.conn->Stat(e.name, true, ctx.priv));
        if (!st.exists()) {
          ASSIGN_OR_RETURN(ExecResult r,
                           sysmod::Run(ctx, {"mkdir", "-p", e.name}));
          if (r.exit_code != 0) {
            return Failed("Error making dir " + e.name + ": " +
                          std::string(TrimSpace(r.err)));
          }
        }
      }
      if (edit.changed) RETURN_IF_ERROR(write_fstab(edit.text));
      std::string err;
      bool ok = true;
      if (mounted) {
        if (edit.changed && !ctx.check_mode) {
          ASSIGN_OR_RETURN(ok,
                           Remount(ctx, e, fstab, custom_fstab, false, &err));
        }
      } else {
        res.changed = true;
        if (!ctx.check_mode) {
          ASSIGN_OR_RETURN(ok, Mount(ctx, e.name, fstab, custom_fstab, &err));
        }
      }
      if (!ok) {
        // A broken entry could stop the next boot: put the old file back.
        if (edit.changed) {
          FileAttrs attrs;
          RETURN_IF_ERROR(ctx.conn->WriteFile(fstab, text, attrs, ctx.priv));
        }
        return Failed("Error mounting " + e.name + ": " + err);
      }
    }
    return res;
  }

 private:
  static std::vector<std::string> SplitCommas(const std::string& s) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= s.size()) {
      size_t c = s.find(',', start);
      if (c == std::string::npos) c = s.size();
      out.push_back(s.substr(start, c - start));
      start = c + 1;
    }
    return out;
  }

  static Result<bool> IsMounted(ModuleContext& ctx, const std::string& path) {
    ASSIGN_OR_RETURN(std::string info,
                     ctx.conn->ReadFile("/proc/self/mountinfo",
                                        kMaxConfigFileBytes, ctx.priv));
    std::vector<std::string> points = MountPoints(info);
    return std::find(points.begin(), points.end(), path) != points.end();
  }

  static Result<bool> Mount(ModuleContext& ctx, const std::string& path,
                            const std::string& fstab, bool custom_fstab,
                            std::string* err) {
    std::vector<std::string> argv = {"mount"};
    if (custom_fstab) {
      argv.push_back("-T");
      argv.push_back(fstab);
    }
    argv.push_back(path);
    ASSIGN_OR_RETURN(ExecResult r, sysmod::Run(ctx, argv));
    if (r.exit_code == 0) return true;
    *err = r.out + r.err;
    return false;
  }

  // mount -o remount[,opts]; when that fails, umount and mount again
  // (Ansible's fallback), except after explicit remount options.
  static Result<bool> Remount(ModuleContext& ctx, const FstabEntry& e,
                              const std::string& fstab, bool custom_fstab,
                              bool explicit_opts, std::string* err) {
    std::vector<std::string> argv = {"mount", "-o"};
    argv.push_back(explicit_opts && e.opts != "defaults" ? "remount," + e.opts
                                                         : "remount");
    if (custom_fstab) {
      argv.push_back("-T");
      argv.push_back(fstab);
    }
    argv.push_back(e.name);
    ASSIGN_OR_RETURN(ExecResult r, sysmod::Run(ctx, argv));
    if (r.exit_code == 0) return true;
    if (explicit_opts && e.opts != "defaults") {
      *err =
          "Options were specified with remounted, but the remount command "
          "failed. Failing in order to prevent an unexpected mount result.";
      return false;
    }
    ASSIGN_OR_RETURN(ExecResult u, sysmod::Run(ctx, {"umount", e.name}));
    if (u.exit_code != 0) {
      *err = u.out + u.err;
      return false;
    }
    return Mount(ctx, e.name, fstab, custom_fstab, err);
  }

  ModuleSpec spec_;
};

}  // namespace

std::unique_ptr<Module> NewMountModule() {
  return std::make_unique<MountModule>();
}

}  // namespace tend::automate::sysmod
