#include "tsdb/wal.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "base/log.h"

namespace tend {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

using Bytes = std::vector<uint8_t>;

constexpr size_t kPage = 32 * 1024;
constexpr size_t kHeader = 8;

class TempDir {
 public:
  TempDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/walXXXXXX";
    char* made = ::mkdtemp(tmpl.data());
    EXPECT_NE(made, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string wal() const { return path_ + "/wal"; }
  std::string segment(int n) const {
    char name[16];
    std::snprintf(name, sizeof name, "/%08d", n);
    return wal() + name;
  }

 private:
  std::string path_;
};

Bytes MakeRecord(size_t n, uint32_t seed) {
  Bytes b(n);
  std::mt19937 rng(seed);
  for (auto& x : b) x = static_cast<uint8_t>(rng());
  return b;
}

Bytes ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)),
               std::istreambuf_iterator<char>());
}

void WriteBytes(const std::string& path, const Bytes& b) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(b.data()),
            static_cast<std::streamsize>(b.size()));
}

uint64_t FileSize(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return 0;
  return static_cast<uint64_t>(st.st_size);
}

struct ReadResult {
  std::vector<Bytes> records;
  std::vector<int> segments;  // Of each record.
  std::optional<WalCorruption> corruption;
  Status status;
};

ReadResult ReadAll(const std::string& dir, int first = 0) {
  ReadResult r;
  auto reader = WalReader::Open(dir, first);
  if (!reader.ok()) {
    r.status = reader.status();
    return r;
  }
  while ((*reader)->Next()) {
    auto rec = (*reader)->record();
    r.records.emplace_back(rec.begin(), rec.end());
    r.segments.push_back((*reader)->segment());
  }
  if ((*reader)->corruption()) r.corruption = *(*reader)->corruption();
  r.status = (*reader)->status();
  return r;
}

std::unique_ptr<WalWriter> OpenWriter(const std::string& dir,
                                      WalOptions options = {}) {
  auto w = WalWriter::Open(dir, options);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  return w.ok() ? std::move(*w) : nullptr;
}

WalOptions NoSync() {
  WalOptions o;
  o.fsync = WalFsync::kNever;
  return o;
}

// Silences the repair warnings and keeps the last one.
class WalTest : public ::testing::Test {
 protected:
  WalTest() {
    SetLogSinkForTesting(
        [this](std::string_view line) { last_log_ = std::string(line); });
  }
  ~WalTest() override { SetLogSinkForTesting(nullptr); }
  TempDir tmp_;
  std::string last_log_;
};

TEST_F(WalTest, GoldenBytes) {
  auto w = OpenWriter(tmp_.wal(), NoSync());
  ASSERT_NE(w, nullptr);
  const Bytes abc = {'a', 'b', 'c'};
  ASSERT_TRUE(w->Log(abc).ok());
  ASSERT_TRUE(w->Log({}).ok());
  EXPECT_EQ(w->bytes_written(), 25u);
  ASSERT_TRUE(w->Close().ok());
  // docs/formats/wal.md, "Example".
  const Bytes want = {0x74, 0x57, 0x41, 0x4c, 0x01, 0x00, 0x00, 0x00, 0x01,
                      0x03, 0x00, 0xaa, 0x3b, 0x06, 0xa6, 0x61, 0x62, 0x63,
                      0x01, 0x00, 0x00, 0x04, 0x31, 0x25, 0xc5};
  EXPECT_EQ(ReadBytes(tmp_.segment(0)), want);
  ReadResult r = ReadAll(tmp_.wal());
  EXPECT_THAT(r.records, ElementsAre(abc, Bytes{}));
  EXPECT_FALSE(r.corruption);
  EXPECT_TRUE(r.status.ok());
}

TEST_F(WalTest, RoundTripSmallRecords) {
  std::vector<Bytes> want;
  {
    auto w = OpenWriter(tmp_.wal());
    ASSERT_NE(w, nullptr);
    for (uint32_t i = 0; i < 500; ++i) {
      want.push_back(MakeRecord(i % 97, i));
      ASSERT_TRUE(w->Log(want.back()).ok());
    }
    ASSERT_TRUE(w->Sync().ok());
    ASSERT_TRUE(w->Close().ok());
  }
  ReadResult r = ReadAll(tmp_.wal());
  EXPECT_EQ(r.records, want);
  EXPECT_FALSE(r.corruption);
  EXPECT_TRUE(r.status.ok());
  for (int s : r.segments) EXPECT_EQ(s, 0);
}

