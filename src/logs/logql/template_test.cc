#include "logs/logql/template.h"

#include <gtest/gtest.h>

namespace tend::logql {
namespace {

TEST(LogqlTemplateTest, TextAndFields) {
  Template t;
  TemplateError err;
  ASSERT_TRUE(ParseTemplate("a {{.x}} b {{ .y }}{{.x}}", &t, &err))
      << err.message;
  ASSERT_EQ(t.nodes.size(), 5u);
  EXPECT_TRUE(t.nodes[0].is_text);
  EXPECT_EQ(t.nodes[0].text, "a ");
  EXPECT_FALSE(t.nodes[1].is_text);
  ASSERT_EQ(t.nodes[1].pipeline.size(), 1u);
  EXPECT_EQ(t.nodes[1].pipeline[0].func, TemplateFunc::kNone);
  EXPECT_EQ(t.nodes[1].pipeline[0].args[0].text, "x");
  EXPECT_EQ(t.fields, (std::vector<std::string>{"x", "y"}));
}

TEST(LogqlTemplateTest, PipelinesAndFunctions) {
  Template t;
  TemplateError err;
  ASSERT_TRUE(ParseTemplate(
      R"({{ .a | ToUpper | default "none" }}{{ printf "%s-%d" .b 3 }}{{ __line__ | lower }})",
      &t, &err))
      << err.message;
  ASSERT_EQ(t.nodes.size(), 3u);
  const auto& p = t.nodes[0].pipeline;
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[1].func, TemplateFunc::kToUpper);
  EXPECT_EQ(p[2].func, TemplateFunc::kDefault);
  ASSERT_EQ(p[2].args.size(), 1u);
  EXPECT_EQ(p[2].args[0].kind, TemplateArg::Kind::kString);
  EXPECT_EQ(p[2].args[0].text, "none");
  const auto& q = t.nodes[1].pipeline;
  EXPECT_EQ(q[0].func, TemplateFunc::kPrintf);
  ASSERT_EQ(q[0].args.size(), 3u);
  EXPECT_EQ(q[0].args[2].kind, TemplateArg::Kind::kNumber);
  EXPECT_EQ(t.nodes[2].pipeline[0].func, TemplateFunc::kLine);
  EXPECT_EQ(t.nodes[2].pipeline[1].func, TemplateFunc::kToLower);
}

TEST(LogqlTemplateTest, TrimMarkersAndComments) {
  Template t;
  TemplateError err;
  ASSERT_TRUE(ParseTemplate("a  {{- .x -}}  b{{/* c */}}!", &t, &err));
  ASSERT_EQ(t.nodes.size(), 4u);
  EXPECT_EQ(t.nodes[0].text, "a");
  EXPECT_EQ(t.nodes[2].text, "b");
  EXPECT_EQ(t.nodes[3].text, "!");
}

TEST(LogqlTemplateTest, ErrorsCarryOffsets) {
  Template t;
  TemplateError err;
  EXPECT_FALSE(ParseTemplate("ab {{ .x | nope }}", &t, &err));
  EXPECT_EQ(err.message, "unknown template function");
  EXPECT_EQ(err.offset, 11u);
  EXPECT_FALSE(ParseTemplate("{{ .x }} {{ .y", &t, &err));
  EXPECT_EQ(err.message, "unclosed action");
  EXPECT_EQ(err.offset, 9u);
  EXPECT_FALSE(ParseTemplate("{{ __line__ .a }}", &t, &err));
  EXPECT_EQ(err.offset, 3u);
  EXPECT_FALSE(ParseTemplate("{{ .a | .b }}", &t, &err));
  EXPECT_EQ(err.message, "only a function can follow '|'");
  EXPECT_FALSE(ParseTemplate("{{ \"x }}", &t, &err));
  EXPECT_FALSE(ParseTemplate("{{ .a | }}", &t, &err));
  EXPECT_EQ(err.message, "missing command");
}

}  // namespace
}  // namespace tend::logql
