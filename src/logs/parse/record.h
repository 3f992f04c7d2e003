// LogRecord: one parsed log line, and the level vocabulary.
//
// Reuse contract (the reason for the shape of these types): a caller keeps
// one LogRecord per reading loop and hands it to a parser for every line.
// Parsers call Reset() first, which empties every string and the field list
// but keeps their capacity, so after a few lines parsing allocates nothing.
// `source` is the caller's: Reset() and the parsers never touch it.
// A LogRecord is plain data: not thread-safe, copyable, movable.
#ifndef TEND_LOGS_PARSE_RECORD_H_
#define TEND_LOGS_PARSE_RECORD_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tend::logs {

// Severity, ordered like syslog severities 0..7; kUnknown when the line says
// nothing. Names (LevelName) follow common practice and Loki's
// `detected_level`: emerg alert crit error warn notice info debug unknown.
enum class Level : uint8_t {
  kEmerg = 0,
  kAlert = 1,
  kCrit = 2,
  kError = 3,
  kWarn = 4,
  kNotice = 5,
  kInfo = 6,
  kDebug = 7,
  kUnknown = 8,
};

std::string_view LevelName(Level level);

// Maps a syslog severity (0..7) to a Level; anything else gives kUnknown.
Level LevelFromSeverity(int severity);

// Maps a level word to a Level, case-insensitively, ignoring one pair of
// surrounding brackets ("[notice]", "<warn>"): emerg/emergency/panic,
// alert, crit/critical/fatal, err/error/eror, warn/warning, notice,
// info/information/informational, debug/dbg/trace. Also accepts a syslog
// severity digit "0".."7". Returns kUnknown for anything else.
Level LevelFromWord(std::string_view word);

struct Field {
  std::string name;
  std::string value;
};

// An ordered list of name/value pairs in line order. Clear() keeps the
// slots (and their strings' capacity) for the next line; Add() reuses them.
// Names may repeat when the line repeats them; Find() returns the first.
class FieldList {
 public:
  void Clear() { size_ = 0; }
  void Add(std::string_view name, std::string_view value);
  // Adds a field whose name is prefix + name (no separator added).
  void AddPrefixed(std::string_view prefix, std::string_view name,
                   std::string_view value);
  // Returns the value of the first field called `name`, or nullptr.
  const std::string* Find(std::string_view name) const;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const Field& operator[](size_t i) const { return slots_[i]; }
  const Field* begin() const { return slots_.data(); }
  const Field* end() const { return slots_.data() + size_; }

  // Gives the next slot to fill in place (both strings already cleared).
  Field& AddSlot();

 private:
  std::vector<Field> slots_;  // slots_[0, size_) are live.
  size_t size_ = 0;
};

struct LogRecord {
  // Nanoseconds since the Unix epoch. From the line when time_from_line,
  // otherwise the receive time the caller gave in ParseOptions.
  int64_t time_ns = 0;
  bool time_from_line = false;
  std::string host;
  std::string source;  // Stream name, set by the caller; parsers keep it.
  std::string app;     // Program, syslog tag or systemd unit.
  int64_t pid = -1;    // -1 when the line has none.
  Level level = Level::kUnknown;
  // The message part of the line. Never empty for a non-empty line: a line
  // no parser understands is kept whole here with parse_error set.
  std::string message;
  FieldList fields;
  bool parse_error = false;
  // Static text saying why the line did not parse ("" when it did).
  std::string_view error_reason;

  // Empties everything but `source`, keeping capacity.
  void Reset();
};

}  // namespace tend::logs

#endif  // TEND_LOGS_PARSE_RECORD_H_
