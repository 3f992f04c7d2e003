#include "model/matcher_text.h"

#include <cctype>
#include <string>

#include "model/labels.h"

namespace tend {
namespace {

class MatcherParser {
 public:
  explicit MatcherParser(std::string_view text) : s_(text) {}

  Result<Matchers> Parse() {
    Matchers out;
    SkipSpace();
    bool braces = false;
    if (Peek() == '{') {
      braces = true;
      ++i_;
    }
    while (true) {
      SkipSpace();
      if (braces && Peek() == '}') break;
      if (i_ >= s_.size()) break;
      Result<LabelMatcher> m = One(braces);
      if (!m.ok()) return m.status();
      out.push_back(std::move(*m));
      SkipSpace();
      if (Peek() == ',') {
        ++i_;
        continue;
      }
      break;
    }
    SkipSpace();
    if (braces) {
      if (Peek() != '}') return Error("missing closing '}'");
      ++i_;
      SkipSpace();
    }
    if (i_ != s_.size()) return Error("unexpected text");
    if (out.empty()) return Error("no matcher");
    return out;
  }

 private:
  char Peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  void SkipSpace() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) {
      ++i_;
    }
  }
  Status Error(std::string_view what) const {
    return InvalidArgumentError("bad matcher " + std::string(s_) + ": " +
                                std::string(what) + " at column " +
                                std::to_string(i_ + 1));
  }

  Result<std::string> Quoted() {
    ++i_;  // Opening quote.
    std::string out;
    while (i_ < s_.size() && s_[i_] != '"') {
      char c = s_[i_++];
      if (c == '\\') {
        if (i_ >= s_.size()) break;
        char e = s_[i_++];
        switch (e) {
          case 'n':
            out += '\n';
            break;
          case 't':
            out += '\t';
            break;
          case '\\':
            out += '\\';
            break;
          case '"':
            out += '"';
            break;
          default:
            return Error(std::string("unknown escape \\") + e);
        }
      } else {
        out += c;
      }
    }
    if (i_ >= s_.size()) return Error("unterminated quoted string");
    ++i_;  // Closing quote.
    return out;
  }

  Result<LabelMatcher> One(bool braces) {
    std::string name;
    if (Peek() == '"') {
      Result<std::string> q = Quoted();
      if (!q.ok()) return q.status();
      name = std::move(*q);
    } else {
      while (
          i_ < s_.size() &&
          (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_')) {
        name += s_[i_++];
      }
    }
    if (name.empty() || !IsValidLabelName(name)) {
      return Error("expected a label name");
    }
    SkipSpace();
    LabelMatcher::Type type;
    std::string_view rest = s_.substr(i_);
    if (rest.starts_with("=~")) {
      type = LabelMatcher::Type::kRegexMatch;
      i_ += 2;
    } else if (rest.starts_with("!~")) {
      type = LabelMatcher::Type::kRegexNoMatch;
      i_ += 2;
    } else if (rest.starts_with("!=")) {
      type = LabelMatcher::Type::kNotEqual;
      i_ += 2;
    } else if (rest.starts_with("=")) {
      type = LabelMatcher::Type::kEqual;
      i_ += 1;
    } else {
      return Error("expected one of =, !=, =~, !~ after \"" + name + "\"");
    }
    SkipSpace();
    std::string value;
    if (Peek() == '"') {
      Result<std::string> q = Quoted();
      if (!q.ok()) return q.status();
      value = std::move(*q);
    } else {
      size_t start = i_;
      while (i_ < s_.size() && s_[i_] != ',' && !(braces && s_[i_] == '}')) {
        ++i_;
      }
      std::string_view v = s_.substr(start, i_ - start);
      while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) {
        v.remove_suffix(1);
      }
      if (v.find('"') != std::string_view::npos || v.starts_with("=") ||
          v.starts_with("~")) {
        return Error(
            "a bare value may not hold '\"', nor start with = or ~ "
            "(quote it)");
      }
      value = std::string(v);
    }
    Result<LabelMatcher> m =
        LabelMatcher::Create(type, std::move(name), std::move(value));
    if (!m.ok()) return Error(m.status().message());
    return m;
  }

  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace

Result<Matchers> ParseMatcherList(std::string_view text) {
  return MatcherParser(text).Parse();
}

Result<LabelMatcher> ParseMatcherText(std::string_view text) {
  ASSIGN_OR_RETURN(Matchers list, ParseMatcherList(text));
  if (list.size() != 1) {
    return InvalidArgumentError("bad matcher " + std::string(text) +
                                ": want one matcher, got " +
                                std::to_string(list.size()));
  }
  return std::move(list[0]);
}

}  // namespace tend
