#include "alert/template/lexer.h"

#include <cstdio>

#include "base/utf8.h"
#include "promql/lexer.h"

namespace tend::tmpl {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

class Lexer {
 public:
  explicit Lexer(std::string_view in) : in_(in) {}

  std::vector<Token> Run() {
    while (true) {
      if (!LexText()) break;
      if (!LexAction()) break;
    }
    return std::move(toks_);
  }

 private:
  void Emit(Tok t, int pos, std::string text = {}) {
    toks_.push_back(Token{t, pos, std::move(text)});
  }
  bool Error(int pos, std::string msg) {
    Emit(Tok::kError, pos, std::move(msg));
    return false;
  }

  // Text up to the next "{{"; false at the end of input.
  bool LexText() {
    for (;;) {
      if (!LexTextOnce()) return !done_;
      if (!after_comment_) return true;
    }
  }

  // One text run and what follows it: false at the end of input or on an
  // error (done_ then says which); after_comment_ when a comment was
  // consumed and text continues.
  bool LexTextOnce() {
    after_comment_ = false;
    const size_t open = in_.find("{{", pos_);
    size_t end = open == std::string_view::npos ? in_.size() : open;
    std::string_view text = in_.substr(pos_, end - pos_);
    if (trim_next_) {
      size_t k = 0;
      while (k < text.size() && IsSpace(text[k])) ++k;
      text.remove_prefix(k);
    }
    trim_next_ = false;
    bool left_trim = false;
    if (open != std::string_view::npos && open + 3 < in_.size() &&
        in_[open + 2] == '-' && IsSpace(in_[open + 3])) {
      left_trim = true;
      while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
    }
    if (!text.empty()) {
      Emit(Tok::kText, static_cast<int>(text.data() - in_.data()),
           std::string(text));
    }
    if (open == std::string_view::npos) {
      Emit(Tok::kEOF, static_cast<int>(in_.size()));
      done_ = true;
      return false;
    }
    pos_ = open + 2;
    if (left_trim) pos_ += 2;  // "- " (any one white-space byte).
    // A comment right after the delimiter (and trim marker).
    size_t c = pos_;
    if (!left_trim && in_.substr(c, 2) != "/*") return EmitLeft(open);
    if (in_.substr(c, 2) == "/*") {
      const size_t close = in_.find("*/", c + 2);
      if (close == std::string_view::npos) {
        done_ = true;
        return Error(static_cast<int>(open), "unclosed comment");
      }
      size_t after = close + 2;
      if (in_.substr(after, 4) == " -}}") {
        trim_next_ = true;
        after += 4;
      } else if (in_.substr(after, 2) == "}}") {
        after += 2;
      } else {
        done_ = true;
        return Error(static_cast<int>(close),
                     "comment ends before closing delimiter");
      }
      pos_ = after;
      after_comment_ = true;
      return true;
    }
    return EmitLeft(open);
  }

  bool EmitLeft(size_t open) {
    Emit(Tok::kLeftDelim, static_cast<int>(open));
    return true;
  }

  // Tokens up to and including "}}"; false after an error.
  bool LexAction() {
    int parens = 0;
    while (true) {
      if (in_.substr(pos_, 4) == " -}}" || in_.substr(pos_, 4) == "\t-}}" ||
          in_.substr(pos_, 4) == "\n-}}" || in_.substr(pos_, 4) == "\r-}}" ||
          in_.substr(pos_, 2) == "}}") {
        if (parens > 0) {
          return Error(static_cast<int>(pos_), "unclosed left paren");
        }
        if (in_[pos_] != '}') {
          trim_next_ = true;
          pos_ += 2;
        }
        Emit(Tok::kRightDelim, static_cast<int>(pos_));
        pos_ += 2;
        return true;
      }
      if (pos_ >= in_.size()) {
        return Error(static_cast<int>(pos_), "unclosed action");
      }
      const int start = static_cast<int>(pos_);
      const char c = in_[pos_];
      if (IsSpace(c)) {
        while (pos_ < in_.size() && IsSpace(in_[pos_])) {
          if (in_.substr(pos_, 4) == " -}}" || in_.substr(pos_, 4) == "\t-}}" ||
              in_.substr(pos_, 4) == "\n-}}" ||
              in_.substr(pos_, 4) == "\r-}}") {
            break;
          }
          ++pos_;
        }
        if (static_cast<int>(pos_) > start) Emit(Tok::kSpace, start);
        continue;
      }
      switch (c) {
        case '=':
          ++pos_;
          Emit(Tok::kAssign, start);
          continue;
        case ':':
          if (in_.substr(pos_, 2) != ":=") return Error(start, "expected :=");
          pos_ += 2;
          Emit(Tok::kDeclare, start);
          continue;
        case '|':
          ++pos_;
          Emit(Tok::kPipe, start);
          continue;
        case ',':
          ++pos_;
          Emit(Tok::kComma, start);
          continue;
        case '(':
          ++pos_;
          ++parens;
          Emit(Tok::kLeftParen, start);
          continue;
        case ')':
          ++pos_;
          if (--parens < 0) return Error(start, "unexpected right paren");
          Emit(Tok::kRightParen, start);
          continue;
        case '"':
          if (!LexQuote()) return false;
          continue;
        case '`':
          if (!LexRaw()) return false;
          continue;
        case '\'':
          if (!LexChar()) return false;
          continue;
        case '$': {
          ++pos_;
          while (pos_ < in_.size() && IsAlnum(in_[pos_])) ++pos_;
          Emit(Tok::kVariable, start,
               std::string(in_.substr(start, pos_ - start)));
          if (!AtTerminator()) return BadChar();
          continue;
        }
        case '.':
          if (pos_ + 1 < in_.size() && IsDigit(in_[pos_ + 1])) {
            if (!LexNumber()) return false;
            continue;
          }
          ++pos_;
          if (pos_ < in_.size() && IsAlnum(in_[pos_])) {
            while (pos_ < in_.size() && IsAlnum(in_[pos_])) ++pos_;
            Emit(Tok::kField, start,
                 std::string(in_.substr(start + 1, pos_ - start - 1)));
            if (!AtTerminator()) return BadChar();
          } else {
            Emit(Tok::kDot, start);
          }
          continue;
        default:
          break;
      }
      if (c == '+' || c == '-' || IsDigit(c)) {
        if (!LexNumber()) return false;
        continue;
      }
      if (IsAlnum(c)) {
        while (pos_ < in_.size() && IsAlnum(in_[pos_])) ++pos_;
        Emit(Tok::kIdentifier, start,
             std::string(in_.substr(start, pos_ - start)));
        if (!AtTerminator()) return BadChar();
        continue;
      }
      char buf[64];
      std::snprintf(buf, sizeof buf, "unrecognized character in action: U+%04X",
                    static_cast<unsigned char>(c));
      return Error(start, buf);
    }
  }

