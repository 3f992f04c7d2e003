// Clang thread-safety annotations and an annotated mutex.
//
// Under Clang with -Wthread-safety the compiler checks that members marked
// GUARDED_BY(mu_) are only touched with mu_ held; under GCC the macros expand
// to nothing. std::mutex carries no annotations in libstdc++, so shared state
// is guarded by tend::Mutex (a thin wrapper) and waited on with tend::CondVar.
#ifndef TEND_BASE_THREAD_ANNOTATIONS_H_
#define TEND_BASE_THREAD_ANNOTATIONS_H_

#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define TEND_THREAD_ANNOTATION_(x) __attribute__((x))
#else
#define TEND_THREAD_ANNOTATION_(x)
#endif

#define CAPABILITY(x) TEND_THREAD_ANNOTATION_(capability(x))
#define SCOPED_CAPABILITY TEND_THREAD_ANNOTATION_(scoped_lockable)
#define GUARDED_BY(x) TEND_THREAD_ANNOTATION_(guarded_by(x))
#define PT_GUARDED_BY(x) TEND_THREAD_ANNOTATION_(pt_guarded_by(x))
#define REQUIRES(...) TEND_THREAD_ANNOTATION_(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) TEND_THREAD_ANNOTATION_(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) TEND_THREAD_ANNOTATION_(acquire_capability(__VA_ARGS__))
#define RELEASE(...) TEND_THREAD_ANNOTATION_(release_capability(__VA_ARGS__))
#define NO_THREAD_SAFETY_ANALYSIS \
  TEND_THREAD_ANNOTATION_(no_thread_safety_analysis)

namespace tend {

// A non-recursive mutex the analysis understands.
class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }

 private:
  friend class CondVar;
  std::mutex mu_;
};

// Holds a Mutex for the lifetime of the scope.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() RELEASE() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

// A condition variable bound to a tend::Mutex at each Wait.
class CondVar {
 public:
  // Atomically releases *mu, blocks until notified (or spuriously woken),
  // and re-acquires *mu before returning. Callers loop on their predicate.
  void Wait(Mutex* mu) REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();  // Still held; ownership stays with the caller.
  }
  void Signal() { cv_.notify_one(); }
  void SignalAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace tend

#endif  // TEND_BASE_THREAD_ANNOTATIONS_H_
