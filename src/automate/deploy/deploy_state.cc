#include "automate/deploy/deploy_state.h"

#include <algorithm>
#include <utility>

namespace tend::automate::deploy {
namespace {

constexpr std::pair<Outcome, std::string_view> kOutcomes[] = {
    {Outcome::kPending, "pending"},
    {Outcome::kHealthy, "healthy"},
    {Outcome::kFailed, "failed"},
    {Outcome::kRolledBack, "rolled_back"},
};

// A string member, "" when absent; an error when present and not a string.
Status StringField(const Value& obj, const char* key, std::string* out,
                   std::string_view where) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return Status::Ok();
  if (!it->is_string()) {
    return InvalidArgumentError(std::string(where) + ": '" + key +
                                "' must be a string, got " + it->dump());
  }
  *out = it->get<std::string>();
  return Status::Ok();
}

}  // namespace

std::string_view OutcomeName(Outcome o) {
  for (const auto& [v, name] : kOutcomes) {
    if (v == o) return name;
  }
  return "pending";
}

std::optional<Outcome> ParseOutcome(std::string_view name) {
  for (const auto& [v, n] : kOutcomes) {
    if (n == name) return v;
  }
  return std::nullopt;
}

ReleaseRecord* DeployState::Find(std::string_view id) {
  for (auto& r : releases) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

const ReleaseRecord* DeployState::Find(std::string_view id) const {
  return const_cast<DeployState*>(this)->Find(id);
}

ReleaseRecord& DeployState::Upsert(std::string_view id) {
  auto it = std::find_if(releases.begin(), releases.end(),
                         [&](const ReleaseRecord& r) { return r.id == id; });
  if (it == releases.end()) {
    releases.push_back(ReleaseRecord{.id = std::string(id)});
    return releases.back();
  }
  ReleaseRecord moved = std::move(*it);
  releases.erase(it);
  releases.push_back(std::move(moved));
  return releases.back();
}

const ReleaseRecord* DeployState::LastHealthy(std::string_view except) const {
  for (auto it = releases.rbegin(); it != releases.rend(); ++it) {
    if (it->outcome == Outcome::kHealthy && it->id != except) return &*it;
  }
  return nullptr;
}

void DeployState::Remove(std::string_view id) {
  std::erase_if(releases, [&](const ReleaseRecord& r) { return r.id == id; });
}

Result<DeployState> ParseDeployState(std::string_view text,
                                     std::string_view where) {
  Value v = Value::parse(text, nullptr, /*allow_exceptions=*/false);
  if (v.is_discarded() || !v.is_object()) {
    return InvalidArgumentError(
        std::string(where) +
        ": not a deploy state file (expected a JSON object); move it away "
        "to start a new history");
  }
  DeployState s;
  RETURN_IF_ERROR(StringField(v, "current", &s.current, where));
  RETURN_IF_ERROR(
      StringField(v, "rolled_back_from", &s.rolled_back_from, where));
  auto rel = v.find("releases");
  if (rel == v.end()) return s;
  if (!rel->is_array()) {
    return InvalidArgumentError(std::string(where) +
                                ": 'releases' must be a list");
  }
  for (size_t i = 0; i < rel->size(); ++i) {
    const Value& r = (*rel)[i];
    std::string at =
        std::string(where) + ": releases[" + std::to_string(i) + "]";
    if (!r.is_object()) {
      return InvalidArgumentError(at + " must be an object");
    }
    ReleaseRecord rec;
    RETURN_IF_ERROR(StringField(r, "id", &rec.id, at));
    if (rec.id.empty()) return InvalidArgumentError(at + " has no 'id'");
    std::string outcome;
    RETURN_IF_ERROR(StringField(r, "outcome", &outcome, at));
    auto o = ParseOutcome(outcome.empty() ? "pending" : outcome);
    if (!o) {
      return InvalidArgumentError(
          at + ": unknown outcome '" + outcome +
          "' (expected pending, healthy, failed or rolled_back)");
    }
    rec.outcome = *o;
    RETURN_IF_ERROR(StringField(r, "created", &rec.created, at));
    RETURN_IF_ERROR(StringField(r, "switched", &rec.switched, at));
    RETURN_IF_ERROR(StringField(r, "finished", &rec.finished, at));
    RETURN_IF_ERROR(StringField(r, "message", &rec.message, at));
    s.releases.push_back(std::move(rec));
  }
  return s;
}

Value ReleasesValue(const DeployState& s) {
  Value list = Value::array();
  for (const auto& r : s.releases) {
    Value o = {{"id", r.id},
               {"outcome", OutcomeName(r.outcome)},
               {"created", r.created}};
    if (!r.switched.empty()) o["switched"] = r.switched;
    if (!r.finished.empty()) o["finished"] = r.finished;
    if (!r.message.empty()) o["message"] = r.message;
    list.push_back(std::move(o));
  }
  return list;
}

std::string SerializeDeployState(const DeployState& s) {
  Value v = {{"version", 1}, {"current", s.current}};
  if (!s.rolled_back_from.empty()) v["rolled_back_from"] = s.rolled_back_from;
  v["releases"] = ReleasesValue(s);
  return v.dump(2) + "\n";
}

}  // namespace tend::automate::deploy
