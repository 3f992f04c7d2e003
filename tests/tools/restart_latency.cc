// restart_latency: how long a supervisor takes to replace a process killed
// with SIGKILL, measured from outside, the same way for any supervisor.
//
//   restart_latency PIDFILE KILLS [SETTLE_MS] [TIMEOUT_MS]
//
// The supervised process must write its own pid to PIDFILE and then exec
// (e.g. /bin/sh -c 'echo $$ > PIDFILE; exec sleep 100000'). Each round
// reads the pid, SIGKILLs it, and polls PIDFILE every 200 µs until it
// names a new live process that has exec'ed (its /proc/PID/exe is no longer
// the shell's); the time from kill to then is one sample. Between rounds it
// waits SETTLE_MS (default 1500) so periodic supervisors are measured at a
// random phase of their cycle. Prints one line of JSON:
//   {"kills":N,"replaced":N,"timeouts":N,"median_ms":...,"p90_ms":...,
//    "max_ms":...,"samples_ms":[...]}
// Exit status 0 when every kill was replaced within TIMEOUT_MS (default
// 30000), 1 otherwise.
#include <signal.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

double NowMs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 +
         static_cast<double>(ts.tv_nsec) / 1e6;
}

pid_t ReadPid(const std::string& path) {
  std::ifstream in(path);
  long pid = 0;
  if (!(in >> pid) || pid <= 0) return 0;
  return static_cast<pid_t>(pid);
}

// Alive and past the exec: the shell that wrote the pidfile has become the
// long-running program.
bool Running(pid_t pid, const std::string& shell_exe) {
  if (pid <= 0 || kill(pid, 0) != 0) return false;
  char buf[4096];
  std::string link = "/proc/" + std::to_string(pid) + "/exe";
  ssize_t n = readlink(link.c_str(), buf, sizeof(buf) - 1);
  if (n <= 0) return false;
  return std::string(buf, static_cast<size_t>(n)) != shell_exe;
}

std::string ShellExe() {
  char buf[4096];
  ssize_t n = readlink("/bin/sh", buf, sizeof(buf) - 1);
  std::string target = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  if (target.empty()) return "/bin/sh";
  if (target[0] != '/') target = "/bin/" + target;
  char real[4096];
  if (realpath(target.c_str(), real) != nullptr) return real;
  return target;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s PIDFILE KILLS [SETTLE_MS] [TIMEOUT_MS]\n",
            argv[0]);
    return 2;
  }
  const std::string pidfile = argv[1];
  const int kills = atoi(argv[2]);  // NOLINT(cert-err34-c): a tool's argv.
  const int settle_ms = argc > 3 ? atoi(argv[3]) : 1500;       // NOLINT
  const double timeout_ms = argc > 4 ? atof(argv[4]) : 30000;  // NOLINT
  const std::string shell = ShellExe();

  std::vector<double> samples;
  int timeouts = 0;
  for (int round = 0; round < kills; ++round) {
    // Wait for a running process to kill.
    pid_t pid = 0;
    const double wait_start = NowMs();
    while (!Running(pid = ReadPid(pidfile), shell)) {
      if (NowMs() - wait_start > timeout_ms) {
        fprintf(stderr, "restart_latency: no running process in %s\n",
                pidfile.c_str());
        return 1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    const double t0 = NowMs();
    if (kill(pid, SIGKILL) != 0) {
      perror("kill");
      return 1;
    }
    bool replaced = false;
    while (NowMs() - t0 < timeout_ms) {
      pid_t next = ReadPid(pidfile);
      if (next != pid && Running(next, shell)) {
        samples.push_back(NowMs() - t0);
        replaced = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    if (!replaced) ++timeouts;
    std::this_thread::sleep_for(std::chrono::milliseconds(settle_ms));
  }
  std::vector<double> sorted = samples;
  std::sort(sorted.begin(), sorted.end());
  auto pct = [&sorted](double p) {
    if (sorted.empty()) return 0.0;
    size_t i =
        static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
    return sorted[std::min(i, sorted.size() - 1)];
  };
  printf(
      "{\"kills\":%d,\"replaced\":%zu,\"timeouts\":%d,\"median_ms\":%.2f,"
      "\"p90_ms\":%.2f,\"max_ms\":%.2f,\"samples_ms\":[",
      kills, samples.size(), timeouts, pct(0.5), pct(0.9),
      sorted.empty() ? 0.0 : sorted.back());
  for (size_t i = 0; i < samples.size(); ++i) {
    printf("%s%.2f", i ? "," : "", samples[i]);
  }
  printf("]}\n");
  return timeouts == 0 ? 0 : 1;
}
