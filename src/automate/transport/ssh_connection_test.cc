// The SSH transport against real OpenSSH servers (sshd_test_util.h): run
// from the repository root as root, with build/peers unpacked (the
// fixture runs scripts/peers.sh when it is not).
#include "automate/transport/ssh_connection.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "automate/transport/shell_quote.h"
#include "automate/transport/sshd_test_util.h"
#include "base/subprocess.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tend::automate {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::SshdFleet;
using ::testing::StartsWith;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void Put(const std::string& path, std::string_view text) {
  std::ofstream(path, std::ios::binary) << text;
}

struct LStat {
  struct stat s {};
  bool ok = false;
};
LStat L(const std::string& path) {
  LStat r;
  r.ok = ::lstat(path.c_str(), &r.s) == 0;
  return r;
}

std::string RandomBytes(size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(gen() & 0xff);
  return s;
}

std::vector<std::string> TempLeftovers(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string n = e.path().filename().string();
    if (n.starts_with(".tend-")) out.push_back(n);
  }
  return out;
}

class SshTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto f = SshdFleet::Start(2);
    if (!f.ok()) {
      start_error_ = new std::string(f.status().message());
      return;
    }
    fleet_ = f->release();
  }
  static void TearDownTestSuite() {
    delete fleet_;
    fleet_ = nullptr;
    delete start_error_;
    start_error_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(fleet_, nullptr) << "sshd fleet: " << *start_error_;
    root_ = fleet_->hosts()[0].root + "/" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::create_directories(root_);
  }

  SshOptions Options(size_t i = 0) const {
    SshOptions o;
    o.address = "127.0.0.1";
    o.port = fleet_->hosts()[i].port;
    o.user = "root";
    o.private_key_files = {fleet_->client_key()};
    o.use_agent = false;
    o.known_hosts = fleet_->known_hosts();
    o.sftp_stat = false;  // exact stat; SftpStatOption covers the default
    return o;
  }

  std::unique_ptr<Connection> Open(SshOptions o) {
    auto c = OpenSsh("h1", o);
    EXPECT_TRUE(c.ok()) << c.status().message() << "\n" << fleet_->Log(0);
    return c.ok() ? std::move(*c) : nullptr;
  }
  std::unique_ptr<Connection> Open() { return Open(Options()); }

  static SshdFleet* fleet_;
  static std::string* start_error_;
  std::string root_;
};

SshdFleet* SshTest::fleet_ = nullptr;
std::string* SshTest::start_error_ = nullptr;

const Privilege kMe;

#define ASSERT_OK(expr)                   \
  do {                                    \
    Status _s = (expr);                   \
    ASSERT_TRUE(_s.ok()) << _s.message(); \
  } while (0)

// ---------------------------------------------------------------- exec

TEST_F(SshTest, ExecExitCodeAndBothStreams) {
  auto c = Open();
  ASSERT_NE(c, nullptr);
  ExecRequest req;
  req.argv = {"/bin/sh", "-c", "echo out; echo err >&2; exit 3"};
  auto r = c->Exec(req);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->signal, 0);
  EXPECT_FALSE(r->timed_out);
  EXPECT_EQ(r->out, "out\n");
  EXPECT_EQ(r->err, "err\n");

  ExecRequest sh;
  sh.shell = "echo \"$((6 * 7))\"; exit 0";
  r = c->Exec(sh);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->out, "42\n");
}

TEST_F(SshTest, ArgvReachesTheProgramUnchanged) {
  auto c = Open();
  ASSERT_NE(c, nullptr);
  ExecRequest req;
  req.argv = {"printf", "[%s]", "a b", "it's",  "$HOME", "",
              "*",      "x\ny", ";ls", "\"q\"", "a\\b",  "-n"};
  auto r = c->Exec(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "[a b][it's][$HOME][][*][x\ny][;ls][\"q\"][a\\b][-n]");
}

