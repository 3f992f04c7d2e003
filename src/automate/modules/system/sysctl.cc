// sysctl: kernel parameters in a sysctl.conf-style file and, optionally,
// in the running kernel (ansible.posix.sysctl).
//
// Like Ansible, writing the file normalizes it: every line is stripped,
// "key = value" lines become "key=value" and only the first line of a
// duplicated key is kept. Comments (# and ;) and blank lines stay.
#include <algorithm>
#include <string>
#include <vector>

#include "automate/modules/args.h"
#include "automate/modules/system/system_util.h"

namespace tend::automate::sysmod {
namespace {

const std::map<std::string, std::string> kLangC = {
    {"LANG", "C"}, {"LC_ALL", "C"}, {"LC_MESSAGES", "C"}};

std::string Lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return s;
}

// Ansible's _parse_value: booleans spelled any way become 1/0.
std::string ParseValue(const Value& args) {
  if (!ArgHas(args, "value")) return "";
  const Value& v = args["value"];
  if (v.is_boolean()) return v.get<bool>() ? "1" : "0";
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  std::string l = Lower(s);
  if (l == "y" || l == "yes" || l == "on" || l == "1" || l == "true" ||
      l == "t") {
    return "1";
  }
  if (l == "n" || l == "no" || l == "off" || l == "0" || l == "false" ||
      l == "f") {
    return "0";
  }
  return std::string(TrimSpace(s));
}

bool IsSetting(std::string_view line) {
  return !line.empty() && line[0] != '#' && line[0] != ';' &&
         line.find('=') != std::string_view::npos;
}

// sysctl's "setting key" errors that come with exit status 0.
bool StderrFailed(const std::string& err) {
  for (const auto& line : SplitLines(err)) {
    if (line.rfind("sysctl: setting key \"", 0) == 0 &&
        (line.ends_with("\": Invalid argument") ||
         line.ends_with("\": Read-only file system"))) {
      return true;
    }
  }
  return false;
}

class SysctlModule : public Module {
 public:
  SysctlModule() {
    spec_.name = "sysctl";
    spec_.params = {
        Param("name").Required().Aliases({"key"}),
        Param("value").Aliases({"val"}),
        Param("state").Default("present").Choices({"present", "absent"}),
        Param("reload", ParamType::kBool).Default(true),
        Param("sysctl_set", ParamType::kBool).Default(false),
        Param("ignoreerrors", ParamType::kBool).Default(false),
        Param("sysctl_file", ParamType::kPath).Default("/etc/sysctl.conf"),
    };
  }

  const ModuleSpec& spec() const override { return spec_; }

  Result<ModuleResult> Run(const Value& args, ModuleContext& ctx) override {
    std::string name(TrimSpace(ArgStr(args, "name")));
    bool present = ArgStr(args, "state", "present") == "present";
    std::string file = ArgStr(args, "sysctl_file", "/etc/sysctl.conf");
    bool ignore = ArgBool(args, "ignoreerrors");
    if (name.empty()) return Failed("name cannot be blank");
    if (present && !ArgHas(args, "value")) {
      return Failed(
          "state is present but all of the following are missing: "
          "value");
    }
    std::string value = ParseValue(args);
    if (present && value.empty()) return Failed("value cannot be blank");

    // The running value; nullopt when sysctl does not know the key.
    std::optional<std::string> proc;
    ASSIGN_OR_RETURN(
        ExecResult cur,
        sysmod::Run(ctx, {"sysctl", "-e", "-n", name}, "", kLangC));
    if (cur.exit_code == 0) proc = cur.out;

    ASSIGN_OR_RETURN(auto text, ReadIfExists(ctx, file));
    std::vector<std::string> lines;
    std::optional<std::string> file_value;
    for (const auto& raw : text ? PyLines(*text) : std::vector<std::string>()) {
      std::string line(TrimSpace(raw));
      if (IsSetting(line)) {
        size_t eq = line.find('=');
        if (std::string(TrimSpace(line.substr(0, eq))) == name) {
          file_value = std::string(TrimSpace(line.substr(eq + 1)));
        }
      }
      lines.push_back(std::move(line));
    }

    std::vector<std::string> fixed;
    std::vector<std::string> seen;
    for (const auto& line : lines) {
      if (!IsSetting(line)) {
        fixed.push_back(line);
        continue;
      }
      size_t eq = line.find('=');
      std::string k(TrimSpace(line.substr(0, eq)));
      std::string v(TrimSpace(line.substr(eq + 1)));
      if (std::find(seen.begin(), seen.end(), k) != seen.end()) continue;
      seen.push_back(k);
      if (k == name) {
        if (present) fixed.push_back(k + "=" + value);
      } else {
        fixed.push_back(k + "=" + v);
      }
    }
    if (present && std::find(seen.begin(), seen.end(), name) == seen.end()) {
      fixed.push_back(name + "=" + value);
    }

    auto values_equal = [](const std::optional<std::string>& a,
                           const std::string& b) {
      return a && SplitWhitespace(*a) == SplitWhitespace(b);
    };
    bool changed = false, write_file = false, set_proc = false;
    if (!file_value && present) {
      changed = write_file = true;
    } else if (!file_value) {
      changed = false;
    } else if (!present) {
      // Ansible tests the old value's truth: an empty "key=" line stays.
      changed = write_file = !file_value->empty();
    } else if (*file_value != value) {
      changed = write_file = true;
    } else if (ArgBool(args, "reload", true)) {
      changed = !values_equal(proc, value);
    }
    if (ArgBool(args, "sysctl_set") && present) {
      if (!proc) {
        changed = true;
      } else if (!values_equal(proc, value)) {
        changed = set_proc = true;
      }
    }

    ModuleResult res;
    res.changed = changed;
    std::string new_text;
    for (const auto& l : fixed) new_text += l + "\n";
    if (write_file && ctx.diff) {
      res.diffs.push_back(MakeDiff(file, file, text.value_or(""), new_text));
    }
    if (ctx.check_mode) return res;

    if (set_proc) {
      std::vector<std::string> argv = {"sysctl"};
      if (ignore) argv.push_back("-e");
      argv.push_back("-w");
      argv.push_back(name + "=" + value);
      ASSIGN_OR_RETURN(ExecResult r, sysmod::Run(ctx, argv, "", kLangC));
      if (r.exit_code != 0 || StderrFailed(r.err)) {
        return Failed("setting " + name + " failed: " + r.out + r.err);
      }
    }
    if (write_file) {
      FileAttrs attrs;
      if (!text) attrs.mode = 0644;
      RETURN_IF_ERROR(ctx.conn->WriteFile(file, new_text, attrs, ctx.priv));
    }
    if (changed && ArgBool(args, "reload", true)) {
      std::vector<std::string> argv = {"sysctl"};
      if (ignore) argv.push_back("-e");
      argv.push_back("-p");
      argv.push_back(file);
      ASSIGN_OR_RETURN(ExecResult r, sysmod::Run(ctx, argv, "", kLangC));
      if (r.exit_code != 0 || StderrFailed(r.err)) {
        return Failed("Failed to reload sysctl: " + r.out + r.err);
      }
    }
    return res;
  }

 private:
  ModuleSpec spec_;
};

}  // namespace

std::unique_ptr<Module> NewSysctlModule() {
  return std::make_unique<SysctlModule>();
}

}  // namespace tend::automate::sysmod
