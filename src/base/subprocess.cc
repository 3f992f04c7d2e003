#include "base/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "base/clock.h"

extern char** environ;

namespace tend {
namespace {

constexpr size_t kIoChunk = 64 * 1024;
// Without a pidfd the child's exit is noticed by polling this often.
constexpr int kReapPollMillis = 10;
// Timeouts are capped (at about 34 years) so deadlines cannot overflow.
constexpr int64_t kMaxMillis = int64_t{1} << 40;

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    Reset(std::exchange(other.fd_, -1));
    return *this;
  }
  ~UniqueFd() { Reset(); }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void Reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// A descriptor that polls readable when the child exits, or -1. Called
// through syscall() because glibc 2.36's <sys/pidfd.h> lacks C linkage
// markers for C++.
int OpenPidFd(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(syscall(SYS_pidfd_open, pid, 0));  // CLOEXEC.
#else
  return -1;
#endif
}

int64_t NowNanos() { return Clock::Real()->MonotonicNanos(); }

// A pipe whose ends are CLOEXEC and numbered 3 or above, so that the
// dup2()s onto 0, 1 and 2 in the child never overwrite another source fd
// and never degenerate into dup2(fd, fd) (which keeps CLOEXEC).
Status MakePipe(UniqueFd* read_end, UniqueFd* write_end) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return ErrnoError("pipe2", errno);
  UniqueFd ends[2] = {UniqueFd(fds[0]), UniqueFd(fds[1])};
  for (UniqueFd& end : ends) {
    if (end.get() > 2) continue;
    int moved = fcntl(end.get(), F_DUPFD_CLOEXEC, 3);
    if (moved < 0) return ErrnoError("fcntl(F_DUPFD_CLOEXEC)", errno);
    end.Reset(moved);
  }
  *read_end = std::move(ends[0]);
  *write_end = std::move(ends[1]);
  return Status::Ok();
}

Status SetNonBlocking(int fd) {
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
    return ErrnoError("fcntl(O_NONBLOCK)", errno);
  }
  return Status::Ok();
}

Status Validate(const SubprocessOptions& options) {
  if (options.argv.empty() || options.argv[0].empty()) {
    return InvalidArgumentError("subprocess: empty command (argv)");
  }
  for (const std::string& arg : options.argv) {
    if (arg.find('\0') != std::string::npos) {
      return InvalidArgumentError("subprocess \"" + options.argv[0] +
                                  "\": argument contains a NUL byte");
    }
  }
  for (const std::string& kv : options.env) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0 ||
        kv.find('\0') != std::string::npos) {
      return InvalidArgumentError("subprocess \"" + options.argv[0] +
                                  "\": environment entry \"" + kv +
                                  "\" is not of the form NAME=value");
    }
  }
  if (options.timeout_ms < 0 || options.kill_grace_ms < 0) {
    return InvalidArgumentError("subprocess \"" + options.argv[0] +
                                "\": negative timeout or kill grace");
  }
  if (!options.working_dir.empty()) {
    struct stat st;
    if (stat(options.working_dir.c_str(), &st) != 0) {
      return ErrnoError("subprocess \"" + options.argv[0] +
                            "\": working directory \"" + options.working_dir +
                            "\"",
                        errno);
    }
    if (!S_ISDIR(st.st_mode)) {
      return InvalidArgumentError(
          "subprocess \"" + options.argv[0] + "\": working directory \"" +
          options.working_dir + "\" is not a directory");
    }
  }
  return Status::Ok();
}

Status SpawnError(const std::string& argv0, int err) {
  if (err == ENOENT && argv0.find('/') == std::string::npos) {
    const char* path = getenv("PATH");
    return NotFoundError("cannot start \"" + argv0 +
                         "\": command not found in PATH (" +
                         (path != nullptr ? path : "unset") + ")");
  }
  return ErrnoError("cannot start \"" + argv0 + "\"", err);
}

// Owns the spawn attribute objects so every exit path destroys them.
struct SpawnSetup {
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
};

