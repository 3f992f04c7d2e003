#include "promql/parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "promql/functions_table.h"

namespace tend::promql {
namespace {

using ::testing::HasSubstr;

// Valid queries and the canonical form ExprToString prints for them.
struct ValidCase {
  const char* query;
  const char* printed;
};

const ValidCase kValid[] = {
    // Literals.
    {"1", "1"},
    {"+Inf", "+Inf"},
    {"-Inf", "-Inf"},
    {"inf", "+Inf"},
    {"NaN", "NaN"},
    {"nAN", "NaN"},
    {"-NaN", "NaN"},
    {".5", "0.5"},
    {"5.", "5"},
    {"-5", "-5"},
    {"+5", "5"},
    {"- -5", "5"},
    {"0x123", "291"},
    {"0X1f", "31"},
    {"017", "15"},
    {"09", "9"},
    {"1e3", "1000"},
    {"1e6", "1e+06"},
    {"123456", "123456"},
    {"1234567", "1.234567e+06"},
    {"0.0001", "0.0001"},
    {"0.00001", "1e-05"},
    {"1.5e-3", "0.0015"},
    {"4.23", "4.23"},
    {"99999999999999999999", "1e+20"},
    {"1e-400", "0"},
    {"\"double-quoted string \\\" with escaped quote\"",
     "\"double-quoted string \\\" with escaped quote\""},
    {"'single-quoted string \\' with escaped quote'",
     "\"single-quoted string ' with escaped quote\""},
    {"`backtick-quoted string`", "\"backtick-quoted string\""},
    {"\"\\a\\b\\f\\n\\r\\t\\v\\\\\"", "\"\\a\\b\\f\\n\\r\\t\\v\\\\\""},
    {"\"\\x41\\101\\u00e9\\U0001F600\"", "\"AAé😀\""},
    {"`raw \\n`", "\"raw \\\\n\""},
    {"\"\\xff\"", "\"\\xff\""},
    // Scalar arithmetic and precedence.
    {"1 + 1", "1 + 1"},
    {"1 - 1", "1 - 1"},
    {"1 * 1", "1 * 1"},
    {"1 % 1", "1 % 1"},
    {"1 / 1", "1 / 1"},
    {"1 == bool 1", "1 == bool 1"},
    {"1 != bool 1", "1 != bool 1"},
    {"1 > bool 1", "1 > bool 1"},
    {"1 >= bool 1", "1 >= bool 1"},
    {"1 < bool 1", "1 < bool 1"},
    {"1 <= bool 1", "1 <= bool 1"},
    {"+1 + -2 * 1", "1 + -2 * 1"},
    {"1 + 2/(3*1)", "1 + 2 / (3 * 1)"},
    {"1 < bool 2 - 1 * 2", "1 < bool 2 - 1 * 2"},
    {"-1^2", "-1 ^ 2"},
    {"2^3^2", "2 ^ 3 ^ 2"},
    {"2 ^ -1", "2 ^ -1"},
    {"Inf ^ 2", "Inf ^ 2"},
    {"+Inf ^ -1 ^ 2", "+Inf ^ -1 ^ 2"},
    {"1 + Inf ^ 2", "1 + Inf ^ 2"},
    {"1 atan2 2", "1 atan2 2"},
    // Vector arithmetic, set operators and matching.
    {"-some_metric", "-some_metric"},
    {"+some_metric", "+some_metric"},
    {" +some_metric", "+some_metric"},
    {"foo * bar", "foo * bar"},
    {"foo * sum", "foo * sum"},
    {"foo == 1", "foo == 1"},
    {"foo == bool 1", "foo == bool 1"},
    {"2.5 / bar", "2.5 / bar"},
    {"foo and bar", "foo and bar"},
    {"foo or bar", "foo or bar"},
    {"foo unless bar", "foo unless bar"},
    {"foo + bar or bla and blub", "foo + bar or bla and blub"},
    {"foo and bar unless baz or qux", "foo and bar unless baz or qux"},
    {"bar + on(foo) bla / on(baz, buz) group_right(test) blub",
     "bar + on (foo) bla / on (baz, buz) group_right (test) blub"},
    {"foo * on(test,blub) bar", "foo * on (test, blub) bar"},
    {"foo * on(test,blub) group_left bar",
     "foo * on (test, blub) group_left () bar"},
    {"foo and on(test,blub) bar", "foo and on (test, blub) bar"},
    {"foo and on() bar", "foo and on () bar"},
    {"foo and ignoring(test,blub) bar", "foo and ignoring (test, blub) bar"},
    {"foo and ignoring() bar", "foo and bar"},
    {"foo unless on(bar) baz", "foo unless on (bar) baz"},
    {"foo / on(test,blub) group_left(bar) bar",
     "foo / on (test, blub) group_left (bar) bar"},
    {"foo / ignoring(test,blub) group_left(blub) bar",
     "foo / ignoring (test, blub) group_left (blub) bar"},
    {"foo - on(test,blub) group_right(bar,foo) bar",
     "foo - on (test, blub) group_right (bar, foo) bar"},
    {"foo - ignoring(test,blub) group_right(bar,foo,) bar",
     "foo - ignoring (test, blub) group_right (bar, foo) bar"},
    {"foo * ignoring() group_left bar", "foo * ignoring () group_left () bar"},
    {"foo == bool on(a) bar", "foo == bool on (a) bar"},
    {"1 + on() foo", "1 + foo"},
    {"foo atan2 bar", "foo atan2 bar"},
    {"foo atan2 on(a) bar", "foo atan2 on (a) bar"},
    // Selectors.
    {"foo", "foo"},
    {"min", "min"},
    {"sum", "sum"},
    {"by", "by"},
    {"offset", "offset"},
    {"start", "start"},
    {"end", "end"},
    {"and", "and"},
    {"foo:bar", "foo:bar"},
    {":foo", ":foo"},
    {"foo offset 5m", "foo offset 5m"},
    {"foo offset -7m", "foo offset -7m"},
    {"foo offset - 7m", "foo offset -7m"},
    {"foo OFFSET 1h30m", "foo offset 1h30m"},
    {"foo OFFSET 1m30ms", "foo offset 1m30ms"},
    {"foo @ 1603774568", "foo @ 1603774568.000"},
    {"foo @ -100", "foo @ -100.000"},
    {"foo @ .3", "foo @ 0.300"},
    {"foo @ 3.", "foo @ 3.000"},
    {"foo @ 3.33", "foo @ 3.330"},
    {"foo @ 3.3333", "foo @ 3.333"},
    {"foo @ 3.3335", "foo @ 3.334"},
    {"foo @ 3e2", "foo @ 300.000"},
    {"foo @ 3e-1", "foo @ 0.300"},
    {"foo @ 0xA", "foo @ 10.000"},
    {"foo @ -3.3e1", "foo @ -33.000"},
    {"foo @ start()", "foo @ start()"},
    {"foo @ end()", "foo @ end()"},
    {"foo offset 5m @ 100", "foo @ 100.000 offset 5m"},
    {"foo @ 100 offset 5m", "foo @ 100.000 offset 5m"},
    {"foo:bar{a=\"bc\"}", "foo:bar{a=\"bc\"}"},
    {"foo{NaN='bc'}", "foo{NaN=\"bc\"}"},
    {"foo{bar='}'}", "foo{bar=\"}\"}"},
    {"foo{a=\"b\", foo!=\"bar\", test=~\"test\", bar!~\"baz\"}",
     "foo{a=\"b\",bar!~\"baz\",foo!=\"bar\",test=~\"test\"}"},
    {"foo{a=\"b\", foo!=\"bar\", test=~\"test\", bar!~\"baz\",}",
     "foo{a=\"b\",bar!~\"baz\",foo!=\"bar\",test=~\"test\"}"},
    {"{__name__=~\"foo.+\"}", "{__name__=~\"foo.+\"}"},
    {"{__name__=\"foo\",a=\"b\"}", "{__name__=\"foo\",a=\"b\"}"},
    {"foo{}", "foo"},
    {"{a=\"b\"}", "{a=\"b\"}"},
    {"{a=\"\", b=\"c\"}", "{a=\"\",b=\"c\"}"},
    {"{by=\"x\", sum=\"y\", offset=\"z\"}",
     "{by=\"x\",offset=\"z\",sum=\"y\"}"},
    {"foo # a comment\n + bar", "foo + bar"},
    {"foo{a=\"b\" # comment\n}", "foo{a=\"b\"}"},
    // Range selectors and subqueries.
    {"test[5s]", "test[5s]"},
    {"test[5m]", "test[5m]"},
    {"test[5m30s]", "test[5m30s]"},
    {"test[5h] OFFSET 5m", "test[5h] offset 5m"},
    {"test[5d] OFFSET 10s", "test[5d] offset 10s"},
    {"test[5w] offset 2w", "test[5w] offset 2w"},
    {"test[1y]", "test[1y]"},
    {"test[90d]", "test[90d]"},
    {"test[ 5m]", "test[5m]"},
    {"test[5m] @ 100 offset -1m", "test[5m] @ 100.000 offset -1m"},
    {"test{a=\"b\"}[5y] OFFSET 3d", "test{a=\"b\"}[5y] offset 3d"},
    {"test{a=\"b\"}[5m] @ end()", "test{a=\"b\"}[5m] @ end()"},
    {"foo[10m:6s]", "foo[10m:6s]"},
    {"foo[10m5s:1h6ms]", "foo[10m5s:1h6ms]"},
    {"foo[10m:]", "foo[10m:]"},
    {"foo[10m:] offset 5m", "foo[10m:] offset 5m"},
    {"foo[10m:5s] @ 100", "foo[10m:5s] @ 100.000"},
    {"foo[10m:5s] @ start() offset 1m", "foo[10m:5s] @ start() offset 1m"},
    {"min_over_time(rate(foo{bar=\"baz\"}[2s])[5m:5s])",
     "min_over_time(rate(foo{bar=\"baz\"}[2s])[5m:5s])"},
    {"min_over_time(rate(foo{bar=\"baz\"}[2s])[5m:])[4m:3s]",
     "min_over_time(rate(foo{bar=\"baz\"}[2s])[5m:])[4m:3s]"},
    {"sum without(and, by, avg, count, alert, annotations)(some_metric) "
     "[30m:10s]",
     "sum without (and, by, avg, count, alert, annotations) (some_metric)"
     "[30m:10s]"},
    {"some_metric OFFSET 1m [10m:5s]", "some_metric offset 1m[10m:5s]"},
    {"(foo + bar{nm=\"val\"})[5m:]", "(foo + bar{nm=\"val\"})[5m:]"},
    {"(foo + bar{nm=\"val\"})[5m:] offset 10m",
     "(foo + bar{nm=\"val\"})[5m:] offset 10m"},
    {"(foo + bar{nm=\"val\"} @ 1234)[5m:] @ 1603775019",
     "(foo + bar{nm=\"val\"} @ 1234.000)[5m:] @ 1603775019.000"},
    {"-max_over_time(foo[5m:])", "-max_over_time(foo[5m:])"},
    {"a + max_over_time(b[5m:])", "a + max_over_time(b[5m:])"},
    // Aggregations.
    {"sum by (foo)(some_metric)", "sum by (foo) (some_metric)"},
    {"avg by (foo)(some_metric)", "avg by (foo) (some_metric)"},
    {"max by (foo)(some_metric)", "max by (foo) (some_metric)"},
    {"sum without (foo) (some_metric)", "sum without (foo) (some_metric)"},
    {"sum (some_metric) without (foo)", "sum without (foo) (some_metric)"},
    {"stddev(some_metric)", "stddev(some_metric)"},
    {"stdvar by (foo)(some_metric)", "stdvar by (foo) (some_metric)"},
    {"sum by ()(some_metric)", "sum(some_metric)"},
    {"sum by (foo,bar,)(some_metric)", "sum by (foo, bar) (some_metric)"},
    {"sum by (foo,)(some_metric)", "sum by (foo) (some_metric)"},
    {"sum without () (some_metric)", "sum without () (some_metric)"},
    {"topk(5, some_metric)", "topk(5, some_metric)"},
    {"count_values(\"value\", some_metric)",
     "count_values(\"value\", some_metric)"},
    {"sum without(and, by, avg, count, alert, annotations)(some_metric)",
     "sum without (and, by, avg, count, alert, annotations) (some_metric)"},
    {"sum by (on, ignoring, group_left, bool, offset, start, end, atan2)(x)",
     "sum by (on, ignoring, group_left, bool, offset, start, end, atan2) "
     "(x)"},
    {"SUM(x)", "sum(x)"},
    {"Sum By (A) (x)", "sum by (A) (x)"},
    {"quantile(0.9, x)", "quantile(0.9, x)"},
    {"bottomk(-1, x) by (a)", "bottomk by (a) (-1, x)"},
    {"group(x)", "group(x)"},
    {"sum(sum)", "sum(sum)"},
    {"sum(x) + sum", "sum(x) + sum"},
    // Functions.
    {"time()", "time()"},
    {"floor(some_metric{foo!=\"bar\"})", "floor(some_metric{foo!=\"bar\"})"},
    {"rate(some_metric[5m])", "rate(some_metric[5m])"},
    {"round(some_metric)", "round(some_metric)"},
    {"round(some_metric, 5)", "round(some_metric, 5)"},
    {"hour()", "hour()"},
    {"label_join(x, \"a\", \",\")", "label_join(x, \"a\", \",\")"},
    {"label_join(x, \"a\", \",\", \"b\", \"c\", \"d\")",
     "label_join(x, \"a\", \",\", \"b\", \"c\", \"d\")"},
    {"histogram_quantile(0.9, rate(x[5m]))",
     "histogram_quantile(0.9, rate(x[5m]))"},
    {"histogram_fraction(0, 1, x)", "histogram_fraction(0, 1, x)"},
    {"histogram_count(x) + histogram_sum(x)",
     "histogram_count(x) + histogram_sum(x)"},
    {"holt_winters(x[5m], 0.5, 0.5)", "holt_winters(x[5m], 0.5, 0.5)"},
    {"pi()", "pi()"},
    {"vector(1)", "vector(1)"},
    {"scalar(x) * 2", "scalar(x) * 2"},
    {"sum(rate(http_requests_total{code=\"500\"}[5m] offset 1m)) by (job)",
     "sum by (job) (rate(http_requests_total{code=\"500\"}[5m] offset 1m))"},
    {"(1)", "(1)"},
    {"((foo))", "((foo))"},
    {"-(foo)", "-(foo)"},
    {"a + on (b) group_left (c) d", "a + on (b) group_left (c) d"},
    {"x[5m:1m] @ 100", "x[5m:1m] @ 100.000"},
    {"1 +\n2", "1 + 2"},
};

class ValidQueryTest : public ::testing::TestWithParam<ValidCase> {};

TEST_P(ValidQueryTest, ParsesPrintsAndRoundTrips) {
  const ValidCase& c = GetParam();
  auto e = ParseExpr(c.query);
  ASSERT_TRUE(e.ok()) << c.query << ": " << e.status().ToString();
  const std::string printed = ExprToString(**e);
  EXPECT_EQ(printed, c.printed) << c.query;
  auto again = ParseExpr(printed);
  ASSERT_TRUE(again.ok()) << printed << ": " << again.status().ToString();
  EXPECT_EQ(ExprToString(**again), printed);
}

INSTANTIATE_TEST_SUITE_P(Table, ValidQueryTest, ::testing::ValuesIn(kValid));

// Invalid queries with the error Prometheus gives ("<line>:<col>: parse
// error: <message>"); an empty position only checks the message.
struct InvalidCase {
  const char* query;
  const char* error;
};

const InvalidCase kInvalid[] = {
    {"", "1:1: parse error: no expression found in input"},
    {"# just a comment", "1:1: parse error: no expression found in input"},
    {"1 +", "1:4: parse error: unexpected end of input"},
    {"(", "1:2: parse error: unclosed left parenthesis"},
    {"((1)", "1:5: parse error: unclosed left parenthesis"},
    {"(1))", "1:5: parse error: unexpected right parenthesis ')'"},
    {"1)", "1:3: parse error: unexpected right parenthesis ')'"},
    {"1]", "1:2: parse error: unexpected right bracket ']'"},
    {"foo[5m", "1:7: parse error: unclosed left bracket"},
    {"{", "1:2: parse error: unexpected end of input inside braces"},
    {"}", "1:1: parse error: unexpected character: '}'"},
    {"some}", "1:5: parse error: unexpected character: '}'"},
    {"some_metric{a=b}",
     "1:15: parse error: unexpected identifier \"b\" in label matching, "
     "expected string"},
    {"some_metric{a:b=\"b\"}",
     "1:14: parse error: unexpected character inside braces: ':'"},
    {"foo{a*\"b\"}",
     "1:6: parse error: unexpected character inside braces: '*'"},
    {"foo{a>=\"b\"}",
     "1:6: parse error: unexpected character inside braces: '>'"},
    {"foo{gibberish}",
     "1:14: parse error: unexpected \"}\" in label matching, expected label "
     "matching operator"},
    {"foo{1}", "1:5: parse error: unexpected character inside braces: '1'"},
    {"foo{a=\"b\" c=\"d\"}",
     "1:11: parse error: unexpected identifier \"c\" in label matching, "
     "expected \",\" or \"}\""},
    {"foo{,}",
     "1:5: parse error: unexpected \",\" in label matching, expected "
     "identifier or \"}\""},
    {"foo{{", "1:5: parse error: unexpected left brace '{'"},
    {"{}",
     "1:1: parse error: vector selector must contain at least one non-empty "
     "matcher"},
    {"{x=\"\"}",
     "1:1: parse error: vector selector must contain at least one non-empty "
     "matcher"},
    {"{x=~\".*\"}",
     "1:1: parse error: vector selector must contain at least one non-empty "
     "matcher"},
    {"{x!~\".+\"}",
     "1:1: parse error: vector selector must contain at least one non-empty "
     "matcher"},
    {"{x!=\"a\"}",
     "1:1: parse error: vector selector must contain at least one non-empty "
     "matcher"},
    {"foo{__name__=\"bar\"}",
     "1:1: parse error: metric name must not be set twice: \"foo\" or "
     "\"bar\""},
    {"foo{__name__=~\"b.*\"}[5m]",
     "1:1: parse error: metric name must not be set twice: \"foo\" or "
     "\"b.*\""},
    {"foo{a=~\"(\"}", "1:5: parse error: "},
    {"\"\\q\"", "1:1: parse error: unknown escape sequence U+0071 'q'"},
    {"'\\\"'", "1:1: parse error: unknown escape sequence U+0022 '\"'"},
    {"\"\\xZZ\"",
     "1:1: parse error: illegal character U+005A 'Z' in escape sequence"},
    {"\"\\400\"",
     "1:1: parse error: escape sequence is an invalid Unicode code point"},
    {"\"\\ud800\"",
     "1:1: parse error: escape sequence is an invalid Unicode code point"},
    {"\"abc", "1:1: parse error: unterminated quoted string"},
    {"\"a\nb\"", "1:1: parse error: unterminated quoted string"},
    {"`abc", "1:1: parse error: unterminated raw string"},
    {"\"\xff\"", "1:1: parse error: invalid UTF-8 rune"},
    {"foo\xff", "1:4: parse error: unexpected character: '\xef\xbf\xbd'"},
    {"=~", "1:1: parse error: unexpected character after '=': '~'"},
    {"!", "1:1: parse error: unexpected character after '!': "},
    {"*test", "1:1: parse error: unexpected <op:*>"},
    {"-=", "1:2: parse error: unexpected \"=\""},
    {"++-++-+-+-<", "1:11: parse error: unexpected <op:<>"},
    {"e-+=/(0)", "1:4: parse error: unexpected \"=\""},
    {"a>b()", "1:3: parse error: unknown function with name \"b\""},
    {"non_existent_function_far_bar()",
     "1:1: parse error: unknown function with name "
     "\"non_existent_function_far_bar\""},
    {"foo bar", "1:5: parse error: unexpected identifier \"bar\""},
    {"1 2", "1:3: parse error: unexpected number \"2\""},
    {"foo:bar()", "1:8: parse error: unexpected \"(\""},
    {"on", "1:1: parse error: unexpected <on>"},
    {"bool", "1:1: parse error: unexpected <bool>"},
    {"0x", "1:1: parse error: error parsing number: "},
    {"1e", "1:1: parse error: error parsing number: "},
    {"1e400",
     "1:1: parse error: error parsing number: strconv.ParseFloat: parsing "
     "\"1e400\": value out of range"},
    {"1a", "1:1: parse error: bad number or duration syntax: \"1\""},
    {"1m", "1:1: parse error: unexpected duration \"1m\""},
    {"5mm", "1:1: parse error: bad number or duration syntax: \"5mm\""},
    // Operators.
    {"1 == 1",
     "1:3: parse error: comparisons between scalars must use BOOL modifier"},
    {"1 > 1 + 1",
     "1:3: parse error: comparisons between scalars must use BOOL modifier"},
    {"1 + bool 1",
     "1:3: parse error: bool modifier can only be used on comparison "
     "operators"},
    {"foo + bool bar",
     "1:5: parse error: bool modifier can only be used on comparison "
     "operators"},
    {"foo + bool 10",
     "1:5: parse error: bool modifier can only be used on comparison "
     "operators"},
    {"foo and bool 10",
     "1:5: parse error: bool modifier can only be used on comparison "
     "operators"},
    {"1 and 1",
     "1:1: parse error: set operator \"and\" not allowed in binary scalar "
     "expression"},
    {"1 or 1",
     "1:1: parse error: set operator \"or\" not allowed in binary scalar "
     "expression"},
    {"1 unless 1",
     "1:1: parse error: set operator \"unless\" not allowed in binary "
     "scalar expression"},
    {"foo and 1",
     "1:1: parse error: set operator \"and\" not allowed in binary scalar "
     "expression"},
    {"1 unless foo",
     "1:1: parse error: set operator \"unless\" not allowed in binary "
     "scalar expression"},
    {"1 or on(bar) foo",
     "1:1: parse error: vector matching only allowed between instant "
     "vectors"},
    {"foo == on(bar) 10",
     "1:1: parse error: vector matching only allowed between instant "
     "vectors"},
    {"foo + group_left(baz) bar", "1:7: parse error: unexpected <group_left>"},
    {"foo and on(bar) group_left(baz) bar",
     "1:1: parse error: no grouping allowed for \"and\" operation"},
    {"foo and on(bar) group_right(baz) bar",
     "1:1: parse error: no grouping allowed for \"and\" operation"},
    {"foo or on(bar) group_left(baz) bar",
     "1:1: parse error: no grouping allowed for \"or\" operation"},
    {"foo unless on(bar) group_left(baz) bar",
     "1:1: parse error: no grouping allowed for \"unless\" operation"},
    {"http_requests{group=\"production\"} + on(instance) "
     "group_left(job,instance) cpu_count{type=\"smp\"}",
     "1:35: parse error: label \"instance\" must not occur in ON and GROUP "
     "clause at once"},
    {"a - on(b) ignoring(c) d", "1:11: parse error: unexpected <ignoring>"},
    {"a - on b",
     "1:8: parse error: unexpected identifier \"b\" in grouping "
     "opts, expected \"(\""},
    {"a - on(b c) d",
     "1:10: parse error: unexpected identifier \"c\" in grouping opts, "
     "expected \",\" or \")\""},
    {"a - on(b:c) d",
     "1:8: parse error: unexpected metric identifier \"b:c\" in grouping "
     "opts, expected label"},
    {"foo + \"a\"",
     "1:7: parse error: binary expression must contain only scalar and "
     "instant vector types"},
    {"foo[5m] + 1",
     "1:1: parse error: binary expression must contain only scalar and "
     "instant vector types"},
    {"-\"string\"",
     "1:1: parse error: unary expression only allowed on expressions of "
     "type scalar or instant vector, got \"string\""},
    {"-test[5m]",
     "1:1: parse error: unary expression only allowed on expressions of "
     "type scalar or instant vector, got \"range vector\""},
    // Offset and @.
    {"1 offset 1d",
     "1:1: parse error: offset modifier must be preceded by an instant "
     "vector selector or range vector selector or a subquery"},
    {"foo offset 1s offset 2d",
     "1:1: parse error: offset may not be set multiple times"},
    {"foo[5m] offset 1s offset 2d",
     "1:1: parse error: offset may not be set multiple times"},
    {"(foo) offset 5m",
     "1:1: parse error: offset modifier must be preceded by an instant "
     "vector selector or range vector selector or a subquery"},
    {"sum(foo) offset 5m",
     "1:1: parse error: offset modifier must be preceded by an instant "
     "vector selector or range vector selector or a subquery"},
    {"foo offset",
     "1:11: parse error: unexpected end of input in offset, "
     "expected duration"},
    {"foo offset 5",
     "1:12: parse error: unexpected number \"5\" in offset, "
     "expected duration"},
    {"foo offset 0s", "1:12: parse error: duration must be greater than 0"},
    {"foo @ 1 @ 2",
     "1:1: parse error: @ <timestamp> may not be set multiple times"},
    {"foo @ start() @ end()",
     "1:1: parse error: @ <timestamp> may not be set multiple times"},
    {"foo @ +Inf",
     "1:1: parse error: timestamp out of bounds for @ modifier: +Inf"},
    {"foo @ -Inf",
     "1:1: parse error: timestamp out of bounds for @ modifier: -Inf"},
    {"foo @ NaN",
     "1:1: parse error: timestamp out of bounds for @ modifier: NaN"},
    {"foo @ 9223372036854775807",
     "1:1: parse error: timestamp out of bounds for @ modifier: "
     "9223372036854775808.000000"},
    {"foo @ 1m",
     "1:7: parse error: unexpected duration \"1m\" in @, expected timestamp"},
    {"foo @ start",
     "1:12: parse error: unexpected end of input in @, "
     "expected timestamp"},
    {"foo @ start(", "1:13: parse error: unclosed left parenthesis"},
    {"foo @",
     "1:6: parse error: unexpected end of input in @, expected "
     "timestamp"},
    {"1 @ 5",
     "1:1: parse error: @ modifier must be preceded by an instant vector "
     "selector or range vector selector or a subquery"},
    {"sum(foo) @ 5",
     "1:1: parse error: @ modifier must be preceded by an instant vector "
     "selector or range vector selector or a subquery"},
    // Ranges and subqueries.
    {"foo[]", "1:5: parse error: missing unit character in duration"},
    {"foo[1]", "1:5: parse error: missing unit character in duration"},
    {"foo[5mm]", "1:5: parse error: bad duration syntax: \"5mm\""},
    {"foo[5y1hs]",
     "1:5: parse error: not a valid duration string: "
     "\"5y1hs\""},
    {"foo[5m1h]", "1:5: parse error: not a valid duration string: \"5m1h\""},
    {"foo[0m]", "1:5: parse error: duration must be greater than 0"},
    {"foo[5m:0s]", "1:8: parse error: duration must be greater than 0"},
    {"foo[\"5m\"]", "1:5: parse error: missing unit character in duration"},
    {"foo[5m][5m]",
     "1:8: parse error: ranges only allowed for vector selectors"},
    {"foo[5m] [5m]", ""},
    {"foo[5m[5m]]", "1:7: parse error: unexpected left bracket '['"},
    {"foo[5m:1m:1m]", "1:10: parse error: unexpected colon ':'"},
    {"foo[5m 1m]",
     "1:8: parse error: unexpected duration \"1m\" in subquery or range, "
     "expected \":\" or \"]\""},
    {"foo[5m:1m 1m]",
     "1:11: parse error: unexpected duration \"1m\" in "
     "subquery selector, expected \"]\""},
    {"foo[5m:5]",
     "1:8: parse error: unexpected number \"5\" in subquery "
     "selector, expected duration or \"]\""},
    {"(foo)[5m]", "1:6: parse error: ranges only allowed for vector selectors"},
    {"rate(food[1m])[1h] offset 1h",
     "1:15: parse error: ranges only allowed for vector selectors"},
    {"rate(food[1m])[1h] @ 100",
     "1:15: parse error: ranges only allowed for vector selectors"},
    {"foo offset 5m[5m]",
     "1:14: parse error: no offset modifiers allowed before range"},
    {"foo @ 5 [5m]", "1:9: parse error: no @ modifiers allowed before range"},
    {"1[5m]", "1:2: parse error: ranges only allowed for vector selectors"},
    {"test[5d] OFFSET 10s [10m:5s]",
     "1:1: parse error: subquery is only allowed on instant vector, got "
     "matrix instead"},
    {"(foo + bar{nm=\"val\"})[5m:][10m:5s]",
     "1:1: parse error: subquery is only allowed on instant vector, got "
     "matrix instead"},
    {"1[5m:]",
     "1:1: parse error: subquery is only allowed on instant "
     "vector, got scalar instead"},
    {"foo[5m:] offset 1m offset 1m",
     "1:1: parse error: offset may not be set multiple times"},
    // Aggregations.
    {"sum some_metric by (test)",
     "1:5: parse error: unexpected identifier \"some_metric\""},
    {"sum (some_metric) by test",
     "1:22: parse error: unexpected identifier \"test\" in grouping opts, "
     "expected \"(\""},
    {"sum (some_metric) by test)",
     "1:22: parse error: unexpected identifier \"test\" in grouping opts, "
     "expected \"(\""},
    {"sum () by (test)",
     "1:1: parse error: no arguments for aggregate expression provided"},
    {"MIN keep_common (some_metric)",
     "1:5: parse error: unexpected identifier \"keep_common\""},
    {"MIN (some_metric) keep_common",
     "1:19: parse error: unexpected identifier \"keep_common\""},
    {"sum (some_metric) without (test) by (test)",
     "1:34: parse error: unexpected <by>"},
    {"sum without (test) (some_metric) by (test)",
     "1:34: parse error: unexpected <by>"},
    {"sum by (test) foo",
     "1:15: parse error: unexpected identifier \"foo\" in aggregation"},
    {"topk(some_metric)",
     "1:1: parse error: wrong number of arguments for aggregate expression "
     "provided, expected 2, got 1"},
    {"topk(some_metric,)",
     "1:17: parse error: trailing commas not allowed in function call args"},
    {"topk(some_metric, other_metric)",
     "1:6: parse error: expected type scalar in aggregation parameter, got "
     "instant vector"},
    {"count_values(5, other_metric)",
     "1:14: parse error: expected type string in aggregation parameter, got "
     "scalar"},
    {"sum(1)",
     "1:5: parse error: expected type instant vector in aggregation "
     "expression, got scalar"},
    {"sum(x, y)",
     "1:1: parse error: wrong number of arguments for aggregate expression "
     "provided, expected 1, got 2"},
    {"sum by (\"a\") (x)",
     "1:9: parse error: unexpected string \"\\\"a\\\"\" in grouping opts, "
     "expected label"},
    {"sum by (inf) (x)",
     "1:9: parse error: unexpected number \"inf\" in grouping opts, expected "
     "label"},
    // Functions.
    {"floor()",
     "1:1: parse error: expected 1 argument(s) in call to \"floor\", got 0"},
    {"floor(some_metric, other_metric)",
     "1:1: parse error: expected 1 argument(s) in call to \"floor\", got 2"},
    {"floor(some_metric, 1)",
     "1:1: parse error: expected 1 argument(s) in call to \"floor\", got 2"},
    {"floor(1)",
     "1:7: parse error: expected type instant vector in call to function "
     "\"floor\", got scalar"},
    {"hour(some_metric, some_metric, some_metric)",
     "1:1: parse error: expected at most 1 argument(s) in call to \"hour\", "
     "got 3"},
    {"time(some_metric)",
     "1:1: parse error: expected 0 argument(s) in call to \"time\", got 1"},
    {"rate(some_metric)",
     "1:6: parse error: expected type range vector in call to function "
     "\"rate\", got instant vector"},
    {"label_join(x, \"a\")",
     "1:1: parse error: expected at least 3 argument(s) in call to "
     "\"label_join\", got 2"},
    {"label_join(x, \"a\", \",\", 1)",
     "1:25: parse error: expected type string in call to function "
     "\"label_join\", got scalar"},
    {"label_replace(a, `b`, `c\xff`, `d`, `.*`)",
     "1:23: parse error: invalid UTF-8 rune"},
    {"rate(x[5m],)",
     "1:11: parse error: trailing commas not allowed in function call args"},
    {"rate(x[5m] y)", "1:12: parse error: unexpected identifier \"y\""},
    {"RATE(x[5m])", "1:1: parse error: unknown function with name \"RATE\""},
    {"foo\n+ bar\n+ \"s\"",
     "3:3: parse error: binary expression must contain only scalar and "
     "instant vector types"},
};

class InvalidQueryTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidQueryTest, FailsWithPrometheusMessage) {
  const InvalidCase& c = GetParam();
  auto e = ParseExpr(c.query);
  ASSERT_FALSE(e.ok()) << c.query << " parsed as " << ExprToString(**e);
  EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(e.status().message(), HasSubstr(c.error)) << c.query;
  if (std::string(c.error).empty()) {
    EXPECT_THAT(e.status().message(), HasSubstr("parse error: "));
  }
}

INSTANTIATE_TEST_SUITE_P(Table, InvalidQueryTest,
                         ::testing::ValuesIn(kInvalid));

TEST(ParserTreeTest, SelectorFields) {
  auto e = ParseExpr("foo{a=\"b\", c!~\"d\"} offset -5m @ 12.5");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  const auto* vs = As<VectorSelector>(e->get());
  ASSERT_NE(vs, nullptr);
  EXPECT_EQ(vs->name, "foo");
  ASSERT_EQ(vs->matchers.size(), 3u);
  EXPECT_EQ(vs->matchers[0].name(), "__name__");
  EXPECT_EQ(vs->matchers[0].value(), "foo");
  EXPECT_EQ(vs->matchers[1].name(), "a");
  EXPECT_EQ(vs->matchers[2].type(), LabelMatcher::Type::kRegexNoMatch);
  EXPECT_EQ(vs->original_offset_ms, -300000);
  EXPECT_EQ(vs->at, AtKind::kTimestamp);
  EXPECT_EQ(vs->at_ms, 12500);
  EXPECT_EQ(vs->pos.start, 0);
  EXPECT_EQ(vs->pos.end, 36);
}

TEST(ParserTreeTest, MatrixAndSubquery) {
  auto e = ParseExpr("rate(x[5m] @ end())[1h:30s] offset 1m");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  const auto* sq = As<SubqueryExpr>(e->get());
  ASSERT_NE(sq, nullptr);
  EXPECT_EQ(sq->range_ms, 3600000);
  EXPECT_EQ(sq->step_ms, 30000);
  EXPECT_EQ(sq->original_offset_ms, 60000);
  EXPECT_EQ(sq->at, AtKind::kNone);
  const auto* call = As<Call>(sq->expr.get());
  ASSERT_NE(call, nullptr);
  EXPECT_STREQ(call->func->name, "rate");
  const auto* ms = As<MatrixSelector>(call->args[0].get());
  ASSERT_NE(ms, nullptr);
  EXPECT_EQ(ms->range_ms, 300000);
  const auto* vs = As<VectorSelector>(ms->vector_selector.get());
  ASSERT_NE(vs, nullptr);
  EXPECT_EQ(vs->at, AtKind::kEnd);
  EXPECT_EQ(e->get()->type(), ValueType::kMatrix);
}

TEST(ParserTreeTest, PrecedenceAndAssociativity) {
  // a - b - c is (a - b) - c; a ^ b ^ c is a ^ (b ^ c).
  auto e = ParseExpr("a - b - c");
  ASSERT_TRUE(e.ok());
  const auto* top = As<BinaryExpr>(e->get());
  ASSERT_NE(top, nullptr);
  EXPECT_NE(As<BinaryExpr>(top->lhs.get()), nullptr);
  EXPECT_NE(As<VectorSelector>(top->rhs.get()), nullptr);

  e = ParseExpr("a ^ b ^ c");
  ASSERT_TRUE(e.ok());
  top = As<BinaryExpr>(e->get());
  ASSERT_NE(top, nullptr);
  EXPECT_NE(As<VectorSelector>(top->lhs.get()), nullptr);
  EXPECT_NE(As<BinaryExpr>(top->rhs.get()), nullptr);

  // -a ^ b is -(a ^ b); -a * b is (-a) * b.
  e = ParseExpr("-a ^ b");
  ASSERT_TRUE(e.ok());
  const auto* u = As<UnaryExpr>(e->get());
  ASSERT_NE(u, nullptr);
  EXPECT_TRUE(u->negate);
  EXPECT_NE(As<BinaryExpr>(u->expr.get()), nullptr);

  e = ParseExpr("-a * b");
  ASSERT_TRUE(e.ok());
  top = As<BinaryExpr>(e->get());
  ASSERT_NE(top, nullptr);
  EXPECT_NE(As<UnaryExpr>(top->lhs.get()), nullptr);

  // -1 ^ 2 is -(1 ^ 2) = -1, as in Prometheus.
  e = ParseExpr("-1 ^ 2");
  ASSERT_TRUE(e.ok());
  EXPECT_NE(As<UnaryExpr>(e->get()), nullptr);

  // Unary minus on a literal folds into it.
  e = ParseExpr("-5");
  ASSERT_TRUE(e.ok());
  const auto* n = As<NumberLiteral>(e->get());
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->value, -5);
  EXPECT_EQ(n->pos.start, 0);
  EXPECT_EQ(n->pos.end, 2);

