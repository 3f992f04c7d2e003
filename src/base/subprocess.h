// Running a command: argv only, never through a shell.
//
// RunSubprocess blocks the calling thread until the child has exited and its
// output has been collected, so on the event loop it belongs in the worker
// pool. It is thread-safe: any number of threads may run commands at once.
//
// The child:
//  - is started with posix_spawn (posix_spawnp when argv[0] has no '/'; the
//    PATH searched is the parent's, even when `env` replaces the child's);
//  - has every standard signal at its default disposition and an empty
//    signal mask, whatever the parent blocked or ignored (the event loop
//    blocks SIGHUP, SIGTERM, SIGINT; an agent ignores SIGPIPE). glibc's
//    posix_spawn leaves its two internal real-time signals (32, 33) ignored;
//    the public API cannot change that;
//  - leads its own process group, so a timeout signals the whole tree it
//    started (unless a descendant moved itself to another group or session);
//  - inherits no descriptors other than its stdin, stdout and stderr;
//  - reads stdin_data from a pipe (or /dev/null when stdin_data is empty).
//
// Output is read from both pipes and stdin is written concurrently (poll), so
// a child that fills one pipe while the other side waits cannot deadlock.
// Collection ends when the child has exited and both pipes are closed. A
// background process that keeps the pipes open therefore holds the call
// until it exits or the timeout kills the process group. After SIGKILL the
// call returns as soon as the child is reaped, with whatever output was
// already buffered. The child is always reaped: no zombies, on any path.
#ifndef TEND_BASE_SUBPROCESS_H_
#define TEND_BASE_SUBPROCESS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace tend {

struct SubprocessOptions {
  // The command and its arguments; must not be empty. argv[0] is resolved
  // through PATH if it contains no '/'.
  std::vector<std::string> argv;
  // The child's complete environment as "K=V" entries. Empty means inherit
  // the parent's environment (unless clear_env).
  std::vector<std::string> env;
  // With an empty `env`: start the child with an empty environment.
  bool clear_env = false;
  // Empty means inherit the parent's working directory.
  std::string working_dir;
  // Written to the child's stdin, which is then closed. If the child exits or
  // closes stdin before reading it all, the rest is dropped (no SIGPIPE
  // reaches the caller).
  std::string stdin_data;
  // 0 means no timeout. On expiry the process group gets SIGTERM, then
  // SIGKILL kill_grace_ms later if the child has not exited.
  int64_t timeout_ms = 0;
  int64_t kill_grace_ms = 2000;
  // Per stream. Output beyond it is read and discarded (the child is never
  // blocked on a full pipe) and output_truncated is set.
  size_t max_output_bytes = 1 << 20;
};

struct SubprocessResult {
  // Valid when the child exited normally. Stays -1 (with term_signal 0) in
  // the odd case that the status was lost because something else in the
  // process reaped the child (SIGCHLD ignored, a stray waitpid(-1)).
  int exit_code = -1;
  int term_signal = 0;  // Nonzero when the child was killed by a signal.
  // The timeout expired: the child was signalled, or it had exited but
  // something it left behind kept the output pipes open past the deadline.
  bool timed_out = false;
  bool output_truncated = false;
  std::string stdout_data;
  std::string stderr_data;
  int64_t duration_ns = 0;  // From spawn until the child was reaped.

  // Exited normally with status 0 and did not time out.
  bool success() const;
};

// Runs the command to completion. Fails only when the command could not be
// started: invalid options (InvalidArgument), argv[0] not found (NotFound)
// or not executable (PermissionDenied), a missing working directory, or a
// resource shortage; the message names argv[0]. A non-zero exit, a signal
// or a timeout is a successful Run described by the result.
Result<SubprocessResult> RunSubprocess(const SubprocessOptions& options);

// The seam for code that runs commands, so its tests can script the results.
class CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  // Same contract as RunSubprocess.
  virtual Result<SubprocessResult> Run(const SubprocessOptions& options) = 0;

  // Runs real processes with RunSubprocess. Never null, never freed.
  static CommandRunner* Real();
};

}  // namespace tend

#endif  // TEND_BASE_SUBPROCESS_H_