// Records of every awkward size, each placed so that it starts with every
// amount of room from 1 to 10 bytes left in its page (padding or not).
TEST_F(WalTest, RoundTripLargeRecordsAtPageBoundaries) {
  const std::vector<size_t> sizes = {
      0,         1,     kPage - 16, kPage - 15, kPage - 8,
      kPage - 7, kPage, kPage + 1,  100'000,    3 * kPage + 5};
  std::vector<Bytes> want;
  auto w = OpenWriter(tmp_.wal(), NoSync());
  ASSERT_NE(w, nullptr);
  uint32_t seed = 1;
  for (size_t room = 1; room <= 10; ++room) {
    for (size_t size : sizes) {
      // Filler records so that exactly `room` bytes are left in the page.
      // One segment: bytes_written() is the file offset.
      uint64_t to_boundary = kPage - w->bytes_written() % kPage;
      if (to_boundary < 8) to_boundary = kPage;  // Padding comes first.
      if (to_boundary < room + 8) {
        // Not enough for a frame that stops `room` short: fill the page.
        want.push_back(MakeRecord(to_boundary - 7, seed++));
        ASSERT_TRUE(w->Log(want.back()).ok());
        to_boundary = kPage;
      }
      want.push_back(MakeRecord(to_boundary - room - 7, seed++));
      ASSERT_TRUE(w->Log(want.back()).ok());
      ASSERT_EQ(kPage - w->bytes_written() % kPage, room);
      want.push_back(MakeRecord(size, seed++));
      ASSERT_TRUE(w->Log(want.back()).ok());
    }
  }
  ASSERT_TRUE(w->Close().ok());
  EXPECT_EQ(FileSize(tmp_.segment(0)), w->bytes_written());
  ReadResult r = ReadAll(tmp_.wal());
  ASSERT_EQ(r.records.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(r.records[i], want[i]) << "record " << i;
  }
  EXPECT_FALSE(r.corruption) << r.corruption->reason;
  EXPECT_TRUE(r.status.ok());
}

TEST_F(WalTest, EmptyRecordsAndEmptyBatch) {
  auto w = OpenWriter(tmp_.wal(), NoSync());
  ASSERT_NE(w, nullptr);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(w->Log({}).ok());
  const uint64_t before = w->bytes_written();
  ASSERT_TRUE(w->LogBatch({}).ok());
  EXPECT_EQ(w->bytes_written(), before);
  ASSERT_TRUE(w->Close().ok());
  ReadResult r = ReadAll(tmp_.wal());
  EXPECT_EQ(r.records, std::vector<Bytes>(10));
  EXPECT_FALSE(r.corruption);
}

TEST_F(WalTest, LogBatchRoundTripsInOrder) {
  std::vector<Bytes> want;
  auto w = OpenWriter(tmp_.wal());
  ASSERT_NE(w, nullptr);
  for (uint32_t b = 0; b < 20; ++b) {
    std::vector<Bytes> batch;
    for (uint32_t i = 0; i < b; ++i) batch.push_back(MakeRecord(b * 500, i));
    std::vector<std::span<const uint8_t>> spans(batch.begin(), batch.end());
    ASSERT_TRUE(w->LogBatch(spans).ok());
    want.insert(want.end(), batch.begin(), batch.end());
  }
  ASSERT_TRUE(w->Close().ok());
  ReadResult r = ReadAll(tmp_.wal());
  EXPECT_EQ(r.records, want);
  EXPECT_FALSE(r.corruption);
}

TEST_F(WalTest, AlwaysFsyncRoundTrips) {
  WalOptions o;
  o.fsync = WalFsync::kAlways;
  auto w = OpenWriter(tmp_.wal(), o);
  ASSERT_NE(w, nullptr);
  std::vector<Bytes> want;
  for (uint32_t i = 0; i < 20; ++i) {
    want.push_back(MakeRecord(i * 3000, i));
    ASSERT_TRUE(w->Log(want.back()).ok());
  }
  ASSERT_TRUE(w->Sync().ok());
  ASSERT_TRUE(w->Close().ok());
  EXPECT_EQ(ReadAll(tmp_.wal()).records, want);
}

TEST_F(WalTest, NextSegmentStartsNewFiles) {
  auto w = OpenWriter(tmp_.wal(), NoSync());
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->segment(), 0);
  std::vector<Bytes> want;
  std::vector<int> want_segments;
  for (int s = 0; s < 4; ++s) {
    for (uint32_t i = 0; i < 3; ++i) {
      want.push_back(MakeRecord(10 + i * 20000, s * 10 + i));
      want_segments.push_back(s);
      ASSERT_TRUE(w->Log(want.back()).ok());
    }
    if (s < 3) {
      Result<int> next = w->NextSegment();
      ASSERT_TRUE(next.ok());
      EXPECT_EQ(*next, s + 1);
      EXPECT_EQ(w->segment(), s + 1);
    }
  }
  ASSERT_TRUE(w->Close().ok());
  EXPECT_FALSE(w->Log(want[0]).ok());  // Closed.
  Result<std::vector<int>> list = ListWalSegments(tmp_.wal());
  ASSERT_TRUE(list.ok());
  EXPECT_THAT(*list, ElementsAre(0, 1, 2, 3));
  ReadResult r = ReadAll(tmp_.wal());
  EXPECT_EQ(r.records, want);
  EXPECT_EQ(r.segments, want_segments);
  EXPECT_FALSE(r.corruption);

  // From a later segment on.
  ReadResult from2 = ReadAll(tmp_.wal(), 2);
  EXPECT_EQ(from2.records, std::vector<Bytes>(want.begin() + 6, want.end()));
}

