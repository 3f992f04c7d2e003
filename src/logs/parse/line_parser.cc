#include "logs/parse/line_parser.h"

#include <string>

#include "logs/parse/access_log.h"
#include "logs/parse/error_log.h"
#include "logs/parse/logfmt.h"
#include "logs/parse/syslog.h"
#include "logs/parse/text_util.h"
#include "logs/parse/timestamp.h"

namespace tend::logs {
namespace {

using internal::IsDigit;

struct KindName {
  std::string_view name;
  ParserKind kind;
};
constexpr KindName kKindNames[] = {
    {"auto", ParserKind::kAuto},
    {"syslog", ParserKind::kSyslog},
    {"json", ParserKind::kJson},
    {"logfmt", ParserKind::kLogfmt},
    {"access", ParserKind::kAccess},
    {"nginx", ParserKind::kAccess},
    {"apache", ParserKind::kAccess},
    {"combined", ParserKind::kAccess},
    {"common", ParserKind::kAccess},
    {"apache_error", ParserKind::kApacheError},
    {"nginx_error", ParserKind::kNginxError},
    {"pattern", ParserKind::kPattern},
    {"raw", ParserKind::kRaw},
};

// Length of a leading timestamp in any format (bare, or in one pair of
// brackets), or 0.
size_t BareTimestamp(std::string_view s, const ParseOptions& o, int64_t* ns) {
  size_t n = ParseRfc3339(s, o.zone, ns);
  if (n == 0) n = ParseSyslogTime(s, o.Reference(), o.zone, ns);
  if (n == 0) n = ParseSlashTime(s, o.zone, ns);
  if (n == 0) n = ParseCtimeTime(s, o.zone, ns);
  if (n == 0) n = ParseClfTime(s, o.zone, ns);
  return n;
}

size_t LeadingTimestamp(std::string_view s, const ParseOptions& o,
                        int64_t* ns) {
  if (!s.starts_with("[")) return BareTimestamp(s, o, ns);
  const size_t n = BareTimestamp(s.substr(1), o, ns);
  if (n > 0 && 1 + n < s.size() && s[1 + n] == ']') return n + 2;
  return 0;
}

// The word after a leading ISO time is a level ("2024-... INFO x")?
bool LevelAfterTime(std::string_view line, const ParseOptions& o) {
  int64_t ns = 0;
  const size_t n = ParseRfc3339(line, o.zone, &ns);
  if (n == 0) return false;
  std::string_view word = internal::Token(internal::SkipSpaces(line.substr(n)));
  if (word.ends_with(":")) word.remove_suffix(1);
  return LevelFromWord(word) != Level::kUnknown;
}

}  // namespace

Result<ParserKind> ParserKindFromName(std::string_view name) {
  for (const KindName& k : kKindNames) {
    if (k.name == name) return k.kind;
  }
  std::string names;
  for (const KindName& k : kKindNames) {
    if (!names.empty()) names += ", ";
    names += k.name;
  }
  return InvalidArgumentError("unknown parser \"" + std::string(name) +
                              "\"; expected one of: " + names);
}

std::string_view ParserKindName(ParserKind kind) {
  for (const KindName& k : kKindNames) {
    if (k.kind == kind) return k.name;
  }
  return "unknown";
}

bool ParseTimestamped(std::string_view line, const ParseOptions& options,
                      LogRecord* out) {
  const std::string_view full = line;
  line = TrimLineEnd(line);
  BeginRecord(options, out);
  int64_t ns = 0;
  const size_t n = LeadingTimestamp(line, options, &ns);
  if (n == 0) {
    return SetUnparsed(full, "no leading timestamp", options, out);
  }
  out->time_ns = ns;
  out->time_from_line = true;
  std::string_view rest = internal::SkipSpaces(line.substr(n));
  std::string_view word = internal::Token(rest);
  const bool colon = word.ends_with(":");
  if (colon) word.remove_suffix(1);
  const Level level = LevelFromWord(word);
  if (level != Level::kUnknown) {
    out->level = level;
    rest = internal::SkipSpaces(rest.substr(word.size() + (colon ? 1 : 0)));
  }
  out->message.assign(rest);
  internal::EnsureMessage(line, out);
  return true;
}

Result<std::unique_ptr<LineParser>> LineParser::Create(
    const ParserConfig& config) {
  std::unique_ptr<LineParser> p(new LineParser());
  p->kind_ = config.kind;
  if (config.kind == ParserKind::kAuto || config.kind == ParserKind::kJson) {
    p->json_ = std::make_unique<JsonParser>();
  }
  if (config.kind == ParserKind::kPattern) {
    auto pattern = PatternParser::Create(config.pattern);
    if (!pattern.ok()) return pattern.status();
    p->pattern_ = std::move(*pattern);
  }
  return p;
}

bool LineParser::Parse(std::string_view line, const ParseOptions& options,
                       LogRecord* out) {
  switch (kind_) {
    case ParserKind::kAuto:
      return Auto(line, options, out);
    case ParserKind::kSyslog:
      return ParseSyslog(line, options, out);
    case ParserKind::kJson:
      return json_->Parse(line, options, out);
    case ParserKind::kLogfmt:
      return ParseLogfmt(line, options, out);
    case ParserKind::kAccess:
      return ParseAccessLog(line, options, out);
    case ParserKind::kApacheError:
      return ParseApacheErrorLog(line, options, out);
    case ParserKind::kNginxError:
      return ParseNginxErrorLog(line, options, out);
    case ParserKind::kPattern:
      return pattern_->Parse(line, options, out);
    case ParserKind::kRaw: {
      const std::string_view trimmed = TrimLineEnd(line);
      BeginRecord(options, out);
      out->message.assign(trimmed.empty() ? line : trimmed);
      return true;
    }
  }
  return SetUnparsed(line, "no parser", options, out);
}

bool LineParser::Auto(std::string_view line, const ParseOptions& options,
                      LogRecord* out) {
  const std::string_view t = TrimLineEnd(line);
  if (t.empty()) return SetUnparsed(line, "empty line", options, out);
  const std::string_view body = internal::SkipSpaces(t);
  const char c = body.empty() ? t[0] : body[0];
  if (c == '{') {
    if (json_->Parse(line, options, out)) return true;
  } else if (c == '<') {
    if (ParseSyslog(line, options, out)) return true;
  } else if (c == '[') {
    if (ParseApacheErrorLog(line, options, out)) return true;
  } else if (c >= 'A' && c <= 'Z' && t.size() > 4 && t[3] == ' ' &&
             MonthFromAbbrev(t) != 0) {
    if (ParseSyslog3164(line, options, out)) return true;
  } else if (IsDigit(c) && t.size() > 10 && IsDigit(t[1]) && IsDigit(t[2]) &&
             IsDigit(t[3])) {
    if (t[4] == '/') {
      if (ParseNginxErrorLog(line, options, out)) return true;
    } else if (t[4] == '-' && !LevelAfterTime(t, options)) {
      // Only with a real "tag:" — otherwise "TIME word word" would read
      // as host and app; timestamped (step 10) fits those lines better.
      if (ParseSyslog3164(line, options, out) && !out->app.empty() &&
          t.find(": ") != std::string_view::npos) {
        return true;
      }
    }
  }
  if (t.find(" [") != std::string_view::npos &&
      t.find("] \"") != std::string_view::npos) {
    if (ParseAccessLog(line, options, out)) return true;
  }
  if (t.find('=') != std::string_view::npos) {
    if (ParseLogfmt(line, options, out)) return true;
  }
  if (ParseTimestamped(line, options, out)) return true;
  return SetUnparsed(line, "no parser matched", options, out);
}

}  // namespace tend::logs
