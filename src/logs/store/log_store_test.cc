#include "logs/store/log_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <thread>

#include "logs/store/log_store_test_util.h"

namespace tend::logs {
namespace {

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kBase = 1'700'000'000 * kSec;

const char* kFiles[] = {"Apache_2k.log", "Linux_2k.log", "OpenSSH_2k.log"};

Labels StreamOf(int f) {
  return {{"host", "web1"}, {"source", std::string(kFiles[f]).substr(0, 5)}};
}

// The three loghub files, line i of file f at kBase + i s + f ms: their
// lines interleave in time.
std::vector<Entry> LoghubEntries() {
  std::vector<Entry> out;
  for (int f = 0; f < 3; ++f) {
    const auto lines = ReadLogLines(kFiles[f]);
    EXPECT_EQ(lines.size(), 2000u) << kFiles[f];
    for (size_t i = 0; i < lines.size(); ++i) {
      out.push_back({StreamOf(f),
                     kBase + static_cast<int64_t>(i) * kSec + f * 1'000'000,
                     lines[i]});
    }
  }
  return out;
}

std::vector<Entry> SortedByTime(std::vector<Entry> v) {
  std::stable_sort(v.begin(), v.end(), [](const Entry& a, const Entry& b) {
    if (a.t != b.t) return a.t < b.t;
    return CompareLabels(a.labels, b.labels) < 0;
  });
  return v;
}

LogStoreOptions SmallBlocks() {
  LogStoreOptions o;
  o.fsync = LogFsync::kNever;
  o.block_bytes = 8 << 10;
  return o;
}

Status AppendAll(LogStore& s, const std::vector<Entry>& es,
                 size_t commit_every) {
  for (size_t i = 0; i < es.size(); ++i) {
    RETURN_IF_ERROR(s.Append(es[i].labels, es[i].t, es[i].line));
    if ((i + 1) % commit_every == 0) RETURN_IF_ERROR(s.Commit());
  }
  return s.Commit();
}

TEST(LogStore, LoghubRoundTripsInTimeOrderAndAfterReopen) {
  TempDir tmp;
  const auto entries = LoghubEntries();
  const auto want = SortedByTime(entries);
  {
    auto store = LogStore::Open(tmp.path(), SmallBlocks());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE(AppendAll(**store, entries, 333).ok());
    EXPECT_EQ(SelectAll(**store), want);
    auto st = (*store)->stats();
    EXPECT_EQ(st.lines_committed, 6000u);
    EXPECT_GT(st.blocks, 30u);
    EXPECT_EQ(st.streams, 3u);
    ASSERT_TRUE((*store)->Close().ok());
  }
  auto store = LogStore::Open(tmp.path(), SmallBlocks());
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(SelectAll(**store), want);
  // Backward is the exact reverse (no equal times here).
  auto back = SelectAll(**store, {}, Direction::kBackward);
  std::reverse(back.begin(), back.end());
  EXPECT_EQ(back, want);
}

TEST(LogStore, MatchersTimeRangeAndLimit) {
  TempDir tmp;
  auto store = LogStore::Open(tmp.path(), SmallBlocks());
  ASSERT_TRUE(store.ok());
  const auto entries = LoghubEntries();
  ASSERT_TRUE(AppendAll(**store, entries, 1000).ok());
  Matchers ms = {LabelMatcher::Equal("source", "OpenS")};
  auto got = SelectAll(**store, ms);
  ASSERT_EQ(got.size(), 2000u);
  EXPECT_EQ(got[0].line, ReadLogLines("OpenSSH_2k.log")[0]);
  // Time range is inclusive at both ends.
  const int64_t lo = kBase + 100 * kSec, hi = kBase + 199 * kSec + 2'000'000;
  auto it = (*store)->Select(ms, lo, hi, Direction::kForward, 0, {});
  ASSERT_TRUE(it.ok());
  got = Drain(**it);
  ASSERT_EQ(got.size(), 100u);
  EXPECT_EQ(got.front().t, lo + 2'000'000);
  EXPECT_GT((*it)->stats().skipped_by_time, 0u);
  // Backward with a limit gives the newest lines.
  it = (*store)->Select({}, INT64_MIN, INT64_MAX, Direction::kBackward, 5, {});
  ASSERT_TRUE(it.ok());
  got = Drain(**it);
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0].t, kBase + 1999 * kSec + 2'000'000);
  EXPECT_EQ(got[1].t, kBase + 1999 * kSec + 1'000'000);
  // Label index.
  EXPECT_THAT((*store)->LabelNames(INT64_MIN, INT64_MAX),
              testing::ElementsAre("host", "source"));
  EXPECT_THAT((*store)->LabelValues("source", {}, INT64_MIN, INT64_MAX),
              testing::ElementsAre("Apach", "Linux", "OpenS"));
  auto re = LabelMatcher::Create(LabelMatcher::Type::kRegexMatch, "source",
                                 "L.*|O.*");
  ASSERT_TRUE(re.ok());
  EXPECT_THAT((*store)->LabelValues("source", {*re}, INT64_MIN, INT64_MAX),
              testing::ElementsAre("Linux", "OpenS"));
  EXPECT_EQ((*store)->Streams({*re}, INT64_MIN, INT64_MAX).size(), 2u);
  EXPECT_TRUE((*store)->Streams({}, 0, kBase - 1).empty());
  EXPECT_TRUE((*store)->LabelNames(kBase + 3000 * kSec, INT64_MAX).empty());
}

