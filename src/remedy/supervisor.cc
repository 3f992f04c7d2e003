#include "remedy/supervisor.h"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <map>
#include <set>
#include <thread>

#include "base/log.h"
#include "base/thread_annotations.h"
#include "remedy/spawn.h"
#include "state/state_db.h"

namespace tend::remedy {

Result<RestartPolicy> ParseRestartPolicy(std::string_view s) {
  if (s == "always") return RestartPolicy::kAlways;
  if (s == "on-failure") return RestartPolicy::kOnFailure;
  if (s == "never") return RestartPolicy::kNever;
  return InvalidArgumentError("restart policy '" + std::string(s) +
                              "' is not one of always, on-failure, never");
}

const char* ProcessStateName(ProcessState s) {
  switch (s) {
    case ProcessState::kRunning:
      return "running";
    case ProcessState::kBackoff:
      return "backoff";
    case ProcessState::kStopped:
      return "stopped";
    case ProcessState::kEscalated:
      return "escalated";
  }
  return "?";
}

namespace {

// SIGCHLD fallback (no pidfd): the handler pokes the loop's eventfd.
std::atomic<int> g_sigchld_fd{-1};
void OnSigchld(int) {
  int saved = errno;
  int fd = g_sigchld_fd.load();
  if (fd >= 0) {
    uint64_t one = 1;
    ssize_t n = write(fd, &one, sizeof one);
    (void)n;
  }
  errno = saved;
}

constexpr uint64_t kWakeTag = ~uint64_t{0};
enum FdKind : uint64_t { kPidfd = 0, kOut = 1, kErr = 2 };

int64_t MonoMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1'000'000;
}

struct Proc {
  SuperviseSpec spec;
  Budget budget;
  ProcessState state = ProcessState::kStopped;
  pid_t pid = 0;
  int pidfd = -1;
  int out_fd = -1;
  int err_fd = -1;
  std::string partial[2];             // Incomplete last line per stream.
  bool skipping[2] = {false, false};  // Dropping the rest of a long line.
  int64_t started_mono_ms = 0;
  int64_t started_at_ms = 0;
  int64_t restarts = 0;
  int last_exit_code = -1;
  int last_signal = 0;
  int64_t lines_truncated = 0;
  int quick_deaths = 0;
  int64_t restart_at_mono_ms = 0;  // kBackoff: when to start.
  bool stopping = false;           // Stop signal sent.
  int64_t kill_at_mono_ms = 0;     // SIGKILL the group then.
  bool restart_after_stop = false;
  uint64_t generation = 0;  // Successful starts.
  Status last_start_error;
};

struct Line {
  const std::string* name;  // Points into a Proc's spec (stable).
  OutputStream stream;
  std::string text;
};

class SupervisorImpl : public Supervisor {
 public:
  explicit SupervisorImpl(SupervisorOptions options)
      : opts_(std::move(options)) {}

  ~SupervisorImpl() override {
    Shutdown();
    if (epfd_ >= 0) close(epfd_);
    if (wake_fd_ >= 0) {
      if (g_sigchld_fd.load() == wake_fd_) g_sigchld_fd = -1;
      close(wake_fd_);
    }
  }

  Status Init(std::vector<SuperviseSpec> specs) {
    std::set<std::string> names;
    for (auto& s : specs) {
      if (s.name.empty())
        return InvalidArgumentError("supervise: an entry has no name");
      if (!names.insert(s.name).second) {
        return InvalidArgumentError("supervise: name '" + s.name +
                                    "' is used twice");
      }
      if (s.max_line_bytes == 0) s.max_line_bytes = 1;
      Result<SpawnPlan> plan = PlanSpawn(s);
      if (!plan.ok()) return plan.status();
    }
    force_waitpid_ = !opts_.use_pidfd;
    epfd_ = epoll_create1(EPOLL_CLOEXEC);
    if (epfd_ < 0) return ErrnoError("epoll_create1", errno);
    wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ < 0) return ErrnoError("eventfd", errno);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kWakeTag;
    epoll_ctl(epfd_, EPOLL_CTL_ADD, wake_fd_, &ev);
    MutexLock l(&mu_);
    for (auto& s : specs) {
      auto p = std::make_unique<Proc>();
      p->spec = std::move(s);
      p->budget = Budget(p->spec.budget);
      Status ls = LoadBudget(opts_.db, "supervise/" + p->spec.name, &p->budget);
      if (!ls.ok()) {
        LogWarn("supervise: budget state unreadable; starting afresh",
                {{"process", p->spec.name}, {"err", ls}});
      }
      procs_.push_back(std::move(p));
    }
    for (size_t i = 0; i < procs_.size(); ++i) StartProc(i);
    FlushEvents();
    loop_ = std::thread([this] { Loop(); });
    delivery_ = std::thread([this] { Deliver(); });
    return Status::Ok();
  }

