#include "harness.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "base/env.h"
#include "http/client.h"

extern char** environ;

namespace tend::testing {

std::string TendBinary() {
  const char* b = std::getenv("TEND_BUILD_DIR");
  return std::string(b != nullptr ? b : "build/debug") + "/tend";
}

std::string PeerBinary(const std::string& name) {
  const char* p = std::getenv("TEND_PEERS_DIR");
  if (p != nullptr && *p != '\0') return std::string(p) + "/" + name;
  const char* src = std::getenv("TEND_SOURCE_DIR");
  return std::string(src != nullptr ? src : ".") + "/build/peers/bin/" + name;
}

TempDir::TempDir() {
  char tmpl[] = "/tmp/tend-it-XXXXXX";
  char* d = mkdtemp(tmpl);
  path_ = d != nullptr ? d : "/tmp";
}

TempDir::~TempDir() {
  if (path_.rfind("/tmp/tend-it-", 0) == 0) {
    std::string cmd = "rm -rf '" + path_ + "'";
    if (std::system(cmd.c_str()) != 0) {
      // Leftover temp dir: harmless.
    }
  }
}

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return 0;
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && status_ == -1 && SignalAndWait(SIGTERM, 5000) == -1) {
    SignalAndWait(SIGKILL, 5000);
  }
}

Status ChildProcess::Start(const std::vector<std::string>& argv,
                           const std::string& log) {
  log_ = log;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  std::vector<char*> args;
  for (const std::string& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int rc =
      posix_spawn(&pid_, argv[0].c_str(), &fa, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    pid_ = -1;
    return ErrnoError("spawn " + argv[0], rc);
  }
  status_ = -1;
  return Status::Ok();
}

bool ChildProcess::Running() {
  if (pid_ <= 0 || status_ != -1) return false;
  int st;
  pid_t r = ::waitpid(pid_, &st, WNOHANG);
  if (r == pid_) {
    status_ = st;
    return false;
  }
  return true;
}

void ChildProcess::Signal(int sig) {
  if (pid_ > 0 && status_ == -1) ::kill(pid_, sig);
}

int ChildProcess::SignalAndWait(int sig, int timeout_ms) {
  if (pid_ <= 0) return -1;
  if (status_ != -1) return status_;
  ::kill(pid_, sig);
  for (int waited = 0; waited <= timeout_ms; waited += 10) {
    int st;
    if (::waitpid(pid_, &st, WNOHANG) == pid_) {
      status_ = st;
      return st;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

std::string ChildProcess::Log() const {
  std::string out;
  if (!Env::Default()->ReadFile(log_, &out).ok()) return "";
  return out;
}

Result<std::string> Get(const std::string& address, const std::string& path) {
  HttpClientRequest req;
  req.address = address;
  req.path = path;
  ASSIGN_OR_RETURN(HttpClientResponse res, HttpFetch(req));
  if (res.status != 200) {
    return UnavailableError("GET " + path + ": HTTP " +
                            std::to_string(res.status) + ": " + res.body);
  }
  return res.body;
}

bool WaitForHttp200(const std::string& address, const std::string& path,
                    int timeout_ms) {
  for (int waited = 0; waited <= timeout_ms; waited += 50) {
    if (Get(address, path).ok()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace tend::testing
