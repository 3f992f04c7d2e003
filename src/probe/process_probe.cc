// process probes: find processes in /proc (through the Env seam) by name,
// command line, pidfile or a systemd unit's MainPID, and sum their CPU time
// and resident memory.
#include <unistd.h>

#include <cstdlib>

#include "metrics/processes_pid.h"
#include "probe/probe_table.h"
#include "probe/probe_util.h"
#include "probe/unit_connection.h"

namespace tend {
namespace {

bool ParsePid(std::string_view s, int64_t* pid) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' ||
                        s.back() == '\r' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  if (s.empty() || s.size() > 10) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pid = v;
  return v > 0;
}

struct Totals {
  int64_t count = 0;
  double cpu_s = 0;
  double rss_bytes = 0;
};

class ProcessProbe : public Probe {
 public:
  ProcessProbe(const ProbeSpec& spec, const ProbeDeps& deps,
               std::unique_ptr<RE2> cmdline)
      : spec_(spec.process),
        env_(deps.env),
        cmdline_(std::move(cmdline)),
        conn_(deps.unit_client_factory),
        ticks_per_s_(static_cast<double>(sysconf(_SC_CLK_TCK))),
        page_bytes_(static_cast<double>(sysconf(_SC_PAGESIZE))) {}

  ProbeResult Run(int64_t deadline_mono_ns) override {
    ProbeResult r;
    Totals t;
    Status s = Find(&t);
    AddSample(&r, "probe_process_count", static_cast<double>(t.count));
    AddSample(&r, "probe_process_cpu_seconds_total", t.cpu_s);
    AddSample(&r, "probe_process_resident_memory_bytes", t.rss_bytes);
    if (!s.ok()) {
      r.error = s.message();
      return r;
    }
    if (t.count < spec_.min_count) {
      r.error = std::to_string(t.count) + " process" +
                (t.count == 1 ? "" : "es") + " with " + Selector() +
                ", expected at least " + std::to_string(spec_.min_count);
    } else if (spec_.max_count > 0 && t.count > spec_.max_count) {
      r.error = std::to_string(t.count) + " processes with " + Selector() +
                ", expected at most " + std::to_string(spec_.max_count);
    } else {
      r.success = true;
    }
    return r;
  }

 private:
  std::string Selector() const {
    if (!spec_.name.empty()) return "name " + spec_.name;
    if (!spec_.cmdline.empty()) return "cmdline matching " + spec_.cmdline;
    if (!spec_.pidfile.empty()) return "the PID in " + spec_.pidfile;
    return "the MainPID of " + spec_.unit;
  }

  // Adds the process to *t when it is alive (not a zombie) and `want`
  // accepts it. Returns false when it does not exist (or vanished).
  template <typename Want>
  bool Visit(int64_t pid, Totals* t, std::string* buf, Want want) {
    std::string dir = "/proc/" + std::to_string(pid);
    if (!env_->ReadFile(dir + "/stat", buf).ok()) return false;
    PidStat st;
    if (!ParsePidStat(*buf, &st) || st.state == 'Z' || st.state == 'X') {
      return false;
    }
    if (!want(dir, st.comm)) return true;
    t->count++;
    t->cpu_s += static_cast<double>(st.utime + st.stime) / ticks_per_s_;
    t->rss_bytes += static_cast<double>(st.rss_pages) * page_bytes_;
    return true;
  }

  bool NameMatches(const std::string& dir, std::string_view comm) {
    if (comm == spec_.name) return true;
    std::string cmd;
    if (!env_->ReadFile(dir + "/cmdline", &cmd).ok() || cmd.empty()) {
      return false;
    }
    std::string_view argv0(cmd.c_str());  // Up to the first NUL.
    size_t slash = argv0.rfind('/');
    if (slash != std::string_view::npos) argv0.remove_prefix(slash + 1);
    return argv0 == spec_.name;
  }

  bool CmdlineMatches(const std::string& dir) {
    std::string cmd;
    if (!env_->ReadFile(dir + "/cmdline", &cmd).ok() || cmd.empty()) {
      return false;  // Kernel threads have none.
    }
    while (!cmd.empty() && cmd.back() == '\0') cmd.pop_back();
    for (char& c : cmd) {
      if (c == '\0') c = ' ';
    }
    return RE2::PartialMatch(cmd, *cmdline_);
  }

  Status Find(Totals* t) {
    std::string buf;
    auto any = [](const std::string&, std::string_view) { return true; };
    if (!spec_.pidfile.empty()) {
      std::string text;
      Status s = env_->ReadFile(spec_.pidfile, &text);
      if (!s.ok()) return Status(s.code(), "pidfile " + s.message());
      int64_t pid = 0;
      if (!ParsePid(text, &pid)) {
        return InvalidArgumentError("pidfile " + spec_.pidfile +
                                    " does not hold a PID");
      }
      if (!Visit(pid, t, &buf, any)) {
        return NotFoundError("process " + std::to_string(pid) + " from " +
                             spec_.pidfile + " is not running");
      }
      return Status::Ok();
    }
    if (!spec_.unit.empty()) {
      Result<UnitStatus> st = conn_.Status(spec_.unit);
      if (!st.ok()) return st.status();
      if (st->main_pid == 0) {
        return NotFoundError("systemd unit " + spec_.unit +
                             " has no main process (" + st->active_state + ")");
      }
      if (!Visit(st->main_pid, t, &buf, any)) {
        return NotFoundError("main process " + std::to_string(st->main_pid) +
                             " of " + spec_.unit + " is not running");
      }
      return Status::Ok();
    }
    std::vector<std::string> names;
    Status s = env_->ListDir("/proc", &names);
    if (!s.ok()) return s;
    for (const std::string& n : names) {
      int64_t pid = 0;
      if (!ParsePid(n, &pid)) continue;
      if (!spec_.name.empty()) {
        Visit(pid, t, &buf,
              [this](const std::string& dir, std::string_view comm) {
                return NameMatches(dir, comm);
              });
      } else {
        Visit(pid, t, &buf, [this](const std::string& dir, std::string_view) {
          return CmdlineMatches(dir);
        });
      }
    }
    return Status::Ok();
  }

  const ProcessProbeSpec spec_;
  Env* env_;
  const std::unique_ptr<RE2> cmdline_;
  UnitConnection conn_;
  const double ticks_per_s_, page_bytes_;
};

}  // namespace

Result<std::unique_ptr<Probe>> NewProcessProbe(const ProbeSpec& spec,
                                               const ProbeDeps& deps) {
  const ProcessProbeSpec& p = spec.process;
  int selectors = !p.name.empty() + !p.cmdline.empty() + !p.pidfile.empty() +
                  !p.unit.empty();
  if (selectors != 1) {
    return SpecError(spec,
                     "process: set exactly one of name, cmdline, "
                     "pidfile, unit");
  }
  if (p.min_count < 0) return SpecError(spec, "process.min_count must be >= 0");
  if (p.max_count < 0) return SpecError(spec, "process.max_count must be >= 0");
  if (p.max_count > 0 && p.max_count < p.min_count) {
    return SpecError(spec, "process.max_count is below process.min_count");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<RE2> cmdline,
                   CompileProbeRegex(spec, "process.cmdline", p.cmdline));
  return std::unique_ptr<Probe>(
      std::make_unique<ProcessProbe>(spec, deps, std::move(cmdline)));
}

}  // namespace tend
