// The head with its WAL: replay, damage, checkpoints, failed writes and a
// real crash (SIGKILL) while committing.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bit>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "tsdb/head.h"
#include "tsdb/head_checkpoint.h"
#include "tsdb/head_replay.h"
#include "tsdb/head_test_util.h"

namespace tend {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;

std::unique_ptr<Head> OpenWal(const std::string& dir,
                              WalFsync fsync = WalFsync::kNever,
                              size_t segment_bytes = 128 << 20) {
  HeadOptions o;
  o.wal_dir = dir;
  o.wal.fsync = fsync;
  o.wal.segment_bytes = segment_bytes;
  auto h = Head::Open(o);
  EXPECT_TRUE(h.ok()) << h.status().ToString();
  return h.ok() ? std::move(h).value() : nullptr;
}

Labels SeriesLabels(int i) {
  return L({{"__name__", "m"}, {"i", std::to_string(i)}});
}

// Appends batch b: series 0..n-1 get (b * 1000, value(i, b)).
double Value(int i, int b) { return i * 1000.0 + b + 0.25; }

Status AppendBatch(Head* head, int b, int n) {
  auto app = head->NewAppender();
  for (int i = 0; i < n; ++i) {
    auto r = app->Append(0, SeriesLabels(i), b * 1000, Value(i, b));
    if (!r.ok()) return r.status();
  }
  return app->Commit();
}

// Checks every series 0..n-1 holds exactly batches 0..last.
void ExpectBatches(Head* head, int n, int last) {
  auto got = Query(head, {});
  ASSERT_EQ(got.size(), static_cast<size_t>(last >= 0 ? n : 0));
  for (const auto& s : got) {
    const int i = std::stoi(std::string(GetLabel(s.labels, "i")));
    ASSERT_EQ(s.points.size(), static_cast<size_t>(last + 1))
        << LabelsToString(s.labels);
    for (int b = 0; b <= last; ++b) {
      EXPECT_EQ(s.points[b], (Point{b * 1000, Value(i, b)}));
    }
  }
}

TEST(HeadWal, ReplayRestoresEveryCommittedSampleBitExactly) {
  TempDir tmp;
  const std::vector<double> values = {
      1.5,
      StaleNaN(),
      std::bit_cast<double>(uint64_t{0x7ff8dead0000beef}),
      -0.0,
      std::numeric_limits<double>::infinity(),
      -1e308,
      5e-324};
  {
    auto head = OpenWal(tmp.wal());
    ASSERT_NE(head, nullptr);
    auto app = head->NewAppender();
    for (size_t k = 0; k < values.size(); ++k) {
      ASSERT_TRUE(
          app->Append(0, L({{"__name__", "v"}}), 10 * k, values[k]).ok());
      ASSERT_TRUE(app->Commit().ok());
    }
    for (int b = 0; b < 300; ++b)
      ASSERT_TRUE(AppendBatch(head.get(), b, 20).ok());
    // An uncommitted batch is not logged.
    ASSERT_TRUE(app->Append(0, L({{"__name__", "never"}}), 1, 1).ok());
    app->Rollback();
    ASSERT_TRUE(head->Close().ok());
  }
  auto head = OpenWal(tmp.wal());
  ASSERT_NE(head, nullptr);
  auto got = Query(head.get(), {LabelMatcher::Equal("__name__", "v")});
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].points.size(), values.size());
  for (size_t k = 0; k < values.size(); ++k) {
    EXPECT_EQ(got[0].points[k].t, static_cast<int64_t>(10 * k));
    EXPECT_EQ(std::bit_cast<uint64_t>(got[0].points[k].v),
              std::bit_cast<uint64_t>(values[k]))
        << k;
  }
  EXPECT_TRUE(
      Query(head.get(), {LabelMatcher::Equal("__name__", "never")}).empty());
  auto m = Query(head.get(), {LabelMatcher::Equal("__name__", "m")});
  ASSERT_EQ(m.size(), 20u);
  for (const auto& s : m) EXPECT_EQ(s.points.size(), 300u);
  // New series after replay get fresh refs (no collision with replayed
  // ones), and appends continue where the log left off.
  ASSERT_TRUE(AppendBatch(head.get(), 300, 25).ok());
  EXPECT_EQ(head->stats().num_series, 26u);
  ASSERT_TRUE(head->Close().ok());
  auto again = OpenWal(tmp.wal());
  EXPECT_EQ(again->stats().num_series, 26u);
  EXPECT_EQ(again->stats().num_samples, 7u + 20 * 301 + 5);
}

