// PipelineRunner on single lines: each stage kind against expectations
// written from Loki's documentation.
#include "logs/query/pipeline.h"

#include <gtest/gtest.h>

#include "logs/logql/parser.h"
#include "logs/query/query.h"

namespace tend::logql {
namespace {

struct Ran {
  bool kept = false;
  std::string line;
  Labels labels;
};

Ran RunOne(const std::string& query, const std::string& line,
           Labels stream = {{"app", "web"}}) {
  auto parsed = ParseLogQL(query);
  EXPECT_TRUE(parsed.ok()) << query << ": " << parsed.status().ToString();
  if (!parsed.ok()) return {};
  const auto& expr = static_cast<const LogQueryExpr&>(**parsed);
  PipelineRunner run(expr.pipeline);
  Ran r;
  r.kept = run.Run(stream, line);
  if (!r.kept) return r;
  r.line = std::string(run.line());
  if (run.labels_touched()) {
    run.labels().ToLabels(&r.labels);
  } else {
    r.labels = stream;
  }
  return r;
}

std::string Get(const Labels& ls, std::string_view name) {
  return std::string(GetLabel(ls, name));
}

TEST(PipelineTest, LineFilters) {
  EXPECT_TRUE(RunOne(R"({app="web"} |= "err")", "an error").kept);
  EXPECT_FALSE(RunOne(R"({app="web"} |= "ERR")", "an error").kept);
  EXPECT_FALSE(RunOne(R"({app="web"} != "err")", "an error").kept);
  EXPECT_TRUE(RunOne(R"({app="web"} |~ "e.r")", "an error").kept);
  EXPECT_FALSE(RunOne(R"({app="web"} !~ "(?i)ERROR")", "an error").kept);
  EXPECT_TRUE(RunOne(R"({app="web"} |= "x" or "err")", "an error").kept);
  EXPECT_FALSE(RunOne(R"({app="web"} != "x" or "err")", "an error").kept);
  EXPECT_TRUE(RunOne(R"({app="web"} != "x" or "y")", "an error").kept);
}

TEST(PipelineTest, JsonAllFlattensAndSkipsArrays) {
  Ran r =
      RunOne(R"({app="web"} | json)",
             R"({"status":503,"req":{"method":"GET","p-ath":"/a"},"arr":[1,2],)"
             R"("ok":true,"n":null,"app":"x","1st":"y","msg":"a\"b"})");
  ASSERT_TRUE(r.kept);
  EXPECT_EQ(Get(r.labels, "status"), "503");
  EXPECT_EQ(Get(r.labels, "req_method"), "GET");
  EXPECT_EQ(Get(r.labels, "req_p_ath"), "/a");
  EXPECT_EQ(Get(r.labels, "arr"), "");
  EXPECT_EQ(Get(r.labels, "ok"), "true");
  EXPECT_EQ(Get(r.labels, "app"), "web");  // Stream label untouched.
  EXPECT_EQ(Get(r.labels, "app_extracted"), "x");
  EXPECT_EQ(Get(r.labels, "_1st"), "y");
  EXPECT_EQ(Get(r.labels, "msg"), "a\"b");
  EXPECT_EQ(Get(r.labels, "__error__"), "");
}

TEST(PipelineTest, JsonErrorKeepsLineWithError) {
  Ran r = RunOne(R"({app="web"} | json)", "not json at all");
  ASSERT_TRUE(r.kept);
  EXPECT_EQ(Get(r.labels, "__error__"), "JSONParserErr");
  EXPECT_FALSE(Get(r.labels, "__error_details__").empty());
  EXPECT_FALSE(RunOne(R"({app="web"} | json | __error__="")", "not json").kept);
  EXPECT_TRUE(
      RunOne(R"({app="web"} | json | __error__="")", R"({"a":1})").kept);
}

TEST(PipelineTest, JsonPaths) {
  Ran r = RunOne(
      R"({app="web"} | json first="servers[0]", ua="headers[\"User-Agent\"]", nested="a.b", obj="a", missing="zz")",
      R"({"servers":["s1","s2"],"headers":{"User-Agent":"curl"},"a":{"b":7}})");
  ASSERT_TRUE(r.kept);
  EXPECT_EQ(Get(r.labels, "first"), "s1");
  EXPECT_EQ(Get(r.labels, "ua"), "curl");
  EXPECT_EQ(Get(r.labels, "nested"), "7");
  EXPECT_EQ(Get(r.labels, "obj"), R"({"b":7})");
  EXPECT_TRUE(GetLabel(r.labels, "missing").empty());
  bool has_missing = false;
  for (const Label& l : r.labels) has_missing |= l.name == "missing";
  EXPECT_TRUE(has_missing);
}

TEST(PipelineTest, Logfmt) {
  Ran r = RunOne(R"({app="web"} | logfmt)",
                 R"(level=info msg="hello \"w\"" dur=1.5s empty= flag)");
  ASSERT_TRUE(r.kept);
  EXPECT_EQ(Get(r.labels, "level"), "info");
  EXPECT_EQ(Get(r.labels, "msg"), "hello \"w\"");
  EXPECT_EQ(Get(r.labels, "dur"), "1.5s");
  bool has_empty = false;
  for (const Label& l : r.labels) has_empty |= l.name == "empty";
  EXPECT_FALSE(has_empty);
  Ran k = RunOne(R"({app="web"} | logfmt --keep-empty)", "a=1 flag");
  bool has_flag = false;
  for (const Label& l : k.labels) has_flag |= l.name == "flag";
  EXPECT_TRUE(has_flag);
  Ran bad = RunOne(R"({app="web"} | logfmt --strict)", R"(a=1 b="open)");
  EXPECT_EQ(Get(bad.labels, "__error__"), "LogfmtParserErr");
  EXPECT_EQ(Get(bad.labels, "a"), "1");
  Ran lenient = RunOne(R"({app="web"} | logfmt)", R"(a=1 =x c=3)");
  EXPECT_EQ(Get(lenient.labels, "__error__"), "");
  EXPECT_EQ(Get(lenient.labels, "c"), "3");
}

TEST(PipelineTest, RegexpAndPattern) {
  const std::string line =
      R"(10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326)";
  Ran r = RunOne(
      R"({app="web"} | regexp `^(?P<ip>\S+) .* "(?P<method>\w+) (?P<path>\S+)`)",
      line);
  EXPECT_EQ(Get(r.labels, "ip"), "10.0.0.1");
  EXPECT_EQ(Get(r.labels, "method"), "GET");
  EXPECT_EQ(Get(r.labels, "path"), "/a.gif");
  Ran p = RunOne(
      R"({app="web"} | pattern `<ip> - - [<_>] "<method> <path> <_>" <status> <size>`)",
      line);
  EXPECT_EQ(Get(p.labels, "ip"), "10.0.0.1");
  EXPECT_EQ(Get(p.labels, "method"), "GET");
  EXPECT_EQ(Get(p.labels, "status"), "200");
  EXPECT_EQ(Get(p.labels, "size"), "2326");
  // A literal that is absent: the capture before it takes the rest.
  Ran part = RunOne(R"({app="web"} | pattern `<a> | <b>`)", "x y z");
  EXPECT_EQ(Get(part.labels, "a"), "x y z");
  EXPECT_EQ(Get(part.labels, "b"), "");
}

TEST(PipelineTest, LabelFiltersAndFormats) {
  const std::string line = R"({"status":"503","path":"/api","dur":"250ms"})";
  EXPECT_TRUE(RunOne(R"({app="web"} | json | status >= 500)", line).kept);
  EXPECT_FALSE(RunOne(R"({app="web"} | json | status < 500)", line).kept);
  EXPECT_TRUE(RunOne(R"({app="web"} | json | dur > 100ms)", line).kept);
  EXPECT_FALSE(
      RunOne(R"({app="web"} | json | path="/x" or status=200)", line).kept);
  Ran f = RunOne(
      R"({app="web"} | json | line_format "{{.status}} {{.path | ToUpper}} {{ printf \"%5s|\" .status }}")",
      line);
  EXPECT_EQ(f.line, "503 /API   503|");
  Ran lf = RunOne(
      R"({app="web"} | json | label_format code=status, where="{{.path}}!")",
      line);
  EXPECT_EQ(Get(lf.labels, "code"), "503");
  EXPECT_EQ(Get(lf.labels, "status"), "");
  EXPECT_EQ(Get(lf.labels, "where"), "/api!");
  Ran d = RunOne(R"({app="web"} | json | drop path, status="1")", line);
  EXPECT_EQ(Get(d.labels, "path"), "");
  EXPECT_EQ(Get(d.labels, "status"), "503");
  Ran k = RunOne(R"({app="web"} | json | keep path)", line);
  ASSERT_EQ(k.labels.size(), 1u);
  EXPECT_EQ(k.labels[0].name, "path");
  Ran c = RunOne(R"({app="web"} | decolorize)", "\x1b[31mred\x1b[0m text");
  EXPECT_EQ(c.line, "red text");
}

TEST(PipelineTest, UnpackReplacesLine) {
  Ran r = RunOne(R"({app="web"} | unpack)",
                 R"({"_entry":"the original","pod":"p1","n":3})");
  EXPECT_EQ(r.line, "the original");
  EXPECT_EQ(Get(r.labels, "pod"), "p1");
  EXPECT_EQ(Get(r.labels, "n"), "");
}

TEST(PipelineTest, RequiredSubstrings) {
  auto parsed = ParseLogQL(
      R"({a="b"} |= "x" |= "y" or "z" |~ "r" | json |= "w" | line_format "{{.a}}" |= "v")");
  ASSERT_TRUE(parsed.ok());
  const auto& e = static_cast<const LogQueryExpr&>(**parsed);
  EXPECT_EQ(RequiredSubstrings(e.pipeline),
            (std::vector<std::string>{"x", "w"}));
}

}  // namespace
}  // namespace tend::logql
