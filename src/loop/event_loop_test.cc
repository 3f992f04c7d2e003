#include "loop/event_loop.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace tend {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using ::testing::ElementsAre;

constexpr int64_t kMs = kNanosPerMilli;

std::unique_ptr<EventLoop> NewLoop(Clock* clock = Clock::Real()) {
  Result<std::unique_ptr<EventLoop>> loop = EventLoop::Create(clock);
  EXPECT_TRUE(loop.ok()) << loop.status().ToString();
  return loop.ok() ? std::move(loop).value() : nullptr;
}

// Stops a real-clock loop that a broken test would leave running forever.
void AddWatchdog(EventLoop* loop) {
  loop->AddTimer(1500 * kMs, 0, [loop] {
    ADD_FAILURE() << "watchdog fired: the loop was never stopped";
    loop->Stop();
  });
}

class Pipe {
 public:
  Pipe() {
    int fds[2];
    EXPECT_EQ(pipe2(fds, O_CLOEXEC | O_NONBLOCK), 0);
    read_fd = fds[0];
    write_fd = fds[1];
  }
  ~Pipe() {
    close(read_fd);
    close(write_fd);
  }
  void Write(const std::string& s) const {
    EXPECT_EQ(write(write_fd, s.data(), s.size()),
              static_cast<ssize_t>(s.size()));
  }
  std::string ReadAll() const {
    std::string out;
    char buf[256];
    ssize_t n;
    while ((n = read(read_fd, buf, sizeof(buf))) > 0) out.append(buf, n);
    return out;
  }
  int read_fd = -1;
  int write_fd = -1;
};

TEST(EventLoopTest, CreateRejectsNullClock) {
  Result<std::unique_ptr<EventLoop>> loop = EventLoop::Create(nullptr);
  ASSERT_FALSE(loop.ok());
  EXPECT_EQ(loop.status().code(), StatusCode::kInvalidArgument);
}

TEST(EventLoopTest, PostedClosuresRunInOrderOnTheLoopThread) {
  auto loop = NewLoop();
  ASSERT_NE(loop, nullptr);
  EXPECT_FALSE(loop->InLoopThread());
  std::vector<int> order;
  std::thread::id ran_on;
  bool in_loop = false;
  for (int i = 0; i < 100; ++i) {
    loop->Post([&, i] {
      order.push_back(i);
      ran_on = std::this_thread::get_id();
      in_loop = loop->InLoopThread();
    });
  }
  loop->Post([&] { loop->Stop(); });
  std::thread runner([&] { EXPECT_TRUE(loop->Run().ok()); });
  std::thread::id runner_id = runner.get_id();
  runner.join();
  ASSERT_EQ(order.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(order[i], i);
  EXPECT_EQ(ran_on, runner_id);
  EXPECT_TRUE(in_loop);
  EXPECT_FALSE(loop->InLoopThread());
}

TEST(EventLoopTest, ManyPostsFromManyThreadsKeepPerThreadOrder) {
  auto loop = NewLoop();
  ASSERT_NE(loop, nullptr);
  AddWatchdog(loop.get());
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20000;
  std::vector<std::vector<int>> seen(kThreads);  // Loop thread only.
  std::thread runner([&] { EXPECT_TRUE(loop->Run().ok()); });
  std::vector<std::thread> producers;
  for (int t = 0; t < kThreads; ++t) {
    producers.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        loop->Post([&seen, t, i] { seen[t].push_back(i); });
      }
    });
  }
  for (std::thread& p : producers) p.join();
  loop->Post([&] { loop->Stop(); });  // FIFO: runs after every post above.
  runner.join();
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(seen[t].size(), static_cast<size_t>(kPerThread));
    for (int i = 0; i < kPerThread; ++i) ASSERT_EQ(seen[t][i], i);
  }
}

TEST(EventLoopTest, SelfRepostingClosureDoesNotStarveFdEvents) {
  auto loop = NewLoop();
  ASSERT_NE(loop, nullptr);
  AddWatchdog(loop.get());
  Pipe pipe;
  pipe.Write("x");
  std::vector<std::string> order;
  bool fd_seen = false;
  int reposts = 0;
  ASSERT_TRUE(loop->WatchFd(pipe.read_fd, EPOLLIN,
                            [&](uint32_t) {
                              order.push_back("fd");
                              fd_seen = true;
                              pipe.ReadAll();
                            })
                  .ok());
  std::function<void()> again = [&] {
    order.push_back("post");
    ++reposts;
    if (fd_seen) {
      loop->Stop();
    } else {
      loop->Post(again);
    }
  };
  loop->Post(again);
  ASSERT_TRUE(loop->Run().ok());
  // The closure posted from the loop thread waits for the next iteration,
  // after the fd event that was already pending.
  EXPECT_THAT(order, ElementsAre("post", "fd", "post"));
  EXPECT_EQ(reposts, 2);
}

