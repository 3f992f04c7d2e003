// Redactor: replaces secrets and personal data in log text with a fixed
// marker before the text is stored.
//
// Built-in rules (by name):
//   password  key=value, key: value, key="value", "key":"value" where the
//             key (any case, with an optional prefix such as db_ or x-) is
//             password, passwd, passphrase, pwd, pass, secret, secret_key,
//             token, apikey, api_key/api-key, access_key, private_key. The
//             key and separator are kept: `password=<redacted>`; a quoted
//             value keeps its quotes.
//   token     Authorization header values (`Authorization: Bearer X`,
//             `Basic X`, `token X`, bare), `Bearer X` anywhere, AWS access
//             key ids (AKIA/ASIA + 16), GitHub tokens (ghp_ gho_ ghu_ ghs_
//             ghr_, github_pat_), Slack tokens (xoxb- xoxp- ...), JWTs
//             (eyJ....eyJ....sig).
//   card      payment card numbers: 13 to 19 digits, optionally in groups
//             separated by single spaces or dashes, starting with 2..6 (the
//             issuers' ranges), not touching other digits or letters, and
//             passing the Luhn check (so most order ids, timestamps and
//             phone numbers are left alone).
//   email     addresses of the form local@domain.tld.
// Custom rules: an RE2 pattern and a replacement (RE2 rewrite syntax, \1..\9
// for groups; default: the marker) applied to every match.
//
// Cost: one pass of a two-byte literal filter (needle_filter.h) decides
// which regexes can match; a line with nothing to redact runs no regex.
// Custom patterns always run (RE2's own literal prefilter applies).
//
// Not thread-safe (scratch buffer): one Redactor per pipeline thread.
#ifndef TEND_LOGS_PROCESS_REDACT_H_
#define TEND_LOGS_PROCESS_REDACT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "logs/process/needle_filter.h"

namespace re2 {
class RE2;
}

namespace tend::logs {

struct RedactPattern {
  std::string pattern;      // RE2 syntax; must not match the empty string.
  std::string replacement;  // Empty: the marker.
};

struct RedactConfig {
  std::vector<std::string> rules;  // password, token, card, email.
  std::vector<RedactPattern> patterns;
  std::string marker = "<redacted>";
};

class Redactor {
 public:
  // Fails with kInvalidArgument naming the bad rule (unknown name, listed
  // twice, a pattern that does not compile or matches "", a replacement
  // referring to a missing group, nothing to do, an empty marker).
  static Result<Redactor> Create(const RedactConfig& config);

  Redactor(Redactor&&) noexcept;
  Redactor& operator=(Redactor&&) noexcept;
  ~Redactor();

  // Rules in application order: built-ins in the order configured, then
  // custom patterns named "pattern_0", "pattern_1", ...
  size_t rule_count() const;
  std::string_view rule_name(size_t i) const;

  // True when the password rule is on and `name` is a secret key name
  // (password, db_password, api-key, ...): a field so named has its whole
  // value replaced by the processor.
  bool IsSecretKey(std::string_view name) const;

  const std::string& marker() const { return marker_; }

  // Redacts *text in place. Adds the number of replacements of rule i to
  // counts[i] (counts may be null) and returns the total.
  size_t Apply(std::string* text, uint64_t* counts);

 private:
  struct Sub;
  struct Rule;
  Redactor();
  size_t ApplySub(const Sub& sub, std::string* text);
  size_t ApplyCard(std::string* text);
  size_t ApplyCustom(const Rule& rule, std::string* text);

  std::vector<Rule> rules_;
  NeedleFilter filter_;  // Group i: Sub i of subs_ (by index).
  std::vector<Sub> subs_;
  std::string marker_;
  std::string scratch_;
  std::shared_ptr<const re2::RE2> secret_key_;  // Null: no password rule.
};

// True when `digits` (ASCII digits only) passes the Luhn check.
bool LuhnValid(std::string_view digits);

}  // namespace tend::logs

#endif  // TEND_LOGS_PROCESS_REDACT_H_
