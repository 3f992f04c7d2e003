#include "remedy/remedy_manager.h"

#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "base/log.h"
#include "base/thread_annotations.h"
#include "state/state_db.h"
#include "systemd/unit_client.h"

namespace tend::remedy {
namespace {

struct Job {
  size_t binding;
  std::optional<uint64_t> fingerprint;
  std::string trigger;  // For the message: "alert X firing", "probe p ...".
};

class ManagerImpl : public RemedyManager {
 public:
  ManagerImpl(std::vector<RemedySpec> remedies,
              std::vector<RemedyBinding> bindings, RemedyManagerOptions opts)
      : remedies_(std::move(remedies)),
        bindings_(std::move(bindings)),
        opts_(std::move(opts)) {}

  ~ManagerImpl() override {
    {
      MutexLock l(&mu_);
      stop_ = true;
      cv_.SignalAll();
    }
    if (worker_.joinable()) worker_.join();
  }

  Status Init() {
    std::set<std::string> names;
    for (const auto& r : remedies_) {
      RETURN_IF_ERROR(ValidateRemedySpec(r));
      if (!names.insert(r.name).second) {
        return InvalidArgumentError("remedy " + r.name + " is defined twice");
      }
      Budget b(r.budget);
      Status s = LoadBudget(opts_.db, Key(r.name), &b);
      if (!s.ok()) {
        LogWarn("remedy: budget state unreadable; starting afresh",
                {{"remedy", r.name}, {"err", s}});
        b = Budget(r.budget);
      }
      budgets_.emplace(r.name, std::move(b));
    }
    std::set<std::string> bnames;
    for (auto& b : bindings_) {
      if (!names.count(b.remedy)) {
        return InvalidArgumentError("remedy binding " + b.name +
                                    ": unknown remedy '" + b.remedy + "'");
      }
      if (b.alert.empty() == b.probe.empty()) {
        return InvalidArgumentError("remedy binding for " + b.remedy +
                                    ": set exactly one of alert and probe");
      }
      if (b.failures < 1) {
        return InvalidArgumentError("remedy binding for " + b.remedy +
                                    ": failures must be at least 1");
      }
      if (b.settle_ms < 0) {
        return InvalidArgumentError("remedy binding for " + b.remedy +
                                    ": settle must not be negative");
      }
      if (b.name.empty()) {
        b.name = b.remedy +
                 (b.alert.empty() ? ":probe:" + b.probe : ":alert:" + b.alert);
      }
      if (b.reprobe.empty()) b.reprobe = b.probe;
      if (!bnames.insert(b.name).second) {
        return InvalidArgumentError("remedy binding " + b.name +
                                    " is defined twice");
      }
    }
    worker_ = std::thread([this] { Work(); });
    return Status::Ok();
  }

  void OnAlerts(const alert::Alerts& alerts) override {
    MutexLock l(&mu_);
    for (const auto& a : alerts) {
      const std::string_view name = GetLabel(a.labels, "alertname");
      const uint64_t fp = a.fingerprint();
      for (size_t i = 0; i < bindings_.size(); ++i) {
        const RemedyBinding& b = bindings_[i];
        if (b.alert.empty() || b.alert != name) continue;
        if (!MatchesAll(b.matchers, a.labels)) continue;
        auto key = std::make_pair(i, fp);
        if (!a.firing()) {
          episodes_.erase(key);
          continue;
        }
        if (!episodes_.insert(key).second) continue;  // Same episode.
        Enqueue(Job{i, fp, "alert " + LabelsToString(a.labels) + " firing"});
      }
    }
  }

  void OnProbeResult(const std::string& probe, bool success) override {
    MutexLock l(&mu_);
    int& streak = probe_failures_[probe];
    streak = success ? 0 : streak + 1;
    for (size_t i = 0; i < bindings_.size(); ++i) {
      const RemedyBinding& b = bindings_[i];
      if (b.probe != probe || !b.alert.empty()) continue;
      if (!success && streak == b.failures) {
        Enqueue(Job{i, std::nullopt,
                    "probe " + probe + " failed " + std::to_string(streak) +
                        " times in a row"});
      }
    }
  }

