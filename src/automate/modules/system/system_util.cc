#include "automate/modules/system/system_util.h"

#include <time.h>

#include <cstdio>
#include <utility>

namespace tend::automate::sysmod {

Result<ExecResult> Run(ModuleContext& ctx, std::vector<std::string> argv,
                       std::string stdin_data,
                       std::map<std::string, std::string> env) {
  ExecRequest req;
  req.argv = std::move(argv);
  req.stdin_data = std::move(stdin_data);
  req.env = std::move(env);
  req.priv = ctx.priv;
  return ctx.conn->Exec(req);
}

std::string DescribeFailure(const std::vector<std::string>& argv,
                            const ExecResult& r) {
  std::string cmd;
  for (const auto& a : argv) {
    if (!cmd.empty()) cmd += ' ';
    cmd += a;
  }
  std::string out(TrimSpace(r.err));
  if (out.empty()) out = std::string(TrimSpace(r.out));
  std::string status = r.timed_out ? "timed out"
                       : r.signal
                           ? "killed by signal " + std::to_string(r.signal)
                           : "exit " + std::to_string(r.exit_code);
  return cmd + ": " + status + (out.empty() ? "" : ": " + out);
}

Result<std::optional<std::string>> ReadIfExists(ModuleContext& ctx,
                                                const std::string& path) {
  ASSIGN_OR_RETURN(FileStat st, ctx.conn->Stat(path, true, ctx.priv));
  if (!st.exists()) return std::optional<std::string>();
  ASSIGN_OR_RETURN(std::string text,
                   ctx.conn->ReadFile(path, kMaxConfigFileBytes, ctx.priv));
  return std::optional<std::string>(std::move(text));
}

Result<bool> HasProgram(ModuleContext& ctx, std::string_view program) {
  ExecRequest req;
  req.shell = "command -v " + ShellQuote(program) + " >/dev/null 2>&1";
  req.priv = ctx.priv;
  ASSIGN_OR_RETURN(ExecResult r, ctx.conn->Exec(req));
  return r.exit_code == 0;
}

std::vector<std::string> SplitLines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    lines.emplace_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

std::vector<std::string> PyLines(std::string_view text) {
  std::vector<std::string> lines;
  size_t i = 0, start = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '\n' || c == '\r') {
      lines.emplace_back(text.substr(start, i - start));
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      start = i + 1;
    }
    ++i;
  }
  if (start < text.size()) lines.emplace_back(text.substr(start));
  return lines;
}

std::vector<std::string> SplitWhitespace(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && isspace(static_cast<unsigned char>(text[i]))) ++i;
    size_t start = i;
    while (i < text.size() && !isspace(static_cast<unsigned char>(text[i])))
      ++i;
    if (i > start) out.emplace_back(text.substr(start, i - start));
  }
  return out;
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

std::string ShellQuote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  out += '\'';
  return out;
}

FileDiff MakeDiff(std::string before_header, std::string after_header,
                  std::string before, std::string after) {
  FileDiff d;
  d.before_header = std::move(before_header);
  d.after_header = std::move(after_header);
  d.before = std::move(before);
  d.after = std::move(after);
  return d;
}

ModuleResult Failed(std::string msg) {
  ModuleResult r;
  r.failed = true;
  r.msg = std::move(msg);
  return r;
}

std::string PyDateTime(int64_t unix_nanos) {
  time_t secs = static_cast<time_t>(unix_nanos / 1'000'000'000);
  int64_t micros = (unix_nanos % 1'000'000'000) / 1000;
  struct tm tm_local;
  localtime_r(&secs, &tm_local);
  char buf[64];
  snprintf(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d:%02d.%06lld",
           tm_local.tm_year + 1900, tm_local.tm_mon + 1, tm_local.tm_mday,
           tm_local.tm_hour, tm_local.tm_min, tm_local.tm_sec,
           static_cast<long long>(micros));
  return buf;
}

std::string PyTimeDelta(int64_t nanos) {
  if (nanos < 0) nanos = 0;
  int64_t micros = nanos / 1000;
  int64_t secs = micros / 1'000'000;
  micros %= 1'000'000;
  int64_t days = secs / 86400;
  secs %= 86400;
  // str(timedelta) prints the fraction only when it is not zero.
  char buf[64];
  snprintf(buf, sizeof(buf), "%lld:%02lld:%02lld",
           static_cast<long long>(secs / 3600),
           static_cast<long long>((secs / 60) % 60),
           static_cast<long long>(secs % 60));
  std::string out = buf;
  if (micros != 0) {
    snprintf(buf, sizeof(buf), ".%06lld", static_cast<long long>(micros));
    out += buf;
  }
  if (days > 0) {
    out = std::to_string(days) + (days == 1 ? " day, " : " days, ") + out;
  }
  return out;
}

}  // namespace tend::automate::sysmod
