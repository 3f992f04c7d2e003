#include "http/exposition_parser.h"

#include <gtest/gtest.h>

#include <cmath>

namespace tend {
namespace {

TEST(ExpositionParserTest, FamiliesTypesAndSuffixes) {
  auto r = ParseExposition(
      "# HELP go_gc_duration_seconds A summary.\n"
      "# TYPE go_gc_duration_seconds summary\n"
      "go_gc_duration_seconds{quantile=\"0\"} 2.1e-05\n"
      "go_gc_duration_seconds_sum 0.5\n"
      "go_gc_duration_seconds_count 12\n"
      "# TYPE node_load1 gauge\n"
      "node_load1 0.25\n"
      "plain_metric{a=\"b\",} 7 1700000000000\n",
      "t");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].type, "summary");
  EXPECT_EQ((*r)[0].samples.size(), 3u);
  EXPECT_EQ((*r)[0].samples[1].name, "go_gc_duration_seconds_sum");
  EXPECT_EQ((*r)[1].name, "node_load1");
  EXPECT_DOUBLE_EQ((*r)[1].samples[0].value, 0.25);
  EXPECT_EQ((*r)[2].type, "untyped");
  ASSERT_TRUE((*r)[2].samples[0].timestamp.has_value());
  EXPECT_EQ(*(*r)[2].samples[0].timestamp, 1700000000000.0);
}

TEST(ExpositionParserTest, SpecialValues) {
  auto r = ParseExposition("a +Inf\nb -Inf\nc NaN\n", "t");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(std::isinf((*r)[0].samples[0].value));
  EXPECT_LT((*r)[1].samples[0].value, 0);
  EXPECT_TRUE(std::isnan((*r)[2].samples[0].value));
}

struct BadCase {
  const char* text;
  const char* error;
};

TEST(ExpositionParserTest, ErrorsNamePosition) {
  const BadCase cases[] = {
      {"ok 1\n9bad 1\n", "t:2:1: expected a metric name"},
      {"m{a=\"x} 1\n", "t:1:10: unterminated value of label a"},
      {"m{a=\"x\" b=\"y\"} 1\n", "t:1:9: expected ',' or '}' in label set"},
      {"m 12abc\n", "t:1:3: invalid value \"12abc\""},
      {"m{a=\"1\",a=\"2\"} 1\n", "t:1:9: duplicate label a"},
      {"# TYPE m gauge\n# TYPE m counter\n", "t:2:1: second TYPE line for m"},
      {"# TYPE m sparkly\n", "t:1:1: unknown metric type \"sparkly\""},
      {"m\n", "t:1:2: expected a value after m"},
      {"m{a=\"\\q\"} 1\n", "t:1:6: invalid escape \\q in label a"},
  };
  for (const BadCase& c : cases) {
    auto r = ParseExposition(c.text, "t");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().message(), c.error) << c.text;
  }
}

TEST(ExpositionParserTest, Limits) {
  ParseLimits limits;
  limits.max_bytes = 10;
  auto r = ParseExposition("metric_name 1\n", "t", limits);
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
}

TEST(ExpositionParserTest, StopsAtEof) {
  auto r = ParseExposition("a 1\n# EOF\ngarbage{{{\n", "t");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 1u);
}

}  // namespace
}  // namespace tend

namespace tend {
namespace {

TEST(ExpositionStreamTest, HandsOverEachSampleWithFamilyAndLine) {
  const char* text =
      "# TYPE c counter\n# HELP c Things.\nc_total{a=\"1\"} 1 10.5\n"
      "c_total{a=\"1\"} 2 11\ng 3\n# EOF\nignored 1\n";
  std::vector<std::string> seen;
  Status s = ParseExpositionStream(
      text, "in.txt", [&](const ParsedFamily& f, ParsedSample& smp) {
        seen.push_back(
            f.name + "/" + f.type + "/" + smp.name + "@" +
            std::to_string(smp.line) + "=" + std::to_string(smp.value) +
            (smp.timestamp ? "t" + std::to_string(*smp.timestamp) : ""));
        return Status::Ok();
      });
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], "c/counter/c_total@3=1.000000t10.500000");
  EXPECT_EQ(seen[2], "g/untyped/g@5=3.000000");
}

TEST(ExpositionStreamTest, SinkErrorStopsTheParse) {
  int calls = 0;
  Status s = ParseExpositionStream(
      "a 1\nb 2\nc 3\n", "in", [&](const ParsedFamily&, ParsedSample&) {
        ++calls;
        return calls == 2 ? InvalidArgumentError("stop") : Status::Ok();
      });
  EXPECT_EQ(s.message(), "stop");
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace tend
