// ansible.builtin.unarchive: unpacks a tar (plain, gzip, bzip2, xz, zstd)
// or zip archive into an existing directory on the target, with the
// target's GNU tar or unzip.
//
// src is a controller file (found like copy's), uploaded to a temporary
// directory on the target (the local connection uses it in place), or with
// remote_src a file already on the target; a URL with remote_src is fetched
// on the controller (see get_url) and uploaded.
//
// changed as Ansible decides it: tar archives are compared with
// `tar --diff` and only missing files, modification times, modes (unless
// mode is given), owners and groups (when running as root and not given)
// count; zip archives are compared member by member (type, size, mtime,
// and the archived mode unless mode is given). The format is recognised
// from the archive's first bytes, not its name.
#include <ctime>
#include <fstream>

#include "automate/modules/args.h"
#include "automate/modules/files/file_common.h"
#include "automate/modules/net/net_util.h"
#include "automate/modules/system/system_util.h"

namespace tend::automate::netmod {
namespace {

using sysmod::SplitLines;

const std::map<std::string, std::string> kLangC = {
    {"LANG", "C"}, {"LC_ALL", "C"}, {"LC_MESSAGES", "C"}, {"LANGUAGE", "C"}};

enum class Format { kZip, kTar, kGzip, kBzip2, kXz, kZstd };

Format Sniff(std::string_view head) {
  auto starts = [&](std::string_view magic) { return head.starts_with(magic); };
  if (starts("PK\x03\x04") || starts("PK\x05\x06")) return Format::kZip;
  if (starts("\x1f\x8b")) return Format::kGzip;
  if (starts("BZh")) return Format::kBzip2;
  if (starts("\xfd"
             "7zXZ"))
    return Format::kXz;
  if (starts("\x28\xb5\x2f\xfd")) return Format::kZstd;
  return Format::kTar;
}

// Ansible's handler class names, returned as "handler".
const char* HandlerName(Format f) {
  switch (f) {
    case Format::kZip:
      return "ZipArchive";
    case Format::kTar:
      return "TarArchive";
    case Format::kGzip:
      return "TgzArchive";
    case Format::kBzip2:
      return "TarBzipArchive";
    case Format::kXz:
      return "TarXzArchive";
    case Format::kZstd:
      return "TarZstdArchive";
  }
  return "";
}

std::string ZipFlag(Format f) {
  switch (f) {
    case Format::kGzip:
      return "-z";
    case Format::kBzip2:
      return "-j";
    case Format::kXz:
      return "-J";
    case Format::kZstd:
      return "--use-compress-program=zstd";
    default:
      return "";
  }
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.ends_with(suffix);
}

// "-rw-r--r--" -> 0644 (setuid/setgid/sticky letters included).
uint32_t PermBits(std::string_view p) {
  if (p.size() < 10) return 0;
  uint32_t m = 0;
  static const uint32_t kBits[9] = {0400, 0200, 0100, 040, 020,
                                    010,  04,   02,   01};
  for (int i = 0; i < 9; ++i) {
    char c = p[1 + i];
    if (c != '-' && c != 'S' && c != 'T') m |= kBits[i];
  }
  if (p[3] == 's' || p[3] == 'S') m |= 04000;
  if (p[6] == 's' || p[6] == 'S') m |= 02000;
  if (p[9] == 't' || p[9] == 'T') m |= 01000;
  return m;
}

class UnarchiveModule : public Module {
 public:
  UnarchiveModule() {
    spec_.name = "unarchive";
    spec_.params = {
        Param("src", ParamType::kPath).Required(),
        Param("dest", ParamType::kPath).Required(),
        Param("remote_src", ParamType::kBool).Default(false),
        Param("copy", ParamType::kBool).Default(true),
        Param("creates", ParamType::kPath),
        Param("list_files", ParamType::kBool).Default(false),
        Param("keep_newer", ParamType::kBool).Default(false),
        Param("exclude", ParamType::kList).Default(Value::array()),
        Param("extra_opts", ParamType::kList).Default(Value::array()),
        Param("validate_certs", ParamType::kBool).Default(true),
        Param("decrypt", ParamType::kBool).Default(true),
    };
    filemod::AddFileCommonParams(&spec_.params);
  }
  const ModuleSpec& spec() const override { return spec_; }