TEST_F(WalTest, CutsSegmentsAtSegmentBytes) {
  WalOptions o = NoSync();
  o.segment_bytes = 1000;
  auto w = OpenWriter(tmp_.wal(), o);
  ASSERT_NE(w, nullptr);
  std::vector<Bytes> want;
  for (uint32_t i = 0; i < 50; ++i) {
    want.push_back(MakeRecord(100, i));
    ASSERT_TRUE(w->Log(want.back()).ok());
  }
  // A record larger than a segment gets one of its own.
  want.push_back(MakeRecord(5000, 99));
  ASSERT_TRUE(w->Log(want.back()).ok());
  const int big_segment = w->segment();
  // A batch is never split across segments.
  std::vector<Bytes> batch = {MakeRecord(400, 1), MakeRecord(400, 2),
                              MakeRecord(400, 3)};
  std::vector<std::span<const uint8_t>> spans(batch.begin(), batch.end());
  ASSERT_TRUE(w->LogBatch(spans).ok());
  want.insert(want.end(), batch.begin(), batch.end());
  ASSERT_TRUE(w->Close().ok());

  Result<std::vector<int>> list = ListWalSegments(tmp_.wal());
  ASSERT_TRUE(list.ok());
  ASSERT_GE(list->size(), 7u);
  for (int s : *list) {
    // Regular cuts only: not the segment the big record cut short, its own,
    // or the batch's.
    if (s >= big_segment - 1) continue;
    EXPECT_LE(FileSize(tmp_.segment(s)), 1000u) << "segment " << s;
    EXPECT_GT(FileSize(tmp_.segment(s)), 1000u - 107) << "segment " << s;
  }
  EXPECT_GT(FileSize(tmp_.segment(big_segment)), 5000u);
  ReadResult r = ReadAll(tmp_.wal());
  EXPECT_EQ(r.records, want);
  EXPECT_FALSE(r.corruption);
  const size_t n = r.segments.size();
  EXPECT_EQ(r.segments[n - 1], r.segments[n - 3]);
  EXPECT_EQ(r.segments[n - 4], big_segment);
  EXPECT_NE(r.segments[n - 5], big_segment);
}

// Writes `prefix` records, then `last`; returns the file offset where `last`
// starts (the end of the prefix).
uint64_t WriteWithLast(const std::string& dir, const std::vector<Bytes>& prefix,
                       const Bytes& last) {
  auto w = OpenWriter(dir, NoSync());
  for (const Bytes& r : prefix) EXPECT_TRUE(w->Log(r).ok());
  const uint64_t start = w->bytes_written();
  EXPECT_TRUE(w->Log(last).ok());
  EXPECT_TRUE(w->Close().ok());
  return start;
}

