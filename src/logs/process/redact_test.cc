#include "logs/process/redact.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "logs/process/test_util.h"

namespace tend::logs {
namespace {

using ::testing::HasSubstr;
using testing::ReadLoghub;

Redactor Make(std::vector<std::string> rules,
              std::vector<RedactPattern> patterns = {}) {
  RedactConfig c;
  c.rules = std::move(rules);
  c.patterns = std::move(patterns);
  Result<Redactor> r = Redactor::Create(c);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return std::move(r).value();
}

std::string Redacted(Redactor& r, std::string text, size_t* n = nullptr) {
  size_t count = r.Apply(&text, nullptr);
  if (n != nullptr) *n = count;
  return text;
}

TEST(RedactTest, PasswordForms) {
  Redactor r = Make({"password"});
  EXPECT_EQ(Redacted(r, "login user=bob password=hunter2 ok"),
            "login user=bob password=<redacted> ok");
  EXPECT_EQ(Redacted(r, "Password: hunter2"), "Password: <redacted>");
  EXPECT_EQ(Redacted(r, R"({"user":"x","password":"s3cr et\"x","n":1})"),
            R"({"user":"x","password":"<redacted>","n":1})");
  EXPECT_EQ(Redacted(r, "DB_PASSWORD='a b' next"),
            "DB_PASSWORD='<redacted>' next");
  EXPECT_EQ(Redacted(r, "X-Api-Key: abcd1234, other"),
            "X-Api-Key: <redacted>, other");
  EXPECT_EQ(Redacted(r, "client_secret=zzz&token=yyy&x=1"),
            "client_secret=<redacted>&token=<redacted>&x=1");
  size_t n = 0;
  EXPECT_EQ(Redacted(r, "pwd=a secret: b", &n),
            "pwd=<redacted> secret: <redacted>");
  EXPECT_EQ(n, 2u);
  // Not key=value: prose and words that merely contain a key.
  for (const char* keep : {"Failed password for root from 1.2.3.4 port 22 ssh2",
                           "bypass: enabled", "check pass; user unknown",
                           "password changed for bob", "keyboard=us"}) {
    EXPECT_EQ(Redacted(r, keep, &n), keep);
    EXPECT_EQ(n, 0u) << keep;
  }
}

TEST(RedactTest, Tokens) {
  Redactor r = Make({"token"});
  EXPECT_EQ(Redacted(r, "Authorization: Bearer abc.def-ghi_123 next"),
            "Authorization: Bearer <redacted> next");
  EXPECT_EQ(Redacted(r, R"({"authorization":"Basic dXNlcjpwYXNz"})"),
            R"({"authorization":"Basic <redacted>"})");
  EXPECT_EQ(Redacted(r, "sent bearer AbCdEf0123456789 upstream"),
            "sent bearer <redacted> upstream");
  EXPECT_EQ(Redacted(r, "key AKIAIOSFODNN7EXAMPLE used"),
            "key <redacted> used");
  EXPECT_EQ(Redacted(r, "gh ghp_0123456789abcdefghijABCDEFGHIJ012345 x"),
            "gh <redacted> x");
  EXPECT_EQ(Redacted(r, "slack xoxb-1234567890-abcdefghij"),
            "slack <redacted>");
  EXPECT_EQ(
      Redacted(r,
               "jwt=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.sig_nature-1 end"),
      "jwt=<redacted> end");
  size_t n = 0;
  for (const char* keep :
       {"basic authentication enabled", "AKIA short", "ghp_short",
        "the bearer of bad news", "eyJust kidding"}) {
    EXPECT_EQ(Redacted(r, keep, &n), keep);
    EXPECT_EQ(n, 0u) << keep;
  }
}

TEST(RedactTest, LuhnCheck) {
  EXPECT_TRUE(LuhnValid("4111111111111111"));
  EXPECT_TRUE(LuhnValid("378282246310005"));
  EXPECT_TRUE(LuhnValid("5555555555554444"));
  EXPECT_TRUE(LuhnValid("79927398713"));
  EXPECT_FALSE(LuhnValid("4111111111111112"));
  EXPECT_FALSE(LuhnValid("79927398710"));
  EXPECT_FALSE(LuhnValid(""));
  EXPECT_FALSE(LuhnValid("41x1"));
}

TEST(RedactTest, CardNumbersLuhnChecked) {
  Redactor r = Make({"card"});
  EXPECT_EQ(Redacted(r, "paid with 4111 1111 1111 1111 today"),
            "paid with <redacted> today");
  EXPECT_EQ(Redacted(r, "card=4111-1111-1111-1111;"), "card=<redacted>;");
  EXPECT_EQ(Redacted(r, "amex 378282246310005"), "amex <redacted>");
  size_t n = 0;
  EXPECT_EQ(Redacted(r, "a 5555555555554444 b 4012888888881881", &n),
            "a <redacted> b <redacted>");
  EXPECT_EQ(n, 2u);
  for (const char* keep : {
           "order 4111111111111112 shipped",      // Luhn fails.
           "id4111111111111111",                  // Part of a word.
           "ts=1700000000000000000",              // 19 digits, starts with 1.
           "v=3.4111111111111111",                // Decimal.
           "n 41111111111111111111",              // 20 digits.
           "phone +1 555-123-4567",               // Too short.
           "2024-01-02 03:04:05 4111 1111 1111",  // Date then 12 digits.
       }) {
    EXPECT_EQ(Redacted(r, keep, &n), keep);
    EXPECT_EQ(n, 0u) << keep;
  }
}

TEST(RedactTest, Email) {
  Redactor r = Make({"email"});
  EXPECT_EQ(Redacted(r, "mail from <alice.b+x@example.co.uk> ok"),
            "mail from <<redacted>> ok");
  size_t n = 0;
  EXPECT_EQ(Redacted(r, "root@localhost and @home", &n),
            "root@localhost and @home");
  EXPECT_EQ(n, 0u);
}

// Real lines: the samples hold no credentials and no card numbers (the
// Linux sample's long runs are hex addresses starting with 0), one e-mail
// address (the kernel's build host), and the OpenSSH sample's "Failed
// password for" prose must survive.
TEST(RedactTest, LoghubSamples) {
  for (const char* name : {"OpenSSH_2k.log", "Linux_2k.log", "Apache_2k.log"}) {
    const std::vector<std::string> lines = ReadLoghub(name);
    ASSERT_EQ(lines.size(), 2000u) << name;
    Redactor r = Make({"password", "token", "card", "email"});
    uint64_t counts[4] = {0, 0, 0, 0};
    size_t changed = 0, with_at = 0;
    for (const std::string& line : lines) {
      std::string text = line;
      if (line.find('@') != std::string::npos) ++with_at;
      if (r.Apply(&text, counts) > 0) {
        ++changed;
        EXPECT_THAT(text, HasSubstr("<redacted>"));
        EXPECT_EQ(text.find('@'), std::string::npos) << text;
      } else {
        EXPECT_EQ(text, line);
      }
    }
    EXPECT_EQ(counts[0], 0u) << name;
    EXPECT_EQ(counts[1], 0u) << name;
    EXPECT_EQ(counts[2], 0u) << name;
    EXPECT_EQ(counts[3], with_at) << name;
    EXPECT_EQ(changed, with_at) << name;
  }
}

TEST(RedactTest, CustomPatternsAndMarker) {
  RedactConfig c;
  c.marker = "[hidden]";
  c.rules = {"email"};
  c.patterns = {{R"((user=)\w+)", R"(\1***)"},
                {R"(ssn \d{3}-\d{2}-\d{4})", ""}};
  Result<Redactor> r = Redactor::Create(c);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->rule_count(), 3u);
  EXPECT_EQ(r->rule_name(1), "pattern_0");
  std::string text = "user=bob ssn 123-45-6789 to a@b.io user=eve";
  uint64_t counts[3] = {0, 0, 0};
  EXPECT_EQ(r->Apply(&text, counts), 4u);
  EXPECT_EQ(text, "user=*** [hidden] to [hidden] user=***");
  EXPECT_EQ(counts[0], 1u);
  EXPECT_EQ(counts[1], 2u);
  EXPECT_EQ(counts[2], 1u);
}