TEST_F(SshTest, StdinLargeInputAndOutput) {
  auto c = Open();
  ASSERT_NE(c, nullptr);
  const std::string data = RandomBytes(3 << 20, 7);
  ExecRequest req;
  req.argv = {"cat"};
  req.stdin_data = data;
  auto r = c->Exec(req);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->out.size(), data.size());
  EXPECT_TRUE(r->out == data);

  // More output than one SSH window on both streams at once.
  ExecRequest big;
  big.shell = "head -c 5000000 /dev/zero; head -c 3000000 /dev/zero >&2";
  r = c->Exec(big);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->out.size(), 5000000u);
  EXPECT_EQ(r->err.size(), 3000000u);
}

TEST_F(SshTest, EnvAndChdir) {
  auto c = Open();
  ASSERT_NE(c, nullptr);
  ExecRequest req;
  req.argv = {"/bin/sh", "-c", "echo \"$FOO|$BAR\"; pwd"};
  req.env = {{"FOO", "bar baz"}, {"BAR", "it's $x"}};
  req.chdir = root_;
  auto r = c->Exec(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "bar baz|it's $x\n" + root_ + "\n");

  req.chdir = root_ + "/missing";
  r = c->Exec(req);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->exit_code, 0);
}

TEST_F(SshTest, TimeoutEndsTheCommandAndTheSessionStaysUsable) {
  auto c = Open();
  ASSERT_NE(c, nullptr);
  ExecRequest req;
  req.argv = {"sleep", "30"};
  req.timeout_ms = 300;
  auto t0 = std::chrono::steady_clock::now();
  auto r = c->Exec(req);
  auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->exit_code, -1);
  EXPECT_LT(took, std::chrono::seconds(10));

  ExecRequest echo;
  echo.argv = {"echo", "still here"};
  r = c->Exec(echo);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->out, "still here\n");
}

TEST_F(SshTest, SignalIsReported) {
  auto c = Open();
  ASSERT_NE(c, nullptr);
  ExecRequest req;
  req.argv = {"/bin/sh", "-c", "kill -TERM $$"};
  auto r = c->Exec(req);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->signal, SIGTERM);
  EXPECT_EQ(r->exit_code, -1);
}

TEST_F(SshTest, MissingProgramIsAnError) {
  auto c = Open();
  ASSERT_NE(c, nullptr);
  ExecRequest req;
  req.argv = {"no-such-program-tend"};
  auto r = c->Exec(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(r.status().message(), HasSubstr("no-such-program-tend"));
}

TEST_F(SshTest, OneSessionServesManyCommands) {
  auto c = Open();
  ASSERT_NE(c, nullptr);
  for (int i = 0; i < 20; ++i) {
    ExecRequest req;
    req.argv = {"echo", std::to_string(i)};
    auto r = c->Exec(req);
    ASSERT_TRUE(r.ok()) << i << ": " << r.status().message();
    ASSERT_EQ(r->out, std::to_string(i) + "\n");
  }
  // One connection from this test in the server's log (besides others).
  EXPECT_THAT(fleet_->Log(0), HasSubstr("Accepted publickey for root"));
}

// ---------------------------------------------------------------- files

TEST_F(SshTest, WriteReadStatOverSftp) {
  auto c = Open();
  ASSERT_NE(c, nullptr);
  const std::string f = root_ + "/a.txt";
  ASSERT_OK(c->WriteFile(f, "hello\n", FileAttrs{}, kMe));
  EXPECT_EQ(Slurp(f), "hello\n");
  EXPECT_EQ(L(f).s.st_mode & 07777, 0644u);  // 0666 & ~umask 022
  EXPECT_TRUE(TempLeftovers(root_).empty());

  auto st = c->Stat(f, true, kMe);
  ASSERT_TRUE(st.ok()) << st.status().message();
  EXPECT_EQ(st->type, FileType::kFile);
  EXPECT_EQ(st->size, 6u);
  EXPECT_EQ(st->mode, 0644u);
  EXPECT_EQ(st->inode, L(f).s.st_ino);
  EXPECT_EQ(st->nlink, 1u);
  EXPECT_EQ(st->mtime_ns, int64_t{L(f).s.st_mtim.tv_sec} * 1000000000 +
                              L(f).s.st_mtim.tv_nsec);

  auto body = c->ReadFile(f, 100, kMe);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(*body, "hello\n");
  auto small = c->ReadFile(f, 3, kMe);
  EXPECT_EQ(small.status().code(), StatusCode::kResourceExhausted);
  auto missing = c->ReadFile(root_ + "/nope", 100, kMe);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("h1 (127.0.0.1:"));
  auto dir = c->ReadFile(root_, 100, kMe);
  EXPECT_FALSE(dir.ok());

  auto none = c->Stat(root_ + "/nope/deeper", false, kMe);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->type, FileType::kMissing);

  // Given attributes; then an overwrite keeps them.
  FileAttrs attrs;
  attrs.mode = 0640;
  attrs.uid = 65534;
  attrs.gid = 65534;
  ASSERT_OK(c->WriteFile(f, "two\n", attrs, kMe));
  EXPECT_EQ(L(f).s.st_mode & 07777, 0640u);
  EXPECT_EQ(L(f).s.st_uid, 65534u);
  ASSERT_OK(c->WriteFile(f, "three\n", FileAttrs{}, kMe));
  EXPECT_EQ(Slurp(f), "three\n");
  EXPECT_EQ(L(f).s.st_mode & 07777, 0640u);
  EXPECT_EQ(L(f).s.st_uid, 65534u);
  EXPECT_EQ(L(f).s.st_gid, 65534u);
}

