#include "alert/rules/rule_file.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "alert/template/template.h"

namespace tend::alert {
namespace {

// The message of loading `text` (which must fail).
std::string Errors(std::string_view text,
                   QueryLanguage lang = QueryLanguage::kPromQL) {
  Result<RuleFile> f = ParseRuleFile(text, "rules.yml", lang);
  if (f.ok()) return "LOADED";
  return f.status().message();
}

TEST(RuleFile, LoadsGroupsAndRules) {
  const char* text = R"yaml(groups:
  - name: node
    interval: 30s
    limit: 10
    query_offset: 1m
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
        labels:
          team: ops
      - alert: HostDown
        expr: up == 0
        for: 5m
        keep_firing_for: 10m
        labels:
          severity: critical
        annotations:
          summary: "{{ $labels.instance }} is down ({{ $value }})"
  - name: empty
)yaml";
  Result<RuleFile> f = ParseRuleFile(text, "rules.yml");
  ASSERT_TRUE(f.ok()) << f.status().message();
  ASSERT_EQ(f->groups.size(), 2u);
  EXPECT_EQ(f->RuleCount(), 2u);
  const RuleGroup& g = f->groups[0];
  EXPECT_EQ(g.name, "node");
  EXPECT_EQ(g.file, "rules.yml");
  EXPECT_EQ(g.interval_ms, 30000);
  EXPECT_EQ(g.limit, 10);
  EXPECT_EQ(g.query_offset_ms, 60000);
  EXPECT_EQ(g.pos.line, 2);
  const Rule& rec = g.rules[0];
  EXPECT_EQ(rec.kind, RuleKind::kRecord);
  EXPECT_EQ(rec.name, "job:up:sum");
  EXPECT_EQ(rec.language, QueryLanguage::kPromQL);
  EXPECT_NE(rec.promql, nullptr);
  ASSERT_EQ(rec.labels.size(), 1u);
  EXPECT_EQ(rec.labels[0].name, "team");
  EXPECT_TRUE(rec.labels[0].tmpl->IsPlainText());
  EXPECT_EQ(rec.pos.line, 7);
  EXPECT_EQ(rec.pos.column, 9);
  EXPECT_EQ(rec.expr_pos.line, 8);
  EXPECT_EQ(rec.expr_pos.column, 15);
  const Rule& alert = g.rules[1];
  EXPECT_EQ(alert.kind, RuleKind::kAlert);
  EXPECT_EQ(alert.name, "HostDown");
  EXPECT_EQ(alert.expr, "up == 0");
  EXPECT_EQ(alert.for_ms, 300000);
  EXPECT_EQ(alert.keep_firing_for_ms, 600000);
  ASSERT_EQ(alert.annotations.size(), 1u);
  EXPECT_EQ(alert.annotations[0].pos.line, 18);
  EXPECT_EQ(alert.annotations[0].pos.column, 20);
  const Labels labels = {{"instance", "web-1"}};
  tmpl::TemplateData data;
  data.labels = &labels;
  data.value = 0;
  auto out = alert.annotations[0].tmpl->Execute(data);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "web-1 is down (0)");
}

TEST(RuleFile, EmptyFileHasNoRules) {
  Result<RuleFile> f = ParseRuleFile("", "rules.yml");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->RuleCount(), 0u);
  Result<RuleFile> g = ParseRuleFile("groups: []\n", "rules.yml");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->RuleCount(), 0u);
}

struct ErrorCase {
  const char* text;
  const char* want;
};