  std::optional<RemedyOutcome> LastOutcome(
      const std::string& binding) override {
    MutexLock l(&mu_);
    auto it = by_binding_.find(binding);
    if (it == by_binding_.end()) return std::nullopt;
    return it->second;
  }

  std::optional<RemedyOutcome> LastOutcomeForAlert(uint64_t fp) override {
    MutexLock l(&mu_);
    auto it = by_fingerprint_.find(fp);
    if (it == by_fingerprint_.end()) return std::nullopt;
    return it->second;
  }

  Status ResetBudget(const std::string& remedy) override {
    MutexLock l(&mu_);
    auto it = budgets_.find(remedy);
    if (it == budgets_.end()) return NotFoundError("no remedy " + remedy);
    it->second.Reset();
    return SaveBudget(opts_.db, Key(remedy), it->second);
  }

  void Drain() override {
    MutexLock l(&mu_);
    while (!queue_.empty() || busy_) idle_cv_.Wait(&mu_);
  }

 private:
  static std::string Key(const std::string& remedy) {
    return "remedy/" + remedy;
  }

  void Enqueue(Job job) REQUIRES(mu_) {
    if (queue_.size() >= opts_.max_queue) {
      LogError(
          "remedy: queue full; trigger dropped",
          {{"binding", bindings_[job.binding].name}, {"trigger", job.trigger}});
      return;
    }
    queue_.push_back(std::move(job));
    cv_.Signal();
  }

  const RemedySpec& Spec(const std::string& name) const {
    for (const auto& r : remedies_) {
      if (r.name == name) return r;
    }
    return remedies_.front();  // Unreachable: bindings are validated.
  }

  void Work() {
    for (;;) {
      Job job;
      {
        MutexLock l(&mu_);
        while (queue_.empty() && !stop_) {
          busy_ = false;
          idle_cv_.SignalAll();
          cv_.Wait(&mu_);
        }
        if (stop_) {
          busy_ = false;
          idle_cv_.SignalAll();
          return;
        }
        job = std::move(queue_.front());
        queue_.pop_front();
        busy_ = true;
      }
      Run(job);
    }
  }

  void Run(const Job& job) {
    const RemedyBinding& b = bindings_[job.binding];
    const RemedySpec& spec = Spec(b.remedy);
    const int64_t now = opts_.clock->NowUnixNanos() / 1'000'000;
    RemedyOutcome out;
    out.binding = b.name;
    out.remedy = spec.name;
    out.time_ms = now;
    BudgetVerdict verdict;
    std::string budget_note;
    {
      MutexLock l(&mu_);
      Budget& budget = budgets_.at(spec.name);
      verdict = budget.Check(now);
      if (verdict == BudgetVerdict::kAllow) budget.RecordRun(now);
      budget_note = std::to_string(budget.RunsInWindow(now)) + "/" +
                    std::to_string(spec.budget.max_runs) + " runs in " +
                    FormatWindow(spec.budget.window_ms);
      if (verdict != BudgetVerdict::kCooldown) {
        Status s = SaveBudget(opts_.db, Key(spec.name), budget);
        if (!s.ok()) {
          LogWarn("remedy: budget not saved",
                  {{"remedy", spec.name}, {"err", s}});
        }
      }
    }
    std::string details;
    switch (verdict) {
      case BudgetVerdict::kCooldown:
        out.outcome = "skipped";
        out.message = "skipped (cool-down of " +
                      FormatWindow(spec.budget.cooldown_ms) +
                      " since the last run) after " + job.trigger;
        break;
      case BudgetVerdict::kExhausted:
        out.outcome = "skipped";
        out.message = "skipped: budget exhausted and already escalated (" +
                      budget_note + ") after " + job.trigger;
        break;
      case BudgetVerdict::kEscalate:
        out.outcome = "escalated";
        out.message = "escalated: budget exhausted (" + budget_note +
                      "); not trying again until the window clears or an "
                      "operator resets it; trigger: " +
                      job.trigger;
        break;
      case BudgetVerdict::kAllow: {
        ActionContext ctx;
        ctx.supervisor = opts_.supervisor;
        ctx.runner = opts_.runner;
        ctx.direction = b.direction;
        if (spec.kind == RemedyKind::kRestartUnit ||
            spec.kind == RemedyKind::kScaleUnit) {
          ctx.units = Units();
        }
        ActionResult r = RunAction(spec, ctx);
        details = r.details_json;
        out.message = r.message + " after " + job.trigger;
        out.outcome = spec.dry_run ? "dry_run" : r.ok ? "ok" : "failed";
        if (!spec.dry_run && r.ok && !b.reprobe.empty() && opts_.reprobe) {
          if (b.settle_ms > 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(b.settle_ms));
          }
          bool passed = opts_.reprobe(b.reprobe);
          out.reprobe_passed = passed;
          out.message += passed ? "; re-probe " + b.reprobe + " passed"
                                : "; re-probe " + b.reprobe + " still failing";
          if (!passed) out.outcome = "failed";
        }
        break;
      }
    }
    Record(out, details);
    MutexLock l(&mu_);
    by_binding_[b.name] = out;
    if (job.fingerprint) by_fingerprint_[*job.fingerprint] = out;
  }

