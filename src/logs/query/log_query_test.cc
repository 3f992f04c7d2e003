// Log queries over real stores: loghub samples and synthetic lines,
// checked against straightforward loops over the input.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "logs/query/query_test_util.h"

namespace tend::logql {
namespace {

using logs::Direction;

// OpenSSH_2k.log, one line per 100 ms from kT0, stream {app="sshd"}; the
// Linux sample as {app="linux"} at the same times.
class LoghubQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(db_.ok());
    ssh_ = ReadLoghub("OpenSSH_2k.log");
    linux_ = ReadLoghub("Linux_2k.log");
    ASSERT_EQ(ssh_.size(), 2000u);
    ASSERT_GE(linux_.size(), 2000u);
    for (size_t i = 0; i < ssh_.size(); ++i) {
      const int64_t t = kT0 + static_cast<int64_t>(i) * kSec / 10;
      ASSERT_TRUE(db_.store().Append({{"app", "sshd"}}, t, ssh_[i]).ok());
      ASSERT_TRUE(db_.store().Append({{"app", "linux"}}, t, linux_[i]).ok());
    }
    ASSERT_TRUE(db_.store().Commit().ok());
  }
  int64_t T(size_t i) const {
    return kT0 + static_cast<int64_t>(i) * kSec / 10;
  }
  TestStore db_;
  std::vector<std::string> ssh_, linux_;
};

TEST_F(LoghubQueryTest, ContainsFilterBackwardLimit) {
  // Expected: the 25 newest sshd lines containing "Failed password".
  std::vector<std::pair<int64_t, std::string>> want;
  for (size_t i = ssh_.size(); i-- > 0 && want.size() < 25;) {
    if (ssh_[i].find("Failed password") != std::string::npos) {
      want.push_back({T(i), ssh_[i]});
    }
  }
  ASSERT_EQ(want.size(), 25u);
  auto r = RangeQuery(db_.store(), R"({app="sshd"} |= "Failed password")", kT0,
                      T(2000), 0, Direction::kBackward, 25);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->type, ResultType::kStreams);
  ASSERT_EQ(r->streams.size(), 1u);
  const auto& got = r->streams[0].entries;
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].t_ns, want[i].first);
    EXPECT_EQ(got[i].line, want[i].second);
  }
  EXPECT_EQ(r->stats.lines_kept, 25u);
}

TEST_F(LoghubQueryTest, ForwardAcrossStreamsAndEndExclusive) {
  // [T(10), T(20)): both streams, oldest first, end excluded.
  auto r = RangeQuery(db_.store(), R"({app=~"sshd|linux"})", T(10), T(20), 0,
                      Direction::kForward, 1000);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->streams.size(), 2u);
  EXPECT_EQ(GetLabel(r->streams[0].labels, "app"), "linux");
  for (const auto& s : r->streams) {
    ASSERT_EQ(s.entries.size(), 10u);
    EXPECT_EQ(s.entries.front().t_ns, T(10));
    EXPECT_EQ(s.entries.back().t_ns, T(19));
  }
  // Limit 5 forward: the 5 oldest over both streams (equal times tie).
  auto l = RangeQuery(db_.store(), R"({app=~"sshd|linux"})", T(10), T(20), 0,
                      Direction::kForward, 5);
  ASSERT_TRUE(l.ok());
  size_t total = 0;
  int64_t newest = 0;
  for (const auto& s : l->streams) {
    total += s.entries.size();
    for (const auto& e : s.entries) newest = std::max(newest, e.t_ns);
  }
  EXPECT_EQ(total, 5u);
  EXPECT_LE(newest, T(12));
}

TEST_F(LoghubQueryTest, EmptyRangeAndNoMatch) {
  auto r = RangeQuery(db_.store(), R"({app="sshd"})", T(5), T(5), 0,
                      Direction::kBackward, 10);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->streams.empty());
  auto n = RangeQuery(db_.store(), R"({app="nope"})", kT0, T(2000), 0,
                      Direction::kBackward, 10);
  ASSERT_TRUE(n.ok());
  EXPECT_TRUE(n->streams.empty());
}

TEST_F(LoghubQueryTest, RegexpParserGroupsStreams) {
  // Streams split by the extracted user of "Invalid user X from".
  std::map<std::string, size_t> want;
  for (const auto& l : ssh_) {
    const size_t p = l.find("Invalid user ");
    if (p == std::string::npos) continue;
    const size_t s = p + 13, e = l.find(" from ", s);
    if (e == std::string::npos) continue;
    std::string user = l.substr(s, e - s);
    // \S* cannot span a space: no match, so no user label.
    if (user.find(' ') != std::string::npos) user.clear();
    ++want[user];
  }
  ASSERT_FALSE(want.empty());
  auto r = RangeQuery(
      db_.store(),
      R"({app="sshd"} |= "Invalid user " | regexp `Invalid user (?P<user>\S*) from`)",
      kT0, T(2000), 0, Direction::kForward, 5000);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::map<std::string, size_t> got;
  for (const auto& s : r->streams) {
    got[std::string(GetLabel(s.labels, "user"))] += s.entries.size();
    EXPECT_EQ(GetLabel(s.labels, "app"), "sshd");
  }
  EXPECT_EQ(got, want);
}

