// FileSource across rotations: rename-and-create, copytruncate, plain
// truncation, deletion while open, inode reuse, rotation while stopped,
// gzip-rotated files.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>

#include "logs/sources/file_checkpoint.h"
#include "logs/sources/file_source.h"
#include "logs/sources/file_source_test_util.h"

namespace tend::logs {
namespace {

using testing::AppendText;
using testing::Drain;
using testing::KeepSink;
using testing::Numbered;
using testing::NumberedLines;
using testing::ReadText;
using testing::SplitLines;
using testing::TempDir;

FileSourceOptions Options(const TempDir& dir) {
  FileSourceOptions o;
  o.name = "rot";
  o.include = {dir / "*.log"};
  o.rotate_wait_ns = kNanosPerSecond;
  return o;
}

std::unique_ptr<FileSource> Make(FileSourceOptions o, Clock* clock) {
  auto s = FileSource::Create(std::move(o), clock);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

void CopyTruncate(const std::string& path, const std::string& copy) {
  std::filesystem::copy_file(path, copy);
  ASSERT_EQ(truncate(path.c_str(), 0), 0);
}

TEST(FileRotationTest, RenameAndCreate) {
  TempDir dir;
  FakeClock clock;
  auto source = Make(Options(dir), &clock);
  KeepSink sink;
  AppendText(dir / "app.log", Numbered(0, 100));
  Drain(*source, sink);
  AppendText(dir / "app.log", Numbered(100, 150));  // Not read yet.
  std::filesystem::rename(dir / "app.log", dir / "app.log.1");
  AppendText(dir / "app.log", Numbered(150, 200));
  Drain(*source, sink);
  EXPECT_EQ(sink.Lines(), NumberedLines(0, 200));
  EXPECT_EQ(source->stats().open, 2u);
  clock.Advance(2 * kNanosPerSecond);  // rotate_wait passes.
  Drain(*source, sink);
  EXPECT_EQ(source->stats().open, 1u);
  EXPECT_EQ(sink.entries.size(), 200u);
}

TEST(FileRotationTest, CopyTruncateReadsTheRestFromTheCopy) {
  TempDir dir;
  FakeClock clock;
  auto source = Make(Options(dir), &clock);
  KeepSink sink;
  AppendText(dir / "app.log", Numbered(0, 100));
  Drain(*source, sink);
  AppendText(dir / "app.log", Numbered(100, 150));  // Only in the copy.
  CopyTruncate(dir / "app.log", dir / "app.log.1");
  AppendText(dir / "app.log", Numbered(150, 400));  // Longer than before.
  Drain(*source, sink);
  EXPECT_EQ(sink.Lines(), NumberedLines(0, 400));
}

TEST(FileRotationTest, PlainTruncationRestartsAtZero) {
  TempDir dir;
  FakeClock clock;
  auto source = Make(Options(dir), &clock);
  KeepSink sink;
  AppendText(dir / "app.log", Numbered(0, 50));
  Drain(*source, sink);
  ASSERT_EQ(truncate((dir / "app.log").c_str(), 0), 0);
  AppendText(dir / "app.log", Numbered(0, 3, "new "));
  Drain(*source, sink);
  std::vector<std::string> want = NumberedLines(0, 50);
  for (auto& l : NumberedLines(0, 3, "new ")) want.push_back(l);
  EXPECT_EQ(sink.Lines(), want);
}

TEST(FileRotationTest, DeletedWhileOpenIsReadToItsEnd) {
  TempDir dir;
  FakeClock clock;
  auto source = Make(Options(dir), &clock);
  KeepSink sink;
  AppendText(dir / "app.log", Numbered(0, 1000) + "no newline");
  ASSERT_TRUE(source->Poll(sink, 200).ok());
  ASSERT_LT(sink.entries.size(), 1000u);
  std::filesystem::remove(dir / "app.log");
  Drain(*source, sink);
  EXPECT_EQ(sink.Lines(), NumberedLines(0, 1000));
  clock.Advance(2 * kNanosPerSecond);
  Drain(*source, sink);
  // Gone and quiet: the unterminated last line goes out, the file closes.
  ASSERT_EQ(sink.entries.size(), 1001u);
  EXPECT_EQ(sink.entries.back().line, "no newline");
  EXPECT_EQ(source->stats().open, 0u);
  auto cp = DecodeFileCheckpoint(source->Checkpoint());
  ASSERT_TRUE(cp.ok());
  EXPECT_TRUE(cp->files.empty());
}

TEST(FileRotationTest, RenameWhileStoppedIsFoundByInode) {
  TempDir dir;
  FakeClock clock;
  KeepSink sink;
  std::string cp;
  {
    auto source = Make(Options(dir), &clock);
    AppendText(dir / "app.log", Numbered(0, 100));
    Drain(*source, sink);
    cp = source->Checkpoint();
  }
  AppendText(dir / "app.log", Numbered(100, 120));
  std::filesystem::rename(dir / "app.log", dir / "app.log.1");
  AppendText(dir / "app.log", Numbered(120, 130));
  auto source = Make(Options(dir), &clock);
  ASSERT_TRUE(source->Restore(cp).ok());
  Drain(*source, sink);
  EXPECT_EQ(sink.Lines(), NumberedLines(0, 130));
}

TEST(FileRotationTest, CopyTruncateWhileStopped) {
  TempDir dir;
  FakeClock clock;
  KeepSink sink;
  std::string cp;
  {
    auto source = Make(Options(dir), &clock);
    AppendText(dir / "app.log", Numbered(0, 100));
    Drain(*source, sink);
    cp = source->Checkpoint();
  }
  AppendText(dir / "app.log", Numbered(100, 120));
  CopyTruncate(dir / "app.log", dir / "app.log.1");
  AppendText(dir / "app.log", Numbered(120, 500));
  auto source = Make(Options(dir), &clock);
  ASSERT_TRUE(source->Restore(cp).ok());
  Drain(*source, sink);
  EXPECT_EQ(sink.Lines(), NumberedLines(0, 500));
}

TEST(FileRotationTest, ReusedInodeIsANewFile) {
  TempDir dir;
  FakeClock clock;
  AppendText(dir / "app.log", Numbered(0, 10, "other "));
  struct stat st;
  ASSERT_EQ(stat((dir / "app.log").c_str(), &st), 0);
  // A checkpoint of an earlier file that had this device and inode, 40
  // bytes in: the file now there starts differently, so it is read whole.
  FilePosition old;
  old.id = {static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
  old.fp = {20, FingerprintHash("a different file...")};
  old.offset = 40;
  old.path = dir / "app.log";
  auto source = Make(Options(dir), &clock);
  ASSERT_TRUE(source->Restore(EncodeFileCheckpoint({1, {old}, {}})).ok());
  KeepSink sink;
  Drain(*source, sink);
  EXPECT_EQ(sink.Lines(), NumberedLines(0, 10, "other "));
}

TEST(FileRotationTest, CheckpointedFileGoneIsSkipped) {
  TempDir dir;
  FakeClock clock;
  FilePosition gone;
  gone.id = {1, 999999999};
  gone.offset = 10;
  gone.path = dir / "gone.log";
  AppendText(dir / "app.log", Numbered(0, 2));
  auto source = Make(Options(dir), &clock);
  ASSERT_TRUE(source->Restore(EncodeFileCheckpoint({1, {gone}, {}})).ok());
  KeepSink sink;
  Drain(*source, sink);
  EXPECT_EQ(sink.Lines(), NumberedLines(0, 2));
}

void WriteGzip(const std::string& path, const std::string& text) {
  gzFile gz = gzopen(path.c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  ASSERT_EQ(gzwrite(gz, text.data(), static_cast<unsigned>(text.size())),
            static_cast<int>(text.size()));
  ASSERT_EQ(gzclose(gz), Z_OK);
}

TEST(FileRotationTest, GzipRotatedFilesAreReadOnceAcrossRestarts) {
  TempDir dir;
  FakeClock clock;
  const std::string text = ReadText("../shared/data/loghub/Linux_2k.log");
  ASSERT_FALSE(text.empty());
  WriteGzip(dir / "syslog.2.gz", text);
  FileSourceOptions o = Options(dir);
  o.include = {dir / "syslog*"};
  o.read_gzip = true;
  KeepSink sink;
  std::string cp;
  {
    auto source = Make(o, &clock);
    ASSERT_TRUE(source->Poll(sink, 50000).ok());
    cp = source->Checkpoint();
  }
  ASSERT_GT(sink.entries.size(), 0u);
  ASSERT_LT(sink.entries.size(), 2000u);
  auto source = Make(o, &clock);
  ASSERT_TRUE(source->Restore(cp).ok());
  Drain(*source, sink);
  EXPECT_EQ(sink.Lines(), testing::AllLines(text));
  EXPECT_EQ(sink.entries[0].origin, dir / "syslog.2.gz");
  EXPECT_EQ(source->stats().open, 0u);  // Done: closed, still remembered.
  clock.Advance(20 * kNanosPerSecond);
  Drain(*source, sink);
  EXPECT_EQ(sink.entries.size(), 2000u);
  // Without the option the file is ignored.
  o.read_gzip = false;
  auto plain = Make(o, &clock);
  KeepSink none;
  Drain(*plain, none);
  EXPECT_TRUE(none.entries.empty());
}

TEST(FileRotationTest, CorruptGzipIsCountedNotFatal) {
  TempDir dir;
  FakeClock clock;
  WriteGzip(dir / "x.gz", Numbered(0, 5000));
  std::string bytes = ReadText(dir / "x.gz");
  bytes.resize(bytes.size() / 2);
  std::filesystem::remove(dir / "x.gz");
  AppendText(dir / "x.gz", bytes);
  AppendText(dir / "y.log", "fine\n");
  FileSourceOptions o = Options(dir);
  o.include = {dir / "*"};
  o.read_gzip = true;
  auto source = Make(o, &clock);
  KeepSink sink;
  Drain(*source, sink);
  EXPECT_GE(source->stats().errors, 1u);
  bool fine = false;
  for (const auto& e : sink.entries) fine |= e.line == "fine";
  EXPECT_TRUE(fine);
}

}  // namespace
}  // namespace tend::logs
