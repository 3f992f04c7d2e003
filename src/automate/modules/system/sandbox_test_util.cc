#include "automate/modules/system/sandbox_test_util.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/subprocess.h"

namespace tend::automate::testing {
namespace {

// Child-side setup; returns "" or what failed.
std::string SetUp(const SandboxOptions& o, const std::string& dir) {
  int flags = CLONE_NEWNS | CLONE_NEWUTS | (o.new_net ? CLONE_NEWNET : 0);
  if (unshare(flags) != 0) return std::string("unshare: ") + strerror(errno);
  if (mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    return std::string("making mounts private: ") + strerror(errno);
  }
  if (o.copy_etc) {
    // The copy lives on a tmpfs of this namespace only: it disappears
    // with the child, whatever way it exits; the parent removes the empty
    // directory afterwards.
    if (mount("tmpfs", dir.c_str(), "tmpfs", 0, "mode=0755") != 0) {
      return std::string("tmpfs for the /etc copy: ") + strerror(errno);
    }
    SubprocessOptions cp;
    cp.argv = {"cp", "-a", "/etc", dir + "/etc"};
    auto r = RunSubprocess(cp);
    if (!r.ok() || !r->success()) return "copying /etc failed";
    std::string copy = dir + "/etc";
    if (mount(copy.c_str(), "/etc", nullptr, MS_BIND | MS_REC, nullptr) != 0) {
      return std::string("bind-mounting the /etc copy: ") + strerror(errno);
    }
  }
  for (const auto& d : o.tmpfs_dirs) {
    struct stat st;
    if (stat(d.c_str(), &st) != 0) continue;
    if (mount("tmpfs", d.c_str(), "tmpfs", 0, "mode=0755") != 0) {
      return "tmpfs on " + d + ": " + strerror(errno);
    }
  }
  for (const auto& d : o.make_dirs) {
    SubprocessOptions mk;
    mk.argv = {"mkdir", "-p", d};
    auto r = RunSubprocess(mk);
    if (!r.ok() || !r->success()) return "mkdir -p " + d + " failed";
  }
  if (o.new_net) {
    SubprocessOptions lo;
    lo.argv = {"ip", "link", "set", "lo", "up"};
    auto r = RunSubprocess(lo);  // best effort: only loopback tests need it
    (void)r;
  }
  return "";
}

}  // namespace

std::string SandboxUnavailableReason() {
  if (geteuid() != 0) return "needs root for mount namespaces";
  pid_t pid = fork();
  if (pid < 0) return "fork failed";
  if (pid == 0) {
    _exit(unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWNET) == 0 ? 0 : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return "unshare(CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWNET) is not permitted";
  }
  return "";
}

void RunInSandbox(const std::function<void()>& body,
                  const SandboxOptions& options) {
  char dir[] = "/tmp/tend-sandbox-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr) << "mkdtemp: " << strerror(errno);
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  ASSERT_GE(pid, 0) << "fork: " << strerror(errno);
  if (pid == 0) {
    std::string err = SetUp(options, dir);
    if (!err.empty()) {
      fprintf(stderr, "sandbox setup failed: %s\n", err.c_str());
      fflush(stderr);
      _exit(3);
    }
    body();
    bool failed = ::testing::Test::HasFailure();
    fflush(stdout);
    fflush(stderr);
    _exit(failed ? 1 : 0);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  rmdir(dir);
  if (WIFSIGNALED(status)) {
    ADD_FAILURE() << "sandboxed test body died of signal " << WTERMSIG(status);
  } else if (WEXITSTATUS(status) == 3) {
    ADD_FAILURE() << "sandbox setup failed (see stderr)";
  } else if (WEXITSTATUS(status) != 0) {
    ADD_FAILURE() << "sandboxed test body failed (its assertions are above)";
  }
}

}  // namespace tend::automate::testing