TEST_F(SshTest, SftpStatOption) {
  SshOptions o = Options();
  o.sftp_stat = true;  // the default
  auto c = Open(o);
  ASSERT_NE(c, nullptr);
  Put(root_ + "/f", "12345");
  ::chmod((root_ + "/f").c_str(), 0604);
  ::symlink("f", (root_ + "/l").c_str());
  auto st = c->Stat(root_ + "/f", false, kMe);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->type, FileType::kFile);
  EXPECT_EQ(st->size, 5u);
  EXPECT_EQ(st->mode, 0604u);
  auto ln = c->Stat(root_ + "/l", false, kMe);
  ASSERT_TRUE(ln.ok());
  EXPECT_EQ(ln->type, FileType::kSymlink);
  EXPECT_EQ(ln->link_target, "f");
  auto followed = c->Stat(root_ + "/l", true, kMe);
  ASSERT_TRUE(followed.ok());
  EXPECT_EQ(followed->type, FileType::kFile);
  auto missing = c->Stat(root_ + "/none", true, kMe);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->exists());
}

TEST_F(SshTest, FailedWriteLeavesTheOldFile) {
  auto c = Open();
  ASSERT_NE(c, nullptr);
  const std::string f = root_ + "/keep.txt";
  Put(f, "old content\n");
  ::chmod(f.c_str(), 0600);
  // Reading a directory fails after the temporary was created.
  Status s = c->Upload(root_, f, FileAttrs{}, kMe);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(Slurp(f), "old content\n");
  EXPECT_EQ(L(f).s.st_mode & 07777, 0600u);
  EXPECT_TRUE(TempLeftovers(root_).empty());

  // The rename fails (a directory is in the way): nothing is left over.
  fs::create_directories(root_ + "/adir/sub");
  s = c->WriteFile(root_ + "/adir", "x", FileAttrs{}, kMe);
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(fs::is_directory(root_ + "/adir/sub"));
  EXPECT_TRUE(TempLeftovers(root_).empty());
}