TEST(EventLoopTest, StopFromAnotherThread) {
  auto loop = NewLoop();
  ASSERT_NE(loop, nullptr);
  std::atomic<bool> returned{false};
  Status status = InternalError("not run");
  std::thread runner([&] {
    status = loop->Run();
    returned = true;
  });
  std::this_thread::sleep_for(milliseconds(30));
  EXPECT_FALSE(returned.load());
  auto start = steady_clock::now();
  loop->Stop();
  runner.join();
  EXPECT_LT(steady_clock::now() - start, milliseconds(500));
  EXPECT_TRUE(status.ok()) << status.ToString();
}

TEST(EventLoopTest, StopBeforeRunIsConsumedByThatRun) {
  auto loop = NewLoop();
  ASSERT_NE(loop, nullptr);
  loop->Stop();
  auto start = steady_clock::now();
  EXPECT_TRUE(loop->Run().ok());
  EXPECT_LT(steady_clock::now() - start, milliseconds(200));
  // The next Run is not stopped by the old Stop.
  bool timer_ran = false;
  loop->AddTimer(20 * kMs, 0, [&] {
    timer_ran = true;
    loop->Stop();
  });
  AddWatchdog(loop.get());
  EXPECT_TRUE(loop->Run().ok());
  EXPECT_TRUE(timer_ran);
}

TEST(EventLoopTest, StopKeepsRemainingPostsForNextRun) {
  auto loop = NewLoop();
  ASSERT_NE(loop, nullptr);
  std::vector<int> order;
  loop->Post([&] { order.push_back(1); });
  loop->Post([&] {
    order.push_back(2);
    loop->Stop();
  });
  loop->Post([&] { order.push_back(3); });
  loop->Post([&] {
    order.push_back(4);
    loop->Stop();
  });
  ASSERT_TRUE(loop->Run().ok());
  EXPECT_THAT(order, ElementsAre(1, 2));
  AddWatchdog(loop.get());
  ASSERT_TRUE(loop->Run().ok());
  EXPECT_THAT(order, ElementsAre(1, 2, 3, 4));
}

TEST(EventLoopTest, RunWhileRunningFails) {
  auto loop = NewLoop();
  ASSERT_NE(loop, nullptr);
  Status nested;
  loop->Post([&] {
    nested = loop->Run();
    loop->Stop();
  });
  ASSERT_TRUE(loop->Run().ok());
  EXPECT_EQ(nested.code(), StatusCode::kFailedPrecondition);
}

TEST(EventLoopTest, OneShotTimerFiresOnceAfterDelay) {
  auto loop = NewLoop();
  ASSERT_NE(loop, nullptr);
  AddWatchdog(loop.get());
  int fired = 0;
  steady_clock::duration elapsed{};
  auto start = steady_clock::now();
  EventLoop::TimerId id = loop->AddTimer(30 * kMs, 0, [&] {
    ++fired;
    elapsed = steady_clock::now() - start;
  });
  EXPECT_NE(id, 0u);
  loop->AddTimer(120 * kMs, 0, [&] { loop->Stop(); });
  ASSERT_TRUE(loop->Run().ok());
  EXPECT_EQ(fired, 1);
  EXPECT_GE(elapsed, milliseconds(30));
  EXPECT_LT(elapsed, milliseconds(120));
}

TEST(EventLoopTest, TimersWithEqualDeadlinesFireInAddOrder) {
  FakeClock clock;
  auto loop = NewLoop(&clock);
  ASSERT_NE(loop, nullptr);
  std::vector<int> order;
  for (int i = 0; i < 5; ++i) {
    loop->AddTimer(10 * kMs, 0, [&, i] { order.push_back(i); });
  }
  loop->AddTimer(5 * kMs, 0, [&] { order.push_back(-1); });
  clock.Advance(10 * kMs);
  loop->Post([&] { loop->Post([&] { loop->Stop(); }); });
  ASSERT_TRUE(loop->Run().ok());
  EXPECT_THAT(order, ElementsAre(-1, 0, 1, 2, 3, 4));
}

