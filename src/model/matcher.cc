#include "model/matcher.h"

#include <re2/re2.h>

namespace tend {

Result<LabelMatcher> LabelMatcher::Create(Type type, std::string name,
                                          std::string value) {
  LabelMatcher m(type, std::move(name), std::move(value));
  if (type == Type::kRegexMatch || type == Type::kRegexNoMatch) {
    RE2::Options opts;
    opts.set_log_errors(false);
    // Prometheus 2.42 anchors with ^(?:...)$ and leaves '.' not matching
    // newline; FullMatch anchors, the group keeps alternations inside it.
    // The pattern must be valid on its own: wrapped, an unbalanced ')' as
    // in "a)|(b" would close the group and change the meaning.
    RE2 alone(m.value_, opts);
    if (!alone.ok()) {
      return InvalidArgumentError("invalid regular expression \"" + m.value_ +
                                  "\": " + alone.error());
    }
    auto re = std::make_shared<RE2>("(?:" + m.value_ + ")", opts);
    if (!re->ok()) {
      return InvalidArgumentError("invalid regular expression \"" + m.value_ +
                                  "\": " + re->error());
    }
    m.re_ = std::move(re);
  }
  return m;
}

LabelMatcher LabelMatcher::Equal(std::string name, std::string value) {
  return LabelMatcher(Type::kEqual, std::move(name), std::move(value));
}

bool LabelMatcher::Matches(std::string_view v) const {
  switch (type_) {
    case Type::kEqual:
      return v == value_;
    case Type::kNotEqual:
      return v != value_;
    case Type::kRegexMatch:
      return RE2::FullMatch(v, *re_);
    case Type::kRegexNoMatch:
      return !RE2::FullMatch(v, *re_);
  }
  return false;
}

std::string LabelMatcher::ToString() const {
  std::string out = name_;
  switch (type_) {
    case Type::kEqual:
      out += "=";
      break;
    case Type::kNotEqual:
      out += "!=";
      break;
    case Type::kRegexMatch:
      out += "=~";
      break;
    case Type::kRegexNoMatch:
      out += "!~";
      break;
  }
  out += '"';
  for (char c : value_) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  out += '"';
  return out;
}

bool MatchesAll(const Matchers& matchers, const Labels& labels) {
  for (const LabelMatcher& m : matchers) {
    if (!m.MatchesLabels(labels)) return false;
  }
  return true;
}

}  // namespace tend