TEST_F(SshTest, DirectoriesLinksAndRemove) {
  auto c = Open();
  ASSERT_NE(c, nullptr);
  const std::string d = root_ + "/d";
  ASSERT_OK(c->MakeDir(d, 0750, kMe));
  EXPECT_EQ(L(d).s.st_mode & 07777, 0750u);
  EXPECT_EQ(c->MakeDir(d, 0750, kMe).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(c->MakeDir(root_ + "/x/y", 0755, kMe).code(),
            StatusCode::kNotFound);

  Put(d + "/f", "data");
  ASSERT_OK(c->Symlink("f", d + "/ln", kMe));
  EXPECT_EQ(fs::read_symlink(d + "/ln"), "f");
  // Replacing a link (and a file) with a link is atomic.
  ASSERT_OK(c->Symlink("/etc/hostname", d + "/ln", kMe));
  EXPECT_EQ(fs::read_symlink(d + "/ln"), "/etc/hostname");
  Put(d + "/plain", "p");
  ASSERT_OK(c->Symlink("f", d + "/plain", kMe));
  EXPECT_TRUE(fs::is_symlink(d + "/plain"));
  auto ls = c->Stat(d + "/ln", false, kMe);
  ASSERT_TRUE(ls.ok());
  EXPECT_EQ(ls->type, FileType::kSymlink);
  EXPECT_EQ(ls->link_target, "/etc/hostname");

  ASSERT_OK(c->HardLink(d + "/f", d + "/hard", kMe));
  EXPECT_EQ(L(d + "/hard").s.st_ino, L(d + "/f").s.st_ino);
  auto hs = c->Stat(d + "/hard", false, kMe);
  ASSERT_TRUE(hs.ok());
  EXPECT_EQ(hs->nlink, 2u);
  EXPECT_EQ(hs->inode, L(d + "/f").s.st_ino);
  EXPECT_TRUE(c->HardLink(d + "/f", d + "/hard", kMe).ok());  // again: no-op

  ASSERT_OK(c->Rename(d + "/hard", d + "/hard2", kMe));
  EXPECT_FALSE(L(d + "/hard").ok);
  EXPECT_TRUE(L(d + "/hard2").ok);
  // Rename over an existing file replaces it (posix-rename).
  Put(d + "/target", "t");
  ASSERT_OK(c->Rename(d + "/hard2", d + "/target", kMe));
  EXPECT_EQ(Slurp(d + "/target"), "data");

  auto list = c->ListDir(d, kMe);
  ASSERT_TRUE(list.ok());
  std::vector<std::string> names;
  for (const DirEntry& e : *list) names.push_back(e.name);
  EXPECT_THAT(names, ::testing::ElementsAre("f", "ln", "plain", "target"));
  EXPECT_EQ((*list)[0].type, FileType::kFile);
  EXPECT_EQ((*list)[1].type, FileType::kSymlink);

  fs::create_directories(d + "/t/a/b");
  Put(d + "/t/a/b/c", "c");
  ::symlink("/etc", (d + "/t/a/etc").c_str());
  EXPECT_FALSE(c->Remove(d + "/t", false, kMe).ok());  // not empty
  ASSERT_OK(c->Remove(d + "/t", true, kMe));
  EXPECT_FALSE(L(d + "/t").ok);
  EXPECT_TRUE(fs::exists("/etc/hostname"));  // the link, not its target
  ASSERT_OK(c->Remove(d + "/ln", false, kMe));
  EXPECT_FALSE(L(d + "/ln").ok);
  EXPECT_TRUE(c->Remove(d + "/never", true, kMe).ok());
}

TEST_F(SshTest, AttributesAndTimes) {
  auto c = Open();
  ASSERT_NE(c, nullptr);
  const std::string f = root_ + "/f";
  Put(f, "x");
  FileAttrs a;
  a.mode = 04751;
  ASSERT_OK(c->SetAttrs(f, a, true, kMe));
  EXPECT_EQ(L(f).s.st_mode & 07777, 04751u);
  FileAttrs owner;
  owner.uid = 65534;
  ASSERT_OK(c->SetAttrs(f, owner, true, kMe));
  EXPECT_EQ(L(f).s.st_uid, 65534u);
  EXPECT_EQ(L(f).s.st_gid, 0u);

  // Not following: the link's own owner changes, the target's does not.
  ::symlink("f", (root_ + "/l").c_str());
  FileAttrs link_owner;
  link_owner.uid = 1;
  link_owner.mode = 0600;
  ASSERT_OK(c->SetAttrs(root_ + "/l", link_owner, false, kMe));
  EXPECT_EQ(L(root_ + "/l").s.st_uid, 1u);
  EXPECT_EQ(L(f).s.st_uid, 65534u);
  // (The chown before cleared the setuid bit, as chown(2) does.)
  EXPECT_EQ(L(f).s.st_mode & 07777, 0751u);

  const int64_t t = int64_t{1600000000} * 1000000000 + 123456789;
  ASSERT_OK(c->SetTimes(f, t, t + 1000000000, kMe));
  EXPECT_EQ(L(f).s.st_atim.tv_sec, 1600000000);
  EXPECT_EQ(L(f).s.st_atim.tv_nsec, 123456789);
  EXPECT_EQ(L(f).s.st_mtim.tv_sec, 1600000001);
  ASSERT_OK(c->SetTimes(f, -1, -1, kMe));
  EXPECT_GT(L(f).s.st_mtim.tv_sec, 1700000000);
}

TEST_F(SshTest, UploadAndDownloadStream) {
  auto c = Open();
  ASSERT_NE(c, nullptr);
  const std::string data = RandomBytes((2 << 20) + 12345, 3);
  const std::string local = root_ + "/local.bin";
  Put(local, data);
  FileAttrs a;
  a.mode = 0755;
  ASSERT_OK(c->Upload(local, root_ + "/remote.bin", a, kMe));
  EXPECT_TRUE(Slurp(root_ + "/remote.bin") == data);
  EXPECT_EQ(L(root_ + "/remote.bin").s.st_mode & 07777, 0755u);
  ASSERT_TRUE(
      c->Download(root_ + "/remote.bin", root_ + "/back.bin", kMe).ok());
  EXPECT_TRUE(Slurp(root_ + "/back.bin") == data);
  EXPECT_FALSE(c->Download(root_ + "/none", root_ + "/back2", kMe).ok());
  EXPECT_FALSE(L(root_ + "/back2").ok);
  EXPECT_TRUE(TempLeftovers(root_).empty());
}

// ---------------------------------------------------------------- become

TEST_F(SshTest, BecomeNobodyThroughSudo) {
  ASSERT_EQ(::access("/usr/bin/sudo", X_OK), 0)
      << "sudo is missing (scripts/deps.sh installs it)";
  auto c = Open();
  ASSERT_NE(c, nullptr);
  const Privilege nobody{true, "nobody"};
  ExecRequest req;
  req.argv = {"id", "-un"};
  req.priv = nobody;
  auto r = c->Exec(req);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->out, "nobody\n") << r->err;

  req.argv = {"/bin/sh", "-c", "echo \"$X\"; pwd; id -un"};
  req.env = {{"X", "a b"}};
  req.chdir = root_;
  r = c->Exec(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "a b\n" + root_ + "\nnobody\n") << r->err;

  // Files go through sudo scripts: owned by nobody, refused where nobody
  // may not write.
  const std::string open_dir = root_ + "/open";
  fs::create_directories(open_dir);
  ::chmod(open_dir.c_str(), 0777);
  ASSERT_TRUE(
      c->WriteFile(open_dir + "/n.txt", "by nobody\n", FileAttrs{}, nobody)
          .ok());
  EXPECT_EQ(L(open_dir + "/n.txt").s.st_uid, 65534u);
  EXPECT_EQ(Slurp(open_dir + "/n.txt"), "by nobody\n");
  auto st = c->Stat(open_dir + "/n.txt", true, nobody);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->uid, 65534u);
  auto body = c->ReadFile(open_dir + "/n.txt", 100, nobody);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(*body, "by nobody\n");
  Status denied = c->WriteFile(root_ + "/no.txt", "x", FileAttrs{}, nobody);
  EXPECT_EQ(denied.code(), StatusCode::kPermissionDenied) << denied.message();
  EXPECT_FALSE(L(root_ + "/no.txt").ok);
  ASSERT_OK(c->MakeDir(open_dir + "/sub", 0700, nobody));
  EXPECT_EQ(L(open_dir + "/sub").s.st_uid, 65534u);

  // Becoming the login user itself needs no sudo.
  auto* ssh = dynamic_cast<SshConnection*>(c.get());
  ASSERT_NE(ssh, nullptr);
  ExecRequest as_root;
  as_root.argv = {"id", "-u"};
  as_root.priv = Privilege{true, "root"};
  EXPECT_FALSE(ssh->NeedsSudo(as_root.priv));
  EXPECT_THAT(ssh->CommandLine(as_root), Not(HasSubstr("sudo")));
  EXPECT_THAT(ssh->CommandLine(req), StartsWith("sudo -n -u nobody -- "));
}

