// command and shell: run a program on the target (ansible.builtin.command
// and ansible.builtin.shell). Always "changed" when the program runs;
// creates/removes make the task idempotent by skipping it.
#include <string>
#include <utility>
#include <vector>

#include "automate/modules/args.h"
#include "automate/modules/system/shlex.h"
#include "automate/modules/system/system_util.h"

namespace tend::automate::sysmod {
namespace {

// A pattern for /bin/sh: everything quoted except the glob characters, so
// `creates: /var/log/app-*.log` expands but a space or $ stays literal.
std::string GlobForShell(std::string_view pattern) {
  std::string out;
  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) out += ShellQuote(literal);
    literal.clear();
  };
  for (char c : pattern) {
    if (c == '*' || c == '?' || c == '[' || c == ']') {
      flush();
      out += c;
    } else {
      literal += c;
    }
  }
  flush();
  return out;
}

// Whether `pattern` (Python glob semantics; relative to chdir) matches an
// existing path on the target.
Result<bool> GlobMatches(ModuleContext& ctx, const std::string& pattern,
                         const std::string& chdir) {
  if (pattern.find_first_of("*?[") == std::string::npos) {
    std::string path = pattern;
    if (!path.empty() && path[0] != '/' && !chdir.empty()) {
      path = chdir + "/" + path;
    }
    ASSIGN_OR_RETURN(FileStat st, ctx.conn->Stat(path, false, ctx.priv));
    return st.exists();
  }
  ExecRequest req;
  req.shell = "for f in " + GlobForShell(pattern) +
              "; do if [ -e \"$f\" ] || [ -L \"$f\" ]; then exit 0; fi; "
              "done; exit 1";
  req.chdir = chdir;
  req.priv = ctx.priv;
  ASSIGN_OR_RETURN(ExecResult r, ctx.conn->Exec(req));
  return r.exit_code == 0;
}