TEST(HeadWal, TornTailLosesOnlyTheDamagedBatch) {
  TempDir tmp;
  {
    auto head = OpenWal(tmp.wal());
    for (int b = 0; b < 50; ++b)
      ASSERT_TRUE(AppendBatch(head.get(), b, 10).ok());
    ASSERT_TRUE(head->Close().ok());
  }
  auto segments = *ListWalSegments(tmp.wal());
  ASSERT_FALSE(segments.empty());
  char name[16];
  std::snprintf(name, sizeof name, "%08d", segments.back());
  const std::string seg = tmp.wal() + "/" + name;
  const auto size = fs::file_size(seg);
  fs::resize_file(seg, size - 5);  // Cut into the last samples record.
  {
    auto head = OpenWal(tmp.wal());
    ASSERT_NE(head, nullptr);
    ExpectBatches(head.get(), 10, 48);
    // The repaired WAL keeps working.
    ASSERT_TRUE(AppendBatch(head.get(), 49, 10).ok());
    ASSERT_TRUE(head->Close().ok());
  }
  auto head = OpenWal(tmp.wal());
  ExpectBatches(head.get(), 10, 49);
}

TEST(HeadWal, CheckpointThenMoreAppendsReplays) {
  TempDir tmp;
  {
    HeadOptions o;
    auto head = OpenWal(tmp.wal());
    for (int b = 0; b < 200; ++b)
      ASSERT_TRUE(AppendBatch(head.get(), b, 30).ok());
    // Series 30..39 only have old samples: the truncation removes them.
    auto app = head->NewAppender();
    for (int i = 30; i < 40; ++i) {
      ASSERT_TRUE(app->Append(0, SeriesLabels(i), 0, 1).ok());
    }
    ASSERT_TRUE(app->Commit().ok());
    ASSERT_TRUE(head->Truncate(0).ok());  // Nothing before 0: no-op.
    ASSERT_TRUE(head->Checkpoint(0).ok());
    ASSERT_TRUE(head->Truncate(150'000).ok());
    ASSERT_TRUE(head->Checkpoint(150'000).ok());
    for (int b = 200; b < 260; ++b) {
      ASSERT_TRUE(AppendBatch(head.get(), b, 30).ok());
    }
    ASSERT_TRUE(head->Close().ok());
  }
  // One checkpoint left, and only the segments after it.
  auto cps = *ListCheckpoints(tmp.wal());
  ASSERT_EQ(cps.numbers.size(), 1u);
  EXPECT_TRUE(cps.stale_tmp.empty());
  const std::vector<int> segments = *ListWalSegments(tmp.wal());
  for (int s : segments) EXPECT_GT(s, cps.numbers[0]);

  auto head = OpenWal(tmp.wal());
  ASSERT_NE(head, nullptr);
  auto got = Query(head.get(), {});
  ASSERT_EQ(got.size(), 30u);
  for (const auto& s : got) {
    const int i = std::stoi(std::string(GetLabel(s.labels, "i")));
    // Truncate kept whole chunks from 120 s (chunk boundaries every 120
    // samples); the checkpoint holds samples >= 150 s only.
    ASSERT_EQ(s.points.size(), 110u) << LabelsToString(s.labels);
    EXPECT_EQ(s.points.front(), (Point{150'000, Value(i, 150)}));
    EXPECT_EQ(s.points.back(), (Point{259'000, Value(i, 259)}));
  }
  // A leftover .tmp from a crashed checkpoint is ignored and removed.
  ASSERT_TRUE(head->Close().ok());
  head.reset();
  fs::create_directories(CheckpointPath(tmp.wal(), 999) + ".tmp");
  head = OpenWal(tmp.wal());
  EXPECT_EQ(Query(head.get(), {}).size(), 30u);
  EXPECT_FALSE(fs::exists(CheckpointPath(tmp.wal(), 999) + ".tmp"));
}

TEST(HeadWal, CheckpointNeedsAWalAndNoOpenBatch) {
  auto mem = std::move(Head::Open({})).value();
  EXPECT_EQ(mem->Checkpoint(0).code(), StatusCode::kFailedPrecondition);
  TempDir tmp;
  auto head = OpenWal(tmp.wal());
  auto app = head->NewAppender();
  ASSERT_TRUE(app->Append(0, SeriesLabels(1), 1, 1).ok());
  EXPECT_EQ(head->Checkpoint(0).code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_TRUE(head->Checkpoint(0).ok());
}

// A failed WAL write (here EFBIG from RLIMIT_FSIZE, standing in for
// ENOSPC) applies nothing of the batch and reports the error; the head keeps
// working once the disk has room.
TEST(HeadWal, FailedWalWriteAppliesNothing) {
  TempDir tmp;
  auto head = OpenWal(tmp.wal());
  ASSERT_TRUE(AppendBatch(head.get(), 0, 5).ok());
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  rlimit old_limit;
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  rlimit small = old_limit;
  small.rlim_cur = 4096;  // Below the batch that follows.
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  auto app = head->NewAppender();
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(app->Append(0, SeriesLabels(i), 1000, Value(i, 1)).ok());
  }
  Status st = app->Commit();
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &old_limit), 0);
  ::signal(SIGXFSZ, old_handler);
  EXPECT_FALSE(st.ok());
  EXPECT_THAT(st.message(), ::testing::HasSubstr("not committed"));
  EXPECT_EQ(head->stats().wal_errors, 1u);
  ExpectBatches(head.get(), 5, 0);  // Nothing of batch 1, no new series.
  EXPECT_EQ(head->stats().num_series, 5u);
  EXPECT_EQ(app->pending_samples(), 0u);
  ASSERT_TRUE(AppendBatch(head.get(), 1, 5).ok());
  ASSERT_TRUE(head->Close().ok());
  auto again = OpenWal(tmp.wal());
  ExpectBatches(again.get(), 5, 1);
}

TEST(HeadWal, UndecodableRecordsAreSkipped) {
  TempDir tmp;
  {
    auto head = OpenWal(tmp.wal());
    ASSERT_TRUE(AppendBatch(head.get(), 0, 3).ok());
    ASSERT_TRUE(head->Close().ok());
  }
  {
    // Valid frames, bad content: garbage, a samples record for an unknown
    // ref, a series record that conflicts with ref 1.
    auto w = std::move(WalWriter::Open(tmp.wal(), {})).value();
    std::vector<uint8_t> junk = {2, 0xff, 0xff};
    ASSERT_TRUE(w->Log(junk).ok());
    std::vector<uint8_t> buf;
    std::vector<RefSample> unknown = {{9999, 5, 1}};
    EncodeSamplesRecord(unknown, &buf);
    ASSERT_TRUE(w->Log(buf).ok());
    std::vector<RefSeries> conflict = {{1, L({{"other", "x"}})}};
    EncodeSeriesRecord(conflict, &buf);
    ASSERT_TRUE(w->Log(buf).ok());
    ASSERT_TRUE(w->Close().ok());
  }
  auto head = OpenWal(tmp.wal());
  ASSERT_NE(head, nullptr);
  ExpectBatches(head.get(), 3, 0);
  ASSERT_TRUE(AppendBatch(head.get(), 1, 3).ok());
  ExpectBatches(head.get(), 3, 1);
}

// Postings hold 32-bit refs: a series record with a larger ref is rejected
// (and its samples are unknown refs); the head keeps numbering below 2^32.
TEST(HeadWal, ReplayerRejectsRefsAbove32Bits) {
  auto head = std::move(Head::Open({})).value();
  HeadReplayer r(head.get());
  std::vector<uint8_t> buf;
  const SeriesRef big = Head::kMaxSeriesRef + 1;
  std::vector<RefSeries> series = {{big, L({{"a", "big"}})},
                                   {Head::kMaxSeriesRef - 1, L({{"a", "1"}})}};
  EncodeSeriesRecord(series, &buf);
  ASSERT_TRUE(r.Apply(buf).ok());
  EXPECT_EQ(r.counts().series, 1u);
  EXPECT_EQ(r.counts().series_rejected, 1u);
  std::vector<RefSample> samples = {{big, 10, 1},
                                    {Head::kMaxSeriesRef - 1, 10, 2}};
  EncodeSamplesRecord(samples, &buf);
  ASSERT_TRUE(r.Apply(buf).ok());
  EXPECT_EQ(r.counts().unknown_refs, 1u);
  EXPECT_EQ(r.counts().samples, 1u);
  // The next new series takes the last 32-bit ref; the one after fails.
  auto app = head->NewAppender();
  auto ref = app->Append(0, L({{"a", "2"}}), 20, 1);
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(*ref, Head::kMaxSeriesRef);
  auto over = app->Append(0, L({{"a", "3"}}), 20, 1);
  EXPECT_EQ(over.status().code(), StatusCode::kResourceExhausted);
  ASSERT_TRUE(app->Commit().ok());
  auto got = Query(head.get(), {});
  ASSERT_EQ(got.size(), 2u);
  EXPECT_THAT(got[0].points, ElementsAre(Point{10, 2}));
  EXPECT_THAT(got[1].points, ElementsAre(Point{20, 1}));
}

TEST(HeadWal, ReplayerAppliesRecordsAndRejectsGarbage) {
  auto head = std::move(Head::Open({})).value();
  HeadReplayer r(head.get());
  std::vector<uint8_t> buf;
  std::vector<RefSeries> series = {{5, L({{"a", "1"}})}, {6, L({{"a", "2"}})}};
  EncodeSeriesRecord(series, &buf);
  ASSERT_TRUE(r.Apply(buf).ok());
  // The same labels under a new ref (a series recreated after Truncate)
  // alias the existing series.
  std::vector<RefSeries> again = {{9, L({{"a", "1"}})}};
  EncodeSeriesRecord(again, &buf);
  ASSERT_TRUE(r.Apply(buf).ok());
  std::vector<RefSample> samples = {
      {5, 10, 1}, {9, 20, 2}, {6, 10, 3}, {6, 5, 4}, {77, 1, 1}};
  EncodeSamplesRecord(samples, &buf);
  ASSERT_TRUE(r.Apply(buf).ok());
  EXPECT_EQ(r.counts().samples, 3u);
  EXPECT_EQ(r.counts().samples_dropped, 1u);
  EXPECT_EQ(r.counts().unknown_refs, 1u);
  auto got = Query(head.get(), {});
  ASSERT_EQ(got.size(), 2u);
  EXPECT_THAT(got[0].points, ElementsAre(Point{10, 1}, Point{20, 2}));
  // A damaged chunk record changes nothing.
  XorChunk c;
  ASSERT_TRUE(c.Append(30, 1).ok());
  ASSERT_TRUE(c.Append(40, 2).ok());
  std::vector<uint8_t> bytes = c.bytes();
  bytes.pop_back();
  EncodeChunkRecord(5, bytes, &buf);
  Status st = r.Apply(buf);
  EXPECT_EQ(st.code(), StatusCode::kDataLoss);
  EXPECT_THAT(st.message(), ::testing::HasSubstr("chunk record"));
  EncodeChunkRecord(5, c.bytes(), &buf);
  ASSERT_TRUE(r.Apply(buf).ok());
  got = Query(head.get(), {});
  EXPECT_THAT(got[0].points, ElementsAre(Point{10, 1}, Point{20, 2},
                                         Point{30, 1}, Point{40, 2}));
  std::vector<uint8_t> bad = {7};
  EXPECT_EQ(r.Apply(bad).code(), StatusCode::kDataLoss);
  EXPECT_EQ(r.counts().bad_records, 2u);
}

// Child: commits batches with fsync kAlways and reports each committed
// batch number on `fd`; runs until killed.
[[noreturn]] void CommitForever(const std::string& dir, int fd) {
  HeadOptions o;
  o.wal_dir = dir;
  o.wal.fsync = WalFsync::kAlways;
  o.wal.segment_bytes = 64 << 10;  // Cross segment cuts too.
  auto head = Head::Open(o);
  if (!head.ok()) ::_exit(2);
  for (int b = 0;; ++b) {
    if (!AppendBatch(head->get(), b, 8).ok()) ::_exit(3);
    if (::write(fd, &b, sizeof b) != sizeof b) ::_exit(4);
  }
}

TEST(HeadWal, SurvivesKill9WithEveryReportedBatch) {
  std::mt19937 rng(std::random_device{}());
  for (int round = 0; round < 10; ++round) {
    TempDir tmp;
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      CommitForever(tmp.wal(), fds[1]);
    }
    ::close(fds[1]);
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 300));
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early: " << status;
    int last = -1, b;
    while (::read(fds[0], &b, sizeof b) == sizeof b) last = b;
    ::close(fds[0]);
    auto head = OpenWal(tmp.wal());
    ASSERT_NE(head, nullptr);
    // Every reported batch is there; the batch in flight may or may not
    // be, but nothing is partial or out of place.
    auto got = Query(head.get(), {});
    ASSERT_EQ(got.size(), last >= 0 ? 8u : got.size()) << "round " << round;
    for (const auto& s : got) {
      const int i = std::stoi(std::string(GetLabel(s.labels, "i")));
      ASSERT_GE(static_cast<int>(s.points.size()), last + 1)
          << "round " << round;
      ASSERT_LE(static_cast<int>(s.points.size()), last + 2);
      for (size_t k = 0; k < s.points.size(); ++k) {
        const int bk = static_cast<int>(k);
        ASSERT_EQ(s.points[k], (Point{bk * 1000, Value(i, bk)}));
      }
    }
    std::printf("round %d: killed after %d reported batches\n", round,
                last + 1);
  }
}

}  // namespace
}  // namespace tend

namespace tend {
namespace {

TEST(HeadReadOnlyTest, ReplaysWithoutWritingAndRefusesCommits) {
  char tmpl[] = "/tmp/tend-head-ro-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = std::string(tmpl) + "/wal";
  {
    HeadOptions o;
    o.wal_dir = dir;
    auto head = Head::Open(o);
    ASSERT_TRUE(head.ok());
    auto app = (*head)->NewAppender();
    ASSERT_TRUE(app->Append(0, {{"__name__", "m"}}, 1000, 1).ok());
    ASSERT_TRUE(app->Commit().ok());
    ASSERT_TRUE((*head)->Close().ok());
  }
  auto before = ListWalSegments(dir);
  ASSERT_TRUE(before.ok());
  HeadOptions o;
  o.wal_dir = dir;
  o.read_only = true;
  auto head = Head::Open(o);
  ASSERT_TRUE(head.ok());
  EXPECT_EQ((*head)->stats().num_samples, 1u);
  auto after = ListWalSegments(dir);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*before, *after);  // No new segment was started.
  auto app = (*head)->NewAppender();
  ASSERT_TRUE(app->Append(0, {{"__name__", "m"}}, 2000, 2).ok());
  EXPECT_EQ(app->Commit().code(), StatusCode::kFailedPrecondition);
  std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace tend
