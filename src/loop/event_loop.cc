#include "loop/event_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <limits>
#include <string>
#include <vector>

namespace tend {
namespace {

// epoll data values below kFirstWatchId name the loop's own descriptors;
// WatchFd registrations get ids from kFirstWatchId up, never reused, so an
// event collected for an fd that was unwatched (and perhaps re-watched under
// the same number) in the same iteration cannot reach the wrong callback.
constexpr uint64_t kWakeTag = 0;
constexpr uint64_t kTimerTag = 1;
constexpr uint64_t kSignalTag = 2;
constexpr uint64_t kFirstWatchId = 16;

constexpr int kMaxEventsPerWait = 64;

int64_t SaturatingAdd(int64_t a, int64_t b) {
  if (b > 0 && a > std::numeric_limits<int64_t>::max() - b) {
    return std::numeric_limits<int64_t>::max();
  }
  return a + b;
}

// Adds signo to *set after checking that the loop can deliver it.
Status AddCatchableSignal(sigset_t* set, int signo) {
  if (signo == SIGKILL || signo == SIGSTOP) {
    return InvalidArgumentError("signal " + std::to_string(signo) +
                                " cannot be blocked or caught");
  }
  if (signo <= 0 || signo >= NSIG || sigaddset(set, signo) != 0) {
    return InvalidArgumentError("invalid signal number " +
                                std::to_string(signo));
  }
  return Status::Ok();
}

Status AddToEpoll(int epoll_fd, int fd, uint64_t tag) {
  struct epoll_event ev = {};
  ev.events = EPOLLIN;
  ev.data.u64 = tag;
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) {
    return ErrnoError("epoll_ctl(ADD)", errno);
  }
  return Status::Ok();
}

void CloseIfOpen(int fd) {
  if (fd >= 0) close(fd);
}

}  // namespace

Status BlockSignals(std::initializer_list<int> signals) {
  sigset_t set;
  sigemptyset(&set);
  for (int signo : signals) RETURN_IF_ERROR(AddCatchableSignal(&set, signo));
  int err = pthread_sigmask(SIG_BLOCK, &set, nullptr);
  if (err != 0) return ErrnoError("pthread_sigmask", err);
  return Status::Ok();
}

Result<std::unique_ptr<EventLoop>> EventLoop::Create(Clock* clock) {
  if (clock == nullptr) return InvalidArgumentError("EventLoop: null clock");
  int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) return ErrnoError("epoll_create1", errno);
  int wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  int wake_errno = errno;
  int timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
  int timer_errno = errno;
  Status status;
  if (wake_fd < 0) {
    status = ErrnoError("eventfd", wake_errno);
  } else if (timer_fd < 0) {
    status = ErrnoError("timerfd_create", timer_errno);
  } else {
    status = AddToEpoll(epoll_fd, wake_fd, kWakeTag);
    if (status.ok()) status = AddToEpoll(epoll_fd, timer_fd, kTimerTag);
  }
  if (!status.ok()) {
    CloseIfOpen(epoll_fd);
    CloseIfOpen(wake_fd);
    CloseIfOpen(timer_fd);
    return status.WithContext("creating event loop");
  }
  return std::unique_ptr<EventLoop>(
      new EventLoop(clock, epoll_fd, wake_fd, timer_fd));
}

EventLoop::EventLoop(Clock* clock, int epoll_fd, int wake_fd, int timer_fd)
    : clock_(clock),
      epoll_fd_(epoll_fd),
      wake_fd_(wake_fd),
      timer_fd_(timer_fd),
      next_watch_id_(kFirstWatchId) {
  sigemptyset(&signal_mask_);
}

EventLoop::~EventLoop() {
  assert(!running_.load() && "EventLoop destroyed while Run() executes");
  CloseIfOpen(signal_fd_);
  close(timer_fd_);
  close(wake_fd_);
  close(epoll_fd_);
}

void EventLoop::AssertOwner() const {
  assert((!running_.load() || InLoopThread()) &&
         "EventLoop member called off the loop thread while running");
}

bool EventLoop::InLoopThread() const {
  return loop_thread_.load() == std::this_thread::get_id();
}