  Result<ModuleResult> Run(const Value& args, ModuleContext& ctx) override {
    ModuleResult res;
    auto fail = [&](std::string msg) {
      res.failed = true;
      res.msg = std::move(msg);
      return res;
    };
    ASSIGN_OR_RETURN(std::string dest,
                     filemod::ExpandUser(ctx, ArgStr(args, "dest")));
    std::string src = ArgStr(args, "src");
    const bool remote_src =
        ArgBool(args, "remote_src") || !ArgBool(args, "copy", true);
    if (ArgHas(args, "creates")) {
      ASSIGN_OR_RETURN(FileStat c,
                       ctx.conn->Stat(ArgStr(args, "creates"), true, ctx.priv));
      if (c.exists()) {
        res.skipped = true;
        res.msg = "skipped, since " + ArgStr(args, "creates") + " exists";
        return res;
      }
    }
    ASSIGN_OR_RETURN(FileStat dst, ctx.conn->Stat(dest, true, ctx.priv));
    if (dst.type != FileType::kDirectory) {
      return fail("dest '" + dest + "' must be an existing dir");
    }

    // Where the archive is on the target, and its first bytes.
    std::string archive;
    std::string head;
    LocalTempFile fetched;
    std::string controller_file;
    if (remote_src && src.find("://") != std::string::npos) {
      RETURN_IF_ERROR(fetched.Create("unarchive"));
      FetchRequest req;
      req.url = src;
      req.body_file = fetched.path();
      req.validate_certs = ArgBool(args, "validate_certs", true);
      Result<FetchResponse> r = Fetch(req);
      if (!r.ok())
        return fail("Failure downloading " + src + ", " + r.status().message());
      if (r->status != 200 && !src.starts_with("file:")) {
        return fail("Failure downloading " + src + ", HTTP Error " +
                    std::to_string(r->status) + ": " + r->reason);
      }
      controller_file = fetched.path();
    } else if (remote_src) {
      ASSIGN_OR_RETURN(FileStat s, ctx.conn->Stat(src, true, ctx.priv));
      if (!s.exists()) return fail("Source '" + src + "' does not exist");
      if (s.size == 0) {
        return fail("Invalid archive '" + src + "', the file is 0 bytes");
      }
      ASSIGN_OR_RETURN(ExecResult h,
                       sysmod::Run(ctx, {"head", "-c", "512", "--", src}));
      if (h.exit_code != 0) return fail("Source '" + src + "' not readable");
      head = h.out;
      archive = src;
    } else {
      controller_file = src;
      if (ctx.find_src) {
        Result<std::string> found = ctx.find_src(src, "files");
        if (!found.ok()) {
          return fail("Could not find or access '" + src +
                      "' on the controller: " + found.status().message());
        }
        controller_file = *found;
      }
    }
    TargetTemp remote_tmp(ctx);
    if (!controller_file.empty()) {
      std::ifstream in(controller_file, std::ios::binary);
      if (!in) {
        return fail("Could not find or access '" + src + "' on the controller");
      }
      head.resize(512);
      in.read(head.data(), 512);
      head.resize(static_cast<size_t>(in.gcount()));
      if (head.empty()) {
        return fail("Invalid archive '" + src + "', the file is 0 bytes");
      }
      if (ctx.conn->is_local()) {
        archive = controller_file;
      } else {
        ASSIGN_OR_RETURN(std::string dir, remote_tmp.Make());
        archive = filemod::JoinPath(dir, filemod::Basename(controller_file));
        RETURN_IF_ERROR(
            ctx.conn->Upload(controller_file, archive, {}, ctx.priv));
      }
    }
    const Format format = Sniff(head);
    res.data["handler"] = HandlerName(format);
    res.data["dest"] = dest;
    res.data["src"] = archive;

    std::vector<std::string> files;
    bool unarchived = false;
    if (format == Format::kZip) {
      ASSIGN_OR_RETURN(unarchived,
                       ZipUnarchived(ctx, args, archive, dest, &files, &res));
    } else {
      ASSIGN_OR_RETURN(unarchived, TarUnarchived(ctx, args, format, archive,
                                                 dest, &files, &res));
    }
    if (res.failed) return res;

    if (ctx.check_mode) {
      res.changed = !unarchived;
    } else if (!unarchived) {
      std::vector<std::string> cmd =
          ExtractCommand(args, format, archive, dest);
      ASSIGN_OR_RETURN(ExecResult r, sysmod::Run(ctx, cmd, "", kLangC));
      res.data["extract_results"] = {
          {"cmd", cmd}, {"rc", r.exit_code}, {"out", r.out}, {"err", r.err}};
      if (r.exit_code != 0) {
        return fail("failed to unpack " + archive + " to " + dest + ": " +
                    std::string(sysmod::TrimSpace(r.err)));
      }
      res.changed = true;
    }
    if (!ctx.check_mode && (ArgHas(args, "mode") || ArgHas(args, "owner") ||
                            ArgHas(args, "group"))) {
      std::vector<std::string> tops;
      for (const auto& f : files) {
        std::string path = filemod::JoinPath(dest, f);
        ASSIGN_OR_RETURN(filemod::AttrOutcome o,
                         filemod::ApplyFileAttrs(ctx, path, args, false));
        res.changed = res.changed || o.changed;
        size_t slash = f.find('/');
        if (slash != std::string::npos) {
          std::string top = f.substr(0, slash);
          if (std::find(tops.begin(), tops.end(), top) == tops.end()) {
            tops.push_back(top);
          }
        }
      }
      for (const auto& top : tops) {
        ASSIGN_OR_RETURN(filemod::AttrOutcome o,
                         filemod::ApplyFileAttrs(
                             ctx, filemod::JoinPath(dest, top), args, false));
        res.changed = res.changed || o.changed;
      }
    }
    if (ArgBool(args, "list_files")) res.data["files"] = files;
    filemod::AddPathInfo(ctx, dest, &res.data);
    return res;
  }

