// LabelMatcher: one `name op "value"` term of a series selector, with
// PromQL's semantics: regular expressions are RE2, fully anchored
// (`^(?:value)$`), and a label that is absent matches as the empty string
// (so {foo=""} selects series without foo, and {foo!~".+"} too).
#ifndef TEND_MODEL_MATCHER_H_
#define TEND_MODEL_MATCHER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/labels.h"

namespace re2 {
class RE2;
}

namespace tend {

class LabelMatcher {
 public:
  enum class Type { kEqual, kNotEqual, kRegexMatch, kRegexNoMatch };

  // Fails with kInvalidArgument (message names the regex and RE2's reason)
  // when a regex type is given a pattern RE2 does not accept.
  static Result<LabelMatcher> Create(Type type, std::string name,
                                     std::string value);
  // Equality matcher; cannot fail.
  static LabelMatcher Equal(std::string name, std::string value);

  Type type() const { return type_; }
  const std::string& name() const { return name_; }
  const std::string& value() const { return value_; }

  // Whether the label value `v` ("" for absent) satisfies the matcher.
  bool Matches(std::string_view v) const;
  // Whether the canonical label set satisfies the matcher.
  bool MatchesLabels(const Labels& labels) const {
    return Matches(GetLabel(labels, name_));
  }
  // True when the matcher accepts "" (it selects series lacking the label).
  bool MatchesEmpty() const { return Matches(""); }

  // `name="value"` with the operator and Go-style quoting, as PromQL prints.
  std::string ToString() const;

 private:
  LabelMatcher(Type type, std::string name, std::string value)
      : type_(type), name_(std::move(name)), value_(std::move(value)) {}

  Type type_;
  std::string name_;
  std::string value_;
  // Shared so matchers copy cheaply; immutable after Create.
  std::shared_ptr<const re2::RE2> re_;
};

using Matchers = std::vector<LabelMatcher>;

// True when the canonical label set satisfies every matcher.
bool MatchesAll(const Matchers& matchers, const Labels& labels);

}  // namespace tend

#endif  // TEND_MODEL_MATCHER_H_
