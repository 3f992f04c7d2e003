#include "logs/parse/error_log.h"

#include "logs/parse/text_util.h"
#include "logs/parse/timestamp.h"

namespace tend::logs {
namespace {

using internal::ParseInt;

Level ApacheLevel(std::string_view word) {
  if (word.starts_with("trace")) return Level::kDebug;
  return LevelFromWord(word);
}

// Reads nginx's trailing ", key: value" pairs (value quoted or up to the
// next ", ") from `tail`, which starts at ", client: ".
void NginxTrailer(std::string_view tail, LogRecord* out) {
  while (tail.starts_with(", ")) {
    tail.remove_prefix(2);
    const size_t colon = tail.find(": ");
    if (colon == std::string_view::npos || colon == 0 || colon > 32) return;
    const std::string_view key = tail.substr(0, colon);
    if (key.find(' ') != std::string_view::npos) return;
    tail.remove_prefix(colon + 2);
    std::string_view value;
    if (tail.starts_with("\"")) {
      const size_t close = tail.find('"', 1);
      if (close == std::string_view::npos) return;
      value = tail.substr(1, close - 1);
      tail.remove_prefix(close + 1);
    } else {
      const size_t end = tail.find(", ");
      value = tail.substr(0, end);
      tail.remove_prefix(end == std::string_view::npos ? tail.size() : end);
    }
    out->fields.Add(key, value);
  }
}

}  // namespace

bool ParseApacheErrorLog(std::string_view line, const ParseOptions& options,
                         LogRecord* out) {
  const std::string_view full = line;
  line = TrimLineEnd(line);
  BeginRecord(options, out);
  if (line.empty() || line[0] != '[') {
    return SetUnparsed(full, "not an apache error log: no '['", options, out);
  }
  int64_t ns = 0;
  const size_t tlen = ParseCtimeTime(line.substr(1), options.zone, &ns);
  if (tlen == 0 || tlen + 1 >= line.size() || line[tlen + 1] != ']') {
    return SetUnparsed(full, "apache error log: bad [time]", options, out);
  }
  out->time_ns = ns;
  out->time_from_line = true;
  std::string_view rest = internal::SkipSpaces(line.substr(tlen + 2));
  bool first = true;
  while (rest.starts_with("[")) {
    const size_t close = rest.find(']');
    if (close == std::string_view::npos) break;
    const std::string_view group = rest.substr(1, close - 1);
    if (first) {
      const size_t colon = group.find(':');
      const std::string_view word =
          colon == std::string_view::npos ? group : group.substr(colon + 1);
      const Level level = ApacheLevel(word);
      if (level == Level::kUnknown) break;
      if (colon != std::string_view::npos) {
        out->fields.Add("module", group.substr(0, colon));
      }
      out->level = level;
      first = false;
    } else if (group.starts_with("pid ")) {
      std::string_view p = group.substr(4);
      const size_t colon = p.find(':');
      int64_t pid = 0;
      if (!ParseInt(p.substr(0, colon), &pid)) break;
      out->pid = pid;
      if (colon != std::string_view::npos &&
          p.substr(colon + 1).starts_with("tid ")) {
        out->fields.Add("tid", p.substr(colon + 5));
      }
    } else if (group.starts_with("client ") || group.starts_with("remote ")) {
      out->fields.Add("client", group.substr(7));
    } else {
      break;
    }
    rest = internal::SkipSpaces(rest.substr(close + 1));
  }
  out->message.assign(rest);
  internal::EnsureMessage(line, out);
  return true;
}

bool ParseNginxErrorLog(std::string_view line, const ParseOptions& options,
                        LogRecord* out) {
  const std::string_view full = line;
  line = TrimLineEnd(line);
  BeginRecord(options, out);
  int64_t ns = 0;
  const size_t tlen = ParseSlashTime(line, options.zone, &ns);
  if (tlen == 0 || tlen + 2 >= line.size() || line[tlen] != ' ' ||
      line[tlen + 1] != '[') {
    return SetUnparsed(full, "not an nginx error log: no time and [level]",
                       options, out);
  }
  std::string_view rest = line.substr(tlen + 2);
  const size_t close = rest.find(']');
  if (close == std::string_view::npos) {
    return SetUnparsed(full, "nginx error log: bad [level]", options, out);
  }
  out->level = LevelFromWord(rest.substr(0, close));
  rest = internal::SkipSpaces(rest.substr(close + 1));
  out->time_ns = ns;
  out->time_from_line = true;
  // "pid#tid: "
  const size_t hash = rest.find('#');
  const size_t colon = rest.find(": ");
  int64_t pid = 0;
  if (hash != std::string_view::npos && colon != std::string_view::npos &&
      hash < colon && ParseInt(rest.substr(0, hash), &pid)) {
    out->pid = pid;
    out->fields.Add("tid", rest.substr(hash + 1, colon - hash - 1));
    rest.remove_prefix(colon + 2);
  }
  if (rest.starts_with("*")) {
    const size_t sp = rest.find(' ');
    int64_t conn = 0;
    if (sp != std::string_view::npos &&
        ParseInt(rest.substr(1, sp - 1), &conn)) {
      out->fields.Add("connection", rest.substr(1, sp - 1));
      rest.remove_prefix(sp + 1);
    }
  }
  out->message.assign(rest);
  const size_t trailer = rest.find(", client: ");
  if (trailer != std::string_view::npos) {
    NginxTrailer(rest.substr(trailer), out);
  }
  internal::EnsureMessage(line, out);
  return true;
}

}  // namespace tend::logs