 private:
  // A temporary directory on the target, removed when this goes away.
  class TargetTemp {
   public:
    explicit TargetTemp(ModuleContext& ctx) : ctx_(ctx) {}
    ~TargetTemp() {
      if (!dir_.empty()) ctx_.conn->Remove(dir_, true, ctx_.priv).IgnoreError();
    }
    Result<std::string> Make() {
      ASSIGN_OR_RETURN(ExecResult r, sysmod::Run(ctx_, {"mktemp", "-d", "-t",
                                                        "tend-XXXXXX"}));
      if (r.exit_code != 0) {
        return InternalError("cannot make a temporary directory on " +
                             ctx_.conn->host() + ": " + r.err);
      }
      dir_ = std::string(sysmod::TrimSpace(r.out));
      return dir_;
    }

   private:
    ModuleContext& ctx_;
    std::string dir_;
  };

  static std::vector<std::string> Strings(const Value& list) {
    std::vector<std::string> out;
    for (const auto& v : list) {
      out.push_back(v.is_string() ? v.get<std::string>() : v.dump());
    }
    return out;
  }

  // The tar options shared by --list, --diff and --extract after the verb.
  static std::vector<std::string> TarOptions(const Value& args, Format f,
                                             const std::string& dest) {
    std::vector<std::string> cmd = {"-C", dest};
    if (std::string z = ZipFlag(f); !z.empty()) cmd.push_back(z);
    std::vector<std::string> opts = Strings(args["extra_opts"]);
    if (!opts.empty()) {
      cmd.push_back("--show-transformed-names");
      cmd.insert(cmd.end(), opts.begin(), opts.end());
    }
    return cmd;
  }

