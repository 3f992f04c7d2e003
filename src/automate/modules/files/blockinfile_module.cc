// ansible.builtin.blockinfile: a block between marker lines, inserted,
// replaced or removed with Ansible 2.14's rules (markers found as whole
// lines; insertafter/insertbefore: the last matching line; a multiline
// (?m) pattern searched in the whole text) and messages ("Block inserted",
// "Block removed", "File created").
#include "automate/modules/args.h"
#include "automate/modules/files/file_common.h"
#include "automate/py_regex.h"

namespace tend::automate::filemod {
namespace {

std::string ReplaceAll(std::string s, std::string_view from,
                       std::string_view to) {
  size_t at = 0;
  while ((at = s.find(from, at)) != std::string::npos) {
    s.replace(at, from.size(), to);
    at += to.size();
  }
  return s;
}

bool HasMultilineFlag(std::string_view pattern) {
  // An inline flag group at the start, as Python's re.MULTILINE check
  // sees it when the pattern sets it: "(?m)", "(?im)".
  if (!pattern.starts_with("(?")) return false;
  size_t close = pattern.find(')');
  if (close == std::string_view::npos) return false;
  std::string_view flags = pattern.substr(2, close - 2);
  return flags.find_first_not_of("aiLmsux") == std::string_view::npos &&
         flags.find('m') != std::string_view::npos;
}

class BlockinfileModule : public Module {
 public:
  BlockinfileModule() {
    spec_.name = "blockinfile";
    spec_.params = {
        Param("path", ParamType::kPath)
            .Required()
            .Aliases({"dest", "destfile", "name"}),
        Param("state").Default("present").Choices({"absent", "present"}),
        Param("marker").Default("# {mark} ANSIBLE MANAGED BLOCK"),
        Param("block").Default("").Aliases({"content"}),
        Param("insertafter"),
        Param("insertbefore"),
        Param("create", ParamType::kBool).Default(false),
        Param("backup", ParamType::kBool).Default(false),
        Param("validate"),
        Param("marker_begin").Default("BEGIN"),
        Param("marker_end").Default("END"),
    };
    AddFileCommonParams(&spec_.params);
    spec_.mutually_exclusive = {{"insertbefore", "insertafter"}};
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
    const bool exists = st.exists();
    const bool present = ArgStr(args, "state") == "present";
    if (!exists && !ArgBool(args, "create")) {
      ModuleResult r = Fail("Path " + path + " does not exist !");
      r.data["rc"] = 257;
      return r;
    }
    std::optional<std::string> original;
    std::vector<std::string> lines;
    if (exists) {
      ASSIGN_OR_RETURN(std::string text,
                       ctx.conn->ReadFile(path, kMaxFileBytes, ctx.priv));
      lines = SplitLinesKeep(text);
      original = std::move(text);
    }
    if (!present && !exists) {
      ModuleResult r;
      r.msg = "File " + path + " not present";
      return r;
    }
    std::optional<std::string> ins_aft, ins_bef;
    if (ArgHas(args, "insertafter")) ins_aft = ArgStr(args, "insertafter");
    if (ArgHas(args, "insertbefore")) ins_bef = ArgStr(args, "insertbefore");
    if (!ins_aft && !ins_bef) ins_aft = "EOF";
    std::string ins_pattern;
    if (ins_aft && *ins_aft != "EOF") {
      ins_pattern = *ins_aft;
    } else if (ins_bef && *ins_bef != "BOF") {
      ins_pattern = *ins_bef;
    }
    std::shared_ptr<const RE2> ins_re;
    if (!ins_pattern.empty()) {
      Result<std::shared_ptr<const RE2>> c = CompilePyRegex(
          ins_pattern, {}, ins_aft ? "insertafter" : "insertbefore");
      if (!c.ok()) return Fail(c.status().message(), path);
      ins_re = std::move(*c);
    }

    const std::string marker = ArgStr(args, "marker");
    const std::string marker0 =
        ReplaceAll(marker, "{mark}", ArgStr(args, "marker_begin")) + "\n";
    const std::string marker1 =
        ReplaceAll(marker, "{mark}", ArgStr(args, "marker_end")) + "\n";
    std::string block = ArgStr(args, "block");
    std::vector<std::string> blocklines;
    if (present && !block.empty()) {
      if (!block.ends_with('\n')) block += '\n';
      blocklines.push_back(marker0);
      for (std::string& l : SplitLinesKeep(block)) {
        blocklines.push_back(std::move(l));
      }
      blocklines.push_back(marker1);
    }

    std::optional<size_t> n0, n1;
    for (size_t i = 0; i < lines.size(); ++i) {
      if (lines[i] == marker0) n0 = i;
      if (lines[i] == marker1) n1 = i;
    }
    size_t at;
    if (!n0 || !n1) {
      std::optional<size_t> pos;
      if (ins_re) {
        if (HasMultilineFlag(ins_pattern)) {
          re2::StringPiece m;
          const std::string& text = original ? *original : std::string();
          if (ins_re->Match(text, 0, text.size(), RE2::UNANCHORED, &m, 1)) {
            size_t start = static_cast<size_t>(m.data() - text.data());
            size_t end = start + m.size();
            size_t upto = ins_aft ? end : start;
            pos = static_cast<size_t>(std::count(
                text.begin(), text.begin() + static_cast<long>(upto), '\n'));
          }
        } else {
          for (size_t i = 0; i < lines.size(); ++i) {
            std::string_view l = lines[i];
            if (l.ends_with('\n')) l.remove_suffix(1);
            if (RE2::PartialMatch(l, *ins_re)) pos = i;
          }
        }
        if (!pos) {
          at = lines.size();
        } else {
          at = *pos + (ins_aft ? 1 : 0);
        }
      } else if (ins_bef) {
        at = 0;  // BOF
      } else {
        at = lines.size();  // EOF
      }
    } else if (*n0 < *n1) {
      lines.erase(lines.begin() + static_cast<long>(*n0),
                  lines.begin() + static_cast<long>(*n1) + 1);
      at = *n0;
    } else {
      lines.erase(lines.begin() + static_cast<long>(*n1),
                  lines.begin() + static_cast<long>(*n0) + 1);
      at = *n1;
    }
    if (at > lines.size()) at = lines.size();
    if (at > 0 && !lines[at - 1].ends_with('\n')) lines[at - 1] += '\n';
    lines.insert(lines.begin() + static_cast<long>(at), blocklines.begin(),
                 blocklines.end());
    std::string result;
    for (const std::string& l : lines) result += l;

    std::string msg;
    bool changed = true;
    if (original && *original == result) {
      changed = false;
    } else if (!original) {
      msg = "File created";
    } else if (blocklines.empty()) {
      msg = "Block removed";
    } else {
      msg = "Block inserted";
    }
    ModuleResult r;
    if (ctx.diff && changed) {
      r.diffs.push_back(ContentDiff(path + " (content)", path + " (content)",
                                    original.value_or(""), result));
    }
    if (changed) {
      Result<std::string> b = WriteContent(ctx, args, path, result, exists);
      if (!b.ok()) return Fail(b.status().message(), path);
      if (!b->empty()) r.data["backup_file"] = *b;
    }
    if (!(ctx.check_mode && !exists)) {
      Status s = CheckFileAttrs(ctx, args, path, &changed, &msg, &r.diffs);
      if (!s.ok()) return Fail(s.message(), path);
    }
    r.changed = changed;
    r.msg = std::move(msg);
    return r;
  }

 private:
  ModuleSpec spec_;
};

}  // namespace

std::unique_ptr<Module> NewBlockinfileModule() {
  return std::make_unique<BlockinfileModule>();
}

}  // namespace tend::automate::filemod
