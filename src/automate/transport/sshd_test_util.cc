#include "automate/transport/sshd_test_util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "base/file_util.h"
#include "base/subprocess.h"

namespace tend::automate::testing {
namespace {

namespace fs = std::filesystem;

int FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

bool Accepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok =
      ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

Status Run(const std::vector<std::string>& argv) {
  SubprocessOptions o;
  o.argv = argv;
  ASSIGN_OR_RETURN(SubprocessResult r, RunSubprocess(o));
  if (!r.success()) {
    return InternalError(argv[0] + " failed: " + r.stderr_data);
  }
  return Status::Ok();
}

Result<std::string> Slurp(const std::string& path) {
  std::string out;
  RETURN_IF_ERROR(ReadFileLimited(path, 1 << 20, "test file", &out));
  return out;
}

// "ssh-ed25519 AAAA... comment\n" -> "ssh-ed25519 AAAA..."
std::string KeyLine(const std::string& pub) {
  size_t sp = pub.find(' ');
  if (sp == std::string::npos) return pub;
  size_t sp2 = pub.find_first_of(" \n", sp + 1);
  return pub.substr(0, sp2);
}

std::string SourceDir() {
  const char* s = std::getenv("TEND_SOURCE_DIR");
  return s != nullptr && *s != '\0' ? s : fs::current_path().string();
}

}  // namespace

std::string SshdFleet::PeersBin() {
  const char* p = std::getenv("TEND_PEERS_DIR");
  if (p != nullptr && *p != '\0') return p;
  return SourceDir() + "/build/peers/bin";
}

Result<std::unique_ptr<SshdFleet>> SshdFleet::Start(int n) {
  if (::geteuid() != 0) {
    return FailedPreconditionError(
        "real sshd tests need root (a private mount namespace for "
        "/run/sshd, and sshd's privilege separation)");
  }
  std::unique_ptr<SshdFleet> f(new SshdFleet());
  const std::string bin = PeersBin();
  f->sshd_ = bin + "/sshd";
  f->sftp_server_ = bin + "/sftp-server";
  if (::access(f->sshd_.c_str(), X_OK) != 0) {
    // Unpack the peers as the other integration tests expect them.
    Status s = Run({"/bin/bash", SourceDir() + "/scripts/peers.sh",
                    fs::path(bin).parent_path().string()});
    if (!s.ok() || ::access(f->sshd_.c_str(), X_OK) != 0) {
      return FailedPreconditionError(
          "no sshd at " + f->sshd_ +
          " (scripts/peers.sh build/peers unpacks it): " +
          std::string(s.message()));
    }
  }
  // The sftp-server symlink is relative; sshd wants an absolute path.
  std::error_code ec;
  fs::path sftp = fs::canonical(f->sftp_server_, ec);
  if (ec)
    return FailedPreconditionError("no sftp-server at " + f->sftp_server_);
  f->sftp_server_ = sftp.string();

  char tmpl[] = "/tmp/tend-sshd-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) return ErrnoError("mkdtemp", errno);
  f->dir_ = tmpl;
  // Others (the become tests' "nobody") must be able to reach the roots.
  ::chmod(f->dir_.c_str(), 0755);
  f->client_key_ = f->dir_ + "/client_ed25519";
  RETURN_IF_ERROR(Run({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
                       "tend-test-client", "-f", f->client_key_}));
  ASSIGN_OR_RETURN(std::string client_pub, Slurp(f->client_key_ + ".pub"));

  // /etc/passwd with the privilege separation user sshd requires.
  ASSIGN_OR_RETURN(std::string passwd, Slurp("/etc/passwd"));
  if (passwd.find("\nsshd:") == std::string::npos &&
      !passwd.starts_with("sshd:")) {
    if (!passwd.empty() && passwd.back() != '\n') passwd += '\n';
    passwd += "sshd:x:64999:65534::/run/sshd:/usr/sbin/nologin\n";
  }
  f->passwd_ = f->dir_ + "/passwd";
  RETURN_IF_ERROR(WriteFileAtomic(f->passwd_, passwd, 0644));

  for (int i = 0; i < n; ++i) {
    SshdHost h;
    h.name = "h" + std::to_string(i + 1);
    h.dir = f->dir_ + "/" + h.name;
    h.root = h.dir + "/root";
    RETURN_IF_ERROR(MakeDirs(h.root, 0755));
    ::chmod(h.dir.c_str(), 0755);
    RETURN_IF_ERROR(
        WriteFileAtomic(h.dir + "/authorized_keys", client_pub, 0600));
    RETURN_IF_ERROR(Run({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
                         h.name, "-f", h.dir + "/host_ed25519"}));
    ASSIGN_OR_RETURN(std::string pub, Slurp(h.dir + "/host_ed25519.pub"));
    h.host_key_line = KeyLine(pub);
    f->hosts_.push_back(std::move(h));
  }
  for (SshdHost& h : f->hosts_) RETURN_IF_ERROR(f->StartOne(&h));
  RETURN_IF_ERROR(f->WriteKnownHosts());
  return f;
}

Status SshdFleet::WriteKnownHosts() {
  known_hosts_ = dir_ + "/known_hosts";
  std::string text;
  for (const SshdHost& h : hosts_) {
    text +=
        "[127.0.0.1]:" + std::to_string(h.port) + " " + h.host_key_line + "\n";
  }
  return WriteFileAtomic(known_hosts_, text, 0644);
}

Status SshdFleet::StartOne(SshdHost* h) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (h->port == 0 || attempt > 0) h->port = FreeLoopbackPort();
    const std::string config = h->dir + "/sshd_config";
    std::string text = "Port " + std::to_string(h->port) +
                       "\n"
                       "ListenAddress 127.0.0.1\n"
                       "HostKey " +
                       h->dir +
                       "/host_ed25519\n"
                       "PidFile " +
                       h->dir +
                       "/sshd.pid\n"
                       "AuthorizedKeysFile " +
                       h->dir +
                       "/authorized_keys\n"
                       "PermitRootLogin prohibit-password\n"
                       "PubkeyAuthentication yes\n"
                       "PasswordAuthentication no\n"
                       "KbdInteractiveAuthentication no\n"
                       "UsePAM no\n"
                       "StrictModes no\n"
                       "UseDNS no\n"
                       "PrintMotd no\n"
                       "MaxStartups 200\n"
                       "MaxSessions 100\n"
                       "LogLevel INFO\n"
                       "Subsystem sftp " +
                       sftp_server_ + "\n";
    RETURN_IF_ERROR(WriteFileAtomic(config, text, 0644));
    const std::string log = h->dir + "/sshd.log";
    // Everything the child needs is prepared before fork: after it only
    // system calls run.
    std::vector<std::string> args = {sshd_, "-D", "-e", "-f", config};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const char* passwd = passwd_.c_str();
    const char* logp = log.c_str();
    pid_t pid = ::fork();
    if (pid < 0) return ErrnoError("fork", errno);
    if (pid == 0) {
      int fd = ::open(logp, O_WRONLY | O_CREAT | O_APPEND, 0644);
      int null = ::open("/dev/null", O_RDONLY);
      if (fd < 0 || null < 0) ::_exit(120);
      ::dup2(null, 0);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      sigset_t none;
      sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      if (::unshare(CLONE_NEWNS) != 0 ||
          ::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
          ::mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV,
                  "mode=0755") != 0 ||
          ::mkdir("/run/sshd", 0755) != 0 ||
          ::mount(passwd, "/etc/passwd", nullptr, MS_BIND, nullptr) != 0) {
        static const char kMsg[] = "sshd fixture: namespace setup failed\n";
        (void)!::write(2, kMsg, sizeof(kMsg) - 1);
        ::_exit(121);
      }
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    h->pid = pid;
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(15);
    bool up = false;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        h->pid = -1;
        break;  // exited: maybe the port was taken meanwhile; retry
      }
      if (Accepts(h->port)) {
        up = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (up) return Status::Ok();
    if (h->pid > 0) {
      ::kill(h->pid, SIGKILL);
      ::waitpid(h->pid, nullptr, 0);
      h->pid = -1;
    }
    std::string text_log;
    ReadFileLimited(log, 1 << 16, "sshd log", &text_log).IgnoreError();
    if (text_log.find("Address already in use") == std::string::npos) {
      return InternalError("sshd " + h->name + " did not start: " + text_log);
    }
  }
  return InternalError("sshd " + h->name + ": no free port after 5 tries");
}

