#include "automate/backup/backup_record.h"

#include <gtest/gtest.h>

#include "automate/backup/backup_test_util.h"

namespace tend::automate::backup {
namespace {

using testing::TempDir;

class CountingObserver : public RunObserver {
 public:
  void OnPlayStart(const std::string&) override { ++calls; }
  void OnTaskStart(const std::string&, bool) override { ++calls; }
  void OnHostResult(const TaskResult&) override { ++results; }
  void OnRecap(const std::map<std::string, HostStats>&) override { ++calls; }
  int calls = 0;
  int results = 0;
};

TaskResult BackupResult(const std::string& host, bool failed) {
  TaskResult r;
  r.host = host;
  r.action = "backup";
  r.outcome = failed ? Outcome::kFailed : Outcome::kChanged;
  r.result = {{"changed", !failed},
              {"failed", failed},
              {"msg", failed ? "backup: tar --create: exit 2" : "archived"},
              {"archive", "/srv/backup/www-20240501T000000Z.tar.zst"},
              {"size", 1234},
              {"files", 7},
              {"pruned", Value::array({"/srv/backup/old.tar.zst"})},
              {"verified", !failed},
              {"unrelated", "not recorded"}};
  return r;
}

TEST(BackupRecordTest, ForwardsEverythingAndKeepsBackupResults) {
  CountingObserver inner;
  FakeClock clock(1714521600'000'000'000);
  BackupRecorder rec(&inner, /*check=*/false, &clock);
  rec.OnPlayStart("p");
  rec.OnTaskStart("t", false);
  rec.OnHostResult(BackupResult("web1", false));
  rec.OnHostResult(BackupResult("web2", true));
  TaskResult copy;
  copy.host = "web1";
  copy.action = "copy";
  rec.OnHostResult(copy);
  TaskResult skipped = BackupResult("web3", false);
  skipped.outcome = Outcome::kSkipped;
  rec.OnHostResult(skipped);
  rec.OnRecap({});
  EXPECT_EQ(inner.calls, 3);
  EXPECT_EQ(inner.results, 4);

  std::vector<state::Event> ev = rec.TakeEvents();
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].kind, "backup");
  EXPECT_EQ(ev[0].time_ms, 1714521600000);
  EXPECT_EQ(ev[0].subject, "/srv/backup/www-20240501T000000Z.tar.zst");
  EXPECT_EQ(ev[0].outcome, "ok");
  EXPECT_EQ(ev[0].message, "web1: archived");
  Value d = Value::parse(ev[0].details_json);
  EXPECT_EQ(d["host"], "web1");
  EXPECT_EQ(d["size"], 1234);
  EXPECT_EQ(d["pruned"][0], "/srv/backup/old.tar.zst");
  EXPECT_TRUE(d["verified"].get<bool>());
  EXPECT_FALSE(d.contains("unrelated"));
  EXPECT_EQ(ev[1].outcome, "failed");
  EXPECT_TRUE(rec.TakeEvents().empty());
}

TEST(BackupRecordTest, CheckModeAndRestoreOutcomes) {
  Value restore = {{"archive", "/b/a.tar.zst"}, {"restore_to", "/"}};
  EXPECT_EQ(BackupEvent("h", restore, false, 0).outcome, "restored");
  EXPECT_EQ(BackupEvent("h", restore, true, 0).outcome, "checked");
}

TEST(BackupRecordTest, EventsGoIntoTheStateDatabase) {
  TempDir t;
  auto db = state::StateDb::Open(t / "state.db");
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  BackupRecorder rec(nullptr, false);
  rec.OnHostResult(BackupResult("web1", false));
  for (const auto& e : rec.TakeEvents()) {
    auto id = (*db)->AppendEvent(e);
    ASSERT_TRUE(id.ok()) << id.status().ToString();
  }
  state::EventQuery q;
  q.kinds = {"backup"};
  auto got = (*db)->ListEvents(q);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].subject, "/srv/backup/www-20240501T000000Z.tar.zst");
  EXPECT_EQ(Value::parse((*got)[0].details_json)["files"], 7);
}

}  // namespace
}  // namespace tend::automate::backup
