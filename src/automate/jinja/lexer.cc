#include "automate/jinja/lexer.h"

#include <cstring>

#include "base/utf8.h"

namespace tend::automate::jinja {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         c == '\v';
}
bool IsNameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Python's "unicode-escape" decoding of a string literal body, which is
// what Jinja applies: \n \t \r \\ \' \" \a \b \f \v \ooo \xhh \uXXXX
// \UXXXXXXXX; an unknown escape keeps its backslash.
bool Unescape(std::string_view body, uint32_t base, std::string* out,
              LexError* err) {
  out->reserve(body.size());
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c != '\\' || i + 1 >= body.size()) {
      out->push_back(c);
      continue;
    }
    char e = body[++i];
    switch (e) {
      case 'n':
        out->push_back('\n');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case '\\':
        out->push_back('\\');
        break;
      case '\'':
        out->push_back('\'');
        break;
      case '"':
        out->push_back('"');
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
      case 'v':
        out->push_back('\v');
        break;
      case '\n':
        break;  // line continuation
      case 'x':
      case 'u':
      case 'U': {
        const size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        uint32_t cp = 0;
        bool ok = i + n < body.size();
        for (size_t k = 1; ok && k <= n; ++k) {
          const int d = HexDigitValue(body[i + k]);
          if (d < 0) ok = false;
          cp = cp * 16 + static_cast<uint32_t>(d < 0 ? 0 : d);
        }
        if (!ok || cp > 0x10FFFF) {
          err->message =
              "truncated \\" + std::string(1, e) + " escape in string literal";
          err->offset = base + static_cast<uint32_t>(i) - 1;
          return false;
        }
        AppendUtf8(static_cast<char32_t>(cp), out);
        i += n;
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          uint32_t cp = static_cast<uint32_t>(e - '0');
          for (int k = 0; k < 2 && i + 1 < body.size() && body[i + 1] >= '0' &&
                          body[i + 1] <= '7';
               ++k) {
            cp = cp * 8 + static_cast<uint32_t>(body[++i] - '0');
          }
          AppendUtf8(static_cast<char32_t>(cp), out);
        } else {
          out->push_back('\\');
          out->push_back(e);
        }
    }
  }
  return true;
}

class Lexer {
 public:
  Lexer(std::string_view text, std::vector<Token>* out, LexError* err)
      : s_(text), out_(out), err_(err) {}

  bool Fail(std::string msg, size_t offset) {
    err_->message = std::move(msg);
    err_->offset = static_cast<uint32_t>(offset);
    return false;
  }

  void Emit(TokKind kind, size_t offset, std::string text) {
    out_->push_back(
        Token{kind, static_cast<uint32_t>(offset), std::move(text)});
  }

  // Lexes expression tokens from pos_ until the closing delimiter `end`
  // ("}}" or "%}") at bracket depth 0, or the end of the text when `end`
  // is empty. Sets *strip_after when the delimiter was preceded by '-',
  // *keep_newline when by '+'.
  bool LexExpr(std::string_view end, size_t tag_start, bool* strip_after,
               bool* keep_newline) {
    int depth = 0;
    while (true) {
      while (pos_ < s_.size() && IsSpace(s_[pos_])) ++pos_;
      if (pos_ >= s_.size()) {
        if (end.empty()) {
          if (depth > 0) return Fail("unclosed bracket", s_.size());
          return true;
        }
        return Fail(
            "unexpected end of template, expected '" + std::string(end) + "'",
            tag_start);
      }
      if (!end.empty() && depth == 0) {
        if (s_.compare(pos_, end.size(), end) == 0) {
          pos_ += end.size();
          return true;
        }
        if ((s_[pos_] == '-' || s_[pos_] == '+') &&
            s_.compare(pos_ + 1, end.size(), end) == 0) {
          (s_[pos_] == '-' ? *strip_after : *keep_newline) = true;
          pos_ += 1 + end.size();
          return true;
        }
      }
      const size_t start = pos_;
      const char c = s_[pos_];
      if (IsNameStart(c)) {
        while (pos_ < s_.size() &&
               (IsNameStart(s_[pos_]) || IsDigit(s_[pos_]))) {
          ++pos_;
        }
        Emit(TokKind::kName, start,
             std::string(s_.substr(start, pos_ - start)));
        continue;
      }
      if (IsDigit(c)) {
        if (!LexNumber()) return false;
        continue;
      }
      if (c == '\'' || c == '"') {
        size_t i = pos_ + 1;
        while (i < s_.size() && s_[i] != c) {
          if (s_[i] == '\\') ++i;
          ++i;
        }
        if (i >= s_.size()) return Fail("unterminated string", start);
        std::string value;
        if (verbatim_strings_ && in_var_tag_) {
          value = std::string(s_.substr(pos_ + 1, i - pos_ - 1));
        } else if (!Unescape(s_.substr(pos_ + 1, i - pos_ - 1),
                             static_cast<uint32_t>(pos_ + 1), &value, err_)) {
          return false;
        }
        Emit(TokKind::kString, start, std::move(value));
        pos_ = i + 1;
        continue;
      }
      static constexpr const char* kTwo[] = {
          "**", "//", "==", "!=", "<=", ">="};
      bool two = false;
      for (const char* op : kTwo) {
        if (s_.compare(pos_, 2, op) == 0) {
          Emit(TokKind::kOp, start, op);
          pos_ += 2;
          two = true;
          break;
        }
      }
      if (two) continue;
      if (std::strchr("+-*/%~<>=()[]{},.:|;", c) == nullptr || c == '\0') {
        return Fail(std::string("unexpected character '") + c + "'", start);
      }
      if (c == '(' || c == '[' || c == '{') ++depth;
      if (c == ')' || c == ']' || c == '}') {
        if (depth == 0) {
          return Fail(std::string("unexpected '") + c + "'", start);
        }
        --depth;
      }
      Emit(TokKind::kOp, start, std::string(1, c));
      ++pos_;
    }
  }

