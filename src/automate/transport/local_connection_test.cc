#include "automate/transport/local_connection.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tend::automate {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "tend-lc-XXXXXX").string();
    char* p = ::mkdtemp(tmpl.data());
    EXPECT_NE(p, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string operator/(std::string_view name) const {
    return path_ + "/" + std::string(name);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void Put(const std::string& path, std::string_view text) {
  std::ofstream(path, std::ios::binary) << text;
}

uint32_t ModeOf(const std::string& path) {
  struct stat s;
  EXPECT_EQ(::lstat(path.c_str(), &s), 0) << path;
  return s.st_mode & 07777;
}

// Names in `dir` starting with ".tend-": leftovers of atomic writes.
std::vector<std::string> Temporaries(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name.rfind(".tend-", 0) == 0) out.push_back(name);
  }
  return out;
}

TEST(LocalExecTest, ArgvShellStdinEnvAndChdir) {
  TempDir dir;
  LocalConnection conn("localhost");
  EXPECT_EQ(conn.host(), "localhost");
  EXPECT_TRUE(conn.is_local());

  ExecRequest echo;
  echo.argv = {"echo", "hello", "two words"};
  Result<ExecResult> r = conn.Exec(echo);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->out, "hello two words\n");

  ExecRequest sh;
  sh.shell = "cat; echo \"$TEND_X\" >&2; pwd; exit 3";
  sh.stdin_data = "from stdin\n";
  sh.env = {{"TEND_X", "value x"}};
  sh.chdir = dir.path();
  r = conn.Exec(sh);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->signal, 0);
  EXPECT_FALSE(r->timed_out);
  EXPECT_EQ(r->out, "from stdin\n" + fs::canonical(dir.path()).string() + "\n");
  EXPECT_EQ(r->err, "value x\n");

  // The rest of the environment is still there next to the additions.
  ExecRequest path;
  path.shell = "test -n \"$PATH\" && echo has-path";
  path.env = {{"A", "1"}};
  r = conn.Exec(path);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "has-path\n");
}

TEST(LocalExecTest, MissingProgramIsAnError) {
  LocalConnection conn("localhost");
  ExecRequest req;
  req.argv = {"tend-no-such-program-xyz"};
  Result<ExecResult> r = conn.Exec(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(r.status().message(), HasSubstr("tend-no-such-program-xyz"));
}

TEST(LocalExecTest, TimeoutKillsTheProcessGroup) {
  TempDir dir;
  LocalConnection conn("localhost");
  ExecRequest req;
  // The background child would write the marker after 2s if it survived.
  req.shell = "(sleep 2; touch " + (dir / "survived") + ") & sleep 30";
  req.timeout_ms = 200;
  auto start = std::chrono::steady_clock::now();
  Result<ExecResult> r = conn.Exec(req);
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->exit_code, -1);
  EXPECT_LT(took, std::chrono::seconds(20));
  ::sleep(3);
  EXPECT_FALSE(fs::exists(dir / "survived"));
}

TEST(LocalFileTest, StatKinds) {
  TempDir dir;
  LocalConnection conn("localhost");
  Put(dir / "f", "12345");
  ::chmod((dir / "f").c_str(), 04751);
  ::symlink("f", (dir / "l").c_str());
  ::symlink("nowhere", (dir / "dangling").c_str());

  Result<FileStat> st = conn.Stat(dir / "f", false, {});
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->type, FileType::kFile);
  EXPECT_EQ(st->mode, 04751u);
  EXPECT_EQ(st->size, 5u);
  EXPECT_EQ(st->uid, ::geteuid());
  EXPECT_EQ(st->nlink, 1u);
  EXPECT_GT(st->mtime_ns, 0);

  st = conn.Stat(dir / "l", false, {});
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->type, FileType::kSymlink);
  EXPECT_EQ(st->link_target, "f");
  st = conn.Stat(dir / "l", true, {});
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->type, FileType::kFile);
  EXPECT_EQ(st->size, 5u);

  st = conn.Stat(dir / "dangling", true, {});
  ASSERT_TRUE(st.ok());
  EXPECT_FALSE(st->exists());
  st = conn.Stat(dir / "missing", false, {});
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->type, FileType::kMissing);
  st = conn.Stat(dir / "f/below-a-file", false, {});
  ASSERT_TRUE(st.ok());
  EXPECT_FALSE(st->exists());
  st = conn.Stat(dir.path(), false, {});
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->type, FileType::kDirectory);
}