TEST(LogStore, BloomSkipsBlocksAndKeepsEveryMatch) {
  TempDir tmp;
  auto store = LogStore::Open(tmp.path(), SmallBlocks());
  ASSERT_TRUE(store.ok());
  const auto entries = LoghubEntries();
  ASSERT_TRUE(AppendAll(**store, entries, 6000).ok());
  for (const std::string needle : {"Failed password", "authentication failure",
                                   "jk2_init()", " 22 ", "PAM service(sshd)"}) {
    size_t want = 0;
    for (const Entry& e : entries)
      want += e.line.find(needle) != std::string::npos;
    ASSERT_GT(want, 0u) << needle;
    const std::string req[] = {needle};
    auto it =
        (*store)->Select({}, INT64_MIN, INT64_MAX, Direction::kForward, 0, req);
    ASSERT_TRUE(it.ok());
    size_t got = 0, all = 0;
    while ((*it)->Next()) {
      ++all;
      got += (*it)->line().find(needle) != std::string_view::npos;
    }
    EXPECT_TRUE((*it)->status().ok());
    EXPECT_EQ(got, want) << needle;
    const SelectStats& st = (*it)->stats();
    EXPECT_GT(st.skipped_by_bloom, 0u) << needle;
    EXPECT_LT(all, entries.size()) << needle;
    EXPECT_EQ(st.blocks_read + st.skipped_by_bloom + st.skipped_by_time,
              st.blocks_considered);
  }
}

TEST(LogStore, OutOfOrderLinesAreKeptInArrivalOrderPerStream) {
  TempDir tmp;
  auto store = LogStore::Open(tmp.path(), SmallBlocks());
  ASSERT_TRUE(store.ok());
  const Labels s = {{"app", "x"}};
  ASSERT_TRUE((*store)->Append(s, 300, "c").ok());
  ASSERT_TRUE((*store)->Append(s, 100, "a").ok());
  ASSERT_TRUE((*store)->Append(s, 300, "d").ok());
  ASSERT_TRUE((*store)->Append(s, 200, "b").ok());
  ASSERT_TRUE((*store)->Commit().ok());
  ASSERT_TRUE((*store)->Append(s, 50, "old").ok());
  ASSERT_TRUE((*store)->Commit().ok());
  std::vector<std::string> lines;
  for (const auto& e : SelectAll(**store)) lines.push_back(e.line);
  EXPECT_THAT(lines, testing::ElementsAre("old", "a", "b", "c", "d"));
  lines.clear();
  for (const auto& e : SelectAll(**store, {}, Direction::kBackward)) {
    lines.push_back(e.line);
  }
  EXPECT_THAT(lines, testing::ElementsAre("d", "c", "b", "a", "old"));
}

