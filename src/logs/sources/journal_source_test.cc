// JournalSource against real journal files written by
// systemd-journal-remote from Journal Export Format input.
#include "logs/sources/journal_source.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "base/subprocess.h"

namespace tend::logs {
namespace {

constexpr const char* kJournalRemote = "/lib/systemd/systemd-journal-remote";
constexpr int64_t kBaseUsec = 1'700'000'000'000'000;  // 2023-11-14.

struct Entry {
  std::string message;
  std::string unit;        // _SYSTEMD_UNIT, "" for none.
  std::string identifier;  // SYSLOG_IDENTIFIER, "" for none.
  int priority = 6;
  int pid = 100;
  std::string host = "web1";
};

// One entry in Journal Export Format. A message with a newline or a
// control byte uses the binary form (name, LF, 64-bit LE size, data, LF).
void AppendExport(const Entry& e, int64_t usec, uint64_t seq,
                  std::string* out) {
  *out += "__REALTIME_TIMESTAMP=" + std::to_string(usec) + "\n";
  *out += "__MONOTONIC_TIMESTAMP=" + std::to_string(seq * 1000 + 1) + "\n";
  *out += "_BOOT_ID=0123456789abcdef0123456789abcdef\n";
  bool binary = false;
  for (char c : e.message) {
    if (static_cast<unsigned char>(c) < 0x20) binary = true;
  }
  if (binary) {
    *out += "MESSAGE\n";
    uint64_t n = e.message.size();
    for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>(n >> (8 * i)));
    *out += e.message + "\n";
  } else {
    *out += "MESSAGE=" + e.message + "\n";
  }
  *out += "PRIORITY=" + std::to_string(e.priority) + "\n";
  if (!e.unit.empty()) *out += "_SYSTEMD_UNIT=" + e.unit + "\n";
  if (!e.identifier.empty()) *out += "SYSLOG_IDENTIFIER=" + e.identifier + "\n";
  *out += "_PID=" + std::to_string(e.pid) + "\n";
  *out += "_HOSTNAME=" + e.host + "\n";
  *out += "\n";
}

class JournalSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tend-journal-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes `entries` into DIR/<file>.journal with systemd-journal-remote;
  // entry i gets time kBaseUsec + (first + i) seconds.
  void WriteJournal(const std::string& file, const std::vector<Entry>& entries,
                    uint64_t first = 0) {
    std::string input;
    for (size_t i = 0; i < entries.size(); ++i) {
      AppendExport(entries[i],
                   kBaseUsec + static_cast<int64_t>(first + i) * 1'000'000,
                   first + i + 1, &input);
    }
    SubprocessOptions o;
    o.argv = {kJournalRemote, "--output=" + dir_ + "/" + file + ".journal",
              "-"};
    o.stdin_data = input;
    o.timeout_ms = 20000;
    auto r = RunSubprocess(o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_TRUE(r->success()) << r->stderr_data;
  }

  std::unique_ptr<JournalSource> OpenSource(
      std::vector<std::string> matches = {},
      JournalSourceOptions::StartAt start =
          JournalSourceOptions::StartAt::kBeginning) {
    JournalSourceOptions o;
    o.name = "journal";
    o.directory = dir_;
    o.matches = std::move(matches);
    o.start_at = start;
    auto s = JournalSource::Open(o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }

  std::string dir_;
};

struct Got {
  std::string line;
  LogRecord record;
  bool truncated;
};

class CollectSink : public EntrySink {
 public:
  void Add(const SourceEntry& e) override {
    ASSERT_NE(e.record, nullptr);
    got.push_back({std::string(e.line), *e.record, e.truncated});
  }
  std::vector<Got> got;
};

std::vector<Entry> LoghubEntries(size_t n) {
  std::ifstream in("../shared/data/loghub/OpenSSH_2k.log");
  EXPECT_TRUE(in);
  std::vector<Entry> out;
  std::string line;
  while (out.size() < n && std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();  // CRLF files.
    Entry e;
    e.message = line;
    e.unit = "ssh.service";
    e.identifier = "sshd";
    e.pid = 1000 + static_cast<int>(out.size());
    e.priority = out.size() % 8;
    out.push_back(e);
  }
  return out;
}

TEST_F(JournalSourceTest, ReadsFieldsFromRealJournalFiles) {
  std::vector<Entry> entries = LoghubEntries(50);
  Entry unit_only;
  unit_only.message = "unit without identifier";
  unit_only.unit = "cron.service";
  unit_only.priority = 3;
  entries.push_back(unit_only);
  WriteJournal("remote", entries);
  auto s = OpenSource();
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(s->Restore("").ok());
  CollectSink sink;
  auto n = s->Poll(sink, 1 << 20);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  ASSERT_EQ(*n, entries.size());
  for (size_t i = 0; i < 50; ++i) {
    const Got& g = sink.got[i];
    EXPECT_EQ(g.line, entries[i].message);
    EXPECT_EQ(g.record.message, entries[i].message);
    EXPECT_EQ(g.record.app, "sshd");
    EXPECT_EQ(g.record.host, "web1");
    EXPECT_EQ(g.record.pid, 1000 + static_cast<int64_t>(i));
    EXPECT_EQ(g.record.level, LevelFromSeverity(static_cast<int>(i % 8)));
    EXPECT_EQ(g.record.time_ns,
              (kBaseUsec + static_cast<int64_t>(i) * 1'000'000) * 1000);
    EXPECT_TRUE(g.record.time_from_line);
    ASSERT_NE(g.record.fields.Find("unit"), nullptr);
    EXPECT_EQ(*g.record.fields.Find("unit"), "ssh.service");
    EXPECT_FALSE(g.truncated);
  }
  const Got& last = sink.got.back();
  EXPECT_EQ(last.record.app, "cron.service");
  EXPECT_EQ(last.record.level, Level::kError);
  EXPECT_EQ(s->stats().entries, entries.size());
  EXPECT_FALSE(s->Checkpoint().empty());
  // Nothing more.
  n = s->Poll(sink, 1 << 20);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0u);
}

TEST_F(JournalSourceTest, CheckpointRestoreResumesRightAfterLastEntry) {
  const std::vector<Entry> entries = LoghubEntries(40);
  WriteJournal("remote", entries);
  std::string checkpoint;
  std::vector<std::string> seen;
  // Read in small polls, "restarting" (a new source) after each one.
  for (int round = 0; round < 100 && seen.size() < entries.size(); ++round) {
    auto s = OpenSource();
    ASSERT_NE(s, nullptr);
    ASSERT_TRUE(s->Restore(checkpoint).ok());
    CollectSink sink;
    auto n = s->Poll(sink, 300);  // A few entries per poll.
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    ASSERT_GT(*n, 0u);
    for (const Got& g : sink.got) seen.push_back(g.line);
    checkpoint = s->Checkpoint();
  }
  ASSERT_EQ(seen.size(), entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(seen[i], entries[i].message) << i;
  }
  // New entries in a further journal file (as after rotation) come next,
  // and nothing before them again.
  std::vector<Entry> more = LoghubEntries(45);
  more.erase(more.begin(), more.begin() + 40);
  WriteJournal("remote-2", more, 40);
  auto s = OpenSource();
  ASSERT_TRUE(s->Restore(checkpoint).ok());
  CollectSink sink;
  ASSERT_TRUE(s->Poll(sink, 1 << 20).ok());
  ASSERT_EQ(sink.got.size(), 5u);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(sink.got[i].line, more[i].message);
}

TEST_F(JournalSourceTest, MatchesOrWithinFieldAndAcrossFields) {
  std::vector<Entry> entries;
  const char* units[] = {"nginx.service", "ssh.service", "cron.service"};
  for (int i = 0; i < 30; ++i) {
    Entry e;
    e.unit = units[i % 3];
    e.priority = i % 2 == 0 ? 3 : 6;
    e.identifier = "app";
    e.message = "entry " + std::to_string(i);
    entries.push_back(e);
  }
  WriteJournal("remote", entries);
  {
    auto s = OpenSource({"_SYSTEMD_UNIT=nginx.service"});
    ASSERT_TRUE(s->Restore("").ok());
    CollectSink sink;
    ASSERT_TRUE(s->Poll(sink, 1 << 20).ok());
    ASSERT_EQ(sink.got.size(), 10u);
    for (const Got& g : sink.got) {
      EXPECT_EQ(*g.record.fields.Find("unit"), "nginx.service");
    }
  }
  {
    // (nginx OR ssh) AND PRIORITY=3.
    auto s = OpenSource({"_SYSTEMD_UNIT=nginx.service",
                         "_SYSTEMD_UNIT=ssh.service", "PRIORITY=3"});
    ASSERT_TRUE(s->Restore("").ok());
    CollectSink sink;
    ASSERT_TRUE(s->Poll(sink, 1 << 20).ok());
    std::vector<std::string> want;
    for (int i = 0; i < 30; ++i) {
      if (i % 3 != 2 && i % 2 == 0)
        want.push_back("entry " + std::to_string(i));
    }
    std::vector<std::string> got;
    for (const Got& g : sink.got) got.push_back(g.line);
    EXPECT_EQ(got, want);
  }
  JournalSourceOptions bad;
  bad.name = "j";
  bad.directory = dir_;
  bad.matches = {"nginx.service"};
  auto b = JournalSource::Open(bad);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("FIELD=value"), std::string::npos);
  bad.matches = {"_systemd_unit=x"};
  EXPECT_FALSE(JournalSource::Open(bad).ok());
}

