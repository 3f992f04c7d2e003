// Expected outputs are worked out by hand from Prometheus's template
// documentation (docs/configuration/template_reference.md and
// template_examples.md) and Go's text/template documentation.
#include "alert/template/template.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace tend::tmpl {
namespace {

struct Case {
  const char* text;
  double value;
  const char* want;
};

const Labels kLabels = {{"__name__", "node_load1"},
                        {"instance", "web-1.example.com:9100"},
                        {"job", "node"},
                        {"mountpoint", "/var"}};

std::string Render(std::string_view text, double value,
                   const Labels& labels = kLabels) {
  auto t = Template::Parse("t", text);
  if (!t.ok()) return "PARSE ERROR: " + t.status().message();
  TemplateData data;
  data.labels = &labels;
  data.value = value;
  const Labels external = {{"cluster", "eu1"}};
  data.external_labels = &external;
  data.external_url = "http://prom.example.com:9090/prometheus/";
  auto out = (*t)->Execute(data);
  if (!out.ok()) return "EXEC ERROR: " + out.status().message();
  return *out;
}

TEST(Template, Table) {
  const Case cases[] = {
      // Text, variables and fields.
      {"plain text", 0, "plain text"},
      {"{{ $labels.instance }} down", 0, "web-1.example.com:9100 down"},
      {"{{ .Labels.job }}", 0, "node"},
      {"{{ $labels.missing }}", 0, "<no value>"},
      {"[{{ index $labels \"missing\" }}]", 0, "[]"},
      {"{{ index $labels \"job\" }}", 0, "node"},
      {"{{ index .Labels \"mountpoint\" }}", 0, "/var"},
      {"{{ $externalLabels.cluster }}", 0, "eu1"},
      {"{{ .ExternalLabels.cluster }}", 0, "eu1"},
      {"{{ $externalURL }}", 0, "http://prom.example.com:9090/prometheus/"},
      {"{{ $.Value }}", 2.5, "2.5"},
      // $value in Go's shortest float form.
      {"{{ $value }}", 0.1, "0.1"},
      {"{{ $value }}", 1e6, "1e+06"},
      {"{{ $value }}", 123456.789, "123456.789"},
      {"{{ $value }}", 42, "42"},
      {"{{ $value }}", -0.5, "-0.5"},
      {"{{ $value }}", NAN, "NaN"},
      {"{{ $value }}", INFINITY, "+Inf"},
      {"{{ .Value }}", 1e-7, "1e-07"},
      // humanize: SI prefixes with %.4g.
      {"{{ humanize 1234 }}", 0, "1.234k"},
      {"{{ $value | humanize }}", 0, "0"},
      {"{{ $value | humanize }}", 1e6, "1M"},
      {"{{ $value | humanize }}", 123456789, "123.5M"},
      {"{{ $value | humanize }}", -1500, "-1.5k"},
      {"{{ $value | humanize }}", 12, "12"},
      {"{{ $value | humanize }}", 0.001, "1m"},
      {"{{ $value | humanize }}", 0.000123, "123u"},
      {"{{ $value | humanize }}", 0.5, "500m"},
      {"{{ $value | humanize }}", 2.5e-9, "2.5n"},
      {"{{ $value | humanize }}", 1e27, "1000Y"},
      {"{{ $value | humanize }}", 3e12, "3T"},
      {"{{ $value | humanize }}", NAN, "NaN"},
      {"{{ $value | humanize }}", -INFINITY, "-Inf"},
      {"{{ humanize \"2048\" }}", 0, "2.048k"},
      // humanize1024: powers of 1024, Prometheus spells the first "ki".
      {"{{ humanize1024 1024 }}", 0, "1ki"},
      {"{{ humanize1024 1536 }}", 0, "1.5ki"},
      {"{{ $value | humanize1024 }}", 1048576, "1Mi"},
      {"{{ $value | humanize1024 }}", 5368709120.0, "5Gi"},
      {"{{ $value | humanize1024 }}", 1, "1"},
      {"{{ $value | humanize1024 }}", 0.5, "0.5"},
      {"{{ $value | humanize1024 }}", 1000, "1000"},
      // humanizeDuration.
      {"{{ $value | humanizeDuration }}", 0, "0s"},
      {"{{ $value | humanizeDuration }}", 1.5, "1.5s"},
      {"{{ $value | humanizeDuration }}", 0.5, "500ms"},
      {"{{ $value | humanizeDuration }}", 0.0005, "500us"},
      {"{{ $value | humanizeDuration }}", 93784, "1d 2h 3m 4s"},
      {"{{ $value | humanizeDuration }}", 3600, "1h 0m 0s"},
      {"{{ $value | humanizeDuration }}", 61, "1m 1s"},
      {"{{ $value | humanizeDuration }}", 59.5, "59.5s"},
      {"{{ $value | humanizeDuration }}", -90, "-1m 30s"},
      {"{{ $value | humanizeDuration }}", 172800.9, "2d 0h 0m 0s"},
      {"{{ $value | humanizeDuration }}", INFINITY, "+Inf"},
      // humanizePercentage.
      {"{{ $value | humanizePercentage }}", 0.1234, "12.34%"},
      {"{{ $value | humanizePercentage }}", 0.5, "50%"},
      {"{{ $value | humanizePercentage }}", 1, "100%"},
      {"{{ $value | humanizePercentage }}", 0.000123, "0.0123%"},
      {"{{ $value | humanizePercentage }}", 0.98765, "98.77%"},
      // humanizeTimestamp / toTime: UTC, milliseconds kept.
      {"{{ $value | humanizeTimestamp }}", 1435065584.128,
       "2015-06-23 13:19:44.128 +0000 UTC"},
      {"{{ $value | humanizeTimestamp }}", 0, "1970-01-01 00:00:00 +0000 UTC"},
      {"{{ $value | humanizeTimestamp }}", NAN, "NaN"},
      {"{{ toTime 86400.5 }}", 0, "1970-01-02 00:00:00.5 +0000 UTC"},
      // Strings.
      {"{{ title \"foo bar-baz\" }}", 0, "Foo Bar-Baz"},
      {"{{ toUpper $labels.job }}", 0, "NODE"},
      {"{{ \"MiXeD\" | toLower }}", 0, "mixed"},
      {"{{ if match \"^web-\" $labels.instance }}web{{ end }}", 0, "web"},
      {"{{ if match \"^db\" $labels.instance }}db{{ else }}other{{ end }}", 0,
       "other"},
      {"{{ reReplaceAll \"(.*):(.*)\" \"$1 port $2\" $labels.instance }}", 0,
       "web-1.example.com port 9100"},
      {"{{ reReplaceAll \"a+\" \"<${0}>\" \"baaac a\" }}", 0, "b<aaa>c <a>"},
      {"{{ reReplaceAll \"x*\" \"-\" \"abc\" }}", 0, "-a-b-c-"},
      {"{{ reReplaceAll \"(?P<h>[a-z]+)\" \"$h$$\" \"ab\" }}", 0, "ab$"},
      {"{{ $labels.instance | stripPort }}", 0, "web-1.example.com"},
      {"{{ stripPort \"[::1]:9090\" }}", 0, "::1"},
      {"{{ stripPort \"localhost\" }}", 0, "localhost"},
      {"{{ $labels.instance | stripDomain }}", 0, "web-1:9100"},
      {"{{ stripDomain \"192.168.1.1:9100\" }}", 0, "192.168.1.1:9100"},
      {"{{ stripDomain \"host.example.com\" }}", 0, "host"},
      {"{{ safeHtml \"<b>\" }}", 0, "<b>"},
      {"{{ parseDuration \"1h30m\" }}", 0, "5400"},
      {"{{ parseDuration \"250ms\" }}", 0, "0.25"},
      {"{{ externalURL }}", 0, "http://prom.example.com:9090/prometheus/"},
      {"{{ pathPrefix }}", 0, "/prometheus/"},
      // Go builtins.
      {"{{ printf \"%.2f\" $value }}", 3.14159, "3.14"},
      {"{{ printf \"%d%%\" 42 }}", 0, "42%"},
      {"{{ printf \"%s=%v\" \"v\" $value }}", 1.5, "v=1.5"},
      {"{{ printf \"%5.1f|%-4s|\" $value \"ab\" }}", 2.25, "  2.2|ab  |"},
      {"{{ printf \"%d\" $value }}", 1.5, "%!d(float64=1.5)"},
      {"{{ printf \"%q\" $labels.job }}", 0, "\"node\""},
      {"{{ printf \"%x\" 255 }}", 0, "ff"},
      {"{{ printf \"%g\" 1e6 }}", 0, "1e+06"},
      {"{{ \"x\" | printf \"%s-%s\" \"a\" }}", 0, "a-x"},
      {"{{ print 1 2 }}", 0, "1 2"},
      {"{{ print \"a\" \"b\" 3 }}", 0, "ab3"},
      {"{{ println \"a\" 1 }}", 0, "a 1\n"},
      {"{{ html \"<a href='x'>&</a>\" }}", 0,
       "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;"},
      {"{{ js \"it's <b>\" }}", 0, "it\\'s \\u003Cb\\u003E"},
      {"{{ urlquery \"a b&c=d/é\" }}", 0, "a+b%26c%3Dd%2F%C3%A9"},
      {"{{ len $labels }}", 0, "4"},
      {"{{ len \"héllo\" }}", 0, "6"},
      {"{{ not true }}", 0, "false"},
      {"{{ and 1 0 }}", 0, "0"},
      {"{{ and 1 2 }}", 0, "2"},
      {"{{ or 0 \"\" \"x\" }}", 0, "x"},
      {"{{ or 0 \"\" }}", 0, ""},
      {"{{ and false (index nil 1) }}", 0, "false"},  // Short-circuit.
      {"{{ eq $labels.job \"node\" }}", 0, "true"},
      {"{{ eq 1 2 3 1 }}", 0, "true"},
      {"{{ eq $labels.missing \"x\" }}", 0, "false"},
      {"{{ ne \"a\" \"b\" }}", 0, "true"},
      {"{{ lt 1 2 }}", 0, "true"},
      {"{{ le 2 2 }}", 0, "true"},
      {"{{ gt $value 80.0 }}", 90, "true"},
      {"{{ ge $value 80.0 }}", 70, "false"},
      {"{{ gt \"b\" \"a\" }}", 0, "true"},
      {"{{ gt $value 1.0 }}", NAN, "true"},  // Go: gt is !le.
      {"{{ with args 1 \"a\" }}{{ .arg0 }} {{ .arg1 }}{{ end }}", 0, "1 a"},
      // Control structures.
      {"{{ if gt $value 90.0 }}critical{{ else if gt $value 80.0 }}warning"
       "{{ else }}ok{{ end }}",
       85, "warning"},
      {"{{ if gt $value 90.0 }}critical{{ else if gt $value 80.0 }}warning"
       "{{ else }}ok{{ end }}",
       95, "critical"},
      {"{{ if gt $value 90.0 }}critical{{ else if gt $value 80.0 }}warning"
       "{{ else }}ok{{ end }}",
       5, "ok"},
      {"{{ if $labels.missing }}yes{{ else }}no{{ end }}", 0, "no"},
      {"{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}", 0,
       "__name__=node_load1;instance=web-1.example.com:9100;job=node;"
       "mountpoint=/var;"},
      {"{{ range $labels }}[{{ . }}]{{ end }}", 0,
       "[node_load1][web-1.example.com:9100][node][/var]"},
      {"{{ range $v := .Labels }}{{ $v }},{{ end }}", 0,
       "node_load1,web-1.example.com:9100,node,/var,"},
      {"{{ range $k, $v := $labels }}{{ if eq $k \"job\" }}{{ $.Value }}"
       "{{ end }}{{ end }}",
       7, "7"},
      {"{{ range $externalLabels.none }}x{{ else }}empty{{ end }}", 0, "empty"},
      {"{{ with $labels.job }}job={{ . }}{{ end }}", 0, "job=node"},
      {"{{ with $labels.missing }}x{{ else }}none{{ end }}", 0, "none"},
      {"{{ $x := 1 }}{{ $x }}{{ $x = 2 }}{{ $x }}", 0, "12"},
      {"{{ $x := \"a\" }}{{ if true }}{{ $x = \"b\" }}{{ end }}{{ $x }}", 0,
       "b"},
      {"{{ $v := $value | humanize }}{{ $v }}!", 2000, "2k!"},
      {"{{ (printf \"%s\" \"p\") }}", 0, "p"},
      {"{{ (index $ \"Labels\").job }}", 0, "node"},
      // Trim markers and comments.
      {"a  {{- \"b\" -}}  c", 0, "abc"},
      {"a\n  {{- /* note */ -}}\n  b", 0, "ab"},
      {"x{{/* comment */}}y", 0, "xy"},
      {"{{- $labels.job }}\n", 0, "node\n"},
      {"{{ -3 }} {{ 1.5e3 }} {{ 0x10 }} {{ 'a' }}", 0, "-3 1500 16 97"},
      {"{{ `raw\\n` }}", 0, "raw\\n"},
      {"{{ \"tab\\tquote\\\"\" }}", 0, "tab\tquote\""},
      {"{{ true }} {{ false }}", 0, "true false"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Render(c.text, c.value), c.want) << c.text;
  }
}

TEST(Template, MapAndListPrinting) {
  EXPECT_EQ(Render("{{ $externalLabels }}", 0), "map[cluster:eu1]");
  EXPECT_EQ(Render("{{ args 1 2.5 }}", 0), "map[arg0:1 arg1:2.5]");
}

struct ErrorCase {
  const char* text;
  const char* want;  // The whole message.
};

TEST(Template, ParseErrorsWithPosition) {
  const ErrorCase cases[] = {
      {"{{ .Foo", "t:1:8: unclosed action"},
      {"a\n{{ end }}", "t:2:4: unexpected {{end}}"},
      {"x {{ else }}", "t:1:6: unexpected {{else}}"},
      {"{{ if true }}", "t:1:14: unexpected EOF"},
      {"{{ if true }}a{{ else }}b{{ else }}c{{ end }}",
       "t:1:29: expected end; found {{else}}"},
      {"line1\nline2 {{ foo }}", "t:2:10: function \"foo\" not defined"},
      {"{{ query \"up\" }}",
       "t:1:4: function \"query\" is not supported in tend's alert templates"},
      {"{{ $x }}", "t:1:4: undefined variable \"$x\""},
      {"{{ $x = 1 }}", "t:1:4: undefined variable \"$x\""},
      {"{{ if true }}{{ $y := 1 }}{{ end }}{{ $y }}",
       "t:1:39: undefined variable \"$y\""},
      {"{{ 1 | 2 }}", "t:1:8: non executable command in pipeline stage 2"},
      {"{{ }}", "t:1:4: missing value for command"},
      {"{{ \"abc }}", "t:1:4: unterminated quoted string"},
      {"{{/* x }}", "t:1:1: unclosed comment"},
      {"{{ ( 1 }}", "t:1:8: unclosed left paren"},
      {"{{ 1 ) }}", "t:1:6: unexpected right paren"},
      {"{{ define \"x\" }}{{ end }}",
       "t:1:4: {{define}} is not supported in alert templates"},
      {"{{ 3x }}", "t:1:4: bad number syntax: \"3x\""},
      {"{{ .a | if }}", "t:1:9: unexpected \"if\" in operand"},
      {"{{ # }}", "t:1:4: unrecognized character in action: U+0023"},
      {"{{ range $a, $b, $c := . }}{{ end }}",
       "t:1:14: range can only initialize variables"},
      {"{{ \"x\".y }}", "t:1:7: unexpected . after term \"constant\""},
  };
  for (const ErrorCase& c : cases) {
    auto t = Template::Parse("t", c.text);
    ASSERT_FALSE(t.ok()) << c.text;
    EXPECT_EQ(t.status().message(), c.want) << c.text;
  }
}

TEST(Template, ParseErrorWithoutName) {
  auto t = Template::Parse("", "{{ nope }}");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(), "1:4: function \"nope\" not defined");
}