TEST(EventLoopTest, PeriodicTimerKeepsCadence) {
  auto loop = NewLoop();
  ASSERT_NE(loop, nullptr);
  AddWatchdog(loop.get());
  std::vector<int64_t> fire_ms;
  auto start = steady_clock::now();
  loop->AddTimer(20 * kMs, 20 * kMs, [&] {
    fire_ms.push_back(
        std::chrono::duration_cast<milliseconds>(steady_clock::now() - start)
            .count());
    if (fire_ms.size() == 10) loop->Stop();
  });
  ASSERT_TRUE(loop->Run().ok());
  ASSERT_EQ(fire_ms.size(), 10u);
  for (size_t k = 0; k < fire_ms.size(); ++k) {
    // Never early; deadlines are absolute, so lateness does not accumulate.
    EXPECT_GE(fire_ms[k], static_cast<int64_t>(20 * (k + 1))) << "tick " << k;
  }
  EXPECT_LT(fire_ms.back(), 200 + 60);
}

// Drives a FakeClock loop on the calling thread: each step advances time by
// `step_ns` inside a posted closure, so every due timer fires in the same
// iteration, then reposts itself; Stop after `steps`.
void DriveFakeClock(EventLoop* loop, FakeClock* clock, int64_t step_ns,
                    int steps) {
  auto remaining = std::make_shared<int>(steps);
  auto step = std::make_shared<std::function<void()>>();
  *step = [=] {
    if ((*remaining)-- == 0) {
      loop->Stop();
      return;
    }
    clock->Advance(step_ns);
    loop->Post(*step);
  };
  loop->Post(*step);
  EXPECT_TRUE(loop->Run().ok());
  *step = nullptr;  // Breaks the self-reference.
}

TEST(EventLoopTest, SlowPeriodicCallbackSkipsMissedTicksWithoutDrift) {
  FakeClock clock;
  auto loop = NewLoop(&clock);
  ASSERT_NE(loop, nullptr);
  const int64_t t0 = clock.MonotonicNanos();
  std::vector<int64_t> fired_at_ms;
  loop->AddTimer(100 * kMs, 100 * kMs, [&] {
    fired_at_ms.push_back((clock.MonotonicNanos() - t0) / kMs);
    // The third tick takes 250 ms: the ticks at 400 and 500 are missed.
    if (fired_at_ms.size() == 3) clock.Advance(250 * kMs);
  });
  DriveFakeClock(loop.get(), &clock, 10 * kMs, 100);  // 1 s plus the 250 ms.
  // No burst of catch-up ticks at 550, and the phase stays on multiples of
  // 100 ms (a drifting timer would fire at 650, 750, ...).
  EXPECT_THAT(fired_at_ms,
              ElementsAre(100, 200, 300, 600, 700, 800, 900, 1000, 1100, 1200));
}

TEST(EventLoopTest, SlowPeriodicCallbackRealClock) {
  auto loop = NewLoop();
  ASSERT_NE(loop, nullptr);
  AddWatchdog(loop.get());
  int fired = 0;
  auto start = steady_clock::now();
  loop->AddTimer(50 * kMs, 50 * kMs, [&] {
    // The third tick (due at 150 ms) runs until 275 ms: the ticks at 200
    // and 250 are skipped, the next ones come at 300, 350, 400. Sleeping to
    // an absolute time keeps a late start from shifting the end.
    if (++fired == 3) std::this_thread::sleep_until(start + milliseconds(275));
  });
  loop->AddTimer(425 * kMs, 0, [&] { loop->Stop(); });
  ASSERT_TRUE(loop->Run().ok());
  // Catch-up bursts would give 8 ticks; rescheduling from "now" (drift)
  // would give 5 (325, 375).
  EXPECT_EQ(fired, 6);
}

TEST(EventLoopTest, CancelPeriodicTimerFromItsOwnCallback) {
  auto loop = NewLoop();
  ASSERT_NE(loop, nullptr);
  AddWatchdog(loop.get());
  int fired = 0;
  EventLoop::TimerId id = 0;
  id = loop->AddTimer(5 * kMs, 5 * kMs, [&] {
    if (++fired == 3) loop->CancelTimer(id);
  });
  loop->AddTimer(60 * kMs, 0, [&] { loop->Stop(); });
  ASSERT_TRUE(loop->Run().ok());
  EXPECT_EQ(fired, 3);
}

