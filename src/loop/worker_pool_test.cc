#include "loop/worker_pool.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "loop/event_loop.h"

namespace tend {
namespace {

using std::chrono::milliseconds;

// A one-shot gate tasks can wait on, with a bounded wait so a broken pool
// fails the test instead of hanging it.
class Gate {
 public:
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  bool Wait(milliseconds limit = milliseconds(2000)) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, limit, [this] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

TEST(WorkerPoolTest, RunsAllSubmittedTasks) {
  WorkerPool pool(4, 2000);
  EXPECT_EQ(pool.threads(), 4);
  std::atomic<int> ran{0};
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(pool.Submit([&] { ran.fetch_add(1); }));
  }
  pool.Shutdown();
  EXPECT_EQ(ran.load(), 1000);
  EXPECT_EQ(pool.queued(), 0u);
}

TEST(WorkerPoolTest, RefusesWhenQueueIsFull) {
  WorkerPool pool(1, 2);
  Gate started, release;
  std::atomic<int> ran{0};
  ASSERT_TRUE(pool.Submit([&] {
    started.Open();
    release.Wait();
    ran.fetch_add(1);
  }));
  ASSERT_TRUE(started.Wait());  // The running task no longer counts.
  EXPECT_TRUE(pool.Submit([&] { ran.fetch_add(1); }));
  EXPECT_TRUE(pool.Submit([&] { ran.fetch_add(1); }));
  EXPECT_EQ(pool.queued(), 2u);
  bool refused_ran = false;
  EXPECT_FALSE(pool.Submit([&] { refused_ran = true; }));
  EXPECT_EQ(pool.queued(), 2u);
  release.Open();
  pool.Shutdown();
  EXPECT_EQ(ran.load(), 3);
  EXPECT_FALSE(refused_ran);
}

TEST(WorkerPoolTest, ShutdownRunsEverythingQueued) {
  WorkerPool pool(1, 100);
  Gate release;
  std::vector<int> order;  // Written by the single worker only.
  ASSERT_TRUE(pool.Submit([&] { release.Wait(); }));
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(pool.Submit([&order, i] { order.push_back(i); }));
  }
  std::thread opener([&] {
    std::this_thread::sleep_for(milliseconds(20));
    release.Open();
  });
  pool.Shutdown();  // Blocks until the queue is drained.
  opener.join();
  ASSERT_EQ(order.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(order[i], i);  // FIFO start order.
}

TEST(WorkerPoolTest, SubmitAfterShutdownIsRefusedAndShutdownIsIdempotent) {
  WorkerPool pool(2, 10);
  pool.Shutdown();
  bool ran = false;
  EXPECT_FALSE(pool.Submit([&] { ran = true; }));
  pool.Shutdown();
  EXPECT_FALSE(ran);
}

TEST(WorkerPoolTest, ConcurrentShutdownsAllWaitForTheDrain) {
  WorkerPool pool(2, 100);
  std::atomic<int> ran{0};
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(pool.Submit([&] {
      std::this_thread::sleep_for(milliseconds(2));
      ran.fetch_add(1);
    }));
  }
  std::vector<std::thread> closers;
  std::atomic<int> saw_all{0};
  for (int i = 0; i < 3; ++i) {
    closers.emplace_back([&] {
      pool.Shutdown();
      if (ran.load() == 20) saw_all.fetch_add(1);
    });
  }
  for (std::thread& t : closers) t.join();
  EXPECT_EQ(saw_all.load(), 3);
}

TEST(WorkerPoolTest, TasksRunConcurrentlyOnSeparateThreads) {
  WorkerPool pool(3, 10);
  std::mutex mu;
  std::condition_variable cv;
  int arrived = 0;
  std::atomic<int> met{0};
  // Each task waits until all three are running at once: with fewer threads
  // than tasks this would time out.
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(pool.Submit([&] {
      std::unique_lock<std::mutex> lock(mu);
      ++arrived;
      cv.notify_all();
      if (cv.wait_for(lock, milliseconds(1500), [&] { return arrived == 3; })) {
        met.fetch_add(1);
      }
    }));
  }
  pool.Shutdown();
  EXPECT_EQ(met.load(), 3);
}

TEST(WorkerPoolTest, NonPositiveSizesAreClamped) {
  WorkerPool pool(0, 0);
  EXPECT_EQ(pool.threads(), 1);
  EXPECT_EQ(pool.max_queue(), 1u);
  std::atomic<bool> ran{false};
  ASSERT_TRUE(pool.Submit([&] { ran = true; }));
  pool.Shutdown();
  EXPECT_TRUE(ran.load());
}

TEST(WorkerPoolTest, DestructorDrainsQueue) {
  std::atomic<int> ran{0};
  {
    WorkerPool pool(2, 100);
    for (int i = 0; i < 30; ++i) {
      ASSERT_TRUE(pool.Submit([&] { ran.fetch_add(1); }));
    }
  }
  EXPECT_EQ(ran.load(), 30);
}

TEST(WorkerPoolTest, BlockingWorkReportsBackToTheLoop) {
  Result<std::unique_ptr<EventLoop>> created = EventLoop::Create();
  ASSERT_TRUE(created.ok());
  EventLoop* loop = created->get();
  WorkerPool pool(2, 10);
  int results = 0;  // Loop-thread state.
  bool on_loop_thread = true;
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(pool.Submit([loop, &results, &on_loop_thread] {
      std::this_thread::sleep_for(milliseconds(5));  // "Blocking work".
      loop->Post([loop, &results, &on_loop_thread] {
        on_loop_thread = on_loop_thread && loop->InLoopThread();
        if (++results == 4) loop->Stop();
      });
    }));
  }
  loop->AddTimer(1500 * kNanosPerMilli, 0, [loop] {
    ADD_FAILURE() << "results never arrived";
    loop->Stop();
  });
  ASSERT_TRUE(loop->Run().ok());
  pool.Shutdown();
  EXPECT_EQ(results, 4);
  EXPECT_TRUE(on_loop_thread);
}

}  // namespace
}  // namespace tend
