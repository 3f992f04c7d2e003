#include "metrics/filesystem_statfs.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace tend {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using Outcome = TimedStatFs::Outcome;

// An Env whose StatFs blocks on chosen paths until Release(), answers
// "/denied" with kPermissionDenied and everything else with a size derived
// from the path length.
class BlockingEnv : public Env {
 public:
  void Block(const std::string& path) {
    std::lock_guard<std::mutex> l(mu_);
    blocked_.insert(path);
  }
  void Release(const std::string& path) {
    std::lock_guard<std::mutex> l(mu_);
    blocked_.erase(path);
    cv_.notify_all();
  }
  int calls() {
    std::lock_guard<std::mutex> l(mu_);
    return calls_;
  }
  int returned() {
    std::lock_guard<std::mutex> l(mu_);
    return returned_;
  }

  Result<FsStats> StatFs(const std::string& path) override {
    std::unique_lock<std::mutex> l(mu_);
    ++calls_;
    cv_.wait(l, [&] { return !blocked_.contains(path); });
    ++returned_;
    if (path == "/denied") return PermissionDeniedError(path + ": denied");
    FsStats s;
    s.block_size = 4096;
    s.blocks = path.size();
    return s;
  }

  Status ReadFile(const std::string&, std::string*) override {
    return UnimplementedError("ReadFile");
  }
  Status ListDir(const std::string&, std::vector<std::string>*) override {
    return UnimplementedError("ListDir");
  }
  Result<uint64_t> CountDirEntries(const std::string&) override {
    return UnimplementedError("CountDirEntries");
  }
  Result<std::string> ReadLink(const std::string&) override {
    return UnimplementedError("ReadLink");
  }
  Result<FileTimes> Stat(const std::string&) override {
    return UnimplementedError("Stat");
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::set<std::string> blocked_;
  int calls_ = 0;
  int returned_ = 0;
};

// Threads of this process, from /proc/self/task.
uint64_t ThreadCount() {
  Result<uint64_t> n = Env::Default()->CountDirEntries("/proc/self/task");
  EXPECT_TRUE(n.ok()) << n.status().ToString();
  return n.value_or(0);
}

bool WaitForThreadCount(uint64_t want, milliseconds timeout) {
  auto deadline = steady_clock::now() + timeout;
  while (steady_clock::now() < deadline) {
    if (ThreadCount() == want) return true;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return ThreadCount() == want;
}

TEST(TimedStatFsTest, AnswersThroughOneReusedHelper) {
  BlockingEnv env;
  TimedStatFs statfs(&env);
  EXPECT_EQ(statfs.LiveHelpers(), 0);
  TimedStatFs::Answer a;
  for (int i = 0; i < 50; ++i) {
    statfs.Stat("/mnt/a", "/mnt/a", milliseconds(5000), &a);
    ASSERT_EQ(a.outcome, Outcome::kDone);
    ASSERT_TRUE(a.status.ok()) << a.status.ToString();
    EXPECT_EQ(a.stats.blocks, 6u);
  }
  statfs.Stat("/denied", "/denied", milliseconds(5000), &a);
  EXPECT_EQ(a.outcome, Outcome::kDone);
  EXPECT_EQ(a.status.code(), StatusCode::kPermissionDenied);
  statfs.Stat("/mnt/a", "/mnt/a", milliseconds(5000), &a);
  EXPECT_TRUE(a.status.ok()) << "an error must not stick to later answers";
  EXPECT_EQ(statfs.LiveHelpers(), 1);
  EXPECT_EQ(env.calls(), 52);
}

TEST(TimedStatFsTest, TimeoutMarksStuckAndMovesOnToAFreshHelper) {
  BlockingEnv env;
  env.Block("/mnt/dead");
  {
    TimedStatFs statfs(&env);
    TimedStatFs::Answer a;
    auto start = steady_clock::now();
    statfs.Stat("/mnt/dead", "/mnt/dead", milliseconds(100), &a);
    auto waited = steady_clock::now() - start;
    EXPECT_EQ(a.outcome, Outcome::kTimedOut);
    EXPECT_GE(waited, milliseconds(100));
    EXPECT_LT(waited, milliseconds(2000));
    EXPECT_TRUE(statfs.IsStuck("/mnt/dead"));

    // The stuck key is answered at once, without another call.
    start = steady_clock::now();
    statfs.Stat("/mnt/dead", "/mnt/dead", milliseconds(100), &a);
    EXPECT_EQ(a.outcome, Outcome::kStuck);
    EXPECT_LT(steady_clock::now() - start, milliseconds(50));
    EXPECT_EQ(env.calls(), 1);

    // Other keys are served by a new helper, without waiting.
    start = steady_clock::now();
    statfs.Stat("/mnt/ok", "/mnt/ok", milliseconds(5000), &a);
    EXPECT_EQ(a.outcome, Outcome::kDone);
    EXPECT_TRUE(a.status.ok());
    EXPECT_LT(steady_clock::now() - start, milliseconds(1000));
    EXPECT_EQ(statfs.LiveHelpers(), 2);

    // Once the blocked call returns, the key is cleared and its helper exits.
    env.Release("/mnt/dead");
    EXPECT_TRUE(statfs.WaitForLiveHelpers(1, milliseconds(5000)));
    EXPECT_FALSE(statfs.IsStuck("/mnt/dead"));
    statfs.Stat("/mnt/dead", "/mnt/dead", milliseconds(5000), &a);
    EXPECT_EQ(a.outcome, Outcome::kDone);
    EXPECT_TRUE(a.status.ok());
    EXPECT_EQ(a.stats.blocks, 9u);
    EXPECT_EQ(statfs.LiveHelpers(), 1);
  }
}

TEST(TimedStatFsTest, SeveralStuckMountsEachGetTheirOwnHelper) {
  BlockingEnv env;
  env.Block("/a");
  env.Block("/b");
  TimedStatFs statfs(&env);
  TimedStatFs::Answer a;
  statfs.Stat("/a", "/a", milliseconds(50), &a);
  EXPECT_EQ(a.outcome, Outcome::kTimedOut);
  statfs.Stat("/b", "/b", milliseconds(50), &a);
  EXPECT_EQ(a.outcome, Outcome::kTimedOut);
  statfs.Stat("/c", "/c", milliseconds(5000), &a);
  EXPECT_EQ(a.outcome, Outcome::kDone);
  EXPECT_EQ(statfs.LiveHelpers(), 3);
  // A second cycle: no new threads, no waiting.
  statfs.Stat("/a", "/a", milliseconds(50), &a);
  EXPECT_EQ(a.outcome, Outcome::kStuck);
  statfs.Stat("/b", "/b", milliseconds(50), &a);
  EXPECT_EQ(a.outcome, Outcome::kStuck);
  EXPECT_EQ(statfs.LiveHelpers(), 3);
  env.Release("/b");
  EXPECT_TRUE(statfs.WaitForLiveHelpers(2, milliseconds(5000)));
  EXPECT_TRUE(statfs.IsStuck("/a"));
  EXPECT_FALSE(statfs.IsStuck("/b"));
  env.Release("/a");
  EXPECT_TRUE(statfs.WaitForLiveHelpers(1, milliseconds(5000)));
}

TEST(TimedStatFsTest, DestructorDoesNotWaitForABlockedCallAndLeaksNoThread) {
  const uint64_t threads_before = ThreadCount();
  BlockingEnv env;  // Outlives the abandoned helper, as the contract says.
  env.Block("/mnt/dead");
  auto statfs = std::make_unique<TimedStatFs>(&env);
  TimedStatFs::Answer a;
  statfs->Stat("/mnt/ok", "/mnt/ok", milliseconds(5000), &a);
  ASSERT_EQ(a.outcome, Outcome::kDone);
  statfs->Stat("/mnt/dead", "/mnt/dead", milliseconds(50), &a);
  ASSERT_EQ(a.outcome, Outcome::kTimedOut);
  statfs->Stat("/mnt/ok", "/mnt/ok", milliseconds(5000), &a);
  ASSERT_EQ(a.outcome, Outcome::kDone);
  EXPECT_EQ(ThreadCount(), threads_before + 2);

  auto start = steady_clock::now();
  statfs.reset();  // With the call on /mnt/dead still blocked.
  EXPECT_LT(steady_clock::now() - start, milliseconds(1000));
  EXPECT_EQ(env.returned(), 2);
  // The idle helper was joined; the blocked one is alive until its call
  // returns, then exits on its own.
  EXPECT_EQ(ThreadCount(), threads_before + 1);
  env.Release("/mnt/dead");
  EXPECT_TRUE(WaitForThreadCount(threads_before, milliseconds(5000)));
  EXPECT_EQ(env.returned(), 3);
}

}  // namespace
}  // namespace tend