  bool AtTerminator() const {
    if (pos_ >= in_.size()) return true;
    const char c = in_[pos_];
    return IsSpace(c) || c == '.' || c == ',' || c == '|' || c == ':' ||
           c == ')' || c == '(' || in_.substr(pos_, 2) == "}}";
  }
  bool BadChar() {
    char buf[64];
    std::snprintf(buf, sizeof buf, "bad character U+%04X",
                  static_cast<unsigned char>(in_[pos_]));
    return Error(static_cast<int>(pos_), buf);
  }

  bool LexNumber() {
    const size_t start = pos_;
    if (in_[pos_] == '+' || in_[pos_] == '-') ++pos_;
    auto digits = [&](bool hex) {
      while (pos_ < in_.size() && (IsDigit(in_[pos_]) || in_[pos_] == '_' ||
                                   (hex && HexDigitValue(in_[pos_]) >= 0))) {
        ++pos_;
      }
    };
    if (in_.substr(pos_, 2) == "0x" || in_.substr(pos_, 2) == "0X") {
      pos_ += 2;
      digits(true);
    } else {
      digits(false);
      if (pos_ < in_.size() && in_[pos_] == '.') {
        ++pos_;
        digits(false);
      }
      if (pos_ < in_.size() && (in_[pos_] == 'e' || in_[pos_] == 'E')) {
        ++pos_;
        if (pos_ < in_.size() && (in_[pos_] == '+' || in_[pos_] == '-')) ++pos_;
        digits(false);
      }
    }
    if (pos_ < in_.size() && IsAlnum(in_[pos_])) {
      ++pos_;
      return Error(static_cast<int>(start),
                   "bad number syntax: \"" +
                       std::string(in_.substr(start, pos_ - start)) + "\"");
    }
    Emit(Tok::kNumber, static_cast<int>(start),
         std::string(in_.substr(start, pos_ - start)));
    return true;
  }

  bool LexQuote() {
    const size_t start = pos_++;
    while (true) {
      if (pos_ >= in_.size() || in_[pos_] == '\n') {
        return Error(static_cast<int>(start), "unterminated quoted string");
      }
      if (in_[pos_] == '\\') {
        pos_ += 2;
        continue;
      }
      if (in_[pos_] == '"') break;
      ++pos_;
    }
    Result<std::string> value =
        promql::UnquoteString(in_.substr(start, pos_ - start + 1));
    if (!value.ok()) {
      return Error(static_cast<int>(start), "invalid syntax in quoted string");
    }
    ++pos_;
    Emit(Tok::kString, static_cast<int>(start), std::move(*value));
    return true;
  }

  bool LexRaw() {
    const size_t start = pos_++;
    const size_t end = in_.find('`', pos_);
    if (end == std::string_view::npos) {
      return Error(static_cast<int>(start), "unterminated raw quoted string");
    }
    Emit(Tok::kString, static_cast<int>(start),
         std::string(in_.substr(pos_, end - pos_)));
    pos_ = end + 1;
    return true;
  }

  bool LexChar() {
    const size_t start = pos_++;
    while (true) {
      if (pos_ >= in_.size() || in_[pos_] == '\n') {
        return Error(static_cast<int>(start),
                     "unterminated character constant");
      }
      if (in_[pos_] == '\\') {
        pos_ += 2;
        continue;
      }
      if (in_[pos_] == '\'') break;
      ++pos_;
    }
    Result<std::string> value =
        promql::UnquoteString(in_.substr(start, pos_ - start + 1));
    if (!value.ok() || value->empty()) {
      return Error(static_cast<int>(start), "invalid character constant");
    }
    ++pos_;
    Emit(Tok::kChar, static_cast<int>(start), std::move(*value));
    return true;
  }

  std::string_view in_;
  size_t pos_ = 0;
  bool trim_next_ = false;
  bool after_comment_ = false;
  bool done_ = false;
  std::vector<Token> toks_;
};

}  // namespace

std::vector<Token> Lex(std::string_view text) { return Lexer(text).Run(); }

}  // namespace tend::tmpl
