// kill -9 of a writer at random points: every line of a Commit that
// returned is read back exactly once, and no commit is half there.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <thread>

#include "logs/store/log_store.h"
#include "logs/store/log_store_test_util.h"

namespace tend::logs {
namespace {

constexpr int kStreams = 3;
constexpr int kLinesPerStream = 40;

// Child: commits batch after batch (kAlways, small blocks and segments so
// blocks, pending records and rolls all happen) and reports each batch
// number on `fd` after its Commit returned. Runs until killed.
[[noreturn]] void CommitForever(const std::string& dir, int fd) {
  LogStoreOptions o;
  o.fsync = LogFsync::kAlways;
  o.block_bytes = 4 << 10;
  o.segment_bytes = 48 << 10;
  auto store = LogStore::Open(dir, o);
  if (!store.ok()) ::_exit(2);
  const auto lines = ReadLogLines("OpenSSH_2k.log");
  for (int b = 0;; ++b) {
    for (int s = 0; s < kStreams; ++s) {
      for (int i = 0; i < kLinesPerStream; ++i) {
        const std::string line = "b=" + std::to_string(b) +
                                 " i=" + std::to_string(i) + " " +
                                 lines[(b * 7 + i) % lines.size()];
        if (!(*store)
                 ->Append({{"s", std::to_string(s)}}, int64_t{b} * 1000 + i,
                          line)
                 .ok()) {
          ::_exit(3);
        }
      }
    }
    if (!(*store)->Commit(std::to_string(b)).ok()) ::_exit(4);
    if (::write(fd, &b, sizeof b) != sizeof b) ::_exit(5);
  }
}

TEST(LogStoreCrash, Kill9KeepsEveryCommittedLineExactlyOnce) {
  std::mt19937 rng(std::random_device{}());
  for (int round = 0; round < 12; ++round) {
    TempDir tmp;
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      CommitForever(tmp.path(), fds[1]);
    }
    ::close(fds[1]);
    std::this_thread::sleep_for(std::chrono::milliseconds(30 + rng() % 400));
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early: " << status;
    int last = -1, b;
    while (::read(fds[0], &b, sizeof b) == sizeof b) last = b;
    ::close(fds[0]);

    auto store = LogStore::Open(tmp.path(), LogStoreOptions{});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    // (stream, batch) -> lines seen, in order.
    std::map<std::pair<std::string, int>, std::vector<int>> seen;
    auto got = SelectAll(**store);
    for (const Entry& e : got) {
      ASSERT_NE(e.t, -1) << "read error in round " << round;
      // Lines are "b=<batch> i=<index>".
      int bb = -1, ii = -1;
      const size_t sp = e.line.find(" i=");
      ASSERT_TRUE(e.line.starts_with("b=") && sp != std::string::npos)
          << e.line;
      ASSERT_TRUE(
          std::from_chars(e.line.data() + 2, e.line.data() + sp, bb).ec ==
          std::errc());
      ASSERT_TRUE(std::from_chars(e.line.data() + sp + 3,
                                  e.line.data() + e.line.size(), ii)
                      .ec == std::errc());
      ASSERT_EQ(e.t, int64_t{bb} * 1000 + ii);
      seen[{std::string(GetLabel(e.labels, "s")), bb}].push_back(ii);
    }
    // The batch in flight may or may not be there, but whole.
    int top = -1;
    for (const auto& [k, v] : seen) top = std::max(top, k.second);
    ASSERT_LE(top, last + 1) << "round " << round;
    ASSERT_GE(top, last) << "round " << round;
    for (int bb = 0; bb <= top; ++bb) {
      for (int s = 0; s < kStreams; ++s) {
        const auto& v = seen[{std::to_string(s), bb}];
        ASSERT_EQ(v.size(), static_cast<size_t>(kLinesPerStream))
            << "round " << round << " batch " << bb << " stream " << s;
        for (int i = 0; i < kLinesPerStream; ++i) ASSERT_EQ(v[i], i);
      }
    }
    EXPECT_EQ((*store)->last_checkpoint(),
              top >= 0 ? std::to_string(top) : std::string());
    std::printf("round %d: killed after %d reported commits, %d stored\n",
                round, last + 1, top + 1);
  }
}

}  // namespace
}  // namespace tend::logs