  std::vector<ProcessStatus> Snapshot() override {
    MutexLock l(&mu_);
    std::vector<ProcessStatus> out;
    int64_t now = NowMs();
    for (const auto& p : procs_) {
      ProcessStatus s;
      s.name = p->spec.name;
      s.pid = p->pid;
      s.state = p->state;
      s.restarts = p->restarts;
      s.last_exit_code = p->last_exit_code;
      s.last_signal = p->last_signal;
      s.started_at_ms = p->started_at_ms;
      s.lines_truncated = p->lines_truncated;
      s.budget_runs = p->budget.RunsInWindow(now);
      out.push_back(std::move(s));
    }
    return out;
  }

  Status Restart(const std::string& name, int64_t timeout_ms) override {
    MutexLock l(&mu_);
    if (shutting_down_)
      return FailedPreconditionError("supervisor is stopping");
    Proc* p = Find(name);
    if (p == nullptr) return NotFoundError("no supervised process " + name);
    uint64_t gen = p->generation;
    commands_.push_back(name);
    Wake();
    const int64_t deadline = MonoMs() + timeout_ms;
    while (p->generation == gen) {
      if (!p->last_start_error.ok() && start_failed_gen_[name] > gen) {
        return p->last_start_error;
      }
      if (MonoMs() >= deadline || shutting_down_) {
        return DeadlineExceededError("supervise " + name +
                                     ": not running again within " +
                                     std::to_string(timeout_ms) + " ms");
      }
      mu_.Unlock();
      // CondVar has no timed wait; restarts take milliseconds.
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      mu_.Lock();
    }
    return Status::Ok();
  }

  Status ResetBudget(const std::string& name) override {
    MutexLock l(&mu_);
    Proc* p = Find(name);
    if (p == nullptr) return NotFoundError("no supervised process " + name);
    p->budget.Reset();
    Status s = SaveBudget(opts_.db, "supervise/" + name, p->budget);
    if (p->state == ProcessState::kEscalated) {
      commands_.push_back(name);
      Wake();
    }
    return s;
  }

  void Shutdown() override {
    {
      MutexLock l(&mu_);
      shutting_down_ = true;
      Wake();
    }
    if (loop_.joinable()) loop_.join();
    {
      MutexLock l(&q_mu_);
      q_stop_ = true;
      q_cv_.SignalAll();
    }
    if (delivery_.joinable()) delivery_.join();
  }

 private:
  int64_t NowMs() const { return opts_.clock->NowUnixNanos() / 1'000'000; }

  void Wake() {
    uint64_t one = 1;
    ssize_t n = write(wake_fd_, &one, sizeof one);
    (void)n;
  }

  Proc* Find(const std::string& name) REQUIRES(mu_) {
    for (auto& p : procs_) {
      if (p->spec.name == name) return p.get();
    }
    return nullptr;
  }

  // Queues an event; FlushEvents writes them once the restarts of this
  // loop iteration are done, so a database write never delays a restart.
  void Emit(const Proc& p, const std::string& outcome, std::string message)
      REQUIRES(mu_) {
    state::Event e;
    e.time_ms = NowMs();
    e.kind = "supervise";
    e.subject = p.spec.name;
    e.outcome = outcome;
    e.message = std::move(message);
    pending_events_.push_back(std::move(e));
  }