TEST(Template, ExecutionErrors) {
  const ErrorCase cases[] = {
      {"{{ humanize \"abc\" }}",
       "t:1:4: error calling humanize: strconv.ParseFloat: parsing \"abc\": "
       "invalid syntax"},
      {"{{ $labels | humanize }}",
       "t:1:14: error calling humanize: can't convert map[string]string to "
       "float"},
      {"{{ humanize 1 2 }}",
       "t:1:4: wrong number of args for humanize: want 1 got 2"},
      {"{{ gt $value 80 }}",
       "t:1:4: error calling gt: incompatible types for comparison"},
      {"{{ toUpper $value }}",
       "t:1:4: error calling toUpper: wrong type for value; expected "
       "string; got float64"},
      {"{{ index $labels 1 }}",
       "t:1:4: error calling index: value has type int; should be string"},
      {"{{ match \"(\" \"x\" }}",
       "t:1:4: error calling match: error parsing regexp: missing ): ("},
      {"{{ $value.x }}", "t:1:4: can't evaluate field x in type float64"},
      {"{{ $labels.a.b }}", "t:1:4: nil data; no entry for key \"b\""},
      {"{{ range $value }}{{ end }}", "t:1:4: range can't iterate over 0"},
      {"{{ parseDuration \"5 minutes\" }}",
       "t:1:4: error calling parseDuration: not a valid duration string: "
       "\"5 minutes\""},
      {"{{ first 1 }}",
       "t:1:4: error calling first: wrong type for value; expected "
       "queryResult; got int"},
      {"{{ 1 | $value }}", "t:1:8: can't give argument to non-function"},
      {"{{ nil }}", "t:1:4: nil is not a command"},
  };
  for (const ErrorCase& c : cases) {
    EXPECT_EQ(Render(c.text, 0), std::string("EXEC ERROR: ") + c.want)
        << c.text;
  }
}

