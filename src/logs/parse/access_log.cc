#include "logs/parse/access_log.h"

#include <string>

#include "logs/parse/text_util.h"
#include "logs/parse/timestamp.h"

namespace tend::logs {
namespace {

using internal::IsDigit;
using internal::IsSpace;

// A cursor over the line; every method returns false when the expected
// token is not there.
struct Cursor {
  std::string_view s;
  size_t i = 0;

  void Spaces() {
    while (i < s.size() && IsSpace(s[i])) ++i;
  }
  bool Bare(std::string_view* tok) {
    const size_t start = i;
    while (i < s.size() && !IsSpace(s[i])) ++i;
    *tok = s.substr(start, i - start);
    return i > start;
  }
  // A double-quoted string; \" and \\ unescaped into *value.
  bool Quoted(std::string* value) {
    if (i >= s.size() || s[i] != '"') return false;
    ++i;
    value->clear();
    while (i < s.size()) {
      const char c = s[i];
      if (c == '"') {
        ++i;
        return true;
      }
      if (c == '\\' && i + 1 < s.size() &&
          (s[i + 1] == '"' || s[i + 1] == '\\')) {
        value->push_back(s[i + 1]);
        i += 2;
        continue;
      }
      value->push_back(c);
      ++i;
    }
    return false;
  }
};

bool IsDecimal(std::string_view s) {
  bool digit = false, dot = false;
  for (char c : s) {
    if (IsDigit(c)) {
      digit = true;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  return digit;
}

// Splits "METHOD PATH PROTOCOL" into fields; else adds "request".
void AddRequest(std::string_view req, LogRecord* out) {
  const size_t a = req.find(' ');
  const size_t b = req.rfind(' ');
  if (a != std::string_view::npos && b > a && a > 0 &&
      req.substr(a + 1, b - a - 1).find(' ') == std::string_view::npos &&
      req.substr(b + 1).starts_with("HTTP/")) {
    out->fields.Add("method", req.substr(0, a));
    out->fields.Add("path", req.substr(a + 1, b - a - 1));
    out->fields.Add("protocol", req.substr(b + 1));
  } else {
    out->fields.Add("request", req);
  }
}

}  // namespace

bool ParseAccessLog(std::string_view line, const ParseOptions& options,
                    LogRecord* out) {
  const std::string_view full = line;
  line = TrimLineEnd(line);
  BeginRecord(options, out);
  Cursor c{line};
  std::string_view addr, ident, user, status, bytes;
  if (!c.Bare(&addr))
    return SetUnparsed(full, "access log: empty", options, out);
  c.Spaces();
  if (!c.Bare(&ident)) {
    return SetUnparsed(full, "not an access log: no ident", options, out);
  }
  c.Spaces();
  // The user may be "-" or a name; up to " [".
  const size_t bracket = line.find(" [", c.i);
  if (bracket == std::string_view::npos || bracket < c.i) {
    return SetUnparsed(full, "not an access log: no [time]", options, out);
  }
  user = line.substr(c.i, bracket - c.i);
  c.i = bracket + 2;
  int64_t ns = 0;
  const size_t tlen = ParseClfTime(line.substr(c.i), options.zone, &ns);
  if (tlen == 0 || c.i + tlen >= line.size() || line[c.i + tlen] != ']') {
    return SetUnparsed(full, "access log: bad [time]", options, out);
  }
  c.i += tlen + 1;
  c.Spaces();
  out->fields.Add("remote_addr", addr);
  out->fields.Add("user", user.empty() ? std::string_view("-") : user);
  std::string& scratch = out->message;  // Reused; set to the line at the end.
  if (!c.Quoted(&scratch)) {
    return SetUnparsed(full, "access log: bad \"request\"", options, out);
  }
  AddRequest(scratch, out);
  c.Spaces();
  if (!c.Bare(&status) || status.size() != 3 || !IsDigit(status[0]) ||
      !IsDigit(status[1]) || !IsDigit(status[2])) {
    return SetUnparsed(full, "access log: bad status", options, out);
  }
  c.Spaces();
  if (!c.Bare(&bytes) || (bytes != "-" && !IsDecimal(bytes))) {
    return SetUnparsed(full, "access log: bad bytes", options, out);
  }
  out->fields.Add("status", status);
  out->fields.Add("bytes", bytes);
  c.Spaces();
  if (c.i < line.size() && line[c.i] == '"') {
    Field& ref = out->fields.AddSlot();
    ref.name.assign("referer");
    if (!c.Quoted(&ref.value)) {
      return SetUnparsed(full, "access log: bad \"referer\"", options, out);
    }
    c.Spaces();
    Field& ua = out->fields.AddSlot();
    ua.name.assign("user_agent");
    if (!c.Quoted(&ua.value)) {
      return SetUnparsed(full, "access log: bad \"user_agent\"", options, out);
    }
  }
  int extra = 0;
  bool have_request_time = false;
  for (c.Spaces(); c.i < line.size(); c.Spaces()) {
    Field& f = out->fields.AddSlot();
    if (line[c.i] == '"') {
      if (!c.Quoted(&f.value)) {
        return SetUnparsed(full, "access log: unterminated quote", options,
                           out);
      }
    } else {
      std::string_view tok;
      c.Bare(&tok);
      f.value.assign(tok);
      if (!have_request_time && IsDecimal(tok) &&
          tok.find('.') != std::string_view::npos) {
        f.name.assign("request_time");
        have_request_time = true;
        continue;
      }
    }
    f.name.assign("extra_");
    f.name.append(std::to_string(++extra));
  }
  out->time_ns = ns;
  out->time_from_line = true;
  out->level = status[0] == '5'   ? Level::kError
               : status[0] == '4' ? Level::kWarn
                                  : Level::kInfo;
  out->message.assign(line);
  return true;
}

}  // namespace tend::logs
