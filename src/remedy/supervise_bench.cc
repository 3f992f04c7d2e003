// Measures how long a supervised process is down: from SIGKILL of the
// running instance to its replacement running.
//
// "Running" is measured two ways:
//   exec:  the supervisor reports a new pid in state running; the
//          supervisor only does so after the child's execve succeeded (its
//          close-on-exec status pipe closed);
//   line:  the new process's first output line ("ready", written by the
//          program after exec) reached the line callback.
// The process is `/bin/sh -c 'echo ready; exec sleep 100000'` with the
// default SuperviseSpec except an unlimited budget. Kills are spaced by
// min_uptime_ms + 50 ms so the crash-loop backoff (which would otherwise
// delay repeated quick deaths on purpose) does not apply; that is the
// restart of a process that had been running, as when a service crashes.
//
// Usage: tend_supervise_bench [kills=100]
// Prints median, p90, p99 and max in milliseconds for both definitions.
#include <signal.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "remedy/supervisor.h"

namespace {

using SteadyClock = std::chrono::steady_clock;

double Ms(SteadyClock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

void Report(const char* what, std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    size_t i = size_t(q * double(v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
  };
  std::printf("%-5s n=%zu median=%.2f ms p90=%.2f ms p99=%.2f ms max=%.2f ms\n",
              what, v.size(), at(0.5), at(0.9), at(0.99), v.back());
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tend::remedy;
  int kills = 100;
  if (argc > 1) {
    std::string_view arg(argv[1]);
    std::from_chars(arg.data(), arg.data() + arg.size(), kills);
  }
  std::mutex mu;
  int ready_lines = 0;
  SteadyClock::time_point last_ready;
  SuperviseSpec spec;
  spec.name = "bench";
  spec.argv = {"/bin/sh", "-c", "echo ready; exec sleep 100000"};
  spec.budget = {0, 60'000, 0};
  SupervisorOptions opts;
  opts.on_line = [&](const std::string&, OutputStream, std::string_view l) {
    if (l != "ready") return;
    std::lock_guard<std::mutex> g(mu);
    ++ready_lines;
    last_ready = SteadyClock::now();
  };
  auto sup = Supervisor::Start({spec}, opts);
  if (!sup.ok()) {
    std::fprintf(stderr, "%s\n", sup.status().ToString().c_str());
    return 1;
  }
  auto pid_now = [&] {
    auto snap = (*sup)->Snapshot();
    return snap[0].state == ProcessState::kRunning ? snap[0].pid : 0;
  };
  auto wait_lines = [&](int n) {
    for (;;) {
      {
        std::lock_guard<std::mutex> g(mu);
        if (ready_lines >= n) return last_ready;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
  };
  wait_lines(1);
  std::vector<double> exec_ms, line_ms;
  for (int i = 0; i < kills; ++i) {
    std::this_thread::sleep_for(
        std::chrono::milliseconds(spec.min_uptime_ms + 50));
    pid_t old = pid_now();
    auto t0 = SteadyClock::now();
    kill(old, SIGKILL);
    pid_t now = 0;
    while ((now = pid_now()) == 0 || now == old) {
      std::this_thread::yield();
    }
    exec_ms.push_back(Ms(SteadyClock::now() - t0));
    line_ms.push_back(Ms(wait_lines(i + 2) - t0));
  }
  (*sup)->Shutdown();
  Report("exec", exec_ms);
  Report("line", line_ms);
  return 0;
}
