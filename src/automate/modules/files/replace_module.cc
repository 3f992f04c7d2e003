// ansible.builtin.replace: every match of a MULTILINE regexp replaced,
// optionally only between `after` and `before` (DOTALL section patterns,
// as Ansible builds them). Python patterns run on RE2; see py_regex.h.
#include "automate/modules/args.h"
#include "automate/modules/files/file_common.h"
#include "automate/py_regex.h"

namespace tend::automate::filemod {
namespace {

class ReplaceModule : public Module {
 public:
  ReplaceModule() {
    spec_.name = "replace";
    spec_.params = {
        Param("path", ParamType::kPath)
            .Required()
            .Aliases({"dest", "destfile", "name"}),
        Param("regexp").Required(),
        Param("replace").Default(""),
        Param("after"),
        Param("before"),
        Param("backup", ParamType::kBool).Default(false),
        Param("validate"),
        Param("encoding").Default("utf-8"),
    };
    AddFileCommonParams(&spec_.params);
  }
  const ModuleSpec& spec() const override { return spec_; }

  Result<ModuleResult> Run(const Value& args, ModuleContext& ctx) override {
    ASSIGN_OR_RETURN(std::string path, ExpandUser(ctx, ArgStr(args, "path")));
    ASSIGN_OR_RETURN(FileStat st, ctx.conn->Stat(path, true, ctx.priv));
    if (st.type == FileType::kDirectory) {
      ModuleResult r = Fail("Path " + path + " is a directory !");
      r.data["rc"] = 256;
      return r;
    }
    if (!st.exists()) {
      ModuleResult r = Fail("Path " + path + " does not exist !");
      r.data["rc"] = 257;
      return r;
    }
    ASSIGN_OR_RETURN(std::string contents,
                     ctx.conn->ReadFile(path, kMaxFileBytes, ctx.priv));
    const std::string after = ArgStr(args, "after");
    const std::string before = ArgStr(args, "before");
    std::string pattern;
    if (!after.empty() && !before.empty()) {
      pattern = after + "(?P<subsection>.*?)" + before;
    } else if (!after.empty()) {
      pattern = after + "(?P<subsection>.*)";
    } else if (!before.empty()) {
      pattern = "(?P<subsection>.*)" + before;
    }
    ModuleResult r;
    r.data["rc"] = 0;
    std::string_view section = contents;
    size_t sec_start = 0, sec_end = contents.size();
    if (!pattern.empty()) {
      Result<std::shared_ptr<const RE2>> sre =
          CompilePyRegex(pattern, {.dotall = true}, "after/before");
      if (!sre.ok()) return Fail(sre.status().message(), path);
      const RE2& re = **sre;
      auto named = re.NamedCapturingGroups().find("subsection");
      if (named == re.NamedCapturingGroups().end()) {
        return Fail("after/before: the pattern lost its subsection group",
                    path);
      }
      const int idx = named->second;
      std::vector<re2::StringPiece> g(
          static_cast<size_t>(re.NumberOfCapturingGroups()) + 1);
      if (!re.Match(contents, 0, contents.size(), RE2::UNANCHORED, g.data(),
                    static_cast<int>(g.size()))) {
        r.msg =
            "Pattern for before/after params did not match the given "
            "file: " +
            pattern;
        return r;
      }
      sec_start = static_cast<size_t>(g[static_cast<size_t>(idx)].data() -
                                      contents.data());
      sec_end = sec_start + g[static_cast<size_t>(idx)].size();
      section =
          std::string_view(contents).substr(sec_start, sec_end - sec_start);
    }
    Result<std::shared_ptr<const RE2>> mre =
        CompilePyRegex(ArgStr(args, "regexp"), {.multiline = true}, "regexp");
    if (!mre.ok()) return Fail(mre.status().message(), path);
    int64_t replaced = 0;
    Result<std::string> sub =
        PyReSub(**mre, section, ArgStr(args, "replace"), 0, &replaced);
    if (!sub.ok()) return Fail("replace: " + sub.status().message(), path);
    bool changed = false;
    std::string msg;
    std::string result;
    if (replaced > 0 && *sub != section) {
      result = contents.substr(0, sec_start) + *sub + contents.substr(sec_end);
      msg = std::to_string(replaced) + " replacements made";
      changed = true;
      if (ctx.diff) {
        r.diffs.push_back(ContentDiff(path, path, contents, result));
      }
      Result<std::string> b = WriteContent(ctx, args, path, result, true);
      if (!b.ok()) return Fail(b.status().message(), path);
      if (!b->empty()) r.data["backup_file"] = *b;
    }
    Status s = CheckFileAttrs(ctx, args, path, &changed, &msg, nullptr);
    if (!s.ok()) return Fail(s.message(), path);
    r.changed = changed;
    r.msg = std::move(msg);
    return r;
  }

 private:
  ModuleSpec spec_;
};

}  // namespace

std::unique_ptr<Module> NewReplaceModule() {
  return std::make_unique<ReplaceModule>();
}

}  // namespace tend::automate::filemod