// Cutting the last record at every byte must give exactly the records before
// it, report the cut as a torn record at its start, and repair to a clean
// log. Layouts: a last record spanning pages, and one that starts after
// padding.
TEST_F(WalTest, TornTailAtEveryOffset) {
  struct Layout {
    std::vector<Bytes> prefix;
    Bytes last;
  };
  std::vector<Layout> layouts;
  layouts.push_back(
      {{MakeRecord(30, 1), MakeRecord(20000, 2)}, MakeRecord(40000, 3)});
  // The prefix leaves 5 bytes of room: the last record starts with padding.
  layouts.push_back(
      {{MakeRecord(kPage - kHeader - 7 - 5, 4)}, MakeRecord(100, 5)});
  layouts.push_back({{MakeRecord(5, 6)}, Bytes{}});
  for (size_t l = 0; l < layouts.size(); ++l) {
    SCOPED_TRACE("layout " + std::to_string(l));
    TempDir dir;
    const Layout& layout = layouts[l];
    const uint64_t start = WriteWithLast(dir.wal(), layout.prefix, layout.last);
    const std::string seg = dir.segment(0);
    const uint64_t size = FileSize(seg);
    ASSERT_GT(size, start);
    // Cut from the end downwards, so each cut is one ftruncate.
    for (uint64_t cut = size; cut-- > start;) {
      ASSERT_EQ(::truncate(seg.c_str(), static_cast<off_t>(cut)), 0);
      ReadResult r = ReadAll(dir.wal());
      ASSERT_EQ(r.records, layout.prefix) << "cut " << cut;
      if (cut == start) {
        EXPECT_FALSE(r.corruption) << "cut " << cut;
      } else {
        ASSERT_TRUE(r.corruption) << "cut " << cut;
        EXPECT_EQ(r.corruption->segment, 0);
        EXPECT_EQ(r.corruption->offset, start) << "cut " << cut;
        EXPECT_THAT(r.corruption->reason, StartsWith("torn record"));
      }
      EXPECT_TRUE(r.status.ok());
    }
  }
}

struct Written {
  std::vector<Bytes> records;
  std::vector<uint64_t> ends;  // File offset after each record.
};

Written WriteSample(const std::string& dir) {
  Written w;
  auto writer = OpenWriter(dir, NoSync());
  const std::vector<size_t> sizes = {10, 0,    300,   kPage - 100, 50,
                                     7,  1000, 40000, 12,          kPage - 20,
                                     1,  200,  3000,  0,           5000};
  uint32_t seed = 100;
  for (size_t size : sizes) {
    w.records.push_back(MakeRecord(size, seed++));
    EXPECT_TRUE(writer->Log(w.records.back()).ok());
    w.ends.push_back(writer->bytes_written());
  }
  EXPECT_TRUE(writer->Close().ok());
  return w;
}

// One damaged byte anywhere: the records that end before it survive, the
// damage is found, and after RepairWal the log reads clean and a new writer
// appends after it.
TEST_F(WalTest, FlippedBytes) {
  TempDir dir;
  const Written w = WriteSample(dir.wal());
  const std::string seg = dir.segment(0);
  const Bytes original = ReadBytes(seg);
  ASSERT_EQ(original.size(), w.ends.back());
  std::vector<size_t> positions;
  for (size_t p = 0; p < original.size(); ++p) {
    const bool near_page = p % kPage < 24 || p % kPage > kPage - 24;
    if (p < 64 || near_page || p % 251 == 0) positions.push_back(p);
  }
  // Every byte of every frame header at a record start.
  for (uint64_t end : w.ends) {
    for (size_t i = 0; i < 7 && end + i < original.size(); ++i) {
      positions.push_back(end + i);
    }
  }
  const Bytes extra = MakeRecord(77, 9);
  for (size_t pos : positions) {
    SCOPED_TRACE("flip at " + std::to_string(pos));
    std::error_code ec;
    fs::remove_all(dir.wal(), ec);
    fs::create_directories(dir.wal());
    Bytes damaged = original;
    damaged[pos] ^= (pos % 2) ? 0x01 : 0xff;
    WriteBytes(seg, damaged);

    ReadResult r = ReadAll(dir.wal());
    if (pos == 4) {
      // The version byte: a newer format is refused, not repaired.
      EXPECT_EQ(r.status.code(), StatusCode::kFailedPrecondition);
      EXPECT_THAT(r.status.message(), HasSubstr("format version"));
      EXPECT_FALSE(r.corruption);
      continue;
    }
    ASSERT_TRUE(r.status.ok()) << r.status.ToString();
    size_t survive = 0;
    while (survive < w.ends.size() && w.ends[survive] <= pos) ++survive;
    ASSERT_EQ(r.records.size(), survive);
    for (size_t i = 0; i < survive; ++i) ASSERT_EQ(r.records[i], w.records[i]);
    ASSERT_TRUE(r.corruption);
    EXPECT_EQ(r.corruption->segment, 0);
    EXPECT_EQ(
        r.corruption->offset,
        pos < kHeader ? 0 : (survive == 0 ? kHeader : w.ends[survive - 1]));

    ASSERT_TRUE(RepairWal(dir.wal(), *r.corruption).ok());
    ReadResult fixed = ReadAll(dir.wal());
    EXPECT_EQ(fixed.records, r.records);
    EXPECT_FALSE(fixed.corruption) << fixed.corruption->reason;

    auto writer = OpenWriter(dir.wal(), NoSync());
    ASSERT_NE(writer, nullptr);
    EXPECT_EQ(writer->segment(), 1);
    ASSERT_TRUE(writer->Log(extra).ok());
    ASSERT_TRUE(writer->Close().ok());
    ReadResult after = ReadAll(dir.wal());
    ASSERT_EQ(after.records.size(), survive + 1);
    EXPECT_EQ(after.records.back(), extra);
    EXPECT_FALSE(after.corruption);
  }
}

