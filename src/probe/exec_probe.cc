// exec probes: a command run as argv (no shell) through the CommandRunner
// seam, in its own process group, killed as a group at the deadline.
#include "probe/probe_table.h"
#include "probe/probe_util.h"

namespace tend {
namespace {

// SIGTERM at the deadline, SIGKILL this much later: short, so a run ends
// well within the service's abandon grace.
constexpr int64_t kKillGraceMs = 300;

class ExecProbe : public Probe {
 public:
  ExecProbe(const ProbeSpec& spec, const ProbeDeps& deps,
            std::unique_ptr<RE2> must, std::unique_ptr<RE2> must_not)
      : spec_(spec.exec),
        clock_(deps.clock),
        runner_(deps.runner),
        must_(std::move(must)),
        must_not_(std::move(must_not)) {}

  ProbeResult Run(int64_t deadline_mono_ns) override {
    ProbeResult r;
    r.success = true;
    SubprocessOptions opts;
    opts.argv = spec_.argv;
    opts.env = spec_.env;
    opts.working_dir = spec_.working_dir;
    opts.timeout_ms = RemainingMs(clock_, deadline_mono_ns);
    opts.kill_grace_ms = kKillGraceMs;
    opts.max_output_bytes = 64 << 10;
    Result<SubprocessResult> ran = runner_->Run(opts);
    if (!ran.ok()) {
      Fail(&r, ran.status().message());
      AddSample(&r, "probe_exec_exit_code", -1);
      return r;
    }
    const SubprocessResult& sub = *ran;
    int code = sub.timed_out || sub.term_signal != 0 ? -1 : sub.exit_code;
    AddSample(&r, "probe_exec_exit_code", code);
    if (sub.timed_out) {
      Fail(&r, spec_.argv[0] + " timed out after " +
                   std::to_string(opts.timeout_ms) +
                   " ms (process group killed)");
    } else if (sub.term_signal != 0) {
      Fail(&r, spec_.argv[0] + " killed by signal " +
                   std::to_string(sub.term_signal));
    } else if (!ExitValid(sub.exit_code)) {
      Fail(&r, spec_.argv[0] + " exited with " + std::to_string(sub.exit_code) +
                   FirstLine(sub));
    }
    if (must_ != nullptr || must_not_ != nullptr) {
      std::string out = sub.stdout_data + sub.stderr_data;
      bool regex_failed = false;
      if (must_ != nullptr && !RE2::PartialMatch(out, *must_)) {
        regex_failed = true;
        Fail(&r, "output of " + spec_.argv[0] + " does not match \"" +
                     must_->pattern() + "\"");
      }
      if (must_not_ != nullptr && RE2::PartialMatch(out, *must_not_)) {
        regex_failed = true;
        Fail(&r, "output of " + spec_.argv[0] + " matches \"" +
                     must_not_->pattern() + "\"");
      }
      AddSample(&r, "probe_failed_due_to_regex", regex_failed ? 1 : 0);
    }
    return r;
  }

 private:
  bool ExitValid(int code) const {
    if (spec_.valid_exit_codes.empty()) return code == 0;
    for (int c : spec_.valid_exit_codes) {
      if (c == code) return true;
    }
    return false;
  }

  // ": <first line of stderr, else stdout>" (at most 200 bytes), or "".
  static std::string FirstLine(const SubprocessResult& sub) {
    const std::string& text =
        sub.stderr_data.empty() ? sub.stdout_data : sub.stderr_data;
    size_t start = text.find_first_not_of(" \t\r\n");
    if (start == std::string::npos) return "";
    size_t end = text.find('\n', start);
    std::string line = text.substr(
        start, end == std::string::npos ? std::string::npos : end - start);
    if (line.size() > 200) line = line.substr(0, 200) + "...";
    return ": " + line;
  }

  const ExecProbeSpec spec_;
  const Clock* clock_;
  CommandRunner* runner_;
  const std::unique_ptr<RE2> must_, must_not_;
};

}  // namespace

Result<std::unique_ptr<Probe>> NewExecProbe(const ProbeSpec& spec,
                                            const ProbeDeps& deps) {
  const ExecProbeSpec& e = spec.exec;
  if (e.argv.empty() || e.argv[0].empty()) {
    return SpecError(spec,
                     "exec.argv is required (a command and its "
                     "arguments, run without a shell)");
  }
  for (int c : e.valid_exit_codes) {
    if (c < 0 || c > 255) {
      return SpecError(spec, "exec.valid_exit_codes: " + std::to_string(c) +
                                 " is not an exit code (0-255)");
    }
  }
  ASSIGN_OR_RETURN(
      std::unique_ptr<RE2> must,
      CompileProbeRegex(spec, "exec.output_matches", e.output_matches));
  ASSIGN_OR_RETURN(
      std::unique_ptr<RE2> must_not,
      CompileProbeRegex(spec, "exec.output_not_matches", e.output_not_matches));
  return std::unique_ptr<Probe>(std::make_unique<ExecProbe>(
      spec, deps, std::move(must), std::move(must_not)));
}

}  // namespace tend
