// FileSource: rotations tend did not see happen (several between two
// polls, or while it was down), found by identity rather than by time, and
// the retired files it must not read again.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

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
using testing::TempDir;

FileSourceOptions Options(const TempDir& dir) {
  FileSourceOptions o;
  o.name = "unseen";
  o.include = {dir / "*.log"};
  o.rotate_wait_ns = 0;
  return o;
}

std::unique_ptr<FileSource> Make(FileSourceOptions o, Clock* clock) {
  auto s = FileSource::Create(std::move(o), clock);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

// Sets a file's modification time to `sec` seconds after an epoch far from
// now, so the order of the files' content ends is explicit.
void SetMtime(const std::string& path, int sec) {
  struct timespec times[2] = {{1'700'000'000 + sec, 0},
                              {1'700'000'000 + sec, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << path;
}

void CopyTruncate(const std::string& path, const std::string& copy) {
  std::filesystem::copy_file(path, copy);
  ASSERT_EQ(truncate(path.c_str(), 0), 0);
}

// Three rotations between two polls, named against their order (logrotate
// numbers newest first): a copytruncate copy, the same file renamed, and a
// file created and renamed before tend ever saw it. Their content comes
// out in the order it was written, then the live file.
TEST(FileUnseenRotationTest, SeveralRotationsBetweenPollsKeepTheOrder) {
  TempDir dir;
  FakeClock clock;
  auto source = Make(Options(dir), &clock);
  KeepSink sink;
  AppendText(dir / "app.log", Numbered(0, 100));
  Drain(*source, sink);
  ASSERT_EQ(sink.entries.size(), 100u);

  AppendText(dir / "app.log", Numbered(100, 150));
  CopyTruncate(dir / "app.log", dir / "app.log.9");
  SetMtime(dir / "app.log.9", 1);
  AppendText(dir / "app.log", Numbered(150, 200));
  std::filesystem::rename(dir / "app.log", dir / "app.log.1");
  SetMtime(dir / "app.log.1", 2);
  AppendText(dir / "app.log", Numbered(200, 250));
  std::filesystem::rename(dir / "app.log", dir / "app.log.5");
  SetMtime(dir / "app.log.5", 3);
  AppendText(dir / "app.log", Numbered(250, 300));

  Drain(*source, sink);
  EXPECT_EQ(sink.Lines(), NumberedLines(0, 300));
  EXPECT_EQ(source->stats().errors, 0u);
  // Everything rotated is read and retired; nothing comes again.
  clock.Advance(60 * kNanosPerSecond);
  Drain(*source, sink);
  EXPECT_EQ(sink.entries.size(), 300u);
  EXPECT_EQ(source->stats().open, 1u);
}

// The same rotations while tend is down: the checkpoint knows the first
// file; everything else in the directory that it does not know is unseen,
// however long ago it was created.
TEST(FileUnseenRotationTest, RotationsWhileDownAreReadByIdentity) {
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
  AppendText(dir / "app.log", Numbered(100, 150));
  CopyTruncate(dir / "app.log", dir / "app.log.9");
  SetMtime(dir / "app.log.9", 1);
  AppendText(dir / "app.log", Numbered(150, 200));
  std::filesystem::rename(dir / "app.log", dir / "app.log.1");
  SetMtime(dir / "app.log.1", 2);
  AppendText(dir / "app.log", Numbered(200, 250));
  std::filesystem::rename(dir / "app.log", dir / "app.log.5");
  SetMtime(dir / "app.log.5", 3);
  AppendText(dir / "app.log", Numbered(250, 300));

  auto source = Make(Options(dir), &clock);
  ASSERT_TRUE(source->Restore(cp).ok());
  Drain(*source, sink);
  EXPECT_EQ(sink.Lines(), NumberedLines(0, 300));

  // Restarting from the new checkpoint reads nothing again: the rotated
  // files are remembered as retired.
  std::string after = source->Checkpoint();
  auto decoded = DecodeFileCheckpoint(after);
  ASSERT_TRUE(decoded.ok());
  int retired = 0;
  for (const FilePosition& f : decoded->files) retired += f.retired ? 1 : 0;
  EXPECT_EQ(retired, 3);
  auto again = Make(Options(dir), &clock);
  ASSERT_TRUE(again->Restore(after).ok());
  KeepSink none;
  Drain(*again, none);
  EXPECT_TRUE(none.entries.empty());
}

// Without a checkpoint, rotated files already there are history: not
// read, but remembered so that a restart does not take them for new ones.
TEST(FileUnseenRotationTest, FirstStartLeavesExistingRotationsAlone) {
  TempDir dir;
  FakeClock clock;
  AppendText(dir / "app.log.1", Numbered(0, 50, "old "));
  AppendText(dir / "app.log", Numbered(0, 10));
  KeepSink sink;
  std::string cp;
  {
    auto source = Make(Options(dir), &clock);
    Drain(*source, sink);
    cp = source->Checkpoint();
  }
  EXPECT_EQ(sink.Lines(), NumberedLines(0, 10));
  // Rotated while down: the new rotation is read, the old one still not.
  AppendText(dir / "app.log", Numbered(10, 20));
  std::filesystem::rename(dir / "app.log", dir / "app.log.2");
  AppendText(dir / "app.log", Numbered(20, 30));
  auto source = Make(Options(dir), &clock);
  ASSERT_TRUE(source->Restore(cp).ok());
  Drain(*source, sink);
  EXPECT_EQ(sink.Lines(), NumberedLines(0, 30));
}

// A copytruncate copy still being written (shorter than the fingerprint)
// starts like the live file: it is not a rotation to read on its own, and
// once the truncation shows it supplies the lines tend had not read.
TEST(FileUnseenRotationTest, ACopyBeingWrittenIsNotReadTwice) {
  TempDir dir;
  FakeClock clock;
  auto source = Make(Options(dir), &clock);
  KeepSink sink;
  AppendText(dir / "app.log", Numbered(0, 300));
  Drain(*source, sink);
  AppendText(dir / "app.log", Numbered(300, 320));
  const std::string whole = ReadText(dir / "app.log");
  AppendText(dir / "app.log.1", whole.substr(0, 500));  // The copy begins.
  Drain(*source, sink);
  EXPECT_EQ(sink.Lines(), NumberedLines(0, 320));
  AppendText(dir / "app.log.1", whole.substr(500));  // The copy ends.
  ASSERT_EQ(truncate((dir / "app.log").c_str(), 0), 0);
  AppendText(dir / "app.log", Numbered(320, 330));
  Drain(*source, sink);
  EXPECT_EQ(sink.Lines(), NumberedLines(0, 330));
}

// A retired file renamed again (.1 -> .2) is still the same file.
TEST(FileUnseenRotationTest, RetiredFileRenamedAgainIsNotReadAgain) {
  TempDir dir;
  FakeClock clock;
  auto source = Make(Options(dir), &clock);
  KeepSink sink;
  AppendText(dir / "app.log", Numbered(0, 100));
  Drain(*source, sink);
  std::filesystem::rename(dir / "app.log", dir / "app.log.1");
  AppendText(dir / "app.log", Numbered(100, 200));
  Drain(*source, sink);
  ASSERT_EQ(sink.Lines(), NumberedLines(0, 200));
  std::filesystem::rename(dir / "app.log.1", dir / "app.log.2");
  std::filesystem::rename(dir / "app.log", dir / "app.log.1");
  AppendText(dir / "app.log", Numbered(200, 250));
  Drain(*source, sink);
  EXPECT_EQ(sink.Lines(), NumberedLines(0, 250));
  EXPECT_EQ(source->stats().open, 1u);
}

}  // namespace
}  // namespace tend::logs