TEST_F(LoghubQueryTest, BloomSkipsBlocksWithoutChangingResults) {
  // A token that exists in few lines: most blocks are skipped.
  const std::string needle = "173.234.31.186";
  size_t want = 0;
  for (const auto& l : ssh_) want += l.find(needle) != std::string::npos;
  ASSERT_GT(want, 0u);
  auto r = RangeQuery(db_.store(), R"({app="sshd"} |= ")" + needle + "\"", kT0,
                      T(2000), 0, Direction::kForward, 5000);
  ASSERT_TRUE(r.ok());
  size_t got = 0;
  for (const auto& s : r->streams) got += s.entries.size();
  EXPECT_EQ(got, want);
  EXPECT_GT(r->stats.blocks_skipped, 0u);
  EXPECT_LT(r->stats.lines_scanned, ssh_.size());
}

TEST_F(LoghubQueryTest, StreamingCallbackAndStop) {
  auto parsed =
      ParseLogQL(R"q({app="linux"} |~ "(?i)session (opened|closed)")q");
  ASSERT_TRUE(parsed.ok());
  size_t want = 0;
  for (const auto& l : linux_) {
    std::string low = l;
    for (char& c : low) c = static_cast<char>(std::tolower(c));
    want += low.find("session opened") != std::string::npos ||
            low.find("session closed") != std::string::npos;
  }
  size_t n = 0;
  int64_t last = INT64_MIN;
  bool ordered = true;
  auto st =
      StreamLogQuery(db_.store(), static_cast<const LogQueryExpr&>(**parsed),
                     kT0, T(2000), Direction::kForward, 0, {},
                     [&](const Labels&, int64_t t, std::string_view) {
                       ordered = ordered && t >= last;
                       last = t;
                       ++n;
                       return true;
                     });
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(n, want);
  EXPECT_TRUE(ordered);
  size_t m = 0;
  auto stop = StreamLogQuery(
      db_.store(), static_cast<const LogQueryExpr&>(**parsed), kT0, T(2000),
      Direction::kForward, 0, {},
      [&](const Labels&, int64_t, std::string_view) { return ++m < 3; });
  ASSERT_TRUE(stop.ok());
  EXPECT_EQ(m, 3u);
}

TEST_F(LoghubQueryTest, Limits) {
  QueryLimits lim;
  lim.max_entries = 10;
  auto r = RangeQuery(db_.store(), R"({app="sshd"})", kT0, T(2000), 0,
                      Direction::kBackward, 11, lim);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.status().message().find("max_entries"), std::string::npos);
  QueryLimits bytes;
  bytes.max_bytes_read = 10000;
  auto b = RangeQuery(db_.store(), R"({app="sshd"} |~ "no such text")", kT0,
                      T(2000), 0, Direction::kBackward, 10, bytes);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(b.status().message().find("max_bytes_read"), std::string::npos);
  QueryLimits time;
  time.timeout_ns = -1;  // Already past.
  auto t = RangeQuery(db_.store(), R"(count_over_time({app="sshd"}[1m]))", kT0,
                      T(2000), 60 * kSec, Direction::kBackward, 0, time);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kDeadlineExceeded);
  auto inst = InstantQuery(db_.store(), R"({app="sshd"})", T(100));
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.status().code(), StatusCode::kInvalidArgument);
}

TEST(LogQueryTest, JsonLinesLabelFilterAndLineFormat) {
  TestStore db;
  ASSERT_TRUE(db.ok());
  std::vector<std::pair<int, std::string>> rows;
  for (int i = 0; i < 300; ++i) {
    const int status = (i % 7 == 0) ? 503 : (i % 5 == 0 ? 404 : 200);
    const std::string path = "/p" + std::to_string(i % 3);
    std::string line = R"({"status":)" + std::to_string(status) +
                       R"(,"path":")" + path + R"(","app":"inner"})";
    if (i % 50 == 49) line = "garbage " + std::to_string(i);
    rows.push_back({status, line});
    ASSERT_TRUE(db.store().Append({{"app", "api"}}, kT0 + i * kSec, line).ok());
  }
  ASSERT_TRUE(db.store().Commit().ok());
  auto r = RangeQuery(
      db.store(),
      R"({app="api"} | json | __error__="" | status >= 500 | line_format "{{.path}} {{.status}}")",
      kT0, kT0 + 300 * kSec, 0, Direction::kForward, 1000);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::map<std::string, std::vector<std::string>> want;
  for (const auto& [status, line] : rows) {
    if (line.rfind("garbage", 0) == 0 || status < 500) continue;
    const size_t p = line.find("\"path\":\"") + 8;
    const std::string path = line.substr(p, line.find('"', p) - p);
    want[path].push_back(path + " " + std::to_string(status));
  }
  std::map<std::string, std::vector<std::string>> got;
  for (const auto& s : r->streams) {
    EXPECT_EQ(GetLabel(s.labels, "app_extracted"), "inner");
    EXPECT_EQ(GetLabel(s.labels, "status"), "503");
    for (const auto& e : s.entries) {
      got[std::string(GetLabel(s.labels, "path"))].push_back(e.line);
    }
  }
  EXPECT_EQ(got, want);
  // Without the error filter the garbage lines come back with __error__.
  auto e = RangeQuery(db.store(), R"({app="api"} | json | __error__!="")", kT0,
                      kT0 + 300 * kSec, 0, Direction::kForward, 1000);
  ASSERT_TRUE(e.ok());
  size_t errors = 0;
  for (const auto& s : e->streams) {
    EXPECT_EQ(GetLabel(s.labels, "__error__"), "JSONParserErr");
    errors += s.entries.size();
  }
  EXPECT_EQ(errors, 6u);
}

}  // namespace
}  // namespace tend::logql
