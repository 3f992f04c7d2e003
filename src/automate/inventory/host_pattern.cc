// Host addresses and host ranges, following Ansible's parse_address and
// expand_hostname_range (ansible/parsing/utils/addresses.py and
// ansible/plugins/inventory/__init__.py), including their corner cases:
// the first ']' closes the first '[', an empty begin is 0, and a pattern
// that is not a valid address keeps any ":suffix" as part of the name.
#include "automate/inventory/host_pattern.h"

#include <cstdint>
#include <string>

namespace tend::automate {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool IsAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
// Python's \w under re.UNICODE; bytes of multi-byte UTF-8 sequences count
// as word characters (non-ASCII letters are the common case).
bool IsWord(char c) {
  return IsDigit(c) || IsAlpha(c) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool AllOf(std::string_view s, bool (*pred)(char)) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}

// "[a:b]" or "[a:b:s]" at s[i]; returns the length consumed or 0. `kind`:
// 0 numeric, 1 hexadecimal, 2 alphanumeric (one letter or digits).
size_t MatchRange(std::string_view s, size_t i, int kind) {
  if (i >= s.size() || s[i] != '[') return 0;
  size_t close = s.find(']', i);
  if (close == std::string_view::npos) return 0;
  std::string_view in = s.substr(i + 1, close - i - 1);
  size_t c1 = in.find(':');
  if (c1 == std::string_view::npos) return 0;
  std::string_view a = in.substr(0, c1);
  std::string_view rest = in.substr(c1 + 1);
  size_t c2 = rest.find(':');
  std::string_view b = rest.substr(0, c2);
  if (c2 != std::string_view::npos && !AllOf(rest.substr(c2 + 1), IsDigit)) {
    return 0;
  }
  bool ok = false;
  switch (kind) {
    case 0:
      ok = AllOf(a, IsDigit) && AllOf(b, IsDigit);
      break;
    case 1:
      ok = AllOf(a, IsHex) && AllOf(b, IsHex);
      break;
    default:
      ok = (a.size() == 1 && b.size() == 1 && IsAlpha(a[0]) && IsAlpha(b[0])) ||
           (AllOf(a, IsDigit) && AllOf(b, IsDigit));
  }
  return ok ? close - i + 1 : 0;
}

bool IsIpv4Part(std::string_view p, bool ranges) {
  if (ranges && MatchRange(p, 0, 0) == p.size() && !p.empty()) return true;
  if (p.empty() || p.size() > 3 || !AllOf(p, IsDigit)) return false;
  if (p.size() < 3) return true;
  if (p[0] == '0' || p[0] == '1') return true;
  if (p[0] == '2' && p[1] >= '0' && p[1] <= '4') return true;
  return p[0] == '2' && p[1] == '5' && p[2] <= '5';
}

// Splits on `sep` outside [...] brackets.
std::vector<std::string_view> SplitOutsideBrackets(std::string_view s,
                                                   char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  int depth = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '[') ++depth;
    if (s[i] == ']' && depth > 0) --depth;
    if (s[i] == sep && depth == 0) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(s.substr(start));
  return out;
}

bool IsIpv4(std::string_view s, bool ranges) {
  std::vector<std::string_view> parts = SplitOutsideBrackets(s, '.');
  if (parts.size() != 4) return false;
  for (std::string_view p : parts) {
    if (!IsIpv4Part(p, ranges)) return false;
  }
  return true;
}

bool IsIpv6Part(std::string_view p, bool ranges) {
  if (ranges && !p.empty() && MatchRange(p, 0, 1) == p.size()) return true;
  return !p.empty() && p.size() <= 4 && AllOf(p, IsHex);
}

