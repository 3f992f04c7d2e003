#include "metrics/filesystem_statfs.h"

#include <condition_variable>
#include <functional>
#include <mutex>
#include <system_error>
#include <unordered_set>
#include <utility>

#include "base/log.h"

namespace tend {

// What every helper and this object share. Co-owned by all of them, so it
// lives as long as the longest-lived (possibly abandoned) helper.
struct TimedStatFs::Shared {
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const {
      return std::hash<std::string_view>()(s);
    }
  };

  std::mutex mu;
  // Signalled (under mu) whenever a helper exits.
  std::condition_variable exited;
  // Keys whose call timed out and has not returned. Guarded by mu.
  std::unordered_set<std::string, Hash, std::equal_to<>> stuck;
  // Helper threads alive. Guarded by mu.
  int live = 0;
};

// One helper thread's mailbox. Co-owned by the thread and, until it abandons
// or stops the helper, by TimedStatFs. Every field is guarded by shared->mu.
struct TimedStatFs::Helper {
  Helper(std::shared_ptr<Shared> s, Env* e) : shared(std::move(s)), env(e) {}

  const std::shared_ptr<Shared> shared;
  Env* const env;
  // Signalled when a request is posted, an answer is ready, or quit is set.
  std::condition_variable cv;
  bool has_request = false;
  bool has_answer = false;
  // Nobody waits for this helper's answer any more: it clears its key from
  // the stuck set when its call returns, then exits.
  bool abandoned = false;
  bool quit = false;  // Exit when idle.
  std::string key;
  std::string path;
  Status status;
  FsStats stats;
};

void TimedStatFs::HelperMain(std::shared_ptr<Helper> helper) {
  Helper& h = *helper;
  Shared& s = *h.shared;
  std::string key;
  std::string path;
  bool recovered = false;
  std::unique_lock<std::mutex> lock(s.mu);
  for (;;) {
    h.cv.wait(lock, [&h] { return h.has_request || h.quit; });
    if (!h.has_request) break;
    key = h.key;
    path = h.path;
    lock.unlock();
    Result<FsStats> result = h.env->StatFs(path);
    lock.lock();
    h.has_request = false;
    if (h.abandoned) {
      s.stuck.erase(key);
      recovered = true;
      break;
    }
    if (result.ok()) {
      h.status = Status::Ok();
      h.stats = *result;
    } else {
      h.status = result.status();
    }
    h.has_answer = true;
    h.cv.notify_all();
  }
  --s.live;
  s.exited.notify_all();
  lock.unlock();
  if (recovered) {
    LogInfo("statfs returned after its timeout; mount is no longer stuck",
            {{"mountpoint", key}});
  }
  // `helper` (and with it possibly the shared state) is released on return,
  // after the mutex was unlocked above.
}

TimedStatFs::TimedStatFs(Env* env)
    : env_(env), shared_(std::make_shared<Shared>()) {}

TimedStatFs::~TimedStatFs() {
  if (current_ == nullptr) return;
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    current_->quit = true;
    current_->cv.notify_all();
  }
  // The current helper is idle: every Stat() either got its answer or
  // abandoned the helper. So this join is short.
  current_thread_.join();
}

void TimedStatFs::Stat(const std::string& key, const std::string& path,
                       std::chrono::milliseconds timeout, Answer* answer) {
  answer->status = Status::Ok();
  std::unique_lock<std::mutex> lock(shared_->mu);
  if (shared_->stuck.contains(key)) {
    answer->outcome = Outcome::kStuck;
    return;
  }
  if (current_ == nullptr) {
    auto helper = std::make_shared<Helper>(shared_, env_);
    try {
      current_thread_ = std::thread(&TimedStatFs::HelperMain, helper);
    } catch (const std::system_error& e) {
      answer->outcome = Outcome::kDone;
      answer->status = ResourceExhaustedError(
          "statfs " + path + ": cannot start helper thread: " + e.what());
      return;
    }
    ++shared_->live;
    current_ = std::move(helper);
  }
  Helper& h = *current_;
  h.key = key;
  h.path = path;
  h.has_request = true;
  h.has_answer = false;
  h.cv.notify_all();
  if (h.cv.wait_for(lock, timeout, [&h] { return h.has_answer; })) {
    h.has_answer = false;
    answer->outcome = Outcome::kDone;
    answer->status = std::move(h.status);
    answer->stats = h.stats;
    return;
  }
  h.abandoned = true;
  shared_->stuck.insert(key);
  lock.unlock();
  current_thread_.detach();
  current_.reset();
  answer->outcome = Outcome::kTimedOut;
  LogWarn("statfs timed out; mount marked stuck until the call returns",
          {{"mountpoint", key},
           {"path", path},
           {"timeout_ms", static_cast<long long>(timeout.count())}});
}

bool TimedStatFs::IsStuck(std::string_view key) const {
  std::lock_guard<std::mutex> lock(shared_->mu);
  return shared_->stuck.find(key) != shared_->stuck.end();
}

int TimedStatFs::LiveHelpers() const {
  std::lock_guard<std::mutex> lock(shared_->mu);
  return shared_->live;
}

bool TimedStatFs::WaitForLiveHelpers(int n,
                                     std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(shared_->mu);
  return shared_->exited.wait_for(lock, timeout,
                                  [&] { return shared_->live <= n; });
}

}  // namespace tend