// ---------------------------------------------------------------- auth

TEST_F(SshTest, WrongKeyAndClosedPortSayWhatFailed) {
  const std::string other = root_ + "/other_key";
  SubprocessOptions keygen;
  keygen.argv = {"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other};
  auto gen = RunSubprocess(keygen);
  ASSERT_TRUE(gen.ok() && gen->success());
  SshOptions o = Options();
  o.private_key_files = {other};
  auto c = OpenSsh("web1", o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kPermissionDenied);
  const std::string where = "web1 (127.0.0.1:" + std::to_string(o.port) + ")";
  EXPECT_THAT(c.status().message(), StartsWith(where));
  EXPECT_THAT(c.status().message(), HasSubstr("authentication failed as root"));
  EXPECT_THAT(c.status().message(), HasSubstr("tried key " + other));

  o.private_key_files = {root_ + "/missing_key"};
  c = OpenSsh("web1", o);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("could not be loaded"));

  SshOptions closed = Options();
  fleet_->hosts();  // the second host stays up; use a port nothing uses
  closed.port = 1;
  c = OpenSsh("web9", closed);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(c.status().message(), StartsWith("web9 (127.0.0.1:1): "));
}

TEST_F(SshTest, AgentAuthentication) {
  const std::string sock = root_ + "/agent.sock";
  pid_t agent = ::fork();
  ASSERT_GE(agent, 0);
  if (agent == 0) {
    int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::execlp("ssh-agent", "ssh-agent", "-D", "-a", sock.c_str(), nullptr);
    ::_exit(127);
  }
  struct KillAgent {
    pid_t pid;
    ~KillAgent() {
      ::kill(pid, SIGTERM);
      ::waitpid(pid, nullptr, 0);
    }
  } kill_agent{agent};
  for (int i = 0; i < 200 && !fs::exists(sock); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(fs::exists(sock)) << "ssh-agent did not start";
  SubprocessOptions add;
  add.argv = {"ssh-add", "-q", fleet_->client_key()};
  add.env = {"SSH_AUTH_SOCK=" + sock, "PATH=/usr/bin:/bin"};
  auto added = RunSubprocess(add);
  ASSERT_TRUE(added.ok() && added->success())
      << (added.ok() ? added->stderr_data : added.status().message());

  SshOptions o = Options();
  o.private_key_files.clear();
  o.use_agent = true;
  o.agent_socket = sock;
  auto c = OpenSsh("h1", o);
  ASSERT_TRUE(c.ok()) << c.status().message();
  ExecRequest req;
  req.argv = {"echo", "via agent"};
  auto r = (*c)->Exec(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "via agent\n");

  // Without the agent and without keys, the message says what was tried.
  o.use_agent = false;
  setenv("HOME", root_.c_str(), 1);  // no ~/.ssh/id_* there
  auto none = OpenSsh("h1", o);
  unsetenv("HOME");
  ASSERT_FALSE(none.ok());
  EXPECT_THAT(none.status().message(), HasSubstr("tried nothing"));
}

// ---------------------------------------------------------------- host keys

TEST_F(SshTest, HostKeyStrictAndAcceptNew) {
  const std::string kh = root_ + "/known_hosts";
  SshOptions o = Options();
  o.known_hosts = kh;
  auto c = OpenSsh("h1", o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(c.status().message(), HasSubstr("is not in " + kh));
  EXPECT_FALSE(fs::exists(kh));

  o.host_key_checking = HostKeyChecking::kAcceptNew;
  c = OpenSsh("h1", o);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_THAT(Slurp(kh), HasSubstr(fleet_->hosts()[0].host_key_line));

  o.host_key_checking = HostKeyChecking::kStrict;
  c = OpenSsh("h1", o);
  ASSERT_TRUE(c.ok()) << c.status().message();
}

TEST_F(SshTest, ChangedHostKeyIsRefusedUnlessOff) {
  // The second server gets a new key; the fleet's known_hosts keeps the
  // old one on line 2.
  ASSERT_TRUE(fleet_->RotateHostKey(1).ok()) << fleet_->Log(1);
  SshOptions o = Options(1);
  const std::string name =
      "[127.0.0.1]:" + std::to_string(fleet_->hosts()[1].port);
  for (HostKeyChecking mode :
       {HostKeyChecking::kStrict, HostKeyChecking::kAcceptNew}) {
    o.host_key_checking = mode;
    auto c = OpenSsh("h2", o);
    ASSERT_FALSE(c.ok()) << HostKeyCheckingName(mode);
    EXPECT_EQ(c.status().code(), StatusCode::kPermissionDenied);
    EXPECT_THAT(c.status().message(),
                HasSubstr("host key for " + name + " changed"));
    EXPECT_THAT(c.status().message(), HasSubstr("line 2"));
  }
  o.host_key_checking = HostKeyChecking::kOff;
  auto c = OpenSsh("h2", o);
  ASSERT_TRUE(c.ok()) << c.status().message();
}

// ---------------------------------------------------------------- options

TEST(SshOptionsFromVars, ReadsAnsibleVariables) {
  Value vars = {{"ansible_host", "10.1.2.3"},
                {"ansible_port", 2222},
                {"ansible_user", "deploy"},
                {"ansible_ssh_private_key_file", "~/.ssh/deploy"},
                {"ansible_ssh_timeout", "7"},
                {"ansible_host_key_checking", false}};
  auto o = SshOptionsFromVars("web1", vars);
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o->address, "10.1.2.3");
  EXPECT_EQ(o->port, 2222);
  EXPECT_EQ(o->user, "deploy");
  ASSERT_EQ(o->private_key_files.size(), 1u);
  EXPECT_EQ(o->private_key_files[0], "~/.ssh/deploy");
  EXPECT_EQ(o->connect_timeout_ms, 7000);
  EXPECT_EQ(o->host_key_checking, HostKeyChecking::kOff);

  auto d = SshOptionsFromVars("web2", Value::object());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->address, "web2");
  EXPECT_EQ(d->port, 22);

  setenv("TEND_HOST_KEY_CHECKING", "accept-new", 1);
  d = SshOptionsFromVars("web2", Value::object());
  unsetenv("TEND_HOST_KEY_CHECKING");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->host_key_checking, HostKeyChecking::kAcceptNew);

  auto bad = SshOptionsFromVars("web3", Value{{"ansible_port", "22x"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("web3: ansible_port=22x"));
  bad = SshOptionsFromVars("web3",
                           Value{{"ansible_ssh_host_key_checking", "maybe"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(),
              HasSubstr("ansible_ssh_host_key_checking"));
}

TEST(ShellQuote, RoundTripsThroughSh) {
  const std::vector<std::string> words = {
      "plain", "",   "a b", "it's", "'",  "''", "$HOME", "`id`",
      "a\nb",  "\\", "*",   "~",    "-x", "=",  "é",     "x\ty"};
  for (const std::string& w : words) {
    SubprocessOptions o;
    o.argv = {"/bin/sh", "-c", "printf '%s' " + ShellQuote(w)};
    auto r = RunSubprocess(o);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->stdout_data, w) << ShellQuote(w);
  }
  EXPECT_EQ(ShellQuote("abc/d.e"), "abc/d.e");
  EXPECT_EQ(ShellQuote("it's"), "'it'\\''s'");
  EXPECT_EQ(ShellJoin({"echo", "a b", ""}), "echo 'a b' ''");
}

}  // namespace
}  // namespace tend::automate
