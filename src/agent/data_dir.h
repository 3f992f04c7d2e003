// The data directory: tend's persistent state, owned by one agent at a time.
//
// DIR/LOCK is held with flock(2) by the agent for its whole life (and, in
// later features, by CLI commands that open the data dir themselves).
// DIR/agent.json tells CLI commands how to reach the agent that owns DIR:
//   {"pid": 1234, "listen": "127.0.0.1:9955", "version": "0.1.0",
//    "started_at_unix": 1764092400}
// Format: docs/formats/data-dir.md.
#ifndef TEND_AGENT_DATA_DIR_H_
#define TEND_AGENT_DATA_DIR_H_

#include <memory>
#include <string>

#include "base/status.h"

namespace tend {

class DataDirLock {
 public:
  // Creates `dir` if needed and takes its lock without waiting. Fails with
  // kFailedPrecondition naming the owner's pid when another process holds it.
  static Result<std::unique_ptr<DataDirLock>> Acquire(const std::string& dir);
  ~DataDirLock();  // Removes agent.json (if written) and releases the lock.

  // Atomically (re)writes DIR/agent.json.
  Status WriteAgentInfo(const std::string& json);

  const std::string& dir() const { return dir_; }

 private:
  DataDirLock(std::string dir, int fd) : dir_(std::move(dir)), fd_(fd) {}
  std::string dir_;
  int fd_;
  bool wrote_info_ = false;
};

// The listen address from DIR/agent.json of a running agent: kNotFound when
// there is none (or its owner is gone: the lock is free).
Result<std::string> FindAgentListen(const std::string& dir);

}  // namespace tend

#endif  // TEND_AGENT_DATA_DIR_H_
