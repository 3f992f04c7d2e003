#include "promql/lexer.h"

#include <cstdint>
#include <cstdio>
#include <string>

namespace tend::promql {
namespace {

constexpr char32_t kEofRune = 0xFFFFFFFF;

bool IsSpace(char32_t r) {
  return r == ' ' || r == '\t' || r == '\n' || r == '\r';
}
bool IsDigit(char32_t r) { return r >= '0' && r <= '9'; }
bool IsAlpha(char32_t r) {
  return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
}
bool IsAlphaNumeric(char32_t r) { return IsAlpha(r) || IsDigit(r); }

}  // namespace

namespace {

// Go's %q of a rune, as the lexer's messages print characters.
std::string QuoteRune(char32_t r) {
  if (r == kEofRune) r = kRuneError;
  std::string out = "'";
  switch (r) {
    case '\'':
      out += "\\'";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\r':
      out += "\\r";
      break;
    default:
      if (r < 0x20 || r == 0x7F) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(r));
        out += buf;
      } else {
        AppendUtf8(r, &out);
      }
  }
  out += "'";
  return out;
}

// Go's %#U: "U+0071 'q'".
std::string UnicodeForm(char32_t r) {
  if (r == kEofRune) r = kRuneError;
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(r));
  std::string out = buf;
  if (r >= 0x20 && r != 0x7F && !(r >= 0x80 && r < 0xA0)) {
    out += " '";
    AppendUtf8(r, &out);
    out += "'";
  }
  return out;
}

// Go's %q of a string (ASCII-safe enough for messages).
std::string QuoteForMessage(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  out += "\"";
  return out;
}

struct Keyword {
  const char* word;
  TokenType type;
};
constexpr Keyword kKeywords[] = {
    {"and", TokenType::kLand},
    {"or", TokenType::kLor},
    {"unless", TokenType::kLunless},
    {"atan2", TokenType::kAtan2},
    {"sum", TokenType::kSum},
    {"avg", TokenType::kAvg},
    {"count", TokenType::kCount},
    {"min", TokenType::kMin},
    {"max", TokenType::kMax},
    {"group", TokenType::kGroup},
    {"stddev", TokenType::kStddev},
    {"stdvar", TokenType::kStdvar},
    {"topk", TokenType::kTopK},
    {"bottomk", TokenType::kBottomK},
    {"count_values", TokenType::kCountValues},
    {"quantile", TokenType::kQuantile},
    {"offset", TokenType::kOffset},
    {"by", TokenType::kBy},
    {"without", TokenType::kWithout},
    {"on", TokenType::kOn},
    {"ignoring", TokenType::kIgnoring},
    {"group_left", TokenType::kGroupLeft},
    {"group_right", TokenType::kGroupRight},
    {"bool", TokenType::kBool},
    {"start", TokenType::kStart},
    {"end", TokenType::kEnd},
    {"inf", TokenType::kNumber},
    {"nan", TokenType::kNumber},
};