  void FlushEvents() REQUIRES(mu_) {
    for (const state::Event& e : pending_events_) {
      if (opts_.db != nullptr) {
        Result<int64_t> id = opts_.db->AppendEvent(e);
        if (!id.ok()) {
          LogWarn("supervise: event not recorded",
                  {{"process", e.subject}, {"err", id.status()}});
        }
      }
      if (opts_.on_event) opts_.on_event(e);
    }
    pending_events_.clear();
  }

  void Watch(int fd, uint64_t idx, FdKind kind, uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = (idx << 2) | kind;
    epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev);
  }

  // Starts procs_[i]; on failure counts it as a quick death.
  void StartProc(size_t i) REQUIRES(mu_) {
    Proc& p = *procs_[i];
    p.state = ProcessState::kStopped;
    Result<SpawnPlan> plan = PlanSpawn(p.spec);
    Result<Spawned> sp =
        plan.ok() ? SpawnProcess(*plan) : Result<Spawned>(plan.status());
    if (!sp.ok()) {
      p.last_start_error = sp.status();
      start_failed_gen_[p.spec.name] = p.generation + 1;
      LogWarn("supervise: cannot start",
              {{"process", p.spec.name}, {"err", sp.status()}});
      Emit(p, "failed", "could not start: " + sp.status().ToString());
      p.started_mono_ms = MonoMs();
      AfterDeath(i, /*failed=*/true, /*start_failed=*/true);
      return;
    }
    p.last_start_error = Status::Ok();
    p.pid = sp->pid;
    p.out_fd = sp->out_fd;
    p.err_fd = sp->err_fd;
    p.partial[0].clear();
    p.partial[1].clear();
    p.skipping[0] = p.skipping[1] = false;
    p.started_mono_ms = MonoMs();
    p.started_at_ms = NowMs();
    p.state = ProcessState::kRunning;
    p.stopping = false;
    p.restart_after_stop = false;
    p.generation++;
    p.pidfd = force_waitpid_ ? -1 : int(syscall(SYS_pidfd_open, p.pid, 0));
    if (p.pidfd >= 0) {
      Watch(p.pidfd, i, kPidfd, EPOLLIN);
    } else {
      InstallSigchld();
    }
    uint32_t in = paused_ ? 0u : uint32_t{EPOLLIN};
    Watch(p.out_fd, i, kOut, in);
    Watch(p.err_fd, i, kErr, in);
    Emit(p, "started", "pid " + std::to_string(p.pid));
  }

  void InstallSigchld() {
    if (sigchld_installed_) return;
    sigchld_installed_ = true;
    g_sigchld_fd = wake_fd_;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = OnSigchld;
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGCHLD, &sa, nullptr);
  }

  // Reads what the pipe holds now (all of it when `drain`).
  void ReadPipe(Proc& p, int which, bool drain) REQUIRES(mu_) {
    int fd = which == 0 ? p.out_fd : p.err_fd;
    if (fd < 0) return;
    char buf[65536];
    // Without `drain`, at most 1 MiB per wakeup (epoll is level-triggered),
    // so one chatty process cannot hold the loop.
    for (int reads = 0; drain || reads < 16; ++reads) {
      ssize_t n = read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
          ClosePipe(p, which);
        }
        return;
      }
      SplitLines(p, which, std::string_view(buf, size_t(n)));
    }
  }

  void ClosePipe(Proc& p, int which) REQUIRES(mu_) {
    int& fd = which == 0 ? p.out_fd : p.err_fd;
    if (fd < 0) return;
    epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
    close(fd);
    fd = -1;
    if (!p.partial[which].empty()) {
      Push(p, which, std::move(p.partial[which]));
      p.partial[which].clear();
    }
    p.skipping[which] = false;
  }

  void SplitLines(Proc& p, int which, std::string_view data) REQUIRES(mu_) {
    std::string& part = p.partial[which];
    const size_t max = p.spec.max_line_bytes;
    while (!data.empty()) {
      size_t nl = data.find('\n');
      std::string_view chunk =
          data.substr(0, nl == std::string_view::npos ? data.size() : nl);
      if (!p.skipping[which]) {
        size_t room = max - part.size();
        if (chunk.size() > room) {
          part.append(chunk.substr(0, room));
          Push(p, which, std::move(part));
          part.clear();
          p.lines_truncated++;
          p.skipping[which] = true;
        } else {
          part.append(chunk);
        }
      }
      if (nl == std::string_view::npos) break;
      if (!p.skipping[which]) {
        Push(p, which, std::move(part));
        part.clear();
      }
      p.skipping[which] = false;
      data.remove_prefix(nl + 1);
    }
  }

  void Push(const Proc& p, int which, std::string text) {
    if (!opts_.on_line) return;
    MutexLock l(&q_mu_);
    q_bytes_ += text.size() + 64;
    queue_.push_back(
        Line{&p.spec.name,
             which == 0 ? OutputStream::kStdout : OutputStream::kStderr,
             std::move(text)});
    if (q_bytes_ >= opts_.max_buffered_bytes) want_pause_ = true;
    q_cv_.Signal();
  }

  void SetPaused(bool paused) REQUIRES(mu_) {
    if (paused_ == paused) return;
    paused_ = paused;
    for (size_t i = 0; i < procs_.size(); ++i) {
      Proc& p = *procs_[i];
      for (int w = 0; w < 2; ++w) {
        int fd = w == 0 ? p.out_fd : p.err_fd;
        if (fd < 0) continue;
        epoll_event ev{};
        ev.events = paused ? 0u : uint32_t{EPOLLIN};
        ev.data.u64 = (uint64_t(i) << 2) | (w == 0 ? kOut : kErr);
        epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev);
      }
    }
  }

  void Deliver() {
    for (;;) {
      std::deque<Line> batch;
      {
        MutexLock l(&q_mu_);
        while (queue_.empty() && !q_stop_) q_cv_.Wait(&q_mu_);
        if (queue_.empty() && q_stop_) return;
        batch.swap(queue_);
      }
      size_t bytes = 0;
      for (Line& line : batch) {
        opts_.on_line(*line.name, line.stream, line.text);
        bytes += line.text.size() + 64;
      }
      MutexLock l(&q_mu_);
      q_bytes_ -= bytes;
      if (want_pause_ && q_bytes_ < opts_.max_buffered_bytes / 2) {
        want_pause_ = false;
        Wake();  // The loop resumes reading.
      }
    }
  }

  // The child `i` has died (or could not start): reap, decide the restart.
  void OnExit(size_t i) REQUIRES(mu_) {
    Proc& p = *procs_[i];
    // The leader is a zombie until reaped, so its pid still names the
    // group: kill what is left of it.
    kill(-p.pid, SIGKILL);
    siginfo_t info{};
    while (waitid(P_PID, id_t(p.pid), &info, WEXITED) < 0 && errno == EINTR) {
    }
    if (p.pidfd >= 0) {
      epoll_ctl(epfd_, EPOLL_CTL_DEL, p.pidfd, nullptr);
      close(p.pidfd);
      p.pidfd = -1;
    }
    ReadPipe(p, 0, true);
    ReadPipe(p, 1, true);
    ClosePipe(p, 0);
    ClosePipe(p, 1);
    bool failed = true;
    if (info.si_code == CLD_EXITED) {
      p.last_exit_code = info.si_status;
      p.last_signal = 0;
      failed = info.si_status != 0;
    } else {
      p.last_exit_code = -1;
      p.last_signal = info.si_status;
    }
    pid_t old = p.pid;
    p.pid = 0;
    std::string how = info.si_code == CLD_EXITED
                          ? "exit code " + std::to_string(info.si_status)
                          : std::string("signal ") + strsignal(info.si_status);
    Emit(p, "exited", "pid " + std::to_string(old) + " ended: " + how);
    if (shutting_down_) {
      p.state = ProcessState::kStopped;
      return;
    }
    if (p.restart_after_stop) {  // Restart(name): start now, no budget.
      p.restarts++;
      StartProc(i);
      return;
    }
    AfterDeath(i, failed, /*start_failed=*/false);
  }

  void AfterDeath(size_t i, bool failed, bool start_failed) REQUIRES(mu_) {
    Proc& p = *procs_[i];
    p.stopping = false;
    if (shutting_down_ || p.spec.restart == RestartPolicy::kNever ||
        (p.spec.restart == RestartPolicy::kOnFailure && !failed)) {
      p.state = ProcessState::kStopped;
      return;
    }
    const int64_t now_mono = MonoMs();
    const int64_t uptime = now_mono - p.started_mono_ms;
    if (p.spec.min_uptime_ms > 0 && uptime < p.spec.min_uptime_ms) {
      p.quick_deaths++;
    } else {
      p.quick_deaths = 0;
    }
    int64_t delay = p.spec.restart_delay_ms;
    if (p.quick_deaths >= 2) {
      int shift = std::min(p.quick_deaths - 2, 20);
      delay = std::max(delay,
                       std::min(p.spec.max_backoff_ms, int64_t{100} << shift));
    }
    // A command that cannot start is retried at most once a second.
    if (start_failed) delay = std::max<int64_t>(delay, 1000);
    const int64_t now = NowMs();
    BudgetVerdict v = p.budget.Check(now);
    if (v == BudgetVerdict::kCooldown) {
      delay = std::max(delay, p.spec.budget.cooldown_ms);
      v = BudgetVerdict::kAllow;
    }
    if (v != BudgetVerdict::kAllow) {
      p.state = ProcessState::kEscalated;
      SaveBudgetLogged(p);
      Emit(p, "escalated",
           std::to_string(p.budget.RunsInWindow(now)) + " restarts within " +
               std::to_string(p.spec.budget.window_ms / 1000) +
               "s reached the budget of " +
               std::to_string(p.spec.budget.max_runs) +
               "; not restarting until an operator resets it");
      return;
    }
    p.budget.RecordRun(now);
    SaveBudgetLogged(p);
    p.restarts++;
    if (delay <= 0) {
      StartProc(i);
      return;
    }
    p.state = ProcessState::kBackoff;
    p.restart_at_mono_ms = now_mono + delay;
  }

  void SaveBudgetLogged(const Proc& p) {
    Status s = SaveBudget(opts_.db, "supervise/" + p.spec.name, p.budget);
    if (!s.ok()) {
      LogWarn("supervise: budget not saved",
              {{"process", p.spec.name}, {"err", s}});
    }
  }

  // Sends the stop signal (escalating to SIGKILL later).
  void BeginStop(Proc& p) REQUIRES(mu_) {
    if (p.pid <= 0 || p.stopping) return;
    p.stopping = true;
    kill(-p.pid, p.spec.stop_signal);
    p.kill_at_mono_ms = MonoMs() + p.spec.stop_timeout_ms;
  }

  // Children without a pidfd: poll them after a SIGCHLD (or a timer).
  void CheckWaitpid() REQUIRES(mu_) {
    for (size_t i = 0; i < procs_.size(); ++i) {
      Proc& p = *procs_[i];
      if (p.pid <= 0 || p.pidfd >= 0) continue;
      siginfo_t info{};
      info.si_pid = 0;
      if (waitid(P_PID, id_t(p.pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
          info.si_pid == p.pid) {
        OnExit(i);
      }
    }
  }

  void Loop() {
    epoll_event events[64];
    for (;;) {
      int timeout = -1;
      {
        MutexLock l(&mu_);
        bool more = HandleCommands();
        FlushEvents();
        if (!more) return;
        timeout = NextTimeout();
      }
      int n = epoll_wait(epfd_, events, 64, timeout);
      if (n < 0 && errno != EINTR) {
        LogError("supervise: epoll_wait failed", {{"err", strerror(errno)}});
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        continue;
      }
      MutexLock l(&mu_);
      for (int k = 0; k < n; ++k) {
        uint64_t tag = events[k].data.u64;
        if (tag == kWakeTag) {
          uint64_t v;
          ssize_t r = read(wake_fd_, &v, sizeof v);
          (void)r;
          continue;
        }
        size_t i = size_t(tag >> 2);
        Proc& p = *procs_[i];
        switch (FdKind(tag & 3)) {
          case kPidfd:
            if (p.pidfd >= 0) OnExit(i);
            break;
          case kOut:
            ReadPipe(p, 0, false);
            break;
          case kErr:
            ReadPipe(p, 1, false);
            break;
        }
      }
      if (sigchld_installed_) CheckWaitpid();
      RunTimers();
      FlushEvents();
    }
  }

  // Applies queued Restart/Reset requests and the shutdown; false when the
  // loop should end (everything stopped during shutdown).
  bool HandleCommands() REQUIRES(mu_) {
    bool pause;
    {
      MutexLock q(&q_mu_);
      pause = want_pause_;
    }
    SetPaused(pause);
    for (const std::string& name : commands_) {
      for (size_t i = 0; i < procs_.size(); ++i) {
        Proc& p = *procs_[i];
        if (p.spec.name != name) continue;
        if (p.pid > 0) {
          p.restart_after_stop = true;
          BeginStop(p);
        } else {
          p.restarts++;
          StartProc(i);
        }
      }
    }
    commands_.clear();
    if (shutting_down_) {
      bool any = false;
      for (auto& p : procs_) {
        if (p->state == ProcessState::kBackoff)
          p->state = ProcessState::kStopped;
        if (p->pid > 0) {
          any = true;
          BeginStop(*p);
        }
      }
      if (!any) return false;
    }
    return true;
  }

  int NextTimeout() REQUIRES(mu_) {
    int64_t now = MonoMs();
    int64_t next = INT64_MAX;
    for (auto& p : procs_) {
      if (p->state == ProcessState::kBackoff) {
        next = std::min(next, p->restart_at_mono_ms);
      }
      if (p->stopping) next = std::min(next, p->kill_at_mono_ms);
    }
    if (sigchld_installed_) next = std::min(next, now + 100);
    if (next == INT64_MAX) return -1;
    return int(std::clamp<int64_t>(next - now, 0, 60'000));
  }

  void RunTimers() REQUIRES(mu_) {
    int64_t now = MonoMs();
    for (size_t i = 0; i < procs_.size(); ++i) {
      Proc& p = *procs_[i];
      if (p.state == ProcessState::kBackoff && p.restart_at_mono_ms <= now &&
          !shutting_down_) {
        StartProc(i);
      }
      if (p.stopping && p.pid > 0 && p.kill_at_mono_ms <= now) {
        kill(-p.pid, SIGKILL);
        p.kill_at_mono_ms = INT64_MAX;  // Wait for the death now.
      }
    }
  }

  SupervisorOptions opts_;
  bool force_waitpid_ = false;
  int epfd_ = -1;
  int wake_fd_ = -1;
  std::thread loop_;
  std::thread delivery_;
  bool sigchld_installed_ = false;  // Loop thread (and Init).

  Mutex mu_;
  std::vector<std::unique_ptr<Proc>> procs_ GUARDED_BY(mu_);
  std::vector<std::string> commands_ GUARDED_BY(mu_);
  std::map<std::string, uint64_t> start_failed_gen_ GUARDED_BY(mu_);
  std::vector<state::Event> pending_events_ GUARDED_BY(mu_);
  bool shutting_down_ GUARDED_BY(mu_) = false;
  bool paused_ GUARDED_BY(mu_) = false;

  Mutex q_mu_;
  CondVar q_cv_;
  std::deque<Line> queue_ GUARDED_BY(q_mu_);
  size_t q_bytes_ GUARDED_BY(q_mu_) = 0;
  bool want_pause_ GUARDED_BY(q_mu_) = false;
  bool q_stop_ GUARDED_BY(q_mu_) = false;
};

}  // namespace

Result<std::unique_ptr<Supervisor>> Supervisor::Start(
    std::vector<SuperviseSpec> specs, SupervisorOptions options) {
  auto s = std::make_unique<SupervisorImpl>(std::move(options));
  RETURN_IF_ERROR(s->Init(std::move(specs)));
  return std::unique_ptr<Supervisor>(std::move(s));
}

}  // namespace tend::remedy
