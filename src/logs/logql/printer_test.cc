#include "logs/logql/printer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "logs/logql/parser.h"

namespace tend::logql {
namespace {

// Parses `q`, prints it, parses the print and prints again: both prints
// must agree, and the second parse must succeed.
std::string RoundTrip(const std::string& q) {
  auto e = ParseLogQL(q);
  EXPECT_TRUE(e.ok()) << q << ": " << e.status().message();
  if (!e.ok()) return "";
  const std::string printed = ToString(**e);
  auto again = ParseLogQL(printed);
  EXPECT_TRUE(again.ok()) << printed << ": " << again.status().message();
  if (!again.ok()) return "";
  EXPECT_EQ(ToString(**again), printed) << q;
  return printed;
}

// Every combination of selector x pipeline x metric wrapper round-trips.
TEST(LogqlPrinterTest, CombinationsRoundTrip) {
  const std::vector<std::string> selectors = {
      R"({app="sshd"})",
      R"({app="sshd", host=~"web.*", env!="dev", job!~"a|b"})",
      R"({path="C:\\logs\\\"x\"", tab="a	b"})",
  };
  const std::vector<std::string> pipelines = {
      "",
      R"( |= "Failed password" != "invalid user")",
      R"( |~ "(?i)error" or "warn" !~ "\\d{3}")",
      R"q( | regexp "(?P<user>\\w+) from (?P<ip>[\\d.]+)" | ip=~"10\\..*")q",
      R"( | pattern "<_> sshd[<pid>]: <msg>" | pid > 100 or msg="x" and pid < 5)",
      R"( | json a="b.c[0]", d | line_format "{{ .a | ToUpper }} {{.d}}")",
      R"( | logfmt --strict | (a=1 or b=2) c="d" | label_format x=y, z="{{.x}}")",
      R"( | unpack | drop a, b="c" | keep d | decolorize)",
      R"( | logfmt | size > 1.5MiB, took <= 1h2m3.5s)",
  };
  const std::vector<std::pair<std::string, std::string>> wrappers = {
      {"", ""},
      {"count_over_time(", " [5m])"},
      {"sum by (host) (rate(", "[1m] offset 2h))"},
      {"topk(5, bytes_rate(", " [90s])) / 2 ^ 3 ^ 1"},
      {"(1 - absent_over_time(", " [1h])) > bool -1"},
  };
  int n = 0;
  for (const auto& s : selectors) {
    for (const auto& p : pipelines) {
      for (const auto& [pre, post] : wrappers) {
        RoundTrip(pre + s + p + post);
        ++n;
      }
      RoundTrip("quantile_over_time(0.95, " + s + p +
                " | unwrap bytes(size) | __error__=\"\" [5m]) by (a, b)");
      ++n;
    }
  }
  EXPECT_EQ(n, 3 * 9 * 6);
}

TEST(LogqlPrinterTest, StringsAreQuotedCanonically) {
  EXPECT_EQ(RoundTrip("{a=`x\"y\\z`}"), R"({a="x\"y\\z"})");
  EXPECT_EQ(RoundTrip(R"({a="\a\x00\u00ff"})"), "{a=\"\\x07\\x00\xc3\xbf\"}");
  EXPECT_EQ(RoundTrip("{a=\"tab\\there\"}"), R"({a="tab\there"})");
}

TEST(LogqlPrinterTest, ParenthesesOnlyWherePrecedenceNeedsThem) {
  EXPECT_EQ(RoundTrip("((1 + 2)) * (3)"), "(1 + 2) * 3");
  EXPECT_EQ(RoundTrip("1 + (2 * 3)"), "1 + 2 * 3");
  EXPECT_EQ(RoundTrip("(1 + 2) + 3"), "1 + 2 + 3");
  EXPECT_EQ(RoundTrip("1 + (2 + 3)"), "1 + (2 + 3)");
  EXPECT_EQ(RoundTrip("vector(1)+vector(1)"), "vector(1) + vector(1)");
  EXPECT_EQ(RoundTrip("vector(1) > bool 0"), "vector(1) > bool 0");
  EXPECT_EQ(RoundTrip("2 ^ (3 ^ 2)"), "2 ^ 3 ^ 2");
  EXPECT_EQ(RoundTrip("(2 ^ 3) ^ 2"), "(2 ^ 3) ^ 2");
  EXPECT_EQ(RoundTrip(R"({a="b"} | (x=1 or y=2) and z=3)"),
            R"({a="b"} | (x == 1 or y == 2) and z == 3)");
  EXPECT_EQ(RoundTrip(R"({a="b"} | x=1 or (y=2 and z=3))"),
            R"({a="b"} | x == 1 or y == 2 and z == 3)");
}

TEST(LogqlPrinterTest, NumbersPrintShortest) {
  EXPECT_EQ(RoundTrip("0.1 + 1e6 + 1.5e-7 + 00012 + .5"),
            "0.1 + 1e+06 + 1.5e-07 + 12 + 0.5");
}

TEST(LogqlPrinterTest, LoghubSshdQueries) {
  // Queries one would run over the OpenSSH sample.
  EXPECT_EQ(
      RoundTrip(
          R"q(sum by (ip) (count_over_time({app="sshd"} |= "Failed password" | regexp `from (?P<ip>\S+) port (?P<port>\d+)` [1h])))q"),
      R"q(sum by (ip) (count_over_time({app="sshd"} |= "Failed password" | regexp "from (?P<ip>\\S+) port (?P<port>\\d+)" [1h])))q");
  EXPECT_EQ(
      RoundTrip(
          R"({app="sshd"} | pattern "<_> <_> <_> <host> sshd[<pid>]: <msg>" | line_format "{{.host}} {{.msg}}")"),
      R"({app="sshd"} | pattern "<_> <_> <_> <host> sshd[<pid>]: <msg>" | line_format "{{.host}} {{.msg}}")");
}

}  // namespace
}  // namespace tend::logql
