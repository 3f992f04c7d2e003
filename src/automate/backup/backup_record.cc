#include "automate/backup/backup_record.h"

namespace tend::automate::backup {

state::Event BackupEvent(const std::string& host, const Value& result,
                         bool check, int64_t time_ms) {
  state::Event e;
  e.time_ms = time_ms;
  e.kind = "backup";
  const bool failed = result.value("failed", false);
  const bool restore = result.contains("restore_to");
  e.subject = result.value("archive", std::string());
  e.outcome = failed    ? "failed"
              : check   ? "checked"
              : restore ? "restored"
                        : "ok";
  e.message = host + ": " + result.value("msg", std::string());
  Value details = {{"host", host}};
  static constexpr const char* kKeys[] = {
      "archive", "manifest",    "name",     "size",       "sha256",
      "files",   "entries",     "bytes",    "pruned",     "verified",
      "verify",  "duration_ms", "warnings", "restore_to", "sha256_checked",
      "changed", "msg"};
  for (const char* k : kKeys) {
    if (result.contains(k)) details[k] = result[k];
  }
  e.details_json = details.dump();
  return e;
}

BackupRecorder::BackupRecorder(RunObserver* inner, bool check,
                               const Clock* clock)
    : inner_(inner),
      check_(check),
      clock_(clock != nullptr ? clock : Clock::Real()) {}

void BackupRecorder::OnPlayStart(const std::string& name) {
  if (inner_) inner_->OnPlayStart(name);
}
void BackupRecorder::OnNoHostsMatched() {
  if (inner_) inner_->OnNoHostsMatched();
}
void BackupRecorder::OnTaskStart(const std::string& name, bool handler) {
  if (inner_) inner_->OnTaskStart(name, handler);
}
void BackupRecorder::OnIncluded(const std::string& path,
                                const std::vector<std::string>& hosts,
                                const std::string& item_label) {
  if (inner_) inner_->OnIncluded(path, hosts, item_label);
}

void BackupRecorder::OnNoMoreHosts() {
  if (inner_) inner_->OnNoMoreHosts();
}
void BackupRecorder::OnWarning(const std::string& message) {
  if (inner_) inner_->OnWarning(message);
}
void BackupRecorder::OnRecap(const std::map<std::string, HostStats>& stats) {
  if (inner_) inner_->OnRecap(stats);
}

void BackupRecorder::OnHostResult(const TaskResult& r) {
  if (inner_) inner_->OnHostResult(r);
  if (r.action != "backup" || r.outcome == Outcome::kSkipped ||
      r.outcome == Outcome::kUnreachable) {
    return;
  }
  const int64_t now_ms = clock_->NowUnixNanos() / 1000000;
  std::vector<state::Event> add;
  if (r.looped) {
    for (const auto& item : r.items) {
      if (item.outcome == Outcome::kSkipped) continue;
      add.push_back(BackupEvent(r.host, item.result, check_, now_ms));
    }
  } else {
    add.push_back(BackupEvent(r.host, r.result, check_, now_ms));
  }
  MutexLock lock(&mu_);
  for (auto& e : add) events_.push_back(std::move(e));
}

std::vector<state::Event> BackupRecorder::TakeEvents() {
  MutexLock lock(&mu_);
  std::vector<state::Event> out;
  out.swap(events_);
  return out;
}

}  // namespace tend::automate::backup
