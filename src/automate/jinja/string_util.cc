#include "automate/jinja/string_util.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "automate/jinja/jinja.h"
#include "automate/jinja/py_value.h"

namespace tend::automate::jinja {

std::string AsciiLower(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string AsciiUpper(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string PyReplace(std::string_view s, std::string_view from,
                      std::string_view to, int64_t count) {
  std::string out;
  if (from.empty()) {
    // Python inserts `to` between every character (and at both ends).
    int64_t done = 0;
    for (size_t i = 0; i <= s.size(); ++i) {
      if (count < 0 || done < count) {
        out.append(to);
        ++done;
      }
      if (i < s.size()) out.push_back(s[i]);
    }
    return out;
  }
  size_t pos = 0;
  int64_t done = 0;
  while (count < 0 || done < count) {
    const size_t at = s.find(from, pos);
    if (at == std::string_view::npos) break;
    out.append(s.substr(pos, at - pos));
    out.append(to);
    pos = at + from.size();
    ++done;
  }
  out.append(s.substr(pos));
  return out;
}

std::string PyStrip(std::string_view s, std::string_view chars, bool left,
                    bool right) {
  size_t b = 0;
  size_t e = s.size();
  if (left) {
    while (b < e && chars.find(s[b]) != std::string_view::npos) ++b;
  }
  if (right) {
    while (e > b && chars.find(s[e - 1]) != std::string_view::npos) --e;
  }
  return std::string(s.substr(b, e - b));
}

Value PySplitWhitespace(std::string_view s, int64_t maxsplit, bool from_right) {
  std::vector<std::string> parts;
  auto ws = [](char c) {
    return kPyWhitespace.find(c) != std::string_view::npos;
  };
  if (!from_right) {
    size_t i = 0;
    while (true) {
      while (i < s.size() && ws(s[i])) ++i;
      if (i >= s.size()) break;
      if (maxsplit >= 0 && static_cast<int64_t>(parts.size()) == maxsplit) {
        size_t e = s.size();
        while (e > i && ws(s[e - 1])) --e;
        parts.emplace_back(s.substr(i, e - i));
        break;
      }
      size_t j = i;
      while (j < s.size() && !ws(s[j])) ++j;
      parts.emplace_back(s.substr(i, j - i));
      i = j;
    }
  } else {
    size_t i = s.size();
    while (true) {
      while (i > 0 && ws(s[i - 1])) --i;
      if (i == 0) break;
      if (maxsplit >= 0 && static_cast<int64_t>(parts.size()) == maxsplit) {
        size_t b = 0;
        while (b < i && ws(s[b])) ++b;
        parts.emplace_back(s.substr(b, i - b));
        break;
      }
      size_t j = i;
      while (j > 0 && !ws(s[j - 1])) --j;
      parts.emplace_back(s.substr(j, i - j));
      i = j;
    }
    std::reverse(parts.begin(), parts.end());
  }
  Value out = Value::array();
  for (auto& p : parts) out.push_back(std::move(p));
  return out;
}

Value PySplit(std::string_view s, std::string_view sep, int64_t maxsplit,
              bool from_right) {
  std::vector<std::string> parts;
  if (!from_right) {
    size_t pos = 0;
    while (maxsplit < 0 || static_cast<int64_t>(parts.size()) < maxsplit) {
      const size_t at = s.find(sep, pos);
      if (at == std::string_view::npos) break;
      parts.emplace_back(s.substr(pos, at - pos));
      pos = at + sep.size();
    }
    parts.emplace_back(s.substr(pos));
  } else {
    size_t end = s.size();
    while (maxsplit < 0 || static_cast<int64_t>(parts.size()) < maxsplit) {
      if (end < sep.size()) break;
      const size_t at = s.rfind(sep, end - sep.size());
      if (at == std::string_view::npos) break;
      parts.emplace_back(s.substr(at + sep.size(), end - at - sep.size()));
      end = at;
    }
    parts.emplace_back(s.substr(0, end));
    std::reverse(parts.begin(), parts.end());
  }
  Value out = Value::array();
  for (auto& p : parts) out.push_back(std::move(p));
  return out;
}

std::optional<int64_t> ParsePyInt(std::string_view s, int base) {
  std::string t = PyStrip(s, kPyWhitespace, true, true);
  bool neg = false;
  size_t i = 0;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) {
    neg = t[i] == '-';
    ++i;
  }
  if (i + 1 < t.size() && t[i] == '0') {
    const char p =
        static_cast<char>(std::tolower(static_cast<unsigned char>(t[i + 1])));
    const int prefixed = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 0;
    if (prefixed != 0 && (base == prefixed || base == 0)) {
      base = prefixed;
      i += 2;
      if (i < t.size() && t[i] == '_') ++i;
    }
  }
  if (base == 0) base = 10;
  if (base < 2 || base > 36) return std::nullopt;
  std::string digits;
  for (size_t k = i; k < t.size(); ++k) {
    if (t[k] == '_') {
      if (k == i || k + 1 >= t.size() || t[k + 1] == '_') return std::nullopt;
      continue;
    }
    digits.push_back(t[k]);
  }
  if (digits.empty()) return std::nullopt;
  uint64_t v = 0;
  auto res =
      std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
  if (res.ec != std::errc() || res.ptr != digits.data() + digits.size()) {
    return std::nullopt;
  }
  if (neg) {
    if (v > static_cast<uint64_t>(INT64_MAX) + 1) return std::nullopt;
    return static_cast<int64_t>(0 - v);
  }
  if (v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<int64_t>(v);
}

std::optional<double> ParsePyFloat(std::string_view s) {
  std::string t = AsciiLower(PyStrip(s, kPyWhitespace, true, true));
  if (t.empty()) return std::nullopt;
  std::string_view body = t;
  double sign = 1;
  if (body[0] == '+' || body[0] == '-') {
    sign = body[0] == '-' ? -1 : 1;
    body.remove_prefix(1);
  }
  if (body == "inf" || body == "infinity") return sign * HUGE_VAL;
  if (body == "nan") return std::nan("");
  for (char c : body) {
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.' && c != 'e' &&
        c != '+' && c != '-' && c != '_') {
      return std::nullopt;
    }
  }
  std::string clean;
  for (char c : body) {
    if (c != '_') clean.push_back(c);
  }
  double v = 0;
  auto res = std::from_chars(clean.data(), clean.data() + clean.size(), v);
  if (res.ec != std::errc() || res.ptr != clean.data() + clean.size()) {
    if (res.ec == std::errc::result_out_of_range) return sign * HUGE_VAL;
    return std::nullopt;
  }
  return sign * v;
}

std::string ShellQuote(std::string_view s) {
  if (s.empty()) return "''";
  bool safe = true;
  for (unsigned char c : s) {
    if (!(std::isalnum(c) || c == '_' || c == '@' || c == '%' || c == '+' ||
          c == '=' || c == ':' || c == ',' || c == '.' || c == '/' ||
          c == '-')) {
      safe = false;
      break;
    }
  }
  if (safe) return std::string(s);
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\"'\"'";
    } else {
      out.push_back(c);
    }
  }
  out += "'";
  return out;
}

