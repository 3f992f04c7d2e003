#include "logs/parse/logfmt.h"

#include "logs/parse/text_util.h"
#include "logs/parse/well_known.h"

namespace tend::logs {

bool ParseLogfmt(std::string_view line, const ParseOptions& options,
                 LogRecord* out) {
  const std::string_view full = line;
  line = TrimLineEnd(line);
  BeginRecord(options, out);
  size_t i = 0;
  const size_t n = line.size();
  int pairs = 0;
  while (true) {
    while (i < n && internal::IsSpace(line[i])) ++i;
    if (i >= n) break;
    const size_t key_start = i;
    while (i < n && line[i] != '=' && !internal::IsSpace(line[i]) &&
           line[i] != '"') {
      ++i;
    }
    if (i == key_start) {
      return SetUnparsed(full, "not logfmt: token without a key", options, out);
    }
    const std::string_view key = line.substr(key_start, i - key_start);
    if (i < n && line[i] == '"') {
      return SetUnparsed(full, "not logfmt: quote inside a key", options, out);
    }
    Field& f = out->fields.AddSlot();
    f.name.assign(key);
    if (i < n && line[i] == '=') {
      ++i;
      ++pairs;
      if (i < n && line[i] == '"') {
        ++i;
        bool closed = false;
        while (i < n) {
          const char c = line[i];
          if (c == '"') {
            closed = true;
            ++i;
            break;
          }
          if (c == '\\' && i + 1 < n) {
            const char e = line[i + 1];
            f.value.push_back(e == 'n'   ? '\n'
                              : e == 't' ? '\t'
                              : e == 'r' ? '\r'
                                         : e);
            i += 2;
            continue;
          }
          f.value.push_back(c);
          ++i;
        }
        if (!closed) {
          return SetUnparsed(full, "not logfmt: unterminated quote", options,
                             out);
        }
        if (i < n && !internal::IsSpace(line[i])) {
          return SetUnparsed(full, "not logfmt: text after a closing quote",
                             options, out);
        }
      } else {
        const size_t v = i;
        while (i < n && !internal::IsSpace(line[i])) ++i;
        f.value.assign(line.substr(v, i - v));
      }
    }
    ApplyWellKnown(ClassifyKey(f.name), f.value, options, out);
  }
  if (pairs == 0) {
    return SetUnparsed(full, "not logfmt: no key=value pair", options, out);
  }
  if (out->message.empty()) out->message.assign(line);
  return true;
}

}  // namespace tend::logs
