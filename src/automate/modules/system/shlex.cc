#include "automate/modules/system/shlex.h"

#include <cctype>

namespace tend::automate::sysmod {

Result<std::vector<std::string>> ShlexSplit(std::string_view text) {
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false;  // a word has started (possibly empty: "")
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (isspace(static_cast<unsigned char>(c))) {
      if (in_word) words.push_back(std::move(cur));
      cur.clear();
      in_word = false;
      ++i;
    } else if (c == '\'') {
      size_t end = text.find('\'', i + 1);
      if (end == std::string_view::npos) {
        return InvalidArgumentError("No closing quotation");
      }
      cur.append(text.substr(i + 1, end - i - 1));
      in_word = true;
      i = end + 1;
    } else if (c == '"') {
      ++i;
      bool closed = false;
      while (i < text.size()) {
        char d = text[i];
        if (d == '"') {
          closed = true;
          ++i;
          break;
        }
        if (d == '\\' && i + 1 < text.size() &&
            (text[i + 1] == '"' || text[i + 1] == '\\')) {
          cur += text[i + 1];
          i += 2;
          continue;
        }
        cur += d;
        ++i;
      }
      if (!closed) return InvalidArgumentError("No closing quotation");
      in_word = true;
    } else if (c == '\\') {
      if (i + 1 >= text.size()) {
        return InvalidArgumentError("No escaped character");
      }
      cur += text[i + 1];
      in_word = true;
      i += 2;
    } else {
      cur += c;
      in_word = true;
      ++i;
    }
  }
  if (in_word) words.push_back(std::move(cur));
  return words;
}

}  // namespace tend::automate::sysmod
