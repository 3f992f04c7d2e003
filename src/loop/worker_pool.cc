#include "loop/worker_pool.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace tend {

WorkerPool::WorkerPool(int threads, size_t max_queue)
    : max_queue_(std::max<size_t>(max_queue, 1)) {
  int n = std::max(threads, 1);
  threads_.reserve(n);
  for (int i = 0; i < n; ++i) threads_.emplace_back([this] { WorkerMain(); });
}

WorkerPool::~WorkerPool() { Shutdown(); }

bool WorkerPool::Submit(std::function<void()> fn) {
  {
    MutexLock lock(&mu_);
    if (shutting_down_ || queue_.size() >= max_queue_) return false;
    queue_.push_back(std::move(fn));
  }
  work_available_.Signal();
  return true;
}

void WorkerPool::Shutdown() {
  {
    MutexLock lock(&mu_);
    shutting_down_ = true;
  }
  work_available_.SignalAll();
  // call_once makes concurrent callers wait until the winner has joined.
  std::call_once(join_once_, [this] {
    for (std::thread& t : threads_) {
      assert(t.get_id() != std::this_thread::get_id() &&
             "WorkerPool::Shutdown called from one of its own tasks");
      t.join();
    }
  });
}

size_t WorkerPool::queued() const {
  MutexLock lock(&mu_);
  return queue_.size();
}

void WorkerPool::WorkerMain() {
  for (;;) {
    std::function<void()> task;
    {
      MutexLock lock(&mu_);
      while (queue_.empty() && !shutting_down_) work_available_.Wait(&mu_);
      // Shutting down with an empty queue: everything accepted has run.
      if (queue_.empty()) return;
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

}  // namespace tend