bool EqualsLower(std::string_view word, const char* lower) {
  size_t i = 0;
  for (; lower[i] != '\0'; ++i) {
    if (i >= word.size()) return false;
    char c = word[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return i == word.size();
}

class Lexer {
 public:
  explicit Lexer(std::string_view input) : in_(input) {}

  std::vector<Token> Run() {
    while (!done_) {
      if (brace_open_) {
        LexInsideBraces();
      } else {
        LexStatements();
      }
    }
    return std::move(tokens_);
  }

 private:
  char32_t Next() {
    if (pos_ >= in_.size()) {
      width_ = 0;
      return kEofRune;
    }
    int w = 1;
    char32_t r = DecodeRune(in_, pos_, &w);
    width_ = static_cast<size_t>(w);
    pos_ += width_;
    return r;
  }
  void Backup() { pos_ -= width_; }
  char32_t Peek() {
    char32_t r = Next();
    Backup();
    return r;
  }
  bool Accept(std::string_view valid) {
    char32_t r = Next();
    // kEofRune is above 0x7f, so the ASCII test excludes it too.
    if (r < 0x80 &&
        valid.find(static_cast<char>(r)) != std::string_view::npos) {
      return true;
    }
    Backup();
    return false;
  }
  void AcceptRun(std::string_view valid) {
    while (Accept(valid)) {
    }
  }

  void Emit(TokenType t) {
    Token tok;
    tok.type = t;
    tok.pos = static_cast<int>(start_);
    tok.text = in_.substr(start_, pos_ - start_);
    tokens_.push_back(std::move(tok));
    start_ = pos_;
  }
  void Error(std::string msg) { ErrorAt(start_, std::move(msg)); }
  void ErrorAt(size_t pos, std::string msg) {
    Token tok;
    tok.type = TokenType::kError;
    tok.pos = static_cast<int>(pos);
    tok.error = std::move(msg);
    tokens_.push_back(std::move(tok));
    done_ = true;
  }

  void SkipComment() {
    while (pos_ < in_.size() && in_[pos_] != '\n') ++pos_;
    start_ = pos_;
  }

  void LexStatements() {
    if (pos_ < in_.size() && in_[pos_] == '#') {
      SkipComment();
      return;
    }
    const char32_t r = Next();
    if (r == kEofRune) {
      if (paren_depth_ != 0) {
        Error("unclosed left parenthesis");
      } else if (bracket_open_) {
        Error("unclosed left bracket");
      } else {
        Emit(TokenType::kEof);
        done_ = true;
      }
      return;
    }
    if (IsSpace(r)) {
      start_ = pos_;
      return;
    }
    switch (r) {
      case ',':
        return Emit(TokenType::kComma);
      case '*':
        return Emit(TokenType::kMul);
      case '/':
        return Emit(TokenType::kDiv);
      case '%':
        return Emit(TokenType::kMod);
      case '+':
        return Emit(TokenType::kAdd);
      case '-':
        return Emit(TokenType::kSub);
      case '^':
        return Emit(TokenType::kPow);
      case '@':
        return Emit(TokenType::kAt);
      case '=': {
        const char32_t t = Peek();
        if (t == '=') {
          Next();
          return Emit(TokenType::kEqlc);
        }
        if (t == '~') {
          return Error("unexpected character after '=': " + QuoteRune(t));
        }
        return Emit(TokenType::kEql);
      }
      case '!': {
        const char32_t t = Next();
        if (t != '=') {
          return Error("unexpected character after '!': " + QuoteRune(t));
        }
        return Emit(TokenType::kNeq);
      }
      case '<':
        if (Peek() == '=') {
          Next();
          return Emit(TokenType::kLte);
        }
        return Emit(TokenType::kLss);
      case '>':
        if (Peek() == '=') {
          Next();
          return Emit(TokenType::kGte);
        }
        return Emit(TokenType::kGtr);
      case '"':
      case '\'':
        return LexString(r);
      case '`':
        return LexRawString();
      case '(':
        ++paren_depth_;
        return Emit(TokenType::kLeftParen);
      case ')':
        if (--paren_depth_ < 0) {
          // Prometheus points just past the parenthesis.
          return ErrorAt(pos_, "unexpected right parenthesis ')'");
        }
        return Emit(TokenType::kRightParen);
      case '{':
        brace_open_ = true;
        return Emit(TokenType::kLeftBrace);
      case '[':
        if (bracket_open_) return Error("unexpected left bracket '['");
        got_colon_ = false;
        Emit(TokenType::kLeftBracket);
        while (IsSpace(Peek())) Next();
        start_ = pos_;
        bracket_open_ = true;
        return LexDuration();
      case ']':
        if (!bracket_open_) return Error("unexpected right bracket ']'");
        bracket_open_ = false;
        return Emit(TokenType::kRightBracket);
      default:
        break;
    }
    if (IsDigit(r) || (r == '.' && IsDigit(Peek()))) {
      Backup();
      return LexNumberOrDuration();
    }
    if (IsAlpha(r) || r == ':') {
      if (!bracket_open_) {
        Backup();
        return LexKeywordOrIdentifier();
      }
      // Inside brackets only the subquery colon may appear here.
      if (got_colon_) return Error("unexpected colon " + QuoteRune(r));
      got_colon_ = true;
      return Emit(TokenType::kColon);
    }
    Error("unexpected character: " + QuoteRune(r));
  }

  void LexInsideBraces() {
    if (pos_ < in_.size() && in_[pos_] == '#') {
      SkipComment();
      return;
    }
    const char32_t r = Next();
    if (r == kEofRune) return Error("unexpected end of input inside braces");
    if (IsSpace(r)) {
      start_ = pos_;
      return;
    }
    if (IsAlpha(r)) {
      while (IsAlphaNumeric(Next())) {
      }
      Backup();
      return Emit(TokenType::kIdentifier);
    }
    switch (r) {
      case ',':
        return Emit(TokenType::kComma);
      case '"':
      case '\'':
        return LexString(r);
      case '`':
        return LexRawString();
      case '=':
        if (Next() == '~') return Emit(TokenType::kEqlRegex);
        Backup();
        return Emit(TokenType::kEql);
      case '!': {
        const char32_t nr = Next();
        if (nr == '~') return Emit(TokenType::kNeqRegex);
        if (nr == '=') return Emit(TokenType::kNeq);
        return Error("unexpected character after '!' inside braces: " +
                     QuoteRune(nr));
      }
      case '{':
        return Error("unexpected left brace '{'");
      case '}':
        brace_open_ = false;
        return Emit(TokenType::kRightBrace);
      default:
        return Error("unexpected character inside braces: " + QuoteRune(r));
    }
  }

  // Go's escape rules: \a \b \f \n \r \t \v \\ and the opening quote,
  // \NNN octal (<= 255), \xNN, \uNNNN, \UNNNNNNNN (valid code points).
  bool LexEscape(char32_t quote) {
    char32_t ch = Next();
    int n = 0;
    uint32_t base = 0;
    uint32_t max = 0;
    switch (ch) {
      case 'a':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
      case 'v':
      case '\\':
        return true;
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7':
        n = 3;
        base = 8;
        max = 255;
        break;
      case 'x':
        ch = Next();
        n = 2;
        base = 16;
        max = 255;
        break;
      case 'u':
        ch = Next();
        n = 4;
        base = 16;
        max = 0x10FFFF;
        break;
      case 'U':
        ch = Next();
        n = 8;
        base = 16;
        max = 0x10FFFF;
        break;
      case kEofRune:
        Error("escape sequence not terminated");
        return false;
      default:
        if (ch == quote) return true;
        Error("unknown escape sequence " + UnicodeForm(ch));
        return false;
    }
    uint32_t x = 0;
    while (n > 0) {
      uint32_t d = 16;
      if (ch >= '0' && ch <= '9') {
        d = ch - '0';
      } else if (ch >= 'a' && ch <= 'f') {
        d = ch - 'a' + 10;
      } else if (ch >= 'A' && ch <= 'F') {
        d = ch - 'A' + 10;
      }
      if (d >= base) {
        if (ch == kEofRune) {
          Error("escape sequence not terminated");
        } else {
          Error("illegal character " + UnicodeForm(ch) + " in escape sequence");
        }
        return false;
      }
      x = x * base + d;
      if (--n > 0) ch = Next();
    }
    if (x > max || (x >= 0xD800 && x < 0xE000)) {
      Error("escape sequence is an invalid Unicode code point");
      return false;
    }
    return true;
  }

  void LexString(char32_t quote) {
    for (;;) {
      const char32_t r = Next();
      if (r == '\\') {
        if (!LexEscape(quote)) return;
        continue;
      }
      if (r == kRuneError) return Error("invalid UTF-8 rune");
      if (r == kEofRune || r == '\n') {
        return Error("unterminated quoted string");
      }
      if (r == quote) break;
    }
    Emit(TokenType::kString);
  }

  void LexRawString() {
    for (;;) {
      const char32_t r = Next();
      if (r == kRuneError) return Error("invalid UTF-8 rune");
      if (r == kEofRune) return Error("unterminated raw string");
      if (r == '`') break;
    }
    Emit(TokenType::kString);
  }

  // Consumes a number's characters; true when what follows cannot continue
  // it (so it is a number, not a duration).
  bool ScanNumber() {
    std::string_view digits = "0123456789";
    if (Accept("0") && Accept("xX")) digits = "0123456789abcdefABCDEF";
    AcceptRun(digits);
    if (Accept(".")) AcceptRun(digits);
    if (Accept("eE")) {
      Accept("+-");
      AcceptRun("0123456789");
    }
    return !IsAlphaNumeric(Peek());
  }

  // After the leading number of a duration: unit, then (number unit)*, and
  // then no alphanumeric. Consumes one rune past the end on success.
  bool AcceptRemainingDuration() {
    if (!Accept("smhdwy")) return false;
    Accept("s");  // "ms"; bad units like "hs" fail in ParseDuration.
    while (Accept("0123456789")) {
      AcceptRun("0123456789");
      if (!Accept("smhdw")) return false;
      Accept("s");
    }
    return !IsAlphaNumeric(Next());
  }

  void LexNumberOrDuration() {
    if (ScanNumber()) return Emit(TokenType::kNumber);
    if (AcceptRemainingDuration()) {
      Backup();
      return Emit(TokenType::kDuration);
    }
    Error("bad number or duration syntax: " +
          QuoteForMessage(in_.substr(start_, pos_ - start_)));
  }

  void LexDuration() {
    if (ScanNumber()) return Error("missing unit character in duration");
    if (!AcceptRemainingDuration()) {
      return Error("bad duration syntax: " +
                   QuoteForMessage(in_.substr(start_, pos_ - start_)));
    }
    Backup();
    Emit(TokenType::kDuration);
  }

  void LexKeywordOrIdentifier() {
    for (;;) {
      const char32_t r = Next();
      if (IsAlphaNumeric(r) || r == ':') continue;
      Backup();
      break;
    }
    const std::string_view word = in_.substr(start_, pos_ - start_);
    for (const Keyword& k : kKeywords) {
      if (EqualsLower(word, k.word)) return Emit(k.type);
    }
    Emit(word.find(':') == std::string_view::npos
             ? TokenType::kIdentifier
             : TokenType::kMetricIdentifier);
  }

  std::string_view in_;
  size_t pos_ = 0;
  size_t start_ = 0;
  size_t width_ = 0;
  int paren_depth_ = 0;
  bool brace_open_ = false;
  bool bracket_open_ = false;
  bool got_colon_ = false;
  bool done_ = false;
  std::vector<Token> tokens_;
};

}  // namespace

std::vector<Token> Lex(std::string_view input) { return Lexer(input).Run(); }

bool IsAggregatorToken(TokenType t) {
  return t >= TokenType::kAvg && t <= TokenType::kTopK;
}
bool IsOperatorToken(TokenType t) {
  return t >= TokenType::kAdd && t <= TokenType::kAtan2;
}
bool IsKeywordToken(TokenType t) {
  return t >= TokenType::kBool && t <= TokenType::kWithout;
}

std::string DescribeToken(const Token& t) {
  switch (t.type) {
    case TokenType::kEof:
      return "end of input";
    case TokenType::kError:
      return t.error;
    case TokenType::kIdentifier:
      return "identifier " + QuoteForMessage(t.text);
    case TokenType::kMetricIdentifier:
      return "metric identifier " + QuoteForMessage(t.text);
    case TokenType::kNumber:
      return "number " + QuoteForMessage(t.text);
    case TokenType::kDuration:
      return "duration " + QuoteForMessage(t.text);
    case TokenType::kString: {
      // Prometheus truncates long strings to 10 characters.
      if (t.text.size() > 10) {
        return "string " + QuoteForMessage(t.text.substr(0, 10)) + "...";
      }
      return "string " + QuoteForMessage(t.text);
    }
    default:
      break;
  }
  const std::string text(t.text);
  if (IsOperatorToken(t.type)) return "<op:" + text + ">";
  if (IsAggregatorToken(t.type)) return "<aggr:" + text + ">";
  if (IsKeywordToken(t.type)) return "<" + text + ">";
  return QuoteForMessage(text);
}

}  // namespace tend::promql