  // or < and < comparison < + < * < ^.
  e = ParseExpr("a or b and c == d + e * f ^ g");
  ASSERT_TRUE(e.ok());
  top = As<BinaryExpr>(e->get());
  ASSERT_NE(top, nullptr);
  EXPECT_EQ(top->op, BinOp::kOr);
  const auto* and_ = As<BinaryExpr>(top->rhs.get());
  ASSERT_NE(and_, nullptr);
  EXPECT_EQ(and_->op, BinOp::kAnd);
  const auto* eq = As<BinaryExpr>(and_->rhs.get());
  ASSERT_NE(eq, nullptr);
  EXPECT_EQ(eq->op, BinOp::kEql);
  const auto* add = As<BinaryExpr>(eq->rhs.get());
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(add->op, BinOp::kAdd);
  const auto* mul = As<BinaryExpr>(add->rhs.get());
  ASSERT_NE(mul, nullptr);
  EXPECT_EQ(mul->op, BinOp::kMul);
  const auto* pow = As<BinaryExpr>(mul->rhs.get());
  ASSERT_NE(pow, nullptr);
  EXPECT_EQ(pow->op, BinOp::kPow);
}

TEST(ParserTreeTest, VectorMatching) {
  auto e = ParseExpr("a * on(x, y) group_left(z) b");
  ASSERT_TRUE(e.ok());
  const auto* b = As<BinaryExpr>(e->get());
  ASSERT_NE(b, nullptr);
  ASSERT_TRUE(b->matching.has_value());
  EXPECT_TRUE(b->matching->on);
  EXPECT_EQ(b->matching->card, Cardinality::kManyToOne);
  EXPECT_EQ(b->matching->matching_labels, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(b->matching->include, (std::vector<std::string>{"z"}));

  e = ParseExpr("a and b");
  ASSERT_TRUE(e.ok());
  b = As<BinaryExpr>(e->get());
  ASSERT_TRUE(b->matching.has_value());
  EXPECT_EQ(b->matching->card, Cardinality::kManyToMany);
  EXPECT_FALSE(b->matching->on);

  e = ParseExpr("a + b");
  ASSERT_TRUE(e.ok());
  b = As<BinaryExpr>(e->get());
  ASSERT_TRUE(b->matching.has_value());
  EXPECT_EQ(b->matching->card, Cardinality::kOneToOne);

  e = ParseExpr("a > bool 1");
  ASSERT_TRUE(e.ok());
  b = As<BinaryExpr>(e->get());
  EXPECT_FALSE(b->matching.has_value());
  EXPECT_TRUE(b->return_bool);
  EXPECT_EQ(b->type(), ValueType::kVector);

  e = ParseExpr("1 > bool 2");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->get()->type(), ValueType::kScalar);
}

