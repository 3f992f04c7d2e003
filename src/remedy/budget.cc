#include "remedy/budget.h"

#include <nlohmann/json.hpp>

#include "state/state_db.h"

namespace tend::remedy {

const char* BudgetVerdictName(BudgetVerdict v) {
  switch (v) {
    case BudgetVerdict::kAllow:
      return "allow";
    case BudgetVerdict::kCooldown:
      return "cooldown";
    case BudgetVerdict::kEscalate:
      return "escalate";
    case BudgetVerdict::kExhausted:
      return "exhausted";
  }
  return "?";
}

void Budget::Expire(int64_t now_ms) {
  while (!runs_.empty() && runs_.front() <= now_ms - spec_.window_ms) {
    runs_.pop_front();
  }
}

BudgetVerdict Budget::Check(int64_t now_ms) {
  Expire(now_ms);
  if (spec_.max_runs > 0 && int(runs_.size()) >= spec_.max_runs) {
    if (escalated_) return BudgetVerdict::kExhausted;
    escalated_ = true;
    return BudgetVerdict::kEscalate;
  }
  escalated_ = false;
  if (spec_.cooldown_ms > 0 && !runs_.empty() &&
      now_ms - runs_.back() < spec_.cooldown_ms) {
    return BudgetVerdict::kCooldown;
  }
  return BudgetVerdict::kAllow;
}

void Budget::RecordRun(int64_t now_ms) {
  // Keep ascending even if the wall clock stepped back.
  if (!runs_.empty() && now_ms < runs_.back()) now_ms = runs_.back();
  runs_.push_back(now_ms);
  Expire(now_ms);
}

void Budget::Reset() {
  runs_.clear();
  escalated_ = false;
}

int Budget::RunsInWindow(int64_t now_ms) const {
  int n = 0;
  for (int64_t t : runs_) {
    if (t > now_ms - spec_.window_ms) ++n;
  }
  return n;
}

int64_t Budget::ClearsAtMs(int64_t now_ms) const {
  if (spec_.max_runs <= 0 || RunsInWindow(now_ms) < spec_.max_runs) return 0;
  // The run whose departure brings the count below max_runs.
  size_t first_in = runs_.size() - size_t(RunsInWindow(now_ms));
  size_t idx = runs_.size() - size_t(spec_.max_runs);
  if (idx < first_in) idx = first_in;
  return runs_[idx] + spec_.window_ms;
}

std::string Budget::Serialize() const {
  nlohmann::json j;
  j["runs"] = nlohmann::json::array();
  for (int64_t t : runs_) j["runs"].push_back(t);
  j["escalated"] = escalated_;
  return j.dump();
}

Status Budget::Parse(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("runs") ||
      !j["runs"].is_array()) {
    return DataLossError("remedy budget record is not {\"runs\":[...]}: " +
                         text.substr(0, 80));
  }
  std::deque<int64_t> runs;
  for (const auto& v : j["runs"]) {
    if (!v.is_number_integer()) {
      return DataLossError("remedy budget record has a non-integer run time");
    }
    int64_t t = v.get<int64_t>();
    if (!runs.empty() && t < runs.back()) t = runs.back();
    runs.push_back(t);
  }
  runs_ = std::move(runs);
  escalated_ = j.value("escalated", false);
  return Status::Ok();
}

Status LoadBudget(state::StateDb* db, const std::string& key, Budget* budget) {
  if (db == nullptr) return Status::Ok();
  Result<std::string> v = db->Get("remedy", key);
  if (!v.ok()) {
    if (v.status().code() == StatusCode::kNotFound) return Status::Ok();
    return v.status();
  }
  return budget->Parse(*v);
}

Status SaveBudget(state::StateDb* db, const std::string& key,
                  const Budget& budget) {
  if (db == nullptr) return Status::Ok();
  return db->Put("remedy", key, budget.Serialize());
}

}  // namespace tend::remedy
