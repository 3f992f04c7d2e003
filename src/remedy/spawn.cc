#include "remedy/spawn.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

extern char** environ;

namespace tend::remedy {
namespace {

bool IsExecutable(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
         access(p.c_str(), X_OK) == 0;
}

std::string EnvValue(const std::vector<std::string>& env,
                     std::string_view key) {
  for (const auto& e : env) {
    if (e.size() > key.size() && e.compare(0, key.size(), key) == 0 &&
        e[key.size()] == '=') {
      return e.substr(key.size() + 1);
    }
  }
  return "";
}

void SetEnv(std::vector<std::string>* env, const std::string& entry) {
  size_t eq = entry.find('=');
  for (auto& e : *env) {
    if (e.compare(0, eq + 1, entry, 0, eq + 1) == 0) {
      e = entry;
      return;
    }
  }
  env->push_back(entry);
}

}  // namespace

Result<SpawnPlan> PlanSpawn(const SuperviseSpec& spec) {
  const std::string where = "supervise " + spec.name + ": ";
  if (spec.argv.empty() || spec.argv[0].empty()) {
    return InvalidArgumentError(where + "argv is empty");
  }
  SpawnPlan plan;
  plan.argv = spec.argv;
  for (char** e = environ; e && *e; ++e) plan.envp.push_back(*e);
  for (const auto& e : spec.env) {
    if (e.find('=') == std::string::npos || e[0] == '=') {
      return InvalidArgumentError(where + "env entry '" + e +
                                  "' is not KEY=VALUE");
    }
    SetEnv(&plan.envp, e);
  }
  if (!spec.user.empty()) {
    passwd pw;
    passwd* found = nullptr;
    std::vector<char> buf(16384);
    char* end = nullptr;
    unsigned long uid = strtoul(spec.user.c_str(), &end, 10);
    int r = (end && *end == '\0')
                ? getpwuid_r(uid_t(uid), &pw, buf.data(), buf.size(), &found)
                : getpwnam_r(spec.user.c_str(), &pw, buf.data(), buf.size(),
                             &found);
    if (r != 0 || found == nullptr) {
      return NotFoundError(where + "user '" + spec.user + "' does not exist");
    }
    if (pw.pw_uid != geteuid()) {
      if (geteuid() != 0) {
        return PermissionDeniedError(
            where + "user '" + spec.user +
            "' needs tend to run as root (it runs as uid " +
            std::to_string(geteuid()) + ")");
      }
      plan.switch_user = true;
      plan.uid = pw.pw_uid;
      plan.gid = pw.pw_gid;
      int n = 64;
      plan.groups.resize(size_t(n));
      if (getgrouplist(pw.pw_name, pw.pw_gid, plan.groups.data(), &n) < 0) {
        plan.groups.resize(size_t(n));
        getgrouplist(pw.pw_name, pw.pw_gid, plan.groups.data(), &n);
      }
      plan.groups.resize(size_t(n));
      std::vector<std::string> user_env = {
          std::string("HOME=") + pw.pw_dir, std::string("USER=") + pw.pw_name,
          std::string("LOGNAME=") + pw.pw_name};
      for (const auto& e : user_env) {
        if (EnvValue(spec.env, e.substr(0, e.find('='))).empty()) {
          SetEnv(&plan.envp, e);
        }
      }
    }
  }
  if (!spec.working_dir.empty()) {
    struct stat st;
    if (stat(spec.working_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return NotFoundError(where + "working_dir " + spec.working_dir +
                           " is not a directory");
    }
    plan.working_dir = spec.working_dir;
  }
  const std::string& a0 = spec.argv[0];
  if (a0.find('/') != std::string::npos) {
    if (!IsExecutable(a0)) {
      return NotFoundError(where + "argv[0] " + a0 +
                           " is not an executable file");
    }
    plan.path = a0;
    return plan;
  }
  std::string path_var = EnvValue(plan.envp, "PATH");
  if (path_var.empty())
    path_var = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  size_t pos = 0;
  while (pos <= path_var.size()) {
    size_t colon = path_var.find(':', pos);
    if (colon == std::string::npos) colon = path_var.size();
    std::string dir = path_var.substr(pos, colon - pos);
    if (dir.empty()) dir = ".";
    std::string cand = dir + "/" + a0;
    if (IsExecutable(cand)) {
      plan.path = cand;
      return plan;
    }
    pos = colon + 1;
  }
  return NotFoundError(where + "argv[0] " + a0 + " not found on PATH");
}

Result<Spawned> SpawnProcess(const SpawnPlan& plan) {
  std::vector<char*> argv, envp;
  for (const auto& a : plan.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : plan.envp) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  int out[2], err[2], status_pipe[2];
  if (pipe2(out, O_CLOEXEC) != 0) return ErrnoError("pipe", errno);
  if (pipe2(err, O_CLOEXEC) != 0) {
    int e = errno;
    close(out[0]);
    close(out[1]);
    return ErrnoError("pipe", e);
  }
  if (pipe2(status_pipe, O_CLOEXEC) != 0) {
    int e = errno;
    for (int fd : {out[0], out[1], err[0], err[1]}) close(fd);
    return ErrnoError("pipe", e);
  }
  int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  const char* cwd =
      plan.working_dir.empty() ? nullptr : plan.working_dir.c_str();
  const char* path = plan.path.c_str();

  pid_t pid = fork();
  if (pid == 0) {
    // Child: async-signal-safe calls only.
    struct Failure {
      int stage;
      int err;
    };
    auto fail = [&](int stage) {
      Failure f{stage, errno};
      ssize_t n = write(status_pipe[1], &f, sizeof f);
      (void)n;
      _exit(127);
    };
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, nullptr);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int s = 1; s < NSIG; ++s) sigaction(s, &dfl, nullptr);
    if (setpgid(0, 0) != 0) fail(0);
    if (devnull < 0 || dup2(devnull, 0) < 0) fail(1);
    if (dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0) fail(1);
    // Close everything above 2 except the status pipe (close-on-exec).
    int keep = status_pipe[1];
    if (keep > 3) syscall(SYS_close_range, 3u, unsigned(keep - 1), 0u);
    syscall(SYS_close_range, unsigned(keep + 1), ~0u, 0u);
    if (cwd != nullptr && chdir(cwd) != 0) fail(2);
    if (plan.switch_user) {
      if (setgroups(plan.groups.size(), plan.groups.data()) != 0) fail(3);
      if (setgid(plan.gid) != 0) fail(3);
      if (setuid(plan.uid) != 0) fail(3);
    }
    execve(path, argv.data(), envp.data());
    fail(4);
  }
  int fork_errno = errno;
  close(out[1]);
  close(err[1]);
  close(status_pipe[1]);
  if (devnull >= 0) close(devnull);
  if (pid < 0) {
    for (int fd : {out[0], err[0], status_pipe[0]}) close(fd);
    return ErrnoError("fork", fork_errno);
  }
  struct {
    int stage;
    int err;
  } f{0, 0};
  ssize_t n;
  do {
    n = read(status_pipe[0], &f, sizeof f);
  } while (n < 0 && errno == EINTR);
  close(status_pipe[0]);
  if (n > 0) {
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    close(out[0]);
    close(err[0]);
    static const char* kStage[] = {"setpgid", "dup2", "chdir", "setuid",
                                   "execve"};
    std::string what =
        std::string(kStage[f.stage < 5 && f.stage >= 0 ? f.stage : 4]);
    return ErrnoError(what + " " + plan.path, f.err);
  }
  fcntl(out[0], F_SETFL, O_NONBLOCK);
  fcntl(err[0], F_SETFL, O_NONBLOCK);
  return Spawned{pid, out[0], err[0]};
}

}  // namespace tend::remedy