TEST(EventLoopTest, CancelTimerDueInSameIteration) {
  FakeClock clock;
  auto loop = NewLoop(&clock);
  ASSERT_NE(loop, nullptr);
  bool second_ran = false;
  EventLoop::TimerId second = 0;
  loop->AddTimer(10 * kMs, 0, [&] { loop->CancelTimer(second); });
  second = loop->AddTimer(10 * kMs, 0, [&] { second_ran = true; });
  loop->CancelTimer(12345);  // Unknown ids are ignored.
  DriveFakeClock(loop.get(), &clock, 10 * kMs, 3);
  EXPECT_FALSE(second_ran);
}

TEST(EventLoopTest, TimerAddedWithZeroDelayFromCallbackRunsNextIteration) {
  FakeClock clock;
  auto loop = NewLoop(&clock);
  ASSERT_NE(loop, nullptr);
  std::vector<std::string> order;
  loop->AddTimer(0, 0, [&] {
    order.push_back("first");
    loop->AddTimer(0, 0, [&] { order.push_back("added"); });
    loop->Post([&] { order.push_back("posted"); });
  });
  DriveFakeClock(loop.get(), &clock, 0, 3);
  EXPECT_THAT(order, ElementsAre("first", "posted", "added"));
}

TEST(EventLoopTest, FdReadinessFromAnotherThread) {
  auto loop = NewLoop();
  ASSERT_NE(loop, nullptr);
  AddWatchdog(loop.get());
  Pipe pipe;
  std::string got;
  uint32_t events = 0;
  ASSERT_TRUE(loop->WatchFd(pipe.read_fd, EPOLLIN,
                            [&](uint32_t ev) {
                              events = ev;
                              got += pipe.ReadAll();
                              if (got == "ping") loop->Stop();
                            })
                  .ok());
  std::thread writer([&] {
    std::this_thread::sleep_for(milliseconds(20));
    pipe.Write("ping");
  });
  ASSERT_TRUE(loop->Run().ok());
  writer.join();
  EXPECT_EQ(got, "ping");
  EXPECT_TRUE(events & EPOLLIN);
}

TEST(EventLoopTest, UnwatchFromOwnCallbackStopsFurtherCalls) {
  auto loop = NewLoop();
  ASSERT_NE(loop, nullptr);
  AddWatchdog(loop.get());
  Pipe pipe;
  pipe.Write("stays readable");  // Level-triggered: ready on every wait.
  int calls = 0;
  ASSERT_TRUE(loop->WatchFd(pipe.read_fd, EPOLLIN,
                            [&](uint32_t) {
                              ++calls;
                              loop->UnwatchFd(pipe.read_fd);
                            })
                  .ok());
  loop->AddTimer(30 * kMs, 0, [&] { loop->Stop(); });
  ASSERT_TRUE(loop->Run().ok());
  EXPECT_EQ(calls, 1);
  // The fd can be watched again afterwards.
  EXPECT_TRUE(loop->WatchFd(pipe.read_fd, EPOLLIN, [](uint32_t) {}).ok());
}

TEST(EventLoopTest, UnwatchOtherFdReadyInSameIteration) {
  auto loop = NewLoop();
  ASSERT_NE(loop, nullptr);
  AddWatchdog(loop.get());
  Pipe a, b;
  a.Write("a");
  b.Write("b");
  int calls = 0;
  ASSERT_TRUE(loop->WatchFd(a.read_fd, EPOLLIN,
                            [&](uint32_t) {
                              ++calls;
                              loop->UnwatchFd(a.read_fd);
                              loop->UnwatchFd(b.read_fd);
                            })
                  .ok());
  ASSERT_TRUE(loop->WatchFd(b.read_fd, EPOLLIN,
                            [&](uint32_t) {
                              ++calls;
                              loop->UnwatchFd(a.read_fd);
                              loop->UnwatchFd(b.read_fd);
                            })
                  .ok());
  loop->AddTimer(30 * kMs, 0, [&] { loop->Stop(); });
  ASSERT_TRUE(loop->Run().ok());
  EXPECT_EQ(calls, 1);
}

TEST(EventLoopTest, ModifyFdChangesInterest) {
  auto loop = NewLoop();
  ASSERT_NE(loop, nullptr);
  AddWatchdog(loop.get());
  Pipe pipe;
  int calls = 0;
  // Interested in nothing yet: the writable pipe must not call back.
  ASSERT_TRUE(loop->WatchFd(pipe.write_fd, 0,
                            [&](uint32_t ev) {
                              ++calls;
                              EXPECT_TRUE(ev & EPOLLOUT);
                              loop->UnwatchFd(pipe.write_fd);
                              loop->Stop();
                            })
                  .ok());
  loop->AddTimer(30 * kMs, 0, [&] {
    EXPECT_EQ(calls, 0);
    EXPECT_TRUE(loop->ModifyFd(pipe.write_fd, EPOLLOUT).ok());
  });
  ASSERT_TRUE(loop->Run().ok());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(loop->ModifyFd(pipe.write_fd, EPOLLIN).code(),
            StatusCode::kNotFound);
}