Status EventLoop::Run() {
  if (running_.exchange(true)) {
    return FailedPreconditionError(
        "EventLoop::Run: the loop is already running");
  }
  loop_thread_.store(std::this_thread::get_id());

  Status status;
  struct epoll_event events[kMaxEventsPerWait];
  bool stopped = false;
  while (!stopped) {
    if (stop_requested_.load() || !RunPosted() || !RunDueTimers()) break;
    ArmTimerFd();
    int n =
        epoll_wait(epoll_fd_, events, kMaxEventsPerWait, HasPosted() ? 0 : -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      status = ErrnoError("epoll_wait", errno);
      break;
    }
    for (int i = 0; i < n && !stopped; ++i) {
      uint64_t tag = events[i].data.u64;
      if (tag == kWakeTag) {
        Drain(wake_fd_);  // Posted closures run at the top of the loop.
      } else if (tag == kTimerTag) {
        Drain(timer_fd_);  // A one-shot timerfd disarms when it expires.
        armed_deadline_ns_ = -1;
      } else if (tag == kSignalTag) {
        stopped = !DispatchSignals();
      } else {
        auto it = watches_.find(tag);
        if (it == watches_.end()) continue;  // Unwatched in this iteration.
        auto fn = it->second.fn;             // Outlives an UnwatchFd in fn.
        (*fn)(events[i].events);
        stopped = stop_requested_.load();
      }
    }
  }
  if (status.ok()) stop_requested_.store(false);  // This Run consumed it.
  loop_thread_.store(std::thread::id());
  running_.store(false);
  return status;
}

void EventLoop::Stop() {
  stop_requested_.store(true);
  uint64_t one = 1;
  // Only EAGAIN (counter saturated, so the loop is awake anyway) can fail.
  if (write(wake_fd_, &one, sizeof(one)) < 0) return;
}

void EventLoop::Post(std::function<void()> fn) {
  {
    MutexLock lock(&mu_);
    posted_.push_back(std::move(fn));
  }
  uint64_t one = 1;
  if (write(wake_fd_, &one, sizeof(one)) < 0) return;  // See Stop().
}

bool EventLoop::HasPosted() const {
  MutexLock lock(&mu_);
  return !posted_.empty();
}

bool EventLoop::RunPosted() {
  std::deque<std::function<void()>> batch;
  {
    MutexLock lock(&mu_);
    batch.swap(posted_);
  }
  // Closures posted while this batch runs land in posted_ and wait for the
  // next iteration, after fd events and timers have had their turn.
  while (!batch.empty()) {
    {
      std::function<void()> fn = std::move(batch.front());
      batch.pop_front();
      fn();
    }
    if (stop_requested_.load()) {
      MutexLock lock(&mu_);
      // Put the rest back ahead of anything posted meanwhile (keeps FIFO).
      while (!batch.empty()) {
        posted_.push_front(std::move(batch.back()));
        batch.pop_back();
      }
      return false;
    }
  }
  return true;
}

EventLoop::TimerId EventLoop::AddTimer(int64_t delay_ns, int64_t period_ns,
                                       std::function<void()> fn) {
  AssertOwner();
  TimerId id = next_timer_id_++;
  int64_t deadline =
      SaturatingAdd(clock_->MonotonicNanos(), delay_ns > 0 ? delay_ns : 0);
  timers_.emplace(
      id, Timer{deadline, period_ns > 0 ? period_ns : 0,
                std::make_shared<std::function<void()>>(std::move(fn))});
  timer_queue_.emplace(deadline, id);
  // Armed before the next epoll_wait (this is the loop thread or Run has
  // not started yet).
  return id;
}

void EventLoop::CancelTimer(TimerId id) {
  AssertOwner();
  auto it = timers_.find(id);
  if (it == timers_.end()) return;
  timer_queue_.erase({it->second.deadline_ns, id});
  timers_.erase(it);
}

bool EventLoop::RunDueTimers() {
  if (timer_queue_.empty()) return true;
  int64_t now = clock_->MonotonicNanos();
  // Snapshot what is due now; timers added by these callbacks wait for the
  // next iteration, so a timer that re-adds itself with delay 0 cannot
  // starve fd events.
  std::vector<std::pair<int64_t, TimerId>> due;
  for (const auto& entry : timer_queue_) {
    if (entry.first > now) break;
    due.push_back(entry);
  }
  for (const auto& [deadline, id] : due) {
    auto it = timers_.find(id);
    // Cancelled by an earlier callback in this batch.
    if (it == timers_.end() || it->second.deadline_ns != deadline) continue;
    timer_queue_.erase({deadline, id});
    Callback fn = it->second.fn;
    int64_t period = it->second.period_ns;
    if (period == 0) timers_.erase(it);
    (*fn)();
    if (period > 0) {
      it = timers_.find(id);  // The callback may have cancelled it.
      if (it != timers_.end()) {
        // The first tick on the original phase at or after the current
        // time: ticks that passed while the callback or loop was late are
        // skipped rather than replayed in a burst.
        int64_t late = clock_->MonotonicNanos() - deadline;
        int64_t ticks =
            late <= period ? 1 : late / period + (late % period != 0 ? 1 : 0);
        int64_t next = ticks > std::numeric_limits<int64_t>::max() / period
                           ? std::numeric_limits<int64_t>::max()
                           : SaturatingAdd(deadline, ticks * period);
        it->second.deadline_ns = next;
        timer_queue_.emplace(next, id);
      }
    }
    if (stop_requested_.load()) return false;
  }
  return true;
}

