#include "alert/template/gofmt.h"

#include <charconv>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "base/utf8.h"

namespace tend::tmpl {
namespace {

// Shortest digits of a finite, non-zero |v|: "123456789" and the decimal
// exponent of the first digit (1.23456789e+05 -> 5).
void ShortestDigits(double v, std::string* digits, int* exp10) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, std::fabs(v),
                         std::chars_format::scientific);
  std::string_view s(buf, r.ptr - buf);
  const size_t e = s.find('e');
  digits->clear();
  for (char c : s.substr(0, e)) {
    if (c != '.') digits->push_back(c);
  }
  std::string_view exp = s.substr(e + 1);
  if (!exp.empty() && exp[0] == '+') exp.remove_prefix(1);
  *exp10 = 0;
  std::from_chars(exp.data(), exp.data() + exp.size(), *exp10);
}

void AppendExp(int exp, char e, std::string* out) {
  out->push_back(e);
  out->push_back(exp < 0 ? '-' : '+');
  if (exp < 0) exp = -exp;
  if (exp < 10) out->push_back('0');
  out->append(std::to_string(exp));
}

std::string ShortestG(double v, char g) {
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  std::string digits;
  int exp;
  ShortestDigits(v, &digits, &exp);
  std::string out = std::signbit(v) ? "-" : "";
  if (exp < -4 || exp >= 6) {  // Go: the shortest form switches to %e at 1e+06.
    out.push_back(digits[0]);
    if (digits.size() > 1) {
      out.push_back('.');
      out.append(digits, 1);
    }
    AppendExp(exp, g == 'G' ? 'E' : 'e', &out);
    return out;
  }
  const int dp = exp + 1;  // Digits before the point.
  if (dp <= 0) {
    out.append("0.");
    out.append(static_cast<size_t>(-dp), '0');
    out.append(digits);
  } else if (static_cast<size_t>(dp) >= digits.size()) {
    out.append(digits);
    out.append(dp - digits.size(), '0');
  } else {
    out.append(digits, 0, dp);
    out.push_back('.');
    out.append(digits, dp);
  }
  return out;
}

}  // namespace

std::string GoFormatFloat(double v, char fmt, int prec) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if ((fmt == 'g' || fmt == 'G') && prec < 0) return ShortestG(v, fmt);
  if (prec < 0) prec = 6;
  if (prec > 1000) prec = 1000;
  char spec[8] = {'%', '.', '*', fmt == 'F' ? 'f' : fmt, 0};
  char buf[1200];
  int n = std::snprintf(buf, sizeof buf, spec, prec, v);
  if (n < 0) return "";
  if (static_cast<size_t>(n) >= sizeof buf) n = sizeof buf - 1;
  return std::string(buf, n);
}

std::string Go4g(double v) { return GoFormatFloat(v, 'g', 4); }

