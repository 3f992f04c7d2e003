#include "config/config_error.h"

#include <gtest/gtest.h>

namespace tend {
namespace {

TEST(ConfigErrorTest, ToStringShowsWhatIsKnown) {
  EXPECT_EQ(
      (ConfigError{"tend.yml", 3, 13, "agent.interval", "bad"}).ToString(),
      "tend.yml:3:13: agent.interval: bad");
  EXPECT_EQ((ConfigError{"tend.yml", 4, 3, "", "unknown key"}).ToString(),
            "tend.yml:4:3: unknown key");
  EXPECT_EQ((ConfigError{"tend.yml", 0, 0, "", "too big"}).ToString(),
            "tend.yml: too big");
}

TEST(ConfigErrorsTest, StatusListsEveryErrorOnItsOwnLine) {
  ConfigErrors errors("a.yml");
  EXPECT_TRUE(errors.ToStatus().ok());
  errors.Add(1, 2, "x", "first");
  errors.Add(3, 4, "", "second");
  Status s = errors.ToStatus();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "a.yml:1:2: x: first\na.yml:3:4: second");
  EXPECT_EQ(errors.count(), 2u);
}

TEST(ConfigErrorsTest, CapsTheMessage) {
  ConfigErrors errors("a.yml");
  for (int i = 0; i < 105; ++i) errors.Add(i + 1, 1, "", "e");
  EXPECT_EQ(errors.errors().size(), ConfigErrors::kMaxReported);
  EXPECT_EQ(errors.count(), 105u);
  std::string m = errors.ToStatus().message();
  EXPECT_NE(m.find("a.yml:100:1: e\n... and 5 more errors"), std::string::npos)
      << m;
  EXPECT_EQ(m.find("a.yml:101:1"), std::string::npos);
}

}  // namespace
}  // namespace tend
