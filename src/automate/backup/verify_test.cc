#include "automate/backup/verify.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "automate/backup/backup_test_util.h"
#include "automate/modules/system/module_test_util.h"
#include "automate/transport/local_connection.h"

namespace tend::automate::backup {
namespace {

using testing::ListNames;
using testing::MakeSampleTree;
using testing::RunBackupModule;
using testing::TempDir;
using testing::WriteFile;

// Backs up `src` into `dest` without the module's own verification and
// returns the archive path.
std::string MakeArchive(const std::string& src, const std::string& dest) {
  auto r = RunBackupModule({{"src", {src}},
                            {"dest", dest},
                            {"name", "v"},
                            {"verify", false},
                            {"timestamp", "20240501T000000Z"}});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->failed) << r->msg;
  return dest + "/v-20240501T000000Z.tar.zst";
}

void FlipBytes(const std::string& path, off_t at, int n) {
  int fd = open(path.c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  for (int i = 0; i < n; ++i) {
    unsigned char c;
    ASSERT_EQ(pread(fd, &c, 1, at + i), 1);
    c ^= 0x5a;
    ASSERT_EQ(pwrite(fd, &c, 1, at + i), 1);
  }
  close(fd);
}

TEST(VerifyTest, GoodArchiveVerifiesWithThreeSamples) {
  TempDir t;
  MakeSampleTree(t / "src");
  std::string archive = MakeArchive(t / "src", t / "dest");
  auto conn = NewLocalConnection("localhost");
  // mktemp -t on the target honours TMPDIR: keep the restore directory
  // where this test can see it is removed.
  std::filesystem::create_directories(t / "tmp");
  const char* old = getenv("TMPDIR");
  std::string saved = old ? old : "";
  setenv("TMPDIR", (t / "tmp").c_str(), 1);
  auto rep = VerifyArchive(conn.get(), {}, archive, {});
  if (old) {
    setenv("TMPDIR", saved.c_str(), 1);
  } else {
    unsetenv("TMPDIR");
  }
  EXPECT_TRUE(ListNames(t / "tmp").empty());
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  EXPECT_TRUE(rep->ok) << rep->error;
  EXPECT_GT(rep->entries, 10u);
  ASSERT_EQ(rep->samples.size(), 3u);
  for (const auto& s : rep->samples) {
    EXPECT_TRUE(s.ok) << s.path;
    EXPECT_EQ(s.archive_sha256.size(), 64u);
    EXPECT_GT(s.size, 0u) << "empty files are not preferred";
  }
  // Deterministic: the same archive gives the same sample.
  auto again = VerifyArchive(conn.get(), {}, archive, {});
  ASSERT_TRUE(again.ok());
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(again->samples[i].path, rep->samples[i].path);
  }
}

TEST(VerifyTest, CorruptedArchiveIsCaught) {
  TempDir t;
  MakeSampleTree(t / "src");
  std::string archive = MakeArchive(t / "src", t / "dest");
  struct stat st;
  ASSERT_EQ(stat(archive.c_str(), &st), 0);
  ASSERT_GT(st.st_size, 200);
  FlipBytes(archive, st.st_size / 2, 8);
  auto conn = NewLocalConnection("localhost");
  auto rep = VerifyArchive(conn.get(), {}, archive, {});
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  EXPECT_FALSE(rep->ok);
  EXPECT_NE(rep->error.find("does not read back"), std::string::npos)
      << rep->error;
  EXPECT_FALSE(rep->ToValue()["ok"].get<bool>());
}

TEST(VerifyTest, TruncatedArchiveIsCaught) {
  TempDir t;
  MakeSampleTree(t / "src");
  std::string archive = MakeArchive(t / "src", t / "dest");
  struct stat st;
  ASSERT_EQ(stat(archive.c_str(), &st), 0);
  ASSERT_EQ(truncate(archive.c_str(), st.st_size - 40), 0);
  auto conn = NewLocalConnection("localhost");
  auto rep = VerifyArchive(conn.get(), {}, archive, {});
  ASSERT_TRUE(rep.ok());
  EXPECT_FALSE(rep->ok);
}

TEST(VerifyTest, RecordedChecksumMismatch) {
  TempDir t;
  MakeSampleTree(t / "src");
  std::string archive = MakeArchive(t / "src", t / "dest");
  auto conn = NewLocalConnection("localhost");
  VerifyOptions vo;
  vo.expected_sha256 = std::string(64, '0');
  auto rep = VerifyArchive(conn.get(), {}, archive, vo);
  ASSERT_TRUE(rep.ok());
  EXPECT_FALSE(rep->ok);
  EXPECT_NE(rep->error.find("differs from the recorded"), std::string::npos)
      << rep->error;
}

// A source silently different from what was archived (same size and
// mtime) is a failed sample; one that visibly changed since is noted but
// does not fail the archive.
TEST(VerifyTest, SampleComparesWithSources) {
  TempDir t;
  std::filesystem::create_directories(t / "src");
  WriteFile(t / "src/data.txt", "aaaa");
  struct timespec times[2] = {{1700000000, 0}, {1700000000, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, (t / "src/data.txt").c_str(), times, 0), 0);
  std::string archive = MakeArchive(t / "src", t / "dest");
  auto conn = NewLocalConnection("localhost");

  WriteFile(t / "src/data.txt", "bbbb");
  ASSERT_EQ(utimensat(AT_FDCWD, (t / "src/data.txt").c_str(), times, 0), 0);
  auto bad = VerifyArchive(conn.get(), {}, archive, {});
  ASSERT_TRUE(bad.ok()) << bad.status().ToString();
  EXPECT_FALSE(bad->ok);
  EXPECT_NE(bad->error.find("differs from its source"), std::string::npos)
      << bad->error;

  WriteFile(t / "src/data.txt", "changed later");
  auto noted = VerifyArchive(conn.get(), {}, archive, {});
  ASSERT_TRUE(noted.ok());
  EXPECT_TRUE(noted->ok) << noted->error;
  ASSERT_EQ(noted->samples.size(), 1u);
  EXPECT_EQ(noted->samples[0].note, "source changed since archived");
}

TEST(VerifyTest, ChooseSampleSpreadsOverNonEmptyFiles) {
  std::vector<TarEntry> list;
  auto add = [&](char type, uint64_t size) {
    TarEntry e;
    e.type = type;
    e.size = size;
    e.path = "p" + std::to_string(list.size());
    list.push_back(e);
  };
  add('d', 0);
  for (int i = 0; i < 9; ++i) add('-', i % 3 == 0 ? 0 : 10);  // 6 non-empty
  add('l', 0);
  // Non-empty files are at indexes 2,3,5,6,8,9: first, middle, last.
  EXPECT_EQ(ChooseSample(list, 3), (std::vector<size_t>{2, 5, 9}));
  EXPECT_EQ(ChooseSample(list, 1), (std::vector<size_t>{2}));
  EXPECT_EQ(ChooseSample(list, 10).size(), 6u);
  EXPECT_TRUE(ChooseSample(list, 0).empty());
}

}  // namespace
}  // namespace tend::automate::backup