TEST(LocalFileTest, ReadFileLimits) {
  TempDir dir;
  LocalConnection conn("localhost");
  Put(dir / "f", "abcdef");
  Result<std::string> r = conn.ReadFile(dir / "f", 6, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "abcdef");
  r = conn.ReadFile(dir / "f", 5, {});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("larger than 5 bytes"));
  r = conn.ReadFile(dir / "missing", 100, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  r = conn.ReadFile(dir.path(), 100, {});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("directory"));
}

TEST(LocalFileTest, WriteFileModesAndOwners) {
  TempDir dir;
  LocalConnection conn("localhost");
  const std::string p = dir / "new";
  ASSERT_TRUE(conn.WriteFile(p, "one\n", {}, {}).ok());
  EXPECT_EQ(Slurp(p), "one\n");
  const mode_t mask = ::umask(0);
  ::umask(mask);
  EXPECT_EQ(ModeOf(p), 0666u & ~mask);

  // An existing file keeps its mode when none is asked for ...
  ::chmod(p.c_str(), 0640);
  ASSERT_TRUE(conn.WriteFile(p, "two\n", {}, {}).ok());
  EXPECT_EQ(Slurp(p), "two\n");
  EXPECT_EQ(ModeOf(p), 0640u);
  // ... and takes the one asked for, setuid included.
  FileAttrs attrs;
  attrs.mode = 04700;
  ASSERT_TRUE(conn.WriteFile(p, "three\n", attrs, {}).ok());
  EXPECT_EQ(ModeOf(p), 04700u);
  EXPECT_TRUE(Temporaries(dir.path()).empty());

  if (::geteuid() == 0) {
    FileAttrs own;
    own.uid = 65534;
    own.gid = 65534;
    own.mode = 04755;
    ASSERT_TRUE(conn.WriteFile(p, "four\n", own, {}).ok());
    struct stat s;
    ASSERT_EQ(::stat(p.c_str(), &s), 0);
    EXPECT_EQ(s.st_uid, 65534u);
    EXPECT_EQ(s.st_gid, 65534u);
    EXPECT_EQ(s.st_mode & 07777, 04755u);  // setuid survives the chown
    // The next write without attrs keeps that owner.
    ASSERT_TRUE(conn.WriteFile(p, "five\n", {}, {}).ok());
    ASSERT_EQ(::stat(p.c_str(), &s), 0);
    EXPECT_EQ(s.st_uid, 65534u);
  }
}

TEST(LocalFileTest, FailedWritesLeaveOldFileAndNoTemporary) {
  TempDir dir;
  LocalConnection conn("localhost");
  // The parent is a file: nothing can be created.
  Put(dir / "plain", "x");
  Status s = conn.WriteFile(dir / "plain/child", "data", {}, {});
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("plain"));

  // The rename fails (a directory is in the way): the temporary, already
  // written, must be removed and the directory untouched.
  fs::create_directory(dir / "busy");
  Put(dir / "busy/inside", "keep");
  s = conn.WriteFile(dir / "busy", "data", {}, {});
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(fs::is_directory(dir / "busy"));
  EXPECT_EQ(Slurp(dir / "busy/inside"), "keep");
  EXPECT_TRUE(Temporaries(dir.path()).empty());

  // Failing while the content is written (the source is a directory,
  // which cannot be read): the old file stays as it was.
  Put(dir / "target", "old content");
  ::chmod((dir / "target").c_str(), 0604);
  s = conn.Upload(dir / "busy", dir / "target", {}, {});
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(Slurp(dir / "target"), "old content");
  EXPECT_EQ(ModeOf(dir / "target"), 0604u);
  EXPECT_TRUE(Temporaries(dir.path()).empty());
}

