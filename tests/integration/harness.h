// Helpers for integration tests that run real processes: tend itself and
// the real peers (node_exporter, promtool) unpacked by scripts/peers.sh.
#ifndef TEND_TESTS_INTEGRATION_HARNESS_H_
#define TEND_TESTS_INTEGRATION_HARNESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/status.h"

namespace tend::testing {

// The built tend binary (TEND_BUILD_DIR/tend).
std::string TendBinary();
// A peer binary from TEND_PEERS_DIR (default: <source>/build/peers/bin).
std::string PeerBinary(const std::string& name);

// A fresh temporary directory, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A loopback TCP port that was free a moment ago.
int FreePort();

// A long-running child process with stdout and stderr in a log file. The
// destructor sends SIGTERM, waits up to 5 s, then SIGKILLs: only the
// process this object started, by its pid.
class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();
  Status Start(const std::vector<std::string>& argv, const std::string& log);
  pid_t pid() const { return pid_; }
  bool Running();
  // Sends `sig`; returns the exit status after waiting up to timeout_ms
  // (-1 if still running).
  int SignalAndWait(int sig, int timeout_ms);
  void Signal(int sig);
  std::string Log() const;

 private:
  pid_t pid_ = -1;
  int status_ = -1;
  std::string log_;
};

// Polls GET http://address/path until it answers 200 (or timeout).
bool WaitForHttp200(const std::string& address, const std::string& path,
                    int timeout_ms);

// GET; the body, or "" with the failure recorded by the caller.
Result<std::string> Get(const std::string& address, const std::string& path);

}  // namespace tend::testing

#endif  // TEND_TESTS_INTEGRATION_HARNESS_H_
