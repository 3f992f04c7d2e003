#include "logs/store/token_bloom.h"

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace tend::logs {
namespace {

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::vector<uint64_t> BloomOf(const std::vector<std::string>& lines) {
  TokenKeySet ks;
  for (const auto& l : lines) ks.AddLine(l);
  return BuildBloom(ks.keys());
}

TEST(TokenBloom, RequiredKeysFollowTheTokenRule) {
  // Runs of >= 4 bytes give their 4-grams: "failed" has 3.
  EXPECT_EQ(RequiredKeys("Failed").size(), 3u);
  EXPECT_EQ(RequiredKeys("FAILED"), RequiredKeys("failed"));
  // Short runs at either end of the filter may be parts of longer tokens.
  EXPECT_TRUE(RequiredKeys("ab").empty());
  EXPECT_TRUE(RequiredKeys("ab cd").empty());
  EXPECT_TRUE(RequiredKeys("").empty());
  EXPECT_TRUE(RequiredKeys("::").empty());
  // A short run bounded inside the filter is a whole token.
  EXPECT_EQ(RequiredKeys(" 500 ").size(), 1u);
  EXPECT_EQ(RequiredKeys("a 500 b").size(), 1u);
  // Non-ASCII bytes separate tokens.
  EXPECT_EQ(RequiredKeys("caf\xc3\xa9").size(), 0u);
  EXPECT_EQ(RequiredKeys("\xc3\xa9tait\xc3\xa9").size(), 1u);
}

TEST(TokenBloom, SkipsBlocksWithoutTheWord) {
  const auto lines = ReadLines("../shared/data/loghub/Apache_2k.log");
  ASSERT_GT(lines.size(), 1000u);
  const auto bloom = BloomOf(lines);
  EXPECT_TRUE(BloomMayContainAll(bloom, RequiredKeys("workerEnv")));
  EXPECT_TRUE(BloomMayContainAll(bloom, RequiredKeys("[error]")));
  EXPECT_FALSE(BloomMayContainAll(bloom, RequiredKeys("Failed password")));
  EXPECT_FALSE(BloomMayContainAll(bloom, RequiredKeys("zqxjkvwq")));
  // No index: everything may match.
  EXPECT_TRUE(BloomMayContainAll({}, RequiredKeys("zqxjkvwq")));
}

// The guarantee: a block never rules out a substring of one of its lines,
// whatever its case, length or position across token boundaries.
TEST(TokenBloom, NeverRulesOutASubstringOfALine) {
  std::mt19937 rng(42);
  for (const char* file : {"Apache_2k.log", "Linux_2k.log", "OpenSSH_2k.log"}) {
    const auto lines = ReadLines(std::string("../shared/data/loghub/") + file);
    ASSERT_GT(lines.size(), 1000u) << file;
    for (size_t start = 0; start + 200 <= lines.size(); start += 200) {
      std::vector<std::string> block(lines.begin() + start,
                                     lines.begin() + start + 200);
      const auto bloom = BloomOf(block);
      for (int k = 0; k < 300; ++k) {
        const std::string& l = block[rng() % block.size()];
        if (l.empty()) continue;
        const size_t b = rng() % l.size();
        const size_t n = 1 + rng() % std::min<size_t>(40, l.size() - b);
        std::string f = l.substr(b, n);
        if (rng() % 2) {
          for (char& c : f) c = static_cast<char>(std::toupper(c));
        }
        ASSERT_TRUE(BloomMayContainAll(bloom, RequiredKeys(f)))
            << file << ": ruled out \"" << f << "\" from \"" << l << "\"";
      }
    }
  }
}

TEST(TokenBloom, ShortTokensOnlyWhenBounded) {
  const auto bloom = BloomOf({"GET /index.html 200 1043"});
  EXPECT_TRUE(BloomMayContainAll(bloom, RequiredKeys(" 200 ")));
  EXPECT_FALSE(BloomMayContainAll(bloom, RequiredKeys(" 500 ")));
  // "50" may be the start of "500x" or the end of "x50": not usable.
  EXPECT_TRUE(RequiredKeys("50").empty());
  // "043" ends the filter: it may be a part of "1043", so it must pass.
  EXPECT_TRUE(BloomMayContainAll(bloom, RequiredKeys(" 043")));
  EXPECT_TRUE(BloomMayContainAll(bloom, RequiredKeys("0 10")));
}

TEST(TokenBloom, KeySetResetForgetsKeys) {
  TokenKeySet ks;
  ks.AddLine("alpha beta");
  const size_t n = ks.keys().size();
  EXPECT_GT(n, 0u);
  ks.AddLine("alpha beta");
  EXPECT_EQ(ks.keys().size(), n);  // Deduplicated.
  ks.Reset();
  EXPECT_TRUE(ks.keys().empty());
  ks.AddLine("alpha");
  EXPECT_EQ(ks.keys().size(), 2u);  // alph, lpha
}

}  // namespace
}  // namespace tend::logs
