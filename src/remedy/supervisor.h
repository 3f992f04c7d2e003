// Supervisor: processes tend starts and keeps running (`supervise:`).
//
// Each process is started with fork + execve in its own process group,
// with no inherited descriptors except a /dev/null stdin and pipes for
// stdout and stderr. Its death is noticed at once: the supervisor's thread
// waits in epoll on a pidfd (pidfd_open) for each child; on kernels without
// pidfd it falls back to a signalfd for SIGCHLD and waitpid(pid) per
// child. When the main process dies, whatever is left of its process group
// is killed (SIGKILL) before the restart, as systemd's KillMode=control-group
// does, so a restarted service never races its own orphans.
//
// Restarts: per policy (always, or on-failure: a non-zero exit or a
// signal), immediately for the first death, then with a backoff when the
// process keeps dying quickly (uptime under min_uptime_ms): the n-th quick
// death in a row waits restart_delay_ms, then 100 ms, 200 ms, ... up to
// max_backoff_ms. Every automatic restart spends the process's budget; when
// the budget is exhausted the process is not restarted, its state becomes
// "escalated" and an "escalated" event is written; it stays down until
// Restart(name) or ResetBudget(name).
//
// Output: each line of stdout and stderr (without its '\n'; lines longer
// than max_line_bytes are cut there and the rest up to the newline dropped,
// counted in lines_truncated) is handed to the line callback on a delivery
// thread of its own, so a slow callback never delays death detection.
// Between the pipes and the callback sits a bounded queue
// (max_buffered_bytes). When it is full the supervisor stops reading the
// pipes: the kernel's pipe buffer (64 KiB) fills and the child blocks in
// write() until the callback catches up. Lines are therefore never lost
// (the design's "logs block their source" policy); the callback must keep
// up (the log pipeline enqueues). Output left in a pipe when the process
// dies is drained before the pipe is closed.
//
// Threads: the public members may be called from any thread. Callbacks run
// on the supervisor's threads (events and state changes on the epoll
// thread, lines on the delivery thread) and must not call back into the
// Supervisor.
#ifndef TEND_REMEDY_SUPERVISOR_H_
#define TEND_REMEDY_SUPERVISOR_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "remedy/budget.h"

namespace tend::state {
class StateDb;
struct Event;
}  // namespace tend::state

namespace tend::remedy {

enum class RestartPolicy { kAlways, kOnFailure, kNever };

// Parses "always", "on-failure", "never".
Result<RestartPolicy> ParseRestartPolicy(std::string_view s);

// One `supervise:` entry.
struct SuperviseSpec {
  std::string name;               // Unique; events and log lines carry it.
  std::vector<std::string> argv;  // argv[0] without '/' is found on PATH.
  // "KEY=VALUE" entries added to (or replacing those of) tend's own
  // environment.
  std::vector<std::string> env;
  // Run as this user (name or numeric uid) with its primary group and
  // supplementary groups; needs tend to run as root. Empty: tend's user.
  std::string user;
  std::string working_dir;  // Empty: tend's working directory.
  RestartPolicy restart = RestartPolicy::kAlways;
  int64_t restart_delay_ms = 0;  // Before the first restart.
  int64_t min_uptime_ms = 1000;  // Shorter lives count as quick deaths;
                                 // 0 disables the backoff.
  int64_t max_backoff_ms = 10'000;
  int stop_signal = 15;                 // SIGTERM.
  int64_t stop_timeout_ms = 10'000;     // Then SIGKILL to the group.
  BudgetSpec budget{5, 5 * 60'000, 0};  // Automatic restarts.
  size_t max_line_bytes = 16 * 1024;
};

enum class ProcessState { kRunning, kBackoff, kStopped, kEscalated };
const char* ProcessStateName(ProcessState s);

struct ProcessStatus {
  std::string name;
  pid_t pid = 0;  // 0 when not running.
  ProcessState state = ProcessState::kStopped;
  int64_t restarts = 0;       // Since tend started (automatic and asked).
  int last_exit_code = -1;    // Of the last death (-1: none or a signal).
  int last_signal = 0;        // Signal that killed it last (0: none).
  int64_t started_at_ms = 0;  // Unix ms when the running instance exec'ed.
  int64_t lines_truncated = 0;
  int budget_runs = 0;  // Automatic restarts inside the window.
};

enum class OutputStream { kStdout, kStderr };

struct SupervisorOptions {
  // Each output line: (process name, stream, line without '\n').
  std::function<void(const std::string&, OutputStream, std::string_view)>
      on_line;
  // Each event (kind "supervise": "started", "exited", "escalated",
  // "failed" (could not start)). Also written to `db` when set.
  std::function<void(const state::Event&)> on_event;
  state::StateDb* db = nullptr;  // Budgets and events; may be null.
  Clock* clock = Clock::Real();  // Wall time for budgets and events.
  size_t max_buffered_bytes = 8 << 20;
  // false: notice deaths through SIGCHLD and waitpid as on kernels without
  // pidfd_open (installs a process-wide SIGCHLD handler). For tests.
  bool use_pidfd = true;
};

class Supervisor {
 public:
  // Validates the specs (names unique and non-empty, argv non-empty, a
  // user that exists and that tend may switch to, an existing working
  // directory) and starts every process. Fails without starting anything
  // when a spec is invalid (kInvalidArgument naming the entry and field).
  static Result<std::unique_ptr<Supervisor>> Start(
      std::vector<SuperviseSpec> specs, SupervisorOptions options);

  // Stops every process (Shutdown) and the threads.
  virtual ~Supervisor() = default;

  virtual std::vector<ProcessStatus> Snapshot() = 0;

  // Restarts `name` now (stop signal, then SIGKILL after stop_timeout_ms
  // if needed, then start), also when it is stopped or escalated, and
  // waits until the new instance has exec'ed or `timeout_ms` passed. Does
  // not spend the process's budget (a remedy spends its own).
  // kNotFound for an unknown name; kDeadlineExceeded when the new process
  // was not running in time; the start error when it could not start.
  virtual Status Restart(const std::string& name, int64_t timeout_ms) = 0;

  // Forgets the automatic-restart budget; an escalated process is started.
  virtual Status ResetBudget(const std::string& name) = 0;

  // Stops every process: stop signal to each process group, waits up to
  // each stop_timeout_ms, then SIGKILL; every child is reaped. Returns once
  // all are gone and every buffered line was delivered. Idempotent.
  virtual void Shutdown() = 0;
};

}  // namespace tend::remedy

#endif  // TEND_REMEDY_SUPERVISOR_H_