TEST_F(JournalSourceTest, StartAtEndSeesOnlyNewEntriesAndCheckpointsTail) {
  WriteJournal("remote", LoghubEntries(10));
  auto s = OpenSource({}, JournalSourceOptions::StartAt::kEnd);
  ASSERT_TRUE(s->Restore("").ok());
  const std::string tail = s->Checkpoint();
  EXPECT_FALSE(tail.empty());  // The last existing entry.
  CollectSink sink;
  ASSERT_TRUE(s->Poll(sink, 1 << 20).ok());
  EXPECT_TRUE(sink.got.empty());
  std::vector<Entry> more(3);
  for (int i = 0; i < 3; ++i) more[i].message = "late " + std::to_string(i);
  WriteJournal("remote-2", more, 10);
  // wait_fd() wakes the pipeline; the new file is picked up through
  // sd_journal_process in Poll.
  pollfd p{s->wait_fd(), POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 5000), 1) << "wait_fd did not signal the new file";
  ASSERT_TRUE(s->Poll(sink, 1 << 20).ok());
  ASSERT_EQ(sink.got.size(), 3u);
  EXPECT_EQ(sink.got[0].line, "late 0");
  // A restart from the tail checkpoint sees the same three.
  auto again = OpenSource({}, JournalSourceOptions::StartAt::kEnd);
  ASSERT_TRUE(again->Restore(tail).ok());
  CollectSink sink2;
  ASSERT_TRUE(again->Poll(sink2, 1 << 20).ok());
  ASSERT_EQ(sink2.got.size(), 3u);
  EXPECT_EQ(sink2.got[2].line, "late 2");
}

