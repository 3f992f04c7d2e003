// ansible.builtin.lineinfile, with Ansible 2.14's exact rules: which line
// a regexp/search_string replaces (the last match, or the first with
// firstmatch), where a new line goes (insertafter/insertbefore: the last
// matching line, or the first with firstmatch; EOF/BOF), backrefs, and the
// messages "line added", "line replaced", "N line(s) removed".
//
// Regexps are searched in each line without its "\n", so `$` matches at
// the line's end as Python's does before a final newline (RE2's `$` does
// not); see py_regex.h for the syntax differences.
#include "automate/modules/args.h"
#include "automate/modules/files/file_common.h"
#include "automate/py_regex.h"

namespace tend::automate::filemod {
namespace {

std::string_view Chomp(std::string_view line) {
  if (line.ends_with('\n')) line.remove_suffix(1);
  return line;
}

std::string_view StripCrLf(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
    line.remove_suffix(1);
  }
  return line;
}

bool Search(const RE2& re, std::string_view line) {
  return RE2::PartialMatch(Chomp(line), re);
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l;
  return out;
}

class LineinfileModule : public Module {
 public:
  LineinfileModule() {
    spec_.name = "lineinfile";
    spec_.params = {
        Param("path", ParamType::kPath)
            .Required()
            .Aliases({"dest", "destfile", "name"}),
        Param("state").Default("present").Choices({"absent", "present"}),
        Param("regexp").Aliases({"regex"}),
        Param("search_string"),
        Param("line").Aliases({"value"}),
        Param("insertafter"),
        Param("insertbefore"),
        Param("backrefs", ParamType::kBool).Default(false),
        Param("create", ParamType::kBool).Default(false),
        Param("backup", ParamType::kBool).Default(false),
        Param("firstmatch", ParamType::kBool).Default(false),
        Param("validate"),
    };
    AddFileCommonParams(&spec_.params);
    spec_.mutually_exclusive = {{"insertbefore", "insertafter"},
                                {"regexp", "search_string"},
                                {"backrefs", "search_string"}};
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
    std::shared_ptr<const RE2> re;
    if (ArgHas(args, "regexp")) {
      Result<std::shared_ptr<const RE2>> c =
          CompilePyRegex(ArgStr(args, "regexp"), {}, "regexp");
      if (!c.ok()) return Fail(c.status().message(), path);
      re = std::move(*c);
    }
    if (ArgStr(args, "state") == "present") {
      if (ArgBool(args, "backrefs") && !re) {
        return Fail("regexp is required with backrefs=true");
      }
      if (!ArgHas(args, "line")) {
        return Fail("line is required with state=present");
      }
      return Present(ctx, args, path, st, re.get());
    }
    if (!re && !ArgHas(args, "search_string") && !ArgHas(args, "line")) {
      return Fail(
          "one of line, search_string, or regexp is required with "
          "state=absent");
    }
    return Absent(ctx, args, path, st, re.get());
  }

 private:
  Result<ModuleResult> Present(ModuleContext& ctx, const Value& args,
                               const std::string& path, const FileStat& st,
                               const RE2* re) {
    const bool exists = st.exists();
    if (!exists && !ArgBool(args, "create")) {
      ModuleResult r = Fail("Destination " + path + " does not exist !");
      r.data["rc"] = 257;
      return r;
    }
    std::vector<std::string> lines;
    std::string before;
    if (exists) {
      ASSIGN_OR_RETURN(before,
                       ctx.conn->ReadFile(path, kMaxFileBytes, ctx.priv));
      lines = SplitLinesKeep(before);
    }
    const bool firstmatch = ArgBool(args, "firstmatch");
    const bool backrefs = ArgBool(args, "backrefs");
    const bool has_search = ArgHas(args, "search_string");
    const std::string search = ArgStr(args, "search_string");
    const std::string line = ArgStr(args, "line");
    std::optional<std::string> ins_aft, ins_bef;
    if (ArgHas(args, "insertafter")) ins_aft = ArgStr(args, "insertafter");
    if (ArgHas(args, "insertbefore")) ins_bef = ArgStr(args, "insertbefore");
    if (!ins_aft && !ins_bef) ins_aft = "EOF";
    std::shared_ptr<const RE2> ins_re;
    if (ins_aft && *ins_aft != "BOF" && *ins_aft != "EOF") {
      Result<std::shared_ptr<const RE2>> c =
          CompilePyRegex(*ins_aft, {}, "insertafter");
      if (!c.ok()) return Fail(c.status().message(), path);
      ins_re = std::move(*c);
    } else if (ins_bef && *ins_bef != "BOF") {
      Result<std::shared_ptr<const RE2>> c =
          CompilePyRegex(*ins_bef, {}, "insertbefore");
      if (!c.ok()) return Fail(c.status().message(), path);
      ins_re = std::move(*c);
    }

    long found = -1, ins = -1;  // index[0], index[1]
    bool matched = false;
    std::vector<std::string_view> groups;
    std::string match_line;  // the matched line, for backrefs
    if (re != nullptr) {
      for (size_t i = 0; i < lines.size(); ++i) {
        if (Search(*re, lines[i])) {
          found = static_cast<long>(i);
          matched = true;
          if (firstmatch) break;
        }
      }
      if (matched) {
        match_line = std::string(Chomp(lines[static_cast<size_t>(found)]));
        PyReMatch(*re, match_line, /*anchored=*/false, &groups);
      }
    }
    if (has_search) {
      for (size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].find(search) != std::string::npos) {
          found = static_cast<long>(i);
          matched = true;
          if (firstmatch) break;
        }
      }
    }
    if (!matched) {
      for (size_t i = 0; i < lines.size(); ++i) {
        if (StripCrLf(lines[i]) == line) {
          found = static_cast<long>(i);
        } else if (ins_re && Search(*ins_re, lines[i])) {
          if (ins_aft) {
            ins = static_cast<long>(i) + 1;
            if (firstmatch) break;
          }
          if (ins_bef) {
            ins = static_cast<long>(i);
            if (firstmatch) break;
          }
        }
      }
    }