TEST_F(WalTest, RepairLogsWarningAndDeletesLaterSegments) {
  auto w = OpenWriter(tmp_.wal(), NoSync());
  ASSERT_NE(w, nullptr);
  const Bytes a = MakeRecord(100, 1), b = MakeRecord(200, 2);
  ASSERT_TRUE(w->Log(a).ok());
  ASSERT_TRUE(w->Log(b).ok());
  ASSERT_TRUE(w->NextSegment().ok());
  ASSERT_TRUE(w->Log(a).ok());
  ASSERT_TRUE(w->NextSegment().ok());
  ASSERT_TRUE(w->Log(b).ok());
  ASSERT_TRUE(w->Close().ok());
  // Damage the second record of segment 0.
  Bytes seg0 = ReadBytes(tmp_.segment(0));
  const uint64_t seg0_size = seg0.size();
  seg0[seg0.size() - 1] ^= 0x40;
  WriteBytes(tmp_.segment(0), seg0);

  ReadResult r = ReadAll(tmp_.wal());
  EXPECT_THAT(r.records, ElementsAre(a));
  ASSERT_TRUE(r.corruption);
  EXPECT_EQ(r.corruption->segment, 0);
  EXPECT_EQ(r.corruption->offset, kHeader + 7 + 100);
  EXPECT_EQ(r.corruption->reason, "checksum mismatch");

  const uint64_t dropped = seg0_size - r.corruption->offset +
                           FileSize(tmp_.segment(1)) +
                           FileSize(tmp_.segment(2));
  ASSERT_TRUE(RepairWal(tmp_.wal(), *r.corruption).ok());
  EXPECT_THAT(last_log_, HasSubstr("wal repaired"));
  EXPECT_THAT(last_log_, HasSubstr("segment=0"));
  EXPECT_THAT(last_log_, HasSubstr("offset=115"));
  EXPECT_THAT(last_log_, HasSubstr("bytes_dropped=" + std::to_string(dropped)));
  EXPECT_THAT(last_log_, HasSubstr("segments_deleted=2"));
  Result<std::vector<int>> list = ListWalSegments(tmp_.wal());
  ASSERT_TRUE(list.ok());
  EXPECT_THAT(*list, ElementsAre(0));
  EXPECT_EQ(FileSize(tmp_.segment(0)), kHeader + 7 + 100);
  ReadResult fixed = ReadAll(tmp_.wal());
  EXPECT_THAT(fixed.records, ElementsAre(a));
  EXPECT_FALSE(fixed.corruption);

  WalCorruption beyond{0, 1'000'000, "x"};
  EXPECT_EQ(RepairWal(tmp_.wal(), beyond).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(RepairWal(tmp_.wal(), WalCorruption{7, 0, "x"}).ok());
}

TEST_F(WalTest, ZeroFilledTail) {
  const Bytes a = MakeRecord(100, 1), b = MakeRecord(50, 2);
  const uint64_t start = WriteWithLast(tmp_.wal(), {a}, b);
  const std::string seg = tmp_.segment(0);
  const uint64_t size = FileSize(seg);

  // The file grew by zeros after the last record (size updated, data not).
  Bytes bytes = ReadBytes(seg);
  bytes.resize(size + 5000, 0);
  WriteBytes(seg, bytes);
  ReadResult r = ReadAll(tmp_.wal());
  EXPECT_THAT(r.records, ElementsAre(a, b));
  ASSERT_TRUE(r.corruption);
  EXPECT_EQ(r.corruption->offset, size);
  EXPECT_EQ(r.corruption->reason, "zero-filled tail");

  // The last record's own bytes are zeros.
  std::fill(bytes.begin() + static_cast<ptrdiff_t>(start), bytes.end(), 0);
  WriteBytes(seg, bytes);
  r = ReadAll(tmp_.wal());
  EXPECT_THAT(r.records, ElementsAre(a));
  ASSERT_TRUE(r.corruption);
  EXPECT_EQ(r.corruption->offset, start);
  EXPECT_EQ(r.corruption->reason, "zero-filled tail");

  // Zeros followed by data are not a tail.
  bytes.back() = 1;
  WriteBytes(seg, bytes);
  r = ReadAll(tmp_.wal());
  ASSERT_TRUE(r.corruption);
  EXPECT_EQ(r.corruption->reason, "zero bytes where a frame was expected");

  ASSERT_TRUE(RepairWal(tmp_.wal(), *r.corruption).ok());
  EXPECT_EQ(FileSize(seg), start);
  r = ReadAll(tmp_.wal());
  EXPECT_THAT(r.records, ElementsAre(a));
  EXPECT_FALSE(r.corruption);
}

TEST_F(WalTest, ReopenAfterCrashStartsNewSegment) {
  const Bytes a = MakeRecord(100, 1), b = MakeRecord(40000, 2);
  const uint64_t start = WriteWithLast(tmp_.wal(), {a}, b);
  // The crash tore the last record.
  ASSERT_EQ(::truncate(tmp_.segment(0).c_str(), static_cast<off_t>(start + 9)),
            0);

  // Replay finds the damage, repairs, and the writer starts segment 1.
  ReadResult r = ReadAll(tmp_.wal());
  EXPECT_THAT(r.records, ElementsAre(a));
  ASSERT_TRUE(r.corruption);
  ASSERT_TRUE(RepairWal(tmp_.wal(), *r.corruption).ok());
  auto w = OpenWriter(tmp_.wal());
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->segment(), 1);
  ASSERT_TRUE(w->Log(b).ok());
  w.reset();  // The destructor closes.

  // A writer that was never closed: the next one still starts fresh.
  auto w2 = OpenWriter(tmp_.wal());
  ASSERT_NE(w2, nullptr);
  EXPECT_EQ(w2->segment(), 2);
  ASSERT_TRUE(w2->Log(a).ok());
  ASSERT_TRUE(w2->Sync().ok());
  r = ReadAll(tmp_.wal());
  EXPECT_THAT(r.records, ElementsAre(a, b, a));
  EXPECT_THAT(r.segments, ElementsAre(0, 1, 2));
  EXPECT_FALSE(r.corruption);
}