TEST(LogStore, UncommittedLinesAreInvisibleAndDiscardedOnClose) {
  TempDir tmp;
  const Labels s = {{"app", "x"}};
  {
    auto store = LogStore::Open(tmp.path(), SmallBlocks());
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Append(s, 1, "kept").ok());
    ASSERT_TRUE((*store)->Commit("cp1").ok());
    ASSERT_TRUE((*store)->Append(s, 2, "not committed").ok());
    EXPECT_EQ(SelectAll(**store).size(), 1u);
  }
  auto store = LogStore::Open(tmp.path(), SmallBlocks());
  ASSERT_TRUE(store.ok());
  auto got = SelectAll(**store);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].line, "kept");
  EXPECT_EQ((*store)->last_checkpoint(), "cp1");
}

TEST(LogStore, RefusesBadInput) {
  TempDir tmp;
  LogStoreOptions o = SmallBlocks();
  o.max_line_bytes = 10;
  auto store = LogStore::Open(tmp.path(), o);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->Append({{"b", "1"}, {"a", "1"}}, 1, "x").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ((*store)->Append({}, 1, "x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*store)->Append({{"a", "1"}}, 1, "01234567890").code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE((*store)->Commit().ok());
  EXPECT_TRUE(SelectAll(**store).empty());
}

// Cutting the active segment anywhere after a commit keeps exactly the
// lines of the commits that are whole: a partial commit never shows.
TEST(LogStore, EveryTruncationPointRecoversWholeCommits) {
  TempDir tmp;
  const auto entries = LoghubEntries();
  std::vector<Entry> first(entries.begin(), entries.begin() + 300);
  std::vector<Entry> second(entries.begin() + 2000, entries.begin() + 2300);
  uint64_t size1 = 0, size2 = 0;
  const std::string seg = tmp.path() + "/00000000.seg";
  {
    auto store = LogStore::Open(tmp.path(), SmallBlocks());
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE(AppendAll(**store, first, 1000).ok());
    size1 = std::filesystem::file_size(seg);
    ASSERT_TRUE(AppendAll(**store, second, 1000).ok());
    size2 = std::filesystem::file_size(seg);
  }
  ASSERT_GT(size2, size1);
  std::string bytes(size2, '\0');
  {
    std::ifstream in(seg, std::ios::binary);
    in.read(bytes.data(), static_cast<long>(size2));
  }
  const auto want1 = SortedByTime(first);
  auto both = first;
  both.insert(both.end(), second.begin(), second.end());
  const auto want2 = SortedByTime(both);
  for (uint64_t cut = size1; cut <= size2; cut += 97) {
    {
      std::ofstream out(seg, std::ios::binary | std::ios::trunc);
      out.write(bytes.data(), static_cast<long>(cut));
    }
    auto store = LogStore::Open(tmp.path(), SmallBlocks());
    ASSERT_TRUE(store.ok());
    EXPECT_EQ(SelectAll(**store), want1) << "cut " << cut;
    EXPECT_EQ(std::filesystem::file_size(seg), size1) << "cut " << cut;
  }
  // Garbage after the last commit is cut off too; flipped bits in the last
  // commit drop that commit.
  {
    std::ofstream out(seg, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<long>(size2));
    out.write("garbage!garbage!garbage!", 24);
  }
  {
    auto store = LogStore::Open(tmp.path(), SmallBlocks());
    ASSERT_TRUE(store.ok());
    EXPECT_EQ(SelectAll(**store), want2);
  }
  EXPECT_EQ(std::filesystem::file_size(seg), size2);
  bytes[size2 - 30] ^= 0x40;
  {
    std::ofstream out(seg, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<long>(size2));
  }
  auto store = LogStore::Open(tmp.path(), SmallBlocks());
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(SelectAll(**store), want1);
}

TEST(LogStore, SegmentsRollAndReopenReadsEachLineOnce) {
  TempDir tmp;
  LogStoreOptions o = SmallBlocks();
  o.segment_bytes = 16 << 10;
  const auto entries = LoghubEntries();
  const auto want = SortedByTime(entries);
  {
    auto store = LogStore::Open(tmp.path(), o);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE(AppendAll(**store, entries, 77).ok());
    EXPECT_GT((*store)->stats().segments, 4u);
    EXPECT_EQ(SelectAll(**store), want);
  }
  auto store = LogStore::Open(tmp.path(), o);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(SelectAll(**store), want);
  // Appending after reopen continues the active segment.
  ASSERT_TRUE((*store)->Append(StreamOf(0), kBase + 5000 * kSec, "new").ok());
  ASSERT_TRUE((*store)->Commit().ok());
  auto got = SelectAll(**store);
  ASSERT_EQ(got.size(), want.size() + 1);
  EXPECT_EQ(got.back().line, "new");
}

TEST(LogStore, RetentionByTimeAndSize) {
  TempDir tmp;
  FakeClock clock(kBase + 10'000 * kSec);
  LogStoreOptions o = SmallBlocks();
  o.segment_bytes = 16 << 10;
  o.clock = &clock;
  auto store = LogStore::Open(tmp.path(), o);
  ASSERT_TRUE(store.ok());
  // In time order, as a live host writes them.
  ASSERT_TRUE(AppendAll(**store, SortedByTime(LoghubEntries()), 100).ok());
  const auto before = (*store)->stats();
  ASSERT_GT(before.segments, 4u);
  // Nothing is older than 3 h: nothing goes.
  (*store).reset();
  o.retention_time_ns = 3 * 3600 * kSec;
  store = LogStore::Open(tmp.path(), o);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->EnforceRetention().ok());
  EXPECT_EQ((*store)->stats().segments, before.segments);
  // Lines are 0..1999 s after kBase; now is kBase + 10000 s. Keep 9000 s:
  // segments wholly before kBase + 1000 s go.
  (*store).reset();
  o.retention_time_ns = 9000 * kSec;
  store = LogStore::Open(tmp.path(), o);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->EnforceRetention().ok());
  auto got = SelectAll(**store);
  ASSERT_FALSE(got.empty());
  EXPECT_LT(got.size(), 6000u);
  size_t recent = 0;
  for (const auto& e : got) recent += e.t >= kBase + 1000 * kSec;
  EXPECT_EQ(recent, 3000u);
  // The newest lines are still all there.
  EXPECT_EQ(got.back().t, kBase + 1999 * kSec + 2'000'000);
  // Size: at most 64 KiB (plus the active segment, never deleted).
  (*store).reset();
  o.retention_time_ns = 0;
  o.retention_bytes = 64 << 10;
  store = LogStore::Open(tmp.path(), o);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->EnforceRetention().ok());
  EXPECT_LE((*store)->stats().disk_bytes, (64u << 10) + (40u << 10));
  size_t files = 0;
  for (const auto& f : std::filesystem::directory_iterator(tmp.path())) {
    files += f.path().extension() == ".seg";
  }
  EXPECT_EQ(files, (*store)->stats().segments);
}