    std::string msg;
    bool changed = false;
    auto add_at = [&](size_t at) {
      lines.insert(lines.begin() + static_cast<long>(at), line + "\n");
      msg = "line added";
      changed = true;
    };
    if (found != -1) {
      std::string new_line = line;
      if (backrefs && matched && re != nullptr) {
        Result<std::string> e = ExpandReplacement(*re, line, groups);
        if (!e.ok()) return Fail(e.status().message(), path);
        new_line = *e;
      }
      if (!new_line.ends_with('\n')) new_line += '\n';
      if (lines[static_cast<size_t>(found)] != new_line) {
        lines[static_cast<size_t>(found)] = new_line;
        msg = "line replaced";
        changed = true;
      }
    } else if (backrefs) {
      // Without a match the backrefs cannot be filled: nothing to do.
    } else if ((ins_bef && *ins_bef == "BOF") ||
               (ins_aft && *ins_aft == "BOF")) {
      add_at(0);
    } else if ((ins_aft && *ins_aft == "EOF") || ins == -1) {
      if (!lines.empty() && !lines.back().ends_with('\n') &&
          !lines.back().ends_with('\r')) {
        lines.push_back("\n");
      }
      add_at(lines.size());
    } else if (ins_aft && ins != -1) {
      size_t at = static_cast<size_t>(ins);
      if (lines.size() == at) {
        if (StripCrLf(lines[at - 1]) != line) add_at(at);
      } else if (StripCrLf(lines[at]) != line) {
        add_at(at);
      }
    } else {
      add_at(static_cast<size_t>(ins));
    }
    return Finish(ctx, args, path, exists, before, Join(lines), changed,
                  std::move(msg), std::nullopt);
  }

  Result<ModuleResult> Absent(ModuleContext& ctx, const Value& args,
                              const std::string& path, const FileStat& st,
                              const RE2* re) {
    if (!st.exists()) {
      ModuleResult r;
      r.msg = "file not present";
      return r;
    }
    ASSIGN_OR_RETURN(std::string before,
                     ctx.conn->ReadFile(path, kMaxFileBytes, ctx.priv));
    const bool has_search = ArgHas(args, "search_string");
    const std::string search = ArgStr(args, "search_string");
    const std::string line = ArgStr(args, "line");
    std::string after;
    int found = 0;
    for (const std::string& l : SplitLinesKeep(before)) {
      bool hit = re != nullptr ? Search(*re, l)
                 : has_search  ? l.find(search) != std::string::npos
                               : StripCrLf(l) == line;
      if (hit) {
        ++found;
      } else {
        after += l;
      }
    }
    std::string msg =
        found > 0 ? std::to_string(found) + " line(s) removed" : "";
    return Finish(ctx, args, path, true, before, after, found > 0,
                  std::move(msg), found);
  }

  Result<ModuleResult> Finish(ModuleContext& ctx, const Value& args,
                              const std::string& path, bool exists,
                              const std::string& before,
                              const std::string& after, bool changed,
                              std::string msg, std::optional<int> found) {
    ModuleResult r;
    if (ctx.diff && before != after) {
      r.diffs.push_back(
          ContentDiff(path + " (content)", path + " (content)", before, after));
    }
    std::string backup;
    if (changed) {
      Result<std::string> b = WriteContent(ctx, args, path, after, exists);
      if (!b.ok()) return Fail(b.status().message(), path);
      backup = *b;
    }
    r.data["backup"] = backup;
    if (found) r.data["found"] = *found;
    if (!(ctx.check_mode && !exists)) {
      Status s = CheckFileAttrs(ctx, args, path, &changed, &msg, &r.diffs);
      if (!s.ok()) return Fail(s.message(), path);
    }
    r.changed = changed;
    r.msg = std::move(msg);
    return r;
  }

  ModuleSpec spec_;
};

}  // namespace

std::unique_ptr<Module> NewLineinfileModule() {
  return std::make_unique<LineinfileModule>();
}

}  // namespace tend::automate::filemod