  bool LexNumber() {
    const size_t start = pos_;
    bool is_float = false;
    if (s_[pos_] == '0' && pos_ + 1 < s_.size() &&
        std::strchr("xXoObB", s_[pos_ + 1]) != nullptr && s_[pos_ + 1]) {
      pos_ += 2;
      while (pos_ < s_.size() &&
             (HexDigitValue(s_[pos_]) >= 0 || s_[pos_] == '_')) {
        ++pos_;
      }
    } else {
      auto digits = [&] {
        while (pos_ < s_.size() && (IsDigit(s_[pos_]) || s_[pos_] == '_')) {
          ++pos_;
        }
      };
      digits();
      if (pos_ + 1 < s_.size() && s_[pos_] == '.' && IsDigit(s_[pos_ + 1])) {
        is_float = true;
        ++pos_;
        digits();
      }
      if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
        size_t p = pos_ + 1;
        if (p < s_.size() && (s_[p] == '+' || s_[p] == '-')) ++p;
        if (p < s_.size() && IsDigit(s_[p])) {
          is_float = true;
          pos_ = p;
          digits();
        }
      }
    }
    Emit(is_float ? TokKind::kFloat : TokKind::kInt, start,
         std::string(s_.substr(start, pos_ - start)));
    return true;
  }

  // Text up to the next tag, whitespace control applied.
  void EmitData(size_t from, size_t to, bool rstrip) {
    std::string_view data = s_.substr(from, to - from);
    if (strip_next_ == 1) {
      while (!data.empty() && IsSpace(data.front())) data.remove_prefix(1);
    } else if (strip_next_ == 2) {
      if (data.substr(0, 2) == "\r\n") {
        data.remove_prefix(2);
      } else if (!data.empty() && data.front() == '\n') {
        data.remove_prefix(1);
      }
    }
    strip_next_ = 0;
    if (rstrip) {
      while (!data.empty() && IsSpace(data.back())) data.remove_suffix(1);
    }
    if (!data.empty()) Emit(TokKind::kData, from, std::string(data));
  }

  // After a block tag or comment: trim_blocks removes one newline.
  void AfterTag(bool block, bool strip_after, bool keep_newline) {
    if (strip_after) {
      strip_next_ = 1;
    } else if (block && !keep_newline) {
      strip_next_ = 2;
    }
  }

  bool Run() {
    size_t data_from = 0;
    while (true) {
      size_t at = s_.find('{', pos_);
      while (at != std::string_view::npos && at + 1 < s_.size() &&
             s_[at + 1] != '{' && s_[at + 1] != '%' && s_[at + 1] != '#') {
        at = s_.find('{', at + 1);
      }
      if (at == std::string_view::npos || at + 1 >= s_.size()) {
        EmitData(data_from, s_.size(), false);
        return true;
      }
      const char kind = s_[at + 1];
      const bool strip_before = at + 2 < s_.size() && s_[at + 2] == '-';
      const bool plus = at + 2 < s_.size() && s_[at + 2] == '+';
      EmitData(data_from, at, strip_before);
      pos_ = at + 2 + (strip_before || plus ? 1 : 0);
      bool strip_after = false;
      bool keep_newline = false;
      if (kind == '#') {
        size_t end = s_.find("#}", pos_);
        if (end == std::string_view::npos) {
          return Fail("unterminated comment", at);
        }
        strip_after = end > pos_ && s_[end - 1] == '-';
        keep_newline = end > pos_ && s_[end - 1] == '+';
        pos_ = end + 2;
        AfterTag(true, strip_after, keep_newline);
        data_from = pos_;
        continue;
      }
      const bool block = kind == '%';
      const size_t first_tok = out_->size() + 1;
      Emit(block ? TokKind::kBlockBegin : TokKind::kVarBegin, at,
           block ? "{%" : "{{");
      in_var_tag_ = !block;
      const bool lexed =
          LexExpr(block ? "%}" : "}}", at, &strip_after, &keep_newline);
      in_var_tag_ = false;
      if (!lexed) return false;
      Emit(block ? TokKind::kBlockEnd : TokKind::kVarEnd, pos_ - 2,
           block ? "%}" : "}}");
      if (block && out_->size() == first_tok + 2 &&
          (*out_)[first_tok].kind == TokKind::kName &&
          (*out_)[first_tok].text == "raw") {
        out_->resize(first_tok - 1);
        if (!LexRaw(at, strip_after, keep_newline)) return false;
        data_from = pos_;
        continue;
      }
      AfterTag(block, strip_after, keep_newline);
      data_from = pos_;
    }
  }

  // After {% raw %}: everything up to {% endraw %} is text.
  bool LexRaw(size_t tag_start, bool strip_after, bool keep_newline) {
    AfterTag(true, strip_after, keep_newline);
    size_t search = pos_;
    while (true) {
      size_t at = s_.find("{%", search);
      if (at == std::string_view::npos) {
        return Fail("missing {% endraw %} for this {% raw %}", tag_start);
      }
      size_t p = at + 2;
      const bool strip_before = p < s_.size() && s_[p] == '-';
      if (strip_before || (p < s_.size() && s_[p] == '+')) ++p;
      while (p < s_.size() && IsSpace(s_[p])) ++p;
      if (s_.compare(p, 6, "endraw") != 0) {
        search = at + 2;
        continue;
      }
      p += 6;
      while (p < s_.size() && IsSpace(s_[p])) ++p;
      bool strip = false;
      bool keep = false;
      if (p < s_.size() && (s_[p] == '-' || s_[p] == '+')) {
        (s_[p] == '-' ? strip : keep) = true;
        ++p;
      }
      if (s_.compare(p, 2, "%}") != 0) {
        search = at + 2;
        continue;
      }
      EmitData(pos_, at, strip_before);
      pos_ = p + 2;
      AfterTag(true, strip, keep);
      return true;
    }
  }

  void set_verbatim_strings(bool on) { verbatim_strings_ = on; }

  bool RunExpression() {
    bool a = false;
    bool b = false;
    return LexExpr("", 0, &a, &b);
  }

 private:
  std::string_view s_;
  std::vector<Token>* out_;
  LexError* err_;
  size_t pos_ = 0;
  int strip_next_ = 0;  // 1: all leading whitespace, 2: one newline
  bool verbatim_strings_ = false;
  bool in_var_tag_ = false;
};

}  // namespace

bool LexTemplate(std::string_view text, bool verbatim_strings,
                 std::vector<Token>* out, LexError* err) {
  Lexer lexer(text, out, err);
  lexer.set_verbatim_strings(verbatim_strings);
  if (!lexer.Run()) return false;
  out->push_back(Token{TokKind::kEof, static_cast<uint32_t>(text.size()), ""});
  return true;
}

bool LexExpression(std::string_view text, std::vector<Token>* out,
                   LexError* err) {
  Lexer lexer(text, out, err);
  if (!lexer.RunExpression()) return false;
  out->push_back(Token{TokKind::kEof, static_cast<uint32_t>(text.size()), ""});
  return true;
}

}  // namespace tend::automate::jinja
