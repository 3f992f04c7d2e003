// The backup module on real files with the real tar and zstd, through
// the local connection.
#include "automate/backup/backup_module.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "automate/backup/archive_name.h"
#include "automate/backup/backup_test_util.h"
#include "automate/modules/system/module_test_util.h"

namespace tend::automate::backup {
namespace {

using automate::testing::ReadText;
using automate::testing::Sh;
using testing::ListNames;
using testing::MakeSampleTree;
using testing::RunBackupModule;
using testing::SnapshotTree;
using testing::TempDir;
using testing::WriteFile;

ModuleResult MustRun(const Value& args, bool check = false) {
  auto r = RunBackupModule(args, check);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return {};
  EXPECT_FALSE(r->failed) << r->msg;
  return *r;
}

TEST(BackupModuleTest, BackupThenRestoreEqualsTheTree) {
  TempDir t;
  const std::string src = t / "src";
  MakeSampleTree(src);
  ModuleResult r = MustRun({{"src", {src}},
                            {"dest", t / "dest"},
                            {"timestamp", "2024-05-01T12:00:00Z"}});
  EXPECT_TRUE(r.changed);
  const std::string archive = t / "dest/src-20240501T120000Z.tar.zst";
  EXPECT_EQ(r.data["archive"], archive);
  EXPECT_EQ(r.data["name"], "src");
  EXPECT_TRUE(r.data["verified"].get<bool>()) << r.data.dump();
  EXPECT_EQ(r.data["verify"]["samples"].size(), 3u);
  // 7 regular files (the hard link is stored as a link).
  EXPECT_EQ(r.data["files"], 7);
  struct stat st;
  ASSERT_EQ(stat(archive.c_str(), &st), 0);
  EXPECT_EQ(r.data["size"], static_cast<uint64_t>(st.st_size));
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  // Exactly the archive and its manifest; no temporary file left.
  EXPECT_EQ(ListNames(t / "dest"),
            (std::vector<std::string>{"src-20240501T120000Z.json",
                                      "src-20240501T120000Z.tar.zst"}));
  Value m = Value::parse(ReadText(t / "dest/src-20240501T120000Z.json"));
  EXPECT_EQ(m["sha256"],
            Sh("sha256sum " + archive + " | cut -c1-64 | tr -d '\\n'"));
  EXPECT_EQ(m["sha256"], r.data["sha256"]);
  EXPECT_EQ(m["sources"], Value::array({src}));
  EXPECT_EQ(m["created"], "2024-05-01T12:00:00Z");
  EXPECT_EQ(m["files"], 7);
  EXPECT_TRUE(m["duration_ms"].is_number());
  bool saw_blob = false;
  for (const auto& e : m["contents"]) {
    if (e["path"] == src.substr(1) + "/conf/blob.bin") {
      saw_blob = true;
      EXPECT_EQ(e["size"], 70000);
      EXPECT_EQ(e["mode"], "0644");
    }
  }
  EXPECT_TRUE(saw_blob) << m["contents"].dump();

  // Restore the newest archive into an empty directory: members keep
  // their absolute paths below restore_to.
  ModuleResult back = MustRun({{"src", {src}},
                               {"dest", t / "dest"},
                               {"state", "restored"},
                               {"restore_to", t / "restore"}});
  EXPECT_TRUE(back.changed);
  EXPECT_EQ(back.data["archive"], archive);
  EXPECT_TRUE(back.data["sha256_checked"].get<bool>());
  EXPECT_EQ(SnapshotTree(t / "restore" + src), SnapshotTree(src));
  EXPECT_NE(SnapshotTree(src).find("/abs-link 777 link->/etc/hostname"),
            std::string::npos);
  EXPECT_NE(SnapshotTree(src).find("/shared 2775 dir"), std::string::npos);
}

TEST(BackupModuleTest, CheckModeChangesNothingAndConverges) {
  TempDir t;
  MakeSampleTree(t / "src");
  Value args = {{"src", {t / "src"}},
                {"dest", t / "out/archives"},
                {"name", "site"},
                {"timestamp", "20240501T120000Z"}};
  ModuleResult check = MustRun(args, /*check=*/true);
  EXPECT_TRUE(check.changed);
  EXPECT_EQ(check.data["archive"],
            t / "out/archives/site-20240501T120000Z.tar.zst");
  EXPECT_EQ(check.data["files"], 7);
  EXPECT_FALSE(std::filesystem::exists(t / "out")) << "check mode wrote";
  EXPECT_NE(check.msg.find("would write"), std::string::npos) << check.msg;

  // The module's converge contract: the same instant is written once.
  static const std::unique_ptr<Module> module = NewBackupModule();
  automate::testing::ModuleHarness h;
  automate::testing::ExpectConverges(h, *module, args, [&] {
    return std::filesystem::exists(t / "out") ? SnapshotTree(t / "out")
                                              : std::string("none");
  });
}

TEST(BackupModuleTest, RetentionOverSixtySimulatedDays) {
  TempDir t;
  std::filesystem::create_directories(t / "src");
  WriteFile(t / "src/data", "payload\n");
  const int64_t start = 1704074400;  // 2024-01-01T02:00:00Z, a Monday
  std::vector<int64_t> times;
  size_t pruned_total = 0;
  for (int d = 0; d < 60; ++d) {
    if (d >= 20 && d < 24) continue;  // the host was down
    for (int64_t t_of_day : {int64_t{0}, int64_t{13 * 3600}}) {
      if (t_of_day != 0 && d % 7 != 3) continue;  // some days twice
      int64_t now = start + d * 86400 + t_of_day;
      times.push_back(now);
      ModuleResult r =
          MustRun({{"src", {t / "src"}},
                   {"dest", t / "dest"},
                   {"name", "db"},
                   {"verify", false},
                   {"retention", {{"daily", 7}, {"weekly", 4}, {"monthly", 3}}},
                   {"timestamp", std::to_string(now)}});
      EXPECT_TRUE(r.changed);
      pruned_total += r.data["pruned"].size();
    }
  }
  std::vector<std::string> want;
  for (int64_t k : testing::ExpectedKept(times, 7, 4, 3)) {
    want.push_back(ArchiveFileName("db", k));
    want.push_back(ManifestFileName("db", k));
  }
  std::sort(want.begin(), want.end());
  EXPECT_EQ(ListNames(t / "dest"), want);
  EXPECT_EQ(pruned_total, times.size() - want.size() / 2);
  // Another set in the same directory is never pruned by this one.
  EXPECT_GT(want.size(), 14u);
}

TEST(BackupModuleTest, ExcludesAndDestInsideSource) {
  TempDir t;
  MakeSampleTree(t / "src");
  Value args = {{"src", {t / "src"}},
                {"dest", t / "src/backups"},
                {"exclude", {"*.bin", "private"}},
                {"timestamp", "20240501T000000Z"}};
  MustRun(args);
  args["timestamp"] = "20240502T000000Z";
  ModuleResult second = MustRun(args);
  Value m = Value::parse(ReadText(t / "src/backups/src-20240502T000000Z.json"));
  for (const auto& e : m["contents"]) {
    std::string p = e["path"];
    EXPECT_EQ(p.find("blob.bin"), std::string::npos) << p;
    EXPECT_EQ(p.find("/private"), std::string::npos) << p;
    EXPECT_EQ(p.find("/backups"), std::string::npos) << p;
  }
  EXPECT_EQ(second.data["files"], 5);
}

TEST(BackupModuleTest, RestoreRefusesATamperedArchive) {
  TempDir t;
  MakeSampleTree(t / "src");
  MustRun({{"src", {t / "src"}},
           {"dest", t / "dest"},
           {"timestamp", "20240501T000000Z"}});
  // Replace the archive with another valid one: the manifest's sha256 no
  // longer matches.
  Sh("tar -cf - -C " + t.path() + " src | zstd -q -o " + t.path() +
     "/other.tar.zst && mv " + t.path() + "/other.tar.zst " + t.path() +
     "/dest/src-20240501T000000Z.tar.zst");
  auto r = RunBackupModule({{"dest", t / "dest"},
                            {"name", "src"},
                            {"state", "restored"},
                            {"archive", "20240501T000000Z"},
                            {"restore_to", t / "restore"}});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->failed);
  EXPECT_NE(r->msg.find("manifest records"), std::string::npos) << r->msg;
  EXPECT_FALSE(std::filesystem::exists(t / "restore"));
}

TEST(BackupModuleTest, BadParametersSayWhatIsWrong) {
  TempDir t;
  MakeSampleTree(t / "src");
  WriteFile(t / "afile", "x");
  struct Case {
    Value args;
    std::string want;
  };
  const std::string src = t / "src";
  std::vector<Case> cases = {
      {{{"dest", t / "d"}}, "src is required"},
      {{{"src", {"relative/path"}}, {"dest", t / "d"}}, "must be an absolute"},
      {{{"src", {src}}, {"dest", "backups"}}, "dest 'backups' must be"},
      {{{"src", {src}}, {"dest", t / "d"}, {"compression_level", 40}},
       "compression_level must be from 1 to 19"},
      {{{"src", {src}}, {"dest", t / "d"}, {"retention", {{"dayly", 3}}}},
       "did you mean 'daily'"},
      {{{"src", {src}}, {"dest", t / "d"}, {"timestamp", "noon"}},
       "timestamp 'noon'"},
      {{{"src", {t / "missing"}}, {"dest", t / "d"}}, "does not exist"},
      {{{"src", {src}}, {"dest", t / "afile"}}, "is not a directory"},
      {{{"src", {src}}, {"dest", t / "d"}, {"name", "a/b"}},
       "must not contain '/'"},
      {{{"src", {"/"}}, {"dest", t / "d"}}, "src '/' is not supported"},
      {{{"dest", t / "d"}, {"state", "restored"}}, "restore_to is required"},
      {{{"dest", t / "d"},
        {"name", "nothing"},
        {"state", "restored"},
        {"restore_to", t / "r"}},
       "no archives of set 'nothing'"},
  };
  for (const auto& c : cases) {
    auto r = RunBackupModule(c.args);
    ASSERT_TRUE(r.ok()) << c.args.dump() << ": " << r.status().ToString();
    EXPECT_TRUE(r->failed) << c.args.dump();
    EXPECT_NE(r->msg.find(c.want), std::string::npos)
        << c.args.dump() << " gave: " << r->msg;
  }
  // Unknown parameters and choices are rejected before the module runs.
  auto typo =
      RunBackupModule({{"src", {src}}, {"dest", t / "d"}, {"retain", 3}});
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.status().message().find("unsupported parameter 'retain'"),
            std::string::npos)
      << typo.status().message();
  auto state =
      RunBackupModule({{"src", {src}}, {"dest", t / "d"}, {"state", "absent"}});
  ASSERT_FALSE(state.ok());
  EXPECT_FALSE(std::filesystem::exists(t / "d"));
}

}  // namespace
}  // namespace tend::automate::backup