TEST(LogStore, ReadersRunConcurrentlyWithTheWriter) {
  TempDir tmp;
  LogStoreOptions o = SmallBlocks();
  o.segment_bytes = 64 << 10;
  auto store = LogStore::Open(tmp.path(), o);
  ASSERT_TRUE(store.ok());
  const auto entries = LoghubEntries();
  std::atomic<bool> done = false;
  std::atomic<size_t> committed = 0;
  std::thread reader([&] {
    size_t last = 0;
    while (!done) {
      const size_t floor = committed.load();
      auto got = SelectAll(**store);
      EXPECT_GE(got.size(), floor);
      EXPECT_GE(got.size(), last);
      EXPECT_TRUE(got.empty() || got.back().t != -1);
      last = got.size();
      (*store)->LabelValues("source", {}, INT64_MIN, INT64_MAX);
    }
  });
  for (size_t i = 0; i < entries.size(); ++i) {
    ASSERT_TRUE((*store)
                    ->Append(entries[i].labels, entries[i].t, entries[i].line)
                    .ok());
    if (i % 250 == 249) {
      ASSERT_TRUE((*store)->Commit().ok());
      committed = i + 1;
    }
  }
  done = true;
  reader.join();
  EXPECT_EQ(SelectAll(**store).size(), entries.size());
}

}  // namespace
}  // namespace tend::logs