TEST(ParserTreeTest, Aggregations) {
  auto e = ParseExpr("count_values without (a) (\"v\", x)");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  const auto* a = As<AggregateExpr>(e->get());
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->op, AggOp::kCountValues);
  EXPECT_TRUE(a->without);
  EXPECT_EQ(a->grouping, (std::vector<std::string>{"a"}));
  ASSERT_NE(As<StringLiteral>(a->param.get()), nullptr);
  EXPECT_EQ(As<StringLiteral>(a->param.get())->value, "v");
  EXPECT_NE(As<VectorSelector>(a->expr.get()), nullptr);
}

TEST(ParserLimitsTest, DeepNestingIsRejected) {
  std::string q(5000, '(');
  q += "1";
  q += std::string(5000, ')');
  auto e = ParseExpr(q);
  ASSERT_FALSE(e.ok());
  EXPECT_THAT(e.status().message(), HasSubstr("nested more than 1000"));

  std::string chain = "1";
  for (int i = 0; i < 5000; ++i) chain += " + 1";
  e = ParseExpr(chain);
  ASSERT_FALSE(e.ok());
  EXPECT_THAT(e.status().message(), HasSubstr("nested more than 1000"));

  std::string pow = "1";
  for (int i = 0; i < 5000; ++i) pow += "^1";
  e = ParseExpr(pow);
  ASSERT_FALSE(e.ok());

  std::string neg(5000, '-');
  neg += "1";
  e = ParseExpr(neg);
  ASSERT_FALSE(e.ok());

  // Moderate nesting is fine.
  std::string ok(200, '(');
  ok += "x";
  ok += std::string(200, ')');
  EXPECT_TRUE(ParseExpr(ok).ok());
}

