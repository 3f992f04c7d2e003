#include "alert/engine/silences.h"

#include <sys/random.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>
#include <utility>

#include "base/log.h"
#include "model/matcher_text.h"

namespace tend::alert {
namespace {

Status LoadEntry(const state::SilenceRecord& r, Matchers* out) {
  for (const std::string& m : r.matchers) {
    Result<LabelMatcher> lm = ParseSilenceMatcher(m);
    if (!lm.ok()) return lm.status();
    out->push_back(std::move(*lm));
  }
  return Status::Ok();
}

}  // namespace

Result<LabelMatcher> ParseSilenceMatcher(std::string_view text) {
  return ParseMatcherText(text);
}

std::string_view SilenceStateName(SilenceState s) {
  switch (s) {
    case SilenceState::kPending:
      return "pending";
    case SilenceState::kActive:
      return "active";
    case SilenceState::kExpired:
      return "expired";
  }
  return "expired";
}

SilenceState SilenceStateAt(const state::SilenceRecord& s, int64_t now_ms) {
  if (now_ms < s.starts_at_ms) return SilenceState::kPending;
  if (now_ms >= s.ends_at_ms) return SilenceState::kExpired;
  return SilenceState::kActive;
}

std::string NewUuidV4() {
  uint8_t b[16];
  size_t got = 0;
  while (got < sizeof(b)) {
    ssize_t n = getrandom(b + got, sizeof(b) - got, 0);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  if (got < sizeof(b)) {
    std::random_device rd;
    for (uint8_t& x : b) x = static_cast<uint8_t>(rd());
  }
  b[6] = (b[6] & 0x0f) | 0x40;  // Version 4.
  b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant.
  char out[37];
  std::snprintf(out, sizeof(out),
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%"
                "02x%02x",
                b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
                b[10], b[11], b[12], b[13], b[14], b[15]);
  return std::string(out, 36);
}

Result<std::unique_ptr<Silences>> Silences::Open(state::StateDb* db) {
  std::unique_ptr<Silences> s(new Silences(db));
  Status st = s->Reload();
  if (!st.ok()) return st;
  return s;
}

Status Silences::Reload() {
  Result<std::vector<state::SilenceRecord>> recs = db_->ListSilences();
  if (!recs.ok()) return recs.status().WithContext("loading silences");
  std::vector<Entry> entries;
  entries.reserve(recs->size());
  for (state::SilenceRecord& r : *recs) {
    Entry e;
    Status st = LoadEntry(r, &e.matchers);
    e.valid = st.ok();
    if (!st.ok()) {
      LogWarn("silence has a bad matcher; it mutes nothing",
              {{"id", r.id}, {"err", st}});
    }
    e.record = std::move(r);
    entries.push_back(std::move(e));
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) {
                     return a.record.starts_at_ms < b.record.starts_at_ms;
                   });
  MutexLock lock(&mu_);
  entries_ = std::move(entries);
  return Status::Ok();
}

Result<std::string> Silences::Add(state::SilenceRecord s, int64_t now_ms) {
  if (s.matchers.empty()) {
    return InvalidArgumentError("silence needs at least one matcher");
  }
  Matchers matchers;
  Status st = LoadEntry(s, &matchers);
  if (!st.ok()) return st;
  if (std::all_of(matchers.begin(), matchers.end(),
                  [](const LabelMatcher& m) { return m.MatchesEmpty(); })) {
    return InvalidArgumentError(
        "silence needs at least one matcher that does not match the empty "
        "string (it would silence every alert)");
  }
  if (s.starts_at_ms < now_ms) s.starts_at_ms = now_ms;
  if (s.ends_at_ms <= now_ms) {
    return InvalidArgumentError("silence end time is in the past");
  }
  if (s.ends_at_ms <= s.starts_at_ms) {
    return InvalidArgumentError("silence must end after it starts");
  }
  if (s.created_by.empty()) {
    return InvalidArgumentError("silence needs created_by (its author)");
  }
  if (s.comment.empty()) {
    return InvalidArgumentError("silence needs a comment");
  }
  s.id = NewUuidV4();
  s.updated_at_ms = now_ms;
  st = db_->PutSilence(s);
  if (!st.ok()) return st.WithContext("storing silence");
  {
    MutexLock lock(&mu_);
    Entry e;
    e.record = s;
    e.matchers = std::move(matchers);
    e.valid = true;
    auto pos = std::upper_bound(
        entries_.begin(), entries_.end(), s.starts_at_ms,
        [](int64_t t, const Entry& x) { return t < x.record.starts_at_ms; });
    entries_.insert(pos, std::move(e));
  }
  AppendEvent(s, "created", now_ms);
  return s.id;
}

Status Silences::Expire(std::string_view id, int64_t now_ms) {
  state::SilenceRecord rec;
  {
    MutexLock lock(&mu_);
    auto it = std::find_if(entries_.begin(), entries_.end(),
                           [&](const Entry& e) { return e.record.id == id; });
    if (it == entries_.end()) {
      return NotFoundError("no silence with id " + std::string(id));
    }
    rec = it->record;
  }
  switch (SilenceStateAt(rec, now_ms)) {
    case SilenceState::kExpired:
      return FailedPreconditionError("silence " + std::string(id) +
                                     " is already expired");
    case SilenceState::kActive:
      rec.ends_at_ms = now_ms;
      break;
    case SilenceState::kPending:
      rec.starts_at_ms = now_ms;
      rec.ends_at_ms = now_ms;
      break;
  }
  rec.updated_at_ms = now_ms;
  Status st = db_->PutSilence(rec);
  if (!st.ok()) return st.WithContext("expiring silence");
  {
    MutexLock lock(&mu_);
    for (Entry& e : entries_) {
      if (e.record.id == id) e.record = rec;
    }
  }
  AppendEvent(rec, "expired", now_ms);
  return Status::Ok();
}

std::vector<SilenceView> Silences::List(int64_t now_ms) const {
  MutexLock lock(&mu_);
  std::vector<SilenceView> out;
  out.reserve(entries_.size());
  for (const Entry& e : entries_) {
    out.push_back({e.record, SilenceStateAt(e.record, now_ms)});
  }
  return out;
}

std::vector<std::string> Silences::Mutes(const Labels& labels,
                                         int64_t now_ms) const {
  std::vector<std::string> ids;
  MutexLock lock(&mu_);
  for (const Entry& e : entries_) {
    if (!e.valid || now_ms < e.record.starts_at_ms ||
        now_ms >= e.record.ends_at_ms) {
      continue;
    }
    if (MatchesAll(e.matchers, labels)) ids.push_back(e.record.id);
  }
  return ids;
}

void Silences::AppendEvent(const state::SilenceRecord& s,
                           std::string_view outcome, int64_t now_ms) {
  state::Event ev;
  ev.time_ms = now_ms;
  ev.kind = "silence";
  ev.subject = s.id;
  ev.outcome = std::string(outcome);
  std::string matchers;
  for (const std::string& m : s.matchers) {
    if (!matchers.empty()) matchers += ", ";
    matchers += m;
  }
  ev.message = "silence " + s.id + " " + ev.outcome + " by " + s.created_by +
               ": {" + matchers + "}";
  nlohmann::json d;
  d["matchers"] = s.matchers;
  d["starts_at_ms"] = s.starts_at_ms;
  d["ends_at_ms"] = s.ends_at_ms;
  d["created_by"] = s.created_by;
  d["comment"] = s.comment;
  ev.details_json =
      d.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  Result<int64_t> r = db_->AppendEvent(ev);
  if (!r.ok()) {
    LogWarn("recording silence event failed",
            {{"id", s.id}, {"err", r.status()}});
  }
}

}  // namespace tend::alert
