// The LogQL lexer (lexer.h). Strings follow Go's quoting, as Loki reads
// them: "..." with Go escapes and no raw newline, `...` raw.
#include "logs/logql/lexer.h"

#include "base/utf8.h"

namespace tend::logql {
namespace {

bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c); }

class Lexer {
 public:
  explicit Lexer(std::string_view in) : in_(in) {}

  std::vector<Token> Run() {
    std::vector<Token> out;
    for (;;) {
      Token t = NextToken();
      const Tok type = t.type;
      out.push_back(std::move(t));
      if (type == Tok::kEof || type == Tok::kError) return out;
    }
  }

 private:
  Token Make(Tok type, size_t start, size_t end) {
    Token t;
    t.type = type;
    t.pos = static_cast<int>(start);
    t.text = in_.substr(start, end - start);
    i_ = end;
    return t;
  }

  Token Error(size_t pos, std::string msg) {
    Token t;
    t.type = Tok::kError;
    t.pos = static_cast<int>(pos);
    t.value = std::move(msg);
    return t;
  }

  char At(size_t k) const { return k < in_.size() ? in_[k] : '\0'; }

  Token NextToken() {
    for (;;) {
      while (i_ < in_.size() && (in_[i_] == ' ' || in_[i_] == '\t' ||
                                 in_[i_] == '\n' || in_[i_] == '\r')) {
        ++i_;
      }
      if (i_ < in_.size() && in_[i_] == '#') {
        while (i_ < in_.size() && in_[i_] != '\n') ++i_;
        continue;
      }
      break;
    }
    const size_t s = i_;
    if (s == in_.size()) return Make(Tok::kEof, s, s);
    const char c = in_[s];
    const char n = At(s + 1);
    if (IsIdentStart(c)) {
      size_t e = s + 1;
      while (e < in_.size() && IsIdentChar(in_[e])) ++e;
      return Make(Tok::kIdent, s, e);
    }
    if (IsDigit(c) || (c == '.' && IsDigit(n))) return LexNumber(s);
    if (c == '"' || c == '`') return LexString(s);
    switch (c) {
      case '(':
        return Make(Tok::kLParen, s, s + 1);
      case ')':
        return Make(Tok::kRParen, s, s + 1);
      case '{':
        return Make(Tok::kLBrace, s, s + 1);
      case '}':
        return Make(Tok::kRBrace, s, s + 1);
      case '[':
        return Make(Tok::kLBracket, s, s + 1);
      case ']':
        return Make(Tok::kRBracket, s, s + 1);
      case ',':
        return Make(Tok::kComma, s, s + 1);
      case '+':
        return Make(Tok::kAdd, s, s + 1);
      case '*':
        return Make(Tok::kMul, s, s + 1);
      case '/':
        return Make(Tok::kDiv, s, s + 1);
      case '%':
        return Make(Tok::kMod, s, s + 1);
      case '^':
        return Make(Tok::kPow, s, s + 1);
      case '-':
        if (n == '-' && IsIdentStart(At(s + 2))) {
          size_t e = s + 3;
          while (e < in_.size() && (IsIdentChar(in_[e]) || in_[e] == '-')) ++e;
          return Make(Tok::kParserFlag, s, e);
        }
        return Make(Tok::kSub, s, s + 1);
      case '=':
        if (n == '=') return Make(Tok::kCmpEq, s, s + 2);
        if (n == '~') return Make(Tok::kRe, s, s + 2);
        return Make(Tok::kEq, s, s + 1);
      case '!':
        if (n == '=') return Make(Tok::kNeq, s, s + 2);
        if (n == '~') return Make(Tok::kNre, s, s + 2);
        if (n == '>') return Make(Tok::kNotPattern, s, s + 2);
        return Error(s, "unexpected character '!'");
      case '|':
        if (n == '=') return Make(Tok::kPipeExact, s, s + 2);
        if (n == '~') return Make(Tok::kPipeMatch, s, s + 2);
        if (n == '>') return Make(Tok::kPipePattern, s, s + 2);
        return Make(Tok::kPipe, s, s + 1);
      case '>':
        if (n == '=') return Make(Tok::kGte, s, s + 2);
        return Make(Tok::kGt, s, s + 1);
      case '<':
        if (n == '=') return Make(Tok::kLte, s, s + 2);
        return Make(Tok::kLt, s, s + 1);
      default:
        break;
    }
    std::string msg = "unexpected character ";
    const auto uc = static_cast<unsigned char>(c);
    if (uc >= 0x20 && uc < 0x7F) {
      msg += '\'';
      msg += c;
      msg += '\'';
    } else {
      static const char kHex[] = "0123456789abcdef";
      msg += "0x";
      msg += kHex[uc >> 4];
      msg += kHex[uc & 15];
    }
    return Error(s, msg);
  }

