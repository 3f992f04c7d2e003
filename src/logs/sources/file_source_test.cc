// FileSource basics: reading, discovery, start position, long lines,
// multiline records, partial lines, checkpoint and restore.
#include "logs/sources/file_source.h"

#include <gtest/gtest.h>
#include <poll.h>

#include <filesystem>

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

constexpr char kLoghub[] = "../shared/data/loghub/";

FileSourceOptions Options(const TempDir& dir, const std::string& glob) {
  FileSourceOptions o;
  o.name = "test";
  o.include = {dir / glob};
  o.rotate_wait_ns = 0;
  return o;
}

std::unique_ptr<FileSource> Make(FileSourceOptions o, Clock* clock) {
  auto s = FileSource::Create(std::move(o), clock);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

TEST(FileSourceTest, ReadsEveryLoghubLineWithItsPath) {
  TempDir dir;
  const std::vector<std::string> names = {"Apache_2k.log", "Linux_2k.log",
                                          "OpenSSH_2k.log"};
  for (const std::string& name : names) {
    std::filesystem::copy_file(kLoghub + name, dir / name);
  }
  FakeClock clock;
  auto source = Make(Options(dir, "*.log"), &clock);
  KeepSink sink;
  Drain(*source, sink, 4096);
  auto lines_of = [&](const std::string& path) {
    std::vector<std::string> got;
    for (const auto& e : sink.entries) {
      if (e.origin == path) got.push_back(e.line);
    }
    return got;
  };
  // The samples end without a newline: that last line is not complete
  // while the file may still grow.
  for (const std::string& name : names) {
    std::vector<std::string> want = SplitLines(ReadText(kLoghub + name));
    ASSERT_EQ(want.size(), 1999u) << name;
    EXPECT_EQ(lines_of(dir / name), want) << name;
  }
  EXPECT_EQ(source->stats().entries, 3 * 1999u);
  EXPECT_EQ(source->stats().open, 3u);
  // Rotated away and quiet: the last line goes out as it is.
  for (const std::string& name : names) {
    std::filesystem::rename(dir / name, dir / (name + ".1"));
  }
  Drain(*source, sink, 4096);
  for (const std::string& name : names) {
    EXPECT_EQ(lines_of(dir / name), testing::AllLines(ReadText(kLoghub + name)))
        << name;
  }
  EXPECT_EQ(source->stats().entries, 6000u);
  EXPECT_EQ(source->stats().open, 0u);
  EXPECT_EQ(source->stats().truncated, 0u);
}

TEST(FileSourceTest, PollStopsNearMaxBytes) {
  TempDir dir;
  AppendText(dir / "a.log", Numbered(0, 1000));
  FakeClock clock;
  auto source = Make(Options(dir, "*.log"), &clock);
  KeepSink sink;
  auto n = source->Poll(sink, 100);
  ASSERT_TRUE(n.ok());
  EXPECT_GE(*n, 1u);
  EXPECT_LE(*n, 20u);
  Drain(*source, sink);
  EXPECT_EQ(sink.Lines(), NumberedLines(0, 1000));
}

TEST(FileSourceTest, FindsNewFilesThroughInotify) {
  TempDir dir;
  FakeClock clock;
  FileSourceOptions o = Options(dir, "*.log");
  o.rescan_interval_ns = int64_t{3600} * kNanosPerSecond;  // Never, here.
  auto source = Make(o, &clock);
  KeepSink sink;
  Drain(*source, sink);
  ASSERT_GE(source->wait_fd(), 0);
  AppendText(dir / "new.log", Numbered(0, 3));
  AppendText(dir / "other.txt", "not matched\n");
  struct pollfd pfd = {source->wait_fd(), POLLIN, 0};
  ASSERT_EQ(poll(&pfd, 1, 2000), 1);
  Drain(*source, sink);
  EXPECT_EQ(sink.Lines(), NumberedLines(0, 3));
  EXPECT_EQ(sink.entries[0].origin, dir / "new.log");
}

TEST(FileSourceTest, FindsDirectoriesThatAppearLaterOnRescan) {
  TempDir dir;
  FakeClock clock;
  FileSourceOptions o;
  o.name = "test";
  o.include = {dir / "later/*.log"};
  o.rescan_interval_ns = 10 * kNanosPerSecond;
  auto source = Make(o, &clock);
  KeepSink sink;
  Drain(*source, sink);
  std::filesystem::create_directory(dir / "later");
  AppendText(dir / "later/x.log", Numbered(0, 5));
  Drain(*source, sink);
  EXPECT_TRUE(sink.entries.empty());  // Not watched yet, no rescan due.
  clock.Advance(11 * kNanosPerSecond);
  Drain(*source, sink);
  EXPECT_EQ(sink.Lines(), NumberedLines(0, 5));
  // Now the directory is watched: a second file shows up without a rescan.
  AppendText(dir / "later/y.log", Numbered(5, 7));
  struct pollfd pfd = {source->wait_fd(), POLLIN, 0};
  ASSERT_EQ(poll(&pfd, 1, 2000), 1);
  Drain(*source, sink);
  EXPECT_EQ(sink.Lines(), NumberedLines(0, 7));
}

TEST(FileSourceTest, ExcludeGlobsWin) {
  TempDir dir;
  AppendText(dir / "a.log", "a\n");
  AppendText(dir / "debug.log", "d\n");
  FakeClock clock;
  FileSourceOptions o = Options(dir, "*.log");
  o.exclude = {dir / "debug*"};
  auto source = Make(o, &clock);
  KeepSink sink;
  Drain(*source, sink);
  EXPECT_EQ(sink.Lines(), std::vector<std::string>{"a"});
}

TEST(FileSourceTest, StartAtEndSkipsExistingContentOnly) {
  TempDir dir;
  AppendText(dir / "old.log", Numbered(0, 10) + "partial");
  FakeClock clock;
  FileSourceOptions o = Options(dir, "*.log");
  o.start_at = StartAt::kEnd;
  auto source = Make(o, &clock);
  KeepSink sink;
  Drain(*source, sink);
  EXPECT_TRUE(sink.entries.empty());
  AppendText(dir / "old.log", " end\n" + Numbered(10, 12));
  AppendText(dir / "new.log", Numbered(0, 2, "new "));
  clock.Advance(11 * kNanosPerSecond);
  Drain(*source, sink);
  std::vector<std::string> old_lines, new_lines;
  for (const auto& e : sink.entries) {
    (e.origin == dir / "old.log" ? old_lines : new_lines).push_back(e.line);
  }
  std::vector<std::string> want_old = {"partial end"};
  for (auto& l : NumberedLines(10, 12)) want_old.push_back(l);
  EXPECT_EQ(old_lines, want_old);
  EXPECT_EQ(new_lines, NumberedLines(0, 2, "new "));
}

TEST(FileSourceTest, PartialLineWaitsForItsNewline) {
  TempDir dir;
  AppendText(dir / "a.log", "complete\nhalf");
  FakeClock clock;
  auto source = Make(Options(dir, "*.log"), &clock);
  KeepSink sink;
  Drain(*source, sink);
  EXPECT_EQ(sink.Lines(), std::vector<std::string>{"complete"});
  clock.Advance(60 * kNanosPerSecond);
  Drain(*source, sink);
  EXPECT_EQ(sink.entries.size(), 1u);
  AppendText(dir / "a.log", " done\r\n");
  Drain(*source, sink);
  EXPECT_EQ(sink.Lines(), (std::vector<std::string>{"complete", "half done"}));
}

TEST(FileSourceTest, LongLinesAreCutAndCounted) {
  TempDir dir;
  std::string huge(50000, 'x');
  AppendText(dir / "a.log",
             "short\n" + std::string(150, 'y') + "\n" + huge + "\nafter\n");
  FakeClock clock;
  FileSourceOptions o = Options(dir, "*.log");
  o.max_record_bytes = 100;
  o.read_size = 4096;  // The huge line spans many reads.
  auto source = Make(o, &clock);
  KeepSink sink;
  Drain(*source, sink);
  ASSERT_EQ(sink.entries.size(), 4u);
  EXPECT_EQ(sink.entries[0].line, "short");
  EXPECT_EQ(sink.entries[1].line, std::string(100, 'y'));
  EXPECT_TRUE(sink.entries[1].truncated);
  EXPECT_EQ(sink.entries[2].line, std::string(100, 'x'));
  EXPECT_TRUE(sink.entries[2].truncated);
  EXPECT_EQ(sink.entries[3].line, "after");
  EXPECT_FALSE(sink.entries[3].truncated);
  EXPECT_EQ(source->stats().truncated, 2u);
}

TEST(FileSourceTest, CheckpointInsideALongLineRestartsAtItsStart) {
  TempDir dir;
  FakeClock clock;
  FileSourceOptions o = Options(dir, "*.log");
  o.max_record_bytes = 100;
  o.read_size = 4096;
  AppendText(dir / "a.log", "one\n" + std::string(9000, 'z'));
  auto source = Make(o, &clock);
  KeepSink sink;
  Drain(*source, sink);
  EXPECT_EQ(sink.Lines(), std::vector<std::string>{"one"});
  std::string cp = source->Checkpoint();
  source.reset();
  AppendText(dir / "a.log", "zz\ntwo\n");
  auto again = Make(o, &clock);
  ASSERT_TRUE(again->Restore(cp).ok());
  Drain(*again, sink);
  ASSERT_EQ(sink.entries.size(), 3u);
  EXPECT_EQ(sink.entries[1].line, std::string(100, 'z'));
  EXPECT_EQ(sink.entries[2].line, "two");
}

const char kJavaLog[] =
    "2024-01-02 10:00:00 INFO start\n"
    "2024-01-02 10:00:01 ERROR failed\n"
    "java.lang.IllegalStateException: bad\n"
    "\tat com.example.A.run(A.java:10)\n"
    "Caused by: java.io.IOException: eof\n"
    "\t... 3 more\n"
    "2024-01-02 10:00:02 INFO end\n";

TEST(FileSourceTest, MultilineStartPattern) {
  TempDir dir;
  AppendText(dir / "a.log", kJavaLog);
  FakeClock clock;
  FileSourceOptions o = Options(dir, "*.log");
  o.multiline.mode = MultilineMode::kStartPattern;
  o.multiline.start_pattern = R"(^\d{4}-\d{2}-\d{2} )";
  auto source = Make(o, &clock);
  KeepSink sink;
  Drain(*source, sink);
  // The last record waits: its end is not known yet.
  ASSERT_EQ(sink.entries.size(), 2u);
  EXPECT_EQ(sink.entries[1].line,
            "2024-01-02 10:00:01 ERROR failed\n"
            "java.lang.IllegalStateException: bad\n"
            "\tat com.example.A.run(A.java:10)\n"
            "Caused by: java.io.IOException: eof\n"
            "\t... 3 more");
  // Its position is its start, so a restart hands it out once, whole.
  std::string cp = source->Checkpoint();
  clock.Advance(kNanosPerSecond / 2);
  Drain(*source, sink);
  EXPECT_EQ(sink.entries.size(), 2u);
  clock.Advance(kNanosPerSecond);
  Drain(*source, sink);
  ASSERT_EQ(sink.entries.size(), 3u);
  EXPECT_EQ(sink.entries[2].line, "2024-01-02 10:00:02 INFO end");

  auto again = Make(o, &clock);
  ASSERT_TRUE(again->Restore(cp).ok());
  KeepSink sink2;
  Drain(*again, sink2);
  clock.Advance(2 * kNanosPerSecond);
  Drain(*again, sink2);
  EXPECT_EQ(sink2.Lines(),
            std::vector<std::string>{"2024-01-02 10:00:02 INFO end"});
}

TEST(FileSourceTest, MultilineIndentedAndMaxLines) {
  TempDir dir;
  AppendText(dir / "a.log",
             "Traceback follows\n  File \"x.py\", line 1\n  boom\n"
             "next\n a\n b\n c\n d\nlast\n");
  FakeClock clock;
  FileSourceOptions o = Options(dir, "*.log");
  o.multiline.mode = MultilineMode::kIndented;
  o.multiline.max_lines = 3;
  auto source = Make(o, &clock);
  KeepSink sink;
  Drain(*source, sink);
  clock.Advance(2 * kNanosPerSecond);
  Drain(*source, sink);
  EXPECT_EQ(sink.Lines(),
            (std::vector<std::string>{
                "Traceback follows\n  File \"x.py\", line 1\n  boom",
                "next\n a\n b", " c\n d", "last"}));
}

TEST(FileSourceTest, RestoreContinuesExactly) {
  TempDir dir;
  AppendText(dir / "a.log", Numbered(0, 500));
  FakeClock clock;
  auto source = Make(Options(dir, "*.log"), &clock);
  KeepSink first;
  ASSERT_TRUE(source->Poll(first, 1000).ok());
  std::string cp = source->Checkpoint();
  size_t kept = first.entries.size();
  ASSERT_GT(kept, 0u);
  ASSERT_LT(kept, 500u);
  source.reset();
  AppendText(dir / "a.log", Numbered(500, 600));
  auto again = Make(Options(dir, "*.log"), &clock);
  ASSERT_TRUE(again->Restore(cp).ok());
  KeepSink second;
  Drain(*again, second);
  std::vector<std::string> all = first.Lines();
  for (auto& l : second.Lines()) all.push_back(l);
  EXPECT_EQ(all, NumberedLines(0, 600));
}

TEST(FileSourceTest, DamagedCheckpointIsAnErrorNamingTheSource) {
  TempDir dir;
  FakeClock clock;
  auto source = Make(Options(dir, "*.log"), &clock);
  Status s =
      source->Restore("tend-files 1\nf 1 2 3 zz 5 /x\ncrc32c 00000000\n");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("file source \"test\""), std::string::npos);
}

TEST(FileSourceTest, BadOptionsAreErrors) {
  FileSourceOptions o;
  o.name = "x";
  EXPECT_FALSE(FileSource::Create(o).ok());
  o.include = {"relative/*.log"};
  EXPECT_FALSE(FileSource::Create(o).ok());
  o.include = {"/tmp/*.log"};
  o.multiline.mode = MultilineMode::kStartPattern;
  o.multiline.start_pattern = "[";
  EXPECT_FALSE(FileSource::Create(o).ok());
}

}  // namespace
}  // namespace tend::logs