TEST(LocalFileTest, UploadAndDownloadCopyAtomically) {
  TempDir dir;
  LocalConnection conn("localhost");
  std::string big(300000, 'z');
  big[12345] = 'a';
  Put(dir / "src", big);
  FileAttrs attrs;
  attrs.mode = 0600;
  ASSERT_TRUE(conn.Upload(dir / "src", dir / "dst", attrs, {}).ok());
  EXPECT_EQ(Slurp(dir / "dst"), big);
  EXPECT_EQ(ModeOf(dir / "dst"), 0600u);
  ASSERT_TRUE(conn.Download(dir / "dst", dir / "back", {}).ok());
  EXPECT_EQ(Slurp(dir / "back"), big);
  Status s = conn.Download(dir / "missing", dir / "back", {});
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(Slurp(dir / "back"), big);
  EXPECT_TRUE(Temporaries(dir.path()).empty());
}

TEST(LocalFileTest, LinksDirectoriesRemoveRenameTimesList) {
  TempDir dir;
  LocalConnection conn("localhost");
  Put(dir / "a", "A");
  Put(dir / "b", "B");
  // A symlink replaces a file atomically; over a directory it fails clean.
  ASSERT_TRUE(conn.Symlink("a", dir / "b", {}).ok());
  EXPECT_EQ(fs::read_symlink(dir / "b"), "a");
  ASSERT_TRUE(conn.MakeDir(dir / "d", 0750, {}).ok());
  EXPECT_TRUE(fs::is_directory(dir / "d"));
  Status s = conn.MakeDir(dir / "d", 0750, {});
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
  EXPECT_FALSE(conn.Symlink("a", dir / "d", {}).ok());
  EXPECT_TRUE(fs::is_directory(dir / "d"));

  ASSERT_TRUE(conn.HardLink(dir / "a", dir / "h", {}).ok());
  ASSERT_TRUE(conn.HardLink(dir / "a", dir / "h", {}).ok());  // same inode
  struct stat sa, sh;
  ASSERT_EQ(::stat((dir / "a").c_str(), &sa), 0);
  ASSERT_EQ(::stat((dir / "h").c_str(), &sh), 0);
  EXPECT_EQ(sa.st_ino, sh.st_ino);
  EXPECT_TRUE(Temporaries(dir.path()).empty());

  ASSERT_TRUE(conn.SetTimes(dir / "a", 1000000000LL * 1600000000 + 5,
                            1000000000LL * 1500000000 + 7, {})
                  .ok());
  Result<FileStat> st = conn.Stat(dir / "a", false, {});
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->atime_ns, 1000000000LL * 1600000000 + 5);
  EXPECT_EQ(st->mtime_ns, 1000000000LL * 1500000000 + 7);

  Result<std::vector<DirEntry>> list = conn.ListDir(dir.path(), {});
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 4u);
  EXPECT_EQ((*list)[0].name, "a");
  EXPECT_EQ((*list)[0].type, FileType::kFile);
  EXPECT_EQ((*list)[1].name, "b");
  EXPECT_EQ((*list)[1].type, FileType::kSymlink);
  EXPECT_EQ((*list)[2].name, "d");
  EXPECT_EQ((*list)[2].type, FileType::kDirectory);
  EXPECT_EQ((*list)[3].name, "h");

  ASSERT_TRUE(conn.Rename(dir / "h", dir / "h2", {}).ok());
  EXPECT_TRUE(fs::exists(dir / "h2"));
  Put(dir / "d/x", "x");
  EXPECT_FALSE(conn.Remove(dir / "d", false, {}).ok());
  ASSERT_TRUE(conn.Remove(dir / "d", true, {}).ok());
  EXPECT_FALSE(fs::exists(dir / "d"));
  ASSERT_TRUE(conn.Remove(dir / "b", false, {}).ok());  // the link only
  EXPECT_TRUE(fs::exists(dir / "a"));
  EXPECT_TRUE(conn.Remove(dir / "missing", false, {}).ok());

  FileAttrs mode;
  mode.mode = 0600;
  ASSERT_TRUE(conn.SetAttrs(dir / "a", mode, true, {}).ok());
  EXPECT_EQ(ModeOf(dir / "a"), 0600u);
  EXPECT_FALSE(conn.SetAttrs(dir / "missing", mode, true, {}).ok());
}