TEST(ParseMetricSelectorTest, Selectors) {
  auto m = ParseMetricSelector("up{job=\"x\", instance=~\"a.*\"}");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->size(), 3u);
  EXPECT_EQ((*m)[0].name(), "__name__");
  EXPECT_EQ((*m)[0].value(), "up");
  EXPECT_EQ((*m)[2].type(), LabelMatcher::Type::kRegexMatch);

  m = ParseMetricSelector("{__name__=~\"a.*\"}");
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->size(), 1u);

  m = ParseMetricSelector("sum");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ((*m)[0].value(), "sum");

  for (const char* bad : {"", "{}", "{a=\"\"}", "up[5m]", "up + 1",
                          "rate(x[5m])", "up{", "foo{__name__=\"bar\"}", "1"}) {
    auto r = ParseMetricSelector(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_THAT(r.status().message(), HasSubstr("parse error: ")) << bad;
    }
  }
  auto r = ParseMetricSelector("{a=\"\"}");
  EXPECT_THAT(r.status().message(),
              HasSubstr("vector selector must contain at least one non-empty "
                        "matcher"));
}

TEST(FunctionsTableTest, SortedAndComplete) {
  auto all = AllFunctions();
  for (size_t i = 1; i < all.size(); ++i) {
    EXPECT_LT(std::string(all[i - 1].name), std::string(all[i].name));
  }
  for (const FunctionSignature& f : all) {
    EXPECT_EQ(FindFunction(f.name), &f);
  }
  EXPECT_EQ(all.size(), 70u);
  EXPECT_EQ(FindFunction("nope"), nullptr);
  EXPECT_EQ(FindFunction("RATE"), nullptr);
  const FunctionSignature* lj = FindFunction("label_join");
  ASSERT_NE(lj, nullptr);
  EXPECT_EQ(lj->variadic, -1);
}

