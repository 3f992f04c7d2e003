#include "config/yaml_text.h"

#include <cstdio>

namespace tend {
namespace {

constexpr size_t kMessageQuoteLimit = 60;
constexpr size_t kCommentWidth = 80;

void AppendHexEscape(unsigned char c, std::string* out) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "\\x%02x", c);
  *out += buf;
}

bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7f; }

}  // namespace

std::string QuoteForMessage(std::string_view s) {
  bool cut = false;
  if (s.size() > kMessageQuoteLimit) {
    size_t n = kMessageQuoteLimit;
    // Back up over UTF-8 continuation bytes so no character is split.
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    s = s.substr(0, n);
    cut = true;
  }
  std::string out = "\"";
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\t') {
      out += "\\t";
    } else if (IsControl(c)) {
      AppendHexEscape(c, &out);
    } else {
      out += ch;
    }
  }
  if (cut) out += "...";
  out += '"';
  return out;
}

std::string YamlQuote(std::string_view s) {
  bool printable = true;
  for (char ch : s) {
    if (IsControl(static_cast<unsigned char>(ch))) printable = false;
  }
  std::string out;
  if (printable) {
    out = "'";
    for (char ch : s) {
      if (ch == '\'') out += '\'';
      out += ch;
    }
    out += '\'';
    return out;
  }
  out = "\"";
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\t') {
      out += "\\t";
    } else if (IsControl(c)) {
      AppendHexEscape(c, &out);
    } else {
      out += ch;
    }
  }
  out += '"';
  return out;
}

std::string YamlComment(std::string_view text, int indent) {
  if (text.empty()) return "";
  const std::string prefix =
      std::string(static_cast<size_t>(indent), ' ') + "#";
  std::string out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view paragraph = text.substr(start, end - start);
    std::string line = prefix;
    bool empty_line = true;
    size_t i = 0;
    while (i < paragraph.size()) {
      while (i < paragraph.size() && paragraph[i] == ' ') ++i;
      size_t word_end = paragraph.find(' ', i);
      if (word_end == std::string_view::npos) word_end = paragraph.size();
      if (word_end == i) break;
      std::string_view word = paragraph.substr(i, word_end - i);
      if (!empty_line && line.size() + 1 + word.size() > kCommentWidth) {
        out += line + "\n";
        line = prefix;
        empty_line = true;
      }
      line += ' ';
      line += word;
      empty_line = false;
      i = word_end;
    }
    out += line + "\n";
    if (end == text.size()) break;
    start = end + 1;
  }
  return out;
}

}  // namespace tend