TEST(LocalFileTest, BecomeTheCurrentUserActsDirectly) {
  LocalConnection conn("localhost");
  struct passwd* pw = ::getpwuid(::geteuid());
  ASSERT_NE(pw, nullptr);
  EXPECT_FALSE(conn.NeedsSudo({false, "someone-else"}));
  EXPECT_FALSE(conn.NeedsSudo({true, pw->pw_name}));
  EXPECT_FALSE(conn.NeedsSudo({true, std::to_string(::geteuid())}));
  EXPECT_TRUE(conn.NeedsSudo({true, "tend-some-other-user"}));
}

// Become through a stand-in for sudo that switches user with runuser, so
// every primitive's sudo script runs for real as another user. Needs root
// (runuser) and the user "nobody".
class SudoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0 || ::getpwnam("nobody") == nullptr ||
        !fs::exists("/usr/sbin/runuser")) {
      GTEST_SKIP() << "needs root, runuser and the user nobody";
    }
    sudo_ = dir_ / "fake-sudo";
    Put(sudo_,
        "#!/bin/sh\n"
        "[ \"$1\" = -n ] || exit 90; shift\n"
        "[ \"$1\" = -u ] || exit 91; u=$2; shift 2\n"
        "[ \"$1\" = -- ] && shift\n"
        "exec /usr/sbin/runuser -u \"$u\" -- \"$@\"\n");
    ::chmod(sudo_.c_str(), 0755);
    ::chmod(dir_.path().c_str(), 0755);
    work_ = dir_ / "work";
    fs::create_directory(work_);
    ::chmod(work_.c_str(), 0777);
    LocalConnectionOptions opt;
    opt.sudo_path = sudo_;
    conn_ = std::make_unique<LocalConnection>("localhost", opt);
    priv_ = {true, "nobody"};
    nobody_ = ::getpwnam("nobody")->pw_uid;
  }
  std::string W(std::string_view name) const {
    return work_ + "/" + std::string(name);
  }

  TempDir dir_;
  std::string sudo_, work_;
  std::unique_ptr<LocalConnection> conn_;
  Privilege priv_;
  uint32_t nobody_ = 0;
};

TEST_F(SudoTest, ExecRunsAsTheBecomeUser) {
  ExecRequest req;
  req.argv = {"id", "-u"};
  req.priv = priv_;
  Result<ExecResult> r = conn_->Exec(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->out, std::to_string(nobody_) + "\n");
  req.argv.clear();
  req.shell = "echo \"$V\"";
  req.env = {{"V", "through env"}};
  r = conn_->Exec(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "through env\n");
}