std::string RStripNewlines(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

Value LinesValue(const std::string& text) {
  Value v = Value::array();
  for (auto& l : PyLines(text)) v.push_back(std::move(l));
  return v;
}

class CommandModule : public Module {
 public:
  explicit CommandModule(bool shell) : shell_(shell) {
    spec_.name = shell ? "shell" : "command";
    spec_.free_form = true;
    spec_.params = {
        Param("cmd"),
        Param("chdir", ParamType::kPath),
        Param("creates", ParamType::kPath),
        Param("removes", ParamType::kPath),
        Param("stdin"),
        Param("stdin_add_newline", ParamType::kBool).Default(true),
        Param("strip_empty_ends", ParamType::kBool).Default(true),
    };
    if (shell) {
      spec_.params.push_back(Param("executable", ParamType::kPath));
    } else {
      spec_.params.push_back(Param("argv", ParamType::kList));
    }
  }

  const ModuleSpec& spec() const override { return spec_; }

  Result<ModuleResult> Run(const Value& args, ModuleContext& ctx) override {
    ModuleResult res;
    Value& d = res.data;
    d = {{"changed", false}, {"stdout", ""},     {"stderr", ""},
         {"rc", nullptr},    {"cmd", nullptr},   {"start", nullptr},
         {"end", nullptr},   {"delta", nullptr}, {"msg", ""}};
    auto fail = [&](int rc, std::string msg) {
      d["rc"] = rc;
      d["msg"] = msg;
      d["stdout_lines"] = Value::array();
      d["stderr_lines"] = Value::array();
      res.failed = true;
      res.msg = std::move(msg);
      return res;
    };

    // Free-form text arrives as _raw_params; `cmd:` is the same thing spelled
    // as a parameter.
    std::string raw = ArgHas(args, "_raw_params") ? ArgStr(args, "_raw_params")
                                                  : ArgStr(args, "cmd");
    bool has_argv = ArgHas(args, "argv") && !args["argv"].empty();
    if (TrimSpace(raw).empty() && !has_argv)
      return fail(256, "no command given");
    if (!TrimSpace(raw).empty() && has_argv) {
      return fail(256, "only command or argv can be given, not both");
    }

    ExecRequest req;
    req.priv = ctx.priv;
    if (shell_) {
      std::string exe = ArgStr(args, "executable");
      if (exe.empty()) {
        req.shell = raw;
      } else {
        req.argv = {exe, "-c", raw};
      }
      d["cmd"] = raw;
    } else {
      std::vector<std::string> argv;
      if (has_argv) {
        for (const auto& a : args["argv"]) {
          argv.push_back(a.is_string() ? a.get<std::string>() : a.dump());
        }
      } else {
        auto split = ShlexSplit(raw);
        if (!split.ok()) {
          return fail(256, "cannot split command '" + raw +
                               "': " + split.status().message());
        }
        argv = std::move(split).value();
      }
      d["cmd"] = argv;
      req.argv = std::move(argv);
    }

    std::string chdir = ArgStr(args, "chdir");
    if (!chdir.empty()) {
      ASSIGN_OR_RETURN(FileStat st, ctx.conn->Stat(chdir, true, ctx.priv));
      if (st.type != FileType::kDirectory) {
        return fail(256,
                    "Unable to change directory before execution: "
                    "[Errno 2] No such file or directory: '" +
                        chdir + "'");
      }
      req.chdir = chdir;
    }

    const char* shoulda = ctx.check_mode ? "Would" : "Did";
    std::string creates = ArgStr(args, "creates");
    std::string removes = ArgStr(args, "removes");
    if (!creates.empty()) {
      ASSIGN_OR_RETURN(bool found, GlobMatches(ctx, creates, chdir));
      if (found) {
        return Skip(res,
                    std::string(shoulda) + " not run command since '" +
                        creates + "' exists",
                    "skipped, since " + creates + " exists");
      }
    }
    if (!removes.empty()) {
      ASSIGN_OR_RETURN(bool found, GlobMatches(ctx, removes, chdir));
      if (!found) {
        return Skip(res,
                    std::string(shoulda) + " not run command since '" +
                        removes + "' does not exist",
                    "skipped, since " + removes + " does not exist");
      }
    }

    if (ctx.check_mode) {
      // Ansible's partial check mode: without creates/removes the task is
      // skipped; with them (and not satisfied) it reports it would change.
      d["rc"] = 0;
      d["msg"] = "Command would have run if not in check mode";
      res.msg = "Command would have run if not in check mode";
      d["stdout_lines"] = Value::array();
      d["stderr_lines"] = Value::array();
      if (creates.empty() && removes.empty()) {
        res.skipped = true;
        d["skipped"] = true;
      } else {
        res.changed = true;
        d["changed"] = true;
      }
      return res;
    }

    if (ArgHas(args, "stdin")) {
      req.stdin_data = ArgStr(args, "stdin");
      if (ArgBool(args, "stdin_add_newline", true)) req.stdin_data += '\n';
    }
    const Clock* clock = ctx.clock ? ctx.clock : Clock::Real();
    int64_t start = clock->NowUnixNanos();
    int64_t mono_start = clock->MonotonicNanos();
    auto ran = ctx.conn->Exec(req);
    int64_t mono_end = clock->MonotonicNanos();
    int64_t end = start + (mono_end - mono_start);
    res.changed = true;
    d["changed"] = true;
    if (!ran.ok()) {
      // Ansible reports a program that cannot be started as rc 2 with the
      // OS error.
      return fail(2, ran.status().message());
    }
    ExecResult& r = *ran;
    int rc = r.exit_code;
    if (rc < 0 && r.signal > 0) rc = -r.signal;  // Python's returncode
    bool strip = ArgBool(args, "strip_empty_ends", true);
    std::string out = strip ? RStripNewlines(std::move(r.out)) : r.out;
    std::string err = strip ? RStripNewlines(std::move(r.err)) : r.err;
    d["rc"] = rc;
    d["start"] = PyDateTime(start);
    d["end"] = PyDateTime(end);
    d["delta"] = PyTimeDelta(end - start);
    d["stdout_lines"] = LinesValue(out);
    d["stderr_lines"] = LinesValue(err);
    d["stdout"] = std::move(out);
    d["stderr"] = std::move(err);
    if (r.timed_out) {
      res.failed = true;
      res.msg = "command timed out";
    } else if (rc != 0) {
      res.failed = true;
      res.msg = "non-zero return code";
    }
    d["msg"] = res.msg;
    return res;
  }

 private:
  static ModuleResult Skip(ModuleResult& res, std::string msg,
                           std::string stdout_text) {
    res.msg = msg;
    res.data["msg"] = std::move(msg);
    res.data["rc"] = 0;
    res.data["stdout_lines"] = Value::array({stdout_text});
    res.data["stderr_lines"] = Value::array();
    res.data["stdout"] = std::move(stdout_text);
    return res;
  }

  bool shell_;
  ModuleSpec spec_;
};

}  // namespace

std::unique_ptr<Module> NewCommandModule() {
  return std::make_unique<CommandModule>(false);
}
std::unique_ptr<Module> NewShellModule() {
  return std::make_unique<CommandModule>(true);
}

}  // namespace tend::automate::sysmod
