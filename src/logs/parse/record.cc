#include "logs/parse/record.h"

#include <array>

namespace tend::logs {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c; }

bool EqualsLower(std::string_view word, std::string_view lower) {
  if (word.size() != lower.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (Lower(word[i]) != lower[i]) return false;
  }
  return true;
}

}  // namespace

std::string_view LevelName(Level level) {
  static constexpr std::array<std::string_view, 9> kNames = {
      "emerg",  "alert", "crit",  "error",  "warn",
      "notice", "info",  "debug", "unknown"};
  const auto i = static_cast<size_t>(level);
  return i < kNames.size() ? kNames[i] : "unknown";
}

Level LevelFromSeverity(int severity) {
  if (severity < 0 || severity > 7) return Level::kUnknown;
  return static_cast<Level>(severity);
}

Level LevelFromWord(std::string_view word) {
  if (word.size() >= 2 && ((word.front() == '[' && word.back() == ']') ||
                           (word.front() == '<' && word.back() == '>') ||
                           (word.front() == '(' && word.back() == ')'))) {
    word = word.substr(1, word.size() - 2);
  }
  if (word.size() == 1 && word[0] >= '0' && word[0] <= '7') {
    return LevelFromSeverity(word[0] - '0');
  }
  if (word.empty() || word.size() > 13) return Level::kUnknown;
  struct Entry {
    std::string_view word;
    Level level;
  };
  static constexpr Entry kWords[] = {
      {"error", Level::kError},      {"err", Level::kError},
      {"eror", Level::kError},       {"warn", Level::kWarn},
      {"warning", Level::kWarn},     {"info", Level::kInfo},
      {"information", Level::kInfo}, {"informational", Level::kInfo},
      {"notice", Level::kNotice},    {"debug", Level::kDebug},
      {"dbg", Level::kDebug},        {"trace", Level::kDebug},
      {"crit", Level::kCrit},        {"critical", Level::kCrit},
      {"fatal", Level::kCrit},       {"alert", Level::kAlert},
      {"emerg", Level::kEmerg},      {"emergency", Level::kEmerg},
      {"panic", Level::kEmerg},
  };
  for (const Entry& e : kWords) {
    if (EqualsLower(word, e.word)) return e.level;
  }
  return Level::kUnknown;
}

Field& FieldList::AddSlot() {
  if (size_ == slots_.size()) slots_.emplace_back();
  Field& f = slots_[size_++];
  f.name.clear();
  f.value.clear();
  return f;
}

void FieldList::Add(std::string_view name, std::string_view value) {
  Field& f = AddSlot();
  f.name.assign(name);
  f.value.assign(value);
}

void FieldList::AddPrefixed(std::string_view prefix, std::string_view name,
                            std::string_view value) {
  Field& f = AddSlot();
  f.name.reserve(prefix.size() + name.size());
  f.name.append(prefix);
  f.name.append(name);
  f.value.assign(value);
}

const std::string* FieldList::Find(std::string_view name) const {
  for (const Field& f : *this) {
    if (f.name == name) return &f.value;
  }
  return nullptr;
}

void LogRecord::Reset() {
  time_ns = 0;
  time_from_line = false;
  host.clear();
  app.clear();
  pid = -1;
  level = Level::kUnknown;
  message.clear();
  fields.Clear();
  parse_error = false;
  error_reason = {};
}

}  // namespace tend::logs
