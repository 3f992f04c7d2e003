#include "logs/sources/multiline.h"

#include <gtest/gtest.h>

namespace tend::logs {
namespace {

TEST(MultilineTest, StartPatternDecidesContinuation) {
  MultilineOptions o;
  o.mode = MultilineMode::kStartPattern;
  o.start_pattern = R"(^\d{4}-\d{2}-\d{2} )";
  auto m = MultilineMatcher::Create(o);
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE((*m)->IsContinuation("2024-01-02 12:00:00 ERROR boom"));
  EXPECT_TRUE((*m)->IsContinuation("java.lang.IllegalStateException: x"));
  EXPECT_TRUE((*m)->IsContinuation("\tat com.example.Foo.bar(Foo.java:10)"));
  EXPECT_TRUE((*m)->IsContinuation(""));
}

TEST(MultilineTest, IndentedKnowsStackTraces) {
  MultilineOptions o;
  o.mode = MultilineMode::kIndented;
  auto m = MultilineMatcher::Create(o);
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE((*m)->IsContinuation("    at Foo.bar(Foo.java:1)"));
  EXPECT_TRUE((*m)->IsContinuation("\tat Foo.bar(Foo.java:1)"));
  EXPECT_TRUE((*m)->IsContinuation("Caused by: java.io.IOException: eof"));
  EXPECT_TRUE((*m)->IsContinuation("Traceback (most recent call last):"));
  EXPECT_FALSE((*m)->IsContinuation("ERROR something failed"));
  EXPECT_FALSE((*m)->IsContinuation(""));
}

TEST(MultilineTest, BadOptionsAreErrors) {
  MultilineOptions o;
  o.mode = MultilineMode::kStartPattern;
  o.start_pattern = "(unclosed";
  auto bad = MultilineMatcher::Create(o);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("(unclosed"), std::string::npos);
  o.start_pattern = "";
  EXPECT_FALSE(MultilineMatcher::Create(o).ok());
  o.start_pattern = "^x";
  o.max_lines = 0;
  EXPECT_FALSE(MultilineMatcher::Create(o).ok());
}

TEST(PendingRecordTest, JoinsLinesAndCapsBytes) {
  PendingRecord r;
  r.Start("first", false, 100, 1, 12);
  r.Append("second", false, 2, 12);
  EXPECT_EQ(r.text(), "first\nsecond");
  EXPECT_FALSE(r.truncated());
  r.Append("third", false, 3, 12);
  EXPECT_EQ(r.text().size(), 12u);
  EXPECT_TRUE(r.truncated());
  EXPECT_EQ(r.lines(), 3u);
  EXPECT_EQ(r.start_offset(), 100u);
  EXPECT_EQ(r.last_line_ns(), 3);
  r.Clear();
  EXPECT_FALSE(r.active());
  r.Start("x", false, 7, 4, 12);
  EXPECT_EQ(r.text(), "x");
  EXPECT_FALSE(r.truncated());
}

}  // namespace
}  // namespace tend::logs