TEST(RuleFile, EveryErrorKindWithPosition) {
  const ErrorCase cases[] = {
      {"groups:\n  - name: g\n    rules:\n      - alert: A\n        exp: up\n",
       "rules.yml:5:9: group \"g\", rule 1 (alert A): field exp not found in "
       "a rule (known fields: record, alert, expr, for, keep_firing_for, "
       "labels, annotations)\n"
       "rules.yml:4:9: group \"g\", rule 1 (alert A): field 'expr' must be "
       "set in rule"},
      {"groups:\n  - name: g\n    rules:\n      - alert: A\n        record: "
       "r\n        expr: up\n",
       "rules.yml:4:9: group \"g\", rule 1 (alert A): only one of 'record' "
       "and 'alert' must be set"},
      {"groups:\n  - name: g\n    rules:\n      - expr: up\n",
       "rules.yml:4:9: group \"g\", rule 1: one of 'record' or 'alert' must "
       "be set"},
      {"groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: "
       "\"\"\n",
       "rules.yml:5:15: group \"g\", rule 1 (alert A): field 'expr' must be "
       "set in rule"},
      // The PromQL error points into the expr: column 15 + 12.
      {"groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: "
       "sum(up) by foo\n",
       "rules.yml:5:26: group \"g\", rule 1 (alert A): could not parse expr: "
       "parse error: unexpected identifier \"foo\" in grouping opts, expected "
       "\"(\""},
      {"groups:\n  - name: g\n    rules:\n      - record: 1bad\n        expr: "
       "up\n",
       "rules.yml:4:17: group \"g\", rule 1 (record 1bad): invalid recording "
       "rule name: 1bad"},
      {"groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n"
       "        labels:\n          bad-name: x\n",
       "rules.yml:7:11: group \"g\", rule 1 (alert A): invalid label name: "
       "bad-name"},
      {"groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n"
       "        labels:\n          __name__: x\n",
       "rules.yml:7:11: group \"g\", rule 1 (alert A): invalid label name: "
       "__name__"},
      {"groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n"
       "        annotations:\n          a.b: x\n",
       "rules.yml:7:11: group \"g\", rule 1 (alert A): invalid annotation "
       "name: a.b"},
      {"groups:\n  - name: g\n    rules:\n      - record: r\n        expr: "
       "up\n        for: 5m\n        keep_firing_for: 1m\n",
       "rules.yml:6:9: group \"g\", rule 1 (record r): invalid field 'for' in "
       "recording rule\n"
       "rules.yml:7:9: group \"g\", rule 1 (record r): invalid field "
       "'keep_firing_for' in recording rule"},
      {"groups:\n  - name: g\n    rules:\n      - record: r\n        expr: "
       "up\n        annotations:\n          a: b\n",
       "rules.yml:6:9: group \"g\", rule 1 (record r): invalid field "
       "'annotations' in recording rule"},
      {"groups:\n  - name: g\n    rules:\n      - record: r\n        expr: "
       "up\n        labels:\n          a: \"{{ $labels.x }}\"\n",
       "rules.yml:7:14: group \"g\", rule 1 (record r): labels.a: a recording "
       "rule's labels are not templates (the text would be stored as "
       "written); remove the {{ }}"},
      {"groups:\n  - name: g\n    rules: []\n  - name: g\n    rules: []\n",
       "rules.yml:4:11: group \"g\": group name \"g\" is repeated in the "
       "same file (first at line 2)"},
      {"groups:\n  - name: \"\"\n    rules: []\n",
       "rules.yml:2:5: group 1: group name must not be empty"},
      {"groups:\n  - name: g\n    interval: fast\n",
       "rules.yml:3:15: group \"g\": interval: not a valid duration string: "
       "\"fast\" (expected a number at \"fast\")"},
      {"groups:\n  - name: g\n    limit: -1\n",
       "rules.yml:3:12: group \"g\": limit: want a non-negative integer, "
       "found \"-1\""},
      {"groups:\n  - name: g\n    bogus: 1\n",
       "rules.yml:3:5: group \"g\": field bogus not found in a rule group "
       "(known fields: name, interval, limit, query_offset, rules)"},
      {"group: []\n",
       "rules.yml:1:1: field group not found in the rule file (known fields: "
       "groups)"},
      {"groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n"
       "        expr: down\n",
       "rules.yml:6:9: group \"g\", rule 1 (alert A): mapping key \"expr\" "
       "already defined at line 5"},
      // Template errors point into the value.
      {"groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n"
       "        annotations:\n          summary: \"{{ $value | humanise }}\"\n",
       "rules.yml:7:33: group \"g\", rule 1 (alert A): annotations.summary: "
       "could not parse template: function \"humanise\" not defined"},
      {"groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n"
       "        labels:\n          team: \"{{ $team }}\"\n",
       "rules.yml:7:21: group \"g\", rule 1 (alert A): labels.team: could not "
       "parse template: undefined variable \"$team\""},
      {"groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n"
       "        for: 5 minutes\n",
       "rules.yml:6:14: group \"g\", rule 1 (alert A): for: not a valid "
       "duration string: \"5 minutes\" (unknown unit \" minutes\" (ms, s, "
       "m, h, d, w or y))"},
      {"groups: {}\n", "rules.yml:1:9: groups: want a list of groups"},
      {"- a\n", "rules.yml:1:1: a rule file is a map with a `groups:` list"},
  };
  for (const ErrorCase& c : cases) {
    EXPECT_EQ(Errors(c.text), c.want) << c.text;
  }
}

TEST(RuleFile, PromqlErrorInBlockScalarPointsIntoTheFile) {
  const char* text =
      "groups:\n"
      "  - name: g\n"
      "    rules:\n"
      "      - alert: A\n"
      "        expr: |\n"
      "          sum by (job) (\n"
      "            rate(up[5m])\n"
      "          ) > > 1\n";
  // The second '>' is at line 8, column 15.
  const std::string got = Errors(text);
  EXPECT_EQ(got.rfind("rules.yml:8:15: group \"g\", rule 1 (alert A): could "
                      "not parse expr: parse error: ",
                      0),
            0u)
      << got;
}

TEST(RuleFile, CollectsEveryError) {
  const char* text =
      "groups:\n"
      "  - name: a\n"
      "    rules:\n"
      "      - alert: X\n"
      "        expr: up ==\n"
      "      - record: bad name\n"
      "        expr: up\n"
      "  - name: a\n";
  const std::string got = Errors(text);
  EXPECT_NE(got.find("rules.yml:5:"), std::string::npos) << got;
  EXPECT_NE(got.find("rules.yml:6:17: group \"a\", rule 2 (record bad name): "
                     "invalid recording rule name"),
            std::string::npos)
      << got;
  EXPECT_NE(got.find("rules.yml:8:11: group \"a\": group name \"a\" is "
                     "repeated"),
            std::string::npos)
      << got;
}

