// The run as Ansible's default output prints it: a banner per play and
// task, a line per host (and per loop item), unified diffs under --diff,
// and the recap. Also the machine-readable report of `-o json`.
#ifndef TEND_AUTOMATE_RUN_TEXT_OUTPUT_H_
#define TEND_AUTOMATE_RUN_TEXT_OUTPUT_H_

#include <cstdio>
#include <string>

#include "automate/run/report.h"
#include "base/thread_annotations.h"

namespace tend::automate {

// Writes to `out` as events arrive (thread-safe).
class TextOutput : public RunObserver {
 public:
  explicit TextOutput(FILE* out) : out_(out) {}
  void OnPlayStart(const std::string& name) override;
  void OnNoHostsMatched() override;
  void OnTaskStart(const std::string& name, bool handler) override;
  void OnHostResult(const TaskResult& result) override;
  void OnIncluded(const std::string& path,
                  const std::vector<std::string>& hosts,
                  const std::string& item_label) override;
  void OnNoMoreHosts() override;
  void OnWarning(const std::string& message) override;
  void OnRecap(const std::map<std::string, HostStats>& stats) override;

 private:
  void Write(const std::string& s);
  FILE* out_;
  Mutex mu_;
};

// Collects the run and writes one JSON document at the recap, in the
// shape of Ansible's json callback: {"plays": [{"play": {"name"},
// "tasks": [{"task": {"name"}, "hosts": {HOST: result}}]}], "stats":
// {HOST: {ok, changed, ...}}}.
class JsonOutput : public RunObserver {
 public:
  explicit JsonOutput(FILE* out) : out_(out) {}
  void OnPlayStart(const std::string& name) override;
  void OnTaskStart(const std::string& name, bool handler) override;
  void OnHostResult(const TaskResult& result) override;
  void OnRecap(const std::map<std::string, HostStats>& stats) override;
  // The document so far (tests).
  Value Document() const;

 private:
  FILE* out_;
  mutable Mutex mu_;
  Value plays_ GUARDED_BY(mu_) = Value::array();
};

// Ansible's banner: the text, a space, and stars up to 80 columns (at
// least 3).
std::string Banner(const std::string& text);

// One recap line: "HOST (padded to 26) : ok=N    changed=N ...".
std::string RecapLine(const std::string& host, const HostStats& s);

// The lines --diff prints for one change.
std::string FormatDiff(const FileDiff& d);

}  // namespace tend::automate

#endif  // TEND_AUTOMATE_RUN_TEXT_OUTPUT_H_