TEST(RedactTest, IdempotentAndCheapWhenNothingMatches) {
  Redactor r = Make({"password", "token", "card", "email"});
  size_t n = 0;
  std::string once =
      Redacted(r, "password=x Authorization: Bearer abcdefghijk", &n);
  EXPECT_EQ(n, 2u);
  EXPECT_EQ(Redacted(r, once, &n), once);
  EXPECT_EQ(n, 0u);
  EXPECT_EQ(Redacted(r, "", &n), "");
  EXPECT_EQ(n, 0u);
}

TEST(RedactTest, BadConfigurationsNameTheProblem) {
  struct Case {
    RedactConfig config;
    std::string want;
  };
  std::vector<Case> cases;
  cases.push_back({RedactConfig{}, "no rules"});
  cases.push_back({RedactConfig{{"cards"}, {}, "<redacted>"},
                   "rules[0]: unknown rule \"cards\""});
  cases.push_back({RedactConfig{{"card", "email", "card"}, {}, "<redacted>"},
                   "rules[2]: rule \"card\" listed twice"});
  cases.push_back({RedactConfig{{}, {{"a(", ""}}, "<redacted>"},
                   "patterns[0]: pattern \"a(\" does not compile"});
  cases.push_back({RedactConfig{{}, {{"x", ""}, {"a*", ""}}, "<redacted>"},
                   "patterns[1]: pattern \"a*\" matches the empty string"});
  cases.push_back({RedactConfig{{}, {{"(a)", "\\2"}}, "<redacted>"},
                   "patterns[0]: replacement \"\\2\""});
  cases.push_back({RedactConfig{{"email"}, {}, ""}, "marker"});
  for (const Case& c : cases) {
    Result<Redactor> r = Redactor::Create(c.config);
    ASSERT_FALSE(r.ok()) << c.want;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr(c.want));
  }
}

}  // namespace
}  // namespace tend::logs
