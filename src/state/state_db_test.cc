#include "state/state_db.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace tend::state {
namespace {

class StateDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tend-state-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/state.db";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<StateDb> Open() {
    Result<std::unique_ptr<StateDb>> db = StateDb::Open(path_);
    EXPECT_TRUE(db.ok()) << db.status().message();
    return db.ok() ? std::move(*db) : nullptr;
  }

  std::string dir_, path_;
};

Event Ev(int64_t t, std::string kind, std::string subject,
         std::string outcome) {
  Event e;
  e.time_ms = t;
  e.kind = std::move(kind);
  e.subject = std::move(subject);
  e.outcome = std::move(outcome);
  e.message = e.kind + " " + e.subject + " " + e.outcome;
  e.details_json = R"({"n":1})";
  return e;
}

TEST_F(StateDbTest, EventsSurviveReopenAndFilter) {
  {
    auto db = Open();
    ASSERT_NE(db, nullptr);
    for (int i = 0; i < 10; ++i) {
      Result<int64_t> id = db->AppendEvent(
          Ev(1000 + i, i % 2 ? "alert" : "remedy", i < 5 ? "a" : "b", "ok"));
      ASSERT_TRUE(id.ok());
      EXPECT_EQ(*id, i + 1);
    }
  }
  auto db = Open();
  ASSERT_NE(db, nullptr);
  EventQuery all;
  Result<std::vector<Event>> got = db->ListEvents(all);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 10u);
  EXPECT_EQ((*got)[0].time_ms, 1000);  // Oldest first.
  EXPECT_EQ((*got)[9].time_ms, 1009);
  EXPECT_EQ((*got)[3].details_json, R"({"n":1})");

  EventQuery q;
  q.kinds = {"alert"};
  q.since_ms = 1004;
  got = db->ListEvents(q);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 3u);  // 1005, 1007, 1009.
  EXPECT_EQ((*got)[0].time_ms, 1005);

  EventQuery limited;
  limited.limit = 2;
  limited.subject = "a";
  got = db->ListEvents(limited);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 2u);  // The newest two of subject a, oldest first.
  EXPECT_EQ((*got)[0].time_ms, 1003);
  EXPECT_EQ((*got)[1].time_ms, 1004);
}

TEST_F(StateDbTest, PruneEventsByAgeThenCount) {
  auto db = Open();
  ASSERT_NE(db, nullptr);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(db->AppendEvent(Ev(i, "alert", "x", "ok")).ok());
  }
  Result<int64_t> n = db->PruneEvents(5, 10);
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(*n, 10);  // 0..4 by age, then 5..9 beyond the newest 10.
  Result<std::vector<Event>> left = db->ListEvents({});
  ASSERT_TRUE(left.ok());
  ASSERT_EQ(left->size(), 10u);
  EXPECT_EQ(left->front().time_ms, 10);
}

TEST_F(StateDbTest, KeyedRecords) {
  auto db = Open();
  ASSERT_NE(db, nullptr);
  std::string binary("a\0b\xff", 4);
  ASSERT_TRUE(db->Put("nflog", "k1", binary).ok());
  ASSERT_TRUE(db->Put("nflog", "k2", "v2").ok());
  ASSERT_TRUE(db->Put("other", "k1", "o").ok());
  Result<std::string> v = db->Get("nflog", "k1");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, binary);
  EXPECT_EQ(db->Get("nflog", "nope").status().code(), StatusCode::kNotFound);

  ASSERT_TRUE(db->PutAll("nflog", {{"k2", "new"}, {"k3", "v3"}}, true).ok());
  auto list = db->List("nflog");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].first, "k2");
  EXPECT_EQ((*list)[0].second, "new");
  EXPECT_EQ((*list)[1].first, "k3");
  ASSERT_TRUE(db->Get("other", "k1").ok());  // Other namespaces untouched.

  ASSERT_TRUE(db->Delete("nflog", "k3").ok());
  ASSERT_TRUE(db->Delete("nflog", "absent").ok());
  list = db->List("nflog");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 1u);
}

