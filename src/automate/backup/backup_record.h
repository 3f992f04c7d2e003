// Recording backup tasks in the state database: `tend apply` wraps its
// output observer in a BackupRecorder, which passes every call on and
// keeps one "backup" event per host result of the backup module; apply
// appends them to state.db after the run, next to its "apply" event.
#ifndef TEND_AUTOMATE_BACKUP_BACKUP_RECORD_H_
#define TEND_AUTOMATE_BACKUP_BACKUP_RECORD_H_

#include <map>
#include <string>
#include <vector>

#include "automate/run/report.h"
#include "base/clock.h"
#include "base/thread_annotations.h"
#include "state/state_db.h"

namespace tend::automate::backup {

// The event for one backup result (one host, or one loop item): kind
// "backup", subject the archive path, outcome "ok", "restored", "failed"
// or "checked" (check mode), details the module's return values (archive,
// size, sha256, files, pruned, verified ...) and the host.
state::Event BackupEvent(const std::string& host, const Value& result,
                         bool check, int64_t time_ms);

class BackupRecorder : public RunObserver {
 public:
  // `inner` (may be null) receives every call unchanged; it must outlive
  // the recorder. `clock` stamps the events (null: the real clock).
  BackupRecorder(RunObserver* inner, bool check, const Clock* clock = nullptr);

  void OnPlayStart(const std::string& name) override;
  void OnNoHostsMatched() override;
  void OnTaskStart(const std::string& name, bool handler) override;
  // Thread-safe (the executor calls it from worker threads).
  void OnHostResult(const TaskResult& result) override;
  void OnIncluded(const std::string& path,
                  const std::vector<std::string>& hosts,
                  const std::string& item_label) override;
  void OnNoMoreHosts() override;
  void OnWarning(const std::string& message) override;
  void OnRecap(const std::map<std::string, HostStats>& stats) override;

  // The events kept so far, in arrival order; the recorder is emptied.
  std::vector<state::Event> TakeEvents();

 private:
  RunObserver* inner_;
  bool check_;
  const Clock* clock_;
  Mutex mu_;
  std::vector<state::Event> events_ GUARDED_BY(mu_);
};

}  // namespace tend::automate::backup

#endif  // TEND_AUTOMATE_BACKUP_BACKUP_RECORD_H_