  static std::vector<std::string> ExtractCommand(const Value& args, Format f,
                                                 const std::string& archive,
                                                 const std::string& dest) {
    std::vector<std::string> excludes = Strings(args["exclude"]);
    if (f == Format::kZip) {
      std::vector<std::string> cmd = {"unzip", "-o"};
      for (auto& o : Strings(args["extra_opts"])) cmd.push_back(o);
      cmd.push_back(archive);
      if (!excludes.empty()) {
        cmd.push_back("-x");
        cmd.insert(cmd.end(), excludes.begin(), excludes.end());
      }
      cmd.push_back("-d");
      cmd.push_back(dest);
      return cmd;
    }
    std::vector<std::string> cmd = {"tar", "--extract"};
    for (auto& o : TarOptions(args, f, dest)) cmd.push_back(o);
    if (ArgHas(args, "owner"))
      cmd.push_back("--owner=" + ArgStr(args, "owner"));
    if (ArgHas(args, "group"))
      cmd.push_back("--group=" + ArgStr(args, "group"));
    if (ArgBool(args, "keep_newer")) cmd.push_back("--keep-newer-files");
    for (const auto& e : excludes) cmd.push_back("--exclude=" + e);
    cmd.push_back("-f");
    cmd.push_back(archive);
    return cmd;
  }

  static Result<bool> TarUnarchived(ModuleContext& ctx, const Value& args,
                                    Format f, const std::string& archive,
                                    const std::string& dest,
                                    std::vector<std::string>* files,
                                    ModuleResult* res) {
    std::vector<std::string> excludes = Strings(args["exclude"]);
    std::vector<std::string> list = {"tar", "--list"};
    for (auto& o : TarOptions(args, f, dest)) list.push_back(o);
    for (const auto& e : excludes) list.push_back("--exclude=" + e);
    list.push_back("-f");
    list.push_back(archive);
    ASSIGN_OR_RETURN(ExecResult lr, sysmod::Run(ctx, list, "", kLangC));
    if (lr.exit_code != 0) {
      if (lr.exit_code == 127 ||
          lr.err.find("not found") != std::string::npos) {
        *res = sysmod::Failed("Failed to find handler for \"" + archive +
                              "\": the target needs GNU tar" +
                              (f == Format::kZstd ? " and zstd" : "") + ": " +
                              std::string(sysmod::TrimSpace(lr.err)));
      } else {
        *res = sysmod::Failed("Unable to list files in the archive " + archive +
                              ": " + std::string(sysmod::TrimSpace(lr.err)));
      }
      return false;
    }
    for (auto& name : SplitLines(lr.out)) {
      if (name.starts_with('/')) name.erase(0, 1);
      if (!name.empty()) files->push_back(name);
    }
    if (files->empty()) {
      *res = sysmod::Failed(
          "Command \"tar\" found no files in archive. Empty archive files "
          "are not supported.");
      return false;
    }
    std::vector<std::string> diff = {"tar", "--diff"};
    for (auto& o : TarOptions(args, f, dest)) diff.push_back(o);
    if (ArgHas(args, "owner"))
      diff.push_back("--owner=" + ArgStr(args, "owner"));
    if (ArgHas(args, "group"))
      diff.push_back("--group=" + ArgStr(args, "group"));
    if (ArgBool(args, "keep_newer")) diff.push_back("--keep-newer-files");
    for (const auto& e : excludes) diff.push_back("--exclude=" + e);
    diff.push_back("-f");
    diff.push_back(archive);
    ExecRequest req;
    req.argv = diff;
    req.chdir = dest;
    req.env = kLangC;
    req.priv = ctx.priv;
    ASSIGN_OR_RETURN(ExecResult dr, ctx.conn->Exec(req));
    std::optional<bool> root;
    auto is_root = [&]() -> Result<bool> {
      if (!root) {
        ASSIGN_OR_RETURN(ExecResult id, sysmod::Run(ctx, {"id", "-u"}));
        root = sysmod::TrimSpace(id.out) == "0";
      }
      return *root;
    };
    bool differs = false;
    std::vector<std::string> lines = SplitLines(dr.out);
    for (auto& l : SplitLines(dr.err)) lines.push_back(l);
    for (const auto& line : lines) {
      if (EndsWith(line, ": : Warning: Cannot stat: No such file or directory"))
        continue;
      bool counts = false;
      if (EndsWith(line, ": Uid differs") && !ArgHas(args, "owner")) {
        ASSIGN_OR_RETURN(counts, is_root());
      } else if (EndsWith(line, ": Gid differs") && !ArgHas(args, "group")) {
        ASSIGN_OR_RETURN(counts, is_root());
      } else if (EndsWith(line, ": Mode differs")) {
        counts = !ArgHas(args, "mode");
      } else if (EndsWith(line, ": Mod time differs") ||
                 EndsWith(
                     line,
                     ": Warning: Cannot stat: No such file or directory") ||
                 line.find(": Invalid owner") != std::string::npos ||
                 line.find(": Invalid group") != std::string::npos) {
        counts = true;
      }
      differs = differs || counts;
    }
    return !differs;
  }