TEST_F(WalTest, WriterAfterUnrepairedDamageDoesNotAppendToIt) {
  const Bytes a = MakeRecord(10, 1), b = MakeRecord(20, 2);
  const uint64_t start = WriteWithLast(tmp_.wal(), {a}, b);
  ASSERT_EQ(::truncate(tmp_.segment(0).c_str(), static_cast<off_t>(start + 3)),
            0);
  auto w = OpenWriter(tmp_.wal(), NoSync());
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->segment(), 1);
  ASSERT_TRUE(w->Log(b).ok());
  ASSERT_TRUE(w->Close().ok());
  EXPECT_EQ(FileSize(tmp_.segment(0)), start + 3);
  // Replay stops at the damage in segment 0; repairing drops segment 1.
  ReadResult r = ReadAll(tmp_.wal());
  EXPECT_THAT(r.records, ElementsAre(a));
  ASSERT_TRUE(r.corruption);
  EXPECT_EQ(r.corruption->segment, 0);
  ASSERT_TRUE(RepairWal(tmp_.wal(), *r.corruption).ok());
  EXPECT_THAT(*ListWalSegments(tmp_.wal()), ElementsAre(0));
}

TEST_F(WalTest, DeleteWalSegmentsBefore) {
  auto w = OpenWriter(tmp_.wal(), NoSync());
  ASSERT_NE(w, nullptr);
  std::vector<Bytes> recs;
  for (uint32_t s = 0; s < 5; ++s) {
    recs.push_back(MakeRecord(10, s));
    ASSERT_TRUE(w->Log(recs.back()).ok());
    if (s < 4) {
      ASSERT_TRUE(w->NextSegment().ok());
    }
  }
  ASSERT_TRUE(w->Close().ok());
  WriteBytes(tmp_.wal() + "/checkpoint.00000002", {1, 2, 3});
  WriteBytes(tmp_.wal() + "/0000001", {1, 2, 3});  // 7 digits: not ours.

  ASSERT_TRUE(DeleteWalSegmentsBefore(tmp_.wal(), 3).ok());
  Result<std::vector<int>> list = ListWalSegments(tmp_.wal());
  ASSERT_TRUE(list.ok());
  EXPECT_THAT(*list, ElementsAre(3, 4));
  EXPECT_TRUE(fs::exists(tmp_.wal() + "/checkpoint.00000002"));
  EXPECT_TRUE(fs::exists(tmp_.wal() + "/0000001"));

  ReadResult r = ReadAll(tmp_.wal());
  EXPECT_THAT(r.records, ElementsAre(recs[3], recs[4]));
  EXPECT_THAT(r.segments, ElementsAre(3, 4));
  EXPECT_FALSE(r.corruption);
  EXPECT_THAT(ReadAll(tmp_.wal(), 4).records, ElementsAre(recs[4]));
  EXPECT_TRUE(ReadAll(tmp_.wal(), 5).records.empty());

  // Nothing below 3 is left; deleting again is a no-op.
  ASSERT_TRUE(DeleteWalSegmentsBefore(tmp_.wal(), 3).ok());
  EXPECT_THAT(*ListWalSegments(tmp_.wal()), ElementsAre(3, 4));
  auto w2 = OpenWriter(tmp_.wal(), NoSync());
  ASSERT_NE(w2, nullptr);
  EXPECT_EQ(w2->segment(), 5);
}

