#include "automate/deploy/deploy_state.h"

#include <gtest/gtest.h>

namespace tend::automate::deploy {
namespace {

TEST(DeployStateTest, RoundTripsEveryField) {
  DeployState s;
  s.current = "r2";
  s.rolled_back_from = "r3";
  s.releases.push_back({.id = "r1",
                        .outcome = Outcome::kHealthy,
                        .created = "2024-01-01T00:00:00.000Z",
                        .switched = "2024-01-01T00:00:01.000Z",
                        .finished = "2024-01-01T00:00:05.000Z"});
  s.releases.push_back({.id = "r3",
                        .outcome = Outcome::kFailed,
                        .created = "c",
                        .message = "health check failed"});
  std::string text = SerializeDeployState(s);
  auto back = ParseDeployState(text, "f.json");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->current, "r2");
  EXPECT_EQ(back->rolled_back_from, "r3");
  ASSERT_EQ(back->releases.size(), 2u);
  EXPECT_EQ(back->releases[0].switched, "2024-01-01T00:00:01.000Z");
  EXPECT_EQ(back->releases[1].outcome, Outcome::kFailed);
  EXPECT_EQ(back->releases[1].message, "health check failed");
  EXPECT_EQ(SerializeDeployState(*back), text);
}

TEST(DeployStateTest, ErrorsNameTheFileAndTheEntry) {
  auto r = ParseDeployState("{not json", "/app/.tend-deploy.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/app/.tend-deploy.json"),
            std::string::npos);
  r = ParseDeployState(
      R"({"releases":[{"id":"a"},{"id":"b","outcome":"great"}]})", "f");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("releases[1]"), std::string::npos);
  EXPECT_NE(r.status().message().find("'great'"), std::string::npos);
  r = ParseDeployState(R"({"releases":[{"outcome":"healthy"}]})", "f");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no 'id'"), std::string::npos);
  r = ParseDeployState(R"({"current": 3})", "f");
  EXPECT_FALSE(r.ok());
}

TEST(DeployStateTest, UpsertMovesARedeployToTheEndAndLastHealthySkips) {
  DeployState s;
  s.Upsert("a").outcome = Outcome::kHealthy;
  s.Upsert("b").outcome = Outcome::kHealthy;
  s.Upsert("c").outcome = Outcome::kFailed;
  ASSERT_NE(s.LastHealthy(), nullptr);
  EXPECT_EQ(s.LastHealthy()->id, "b");
  EXPECT_EQ(s.LastHealthy("b")->id, "a");
  s.Upsert("a");
  ASSERT_EQ(s.releases.size(), 3u);
  EXPECT_EQ(s.releases.back().id, "a");
  EXPECT_EQ(s.releases.back().outcome, Outcome::kHealthy);
  s.Remove("b");
  s.Remove("a");
  EXPECT_EQ(s.LastHealthy(), nullptr);
}

}  // namespace
}  // namespace tend::automate::deploy
