#include "logs/process/redact.h"

#include <re2/re2.h>

#include <utility>

namespace tend::logs {
namespace {

constexpr size_t kMaxMarker = 256;
constexpr size_t kMaxPattern = 4096;

// One regex of a built-in rule. Group 1 is kept (a key and separator, or
// empty); group 2 is the secret; the match ends where group 2 ends.
struct BuiltinSub {
  const char* regex;
  // Literals of which at least one must occur for the regex to match.
  std::vector<const char*> needles;
  bool fold;
};

struct BuiltinRule {
  const char* name;
  std::vector<BuiltinSub> subs;  // Empty: the card scanner.
};

const std::vector<BuiltinRule>& Builtins() {
  static const auto* rules = new std::vector<BuiltinRule>{
      {"password",
       {{R"re((?i)(\b(?:[a-z0-9]+[_.-])*(?:password|passwd|passphrase|pwd|pass|secret|secret[_-]?key|token|api[_-]?key|access[_-]?key|private[_-]?key)["']?[ \t]*[:=][ \t]*)("(?:[^"\\]|\\.)*"|'[^']*'|[^\s"',;&}\])]+))re",
         {"pass", "pwd", "secret", "token", "key"},
         true}}},
      {"token",
       {{R"re(((?i:authorization)["']?[ \t]*[:=][ \t]*["']?(?:(?i:basic|bearer|token|digest|negotiate)[ \t]+)?)([^\s"',;]+))re",
         {"authorization"},
         true},
        {R"re(((?i:\bbearer)[ \t]+)([A-Za-z0-9._~+/-]{8,}=*))re",
         {"bearer"},
         true},
        {R"re(()\b((?:AKIA|ASIA)[0-9A-Z]{16})\b)re", {"AKIA", "ASIA"}, false},
        {R"re(()\b(gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255}))re",
         {"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"},
         false},
        {R"re(()\b(xox[abposr]-[A-Za-z0-9-]{10,}))re", {"xox"}, false},
        {R"re(()\b(eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}))re",
         {"eyJ"},
         false}}},
      {"card", {}},
      {"email",
       {{R"re(()([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}))re",
         {"@"},
         false}}},
  };
  return *rules;
}

// Field names the password rule treats as secret (the key part of its
// regex, matched in full).
constexpr const char* kSecretKeyName =
    R"re((?i)(?:[a-z0-9]+[_.-])*(?:password|passwd|passphrase|pwd|pass|secret|secret[_-]?key|token|api[_-]?key|access[_-]?key|private[_-]?key))re";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWordByte(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         c == '_';
}

std::string EscapeRewrite(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

}  // namespace

struct Redactor::Sub {
  std::shared_ptr<const re2::RE2> re;
};

struct Redactor::Rule {
  enum class Kind { kRegex, kCard, kCustom };
  std::string name;
  Kind kind = Kind::kRegex;
  std::vector<size_t> subs;  // kRegex: indexes into subs_.
  std::shared_ptr<const re2::RE2> custom;
  std::string rewrite;
};

Redactor::Redactor() = default;
Redactor::Redactor(Redactor&&) noexcept = default;
Redactor& Redactor::operator=(Redactor&&) noexcept = default;
Redactor::~Redactor() = default;

size_t Redactor::rule_count() const { return rules_.size(); }
std::string_view Redactor::rule_name(size_t i) const { return rules_[i].name; }

bool LuhnValid(std::string_view digits) {
  if (digits.empty()) return false;
  int sum = 0;
  bool twice = false;
  for (size_t i = digits.size(); i-- > 0;) {
    int d = digits[i] - '0';
    if (d < 0 || d > 9) return false;
    if (twice) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    twice = !twice;
  }
  return sum % 10 == 0;
}

Result<Redactor> Redactor::Create(const RedactConfig& config) {
  if (config.marker.empty() || config.marker.size() > kMaxMarker) {
    return InvalidArgumentError("redact: marker must be 1 to " +
                                std::to_string(kMaxMarker) + " bytes");
  }
  if (config.rules.empty() && config.patterns.empty()) {
    return InvalidArgumentError(
        "redact: no rules and no patterns: list rules (password, token, "
        "card, email) or add patterns");
  }
  Redactor r;
  r.marker_ = config.marker;
  for (size_t i = 0; i < config.rules.size(); ++i) {
    const std::string& name = config.rules[i];
    const BuiltinRule* builtin = nullptr;
    for (const BuiltinRule& b : Builtins()) {
      if (name == b.name) builtin = &b;
    }
    if (builtin == nullptr) {
      return InvalidArgumentError("redact: rules[" + std::to_string(i) +
                                  "]: unknown rule \"" + name +
                                  "\" (known: password, token, card, email)");
    }
    for (const Rule& seen : r.rules_) {
      if (seen.name == name) {
        return InvalidArgumentError("redact: rules[" + std::to_string(i) +
                                    "]: rule \"" + name + "\" listed twice");
      }
    }
    Rule rule;
    rule.name = name;
    rule.kind = builtin->subs.empty() ? Rule::Kind::kCard : Rule::Kind::kRegex;
    if (name == "password") {
      re2::RE2::Options options;
      options.set_log_errors(false);
      r.secret_key_ = std::make_shared<const re2::RE2>(kSecretKeyName, options);
    }
    for (const BuiltinSub& b : builtin->subs) {
      if (r.subs_.size() >= 64) {
        return InternalError("redact: too many built-in regexes");
      }
      re2::RE2::Options options;
      options.set_log_errors(false);
      auto re = std::make_shared<const re2::RE2>(b.regex, options);
      if (!re->ok() || re->NumberOfCapturingGroups() < 2) {
        return InternalError("redact: built-in rule " + name +
                             " does not compile: " + re->error());
      }
      const int group = static_cast<int>(r.subs_.size());
      for (const char* needle : b.needles) r.filter_.Add(needle, b.fold, group);
      rule.subs.push_back(r.subs_.size());
      r.subs_.push_back(Sub{std::move(re)});
    }
    r.rules_.push_back(std::move(rule));
  }
  for (size_t i = 0; i < config.patterns.size(); ++i) {
    const RedactPattern& p = config.patterns[i];
    const std::string where = "redact: patterns[" + std::to_string(i) + "]";
    if (p.pattern.empty() || p.pattern.size() > kMaxPattern) {
      return InvalidArgumentError(where + ": pattern must be 1 to " +
                                  std::to_string(kMaxPattern) + " bytes");
    }
    re2::RE2::Options options;
    options.set_log_errors(false);
    auto re = std::make_shared<const re2::RE2>(p.pattern, options);
    if (!re->ok()) {
      return InvalidArgumentError(where + ": pattern \"" + p.pattern +
                                  "\" does not compile: " + re->error());
    }
    if (re2::RE2::PartialMatch("", *re)) {
      return InvalidArgumentError(
          where + ": pattern \"" + p.pattern +
          "\" matches the empty string; it must match some text");
    }
    Rule rule;
    rule.name = "pattern_" + std::to_string(i);
    rule.kind = Rule::Kind::kCustom;
    rule.rewrite =
        p.replacement.empty() ? EscapeRewrite(r.marker_) : p.replacement;
    std::string error;
    if (!re->CheckRewriteString(rule.rewrite, &error)) {
      return InvalidArgumentError(where + ": replacement \"" + p.replacement +
                                  "\": " + error);
    }
    rule.custom = std::move(re);
    r.rules_.push_back(std::move(rule));
  }
  return r;
}

bool Redactor::IsSecretKey(std::string_view name) const {
  return secret_key_ != nullptr &&
         re2::RE2::FullMatch(re2::StringPiece(name.data(), name.size()),
                             *secret_key_);
}

size_t Redactor::Apply(std::string* text, uint64_t* counts) {
  if (text->empty()) return 0;
  const uint64_t candidates = subs_.empty() ? 0 : filter_.Scan(*text);
  size_t total = 0;
  for (size_t i = 0; i < rules_.size(); ++i) {
    const Rule& rule = rules_[i];
    size_t n = 0;
    switch (rule.kind) {
      case Rule::Kind::kRegex:
        for (size_t s : rule.subs) {
          if ((candidates >> s) & 1) n += ApplySub(subs_[s], text);
        }
        break;
      case Rule::Kind::kCard:
        n = ApplyCard(text);
        break;
      case Rule::Kind::kCustom:
        n = ApplyCustom(rule, text);
        break;
    }
    if (counts != nullptr) counts[i] += n;
    total += n;
  }
  return total;
}

size_t Redactor::ApplySub(const Sub& sub, std::string* text) {
  const re2::RE2& re = *sub.re;
  const std::string_view in(*text);
  re2::StringPiece input(in.data(), in.size());
  re2::StringPiece groups[3];
  size_t pos = 0;
  size_t count = 0;
  while (pos < in.size() &&
         re.Match(input, pos, in.size(), re2::RE2::UNANCHORED, groups, 3)) {
    const size_t mend =
        static_cast<size_t>(groups[0].data() - in.data()) + groups[0].size();
    const std::string_view secret(groups[2].data(), groups[2].size());
    if (groups[2].data() == nullptr || secret.empty()) {
      // Cannot happen with the built-ins (the secret is non-empty); guard
      // against looping forever anyway.
      if (count > 0) scratch_.append(in.substr(pos, mend + 1 - pos));
      pos = mend + 1;
      continue;
    }
    const size_t sstart = static_cast<size_t>(secret.data() - in.data());
    const bool quoted = secret.size() >= 2 &&
                        (secret.front() == '"' || secret.front() == '\'') &&
                        secret.back() == secret.front();
    const std::string_view bare =
        quoted ? secret.substr(1, secret.size() - 2) : secret;
    if (bare == marker_) {  // Already redacted (message copied from line).
      if (count > 0) scratch_.append(in.substr(pos, mend - pos));
      pos = mend;
      continue;
    }
    if (count == 0) {
      scratch_.clear();
      scratch_.append(in.substr(0, pos));
    }
    scratch_.append(in.substr(pos, sstart - pos));
    if (quoted) scratch_.push_back(secret.front());
    scratch_.append(marker_);
    if (quoted) scratch_.push_back(secret.front());
    pos = mend;
    ++count;
  }
  if (count > 0) {
    if (pos < in.size()) scratch_.append(in.substr(pos));
    text->swap(scratch_);
  }
  return count;
}

size_t Redactor::ApplyCard(std::string* text) {
  const std::string_view in(*text);
  const size_t n = in.size();
  size_t count = 0;
  size_t copied = 0;  // in[0, copied) is in scratch_ (when count > 0).
  char digits[20];
  size_t i = 0;
  while (i < n) {
    if (!IsDigit(in[i])) {
      ++i;
      continue;
    }
    const size_t start = i;
    size_t nd = 0;
    size_t end = i;  // One past the last digit of the run.
    while (i < n) {
      if (IsDigit(in[i])) {
        if (nd < sizeof(digits)) digits[nd] = in[i];
        ++nd;
        ++i;
        end = i;
      } else if ((in[i] == ' ' || in[i] == '-') && i + 1 < n &&
                 IsDigit(in[i + 1])) {
        ++i;
      } else {
        break;
      }
    }
    i = end;
    if (nd < 13 || nd > 19 || digits[0] < '2' || digits[0] > '6') continue;
    // Part of a word, a decimal number or an identifier: not a card.
    if (start > 0 && (IsWordByte(in[start - 1]) || in[start - 1] == '.')) {
      continue;
    }
    if (end < n && (IsWordByte(in[end]) ||
                    (in[end] == '.' && end + 1 < n && IsDigit(in[end + 1])))) {
      continue;
    }
    if (!LuhnValid(std::string_view(digits, nd))) continue;
    if (count == 0) scratch_.clear();
    scratch_.append(in.substr(copied, start - copied));
    scratch_.append(marker_);
    copied = end;
    ++count;
  }
  if (count > 0) {
    scratch_.append(in.substr(copied));
    text->swap(scratch_);
  }
  return count;
}

size_t Redactor::ApplyCustom(const Rule& rule, std::string* text) {
  int n = re2::RE2::GlobalReplace(text, *rule.custom, rule.rewrite);
  return n > 0 ? static_cast<size_t>(n) : 0;
}

}  // namespace tend::logs
