// A recursive-descent reader of the Python literal grammar that
// ast.literal_eval accepts (Python 3.11), producing Values.
#include "automate/inventory/py_literal.h"

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>

#include "base/utf8.h"

namespace tend::automate {

namespace {

constexpr int kMaxDepth = 100;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentChar(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         c == '_' || static_cast<unsigned char>(c) >= 0x80;
}

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}

  // The whole text: one expression or a bare tuple.
  std::optional<Value> Top() {
    SkipSpace();
    if (AtEnd()) return std::nullopt;
    std::optional<Value> v = ExprList(/*closing=*/0, /*bare=*/true);
    if (!v) return std::nullopt;
    SkipSpace();
    if (!AtEnd()) return std::nullopt;
    return v;
  }

 private:
  bool AtEnd() const { return i_ >= s_.size(); }
  char Peek() const { return AtEnd() ? '\0' : s_[i_]; }

  void SkipSpace() {
    while (!AtEnd()) {
      char c = s_[i_];
      if (c == ' ' || c == '\t' || c == '\f' || c == '\n' || c == '\r') {
        ++i_;
      } else if (c == '\\' && i_ + 1 < s_.size() && s_[i_ + 1] == '\n') {
        i_ += 2;  // explicit line joining
      } else if (c == '#') {
        while (!AtEnd() && s_[i_] != '\n') ++i_;
      } else {
        break;
      }
    }
  }

  // Comma-separated expressions up to `closing` (or the end when 0). A
  // single expression without a comma is returned as itself when `bare`
  // or closing == ')' (a parenthesized expression); otherwise a list.
  std::optional<Value> ExprList(char closing, bool bare) {
    Value items = Value::array();
    bool comma = false;
    while (true) {
      SkipSpace();
      if ((closing != 0 && Peek() == closing) || (closing == 0 && AtEnd())) {
        break;
      }
      std::optional<Value> v = Expr();
      if (!v) return std::nullopt;
      items.push_back(std::move(*v));
      SkipSpace();
      if (Peek() == ',') {
        ++i_;
        comma = true;
        continue;
      }
      break;
    }
    if (closing != 0) {
      if (Peek() != closing) return std::nullopt;
      ++i_;
    }
    if ((bare || closing == ')') && items.size() == 1 && !comma) {
      return std::move(items[0]);
    }
    if (items.empty() && closing == 0) return std::nullopt;
    return items;
  }

  std::optional<Value> Expr() {
    if (++depth_ > kMaxDepth) return std::nullopt;
    std::optional<Value> v = ExprInner();
    --depth_;
    return v;
  }

  std::optional<Value> ExprInner() {
    SkipSpace();
    char c = Peek();
    if (c == '+' || c == '-') {
      ++i_;
      SkipSpace();
      bool neg = c == '-';
      if (Peek() == '(') {
        std::optional<Value> v = Atom();
        if (!v || !v->is_number()) return std::nullopt;
        return Negate(*v, neg);
      }
      return Number(neg);
    }
    return Atom();
  }

  static std::optional<Value> Negate(const Value& v, bool neg) {
    if (!neg) return v;
    if (v.is_number_unsigned()) {
      uint64_t u = v.get<uint64_t>();
      if (u > uint64_t{1} << 63) return std::nullopt;
      return Value(static_cast<int64_t>(0 - u));
    }
    if (v.is_number_integer()) {
      int64_t x = v.get<int64_t>();
      if (x == std::numeric_limits<int64_t>::min()) return std::nullopt;
      return Value(-x);
    }
    return Value(-v.get<double>());
  }

  std::optional<Value> Atom() {
    SkipSpace();
    char c = Peek();
    if (c == '(') {
      ++i_;
      return ExprList(')', false);
    }
    if (c == '[') {
      ++i_;
      return ExprList(']', false);
    }
    if (c == '{') {
      ++i_;
      return Braces();
    }
    if (IsDigit(c) || (c == '.' && i_ + 1 < s_.size() && IsDigit(s_[i_ + 1]))) {
      return Number(false);
    }
    if (c == '"' || c == '\'') return Strings();
    if (IsIdentChar(c)) {
      size_t start = i_;
      while (!AtEnd() && IsIdentChar(s_[i_])) ++i_;
      std::string_view word = s_.substr(start, i_ - start);
      if ((Peek() == '"' || Peek() == '\'') && word.size() <= 2) {
        i_ = start;
        return Strings();
      }
      if (word == "True") return Value(true);
      if (word == "False") return Value(false);
      if (word == "None") return Value(nullptr);
      return std::nullopt;
    }
    return std::nullopt;
  }