std::string GoQuote(std::string_view s) {
  std::string out = "\"";
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = s[i];
    if (c >= 0x80) {
      // Copy a well-formed UTF-8 sequence; escape a stray byte.
      int len = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
      bool ok = len > 0 && i + len <= s.size();
      for (int k = 1; ok && k < len; ++k) {
        ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
      }
      if (ok) {
        out.append(s.substr(i, len));
        i += len;
      } else {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", c);
        out.append(buf);
        ++i;
      }
      continue;
    }
    switch (c) {
      case '\a':
        out.append("\\a");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\v':
        out.append("\\v");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '"':
        out.append("\\\"");
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out.append(buf);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out.push_back('"');
  return out;
}

namespace {

struct Flags {
  bool plus = false, minus = false, sharp = false, zero = false, space = false;
  int width = -1;  // -1: none.
  int prec = -1;   // -1: none.
};

size_t RuneCount(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Pads `body` to the width; `zero_ok` allows zero padding after a sign.
void Pad(const Flags& f, std::string body, bool zero_ok, std::string* out) {
  const size_t n = RuneCount(body);
  if (f.width < 0 || n >= static_cast<size_t>(f.width)) {
    out->append(body);
    return;
  }
  const size_t fill = f.width - n;
  if (f.minus) {
    out->append(body);
    out->append(fill, ' ');
  } else if (f.zero && zero_ok) {
    size_t sign =
        (!body.empty() && (body[0] == '-' || body[0] == '+' || body[0] == ' '))
            ? 1
            : 0;
    out->append(body, 0, sign);
    out->append(fill, '0');
    out->append(body, sign);
  } else {
    out->append(fill, ' ');
    out->append(body);
  }
}

void BadVerb(char verb, const Value& v, std::string* out) {
  out->append("%!");
  out->push_back(verb);
  out->push_back('(');
  if (v.kind == Value::Kind::kNil) {
    out->append("<nil>");
  } else {
    out->append(GoTypeName(v));
    out->push_back('=');
    AppendValue(v, out);
  }
  out->push_back(')');
}

void FormatInt(const Flags& f, char verb, int64_t v, std::string* out) {
  const bool neg = v < 0;
  const uint64_t mag = neg ? 0 - static_cast<uint64_t>(v) : v;
  std::string digits;
  int base = 10;
  switch (verb) {
    case 'b':
      base = 2;
      break;
    case 'o':
    case 'O':
      base = 8;
      break;
    case 'x':
    case 'X':
      base = 16;
      break;
    default:
      break;
  }
  const char* set = verb == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
  uint64_t m = mag;
  do {
    digits.insert(digits.begin(), set[m % base]);
    m /= base;
  } while (m != 0);
  if (f.prec >= 0) {
    if (f.prec == 0 && mag == 0) digits.clear();
    if (digits.size() < static_cast<size_t>(f.prec)) {
      digits.insert(0, f.prec - digits.size(), '0');
    }
  }
  std::string prefix;
  if (verb == 'O') prefix = "0o";
  if (f.sharp) {
    if (verb == 'x') prefix = "0x";
    if (verb == 'X') prefix = "0X";
    if (verb == 'b') prefix = "0b";
    if (verb == 'o' && digits[0] != '0') prefix = "0";
  }
  std::string body = neg ? "-" : f.plus ? "+" : f.space ? " " : "";
  // Zero padding goes between the sign/prefix and the digits.
  if (f.zero && !f.minus && f.prec < 0 && f.width > 0) {
    const size_t used = body.size() + prefix.size() + digits.size();
    if (used < static_cast<size_t>(f.width)) {
      digits.insert(0, f.width - used, '0');
    }
  }
  body += prefix + digits;
  Flags nf = f;
  nf.zero = false;
  Pad(nf, body, false, out);
}

void FormatFloat(const Flags& f, char verb, double v, std::string* out) {
  char fmt = verb;
  int prec = f.prec;
  switch (verb) {
    case 'v':
      fmt = 'g';
      break;
    case 'e':
    case 'E':
    case 'f':
    case 'F':
      if (prec < 0) prec = 6;
      break;
    case 'x':
    case 'X': {
      char buf[64];
      if (std::isnan(v) || std::isinf(v)) {
        Pad(f, GoFormatFloat(v, 'g', -1), false, out);
        return;
      }
      if (prec >= 0) {
        std::snprintf(buf, sizeof buf, verb == 'x' ? "%.*a" : "%.*A", prec, v);
      } else {
        std::snprintf(buf, sizeof buf, verb == 'x' ? "%a" : "%A", v);
      }
      // Go writes at least two exponent digits.
      std::string s(buf);
      const size_t p = s.find_last_of("pP");
      if (p != std::string::npos && s.size() - p == 3) s.insert(p + 2, "0");
      if (f.plus && s[0] != '-') s.insert(0, "+");
      Pad(f, s, true, out);
      return;
    }
    default:
      break;
  }
  std::string s = GoFormatFloat(v, fmt, prec);
  const bool special = std::isnan(v) || std::isinf(v);
  if (std::isnan(v)) {
    if (f.plus)
      s = "+NaN";
    else if (f.space)
      s = " NaN";
  } else if (s[0] != '-' && s[0] != '+') {
    if (f.plus)
      s.insert(0, "+");
    else if (f.space)
      s.insert(0, " ");
  } else if (s[0] == '+' && !f.plus) {
    if (f.space) s[0] = ' ';
  }
  Pad(f, s, !special, out);
}

void FormatString(const Flags& f, char verb, std::string_view s,
                  std::string* out) {
  switch (verb) {
    case 'v':
    case 's': {
      std::string_view t = s;
      if (f.prec >= 0) {
        size_t runes = 0, i = 0;
        while (i < t.size() && runes < static_cast<size_t>(f.prec)) {
          ++i;
          while (i < t.size() &&
                 (static_cast<unsigned char>(t[i]) & 0xC0) == 0x80) {
            ++i;
          }
          ++runes;
        }
        t = t.substr(0, i);
      }
      Pad(f, std::string(t), false, out);
      return;
    }
    case 'q':
      Pad(f, GoQuote(s), false, out);
      return;
    case 'x':
    case 'X': {
      const char* set = verb == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
      std::string h;
      size_t n = s.size();
      if (f.prec >= 0 && static_cast<size_t>(f.prec) < n) n = f.prec;
      for (size_t i = 0; i < n; ++i) {
        if (f.space && i > 0) h.push_back(' ');
        if (f.sharp && (f.space || i == 0)) h.append(verb == 'X' ? "0X" : "0x");
        const unsigned char c = s[i];
        h.push_back(set[c >> 4]);
        h.push_back(set[c & 15]);
      }
      Pad(f, h, false, out);
      return;
    }
    default:
      BadVerb(verb, Value::String(std::string(s)), out);
  }
}

void FormatArg(const Flags& f, char verb, const Value& v, std::string* out);

void FormatComposite(const Flags& f, char verb, const Value& v,
                     std::string* out) {
  if (v.kind == Value::Kind::kList) {
    out->push_back('[');
    bool first = true;
    for (const Value& e : *v.list) {
      if (!first) out->push_back(' ');
      first = false;
      FormatArg(f, verb, e, out);
    }
    out->push_back(']');
    return;
  }
  out->append("map[");
  bool first = true;
  for (const auto& [k, e] : *v.map) {
    if (!first) out->push_back(' ');
    first = false;
    FormatString(f, verb, k, out);
    out->push_back(':');
    FormatArg(f, verb, e, out);
  }
  out->push_back(']');
}

void FormatArg(const Flags& f, char verb, const Value& v, std::string* out) {
  switch (v.kind) {
    case Value::Kind::kNil:
      if (verb == 'v') {
        Pad(f, "<nil>", false, out);
      } else {
        BadVerb(verb, v, out);
      }
      return;
    case Value::Kind::kBool:
      if (verb == 'v' || verb == 't') {
        Pad(f, v.b ? "true" : "false", false, out);
      } else {
        BadVerb(verb, v, out);
      }
      return;
    case Value::Kind::kInt:
      switch (verb) {
        case 'v':
        case 'd':
        case 'b':
        case 'o':
        case 'O':
        case 'x':
        case 'X':
          FormatInt(f, verb == 'v' ? 'd' : verb, v.i, out);
          return;
        case 'c': {
          std::string s;
          AppendUtf8(static_cast<char32_t>(v.i), &s);
          Pad(f, s, false, out);
          return;
        }
        case 'q': {
          std::string s = "'";
          if (v.i == '\'')
            s += "\\'";
          else if (v.i == '\\')
            s += "\\\\";
          else if (v.i == '\n')
            s += "\\n";
          else if (v.i == '\t')
            s += "\\t";
          else if (v.i >= 0x20 && v.i != 0x7f)
            AppendUtf8(static_cast<char32_t>(v.i), &s);
          else {
            char buf[16];
            std::snprintf(buf, sizeof buf, "\\x%02" PRIx64,
                          static_cast<uint64_t>(v.i) & 0xff);
            s += buf;
          }
          s += "'";
          Pad(f, s, false, out);
          return;
        }
        case 'U': {
          char buf[32];
          std::snprintf(buf, sizeof buf, "U+%04" PRIX64,
                        static_cast<uint64_t>(v.i));
          Pad(f, buf, false, out);
          return;
        }
        default:
          BadVerb(verb, v, out);
          return;
      }
    case Value::Kind::kFloat:
      switch (verb) {
        case 'v':
        case 'g':
        case 'G':
        case 'e':
        case 'E':
        case 'f':
        case 'F':
        case 'x':
        case 'X':
          FormatFloat(f, verb, v.f, out);
          return;
        default:
          BadVerb(verb, v, out);
          return;
      }
    case Value::Kind::kString:
      FormatString(f, verb, v.s, out);
      return;
    case Value::Kind::kTime:
      // time.Time is a Stringer: %v, %s, %q and %x go through String().
      if (verb == 'v' || verb == 's' || verb == 'q' || verb == 'x' ||
          verb == 'X') {
        FormatString(f, verb, GoTimeString(v.i), out);
      } else {
        BadVerb(verb, v, out);
      }
      return;
    case Value::Kind::kMap:
    case Value::Kind::kList:
      FormatComposite(f, verb, v, out);
      return;
  }
}

// Reads a decimal number at format[*i]; false when there is none.
bool ParseNum(std::string_view format, size_t* i, int* n) {
  const size_t start = *i;
  int v = 0;
  while (*i < format.size() && format[*i] >= '0' && format[*i] <= '9') {
    if (v < 1000000) v = v * 10 + (format[*i] - '0');
    ++*i;
  }
  if (*i == start) return false;
  *n = v;
  return true;
}

}  // namespace

std::string GoSprintf(std::string_view format, const std::vector<Value>& args) {
  std::string out;
  size_t arg = 0;
  size_t i = 0;
  while (i < format.size()) {
    const size_t pct = format.find('%', i);
    if (pct == std::string_view::npos) {
      out.append(format.substr(i));
      break;
    }
    out.append(format.substr(i, pct - i));
    i = pct + 1;
    Flags f;
    for (; i < format.size(); ++i) {
      const char c = format[i];
      if (c == '+')
        f.plus = true;
      else if (c == '-')
        f.minus = true;
      else if (c == '#')
        f.sharp = true;
      else if (c == '0')
        f.zero = !f.minus;
      else if (c == ' ')
        f.space = true;
      else
        break;
    }
    bool bad_width = false, bad_prec = false;
    if (i < format.size() && format[i] == '*') {
      ++i;
      if (arg < args.size() && args[arg].kind == Value::Kind::kInt) {
        f.width = static_cast<int>(std::min<int64_t>(args[arg].i, 1000000));
        if (f.width < 0) {
          f.minus = true;
          f.width = -f.width;
        }
      } else {
        bad_width = true;
      }
      ++arg;
    } else {
      int n;
      if (ParseNum(format, &i, &n)) f.width = n;
    }
    if (i < format.size() && format[i] == '.') {
      ++i;
      if (i < format.size() && format[i] == '*') {
        ++i;
        if (arg < args.size() && args[arg].kind == Value::Kind::kInt &&
            args[arg].i >= 0) {
          f.prec = static_cast<int>(std::min<int64_t>(args[arg].i, 1000000));
        } else {
          bad_prec = true;
        }
        ++arg;
      } else {
        int n = 0;
        ParseNum(format, &i, &n);
        f.prec = n;
      }
    }
    if (bad_width) out.append("%!(BADWIDTH)");
    if (bad_prec) out.append("%!(BADPREC)");
    if (i >= format.size()) {
      out.append("%!(NOVERB)");
      break;
    }
    // The verb is one rune; alert templates only use ASCII verbs.
    const char verb = format[i++];
    if (verb == '%') {
      out.push_back('%');
      continue;
    }
    if (arg >= args.size()) {
      out.append("%!");
      out.push_back(verb);
      out.append("(MISSING)");
      continue;
    }
    // Go ignores width and precision of some verbs' flags combinations; the
    // subset here follows fmt's documented rules.
    FormatArg(f, verb, args[arg++], &out);
    if (out.size() > (1u << 20)) break;
  }
  if (arg < args.size()) {
    out.append("%!(EXTRA ");
    for (size_t k = arg; k < args.size(); ++k) {
      if (k > arg) out.append(", ");
      if (args[k].kind == Value::Kind::kNil) {
        out.append("<nil>");
      } else {
        out.append(GoTypeName(args[k]));
        out.push_back('=');
        AppendValue(args[k], &out);
      }
    }
    out.push_back(')');
  }
  return out;
}

std::string GoSprint(const std::vector<Value>& args) {
  std::string out;
  for (size_t k = 0; k < args.size(); ++k) {
    if (k > 0 && args[k].kind != Value::Kind::kString &&
        args[k - 1].kind != Value::Kind::kString) {
      out.push_back(' ');
    }
    AppendValue(args[k], &out);
  }
  return out;
}

std::string GoSprintln(const std::vector<Value>& args) {
  std::string out;
  for (size_t k = 0; k < args.size(); ++k) {
    if (k > 0) out.push_back(' ');
    AppendValue(args[k], &out);
  }
  out.push_back('\n');
  return out;
}

}  // namespace tend::tmpl
