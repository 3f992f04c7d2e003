// ansible.builtin.stat: Ansible's stat dictionary for a path on the target.
#include "automate/modules/args.h"
#include "automate/modules/files/file_common.h"

namespace tend::automate::filemod {
namespace {

class StatModule : public Module {
 public:
  StatModule() {
    spec_.name = "stat";
    spec_.params = {
        Param("path", ParamType::kPath).Required().Aliases({"dest", "name"}),
        Param("follow", ParamType::kBool).Default(false),
        Param("get_checksum", ParamType::kBool).Default(true),
        Param("checksum_algorithm")
            .Default("sha1")
            .Choices({"md5", "sha1", "sha224", "sha256", "sha384", "sha512"})
            .Aliases({"checksum", "checksum_algo"}),
        Param("get_mime", ParamType::kBool)
            .Default(true)
            .Aliases({"mime", "mime_type", "mime-type"}),
        Param("get_attributes", ParamType::kBool)
            .Default(true)
            .Aliases({"attr", "attributes"}),
        Param("get_md5", ParamType::kBool).Default(false),
    };
  }
  const ModuleSpec& spec() const override { return spec_; }

  Result<ModuleResult> Run(const Value& args, ModuleContext& ctx) override {
    ASSIGN_OR_RETURN(std::string path, ExpandUser(ctx, ArgStr(args, "path")));
    const bool follow = ArgBool(args, "follow");
    ASSIGN_OR_RETURN(FileStat st, ctx.conn->Stat(path, follow, ctx.priv));
    ModuleResult r;
    Value s = Value::object();
    if (!st.exists()) {
      s["exists"] = false;
      r.data["stat"] = std::move(s);
      return r;
    }
    const uint32_t m = st.mode;
    auto secs = [](int64_t ns) { return static_cast<double>(ns) / 1e9; };
    s["exists"] = true;
    s["path"] = path;
    s["mode"] = ModeString(m);
    s["isdir"] = st.type == FileType::kDirectory;
    s["ischr"] = false;
    s["isblk"] = false;
    s["isreg"] = st.type == FileType::kFile;
    s["isfifo"] = false;
    s["islnk"] = st.type == FileType::kSymlink;
    s["issock"] = false;
    s["uid"] = st.uid;
    s["gid"] = st.gid;
    s["size"] = st.size;
    s["inode"] = st.inode;
    s["dev"] = st.dev;
    s["nlink"] = st.nlink;
    s["atime"] = secs(st.atime_ns);
    s["mtime"] = secs(st.mtime_ns);
    s["wusr"] = (m & 0200) != 0;
    s["rusr"] = (m & 0400) != 0;
    s["xusr"] = (m & 0100) != 0;
    s["wgrp"] = (m & 020) != 0;
    s["rgrp"] = (m & 040) != 0;
    s["xgrp"] = (m & 010) != 0;
    s["woth"] = (m & 02) != 0;
    s["roth"] = (m & 04) != 0;
    s["xoth"] = (m & 01) != 0;
    s["isuid"] = (m & 04000) != 0;
    s["isgid"] = (m & 02000) != 0;
    s["pw_name"] = ctx.ids->UserName(st.uid);
    s["gr_name"] = ctx.ids->GroupName(st.gid);
    if (st.type == FileType::kSymlink) {
      ASSIGN_OR_RETURN(std::string real, RealPath(ctx, path));
      s["lnk_source"] = real;
      s["lnk_target"] = st.link_target;
    }
    if (st.type == FileType::kFile && ArgBool(args, "get_checksum", true)) {
      Result<std::string> data =
          ctx.conn->ReadFile(path, kMaxFileBytes, ctx.priv);
      if (data.ok()) {
        std::string algo = ArgStr(args, "checksum_algorithm", "sha1");
        s["checksum"] = DigestHex(algo, *data).value_or("");
      }
    }
    r.data["stat"] = std::move(s);
    return r;
  }

 private:
  ModuleSpec spec_;
};

}  // namespace

std::unique_ptr<Module> NewStatModule() {
  return std::make_unique<StatModule>();
}

}  // namespace tend::automate::filemod
