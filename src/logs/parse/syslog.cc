#include "logs/parse/syslog.h"

#include "logs/parse/text_util.h"
#include "logs/parse/timestamp.h"

namespace tend::logs {
namespace {

using internal::IsDigit;
using internal::ParseInt;

constexpr std::string_view kFacilities[] = {
    "kern",   "user",     "mail",    "daemon",       "auth",     "syslog",
    "lpr",    "news",     "uucp",    "cron",         "authpriv", "ftp",
    "ntp",    "security", "console", "solaris-cron", "local0",   "local1",
    "local2", "local3",   "local4",  "local5",       "local6",   "local7"};

// Reads "<PRI>" at the start; returns bytes consumed (0 if absent/invalid).
size_t ParsePri(std::string_view s, int* pri) {
  if (s.size() < 3 || s[0] != '<') return 0;
  int v = 0;
  size_t i = 1;
  while (i < s.size() && i <= 3 && IsDigit(s[i])) v = v * 10 + (s[i++] - '0');
  if (i == 1 || i >= s.size() || s[i] != '>' || v > 191) return 0;
  *pri = v;
  return i + 1;
}

void ApplyPri(int pri, LogRecord* out) {
  out->level = LevelFromSeverity(pri & 7);
  out->fields.Add("facility", kFacilities[pri >> 3]);
}

// Parses "TAG[PID]: " at the start of `s`. On success sets app/pid, and
// returns the bytes consumed including ": " (or ":"). Returns 0 when `s`
// does not start with a tag.
size_t ParseTag(std::string_view s, LogRecord* out) {
  size_t i = 0;
  while (i < s.size() && s[i] != '[' && s[i] != ':' && s[i] != ' ' &&
         s[i] != '\t') {
    ++i;
  }
  if (i == 0 || i >= s.size()) return 0;
  const std::string_view app = s.substr(0, i);
  std::string_view procid;
  if (s[i] == '[') {
    const size_t close = s.find(']', i + 1);
    if (close == std::string_view::npos || close + 1 >= s.size() ||
        s[close + 1] != ':') {
      return 0;
    }
    procid = s.substr(i + 1, close - i - 1);
    i = close + 1;
  }
  if (s[i] != ':') return 0;
  ++i;
  if (i < s.size() && s[i] == ' ') ++i;
  out->app.assign(app);
  int64_t pid = 0;
  if (ParseInt(procid, &pid)) {
    out->pid = pid;
  } else if (!procid.empty()) {
    out->fields.Add("procid", procid);
  }
  return i;
}

// A tag without ":" ("syslogd 1.4.1: restart."), read as rsyslog does: a
// first word starting with a letter is the app, the rest the message.
size_t LenientTag(std::string_view s, LogRecord* out) {
  if (s.empty() ||
      !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) {
    return 0;
  }
  const std::string_view app = internal::Token(s);
  if (app.size() == s.size()) return 0;  // A one-word message is a message.
  out->app.assign(app);
  return app.size() + 1;
}

// Reads the next space-delimited token of a 5424 header into *tok and
// advances *s past it and one space. Returns false when none is there.
bool HeaderToken(std::string_view* s, std::string_view* tok) {
  const size_t sp = s->find(' ');
  if (sp == 0) return false;
  if (sp == std::string_view::npos) {
    if (s->empty()) return false;
    *tok = *s;
    *s = {};
    return true;
  }
  *tok = s->substr(0, sp);
  s->remove_prefix(sp + 1);
  return true;
}

// Parses RFC 5424 structured data at the start of *s into fields and
// advances past it. Returns false on malformed data.
bool ParseStructuredData(std::string_view* s, LogRecord* out) {
  std::string_view in = *s;
  if (!in.empty() && in[0] == '-') {
    in.remove_prefix(1);
    *s = in;
    return true;
  }
  if (in.empty() || in[0] != '[') return false;
  while (!in.empty() && in[0] == '[') {
    size_t i = 1;
    while (i < in.size() && in[i] != ' ' && in[i] != ']') ++i;
    if (i >= in.size() || i == 1) return false;
    const std::string_view id = in.substr(1, i - 1);
    while (i < in.size() && in[i] == ' ') {
      ++i;
      const size_t eq = in.find('=', i);
      if (eq == std::string_view::npos || eq == i || eq + 1 >= in.size() ||
          in[eq + 1] != '"') {
        return false;
      }
      const std::string_view param = in.substr(i, eq - i);
      Field& f = out->fields.AddSlot();
      f.name.append("sd.").append(id).append(".").append(param);
      size_t j = eq + 2;
      for (;;) {
        if (j >= in.size()) return false;
        const char c = in[j];
        if (c == '"') break;
        if (c == '\\' && j + 1 < in.size() &&
            (in[j + 1] == '"' || in[j + 1] == '\\' || in[j + 1] == ']')) {
          f.value.push_back(in[j + 1]);
          j += 2;
          continue;
        }
        f.value.push_back(c);
        ++j;
      }
      i = j + 1;
    }
    if (i >= in.size() || in[i] != ']') return false;
    in.remove_prefix(i + 1);
  }
  *s = in;
  return true;
}

}  // namespace

bool ParseSyslog(std::string_view line, const ParseOptions& options,
                 LogRecord* out) {
  int pri = 0;
  const size_t n = ParsePri(line, &pri);
  if (n > 0 && n + 1 < line.size() && line[n] == '1' && line[n + 1] == ' ') {
    return ParseSyslog5424(line, options, out);
  }
  return ParseSyslog3164(line, options, out);
}

bool ParseSyslog3164(std::string_view line, const ParseOptions& options,
                     LogRecord* out) {
  const std::string_view full = line;
  line = TrimLineEnd(line);
  BeginRecord(options, out);
  int pri = -1;
  const size_t pri_len = ParsePri(line, &pri);
  std::string_view rest = line.substr(pri_len);
  int64_t ns = 0;
  size_t ts_len = ParseSyslogTime(rest, options.Reference(), options.zone, &ns);
  if (ts_len == 0) ts_len = ParseRfc3339(rest, options.zone, &ns);
  if (ts_len > 0 && (ts_len == rest.size() || rest[ts_len] == ' ')) {
    out->time_ns = ns;
    out->time_from_line = true;
    rest = internal::SkipSpaces(rest.substr(ts_len));
  } else if (pri_len == 0) {
    return SetUnparsed(full, "not syslog: no <PRI> and no timestamp", options,
                       out);
  } else {
    ts_len = 0;
  }
  if (pri_len > 0) ApplyPri(pri, out);
  if (ts_len > 0) {
    // HOST, unless the first token is already the tag ("app[1]: msg").
    size_t tag_len = ParseTag(rest, out);
    if (tag_len == 0) {
      const std::string_view host = internal::Token(rest);
      out->host.assign(host);
      rest = internal::SkipSpaces(rest.substr(host.size()));
      tag_len = ParseTag(rest, out);
      if (tag_len == 0) tag_len = LenientTag(rest, out);
    }
    rest.remove_prefix(tag_len);
  } else {
    rest.remove_prefix(ParseTag(rest, out));
  }
  out->message.assign(rest);
  internal::EnsureMessage(line.empty() ? full : line, out);
  return true;
}

bool ParseSyslog5424(std::string_view line, const ParseOptions& options,
                     LogRecord* out) {
  const std::string_view full = line;
  line = TrimLineEnd(line);
  BeginRecord(options, out);
  int pri = 0;
  const size_t pri_len = ParsePri(line, &pri);
  if (pri_len == 0 || line.size() < pri_len + 2 || line[pri_len] != '1' ||
      line[pri_len + 1] != ' ') {
    return SetUnparsed(full, "not RFC 5424 syslog: no \"<PRI>1 \"", options,
                       out);
  }
  std::string_view rest = line.substr(pri_len + 2);
  std::string_view ts, host, app, procid, msgid;
  if (!HeaderToken(&rest, &ts) || !HeaderToken(&rest, &host) ||
      !HeaderToken(&rest, &app) || !HeaderToken(&rest, &procid) ||
      !HeaderToken(&rest, &msgid)) {
    return SetUnparsed(full, "RFC 5424 syslog: truncated header", options, out);
  }
  if (ts != "-") {
    int64_t ns = 0;
    if (ParseRfc3339(ts, options.zone, &ns) != ts.size()) {
      return SetUnparsed(full, "RFC 5424 syslog: bad timestamp", options, out);
    }
    out->time_ns = ns;
    out->time_from_line = true;
  }
  ApplyPri(pri, out);
  if (host != "-") out->host.assign(host);
  if (app != "-") out->app.assign(app);
  int64_t pid = 0;
  if (ParseInt(procid, &pid)) {
    out->pid = pid;
  } else if (procid != "-") {
    out->fields.Add("procid", procid);
  }
  if (msgid != "-") out->fields.Add("msgid", msgid);
  if (!rest.empty() && !ParseStructuredData(&rest, out)) {
    return SetUnparsed(full, "RFC 5424 syslog: bad structured data", options,
                       out);
  }
  if (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
  if (rest.size() >= 3 && rest.substr(0, 3) == "\xEF\xBB\xBF") {
    rest.remove_prefix(3);
  }
  out->message.assign(rest);
  internal::EnsureMessage(line.empty() ? full : line, out);
  return true;
}

}  // namespace tend::logs