Result<std::string> PyPercentFormat(std::string_view fmt,
                                    const std::vector<Value>& values) {
  std::string out;
  size_t next = 0;
  for (size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%') {
      out.push_back(fmt[i]);
      continue;
    }
    size_t j = i + 1;
    std::string spec = "%";
    while (j < fmt.size() &&
           std::strchr("-+ #0123456789.", fmt[j]) != nullptr &&
           fmt[j] != '\0') {
      spec.push_back(fmt[j]);
      ++j;
    }
    if (j >= fmt.size()) {
      return InvalidArgumentError("incomplete format");
    }
    const char conv = fmt[j];
    i = j;
    if (conv == '%') {
      out.push_back('%');
      continue;
    }
    if (spec.size() > 20) return InvalidArgumentError("format spec too long");
    if (next >= values.size()) {
      return InvalidArgumentError("not enough arguments for format string");
    }
    const Value& v = values[next++];
    char buf[512];
    switch (conv) {
      case 's':
      case 'r': {
        std::string s = conv == 's' ? PyStr(v) : PyRepr(v);
        spec += "s";
        if (spec == "%s") {
          out += s;
        } else {
          std::snprintf(buf, sizeof(buf), spec.c_str(), s.c_str());
          out += buf;
        }
        break;
      }
      case 'd':
      case 'i':
      case 'x':
      case 'X':
      case 'o': {
        if (!IsNumber(v)) {
          return InvalidArgumentError(std::string("%") + conv +
                                      " format: a number is required, not " +
                                      std::string(PyTypeName(v)));
        }
        spec += "ll";
        spec.push_back(conv == 'i' ? 'd' : conv);
        std::snprintf(buf, sizeof(buf), spec.c_str(),
                      static_cast<long long>(AsInt(v)));
        out += buf;
        break;
      }
      case 'f':
      case 'F':
      case 'e':
      case 'E':
      case 'g':
      case 'G': {
        if (!IsNumber(v)) {
          return InvalidArgumentError(std::string("%") + conv +
                                      " format: a number is required, not " +
                                      std::string(PyTypeName(v)));
        }
        spec.push_back(conv);
        std::snprintf(buf, sizeof(buf), spec.c_str(), AsDouble(v));
        out += buf;
        break;
      }
      default:
        return InvalidArgumentError(
            std::string("unsupported format character '") + conv + "'");
    }
  }
  if (next < values.size()) {
    return InvalidArgumentError(
        "not all arguments converted during string formatting");
  }
  return out;
}

}  // namespace tend::automate::jinja
