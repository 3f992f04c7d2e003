// TimedStatFs: Env::StatFs with a deadline, for the filesystem collector.
//
// statvfs() on a dead NFS (or FUSE, CIFS, ...) mount blocks in the kernel
// until the server answers, possibly forever, and cannot be interrupted. The
// collection cycle runs every second and must never hang on it.
//
// Design
// ------
// The calls run on a helper thread owned by this object; the caller waits
// for each answer at most `timeout`.
//
//  * One helper serves every call of every cycle while calls return in
//    time: no thread is created per mount or per cycle.
//  * When a call times out, its key (the mount point) is marked stuck and
//    the helper is abandoned: it is detached and keeps waiting in the kernel.
//    The next call starts a fresh helper, so the rest of this cycle and the
//    next cycles never wait behind the blocked one.
//  * A stuck key is answered kStuck at once, without any call, until the
//    blocked call returns. The abandoned helper then clears the key (so the
//    mount is stat'ed normally by the next cycle) and exits. At most one
//    call per key can be blocked, so the number of threads is bounded by
//    the number of mounts that are stuck at the same time, plus one.
//  * The state the helpers share with this object (the mutex, the stuck
//    set, each helper's mailbox) lives in reference-counted blocks that every
//    helper co-owns, so an abandoned helper may outlive this object safely.
//    The destructor joins only the current helper, which is idle between
//    calls, and therefore never waits on a blocked call.
//
// Contract for the Env: it must outlive every call it is running, including
// the blocked ones of abandoned helpers (Env::Default() is never freed; a
// test's fake Env must release its blocked calls before it is destroyed).
//
// Threads: Stat() and the destructor are called from one thread (the
// collection worker); IsStuck(), LiveHelpers() and WaitForLiveHelpers() from
// any thread.
#ifndef TEND_METRICS_FILESYSTEM_STATFS_H_
#define TEND_METRICS_FILESYSTEM_STATFS_H_

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "base/env.h"
#include "base/status.h"

namespace tend {

class TimedStatFs {
 public:
  enum class Outcome {
    kDone,      // The call returned in time: see status and stats.
    kTimedOut,  // The call is still running; the key is now stuck.
    kStuck,     // An earlier call for the key is still blocked; no call made.
  };
  struct Answer {
    Outcome outcome = Outcome::kDone;
    Status status;  // The call's status when kDone.
    FsStats stats;  // Valid when kDone and status is OK.
  };

  explicit TimedStatFs(Env* env);
  ~TimedStatFs();
  TimedStatFs(const TimedStatFs&) = delete;
  TimedStatFs& operator=(const TimedStatFs&) = delete;

  // Runs env->StatFs(path) on the helper, waiting at most `timeout`, unless
  // `key` is stuck. Never blocks longer than `timeout` (plus scheduling).
  void Stat(const std::string& key, const std::string& path,
            std::chrono::milliseconds timeout, Answer* answer);

  // Whether a call for `key` timed out and has not returned yet.
  bool IsStuck(std::string_view key) const;

  // Helper threads alive now: the current one (if started) plus abandoned
  // ones still blocked in a call.
  int LiveHelpers() const;

  // Waits until at most `n` helpers are alive or `timeout` passes; returns
  // whether the count was reached. For tests and orderly shutdown.
  bool WaitForLiveHelpers(int n, std::chrono::milliseconds timeout) const;

 private:
  struct Shared;
  struct Helper;
  static void HelperMain(std::shared_ptr<Helper> helper);

  Env* const env_;
  const std::shared_ptr<Shared> shared_;
  // The helper serving calls now; null before the first call and after an
  // abandonment. Only touched by the calling thread.
  std::shared_ptr<Helper> current_;
  std::thread current_thread_;
};

}  // namespace tend

#endif  // TEND_METRICS_FILESYSTEM_STATFS_H_
