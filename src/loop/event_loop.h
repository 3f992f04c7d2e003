// EventLoop: the one thread that owns tend's state.
//
// An epoll loop dispatching four kinds of events on the thread that calls
// Run(): file-descriptor readiness, timers, signals (through signalfd) and
// closures posted from any thread. Blocking work does not belong here; it
// goes to a WorkerPool, which reports back with Post().
//
// Threads: Post(), Stop() and InLoopThread() may be called from any thread.
// Every other member must be called on the loop thread (from a callback) or,
// while Run() is not executing, from the one thread that set the loop up.
// Debug builds assert this.
//
// Callbacks run one at a time on the loop thread and may call any member,
// including cancelling or unwatching themselves; the callback object stays
// alive until it returns.
//
// Implementation notes. All timers share one timerfd armed to the earliest
// deadline of an ordered set, rather than one timerfd each: an agent has
// dozens of timers (collectors, probes, rules) and one fd keeps the epoll set
// and the fd budget independent of that count, while cancel and reschedule
// stay O(log n). Post() writes to an eventfd. All fds are CLOEXEC.
#ifndef TEND_LOOP_EVENT_LOOP_H_
#define TEND_LOOP_EVENT_LOOP_H_

#include <signal.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <set>
#include <thread>
#include <utility>

#include "base/clock.h"
#include "base/status.h"
#include "base/thread_annotations.h"

namespace tend {

// Blocks `signals` in the calling thread. main() calls this first, before
// any thread is started, so that every thread inherits the mask and
// process-directed signals stay pending until the loop's signalfd reads
// them; a thread that left them unblocked would receive them with their
// default action (usually: terminate the process). Fails on an invalid or
// uncatchable signal number (SIGKILL, SIGSTOP) and changes nothing then.
Status BlockSignals(std::initializer_list<int> signals);

class EventLoop {
 public:
  using TimerId = uint64_t;

  // Creates the epoll, eventfd and timerfd descriptors. `clock` (not owned,
  // must outlive the loop) supplies monotonic time for timer deadlines. With
  // a FakeClock, timers become due when the fake time passes their deadline
  // and fire the next time the loop wakes (tests wake it with Post()).
  static Result<std::unique_ptr<EventLoop>> Create(
      Clock* clock = Clock::Real());
  // Closes the loop's descriptors and destroys callbacks without running
  // them (including posted closures that never ran). Must not run while
  // Run() is executing. Signals blocked by WatchSignal stay blocked.
  ~EventLoop();

  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Dispatches events on the calling thread until Stop(). Returns OK after a
  // Stop(), FailedPrecondition if the loop is already running (on another
  // thread, or re-entered from a callback), or an error if epoll fails.
  Status Run();

  // Makes Run() return once the callback in progress (if any) returns.
  // Thread-safe. A Stop() issued while Run() is not executing makes the next
  // Run() return at once: each Stop is consumed by the Run it ends. Posted
  // closures not yet run stay queued for the next Run().
  void Stop();

  // Queues fn to run on the loop thread. Thread-safe. Closures run in the
  // order their Post() calls were made (FIFO across all threads). A closure
  // posted from the loop thread runs on a later iteration, after pending fd
  // events and timers, so a self-reposting closure cannot starve them.
  void Post(std::function<void()> fn) EXCLUDES(mu_);

  // True on the thread currently inside Run(); false while Run() is not
  // executing.
  bool InLoopThread() const;

  // Calls fn after delay_ns (clamped at 0), then every period_ns if
  // period_ns > 0 (otherwise once). A periodic timer keeps the phase of its
  // first deadline: if it fires late (a slow callback, a busy loop) the
  // missed ticks are skipped, not replayed in a burst, and the next deadline
  // is the first tick of the original phase at or after the moment the
  // callback returned. Timers with the same deadline fire in the order they
  // were added. Never returns 0.
  TimerId AddTimer(int64_t delay_ns, int64_t period_ns,
                   std::function<void()> fn);

  // Cancels a timer; it will not fire again (even if already due in the
  // current iteration). Unknown or already finished ids are ignored. Safe
  // from within the timer's own callback.
  void CancelTimer(TimerId id);

  // Calls fn(revents) whenever fd is ready for `epoll_events` (EPOLLIN,
  // EPOLLOUT, ...; EPOLLERR and EPOLLHUP are always reported). The fd stays
  // owned by the caller and must stay open until UnwatchFd(fd). Prefer
  // level-triggered mode: an edge-triggered (EPOLLET) event pending when
  // Stop() ends Run() is not redelivered. Fails with AlreadyExists if fd is
  // already watched, InvalidArgument for a negative fd, or the epoll_ctl
  // error (EPERM: regular files cannot be polled).
  Status WatchFd(int fd, uint32_t epoll_events,
                 std::function<void(uint32_t)> fn);

  // Changes the events a watched fd waits for. NotFound if not watched.
  Status ModifyFd(int fd, uint32_t epoll_events);

  // Stops watching fd; no further callbacks for it are made, including
  // events already collected in the current iteration. Unknown fds are
  // ignored. Safe from within callbacks (including the fd's own).
  void UnwatchFd(int fd);

  // Calls fn on the loop thread each time signo arrives. Blocks signo in the
  // calling thread so that it is delivered through signalfd; call it (or
  // BlockSignals) before other threads are started, or those threads will
  // receive the signal with its default action. Several arrivals before the
  // loop reads them may coalesce into one call. Fails on an invalid or
  // uncatchable signal, or AlreadyExists if signo is already watched.
  Status WatchSignal(int signo, std::function<void()> fn);

  Clock* clock() const { return clock_; }

 private:
  using Callback = std::shared_ptr<std::function<void()>>;
  struct Timer {
    int64_t deadline_ns;
    int64_t period_ns;
    Callback fn;
  };
  struct FdWatch {
    int fd;
    std::shared_ptr<std::function<void(uint32_t)>> fn;
  };

  EventLoop(Clock* clock, int epoll_fd, int wake_fd, int timer_fd);

  void AssertOwner() const;
  bool RunPosted() EXCLUDES(mu_);  // These return false when stopped.
  bool RunDueTimers();
  bool DispatchSignals();
  void ArmTimerFd();
  void Drain(int fd);
  bool HasPosted() const EXCLUDES(mu_);

  Clock* const clock_;
  const int epoll_fd_;
  const int wake_fd_;   // eventfd: Post and Stop.
  const int timer_fd_;  // timerfd armed to the earliest deadline.
  int signal_fd_ = -1;  // Created by the first WatchSignal.
  sigset_t signal_mask_;

  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> running_{false};
  std::atomic<std::thread::id> loop_thread_{};

  mutable Mutex mu_;
  std::deque<std::function<void()>> posted_ GUARDED_BY(mu_);

  // Loop-thread state.
  TimerId next_timer_id_ = 1;
  std::map<TimerId, Timer> timers_;
  std::set<std::pair<int64_t, TimerId>> timer_queue_;  // (deadline, id)
  int64_t armed_deadline_ns_ = -1;  // What timer_fd_ is set to; -1 = disarmed.

  uint64_t next_watch_id_;  // epoll data of the next WatchFd; never reused.
  std::map<uint64_t, FdWatch> watches_;  // watch id -> watch
  std::map<int, uint64_t> watch_by_fd_;

  std::map<int, Callback> signal_handlers_;
};

}  // namespace tend

#endif  // TEND_LOOP_EVENT_LOOP_H_