TEST(EventLoopTest, WatchFdErrors) {
  auto loop = NewLoop();
  ASSERT_NE(loop, nullptr);
  Pipe pipe;
  EXPECT_EQ(loop->WatchFd(-1, EPOLLIN, [](uint32_t) {}).code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE(loop->WatchFd(pipe.read_fd, EPOLLIN, [](uint32_t) {}).ok());
  Status dup = loop->WatchFd(pipe.read_fd, EPOLLIN, [](uint32_t) {});
  EXPECT_EQ(dup.code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(dup.message(), ::testing::HasSubstr("already watched"));
  int file = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(file, 0);
  // Regular files cannot be polled: epoll_ctl fails with EPERM.
  EXPECT_FALSE(loop->WatchFd(file, EPOLLIN, [](uint32_t) {}).ok());
  close(file);
  loop->UnwatchFd(12345);  // Unknown fds are ignored.
}

TEST(EventLoopTest, RaisedSignalReachesCallback) {
  ASSERT_TRUE(BlockSignals({SIGHUP, SIGTERM, SIGINT}).ok());
  auto loop = NewLoop();
  ASSERT_NE(loop, nullptr);
  AddWatchdog(loop.get());
  int hups = 0;
  ASSERT_TRUE(loop->WatchSignal(SIGHUP,
                                [&] {
                                  ++hups;
                                  EXPECT_TRUE(loop->InLoopThread());
                                  loop->Stop();
                                })
                  .ok());
  ASSERT_EQ(raise(SIGHUP), 0);  // Blocked, so it waits in the signalfd.
  ASSERT_TRUE(loop->Run().ok());
  EXPECT_EQ(hups, 1);
}

TEST(EventLoopTest, SignalRaisedWhileRunning) {
  auto loop = NewLoop();
  ASSERT_NE(loop, nullptr);
  AddWatchdog(loop.get());
  std::vector<int> got;
  ASSERT_TRUE(loop->WatchSignal(SIGUSR1, [&] { got.push_back(SIGUSR1); }).ok());
  ASSERT_TRUE(loop->WatchSignal(SIGUSR2,
                                [&] {
                                  got.push_back(SIGUSR2);
                                  loop->Stop();
                                })
                  .ok());
  loop->AddTimer(10 * kMs, 0, [] { raise(SIGUSR1); });
  loop->AddTimer(20 * kMs, 0, [] { raise(SIGUSR2); });
  ASSERT_TRUE(loop->Run().ok());
  EXPECT_THAT(got, ElementsAre(SIGUSR1, SIGUSR2));
}

TEST(EventLoopTest, ProcessDirectedSignalFromAnotherThread) {
  // Blocked before any thread starts, as main() does, so the signal stays
  // pending for the process until the loop's signalfd reads it.
  ASSERT_TRUE(BlockSignals({SIGTERM}).ok());
  auto loop = NewLoop();
  ASSERT_NE(loop, nullptr);
  AddWatchdog(loop.get());
  int terms = 0;
  ASSERT_TRUE(loop->WatchSignal(SIGTERM,
                                [&] {
                                  ++terms;
                                  loop->Stop();
                                })
                  .ok());
  std::thread sender([] {
    std::this_thread::sleep_for(milliseconds(20));
    kill(getpid(), SIGTERM);
  });
  ASSERT_TRUE(loop->Run().ok());
  sender.join();
  EXPECT_EQ(terms, 1);
}

TEST(EventLoopTest, SignalErrors) {
  auto loop = NewLoop();
  ASSERT_NE(loop, nullptr);
  EXPECT_EQ(loop->WatchSignal(SIGKILL, [] {}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(loop->WatchSignal(0, [] {}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(loop->WatchSignal(NSIG + 5, [] {}).code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE(loop->WatchSignal(SIGUSR1, [] {}).ok());
  EXPECT_EQ(loop->WatchSignal(SIGUSR1, [] {}).code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(BlockSignals({SIGHUP, SIGSTOP}).code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tend