  // {} (dict), {k: v, ...} or {a, b} (a set, kept as a list).
  std::optional<Value> Braces() {
    SkipSpace();
    if (Peek() == '}') {
      ++i_;
      return Value::object();
    }
    std::optional<Value> first = Expr();
    if (!first) return std::nullopt;
    SkipSpace();
    if (Peek() != ':') {
      Value list = Value::array();
      list.push_back(std::move(*first));
      while (true) {
        SkipSpace();
        if (Peek() == '}') break;
        if (Peek() != ',') return std::nullopt;
        ++i_;
        SkipSpace();
        if (Peek() == '}') break;
        std::optional<Value> v = Expr();
        if (!v) return std::nullopt;
        list.push_back(std::move(*v));
      }
      ++i_;
      return list;
    }
    Value dict = Value::object();
    std::optional<Value> key = std::move(first);
    while (true) {
      if (key->is_array() || key->is_object())
        return std::nullopt;  // unhashable
      ++i_;                   // ':'
      std::optional<Value> v = Expr();
      if (!v) return std::nullopt;
      dict[key->is_string() ? key->get<std::string>() : key->dump()] =
          std::move(*v);
      SkipSpace();
      if (Peek() == '}') break;
      if (Peek() != ',') return std::nullopt;
      ++i_;
      SkipSpace();
      if (Peek() == '}') break;
      key = Expr();
      if (!key) return std::nullopt;
      SkipSpace();
      if (Peek() != ':') return std::nullopt;
    }
    ++i_;
    return dict;
  }

  // digits with single '_' between them; returns false on a bad '_'.
  bool DigitPart(bool (*ok)(char), std::string* out) {
    bool any = false;
    while (!AtEnd()) {
      char c = s_[i_];
      if (ok(c)) {
        out->push_back(c);
        any = true;
        ++i_;
      } else if (c == '_' && any && i_ + 1 < s_.size() && ok(s_[i_ + 1])) {
        ++i_;
      } else {
        break;
      }
    }
    return any;
  }

  std::optional<Value> Number(bool neg) {
    SkipSpace();
    std::string digits;
    char c = Peek();
    if (c == '0' && i_ + 1 < s_.size() &&
        std::string_view("xXoObB").find(s_[i_ + 1]) != std::string_view::npos) {
      char kind = static_cast<char>(s_[i_ + 1] | 0x20);
      i_ += 2;
      if (Peek() == '_') ++i_;
      bool (*ok)(char) =
          kind == 'x'   ? +[](char d) { return HexDigitValue(d) >= 0; }
          : kind == 'o' ? +[](char d) { return d >= '0' && d <= '7'; }
                        : +[](char d) { return d == '0' || d == '1'; };
      if (!DigitPart(ok, &digits) || IsIdentChar(Peek())) return std::nullopt;
      int base = kind == 'x' ? 16 : kind == 'o' ? 8 : 2;
      return IntValue(digits, base, neg);
    }
    bool is_float = false;
    if (c != '.') {
      if (!DigitPart(IsDigit, &digits)) return std::nullopt;
    }
    if (Peek() == '.') {
      is_float = true;
      digits.push_back('.');
      ++i_;
      std::string frac;
      if (IsDigit(Peek()) && !DigitPart(IsDigit, &frac)) return std::nullopt;
      digits += frac;
      if (digits == ".") return std::nullopt;
    }
    if (Peek() == 'e' || Peek() == 'E') {
      is_float = true;
      digits.push_back('e');
      ++i_;
      if (Peek() == '+' || Peek() == '-') digits.push_back(s_[i_++]);
      std::string exp;
      if (!DigitPart(IsDigit, &exp)) return std::nullopt;
      digits += exp;
    }
    if (Peek() == 'j' || Peek() == 'J') return std::nullopt;  // complex
    if (IsIdentChar(Peek()) || Peek() == '.') return std::nullopt;
    if (is_float) {
      errno = 0;
      double d = std::strtod(digits.c_str(), nullptr);
      return Value(neg ? -d : d);
    }
    // Decimal integers other than zero may not start with 0.
    if (digits.size() > 1 && digits[0] == '0' &&
        digits.find_first_not_of('0') != std::string::npos) {
      return std::nullopt;
    }
    return IntValue(digits, 10, neg);
  }

  static std::optional<Value> IntValue(const std::string& digits, int base,
                                       bool neg) {
    uint64_t v = 0;
    for (char d : digits) {
      uint64_t dv = static_cast<uint64_t>(HexDigitValue(d));
      if (v > (std::numeric_limits<uint64_t>::max() - dv) / base) {
        return std::nullopt;  // beyond 64 bits
      }
      v = v * base + dv;
    }
    if (neg) return Negate(Value(v), true);
    if (v <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return Value(static_cast<int64_t>(v));
    }
    return Value(v);
  }