TEST_F(StateDbTest, Silences) {
  auto db = Open();
  ASSERT_NE(db, nullptr);
  SilenceRecord s;
  s.id = "id-1";
  s.matchers = {"alertname=\"HostDown\"", "instance=~\"web.*\""};
  s.starts_at_ms = 100;
  s.ends_at_ms = 200;
  s.created_by = "ops";
  s.comment = "maintenance \"window\"";
  s.updated_at_ms = 100;
  ASSERT_TRUE(db->PutSilence(s).ok());
  s.id = "id-0";
  s.starts_at_ms = 50;
  s.ends_at_ms = 500;
  ASSERT_TRUE(db->PutSilence(s).ok());

  Result<SilenceRecord> got = db->GetSilence("id-1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->matchers, s.matchers);
  EXPECT_EQ(got->comment, s.comment);
  EXPECT_EQ(got->ends_at_ms, 200);

  got->ends_at_ms = 150;  // Expire early: replace.
  ASSERT_TRUE(db->PutSilence(*got).ok());
  auto all = db->ListSilences();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, "id-0");  // By start.
  EXPECT_EQ((*all)[1].ends_at_ms, 150);

  Result<int64_t> pruned = db->PruneSilences(160);
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 1);
  EXPECT_EQ(db->GetSilence("id-1").status().code(), StatusCode::kNotFound);
}

TEST_F(StateDbTest, Outbox) {
  auto db = Open();
  ASSERT_NE(db, nullptr);
  OutboxItem a;
  a.receiver = "web";
  a.group_key = "{}:{alertname=\"X\"}";
  a.payload = "{\"status\":\"firing\"}";
  a.created_ms = 10;
  a.next_attempt_ms = 10;
  Result<int64_t> id1 = db->Enqueue(a);
  a.next_attempt_ms = 1000;
  Result<int64_t> id2 = db->Enqueue(a);
  ASSERT_TRUE(id1.ok() && id2.ok());
  EXPECT_LT(*id1, *id2);

  auto due = db->DueItems(500, 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].id, *id1);
  EXPECT_EQ((*due)[0].payload, a.payload);

  ASSERT_TRUE(db->Reschedule(*id1, 1, 2000, "connection refused").ok());
  due = db->DueItems(1500, 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].id, *id2);

  auto all = db->AllItems();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].attempts, 1);
  EXPECT_EQ((*all)[0].last_error, "connection refused");
  ASSERT_TRUE(db->Remove(*id1).ok());
  Result<int64_t> size = db->OutboxSize();
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, 1);
}

// A write acknowledged before the process dies without closing anything
// (kill -9) is there after reopening.
TEST_F(StateDbTest, AcknowledgedWriteSurvivesAbruptExit) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    Result<std::unique_ptr<StateDb>> db = StateDb::Open(path_);
    if (!db.ok()) _exit(2);
    OutboxItem o;
    o.receiver = "r";
    o.payload = "p";
    if (!(*db)->Enqueue(o).ok()) _exit(3);
    if (!(*db)->Put("nflog", "k", "v").ok()) _exit(4);
    _exit(0);  // No destructor, no close: like kill -9 after the call.
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  auto db = Open();
  ASSERT_NE(db, nullptr);
  Result<int64_t> size = db->OutboxSize();
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, 1);
  EXPECT_TRUE(db->Get("nflog", "k").ok());
}

TEST_F(StateDbTest, RefusesOtherSqliteFiles) {
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "CREATE TABLE t(x)", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  Result<std::unique_ptr<StateDb>> db = StateDb::Open(path_);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(db.status().message().find("not a tend state database"),
            std::string::npos);
  EXPECT_NE(db.status().message().find(path_), std::string::npos);
}

TEST_F(StateDbTest, RefusesNewerSchema) {
  { ASSERT_NE(Open(), nullptr); }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(raw, "PRAGMA user_version=99", nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(raw);
  Result<std::unique_ptr<StateDb>> db = StateDb::Open(path_);
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.status().message().find("version 99"), std::string::npos);
}

TEST_F(StateDbTest, RefusesGarbageFile) {
  std::ofstream(path_) << std::string(8192, 'x');
  Result<std::unique_ptr<StateDb>> db = StateDb::Open(path_);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kDataLoss);
}

TEST_F(StateDbTest, MissingDirectoryIsAClearError) {
  Result<std::unique_ptr<StateDb>> db =
      StateDb::Open(dir_ + "/no/such/dir/state.db");
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.status().message().find("no/such/dir"), std::string::npos);
}

}  // namespace
}  // namespace tend::state
