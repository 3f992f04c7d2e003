#include "logs/parse/well_known.h"

#include "logs/parse/text_util.h"
#include "logs/parse/timestamp.h"

namespace tend::logs {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
    if (c != lower[i]) return false;
  }
  return true;
}

}  // namespace

WellKnown ClassifyKey(std::string_view key) {
  if (key.empty() || key.size() > 11) return WellKnown::kNone;
  struct Entry {
    std::string_view key;
    WellKnown kind;
  };
  static constexpr Entry kKeys[] = {
      {"msg", WellKnown::kMessage},     {"message", WellKnown::kMessage},
      {"level", WellKnown::kLevel},     {"time", WellKnown::kTime},
      {"ts", WellKnown::kTime},         {"timestamp", WellKnown::kTime},
      {"@timestamp", WellKnown::kTime}, {"lvl", WellKnown::kLevel},
      {"severity", WellKnown::kLevel},  {"loglevel", WellKnown::kLevel},
      {"log_level", WellKnown::kLevel}, {"priority", WellKnown::kLevel},
      {"log", WellKnown::kMessage},     {"host", WellKnown::kHost},
      {"hostname", WellKnown::kHost},   {"app", WellKnown::kApp},
      {"application", WellKnown::kApp}, {"service", WellKnown::kApp},
      {"program", WellKnown::kApp},     {"unit", WellKnown::kApp},
      {"pid", WellKnown::kPid},         {"@t", WellKnown::kTime},
      {"@m", WellKnown::kMessage},      {"@l", WellKnown::kLevel},
  };
  for (const Entry& e : kKeys) {
    if (EqualsIgnoreCase(key, e.key)) return e.kind;
  }
  return WellKnown::kNone;
}

bool ApplyWellKnown(WellKnown kind, std::string_view value,
                    const ParseOptions& options, LogRecord* out) {
  switch (kind) {
    case WellKnown::kNone:
      return false;
    case WellKnown::kTime: {
      if (out->time_from_line) return false;
      int64_t ns = 0;
      if (!ParseAnyTimestamp(value, options.Reference(), options.zone, &ns)) {
        return false;
      }
      out->time_ns = ns;
      out->time_from_line = true;
      return true;
    }
    case WellKnown::kLevel:
      if (out->level != Level::kUnknown) return false;
      out->level = LevelFromWord(value);
      return out->level != Level::kUnknown;
    case WellKnown::kMessage:
      if (!out->message.empty()) return false;
      out->message.assign(value);
      return true;
    case WellKnown::kHost:
      if (!out->host.empty()) return false;
      out->host.assign(value);
      return true;
    case WellKnown::kApp:
      if (!out->app.empty()) return false;
      out->app.assign(value);
      return true;
    case WellKnown::kPid: {
      int64_t pid = 0;
      if (out->pid >= 0 || !internal::ParseInt(value, &pid)) return false;
      out->pid = pid;
      return true;
    }
  }
  return false;
}

}  // namespace tend::logs
