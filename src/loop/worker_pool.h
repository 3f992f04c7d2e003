// WorkerPool: a small, bounded set of threads for blocking work.
//
// The event-loop thread must never block, so work that does (fsync,
// compaction, hashing, SSH, child processes) is handed to a WorkerPool and
// reports its result back with EventLoop::Post().
//
// Policy:
//  - Submit() never blocks. It queues the task and returns true, or, when
//    max_queue tasks are already waiting or Shutdown() has begun, returns
//    false and the task is destroyed without running. The caller decides
//    what refusal means: count and drop, retry on the next tick, or report
//    "busy".
//  - max_queue counts tasks waiting for a thread; tasks already running do not
//    count. So at most threads + max_queue tasks are accepted at once.
//  - Tasks start in submission order (FIFO); with more than one thread they
//    may finish in any order and run concurrently with each other.
//  - Shutdown() stops accepting, lets the threads finish every task already
//    queued, then joins them. It is idempotent and may be called from several
//    threads at once (all return after the join). It must not be called from
//    inside a task (the task's own thread cannot join itself).
//  - Tasks must not throw (tend's code does not use exceptions).
//
// Thread-safety: every public member may be called from any thread.
#ifndef TEND_LOOP_WORKER_POOL_H_
#define TEND_LOOP_WORKER_POOL_H_

#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "base/thread_annotations.h"

namespace tend {

class WorkerPool {
 public:
  // Starts `threads` threads at once (values below 1 mean 1). `max_queue`
  // below 1 means 1.
  WorkerPool(int threads, size_t max_queue);
  ~WorkerPool();  // Shutdown().

  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues fn. Returns false (fn not run) when the queue is full or the pool
  // is shutting down.
  [[nodiscard]] bool Submit(std::function<void()> fn) EXCLUDES(mu_);

  // Stops accepting tasks, runs everything already queued, joins the threads.
  void Shutdown() EXCLUDES(mu_);

  // Tasks waiting for a thread (not counting running ones).
  size_t queued() const EXCLUDES(mu_);

  int threads() const { return static_cast<int>(threads_.size()); }
  size_t max_queue() const { return max_queue_; }

 private:
  void WorkerMain() EXCLUDES(mu_);

  const size_t max_queue_;
  mutable Mutex mu_;
  CondVar work_available_;  // Signalled on Submit and on Shutdown.
  std::deque<std::function<void()>> queue_ GUARDED_BY(mu_);
  bool shutting_down_ GUARDED_BY(mu_) = false;

  // Written only by the constructor and by the one Shutdown() that wins
  // join_once_.
  std::vector<std::thread> threads_;
  std::once_flag join_once_;
};

}  // namespace tend

#endif  // TEND_LOOP_WORKER_POOL_H_