void EventLoop::ArmTimerFd() {
  int64_t earliest = timer_queue_.empty() ? -1 : timer_queue_.begin()->first;
  if (earliest == armed_deadline_ns_) return;
  struct itimerspec spec = {};
  if (earliest >= 0) {
    // Relative arming keeps this correct for any Clock; deadlines live in
    // timer_queue_, so the small delay between reading the clock and arming
    // only makes a wake-up late, it never shifts later deadlines.
    int64_t delta = earliest - clock_->MonotonicNanos();
    if (delta < 1) delta = 1;  // it_value of zero would disarm.
    spec.it_value.tv_sec = delta / kNanosPerSecond;
    spec.it_value.tv_nsec = delta % kNanosPerSecond;
  }
  if (timerfd_settime(timer_fd_, 0, &spec, nullptr) == 0) {
    armed_deadline_ns_ = earliest;
  }
  // On failure (not expected: the arguments are valid) armed_deadline_ns_
  // keeps its old value and the next iteration retries.
}

void EventLoop::Drain(int fd) {
  uint64_t value;
  while (read(fd, &value, sizeof(value)) > 0) {
  }
}

Status EventLoop::WatchFd(int fd, uint32_t epoll_events,
                          std::function<void(uint32_t)> fn) {
  AssertOwner();
  if (fd < 0) {
    return InvalidArgumentError("WatchFd: invalid fd " + std::to_string(fd));
  }
  if (watch_by_fd_.count(fd) != 0) {
    return AlreadyExistsError("WatchFd: fd " + std::to_string(fd) +
                              " is already watched");
  }
  uint64_t id = next_watch_id_++;
  struct epoll_event ev = {};
  ev.events = epoll_events;
  ev.data.u64 = id;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    return ErrnoError("WatchFd: epoll_ctl(ADD) fd " + std::to_string(fd),
                      errno);
  }
  watches_.emplace(id,
                   FdWatch{fd, std::make_shared<std::function<void(uint32_t)>>(
                                   std::move(fn))});
  watch_by_fd_.emplace(fd, id);
  return Status::Ok();
}

Status EventLoop::ModifyFd(int fd, uint32_t epoll_events) {
  AssertOwner();
  auto it = watch_by_fd_.find(fd);
  if (it == watch_by_fd_.end()) {
    return NotFoundError("ModifyFd: fd " + std::to_string(fd) +
                         " is not watched");
  }
  struct epoll_event ev = {};
  ev.events = epoll_events;
  ev.data.u64 = it->second;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev) != 0) {
    return ErrnoError("ModifyFd: epoll_ctl(MOD) fd " + std::to_string(fd),
                      errno);
  }
  return Status::Ok();
}

void EventLoop::UnwatchFd(int fd) {
  AssertOwner();
  auto it = watch_by_fd_.find(fd);
  if (it == watch_by_fd_.end()) return;
  // Fails only if the caller already closed fd, which removed it anyway.
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  watches_.erase(it->second);
  watch_by_fd_.erase(it);
}

Status EventLoop::WatchSignal(int signo, std::function<void()> fn) {
  AssertOwner();
  sigset_t one;
  sigemptyset(&one);
  RETURN_IF_ERROR(AddCatchableSignal(&one, signo));
  if (signal_handlers_.count(signo) != 0) {
    return AlreadyExistsError("WatchSignal: signal " + std::to_string(signo) +
                              " is already watched");
  }
  int err = pthread_sigmask(SIG_BLOCK, &one, nullptr);
  if (err != 0) return ErrnoError("WatchSignal: pthread_sigmask", err);
  sigset_t mask = signal_mask_;
  sigaddset(&mask, signo);
  // With an existing fd, signalfd() replaces its mask and returns it.
  int fd = signalfd(signal_fd_, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd < 0) return ErrnoError("WatchSignal: signalfd", errno);
  if (signal_fd_ < 0) {
    Status status = AddToEpoll(epoll_fd_, fd, kSignalTag);
    if (!status.ok()) {
      close(fd);
      return status.WithContext("WatchSignal");
    }
    signal_fd_ = fd;
  }
  signal_mask_ = mask;
  signal_handlers_.emplace(
      signo, std::make_shared<std::function<void()>>(std::move(fn)));
  return Status::Ok();
}

bool EventLoop::DispatchSignals() {
  // One signal per read so that a Stop() from a handler leaves the others
  // pending in the kernel for the next Run().
  for (;;) {
    struct signalfd_siginfo info;
    ssize_t n = read(signal_fd_, &info, sizeof(info));
    if (n < 0 && errno == EINTR) continue;
    if (n != static_cast<ssize_t>(sizeof(info))) return true;  // EAGAIN.
    auto it = signal_handlers_.find(static_cast<int>(info.ssi_signo));
    if (it == signal_handlers_.end()) continue;
    Callback fn = it->second;
    (*fn)();
    if (stop_requested_.load()) return false;
  }
}

}  // namespace tend
