// Failures part way through a backup leave no archive under its final
// name and no temporary file: tar failing on an unreadable file, a full
// destination, a read-only destination, a failed verification and a
// failed rename.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <functional>

#include "automate/backup/backup_module.h"
#include "automate/backup/backup_test_util.h"
#include "automate/modules/args.h"
#include "automate/modules/system/sandbox_test_util.h"
#include "automate/transport/local_connection.h"

namespace tend::automate::backup {
namespace {

using testing::ListNames;
using testing::MakeSampleTree;
using testing::RunBackupModule;
using testing::TempDir;
using testing::WriteFile;

ModuleResult MustFail(const Value& args) {
  auto r = RunBackupModule(args);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return {};
  EXPECT_TRUE(r->failed) << "expected a failure; got: " << r->msg;
  return *r;
}

TEST(BackupFailureTest, UnreadableFileFailsWithoutArchive) {
  TempDir t;
  MakeSampleTree(t / "src");
  // Root reads any mode-0000 file; a write-only sysctl refuses even root.
  std::string unreadable = t / "src/locked";
  if (geteuid() == 0) {
    unreadable = "/proc/sys/vm/compact_memory";
    ASSERT_TRUE(std::filesystem::exists(unreadable));
  } else {
    WriteFile(unreadable, "no", 0);
  }
  ModuleResult r = MustFail({{"src", {t / "src", unreadable}},
                             {"dest", t / "dest"},
                             {"name", "x"},
                             {"retention", {{"daily", 1}}},
                             {"timestamp", "20240501T000000Z"}});
  EXPECT_NE(r.msg.find("tar --create: exit 2"), std::string::npos) << r.msg;
  EXPECT_NE(r.msg.find("Permission denied"), std::string::npos) << r.msg;
  EXPECT_TRUE(ListNames(t / "dest").empty())
      << "left: " << ::testing::PrintToString(ListNames(t / "dest"));
}

// Runs one backup inside a private mount namespace where dest is a small
// tmpfs mounted with `options`; checks it fails with `want` in its
// message and that dest holds only `keep` afterwards.
void FailOnSmallDest(const std::string& options, const std::string& want) {
  std::string reason = automate::testing::SandboxUnavailableReason();
  if (!reason.empty()) GTEST_SKIP() << reason;
  TempDir t;
  std::filesystem::create_directories(t / "src");
  // 1 MiB that does not compress: more than the 256 KiB tmpfs holds.
  std::string noise(1 << 20, '\0');
  uint64_t x = 88172645463325252ull;
  for (auto& c : noise) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(x);
  }
  WriteFile(t / "src/noise", noise);
  std::filesystem::create_directories(t / "dest");
  automate::testing::SandboxOptions so;
  so.copy_etc = false;
  so.tmpfs_dirs = {};
  so.make_dirs = {};
  so.new_net = false;
  const std::string dest = t / "dest";
  const std::string src = t / "src";
  automate::testing::RunInSandbox(
      [&] {
        ASSERT_EQ(mount("tmpfs", dest.c_str(), "tmpfs", 0, options.c_str()), 0)
            << strerror(errno);
        ModuleResult r = MustFail({{"src", {src}},
                                   {"dest", dest},
                                   {"timestamp", "20240501T000000Z"}});
        EXPECT_NE(r.msg.find(want), std::string::npos) << r.msg;
        EXPECT_TRUE(ListNames(dest).empty())
            << ::testing::PrintToString(ListNames(dest));
      },
      so);
}

TEST(BackupFailureTest, FullDestFailsWithoutArchive) {
  FailOnSmallDest("size=256k", "No space left on device");
}

TEST(BackupFailureTest, ReadOnlyDestFailsWithoutArchive) {
  FailOnSmallDest("size=256k,ro", "Read-only file system");
}

// A connection that passes everything to the local one except what the
// test chooses to break.
class FaultyConnection : public LocalConnection {
 public:
  FaultyConnection() : LocalConnection("localhost") {}
  std::function<bool(const ExecRequest&)> break_exec;
  bool break_rename = false;

  Result<ExecResult> Exec(const ExecRequest& req) override {
    if (break_exec && break_exec(req)) {
      ExecResult r;
      r.exit_code = 2;
      r.err = "injected failure";
      return r;
    }
    return LocalConnection::Exec(req);
  }
  Status Rename(const std::string& from, const std::string& to,
                const Privilege& priv) override {
    if (break_rename) return InternalError("rename: injected failure");
    return LocalConnection::Rename(from, to, priv);
  }
};

Result<ModuleResult> RunWith(Connection* conn, const Value& args) {
  static const std::unique_ptr<Module> module = NewBackupModule();
  ASSIGN_OR_RETURN(Value valid, ValidateArgs(module->spec(), args));
  ModuleContext ctx;
  ctx.conn = conn;
  ctx.clock = Clock::Real();
  return module->Run(valid, ctx);
}

TEST(BackupFailureTest, FailedVerificationLeavesNoArchiveAndPrunesNothing) {
  TempDir t;
  MakeSampleTree(t / "src");
  Value args = {{"src", {t / "src"}},
                {"dest", t / "dest"},
                {"retention", {{"daily", 1}}},
                {"timestamp", "20240501T000000Z"}};
  FaultyConnection conn;
  auto first = RunWith(&conn, args);
  ASSERT_TRUE(first.ok() && !first->failed);
  const auto before = ListNames(t / "dest");
  ASSERT_EQ(before.size(), 2u);

  conn.break_exec = [](const ExecRequest& req) {
    return req.argv.size() > 1 && req.argv[0] == "tar" &&
           req.argv[1] == "--list";
  };
  args["timestamp"] = "20240502T000000Z";
  auto r = RunWith(&conn, args);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->failed);
  EXPECT_NE(r->msg.find("verification failed"), std::string::npos) << r->msg;
  EXPECT_FALSE(r->data["verified"].get<bool>());
  EXPECT_TRUE(r->data["pruned"].empty());
  // The day-1 archive was not pruned for a day-2 archive that failed.
  EXPECT_EQ(ListNames(t / "dest"), before);
}

TEST(BackupFailureTest, FailedRenameLeavesNoTemporaryFile) {
  TempDir t;
  MakeSampleTree(t / "src");
  FaultyConnection conn;
  conn.break_rename = true;
  auto r = RunWith(&conn, {{"src", {t / "src"}},
                           {"dest", t / "dest"},
                           {"timestamp", "20240501T000000Z"}});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->failed);
  EXPECT_NE(r->msg.find("injected"), std::string::npos) << r->msg;
  EXPECT_TRUE(ListNames(t / "dest").empty())
      << ::testing::PrintToString(ListNames(t / "dest"));
}

}  // namespace
}  // namespace tend::automate::backup