  // zipinfo -T -s: "-rw-r--r--  3.0 unx  6 tx stor 20240102.030405 name".
  static Result<bool> ZipUnarchived(ModuleContext& ctx, const Value& args,
                                    const std::string& archive,
                                    const std::string& dest,
                                    std::vector<std::string>* files,
                                    ModuleResult* res) {
    std::vector<std::string> cmd = {"zipinfo", "-T", "-s", archive};
    Result<ExecResult> zr = sysmod::Run(ctx, cmd, "", kLangC);
    if (!zr.ok() || zr->exit_code == 127) {
      *res = sysmod::Failed(
          "Failed to find handler for \"" + archive +
          "\": the target needs unzip (and its zipinfo) to unpack zip "
          "archives; install the unzip package");
      return false;
    }
    if (zr->exit_code != 0) {
      *res = sysmod::Failed("Unable to list files in the archive " + archive +
                            ": " + std::string(sysmod::TrimSpace(zr->err)));
      return false;
    }
    bool unarchived = true;
    std::vector<std::string> excludes = Strings(args["exclude"]);
    for (const auto& line : SplitLines(zr->out)) {
      std::vector<std::string> w = sysmod::SplitWhitespace(line);
      if (w.size() < 8 || w[0].size() != 10) continue;  // header, summary
      // The name is everything after the 7th field (it may hold spaces).
      size_t pos = 0;
      for (int i = 0; i < 7; ++i) {
        pos = line.find(w[static_cast<size_t>(i)], pos) +
              w[static_cast<size_t>(i)].size();
      }
      std::string name(sysmod::TrimSpace(line.substr(pos)));
      if (std::find(excludes.begin(), excludes.end(), name) != excludes.end())
        continue;
      files->push_back(name);
      if (!unarchived) continue;
      std::string path = filemod::JoinPath(dest, name);
      ASSIGN_OR_RETURN(FileStat st, ctx.conn->Stat(path, false, ctx.priv));
      bool is_dir = name.ends_with('/');
      if (is_dir) {
        if (st.type != FileType::kDirectory) unarchived = false;
        continue;
      }
      if (st.type != FileType::kFile &&
          !(w[0][0] == 'l' && st.type == FileType::kSymlink)) {
        unarchived = false;
        continue;
      }
      if (w[0][0] == '-' && st.size != strtoull(w[3].c_str(), nullptr, 10))
        unarchived = false;
      // The archive's local time, as unzip sets it.
      std::tm tm{};
      if (strptime(w[6].c_str(), "%Y%m%d.%H%M%S", &tm) != nullptr) {
        tm.tm_isdst = -1;
        int64_t t = static_cast<int64_t>(mktime(&tm));
        if (w[0][0] == '-' && st.mtime_ns / 1000000000 != t) unarchived = false;
      }
      if (!ArgHas(args, "mode") && w[2] == "unx" && w[0][0] == '-' &&
          (st.mode & 07777) != PermBits(w[0])) {
        unarchived = false;
      }
    }
    return unarchived;
  }

  ModuleSpec spec_;
};

}  // namespace

std::unique_ptr<Module> NewUnarchiveModule() {
  return std::make_unique<UnarchiveModule>();
}

}  // namespace tend::automate::netmod