// Every query of Prometheus's own test scripts parses, except those that
// are expected to fail (which may fail at parse or evaluation time).
TEST(ConformanceScriptsTest, EveryEvalQueryParses) {
  const std::filesystem::path dir = "../shared/data/promql-v2.42";
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
  int parsed = 0;
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".test") continue;
    ++files;
    std::ifstream in(entry.path());
    std::string line;
    int lineno = 0;
    while (std::getline(in, line)) {
      ++lineno;
      const size_t first = line.find_first_not_of(" \t");
      if (first == std::string::npos) continue;
      line = line.substr(first);
      bool fail = false;
      std::string rest;
      for (const char* prefix : {"eval instant at ", "eval_ordered instant at ",
                                 "eval_fail instant at "}) {
        if (line.rfind(prefix, 0) == 0) {
          fail = std::string(prefix).rfind("eval_fail", 0) == 0;
          rest = line.substr(std::string(prefix).size());
          break;
        }
      }
      if (rest.empty()) continue;
      const size_t space = rest.find(' ');
      ASSERT_NE(space, std::string::npos) << entry.path() << ":" << lineno;
      const std::string query = rest.substr(space + 1);
      auto e = ParseExpr(query);
      if (fail) continue;
      EXPECT_TRUE(e.ok()) << entry.path() << ":" << lineno << ": " << query
                          << ": " << e.status().ToString();
      if (!e.ok()) continue;
      ++parsed;
      const std::string printed = ExprToString(**e);
      auto again = ParseExpr(printed);
      ASSERT_TRUE(again.ok()) << printed;
      EXPECT_EQ(ExprToString(**again), printed);
    }
  }
  EXPECT_EQ(files, 5);
  EXPECT_GT(parsed, 400);
}

}  // namespace
}  // namespace tend::promql
