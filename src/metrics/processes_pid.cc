#include "metrics/processes_pid.h"

#include "metrics/parse.h"

namespace tend {
namespace {

// Parses "<number> kB" (status lines) into bytes.
bool ParseKb(std::string_view value, uint64_t* bytes) {
  if (value.size() < 3 || value.substr(value.size() - 3) != " kB") {
    return false;
  }
  uint64_t kb;
  if (!ParseUint64(Trim(value.substr(0, value.size() - 3)), &kb)) return false;
  *bytes = kb * 1024;
  return true;
}

}  // namespace

bool ParsePidStat(std::string_view text, PidStat* out) {
  size_t open = text.find('(');
  size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos ||
      close < open) {
    return false;
  }
  uint64_t pid;
  if (!ParseUint64(Trim(text.substr(0, open)), &pid)) return false;
  out->comm = text.substr(open + 1, close - open - 1);

  // Fields after the comm, numbered as in proc(5): the state is field 3.
  std::string_view rest = text.substr(close + 1);
  int field = 2;
  size_t i = 0;
  while (i < rest.size()) {
    while (i < rest.size() && (rest[i] == ' ' || rest[i] == '\n')) ++i;
    size_t start = i;
    while (i < rest.size() && rest[i] != ' ' && rest[i] != '\n') ++i;
    if (i == start) break;
    std::string_view f = rest.substr(start, i - start);
    ++field;
    bool ok = true;
    switch (field) {
      case 3:
        ok = f.size() == 1;
        out->state = f[0];
        break;
      case 10:
        ok = ParseUint64(f, &out->minflt);
        break;
      case 12:
        ok = ParseUint64(f, &out->majflt);
        break;
      case 14:
        ok = ParseUint64(f, &out->utime);
        break;
      case 15:
        ok = ParseUint64(f, &out->stime);
        break;
      case 20:
        ok = ParseUint64(f, &out->num_threads);
        break;
      case 22:
        ok = ParseUint64(f, &out->starttime);
        break;
      case 23:
        ok = ParseUint64(f, &out->vsize);
        break;
      case 24: {
        int64_t rss;
        ok = ParseInt64(f, &rss);
        out->rss_pages = rss > 0 ? static_cast<uint64_t>(rss) : 0;
        break;
      }
      default:
        break;
    }
    if (!ok) return false;
    if (field == 24) return true;
  }
  return false;  // Too few fields.
}

bool ParsePidStatus(std::string_view text, PidStatus* out) {
  out->swap_bytes = 0;
  bool voluntary = false;
  bool nonvoluntary = false;
  std::string_view key;
  std::string_view value;
  while (!text.empty()) {
    std::string_view line = NextLine(&text);
    if (line.empty() || !SplitKeyValue(line, &key, &value)) continue;
    if (key == "VmSwap") {
      if (!ParseKb(value, &out->swap_bytes)) return false;
    } else if (key == "voluntary_ctxt_switches") {
      if (!ParseUint64(value, &out->voluntary_ctxt_switches)) return false;
      voluntary = true;
    } else if (key == "nonvoluntary_ctxt_switches") {
      if (!ParseUint64(value, &out->nonvoluntary_ctxt_switches)) return false;
      nonvoluntary = true;
    }
  }
  return voluntary && nonvoluntary;
}

bool ParsePidIo(std::string_view text, PidIo* out) {
  bool read = false;
  bool write = false;
  std::string_view key;
  std::string_view value;
  while (!text.empty()) {
    std::string_view line = NextLine(&text);
    if (line.empty() || !SplitKeyValue(line, &key, &value)) continue;
    if (key == "read_bytes") {
      if (!ParseUint64(value, &out->read_bytes)) return false;
      read = true;
    } else if (key == "write_bytes") {
      if (!ParseUint64(value, &out->write_bytes)) return false;
      write = true;
    }
  }
  return read && write;
}

bool ParseBootTime(std::string_view proc_stat, int64_t* btime) {
  while (!proc_stat.empty()) {
    std::string_view line = NextLine(&proc_stat);
    if (line.substr(0, 6) != "btime ") continue;
    return ParseInt64(Trim(line.substr(6)), btime);
  }
  return false;
}

}  // namespace tend