  Token LexNumber(size_t s) {
    size_t e = s;
    while (e < in_.size()) {
      const char c = in_[e];
      if (IsIdentChar(c) || c == '.') {
        ++e;
      } else if ((c == '+' || c == '-') &&
                 (in_[e - 1] == 'e' || in_[e - 1] == 'E') &&
                 IsDigit(At(e + 1)) && AllDigitsOrDot(s, e - 1)) {
        ++e;  // An exponent sign: 1e+06, 2.5e-3.
      } else if (static_cast<unsigned char>(c) == 0xC2 &&
                 static_cast<unsigned char>(At(e + 1)) == 0xB5) {
        e += 2;  // U+00B5 MICRO SIGN, Go's "µs".
      } else {
        break;
      }
    }
    return Make(Tok::kNumber, s, e);
  }

  bool AllDigitsOrDot(size_t from, size_t to) const {
    for (size_t k = from; k < to; ++k) {
      if (!IsDigit(in_[k]) && in_[k] != '.') return false;
    }
    return true;
  }

  Token LexString(size_t s) {
    const char q = in_[s];
    std::string v;
    size_t k = s + 1;
    if (q == '`') {
      while (k < in_.size() && in_[k] != '`') v += in_[k++];
      if (k == in_.size()) return Error(s, "unterminated raw string");
      Token t = Make(Tok::kString, s, k + 1);
      t.value = std::move(v);
      return t;
    }
    while (k < in_.size() && in_[k] != '"') {
      const char c = in_[k];
      if (c == '\n') return Error(k, "newline in string");
      if (c != '\\') {
        v += c;
        ++k;
        continue;
      }
      const size_t esc = k;
      const char e = At(k + 1);
      k += 2;
      switch (e) {
        case 'a':
          v += '\a';
          continue;
        case 'b':
          v += '\b';
          continue;
        case 'f':
          v += '\f';
          continue;
        case 'n':
          v += '\n';
          continue;
        case 'r':
          v += '\r';
          continue;
        case 't':
          v += '\t';
          continue;
        case 'v':
          v += '\v';
          continue;
        case '\\':
          v += '\\';
          continue;
        case '"':
          v += '"';
          continue;
        case 'x': {
          const int h = HexDigitValue(At(k)), l = HexDigitValue(At(k + 1));
          if (h < 0 || l < 0) return Error(esc, "invalid escape sequence");
          v += static_cast<char>(h * 16 + l);
          k += 2;
          continue;
        }
        case 'u':
        case 'U': {
          const int digits = e == 'u' ? 4 : 8;
          uint32_t r = 0;
          for (int d = 0; d < digits; ++d) {
            const int h = HexDigitValue(At(k + d));
            if (h < 0) return Error(esc, "invalid escape sequence");
            r = r * 16 + static_cast<uint32_t>(h);
          }
          if (r > 0x10FFFF || (r >= 0xD800 && r < 0xE000)) {
            return Error(esc, "escape sequence is invalid Unicode code point");
          }
          AppendUtf8(r, &v);
          k += digits;
          continue;
        }
        default:
          if (e >= '0' && e <= '7') {
            int r = 0;
            for (int d = 0; d < 3; ++d) {
              const char o = At(esc + 1 + d);
              if (o < '0' || o > '7') {
                return Error(esc, "invalid escape sequence");
              }
              r = r * 8 + (o - '0');
            }
            if (r > 255) return Error(esc, "octal escape value > 255");
            v += static_cast<char>(r);
            k = esc + 4;
            continue;
          }
          if (k - 1 >= in_.size()) break;
          return Error(esc, "invalid escape sequence");
      }
      break;
    }
    if (k >= in_.size()) return Error(s, "unterminated quoted string");
    Token t = Make(Tok::kString, s, k + 1);
    t.value = std::move(v);
    return t;
  }

  std::string_view in_;
  size_t i_ = 0;
};

}  // namespace

std::vector<Token> Lex(std::string_view input) { return Lexer(input).Run(); }

std::string DescribeToken(const Token& t) {
  auto quoted = [](std::string_view s) {
    std::string out = "\"";
    if (s.size() > 40) s = s.substr(0, 40);
    for (char c : s) {
      if (c == '"' || c == '\\') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    return out + "\"";
  };
  switch (t.type) {
    case Tok::kEof:
      return "end of input";
    case Tok::kError:
      return "invalid input";
    case Tok::kIdent:
      return "identifier " + quoted(t.text);
    case Tok::kNumber:
      return "number " + quoted(t.text);
    case Tok::kString:
      return "string " + quoted(t.value);
    case Tok::kParserFlag:
      return "parser flag " + quoted(t.text);
    default:
      return quoted(t.text);
  }
}

}  // namespace tend::logql
