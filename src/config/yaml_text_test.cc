#include "config/yaml_text.h"

#include <gtest/gtest.h>

namespace tend {
namespace {

TEST(QuoteForMessageTest, EscapesAndTruncates) {
  EXPECT_EQ(QuoteForMessage("fast"), "\"fast\"");
  EXPECT_EQ(QuoteForMessage("a\"b\\c\nd\te\x01"),
            "\"a\\\"b\\\\c\\nd\\te\\x01\"");
  EXPECT_EQ(QuoteForMessage(std::string(100, 'x')),
            "\"" + std::string(60, 'x') + "...\"");
  // 59 ASCII bytes then a 2-byte character straddling the cut: the whole
  // character is dropped rather than split.
  std::string s = std::string(59, 'x') + "\xc3\xa9" + "yyy";
  EXPECT_EQ(QuoteForMessage(s), "\"" + std::string(59, 'x') + "...\"");
}

TEST(YamlQuoteTest, PicksAQuotingStyleThatReadsBack) {
  EXPECT_EQ(YamlQuote(""), "''");
  EXPECT_EQ(YamlQuote("127.0.0.1:9955"), "'127.0.0.1:9955'");
  EXPECT_EQ(YamlQuote("it's"), "'it''s'");
  EXPECT_EQ(YamlQuote("(ram|loop)\\d+"), "'(ram|loop)\\d+'");
  EXPECT_EQ(YamlQuote("a\nb\t\"\\"), "\"a\\nb\\t\\\"\\\\\"");
}

TEST(YamlCommentTest, WrapsAtEightyColumns) {
  EXPECT_EQ(YamlComment("", 0), "");
  EXPECT_EQ(YamlComment("Run it.", 2), "  # Run it.\n");
  EXPECT_EQ(YamlComment("one\ntwo", 0), "# one\n# two\n");
  std::string words;
  for (int i = 0; i < 30; ++i) words += "word ";
  std::string out = YamlComment(words, 4);
  size_t start = 0;
  int lines = 0;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, 80u);
    EXPECT_EQ(out.substr(start, 6), "    # ");
    start = end + 1;
    ++lines;
  }
  EXPECT_EQ(lines, 2);
}

}  // namespace
}  // namespace tend
