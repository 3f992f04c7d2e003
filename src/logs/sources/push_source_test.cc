#include "logs/sources/push_source.h"

#include <gtest/gtest.h>
#include <poll.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace tend::logs {
namespace {

struct Collected {
  std::string app, stream, line;
  int64_t t = 0;
};

class Sink : public EntrySink {
 public:
  void Add(const SourceEntry& e) override {
    ASSERT_NE(e.record, nullptr);
    const std::string* stream = e.record->fields.Find("stream");
    got.push_back({e.record->app, stream ? *stream : "", std::string(e.line),
                   e.record->time_ns});
  }
  std::vector<Collected> got;
};

bool Readable(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, timeout_ms) == 1;
}

TEST(PushSourceTest, LinesBecomeRecordsInOrder) {
  auto src = PushSource::Create("supervise");
  ASSERT_TRUE(src.ok());
  EXPECT_FALSE(Readable((*src)->wait_fd(), 0));
  ASSERT_TRUE((*src)->Push("api", "stdout", "listening on :8080", 100));
  ASSERT_TRUE((*src)->Push("api", "stderr", "warning: slow", 200));
  EXPECT_TRUE(Readable((*src)->wait_fd(), 0));
  Sink sink;
  Result<size_t> n = (*src)->Poll(sink, 1 << 20);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2u);
  ASSERT_EQ(sink.got.size(), 2u);
  EXPECT_EQ(sink.got[0].app, "api");
  EXPECT_EQ(sink.got[0].stream, "stdout");
  EXPECT_EQ(sink.got[0].line, "listening on :8080");
  EXPECT_EQ(sink.got[1].stream, "stderr");
  EXPECT_EQ(sink.got[1].t, 200);
  EXPECT_EQ((*src)->stats().entries, 2u);
  EXPECT_EQ((*src)->Checkpoint(), "");
}

TEST(PushSourceTest, PollStopsNearMaxBytesAndComesBack) {
  auto src = PushSource::Create("supervise");
  ASSERT_TRUE(src.ok());
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE((*src)->Push("p", "stdout", std::string(100, 'a' + i), i));
  }
  Sink sink;
  ASSERT_EQ(*(*src)->Poll(sink, 250), 3u);      // 100+100+100 >= 250.
  EXPECT_TRUE(Readable((*src)->wait_fd(), 0));  // More is waiting.
  ASSERT_EQ(*(*src)->Poll(sink, 1 << 20), 7u);
  ASSERT_EQ(sink.got.size(), 10u);
  EXPECT_EQ(sink.got[9].line, std::string(100, 'j'));
}

// A full queue makes producers wait, never drops: every line arrives once,
// in order per producer.
TEST(PushSourceTest, FullQueueBlocksProducersWithoutLoss) {
  auto made = PushSource::Create("supervise", /*max_queued_bytes=*/64);
  ASSERT_TRUE(made.ok());
  PushSource* src = made->get();
  constexpr int kLines = 5000;
  std::atomic<bool> done{false};
  std::thread producer([&] {
    for (int i = 0; i < kLines; ++i) {
      ASSERT_TRUE(src->Push("p", "stdout", std::to_string(i), i));
    }
    done = true;
  });
  Sink sink;
  while (!done || sink.got.size() < kLines) {
    Readable(src->wait_fd(), 10);
    ASSERT_TRUE(src->Poll(sink, 1 << 20).ok());
  }
  producer.join();
  ASSERT_EQ(sink.got.size(), static_cast<size_t>(kLines));
  for (int i = 0; i < kLines; ++i) {
    ASSERT_EQ(sink.got[i].line, std::to_string(i));
  }
}

TEST(PushSourceTest, CloseWakesAWaitingProducer) {
  auto made = PushSource::Create("supervise", 4);
  ASSERT_TRUE(made.ok());
  PushSource* src = made->get();
  ASSERT_TRUE(src->Push("p", "stdout", "1234", 1));  // Full now.
  std::atomic<int> result{-1};
  std::thread producer(
      [&] { result = src->Push("p", "stdout", "more", 2) ? 1 : 0; });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(result.load(), -1);  // Still waiting.
  src->Close();
  producer.join();
  EXPECT_EQ(result.load(), 0);
  EXPECT_FALSE(src->Push("p", "stdout", "x", 3));
}

}  // namespace
}  // namespace tend::logs