TEST_F(WalTest, MissingSegmentIsDamage) {
  auto w = OpenWriter(tmp_.wal(), NoSync());
  ASSERT_NE(w, nullptr);
  const Bytes a = MakeRecord(10, 1);
  for (int s = 0; s < 3; ++s) {
    ASSERT_TRUE(w->Log(a).ok());
    if (s < 2) {
      ASSERT_TRUE(w->NextSegment().ok());
    }
  }
  ASSERT_TRUE(w->Close().ok());
  ASSERT_TRUE(fs::remove(tmp_.segment(1)));
  ReadResult r = ReadAll(tmp_.wal());
  EXPECT_THAT(r.records, ElementsAre(a));
  ASSERT_TRUE(r.corruption);
  EXPECT_EQ(r.corruption->segment, 0);
  EXPECT_EQ(r.corruption->offset, FileSize(tmp_.segment(0)));
  EXPECT_EQ(r.corruption->reason, "segment 1 is missing");
  ASSERT_TRUE(RepairWal(tmp_.wal(), *r.corruption).ok());
  EXPECT_THAT(*ListWalSegments(tmp_.wal()), ElementsAre(0));
  r = ReadAll(tmp_.wal());
  EXPECT_THAT(r.records, ElementsAre(a));
  EXPECT_FALSE(r.corruption);
}