  static std::string FormatWindow(int64_t ms) {
    if (ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
    if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
    return std::to_string(ms) + "ms";
  }

  UnitClient* Units() {
    if (units_ == nullptr && opts_.connect_units) {
      Result<std::unique_ptr<UnitClient>> c = opts_.connect_units();
      if (c.ok()) {
        units_ = std::move(*c);
      } else {
        LogWarn("remedy: no systemd D-Bus connection", {{"err", c.status()}});
      }
    }
    return units_.get();
  }

  void Record(const RemedyOutcome& out, const std::string& details) {
    state::Event e;
    e.time_ms = out.time_ms;
    e.kind = "remedy";
    e.subject = out.remedy;
    e.outcome = out.outcome;
    e.message = out.message;
    nlohmann::json j;
    j["binding"] = out.binding;
    if (out.reprobe_passed) j["reprobe_passed"] = *out.reprobe_passed;
    if (!details.empty()) {
      nlohmann::json d = nlohmann::json::parse(details, nullptr, false);
      if (!d.is_discarded()) j["action"] = std::move(d);
    }
    e.details_json = j.dump();
    if (opts_.db != nullptr) {
      Result<int64_t> id = opts_.db->AppendEvent(e);
      if (!id.ok()) {
        LogWarn("remedy: event not recorded",
                {{"remedy", out.remedy}, {"err", id.status()}});
      }
    }
    LogInfo("remedy", {{"remedy", out.remedy},
                       {"outcome", out.outcome},
                       {"msg", out.message}});
    if (opts_.on_outcome) opts_.on_outcome(out);
  }

  const std::vector<RemedySpec> remedies_;
  std::vector<RemedyBinding> bindings_;  // Fixed after Init.
  RemedyManagerOptions opts_;
  std::thread worker_;
  std::unique_ptr<UnitClient> units_;  // Worker thread only.

  Mutex mu_;
  CondVar cv_;
  CondVar idle_cv_;
  bool stop_ GUARDED_BY(mu_) = false;
  bool busy_ GUARDED_BY(mu_) = true;  // Until the worker first idles.
  std::deque<Job> queue_ GUARDED_BY(mu_);
  std::map<std::string, Budget> budgets_ GUARDED_BY(mu_);
  std::set<std::pair<size_t, uint64_t>> episodes_ GUARDED_BY(mu_);
  std::map<std::string, int> probe_failures_ GUARDED_BY(mu_);
  std::map<std::string, RemedyOutcome> by_binding_ GUARDED_BY(mu_);
  std::map<uint64_t, RemedyOutcome> by_fingerprint_ GUARDED_BY(mu_);
};

}  // namespace

Result<std::unique_ptr<RemedyManager>> RemedyManager::Create(
    std::vector<RemedySpec> remedies, std::vector<RemedyBinding> bindings,
    RemedyManagerOptions options) {
  auto m = std::make_unique<ManagerImpl>(
      std::move(remedies), std::move(bindings), std::move(options));
  RETURN_IF_ERROR(m->Init());
  return std::unique_ptr<RemedyManager>(std::move(m));
}

}  // namespace tend::remedy
