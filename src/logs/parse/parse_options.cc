#include "logs/parse/parse_options.h"

namespace tend::logs {

void BeginRecord(const ParseOptions& options, LogRecord* out) {
  out->Reset();
  out->time_ns = options.receive_time_ns;
}

bool SetUnparsed(std::string_view line, std::string_view reason,
                 const ParseOptions& options, LogRecord* out) {
  BeginRecord(options, out);
  out->message.assign(line);
  out->parse_error = true;
  out->error_reason = reason;
  return false;
}

std::string_view TrimLineEnd(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace tend::logs