bool IsIpv6(std::string_view s, bool ranges) {
  // An IPv4 tail counts as two components.
  int extra = 0;
  size_t last_colon = s.rfind(':');
  if (last_colon != std::string_view::npos &&
      s.find('.', last_colon) != std::string_view::npos) {
    if (!IsIpv4(s.substr(last_colon + 1), ranges)) return false;
    s = s.substr(0, last_colon + 1);
    extra = 2;
    if (s.size() >= 2 && s.substr(s.size() - 2) == "::") {
      // "::" followed by the IPv4 part.
    } else {
      s = s.substr(0, s.size() - 1);  // drop the separator before it
    }
  }
  size_t dc = s.find("::");
  auto parts_ok = [&](std::string_view side, int* count) {
    if (side.empty()) return true;
    for (std::string_view p : SplitOutsideBrackets(side, ':')) {
      if (!IsIpv6Part(p, ranges)) return false;
      ++*count;
    }
    return true;
  };
  int count = extra;
  if (dc == std::string_view::npos) {
    if (!parts_ok(s, &count)) return false;
    return count == 8;
  }
  if (s.find("::", dc + 1) != std::string_view::npos) return false;
  if (!parts_ok(s.substr(0, dc), &count)) return false;
  if (!parts_ok(s.substr(dc + 2), &count)) return false;
  return count <= 7;
}

bool IsHostname(std::string_view s, bool ranges) {
  for (std::string_view label : SplitOutsideBrackets(s, '.')) {
    if (label.empty()) return false;
    size_t i = 0;
    bool first = true;
    char last = 0;
    while (i < label.size()) {
      size_t r = ranges ? MatchRange(label, i, 2) : 0;
      if (r > 0) {
        i += r;
        last = ']';
      } else if (IsWord(label[i]) || (!first && label[i] == '-')) {
        last = label[i];
        ++i;
      } else {
        return false;
      }
      first = false;
    }
    if (last == '_' || last == '-') return false;
  }
  return true;
}

std::optional<int> ParsePort(std::string_view digits) {
  if (!AllOf(digits, IsDigit) || digits.size() > 9) return std::nullopt;
  return std::stoi(std::string(digits));
}

}  // namespace

std::optional<HostAddress> ParseHostAddress(std::string_view text,
                                            bool allow_ranges) {
  std::string_view addr = text;
  std::optional<int> port;
  // "[anything]:port"
  if (addr.size() > 3 && addr[0] == '[') {
    size_t close = addr.rfind("]:");
    if (close != std::string_view::npos && close > 1) {
      if (std::optional<int> p = ParsePort(addr.substr(close + 2))) {
        port = p;
        addr = addr.substr(1, close - 1);
      }
    }
  }
  // "name-or-ranges:port" where ':' appears only inside brackets.
  {
    size_t i = 0;
    while (i < addr.size()) {
      char c = addr[i];
      if (c == '[') {
        size_t close = addr.find(']', i);
        if (close == std::string_view::npos) break;
        i = close + 1;
      } else if (c == ':' || c == ']') {
        break;
      } else {
        ++i;
      }
    }
    if (i < addr.size() && addr[i] == ':') {
      if (std::optional<int> p = ParsePort(addr.substr(i + 1))) {
        port = p;
        addr = addr.substr(0, i);
      }
    }
  }
  if (!IsIpv4(addr, allow_ranges) && !IsIpv6(addr, allow_ranges) &&
      !IsHostname(addr, allow_ranges)) {
    return std::nullopt;
  }
  if (!allow_ranges && addr.find('[') != std::string_view::npos) {
    return std::nullopt;
  }
  return HostAddress{std::string(addr), port};
}