  // One or more adjacent string literals, joined.
  std::optional<Value> Strings() {
    std::string out;
    int kind = -1;  // 0 str, 1 bytes
    while (true) {
      SkipSpace();
      size_t start = i_;
      bool raw = false, bytes = false, ustr = false, fstr = false;
      while (!AtEnd() && i_ - start < 3 && IsIdentChar(s_[i_])) {
        char p = static_cast<char>(s_[i_] | 0x20);
        if (p == 'r') {
          raw = true;
        } else if (p == 'b') {
          bytes = true;
        } else if (p == 'u') {
          ustr = true;
        } else if (p == 'f') {
          fstr = true;
        } else {
          break;
        }
        ++i_;
      }
      if (Peek() != '"' && Peek() != '\'') {
        i_ = start;
        break;
      }
      if (fstr || (ustr && (raw || bytes)) || (bytes && i_ - start > 2)) {
        return std::nullopt;
      }
      if (kind >= 0 && kind != (bytes ? 1 : 0)) return std::nullopt;
      kind = bytes ? 1 : 0;
      if (!OneString(raw, bytes, &out)) return std::nullopt;
    }
    if (kind < 0) return std::nullopt;
    // Bytes become text (Ansible's to_text); they must then be UTF-8.
    if (kind == 1) {
      for (size_t j = 0; j < out.size();) {
        int w = 0;
        if (DecodeRune(out, j, &w) == kRuneError && w == 1) return std::nullopt;
        j += w;
      }
    }
    return Value(std::move(out));
  }

  bool OneString(bool raw, bool bytes, std::string* out) {
    char q = s_[i_];
    bool triple = i_ + 2 < s_.size() && s_[i_ + 1] == q && s_[i_ + 2] == q;
    i_ += triple ? 3 : 1;
    while (true) {
      if (AtEnd()) return false;
      char c = s_[i_];
      if (c == q) {
        if (!triple) {
          ++i_;
          return true;
        }
        if (i_ + 2 < s_.size() && s_[i_ + 1] == q && s_[i_ + 2] == q) {
          i_ += 3;
          return true;
        }
      }
      if (c == '\n' && !triple) return false;
      if (bytes && static_cast<unsigned char>(c) >= 0x80) return false;
      if (c != '\\') {
        out->push_back(c);
        ++i_;
        continue;
      }
      if (i_ + 1 >= s_.size()) return false;
      char e = s_[i_ + 1];
      if (raw) {
        out->push_back('\\');
        out->push_back(e);
        i_ += 2;
        continue;
      }
      i_ += 2;
      switch (e) {
        case '\n':
          break;
        case '\\':
        case '\'':
        case '"':
          out->push_back(e);
          break;
        case 'a':
          out->push_back('\a');
          break;
        case 'b':
          out->push_back('\b');
          break;
        case 'f':
          out->push_back('\f');
          break;
        case 'n':
          out->push_back('\n');
          break;
        case 'r':
          out->push_back('\r');
          break;
        case 't':
          out->push_back('\t');
          break;
        case 'v':
          out->push_back('\v');
          break;
        case 'x': {
          if (i_ + 2 > s_.size() || HexDigitValue(s_[i_]) < 0 ||
              HexDigitValue(s_[i_ + 1]) < 0) {
            return false;
          }
          char32_t v = HexDigitValue(s_[i_]) * 16 + HexDigitValue(s_[i_ + 1]);
          i_ += 2;
          if (!Put(v, bytes, out)) return false;
          break;
        }
        case 'u':
        case 'U': {
          if (bytes) {
            out->push_back('\\');
            out->push_back(e);
            break;
          }
          size_t n = e == 'u' ? 4 : 8;
          if (i_ + n > s_.size()) return false;
          char32_t v = 0;
          for (size_t k = 0; k < n; ++k) {
            int d = HexDigitValue(s_[i_ + k]);
            if (d < 0) return false;
            v = v * 16 + d;
          }
          i_ += n;
          if (!Put(v, false, out)) return false;
          break;
        }
        case 'N':
          if (bytes) {
            out->append("\\N");
            break;
          }
          return false;  // named characters: not supported
        default:
          if (e >= '0' && e <= '7') {
            char32_t v = e - '0';
            for (int k = 0;
                 k < 2 && i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '7';
                 ++k) {
              v = v * 8 + (s_[i_++] - '0');
            }
            if (!Put(v, bytes, out)) return false;
          } else {
            out->push_back('\\');  // unknown escapes stay as written
            out->push_back(e);
          }
      }
    }
  }

  static bool Put(char32_t v, bool bytes, std::string* out) {
    if (bytes) {
      if (v > 0xFF) return false;
      out->push_back(static_cast<char>(v));
      return true;
    }
    if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return false;
    AppendUtf8(v, out);
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
  int depth_ = 0;
};

}  // namespace

std::optional<Value> ParsePythonLiteral(std::string_view text) {
  // literal_eval strips leading spaces and tabs; the rest is Python syntax.
  return Reader(text).Top();
}

Value IniValue(std::string_view text) {
  if (std::optional<Value> v = ParsePythonLiteral(text)) return std::move(*v);
  return Value(std::string(text));
}

}  // namespace tend::automate