TEST_F(SudoTest, FilePrimitivesMatchTheDirectOnes) {
  ASSERT_TRUE(conn_->WriteFile(W("f"), "hello\n", {}, priv_).ok());
  EXPECT_EQ(Slurp(W("f")), "hello\n");
  struct stat s;
  ASSERT_EQ(::stat(W("f").c_str(), &s), 0);
  EXPECT_EQ(s.st_uid, nobody_);
  Result<FileStat> via = conn_->Stat(W("f"), false, priv_);
  Result<FileStat> direct = conn_->Stat(W("f"), false, {});
  ASSERT_TRUE(via.ok()) << via.status().ToString();
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(via->type, direct->type);
  EXPECT_EQ(via->mode, direct->mode);
  EXPECT_EQ(via->uid, direct->uid);
  EXPECT_EQ(via->size, direct->size);
  EXPECT_EQ(via->mtime_ns, direct->mtime_ns);
  EXPECT_EQ(via->inode, direct->inode);

  FileAttrs attrs;
  attrs.mode = 0600;
  ASSERT_TRUE(conn_->WriteFile(W("f"), "again\n", attrs, priv_).ok());
  EXPECT_EQ(ModeOf(W("f")), 0600u);
  ASSERT_TRUE(conn_->WriteFile(W("f"), "keep mode\n", {}, priv_).ok());
  EXPECT_EQ(ModeOf(W("f")), 0600u);
  Result<std::string> text = conn_->ReadFile(W("f"), 100, priv_);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "keep mode\n");
  EXPECT_FALSE(conn_->ReadFile(W("f"), 3, priv_).ok());
  EXPECT_EQ(conn_->ReadFile(W("missing"), 3, priv_).status().code(),
            StatusCode::kNotFound);

  Result<FileStat> missing = conn_->Stat(W("missing"), false, priv_);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->exists());

  ASSERT_TRUE(conn_->Symlink("f", W("l"), priv_).ok());
  via = conn_->Stat(W("l"), false, priv_);
  ASSERT_TRUE(via.ok());
  EXPECT_EQ(via->type, FileType::kSymlink);
  EXPECT_EQ(via->link_target, "f");
  via = conn_->Stat(W("l"), true, priv_);
  ASSERT_TRUE(via.ok());
  EXPECT_EQ(via->type, FileType::kFile);

  ASSERT_TRUE(conn_->HardLink(W("f"), W("h"), priv_).ok());
  ASSERT_TRUE(conn_->HardLink(W("f"), W("h"), priv_).ok());
  EXPECT_EQ(fs::hard_link_count(W("f")), 2u);

  ASSERT_TRUE(conn_->MakeDir(W("d"), 0777, priv_).ok());
  EXPECT_EQ(conn_->MakeDir(W("d"), 0777, priv_).code(),
            StatusCode::kAlreadyExists);
  ASSERT_EQ(::stat(W("d").c_str(), &s), 0);
  EXPECT_EQ(s.st_uid, nobody_);

  ASSERT_TRUE(conn_
                  ->SetTimes(W("f"), 1000000000LL * 1500000000 + 123,
                             1000000000LL * 1400000000 + 456, priv_)
                  .ok());
  direct = conn_->Stat(W("f"), false, {});
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(direct->atime_ns, 1000000000LL * 1500000000 + 123);
  EXPECT_EQ(direct->mtime_ns, 1000000000LL * 1400000000 + 456);

  Result<std::vector<DirEntry>> list = conn_->ListDir(work_, priv_);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 4u);
  EXPECT_EQ((*list)[0].name, "d");
  EXPECT_EQ((*list)[0].type, FileType::kDirectory);
  EXPECT_EQ((*list)[2].name, "h");
  EXPECT_EQ((*list)[3].name, "l");
  EXPECT_EQ((*list)[3].type, FileType::kSymlink);

  FileAttrs mode;
  mode.mode = 0640;
  ASSERT_TRUE(conn_->SetAttrs(W("f"), mode, true, priv_).ok());
  EXPECT_EQ(ModeOf(W("f")), 0640u);
  ASSERT_TRUE(conn_->Rename(W("h"), W("h2"), priv_).ok());
  EXPECT_TRUE(fs::exists(W("h2")));
  Put(W("d/x"), "x");
  ::chown(W("d/x").c_str(), nobody_, nobody_);
  EXPECT_FALSE(conn_->Remove(W("d"), false, priv_).ok());
  ASSERT_TRUE(conn_->Remove(W("d"), true, priv_).ok());
  EXPECT_FALSE(fs::exists(W("d")));
  ASSERT_TRUE(conn_->Remove(W("l"), false, priv_).ok());
  EXPECT_TRUE(fs::exists(W("f")));

  ASSERT_TRUE(conn_->Upload(W("f"), W("up"), {}, priv_).ok());
  EXPECT_EQ(Slurp(W("up")), "keep mode\n");
  ASSERT_TRUE(conn_->Download(W("up"), dir_ / "down", priv_).ok());
  EXPECT_EQ(Slurp(dir_ / "down"), "keep mode\n");
  EXPECT_TRUE(Temporaries(work_).empty());
}

TEST_F(SudoTest, PermissionErrorsAreClearAndLeaveNothing) {
  // dir_ is root's 0755: nobody cannot create files in it.
  Status s = conn_->WriteFile(dir_ / "denied", "x", {}, priv_);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << s.ToString();
  EXPECT_THAT(s.message(), HasSubstr("denied"));
  EXPECT_FALSE(fs::exists(dir_ / "denied"));
  EXPECT_TRUE(Temporaries(dir_.path()).empty());
  // A root-owned file in the writable dir: the rename would replace it,
  // but an owner that cannot be given fails before that.
  Put(W("rootfile"), "root's");
  FileAttrs attrs;
  attrs.uid = 0;
  s = conn_->WriteFile(W("rootfile"), "x", attrs, priv_);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(Slurp(W("rootfile")), "root's");
  EXPECT_TRUE(Temporaries(work_).empty());
}

}  // namespace
}  // namespace tend::automate
