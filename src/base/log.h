// Structured logging: one line per event, a message plus key=value fields.
//
// Human format (the default on a terminal):
//   2026-11-25T17:40:00.123Z INFO  collector failed collector=cpu err="..."
// JSON lines (`--log-format json`):
//   {"ts":"2026-11-25T17:40:00.123Z","level":"info","msg":"collector failed",
//    "collector":"cpu","err":"..."}
//
// Thread-safe: any thread may log; lines are never interleaved.
#ifndef TEND_BASE_LOG_H_
#define TEND_BASE_LOG_H_

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

#include "base/status.h"

namespace tend {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class LogFormat { kHuman, kJson };

// Parses "debug", "info", "warn", "error" (and "warning").
Result<LogLevel> ParseLogLevel(std::string_view s);
Result<LogFormat> ParseLogFormat(std::string_view s);

struct LogField {
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v) : key(k), value(v) {}
  LogField(std::string_view k, const Status& s) : key(k), value(s.ToString()) {}
  LogField(std::string_view k, long long v)
      : key(k), value(std::to_string(v)) {}
  LogField(std::string_view k, int v) : key(k), value(std::to_string(v)) {}
  LogField(std::string_view k, unsigned long v)
      : key(k), value(std::to_string(v)) {}
  LogField(std::string_view k, long v) : key(k), value(std::to_string(v)) {}
  LogField(std::string_view k, double v);
  std::string_view key;
  std::string value;
};

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
void SetLogFormat(LogFormat format);

// Replaces where finished lines go (default: stderr). For tests; pass
// nullptr to restore stderr. The sink receives one line without '\n'.
void SetLogSinkForTesting(std::function<void(std::string_view)> sink);

// Formats one line (exposed for tests).
std::string FormatLogLine(LogFormat format, long long unix_millis,
                          LogLevel level, std::string_view msg,
                          std::initializer_list<LogField> fields);

void Log(LogLevel level, std::string_view msg,
         std::initializer_list<LogField> fields = {});

inline void LogDebug(std::string_view msg,
                     std::initializer_list<LogField> fields = {}) {
  if (GetLogLevel() <= LogLevel::kDebug) Log(LogLevel::kDebug, msg, fields);
}
inline void LogInfo(std::string_view msg,
                    std::initializer_list<LogField> fields = {}) {
  Log(LogLevel::kInfo, msg, fields);
}
inline void LogWarn(std::string_view msg,
                    std::initializer_list<LogField> fields = {}) {
  Log(LogLevel::kWarn, msg, fields);
}
inline void LogError(std::string_view msg,
                     std::initializer_list<LogField> fields = {}) {
  Log(LogLevel::kError, msg, fields);
}

// Appends `s` to `out` as a JSON string literal (quotes included).
void AppendJsonString(std::string_view s, std::string* out);

}  // namespace tend

#endif  // TEND_BASE_LOG_H_