TEST_F(JournalSourceTest, VanishedCursorRestartsFromOldestAndBadCursorFails) {
  WriteJournal("remote", LoghubEntries(5));
  auto s = OpenSource();
  ASSERT_TRUE(s->Restore("").ok());
  CollectSink sink;
  ASSERT_TRUE(s->Poll(sink, 1 << 20).ok());
  const std::string cursor = s->Checkpoint();
  s.reset();
  // The journal is replaced (vacuumed and recreated): the cursor's entry
  // is gone.
  std::filesystem::remove(dir_ + "/remote.journal");
  std::vector<Entry> fresh(4);
  for (int i = 0; i < 4; ++i) fresh[i].message = "fresh " + std::to_string(i);
  WriteJournal("remote-new", fresh, 100);
  s = OpenSource();
  ASSERT_TRUE(s->Restore(cursor).ok());
  CollectSink sink2;
  ASSERT_TRUE(s->Poll(sink2, 1 << 20).ok());
  ASSERT_EQ(sink2.got.size(), 4u);
  EXPECT_EQ(sink2.got[0].line, "fresh 0");

  auto t = OpenSource();
  Status bad = t->Restore("not a cursor");
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("\"journal\""), std::string::npos);
}

TEST_F(JournalSourceTest, BinaryAndLongMessages) {
  std::vector<Entry> entries(3);
  entries[0].message = std::string("bin\x01\x02 \xff\xfe ok\ttab\nline", 20);
  entries[1].message = "caf\xc3\xa9 valid UTF-8";
  entries[2].message = std::string(200, 'L');
  WriteJournal("remote", entries);
  JournalSourceOptions o;
  o.name = "journal";
  o.directory = dir_;
  o.start_at = JournalSourceOptions::StartAt::kBeginning;
  o.max_message_bytes = 100;
  auto s = JournalSource::Open(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_TRUE((*s)->Restore("").ok());
  CollectSink sink;
  ASSERT_TRUE((*s)->Poll(sink, 1 << 20).ok());
  ASSERT_EQ(sink.got.size(), 3u);
  EXPECT_EQ(sink.got[0].line, "bin\\x01\\x02 \\xff\\xfe ok\ttab\nline");
  EXPECT_EQ(sink.got[1].line, "caf\xc3\xa9 valid UTF-8");
  EXPECT_EQ(sink.got[2].line, std::string(100, 'L'));
  EXPECT_TRUE(sink.got[2].truncated);
  EXPECT_EQ((*s)->stats().truncated, 1u);
}

TEST(SanitizeJournalMessageTest, EscapesOnlyWhatIsNeeded) {
  std::string scratch;
  EXPECT_EQ(SanitizeJournalMessage("plain", &scratch), "plain");
  EXPECT_TRUE(scratch.empty());  // Fast path: no copy.
  EXPECT_EQ(SanitizeJournalMessage(std::string_view("a\0b", 3), &scratch),
            "a\\x00b");
  EXPECT_EQ(SanitizeJournalMessage("\xe2\x82", &scratch), "\\xe2\\x82");
  EXPECT_EQ(SanitizeJournalMessage("\x7f\xef\xbf\xbd", &scratch),
            "\\x7f\xef\xbf\xbd");
}

TEST(JournalSourceOpenTest, LocalJournalOpens) {
  // The machine's own journal may be empty or absent in a container;
  // opening it must still succeed (sd-journal opens what exists).
  JournalSourceOptions o;
  o.name = "system";
  auto s = JournalSource::Open(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_GE((*s)->wait_fd(), 0);
  ASSERT_TRUE((*s)->Restore("").ok());
  CollectSink sink;
  EXPECT_TRUE((*s)->Poll(sink, 1 << 20).ok());
  JournalSourceOptions missing;
  missing.name = "other";
  missing.directory = "/nonexistent/tend-journal";
  auto m = JournalSource::Open(missing);
  EXPECT_FALSE(m.ok());
}

}  // namespace
}  // namespace tend::logs