TEST(Template, OutputIsCapped) {
  Labels many;
  for (int i = 0; i < 200; ++i) {
    many.push_back({"l" + std::to_string(1000 + i), std::string(100, 'x')});
  }
  const std::string out = Render(
      "{{ range $k, $v := $labels }}{{ $v }}{{ $v }}{{ $v }}{{ $v }}"
      "{{ end }}",
      0, many);
  EXPECT_EQ(out.rfind("EXEC ERROR: t:", 0), 0u) << out.substr(0, 80);
  EXPECT_NE(out.find("template output exceeds 65536 bytes"), std::string::npos);
}

TEST(Template, WorkIsCapped) {
  Labels many;
  for (int i = 0; i < 100; ++i) {
    many.push_back({"l" + std::to_string(100 + i), "v"});
  }
  const std::string out = Render(
      "{{ range $labels }}{{ range $labels }}{{ range $labels }}"
      "{{ range $labels }}{{ end }}{{ end }}{{ end }}{{ end }}",
      0, many);
  EXPECT_NE(out.find("template does too much work"), std::string::npos)
      << out.substr(0, 80);
}

TEST(Template, NestingIsCapped) {
  std::string deep;
  for (int i = 0; i < 200; ++i) deep += "{{ if true }}";
  auto t = Template::Parse("t", deep);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("nested too deeply"), std::string::npos);
  std::string parens =
      "{{ " + std::string(500, '(') + "1" + std::string(500, ')') + " }}";
  EXPECT_FALSE(Template::Parse("t", parens).ok());
}

TEST(Template, PlainText) {
  auto plain = Template::Parse("t", "no actions here");
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE((*plain)->IsPlainText());
  auto empty = Template::Parse("t", "");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE((*empty)->IsPlainText());
  auto action = Template::Parse("t", "a {{ $value }}");
  ASSERT_TRUE(action.ok());
  EXPECT_FALSE((*action)->IsPlainText());
  auto comment = Template::Parse("t", "a{{/* c */}}");
  ASSERT_TRUE(comment.ok());
  EXPECT_FALSE((*comment)->IsPlainText());
}

TEST(Template, NullLabelsAreEmpty) {
  auto t = Template::Parse("t", "[{{ $labels.x }}][{{ len $labels }}]");
  ASSERT_TRUE(t.ok());
  TemplateData data;
  auto out = (*t)->Execute(data);
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(*out, "[<no value>][0]");
}

}  // namespace
}  // namespace tend::tmpl