TEST(RuleFile, LogQLMetricQueryIsALogRule) {
  const char* text =
      "groups:\n"
      "  - name: logs\n"
      "    rules:\n"
      "      - alert: UpstreamTimeouts\n"
      "        expr: count_over_time({app=\"nginx\"} |= \"upstream timed "
      "out\" [5m]) > 10\n";
  Result<RuleFile> f = ParseRuleFile(text, "rules.yml");
  ASSERT_TRUE(f.ok()) << f.status().message();
  const Rule& r = f->groups[0].rules[0];
  EXPECT_EQ(r.language, QueryLanguage::kLogQL);
  EXPECT_EQ(r.promql, nullptr);
  Result<RuleFile> g = ParseRuleFile(text, "rules.yml", QueryLanguage::kLogQL);
  ASSERT_TRUE(g.ok()) << g.status().message();
  EXPECT_EQ(g->groups[0].rules[0].language, QueryLanguage::kLogQL);
}

TEST(RuleFile, LogQueryWithoutAggregationIsAnError) {
  const char* text =
      "groups:\n"
      "  - name: logs\n"
      "    rules:\n"
      "      - alert: A\n"
      "        expr: '{app=\"nginx\"} |= \"error\"'\n";
  const std::string logql = Errors(text, QueryLanguage::kLogQL);
  EXPECT_EQ(logql,
            "rules.yml:5:15: group \"logs\", rule 1 (alert A): expr is a "
            "LogQL log query, not a metric query; a log rule needs a metric "
            "query such as count_over_time({app=\"nginx\"} |= \"error\" [5m]) "
            "> 0");
  const std::string promql = Errors(text);
  EXPECT_NE(promql.find("could not parse expr: parse error: "),
            std::string::npos)
      << promql;
  EXPECT_NE(promql.find("as LogQL it is a log query"), std::string::npos)
      << promql;
}

TEST(RuleFile, PromqlIsNotAcceptedInLogRuleFiles) {
  const char* text =
      "groups:\n"
      "  - name: logs\n"
      "    rules:\n"
      "      - alert: A\n"
      "        expr: rate(up[5m]) > 0\n";
  const std::string got = Errors(text, QueryLanguage::kLogQL);
  EXPECT_EQ(got.rfind("rules.yml:5:", 0), 0u) << got;
  EXPECT_NE(got.find("could not parse LogQL expr: parse error: "),
            std::string::npos)
      << got;
}

TEST(RuleFile, YamlSyntaxError) {
  const std::string got = Errors("groups:\n  - name: g\n    rules: [\n");
  EXPECT_EQ(got.rfind("rules.yml:", 0), 0u) << got;
  EXPECT_NE(got.find("invalid YAML"), std::string::npos) << got;
}

TEST(RuleFile, SizeLimit) {
  const std::string path = ::testing::TempDir() + "/big_rules.yml";
  {
    std::ofstream out(path);
    out << "groups: []\n" << std::string(kMaxRuleFileBytes, '#') << "\n";
  }
  Result<RuleFile> f = LoadRuleFile(path);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("larger than 16 MiB, the limit for a "
                                      "rule file"),
            std::string::npos)
      << f.status().message();
  std::remove(path.c_str());
}

TEST(RuleFile, MissingFile) {
  Result<RuleFile> f = LoadRuleFile("/nonexistent/rules.yml");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kNotFound);
}

TEST(RuleFile, AliasesCannotMultiplyWork) {
  // 1,100 rules share one labels map of 1,000 entries through an alias:
  // 1.1 million labels, over the limit.
  std::string text = "groups:\n  - name: g\n    rules:\n";
  text += "      - record: r0\n        expr: up\n        labels: &l\n";
  for (int i = 0; i < 1000; ++i) {
    text += "          l" + std::to_string(i) + ": v\n";
  }
  for (int i = 1; i < 1100; ++i) {
    text +=
        "      - {record: r" + std::to_string(i) + ", expr: up, labels: *l}\n";
  }
  const std::string got = Errors(text);
  EXPECT_NE(got.find("more than 1000000 rules, labels and annotations"),
            std::string::npos)
      << got.substr(0, 300);
}

TEST(RuleFile, AliasedRulesLoadOnce) {
  const char* text =
      "groups:\n"
      "  - name: g\n"
      "    rules:\n"
      "      - &r {alert: A, expr: up == 0, labels: {severity: page}}\n"
      "      - *r\n"
      "      - *r\n";
  Result<RuleFile> f = ParseRuleFile(text, "rules.yml");
  ASSERT_TRUE(f.ok()) << f.status().message();
  ASSERT_EQ(f->RuleCount(), 3u);
  EXPECT_EQ(f->groups[0].rules[2].name, "A");
  EXPECT_EQ(f->groups[0].rules[2].labels.size(), 1u);
}

}  // namespace
}  // namespace tend::alert
