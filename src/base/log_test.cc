#include "base/log.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace tend {
namespace {

constexpr long long kT = 1764092400123;  // 2025-11-25T17:40:00.123Z

TEST(LogTest, HumanLine) {
  std::string line =
      FormatLogLine(LogFormat::kHuman, kT, LogLevel::kWarn, "collector failed",
                    {{"collector", "pressure"}, {"err", "no such file"}});
  EXPECT_EQ(line,
            "2025-11-25T17:40:00.123Z WARN  collector failed "
            "collector=pressure err=\"no such file\"");
}

TEST(LogTest, JsonLineIsValidJson) {
  std::string line = FormatLogLine(LogFormat::kJson, kT, LogLevel::kError,
                                   "bad \"config\"\n", {{"line", 3}});
  nlohmann::json j = nlohmann::json::parse(line);
  EXPECT_EQ(j["ts"], "2025-11-25T17:40:00.123Z");
  EXPECT_EQ(j["level"], "error");
  EXPECT_EQ(j["msg"], "bad \"config\"\n");
  EXPECT_EQ(j["line"], "3");
}

TEST(LogTest, LevelFilterAndSink) {
  std::vector<std::string> lines;
  SetLogSinkForTesting([&](std::string_view l) { lines.emplace_back(l); });
  SetLogLevel(LogLevel::kWarn);
  LogInfo("hidden");
  LogWarn("shown");
  SetLogLevel(LogLevel::kInfo);
  SetLogSinkForTesting(nullptr);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("shown"), std::string::npos);
}

TEST(LogTest, ParseLevelAndFormat) {
  EXPECT_EQ(*ParseLogLevel("debug"), LogLevel::kDebug);
  EXPECT_FALSE(ParseLogLevel("loud").ok());
  EXPECT_EQ(*ParseLogFormat("json"), LogFormat::kJson);
  EXPECT_FALSE(ParseLogFormat("xml").ok());
}

}  // namespace
}  // namespace tend
