#include "automate/backup/tar_listing.h"

#include <time.h>

#include <cstdio>

namespace tend::automate::backup {
namespace {

std::string_view NextField(std::string_view& s) {
  size_t b = s.find_first_not_of(' ');
  if (b == std::string_view::npos) {
    s = {};
    return {};
  }
  s.remove_prefix(b);
  size_t e = s.find(' ');
  std::string_view f = s.substr(0, e);
  s.remove_prefix(e == std::string_view::npos ? s.size() : e);
  return f;
}

bool ParseUint(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 19) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

// "-rwsr-xr-t" -> type '-' and 07755.
bool ParseMode(std::string_view m, char* type, uint32_t* mode) {
  if (m.size() != 10) return false;
  *type = m[0];
  uint32_t bits = 0;
  static constexpr uint32_t kBit[9] = {0400, 0200, 0100, 040, 020,
                                       010,  04,   02,   01};
  for (int i = 0; i < 9; ++i) {
    char c = m[1 + i];
    bool x_slot = i % 3 == 2;
    if (c == '-') continue;
    if (!x_slot) {
      bits |= kBit[i];
      continue;
    }
    // s/S, t/T: the special bit, with (lower case) or without x.
    if (c == 'x') {
      bits |= kBit[i];
    } else if (c == 's' || c == 'S' || c == 't' || c == 'T') {
      if (c == 's' || c == 't') bits |= kBit[i];
      bits |= i == 2 ? 04000 : i == 5 ? 02000 : 01000;
    }
  }
  *mode = bits;
  return true;
}

// Reads a "..."-quoted string at the front of s; false when s does not
// start with one.
bool TakeQuoted(std::string_view& s, std::string* out) {
  if (s.empty() || s[0] != '"') return false;
  size_t i = 1;
  while (i < s.size() && s[i] != '"') i += s[i] == '\\' ? 2 : 1;
  if (i >= s.size()) return false;
  *out = UnquoteC(s.substr(1, i - 1));
  s.remove_prefix(i + 1);
  return true;
}

// "2024-05-01 12:00:00" (UTC) or with a fraction.
bool ParseTime(std::string_view date, std::string_view time, int64_t* out) {
  int y, mo, d, h, mi, sec;
  std::string both = std::string(date) + " " + std::string(time.substr(0, 8));
  if (sscanf(both.c_str(), "%4d-%2d-%2d %2d:%2d:%2d", &y, &mo, &d, &h, &mi,
             &sec) != 6) {
    return false;
  }
  struct tm tm = {};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  *out = static_cast<int64_t>(timegm(&tm));
  return true;
}

const char* TypeName(char t) {
  switch (t) {
    case '-':
      return "file";
    case 'd':
      return "dir";
    case 'l':
      return "symlink";
    case 'h':
      return "hardlink";
    case 'c':
      return "char";
    case 'b':
      return "block";
    case 'p':
      return "fifo";
    case 's':
      return "socket";
    default:
      return "other";
  }
}

}  // namespace

std::vector<std::string> TarListingFlags() {
  return {"--verbose", "--verbose", "--quoting-style=c", "--numeric-owner",
          "--full-time"};
}

std::vector<std::pair<std::string, std::string>> TarListingEnv() {
  return {{"LC_ALL", "C"}, {"LANG", "C"}, {"TZ", "UTC"}};
}

std::string UnquoteC(std::string_view q) {
  std::string out;
  out.reserve(q.size());
  for (size_t i = 0; i < q.size(); ++i) {
    char c = q[i];
    if (c != '\\' || i + 1 >= q.size()) {
      out += c;
      continue;
    }
    char e = q[++i];
    switch (e) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'v':
        out += '\v';
        break;
      default:
        if (e >= '0' && e <= '7') {
          int v = e - '0';
          for (int k = 0;
               k < 2 && i + 1 < q.size() && q[i + 1] >= '0' && q[i + 1] <= '7';
               ++k) {
            v = v * 8 + (q[++i] - '0');
          }
          out += static_cast<char>(v);
        } else {
          out += e;  // \\ \" \? and anything unknown stand for themselves
        }
    }
  }
  return out;
}

Result<std::vector<TarEntry>> ParseTarListing(std::string_view text) {
  std::vector<TarEntry> entries;
  size_t line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (line.empty()) continue;
    auto bad = [&](const char* what) {
      return InvalidArgumentError("tar listing line " +
                                  std::to_string(line_no) + ": " + what + ": " +
                                  std::string(line.substr(0, 200)));
    };
    TarEntry e;
    std::string_view rest = line;
    if (!ParseMode(NextField(rest), &e.type, &e.mode)) {
      return bad("no mode");
    }
    std::string_view owner = NextField(rest);
    size_t slash = owner.find('/');
    uint64_t uid = 0, gid = 0;
    if (slash == std::string_view::npos ||
        !ParseUint(owner.substr(0, slash), &uid) ||
        !ParseUint(owner.substr(slash + 1), &gid)) {
      return bad("no uid/gid");
    }
    e.uid = static_cast<uint32_t>(uid);
    e.gid = static_cast<uint32_t>(gid);
    std::string_view size = NextField(rest);
    // Devices show "major,minor" in the size column.
    if (!ParseUint(size, &e.size) && size.find(',') == std::string_view::npos) {
      return bad("no size");
    }
    std::string_view date = NextField(rest);
    std::string_view time = NextField(rest);
    if (!ParseTime(date, time, &e.mtime)) return bad("no time");
    size_t q = rest.find('"');
    if (q == std::string_view::npos) return bad("no quoted name");
    rest.remove_prefix(q);
    if (!TakeQuoted(rest, &e.path)) return bad("unterminated name");
    while (e.path.size() > 1 && e.path.back() == '/') e.path.pop_back();
    if (rest.starts_with(" -> ")) {
      rest.remove_prefix(4);
      if (!TakeQuoted(rest, &e.link)) return bad("bad symlink target");
    } else if (rest.starts_with(" link to ")) {
      rest.remove_prefix(9);
      if (!TakeQuoted(rest, &e.link)) return bad("bad link target");
      e.type = 'h';
    }
    if (e.type != '-') e.size = e.type == 'h' ? 0 : e.size;
    entries.push_back(std::move(e));
  }
  return entries;
}

Value EntryToValue(const TarEntry& e) {
  char mode[8];
  snprintf(mode, sizeof mode, "%04o", e.mode);
  Value v = {{"path", e.path},
             {"type", TypeName(e.type)},
             {"size", e.size},
             {"mode", mode}};
  if (!e.link.empty()) v["link"] = e.link;
  return v;
}

}  // namespace tend::automate::backup
