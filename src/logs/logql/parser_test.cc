#include "logs/logql/parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <string>

#include "logs/logql/printer.h"

namespace tend::logql {
namespace {

using ::testing::HasSubstr;

// A valid query and its canonical printed form ("" = printed as written).
struct ValidCase {
  const char* query;
  const char* printed;
};

const ValidCase kValid[] = {
    // Stream selectors.
    {R"({app="sshd"})", ""},
    {R"({app="sshd", host=~"web.*"})", ""},
    {R"({app="sshd",host=~"web.*"})", R"({app="sshd", host=~"web.*"})"},
    {R"({ app = "sshd" , env != "dev" })", R"({app="sshd", env!="dev"})"},
    {R"({app=~".+", env!~"dev|test"})", ""},
    {R"({app=`sshd`})", R"({app="sshd"})"},
    {R"({name="a\"b\\c\n"})", ""},
    {R"({name="\x41\u00e9\101"})",
     "{name=\"A\xc3\xa9"
     "A\"}"},
    {R"({app="x", app="y"})", ""},
    {"{app=\"x\"} # a comment\n", R"({app="x"})"},
    {R"(({app="x"}))", R"({app="x"})"},
    // Line filters (Loki docs: log queries, line filter expression).
    {R"({job="mysql"} |= "error")", ""},
    {R"({job="mysql"} |= "error" != "timeout")", ""},
    {R"({name=~"mysql.+"} |= "error")", ""},
    {R"({job="a", name!~"mysql.+"} != "error")", ""},
    {R"({job="a", name!~"mysql.+"} |~ "tsdb-ops.*io:2003")", ""},
    {R"({name="kafka"} |~ "tsdb-ops.*io:2003")", ""},
    {R"({instance=~"kafka-[23]",name="kafka"} != "kafka.server:type=ReplicaManager")",
     R"({instance=~"kafka-[23]", name="kafka"} != "kafka.server:type=ReplicaManager")"},
    {R"({job="app"} |~ `\d+\.\d+`)", R"({job="app"} |~ "\\d+\\.\\d+")"},
    {R"({job="app"} !~ "(?i)debug")", ""},
    {R"({job="app"} |= "a" or "b")", ""},
    {R"({job="app"} != "a" or "b" |~ "c" or "d")", ""},
    {R"({job="app"}|="x"|~"y")", R"({job="app"} |= "x" |~ "y")"},
    {R"({job="app"} |= "")", ""},
    // Parsers.
    {R"({job="app"} | json)", ""},
    {R"({job="app"} | logfmt)", ""},
    {R"({job="app"} | unpack)", ""},
    {R"({job="app"} | json first_server="servers[0]", ua="request.headers[\"User-Agent\"]")",
     ""},
    {R"({job="app"} | json server_list="services", headers)",
     R"({job="app"} | json server_list="services", headers="headers")"},
    {R"({job="app"} | json a="a.b.c", b="[0].x", c="d[1][2]")", ""},
    {R"({job="app"} | logfmt --strict)", ""},
    {R"({job="app"} | logfmt --keep-empty --strict)",
     R"({job="app"} | logfmt --strict --keep-empty)"},
    {R"({job="app"} | logfmt host, fwd_from="fwd")",
     R"({job="app"} | logfmt host="host", fwd_from="fwd")"},
    {R"({job="app"} | logfmt --strict level="lvl")", ""},
    {R"q({job="app"} | regexp "(?P<method>\\w+) (?P<path>[\\w|/]+) \\((?P<status>\\d+?)\\) (?P<duration>.*)")q",
     ""},
    {R"({job="app"} | regexp `(?P<ip>\S+) .*`)",
     R"({job="app"} | regexp "(?P<ip>\\S+) .*")"},
    {R"({job="nginx"} | pattern "<ip> - - <_> \"<method> <uri> <_>\" <status> <size> <_> \"<agent>\" <_>")",
     ""},
    {R"({job="app"} | pattern `<_> level=<level> msg=<msg>`)",
     R"({job="app"} | pattern "<_> level=<level> msg=<msg>")"},
    {R"({job="app"} | pattern "<ip> <- not a capture <1x>")", ""},
    // Label filters.
    {R"({job="app"} | logfmt | status >= 500)", ""},
    {R"({job="app"} | logfmt | status = 500)",
     R"({job="app"} | logfmt | status == 500)"},
    {R"({job="app"} | logfmt | status == 500)", ""},
    {R"({job="app"} | logfmt | status != 200)", ""},
    {R"({job="app"} | logfmt | status < 400)", ""},
    {R"({job="app"} | logfmt | ratio <= 0.5)", ""},
    {R"({job="app"} | logfmt | delta > -1.5)", ""},
    {R"({job="app"} | logfmt | n > 1e3)", R"({job="app"} | logfmt | n > 1000)"},
    {R"({job="app"} | logfmt | level="error")", ""},
    {R"({job="app"} | logfmt | level!="debug")", ""},
    {R"({job="app"} | logfmt | level=~"err.*")", ""},
    {R"({job="app"} | logfmt | level!~"info|debug")", ""},
    {R"({job="app"} | logfmt | duration >= 20ms)", ""},
    {R"({job="app"} | logfmt | duration > 1m30s)", ""},
    {R"({job="app"} | logfmt | latency < 1.5s)", ""},
    {R"({job="app"} | logfmt | latency == 250us)", ""},
    {R"({job="app"} | logfmt | size > 10KB)", ""},
    {R"({job="app"} | logfmt | size <= 20kib)", ""},
    {R"({job="app"} | logfmt | size == 1GB)", ""},
    {R"({container="query-frontend",namespace="loki-dev"} |= "metrics.go" | logfmt | duration > 10s and throughput_mb < 500)",
     R"({container="query-frontend", namespace="loki-dev"} |= "metrics.go" | logfmt | duration > 10s and throughput_mb < 500)"},
    {R"({job="app"} | logfmt | duration >= 20ms or size == 20kb and method!~"2..")",
     R"({job="app"} | logfmt | duration >= 20ms or size == 20kb and method!~"2..")"},
    {R"({job="app"} | logfmt | (duration >= 20ms or size == 20kb) and method!~"2..")",
     ""},
    {R"({job="app"} | logfmt | duration >= 20ms, method="GET")",
     R"({job="app"} | logfmt | duration >= 20ms and method="GET")"},
    {R"({job="app"} | logfmt | duration >= 20ms method="GET")",
     R"({job="app"} | logfmt | duration >= 20ms and method="GET")"},
    {R"({job="app"} | logfmt | a=1 or (b=2 or c=3))",
     R"({job="app"} | logfmt | a == 1 or b == 2 or c == 3)"},
    {R"({job="app"} | logfmt | ((a=1)))", R"({job="app"} | logfmt | a == 1)"},
    {R"({job="app"} | logfmt | a="x" | b="y")", ""},
    {R"({job="app"} | json | json="x")", ""},
    {R"({job="app"} | logfmt | bytes > 1MB)", ""},
    {R"({job="app"} | logfmt | duration > 1s | unpack)", ""},
    // line_format, label_format, drop, keep, decolorize.
    {R"({job="app"} | logfmt | line_format "{{.query}} {{.duration}}")", ""},
    {R"({job="app"} | logfmt | line_format "{{ .level | ToUpper }}: {{.msg}}")",
     ""},
    {R"({job="app"} | line_format `{{ default "-" .user }}`)",
     R"({job="app"} | line_format "{{ default \"-\" .user }}")"},
    {R"({job="app"} | line_format "{{ printf \"%s=%s\" .a .b }}")", ""},
    {R"({job="app"} | line_format "{{ .a | printf \"%q\" }} {{ __line__ }}")",
     ""},
    {R"({job="app"} | line_format "{{- .a -}} x {{/* note */}}")", ""},
    {R"({job="app"} | line_format "no actions")", ""},
    {R"({job="app"} | line_format "{{ .a | ToLower | ToUpper }}")", ""},
    {R"({job="app"} | label_format dst=src)", ""},
    {R"({job="app"} | label_format foo=bar, status="{{.status}} ms")", ""},
    {R"({job="app"} | logfmt | drop level, method="GET")", ""},
    {R"({job="app"} | logfmt | keep level, status=~"5..")", ""},
    {R"({job="app"} | decolorize)", ""},
    // Metric queries: range aggregations (Loki docs, metric queries).
    {R"(count_over_time({job="mysql"}[5m]))", ""},
    {R"(count_over_time({job="mysql"} [5m]))",
     R"(count_over_time({job="mysql"}[5m]))"},
    {R"(rate({job="mysql"} |= "error" != "timeout" [5m]))", ""},
    {R"(rate(({job="mysql"} |= "error")[5m]))",
     R"(rate({job="mysql"} |= "error" [5m]))"},
    {R"(rate({job="mysql"}[5m] |= "error"))",
     R"(rate({job="mysql"} |= "error" [5m]))"},
    {R"(bytes_over_time({job="app"}[1h]))", ""},
    {R"(bytes_rate({job="app"}[30s]))", ""},
    {R"(absent_over_time({job="app"}[1h]))", ""},
    {R"(count_over_time({job="app"}[1h30m] offset 1d))", ""},
    {R"(count_over_time({job="app"}[5m] offset 1h | json))",
     R"(count_over_time({job="app"} | json [5m] offset 1h))"},
    {R"(count_over_time({job="app"} | json [5m] offset 0s))",
     R"(count_over_time({job="app"} | json [5m]))"},
    {R"(count_over_time({job="app"}[300s]))",
     R"(count_over_time({job="app"}[5m]))"},
    {R"(sum_over_time({job="app"} | logfmt | unwrap bytes_processed [1m]))",
     ""},
    {R"(avg_over_time({job="app"} | logfmt | unwrap duration(latency) [1m]))",
     ""},
    {R"(max_over_time({job="app"} | logfmt | unwrap bytes(size) [1m]))", ""},
    {R"(min_over_time({job="app"} | logfmt | unwrap duration_seconds(t) [1m]))",
     ""},
    {R"(stddev_over_time({job="app"} | logfmt | unwrap x [1m]))", ""},
    {R"(stdvar_over_time({job="app"} | logfmt | unwrap x [1m]))", ""},
    {R"(first_over_time({job="app"} | logfmt | unwrap x [1m]))", ""},
    {R"(last_over_time({job="app"} | logfmt | unwrap x [1m]))", ""},
    {R"(rate({job="app"} | logfmt | unwrap x [1m]))", ""},
    {R"(quantile_over_time(0.99, {cluster="ops-tools1",container="ingress-nginx"} | json | __error__ = "" | unwrap request_time [1m]) by (path))",
     R"(quantile_over_time(0.99, {cluster="ops-tools1", container="ingress-nginx"} | json | __error__="" | unwrap request_time [1m]) by (path))"},
    {R"(quantile_over_time(0.5, {job="app"} | logfmt | unwrap latency | __error__="" [5m]))",
     ""},
    {R"(sum_over_time({job="app"} | logfmt | unwrap x | __error__="" | x > 0 [5m]) without (pod))",
     ""},
    {R"(avg_over_time(({job="app"} | logfmt | unwrap x)[5m]))",
     R"(avg_over_time({job="app"} | logfmt | unwrap x [5m]))"},
    {R"(avg_over_time((({job="app"} | unwrap x))[5m]))",
     R"(avg_over_time({job="app"} | unwrap x [5m]))"},
    {R"(avg_over_time({job="app"}[5m] | unwrap x))",
     R"(avg_over_time({job="app"} | unwrap x [5m]))"},
    {R"(quantile_over_time(0.9, {job="app"} | unwrap x [5m]) by ())", ""},
    // Vector aggregations.
    {R"(sum(count_over_time({job="mysql"}[5m])) by (level))",
     R"(sum by (level) (count_over_time({job="mysql"}[5m])))"},
    {R"(sum by (host) (rate({job="mysql"} |= "error" != "timeout" | json | duration > 10s [1m])))",
     ""},
    {R"(sum without (pod, instance) (rate({job="app"}[1m])))", ""},
    {R"(avg(rate({job="app"}[1m])))", ""},
    {R"(min(rate({job="app"}[1m])))", ""},
    {R"(max(rate({job="app"}[1m])) by (x))",
     R"(max by (x) (rate({job="app"}[1m])))"},
    {R"(count(rate({job="app"}[1m])))", ""},
    {R"(stddev(rate({job="app"}[1m])))", ""},
    {R"(stdvar(rate({job="app"}[1m])))", ""},
    {R"(topk(10,sum(rate({region="us-east1"}[5m])) by (name)))",
     R"(topk(10, sum by (name) (rate({region="us-east1"}[5m]))))"},
    {R"(bottomk(3, rate({job="app"}[1m])) by (x))",
     R"(bottomk by (x) (3, rate({job="app"}[1m])))"},
    {R"(topk by (x) (3, rate({job="app"}[1m])))", ""},
    {R"(sum by () (rate({job="app"}[1m])))", ""},
    {R"(sum(sum(rate({job="app"}[1m])) by (a)))",
     R"(sum(sum by (a) (rate({job="app"}[1m]))))"},
    {R"(sum(1 + rate({job="app"}[1m])))", ""},
    // Binary operators and literals.
    {"1", ""},
    {"-1.5", ""},
    {"+2", "2"},
    {"1 + 2 * 3", ""},
    {"(1 + 2) * 3", ""},
    {"2 ^ 3 ^ 2", ""},
    {"(2 ^ 3) ^ 2", ""},
    {"1 - (2 - 3)", ""},
    {"1 - 2 - 3", ""},
    {"1 - -1", ""},
    {"10 % 3 / 2", ""},
    {"1 > bool 2", ""},
    {"1 == bool 1", ""},
    {R"(sum(rate({app="foo"}[1m])) / sum(rate({app="bar"}[1m])))", ""},
    {R"(sum by (job) (count_over_time({job="app"} |= "error" [1m])) / sum by (job) (count_over_time({job="app"}[1m])) * 100)",
     ""},
    {R"(rate({job="app"}[1m]) > 10)", ""},
    {R"(rate({job="app"}[1m]) >= bool 10)", ""},
    {R"(rate({job="app"}[1m]) and rate({job="b"}[1m]))", ""},
    {R"(rate({job="app"}[1m]) or rate({job="b"}[1m]) unless rate({job="c"}[1m]))",
     ""},
    {R"((rate({job="app"}[1m]) or rate({job="b"}[1m])) and rate({job="c"}[1m]))",
     ""},
    {R"(2 * rate({job="app"}[1m]) ^ 2)", ""},
    {R"(((rate({job="app"}[1m]))))", R"(rate({job="app"}[1m]))"},
};

// An invalid query, the position and a fragment of the message.
struct InvalidCase {
  const char* query;
  const char* where;  // "line L, col C"
  const char* message;
};

const InvalidCase kInvalid[] = {
    {"", "line 1, col 1", "empty query"},
    {"   ", "line 1, col 1", "empty query"},
    {"{", "line 1, col 2", "unexpected end of input, expected a label name"},
    {"{}", "line 1, col 1", "at least one matcher that does not match"},
    {R"({app=~".*"})", "line 1, col 1", "does not match the empty string"},
    {R"({app=""})", "line 1, col 1", "does not match the empty string"},
    {R"({app="x",})", "line 1, col 10", "expected a label name"},
    {R"({app="x" env="y"})", "line 1, col 10", "expected \",\" or \"}\""},
    {R"({app=x})", "line 1, col 6",
     "unexpected identifier \"x\", expected a string"},
    {R"({app=="x"})", "line 1, col 5", "unexpected \"==\""},
    {R"({app="x)", "line 1, col 6", "unterminated quoted string"},
    {"{app=\"x\ny\"}", "line 1, col 8", "newline in string"},
    {R"({app="\q"})", "line 1, col 7", "invalid escape sequence"},
    {R"({app=~"("})", "line 1, col 7", "missing"},
    {R"({app="x"} |= )", "line 1, col 14",
     "unexpected end of input, expected a string"},
    {R"({app="x"} |= 5)", "line 1, col 14",
     "unexpected number \"5\", expected a string"},
    {R"({app="x"} |~ "(")", "line 1, col 14", "invalid regex \"(\": missing"},
    {R"({app="x"} !~ "a**")", "line 1, col 14", "invalid regex"},
    {R"({app="x"} |= "a" or)", "line 1, col 20", "expected a string"},
    {R"({app="x"} |> "<_> x")", "line 1, col 11",
     "pattern line filters (|> and !>) are not supported"},
    {R"({app="x"} |= ip("10.0.0.1"))", "line 1, col 14",
     "ip() line filters are not supported"},
    {R"({app="x"} | )", "line 1, col 13", "expected a parser (json, logfmt"},
    {R"({app="x"} | foo)", "line 1, col 13",
     "unexpected identifier \"foo\", expected a parser"},
    {R"({app="x"} | regexp)", "line 1, col 19",
     "expected a regular expression"},
    {R"q({app="x"} | regexp "(\\w+)")q", "line 1, col 20",
     "at least one named capture"},
    {R"({app="x"} | regexp "(?P<a>")", "line 1, col 20", "invalid regex"},
    {R"q({app="x"} | regexp "(?P<1a>x)")q", "line 1, col 20",
     "not a valid label name"},
    {R"({app="x"} | pattern "no captures")", "line 1, col 22",
     "at least one named capture"},
    {R"({app="x"} | pattern "<_> only")", "line 1, col 22",
     "at least one named capture"},
    {R"({app="x"} | pattern "<a><b>")", "line 1, col 25",
     "consecutive captures"},
    {R"({app="x"} | pattern "<a> <a>")", "line 1, col 26",
     "duplicate capture name \"a\""},
    {R"({app="x"} | pattern `<a> <_><_>`)", "line 1, col 29",
     "consecutive captures"},
    {R"({app="x"} | json a="b[")", "line 1, col 23", "invalid JSON path"},
    {R"({app="x"} | json a="")", "line 1, col 21", "invalid JSON path"},
    {R"({app="x"} | json a="b..c")", "line 1, col 23", "invalid JSON path"},
    {R"({app="x"} | json a=b)", "line 1, col 20", "expected a string"},
    {R"({app="x"} | json a="b",)", "line 1, col 24", "expected a label name"},
    {R"({app="x"} | logfmt --fast)", "line 1, col 20",
     "unknown logfmt flag \"--fast\""},
    {R"({app="x"} | logfmt | status >= "500")", "line 1, col 32",
     "expected a number, duration or byte size"},
    {R"({app="x"} | logfmt | status =~ 5)", "line 1, col 32",
     "unexpected number \"5\", expected a string"},
    {R"({app="x"} | logfmt | status > 5xx)", "line 1, col 31",
     "invalid number, duration or byte size \"5xx\""},
    {R"({app="x"} | logfmt | d > -5s)", "line 1, col 26", "negative durations"},
    {R"({app="x"} | logfmt | status > )", "line 1, col 31",
     "unexpected end of input"},
    {R"({app="x"} | logfmt | (a=1)", "line 1, col 26", "expected \")\""},
    {R"({app="x"} | logfmt | a=1 and)", "line 1, col 29",
     "expected a label filter"},
    {R"({app="x"} | logfmt | a=1 or or)", "line 1, col 29",
     "expected a label filter"},
    {R"({app="x"} | logfmt | a=~"(")", "line 1, col 25", "missing"},
    {R"({app="x"} | logfmt | addr = ip("10.0.0.0/8"))", "line 1, col 29",
     "ip() label filters are not supported"},
    {R"({app="x"} | line_format)", "line 1, col 24",
     "expected a template string"},
    {R"({app="x"} | line_format "{{.a")", "line 1, col 26",
     "invalid line_format template: unclosed action"},
    {R"({app="x"} | line_format "{{ .a | Foo }}")", "line 1, col 34",
     "unknown template function"},
    {R"({app="x"} | line_format "{{ if .a }}x{{ end }}")", "line 1, col 29",
     "control structures are not supported"},
    {R"({app="x"} | line_format "{{ ToUpper .a .b }}")", "line 1, col 29",
     "function takes one argument"},
    {R"({app="x"} | line_format "{{ default .a }}")", "line 1, col 29",
     "default takes two arguments"},
    {R"({app="x"} | line_format "{{ printf .a }}")", "line 1, col 29",
     "printf needs a string literal format"},
    {R"({app="x"} | line_format "{{ .a.b }}")", "line 1, col 31",
     "nested fields are not supported"},
    {R"({app="x"} | line_format "{{ $x }}")", "line 1, col 29",
     "variables are not supported"},
    {R"({app="x"} | line_format "{{ }}")", "line 1, col 28",
     "missing value for command"},
    {R"({app="x"} | line_format "{{ .a .b }}")", "line 1, col 32",
     "can't give an argument to a non-function"},
    {R"({app="x"} | label_format a=b, a=c)", "line 1, col 31",
     "sets label \"a\" more than once"},
    {R"({app="x"} | label_format a="{{.b")", "line 1, col 29",
     "invalid label_format template"},
    {R"({app="x"} | label_format a)", "line 1, col 27", "expected \"=\""},
    {R"({app="x"} | drop)", "line 1, col 17", "expected a label name"},
    {R"({app="x"} | unwrap x)", "line 1, col 13",
     "unwrap is only allowed inside a range aggregation"},
    {R"({app="x"}[5m])", "line 1, col 10",
     "only allowed inside a range aggregation"},
    {R"(({app="x"})[5m])", "line 1, col 12",
     "only allowed inside a range aggregation"},
    {R"({app="x"} + 1)", "line 1, col 11", "log queries cannot be operands"},
    {R"(1 + {app="x"})", "line 1, col 5", "log queries cannot be operands"},
    {R"(count_over_time({app="x"}))", "line 1, col 26",
     "expected a range such as [5m]"},
    {R"(count_over_time({app="x"}[5]))", "line 1, col 27",
     "invalid duration \"5\""},
    {R"(count_over_time({app="x"}[0s]))", "line 1, col 27",
     "range must be greater than 0"},
    {R"(count_over_time({app="x"}[1.5m]))", "line 1, col 27",
     "invalid duration"},
    {R"(count_over_time({app="x"}[5m)", "line 1, col 29", "expected \"]\""},
    {R"(count_over_time({app="x"}[5m] offset))", "line 1, col 37",
     "expected a duration such as 1h"},
    {R"(count_over_time({app="x"}[5m]) offset 1h)", "line 1, col 32",
     "unexpected identifier \"offset\""},
    {R"(count_over_time({app="x"} | logfmt | unwrap x [5m]))", "line 1, col 1",
     "count_over_time cannot be used with unwrap"},
    {R"(bytes_rate({app="x"} | unwrap x [5m]))", "line 1, col 1",
     "bytes_rate cannot be used with unwrap"},
    {R"(sum_over_time({app="x"}[5m]))", "line 1, col 1",
     "sum_over_time needs an unwrapped range"},
    {R"(quantile_over_time({app="x"} | unwrap x [5m]))", "line 1, col 20",
     "expected the quantile parameter"},
    {R"(avg_over_time(0.5, {app="x"} | unwrap x [5m]))", "line 1, col 15",
     "avg_over_time does not take a parameter"},
    {R"(count_over_time({app="x"}[5m]) by (a))", "line 1, col 32",
     "grouping after count_over_time(...) needs an unwrapped range"},
    {R"(avg_over_time({app="x"} | unwrap x | json [5m]))", "line 1, col 36",
     "only label filters may follow unwrap"},
    {R"(avg_over_time({app="x"} | unwrap [5m]))", "line 1, col 34",
     "expected a label name"},
    {R"(avg_over_time({app="x"} | unwrap seconds(x) [5m]))", "line 1, col 34",
     "unknown unwrap conversion \"seconds\""},
    {R"(count_over_time(rate({app="x"}[5m])))", "line 1, col 17",
     "expected a stream selector"},
    {R"(count_over_time)", "line 1, col 16",
     "expected \"(\" after count_over_time"},
    {R"(sum({app="x"}))", "line 1, col 5",
     "sum needs a metric expression, not a log query"},
    {R"(sum(rate({app="x"}[5m])) by (a) by (b))", "line 1, col 33",
     "unexpected identifier \"by\""},
    {R"(sum by (a) (rate({app="x"}[5m])) by (b))", "line 1, col 34",
     "unexpected identifier \"by\""},
    {R"(sum by a (rate({app="x"}[5m])))", "line 1, col 8", "expected \"(\""},
    {R"(sum by (a,) (rate({app="x"}[5m])))", "line 1, col 11",
     "expected a label name"},
    {R"(sum(5, rate({app="x"}[5m])))", "line 1, col 5",
     "sum does not take a parameter"},
    {R"(topk(rate({app="x"}[5m])))", "line 1, col 6",
     "expected the number of series"},
    {R"(topk(0, rate({app="x"}[5m])))", "line 1, col 6",
     "topk parameter must be a positive integer"},
    {R"(topk(1e20, rate({app="x"}[5m])))", "line 1, col 6",
     "topk parameter must be a positive integer"},
    {R"(topk(1.5, rate({app="x"}[5m])))", "line 1, col 6",
     "topk parameter must be a positive integer"},
    {R"(sum(rate({app="x"}[5m]))", "line 1, col 24", "expected \")\""},
    {R"(rate({app="x"}[5m]) +)", "line 1, col 22", "unexpected end of input"},
    {R"(rate({app="x"}[5m]) + bool 1)", "line 1, col 23",
     "bool modifier can only be used on comparison operators"},
    {R"(rate({app="x"}[5m]) / on (a) rate({app="y"}[5m]))", "line 1, col 23",
     "vector matching"},
    {R"(rate({app="x"}[5m]) and 1)", "line 1, col 21",
     "set operator \"and\" needs vector operands"},
    {"1 > 2", "line 1, col 3",
     "comparisons between numbers must use the bool modifier"},
    {R"(-rate({app="x"}[5m]))", "line 1, col 1",
     "unary + and - are only supported before a number"},
    {"1 +", "line 1, col 4", "unexpected end of input"},
    {"(1", "line 1, col 3", "expected \")\""},
    {"1)", "line 1, col 2",
     "unexpected \")\", expected an operator or end of input"},
    {"1e400", "line 1, col 1", "invalid number \"1e400\""},
    {"0x10", "line 1, col 1", "invalid number \"0x10\""},
    {"foo", "line 1, col 1",
     "unexpected identifier \"foo\", expected a stream selector"},
    {"foo(1)", "line 1, col 1", "unknown function \"foo\""},
    {R"(vector("a"))", "line 1, col 8", "expected a number in vector(...)"},
    {R"(vector(1)", "line 1, col 9", "expected \")\""},
    {R"q(label_replace(rate({a="b"}[1m]), "x", "$1", "y", "(.*)"))q",
     "line 1, col 1", "label_replace is not supported"},
    {R"(rate_counter({a="b"} | unwrap x [1m]))", "line 1, col 1",
     "rate_counter is not supported"},
    {"{app=\"x\"}\n  |= \"a\"\n  | json x=", "line 3, col 12",
     "expected a string"},
    {"{app=\"x\"} @", "line 1, col 11", "unexpected character '@'"},
    {"{app=\"x\"} \x01", "line 1, col 11", "unexpected character 0x01"},
    {"{app=\"x\"} |= `abc", "line 1, col 14", "unterminated raw string"},
    {R"({app="x"} ! "a")", "line 1, col 11", "unexpected character '!'"},
};

TEST(LogqlParserTest, TableHasEnoughCases) {
  EXPECT_GE(std::size(kValid) + std::size(kInvalid), 150u);
}

TEST(LogqlParserTest, ValidQueriesParseAndPrintCanonically) {
  for (const ValidCase& c : kValid) {
    SCOPED_TRACE(c.query);
    auto e = ParseLogQL(c.query);
    ASSERT_TRUE(e.ok()) << e.status().message();
    const std::string printed = ToString(**e);
    const std::string want = *c.printed ? c.printed : c.query;
    EXPECT_EQ(printed, want);
    // Printing is a fixed point.
    auto again = ParseLogQL(printed);
    ASSERT_TRUE(again.ok()) << again.status().message();
    EXPECT_EQ(ToString(**again), printed);
  }
}

TEST(LogqlParserTest, InvalidQueriesReportPositionAndReason) {
  for (const InvalidCase& c : kInvalid) {
    SCOPED_TRACE(c.query);
    auto e = ParseLogQL(c.query);
    ASSERT_FALSE(e.ok()) << ToString(**e);
    EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(e.status().message(),
                HasSubstr(std::string("parse error at ") + c.where + ": "));
    EXPECT_THAT(e.status().message(), HasSubstr(c.message));
  }
}

TEST(LogqlParserTest, TreeShapeOfLogQuery) {
  auto e = ParseLogQL(
      R"q({app="sshd", host=~"web.*"} |= "Failed" | regexp "from (?P<ip>\\S+) port (?P<port>\\d+)" | port > 1024 or ip="1.2.3.4" | line_format "{{.ip}}")q");
  ASSERT_TRUE(e.ok()) << e.status().message();
  ASSERT_EQ((*e)->kind, ExprKind::kLogQuery);
  const auto& q = static_cast<const LogQueryExpr&>(**e);
  ASSERT_EQ(q.selector.size(), 2u);
  EXPECT_EQ(q.selector[1].type(), LabelMatcher::Type::kRegexMatch);
  EXPECT_TRUE(q.selector[1].Matches("web-1"));
  EXPECT_FALSE(q.selector[1].Matches("db-web"));  // Fully anchored.
  ASSERT_EQ(q.pipeline.size(), 4u);
  const auto& lf = std::get<LineFilter>(q.pipeline[0]);
  EXPECT_EQ(lf.op, LineFilterOp::kContains);
  EXPECT_EQ(lf.values, std::vector<std::string>{"Failed"});
  const auto& re = std::get<ParserStage>(q.pipeline[1]);
  EXPECT_EQ(re.kind, ParserKind::kRegexp);
  EXPECT_EQ(re.group_labels, (std::vector<std::string>{"ip", "port"}));
  std::string ip, port;
  EXPECT_TRUE(RE2::PartialMatch(
      "Failed password for root from 5.36.59.76 port 42393 ssh2", *re.regex,
      &ip, &port));
  EXPECT_EQ(ip, "5.36.59.76");
  EXPECT_EQ(port, "42393");
  const auto& filter = std::get<LabelFilter>(q.pipeline[2]);
  ASSERT_EQ(filter.kind, LabelFilter::Kind::kOr);
  ASSERT_EQ(filter.children.size(), 2u);
  EXPECT_EQ(filter.children[0].kind, LabelFilter::Kind::kNumber);
  EXPECT_EQ(filter.children[0].op, CmpOp::kGt);
  EXPECT_EQ(filter.children[0].number, 1024);
  EXPECT_EQ(filter.children[1].kind, LabelFilter::Kind::kString);
  const auto& fmt = std::get<LineFormat>(q.pipeline[3]);
  EXPECT_EQ(fmt.tmpl.fields, std::vector<std::string>{"ip"});
}

TEST(LogqlParserTest, LabelFilterPrecedenceAndBindsTighterThanOr) {
  auto e = ParseLogQL(R"({a="b"} | x=1 or y=2 and z=3, w=4 v=5)");
  ASSERT_TRUE(e.ok()) << e.status().message();
  const auto& q = static_cast<const LogQueryExpr&>(**e);
  const auto& f = std::get<LabelFilter>(q.pipeline[0]);
  ASSERT_EQ(f.kind, LabelFilter::Kind::kOr);
  ASSERT_EQ(f.children.size(), 2u);
  EXPECT_EQ(f.children[0].kind, LabelFilter::Kind::kNumber);
  ASSERT_EQ(f.children[1].kind, LabelFilter::Kind::kAnd);
  EXPECT_EQ(f.children[1].children.size(), 4u);
}

TEST(LogqlParserTest, DurationsAndBytesAreConverted) {
  auto e = ParseLogQL(
      R"({a="b"} | d >= 1m30s | e < 250ms | f > 1.5h | s > 10KB | t < 2KiB | u == 3mb)");
  ASSERT_TRUE(e.ok()) << e.status().message();
  const auto& q = static_cast<const LogQueryExpr&>(**e);
  ASSERT_EQ(q.pipeline.size(), 6u);
  EXPECT_EQ(std::get<LabelFilter>(q.pipeline[0]).duration_ns, 90'000'000'000);
  EXPECT_EQ(std::get<LabelFilter>(q.pipeline[1]).duration_ns, 250'000'000);
  EXPECT_EQ(std::get<LabelFilter>(q.pipeline[2]).duration_ns,
            5'400'000'000'000);
  EXPECT_EQ(std::get<LabelFilter>(q.pipeline[3]).bytes, 10'000u);
  EXPECT_EQ(std::get<LabelFilter>(q.pipeline[4]).bytes, 2048u);
  EXPECT_EQ(std::get<LabelFilter>(q.pipeline[5]).bytes, 3'000'000u);
  EXPECT_EQ(std::get<LabelFilter>(q.pipeline[5]).kind,
            LabelFilter::Kind::kBytes);
}

TEST(LogqlParserTest, PatternAndJsonPathsArePrecompiled) {
  auto e = ParseLogQL(
      R"({a="b"} | pattern "<ip> - - <_> \"<method> <path> <_>\"" | json x="req.headers[\"User-Agent\"]", y="items[2].id")");
  ASSERT_TRUE(e.ok()) << e.status().message();
  const auto& q = static_cast<const LogQueryExpr&>(**e);
  const auto& p = std::get<ParserStage>(q.pipeline[0]);
  ASSERT_EQ(p.pattern.size(), 10u);
  EXPECT_TRUE(p.pattern[0].capture);
  EXPECT_EQ(p.pattern[0].text, "ip");
  EXPECT_EQ(p.pattern[1].text, " - - ");
  EXPECT_EQ(p.pattern[2].text, "_");
  EXPECT_EQ(p.pattern[3].text, " \"");
  EXPECT_EQ(p.pattern[9].text, "\"");
  const auto& j = std::get<ParserStage>(q.pipeline[1]);
  ASSERT_EQ(j.extractions.size(), 2u);
  ASSERT_EQ(j.extractions[0].path.size(), 3u);
  EXPECT_EQ(j.extractions[0].path[1].key, "headers");
  EXPECT_EQ(j.extractions[0].path[2].key, "User-Agent");
  ASSERT_EQ(j.extractions[1].path.size(), 3u);
  EXPECT_EQ(j.extractions[1].path[1].index, 2);
  EXPECT_EQ(j.extractions[1].path[2].key, "id");
}

TEST(LogqlParserTest, MetricTreeShape) {
  auto e = ParseLogQL(
      R"(topk(3, sum by (host) (rate({app="sshd"} |= "Failed" [5m] offset 1h))) > 2 * 3)");
  ASSERT_TRUE(e.ok()) << e.status().message();
  ASSERT_EQ((*e)->kind, ExprKind::kBinary);
  const auto& b = static_cast<const BinaryExpr&>(**e);
  EXPECT_EQ(b.op, BinOp::kGtr);
  ASSERT_EQ(b.rhs->kind, ExprKind::kBinary);
  const auto& top = static_cast<const VectorAggregationExpr&>(*b.lhs);
  EXPECT_EQ(top.op, VectorOp::kTopK);
  EXPECT_EQ(top.param, 3);
  const auto& sum = static_cast<const VectorAggregationExpr&>(*top.inner);
  ASSERT_TRUE(sum.grouping.has_value());
  EXPECT_EQ(sum.grouping->labels, std::vector<std::string>{"host"});
  const auto& rate = static_cast<const RangeAggregationExpr&>(*sum.inner);
  EXPECT_EQ(rate.op, RangeOp::kRate);
  EXPECT_EQ(rate.range.range_ms, 300'000);
  EXPECT_EQ(rate.range.offset_ms, 3'600'000);
  EXPECT_EQ(rate.range.pipeline.size(), 1u);
}

TEST(LogqlParserTest, UnwrapWithPostFilters) {
  auto e = ParseLogQL(
      R"(quantile_over_time(0.99, {a="b"} | json | unwrap duration(latency) | __error__="" [1m]) by (path))");
  ASSERT_TRUE(e.ok()) << e.status().message();
  const auto& r = static_cast<const RangeAggregationExpr&>(**e);
  EXPECT_EQ(r.param, 0.99);
  ASSERT_TRUE(r.range.unwrap.has_value());
  EXPECT_EQ(r.range.unwrap->label, "latency");
  EXPECT_EQ(r.range.unwrap->conv, UnwrapConv::kDuration);
  EXPECT_EQ(r.range.unwrap->post_filters.size(), 1u);
  EXPECT_EQ(r.range.pipeline.size(), 1u);
}

TEST(LogqlParserTest, DeepNestingIsAnErrorNotACrash) {
  std::string q(100000, '(');
  auto e = ParseLogQL(q);
  ASSERT_FALSE(e.ok());
  EXPECT_THAT(e.status().message(), HasSubstr("nested too deeply"));
  std::string chain = "1";
  for (int i = 0; i < 5000; ++i) chain += " + 1";
  e = ParseLogQL(chain);
  ASSERT_FALSE(e.ok());
  EXPECT_THAT(e.status().message(), HasSubstr("nested too deeply"));
  std::string pow = "1";
  for (int i = 0; i < 5000; ++i) pow += " ^ 1";
  e = ParseLogQL(pow);
  ASSERT_FALSE(e.ok());
  std::string filt = R"({a="b"} | )" + std::string(5000, '(') + "x=1";
  e = ParseLogQL(filt);
  ASSERT_FALSE(e.ok());
  EXPECT_THAT(e.status().message(), HasSubstr("nested too deeply"));
  // A long flat chain of label filters is fine (one n-ary node).
  std::string flat = R"({a="b"} | x=1)";
  for (int i = 0; i < 5000; ++i) flat += " and x=1";
  EXPECT_TRUE(ParseLogQL(flat).ok());
}

TEST(LogqlParserTest, ParseLogSelector) {
  auto m = ParseLogSelector(R"({app="sshd", host=~"web.*"})");
  ASSERT_TRUE(m.ok()) << m.status().message();
  ASSERT_EQ(m->size(), 2u);
  EXPECT_EQ((*m)[0].name(), "app");
  EXPECT_EQ((*m)[0].value(), "sshd");
  EXPECT_EQ(SelectorToString(*m), R"({app="sshd", host=~"web.*"})");

  auto bad = ParseLogSelector(R"({app="sshd"} |= "x")");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(),
              HasSubstr("line 1, col 14: unexpected \"|=\", expected end of "
                        "input"));
  bad = ParseLogSelector("app");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("expected a stream selector"));
  bad = ParseLogSelector(R"({app=~".*"})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tend::logql