TEST_F(WalTest, SegmentHeaders) {
  ASSERT_TRUE(fs::create_directories(tmp_.wal()));
  // Empty: a crash before the header was written. Valid, no records.
  WriteBytes(tmp_.segment(0), {});
  ReadResult r = ReadAll(tmp_.wal());
  EXPECT_TRUE(r.records.empty());
  EXPECT_FALSE(r.corruption);
  EXPECT_TRUE(r.status.ok());

  // Torn header.
  WriteBytes(tmp_.segment(0), {0x74, 0x57, 0x41});
  r = ReadAll(tmp_.wal());
  ASSERT_TRUE(r.corruption);
  EXPECT_EQ(r.corruption->offset, 0u);
  EXPECT_EQ(r.corruption->reason, "torn segment header");
  ASSERT_TRUE(RepairWal(tmp_.wal(), *r.corruption).ok());
  EXPECT_EQ(FileSize(tmp_.segment(0)), 0u);
  EXPECT_FALSE(ReadAll(tmp_.wal()).corruption);

  // Not a WAL segment.
  WriteBytes(tmp_.segment(0), {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r'});
  r = ReadAll(tmp_.wal());
  ASSERT_TRUE(r.corruption);
  EXPECT_EQ(r.corruption->reason, "bad segment header");

  // A newer format: an error, not damage, so nothing gets repaired away.
  WriteBytes(tmp_.segment(0), {0x74, 0x57, 0x41, 0x4c, 0x02, 0, 0, 0});
  r = ReadAll(tmp_.wal());
  EXPECT_FALSE(r.corruption);
  EXPECT_EQ(r.status.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status.message(), HasSubstr("version 2"));

  // Header only: valid and empty.
  WriteBytes(tmp_.segment(0), {0x74, 0x57, 0x41, 0x4c, 0x01, 0, 0, 0});
  r = ReadAll(tmp_.wal());
  EXPECT_TRUE(r.records.empty());
  EXPECT_FALSE(r.corruption);
  EXPECT_TRUE(r.status.ok());
}

TEST_F(WalTest, ReaderOnMissingDirectory) {
  ReadResult r = ReadAll(tmp_.path() + "/nope");
  EXPECT_TRUE(r.status.ok());
  EXPECT_TRUE(r.records.empty());
  EXPECT_FALSE(r.corruption);
  Result<std::vector<int>> list = ListWalSegments(tmp_.path() + "/nope");
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
  // A file where the directory should be is an error.
  WriteBytes(tmp_.path() + "/file", {1});
  EXPECT_FALSE(ListWalSegments(tmp_.path() + "/file").ok());
  EXPECT_FALSE(WalWriter::Open(tmp_.path() + "/file", {}).ok());
}

TEST_F(WalTest, InvalidFrameSequences) {
  // Hand-built frames: a MIDDLE without a FIRST, and a FIRST followed by a
  // FULL. Both are damage at the end of the previous good record.
  const Bytes good = MakeRecord(20, 1);
  for (int variant = 0; variant < 2; ++variant) {
    SCOPED_TRACE(variant);
    TempDir dir;
    {
      auto w = OpenWriter(dir.wal(), NoSync());
      ASSERT_TRUE(w->Log(good).ok());
      // A record big enough to be split, so its frames can be rearranged.
      ASSERT_TRUE(w->Log(MakeRecord(kPage + 10, 2)).ok());
      ASSERT_TRUE(w->Log(good).ok());
      ASSERT_TRUE(w->Close().ok());
    }
    Bytes bytes = ReadBytes(dir.segment(0));
    const size_t first = kHeader + 7 + good.size();
    const size_t second = kPage;  // The LAST frame starts the next page.
    ASSERT_EQ(bytes[first], 2);   // FIRST
    ASSERT_EQ(bytes[second], 4);  // LAST
    const size_t third =
        second + 7 + (bytes[second + 1] | bytes[second + 2] << 8);
    ASSERT_EQ(bytes[third], 1);  // FULL
    Bytes damaged;
    if (variant == 0) {
      // Drop the FIRST frame's page: the LAST follows the good record.
      damaged.assign(bytes.begin(), bytes.begin() + first);
      damaged.insert(damaged.end(), bytes.begin() + second, bytes.end());
    } else {
      // Drop the LAST frame: FIRST is followed by FULL on the next page.
      damaged.assign(bytes.begin(), bytes.begin() + second);
      damaged.insert(damaged.end(), bytes.begin() + third, bytes.end());
    }
    WriteBytes(dir.segment(0), damaged);
    ReadResult r = ReadAll(dir.wal());
    EXPECT_THAT(r.records, ElementsAre(good));
    ASSERT_TRUE(r.corruption);
    EXPECT_EQ(r.corruption->offset, first);
    EXPECT_THAT(r.corruption->reason, StartsWith("invalid frame sequence"));
  }
}

// RLIMIT_FSIZE makes writes past a size fail with EFBIG (SIGXFSZ ignored),
// standing in for ENOSPC. The limit applies to the whole process, so the
// writing happens in a child; the parent checks the files it left.
TEST_F(WalTest, FailedWriteIsCutBack) {
  const std::string dir = tmp_.wal();
  const Bytes a = MakeRecord(100, 1), big = MakeRecord(5000, 2),
              small = MakeRecord(50, 3);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::signal(SIGXFSZ, SIG_IGN);
    auto w = WalWriter::Open(dir, NoSync());
    if (!w.ok()) ::_exit(10);
    if (!(*w)->Log(a).ok()) ::_exit(11);
    const std::string seg = dir + "/00000000";
    const uint64_t before = FileSize(seg);
    struct rlimit lim;
    ::getrlimit(RLIMIT_FSIZE, &lim);
    lim.rlim_cur = before + 1000;
    if (::setrlimit(RLIMIT_FSIZE, &lim) != 0) ::_exit(12);
    // Partly written, then EFBIG: the partial bytes must go.
    if ((*w)->Log(big).ok()) ::_exit(13);
    if (FileSize(seg) != before) ::_exit(14);
    std::vector<std::span<const uint8_t>> batch = {small, big};
    if ((*w)->LogBatch(batch).ok()) ::_exit(15);
    if (FileSize(seg) != before) ::_exit(16);
    // There is room for a small one: the writer carries on.
    if (!(*w)->Log(small).ok()) ::_exit(17);
    if ((*w)->Log(big).ok()) ::_exit(18);
    if (!(*w)->Close().ok()) ::_exit(19);
    ::_exit(0);
  }
  int wstatus = 0;
  ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
  ASSERT_TRUE(WIFEXITED(wstatus)) << "child died: " << wstatus;
  ASSERT_EQ(WEXITSTATUS(wstatus), 0) << "child check failed";
  ReadResult r = ReadAll(dir);
  EXPECT_THAT(r.records, ElementsAre(a, small));
  EXPECT_FALSE(r.corruption);
  EXPECT_TRUE(r.status.ok());
}

}  // namespace
}  // namespace tend