// Blocks SIGPIPE in the calling thread while stdin is written, so a child
// that exits without reading stdin yields EPIPE instead of killing the
// caller; a SIGPIPE raised that way is consumed before the mask is restored.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&pipe_set_);
    sigaddset(&pipe_set_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set_, &old_mask_);
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
  }
  ~SigpipeGuard() {
    if (saw_epipe_ && !was_pending_) {
      struct timespec zero = {};
      while (sigtimedwait(&pipe_set_, nullptr, &zero) < 0 && errno == EINTR) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
  }
  void SawEpipe() { saw_epipe_ = true; }

 private:
  sigset_t pipe_set_;
  sigset_t old_mask_;
  bool was_pending_ = false;
  bool saw_epipe_ = false;
};

void AppendCapped(std::string* out, const char* data, size_t n, size_t max,
                  bool* truncated) {
  size_t room = max > out->size() ? max - out->size() : 0;
  if (n > room) {
    *truncated = true;
    n = room;
  }
  out->append(data, n);
}

// Reads what is available. Closes *fd at EOF or on a read error. At most
// `max_reads` reads, so a process writing without pause cannot hold us.
void ReadAvailable(UniqueFd* fd, std::string* out, size_t max, bool* truncated,
                   int max_reads) {
  char buf[kIoChunk];
  for (int i = 0; i < max_reads && fd->valid(); ++i) {
    ssize_t n = read(fd->get(), buf, sizeof(buf));
    if (n > 0) {
      AppendCapped(out, buf, static_cast<size_t>(n), max, truncated);
      if (static_cast<size_t>(n) < sizeof(buf)) return;  // Drained for now.
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    fd->Reset();  // EOF, or an error that ends this stream.
  }
}

int MillisUntil(int64_t deadline_ns, int64_t now_ns) {
  int64_t left = deadline_ns - now_ns;
  if (left <= 0) return 0;
  int64_t ms = (left + kNanosPerMilli - 1) / kNanosPerMilli;
  return static_cast<int>(std::min<int64_t>(ms, 1 << 30));
}

// Signals the child's process group, and the child itself in case it moved
// to another group. Once the child is reaped its pid and group id may be
// reused, so the group is then only signalled while a member plausibly still
// holds the output pipes.
void SignalChild(pid_t pid, int signo, bool reaped, bool pipes_open) {
  if (!reaped || pipes_open) kill(-pid, signo);
  if (!reaped) kill(pid, signo);
}

void KillGroupAndReap(pid_t pid) {
  SignalChild(pid, SIGKILL, /*reaped=*/false, /*pipes_open=*/true);
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

bool SubprocessResult::success() const {
  return exit_code == 0 && term_signal == 0 && !timed_out;
}

Result<SubprocessResult> RunSubprocess(const SubprocessOptions& options) {
  RETURN_IF_ERROR(Validate(options));
  const std::string& argv0 = options.argv[0];

  UniqueFd stdin_read, stdin_write, stdout_read, stdout_write, stderr_read,
      stderr_write;
  if (!options.stdin_data.empty()) {
    RETURN_IF_ERROR(MakePipe(&stdin_read, &stdin_write)
                        .WithContext("subprocess \"" + argv0 + "\""));
  }
  RETURN_IF_ERROR(MakePipe(&stdout_read, &stdout_write)
                      .WithContext("subprocess \"" + argv0 + "\""));
  RETURN_IF_ERROR(MakePipe(&stderr_read, &stderr_write)
                      .WithContext("subprocess \"" + argv0 + "\""));

  SpawnSetup setup;
  int rc = 0;
  if (stdin_read.valid()) {
    rc = posix_spawn_file_actions_adddup2(&setup.actions, stdin_read.get(), 0);
  } else {
    rc = posix_spawn_file_actions_addopen(&setup.actions, 0, "/dev/null",
                                          O_RDONLY, 0);
  }
  if (rc == 0) {
    rc =
        posix_spawn_file_actions_adddup2(&setup.actions, stdout_write.get(), 1);
  }
  if (rc == 0) {
    rc =
        posix_spawn_file_actions_adddup2(&setup.actions, stderr_write.get(), 2);
  }
  if (rc == 0 && !options.working_dir.empty()) {
    rc = posix_spawn_file_actions_addchdir_np(&setup.actions,
                                              options.working_dir.c_str());
  }
  // Descriptors another library opened without CLOEXEC stay in the parent.
  if (rc == 0) rc = posix_spawn_file_actions_addclosefrom_np(&setup.actions, 3);

  sigset_t empty_mask, all_signals;
  sigemptyset(&empty_mask);
  sigfillset(&all_signals);
  if (rc == 0) {
    rc = posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETSIGMASK |
                                                   POSIX_SPAWN_SETSIGDEF |
                                                   POSIX_SPAWN_SETPGROUP);
  }
  if (rc == 0) rc = posix_spawnattr_setsigmask(&setup.attr, &empty_mask);
  if (rc == 0) rc = posix_spawnattr_setsigdefault(&setup.attr, &all_signals);
  if (rc == 0) rc = posix_spawnattr_setpgroup(&setup.attr, 0);  // Own group.
  if (rc != 0) {
    return ErrnoError("subprocess \"" + argv0 + "\": preparing spawn", rc);
  }

  std::vector<char*> argv;
  argv.reserve(options.argv.size() + 1);
  for (const std::string& arg : options.argv) {
    argv.push_back(const_cast<char*>(arg.c_str()));
  }
  argv.push_back(nullptr);
  std::vector<char*> envp;
  char** child_env = environ;
  if (!options.env.empty() || options.clear_env) {
    envp.reserve(options.env.size() + 1);
    for (const std::string& kv : options.env) {
      envp.push_back(const_cast<char*>(kv.c_str()));
    }
    envp.push_back(nullptr);
    child_env = envp.data();
  }

  SubprocessResult result;
  const int64_t start = NowNanos();
  pid_t pid = -1;
  // glibc's posix_spawn reports exec failures (ENOENT, EACCES, ENOEXEC)
  // here and has already reaped the failed child.
  if (argv0.find('/') == std::string::npos) {
    rc = posix_spawnp(&pid, argv0.c_str(), &setup.actions, &setup.attr,
                      argv.data(), child_env);
  } else {
    rc = posix_spawn(&pid, argv0.c_str(), &setup.actions, &setup.attr,
                     argv.data(), child_env);
  }
  if (rc != 0) return SpawnError(argv0, rc);

  // The child holds its own copies; ours would hide EOF.
  stdin_read.Reset();
  stdout_write.Reset();
  stderr_write.Reset();

  for (UniqueFd* fd : {&stdin_write, &stdout_read, &stderr_read}) {
    if (!fd->valid()) continue;
    Status status = SetNonBlocking(fd->get());
    if (!status.ok()) {
      KillGroupAndReap(pid);
      return status.WithContext("subprocess \"" + argv0 + "\"");
    }
  }
  // A pidfd lets poll() wake on the child's exit; without one (an old or
  // restricted kernel) the exit is noticed by polling waitpid.
  UniqueFd pidfd(OpenPidFd(pid));

  SigpipeGuard sigpipe_guard;
  const int64_t term_at =
      options.timeout_ms > 0
          ? start + std::min(options.timeout_ms, kMaxMillis) * kNanosPerMilli
          : -1;
  const int64_t grace_ns =
      std::min(options.kill_grace_ms, kMaxMillis) * kNanosPerMilli;
  int64_t kill_at = -1;
  bool sent_term = false;
  bool sent_kill = false;
  bool reaped = false;
  bool status_known = false;
  int wait_status = 0;
  size_t stdin_offset = 0;
  const size_t max_out = options.max_output_bytes;

  for (;;) {
    bool pipes_open = stdout_read.valid() || stderr_read.valid();
    // After SIGKILL, pipes still open are held by a process that left the
    // group; stop waiting for them once the child is gone.
    if (reaped && (!pipes_open || sent_kill)) break;

    struct pollfd fds[4];
    int nfds = 0;
    int in_idx = -1, out_idx = -1, err_idx = -1;
    if (stdin_write.valid()) {
      in_idx = nfds;
      fds[nfds++] = {stdin_write.get(), POLLOUT, 0};
    }
    if (stdout_read.valid()) {
      out_idx = nfds;
      fds[nfds++] = {stdout_read.get(), POLLIN, 0};
    }
    if (stderr_read.valid()) {
      err_idx = nfds;
      fds[nfds++] = {stderr_read.get(), POLLIN, 0};
    }
    if (!reaped && pidfd.valid()) fds[nfds++] = {pidfd.get(), POLLIN, 0};

    int64_t now = NowNanos();
    int64_t next_deadline = !sent_term ? term_at : (!sent_kill ? kill_at : -1);
    int timeout = next_deadline >= 0 ? MillisUntil(next_deadline, now) : -1;
    if (!reaped && !pidfd.valid()) {
      timeout =
          timeout < 0 ? kReapPollMillis : std::min(timeout, kReapPollMillis);
    }
    int ready = poll(fds, nfds, timeout);
    if (ready < 0 && errno != EINTR) {
      int err = errno;
      if (!reaped) KillGroupAndReap(pid);
      return ErrnoError("subprocess \"" + argv0 + "\": poll", err);
    }
    if (ready < 0) {
      for (int i = 0; i < nfds; ++i) fds[i].revents = 0;
    }

    if (in_idx >= 0 && fds[in_idx].revents != 0) {
      size_t left = options.stdin_data.size() - stdin_offset;
      ssize_t n =
          write(stdin_write.get(), options.stdin_data.data() + stdin_offset,
                std::min(left, kIoChunk));
      if (n > 0) {
        stdin_offset += static_cast<size_t>(n);
        if (stdin_offset == options.stdin_data.size()) stdin_write.Reset();
      } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        if (errno == EPIPE) sigpipe_guard.SawEpipe();
        stdin_write.Reset();  // The child stopped reading; drop the rest.
      }
    }
    if (out_idx >= 0 && fds[out_idx].revents != 0) {
      ReadAvailable(&stdout_read, &result.stdout_data, max_out,
                    &result.output_truncated, 4);
    }
    if (err_idx >= 0 && fds[err_idx].revents != 0) {
      ReadAvailable(&stderr_read, &result.stderr_data, max_out,
                    &result.output_truncated, 4);
    }

    if (!reaped) {
      pid_t w = waitpid(pid, &wait_status, WNOHANG);
      // ECHILD: something else reaped it (SIGCHLD set to SIG_IGN, or a
      // waitpid(-1) elsewhere); the exit status is lost.
      if (w == pid || (w < 0 && errno == ECHILD)) {
        reaped = true;
        status_known = w == pid;
        result.duration_ns = NowNanos() - start;
      }
    }

    now = NowNanos();
    pipes_open = stdout_read.valid() || stderr_read.valid();
    if (!sent_term && term_at >= 0 && now >= term_at) {
      sent_term = true;
      result.timed_out = true;
      kill_at = now + grace_ns;
      SignalChild(pid, SIGTERM, reaped, pipes_open);
    }
    if (sent_term && !sent_kill && now >= kill_at) {
      sent_kill = true;
      SignalChild(pid, SIGKILL, reaped, pipes_open);
    }
  }

  // Keep what was already written by a process that escaped the group.
  ReadAvailable(&stdout_read, &result.stdout_data, max_out,
                &result.output_truncated, 16);
  ReadAvailable(&stderr_read, &result.stderr_data, max_out,
                &result.output_truncated, 16);

  if (!status_known) {
    // Leaves exit_code -1 and term_signal 0: not a success.
  } else if (WIFEXITED(wait_status)) {
    result.exit_code = WEXITSTATUS(wait_status);
  } else if (WIFSIGNALED(wait_status)) {
    result.term_signal = WTERMSIG(wait_status);
  }
  return result;
}

namespace {
class RealCommandRunner : public CommandRunner {
 public:
  Result<SubprocessResult> Run(const SubprocessOptions& options) override {
    return RunSubprocess(options);
  }
};
}  // namespace

CommandRunner* CommandRunner::Real() {
  static RealCommandRunner* runner = new RealCommandRunner();
  return runner;
}

}  // namespace tend