void SshdFleet::Stop(size_t i) {
  SshdHost& h = hosts_[i];
  if (h.pid <= 0) return;
  ::kill(h.pid, SIGTERM);
  for (int k = 0; k < 250; ++k) {
    if (::waitpid(h.pid, nullptr, WNOHANG) == h.pid) {
      h.pid = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(h.pid, SIGKILL);
  ::waitpid(h.pid, nullptr, 0);
  h.pid = -1;
}

Status SshdFleet::RotateHostKey(size_t i) {
  Stop(i);
  SshdHost& h = hosts_[i];
  const std::string key = h.dir + "/host_ed25519";
  ::unlink(key.c_str());
  ::unlink((key + ".pub").c_str());
  RETURN_IF_ERROR(Run({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
                       h.name + "-new", "-f", key}));
  ASSIGN_OR_RETURN(std::string pub, Slurp(key + ".pub"));
  h.host_key_line = KeyLine(pub);
  return StartOne(&h);
}

std::string SshdFleet::Log(size_t i) const {
  std::string out;
  ReadFileLimited(hosts_[i].dir + "/sshd.log", 1 << 20, "sshd log", &out)
      .IgnoreError();
  return out;
}

SshdFleet::~SshdFleet() {
  for (size_t i = 0; i < hosts_.size(); ++i) Stop(i);
  if (dir_.starts_with("/tmp/tend-sshd-")) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

}  // namespace tend::automate::testing