namespace {

constexpr std::string_view kLetters =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

// Python's int() on a bound: optional sign, decimal digits.
std::optional<int64_t> ParseBound(std::string_view s) {
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (!AllOf(s, IsDigit) || s.size() > 15) return std::nullopt;
  int64_t v = std::stoll(std::string(s));
  return neg ? -v : v;
}

// Python's str(x).zfill(width).
std::string ZFill(int64_t x, size_t width) {
  std::string digits = std::to_string(x < 0 ? -x : x);
  size_t body = width > (x < 0 ? 1u : 0u) ? width - (x < 0 ? 1 : 0) : 0;
  if (digits.size() < body) digits.insert(0, body - digits.size(), '0');
  return x < 0 ? "-" + digits : digits;
}

Status RangeError(std::string_view pattern, std::string_view why) {
  return InvalidArgumentError("bad host range in '" + std::string(pattern) +
                              "': " + std::string(why));
}

Status Expand(std::string_view original, const std::string& line,
              size_t max_hosts, std::vector<std::string>* out) {
  // Python: line.replace('[', '|', 1).replace(']', '|', 1).split('|') must
  // give exactly head, range, tail.
  std::string s = line;
  size_t open = s.find('[');
  if (open != std::string::npos) s[open] = '|';
  size_t close = s.find(']');
  if (close != std::string::npos) s[close] = '|';
  std::vector<std::string_view> parts;
  {
    std::string_view sv = s;
    size_t start = 0;
    for (size_t i = 0; i <= sv.size(); ++i) {
      if (i == sv.size() || sv[i] == '|') {
        parts.push_back(sv.substr(start, i - start));
        start = i + 1;
      }
    }
  }
  if (parts.size() != 3) {
    if (close == std::string::npos)
      return RangeError(original, "no closing ']'");
    return RangeError(original, "expected one [begin:end] per bracket pair");
  }
  std::string head(parts[0]), nrange(parts[1]), tail(parts[2]);
  std::vector<std::string_view> bounds;
  {
    size_t start = 0;
    for (size_t i = 0; i <= nrange.size(); ++i) {
      if (i == nrange.size() || nrange[i] == ':') {
        bounds.push_back(std::string_view(nrange).substr(start, i - start));
        start = i + 1;
      }
    }
  }
  if (bounds.size() != 2 && bounds.size() != 3) {
    return RangeError(original,
                      "a range must be [begin:end] or [begin:end:step]");
  }
  std::string beg(bounds[0].empty() ? "0" : bounds[0]);
  std::string_view end = bounds[1];
  std::string_view step_text = bounds.size() == 3 ? bounds[2] : "1";
  if (end.empty()) return RangeError(original, "the range has no end");
  size_t width = 0;
  if (beg.size() > 1 && beg[0] == '0') {
    width = beg.size();
    if (end.size() != width) {
      return RangeError(original,
                        "a zero-padded begin and its end must have the same "
                        "length");
    }
  }
  std::optional<int64_t> step = ParseBound(step_text);
  std::vector<std::string> seq;
  size_t ib = kLetters.find(beg), ie = kLetters.find(end);
  bool alpha = ib != std::string_view::npos && ie != std::string_view::npos &&
               step.has_value() && *step != 0;
  if (alpha) {
    if (ib > ie) return RangeError(original, "begin must not be after end");
    if (*step > 0) {
      for (size_t i = ib; i <= ie; i += static_cast<size_t>(*step)) {
        seq.emplace_back(1, kLetters[i]);
      }
    }
  } else {
    std::optional<int64_t> b = ParseBound(beg), e = ParseBound(end);
    if (!b || !e || !step) {
      return RangeError(original,
                        "begin, end and step must be numbers or single "
                        "letters");
    }
    if (*step == 0) return RangeError(original, "the step must not be 0");
    int64_t stop = *e + 1;
    int64_t n = 0;
    if (*step > 0 && *b < stop) n = (stop - *b + *step - 1) / *step;
    if (*step < 0 && *b > stop) n = (*b - stop + (-*step) - 1) / (-*step);
    if (static_cast<uint64_t>(n) > max_hosts - out->size()) {
      return RangeError(original, "expands to more than " +
                                      std::to_string(max_hosts) + " hosts");
    }
    for (int64_t i = 0; i < n; ++i) {
      seq.push_back(ZFill(*b + i * *step, width));
    }
  }
  for (const std::string& v : seq) {
    std::string name = head + v + tail;
    if (name.find('[') != std::string::npos) {
      RETURN_IF_ERROR(Expand(original, name, max_hosts, out));
    } else {
      if (out->size() >= max_hosts) {
        return RangeError(original, "expands to more than " +
                                        std::to_string(max_hosts) + " hosts");
      }
      out->push_back(std::move(name));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<std::string>> ExpandHostRange(std::string_view pattern,
                                                 size_t max_hosts) {
  std::vector<std::string> out;
  if (pattern.find('[') == std::string_view::npos) {
    out.emplace_back(pattern);
    return out;
  }
  RETURN_IF_ERROR(Expand(pattern, std::string(pattern), max_hosts, &out));
  return out;
}

Result<ExpandedHosts> ExpandHostPattern(std::string_view pattern,
                                        size_t max_hosts) {
  ExpandedHosts out;
  std::string name(pattern);
  if (std::optional<HostAddress> a = ParseHostAddress(pattern, true)) {
    name = std::move(a->host);
    out.port = a->port;
  }
  ASSIGN_OR_RETURN(out.names, ExpandHostRange(name, max_hosts));
  return out;
}

}  // namespace tend::automate
