// Labels and annotations expanded with Prometheus's template language.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "alert/engine/engine_test_util.h"
#include "alert/engine/rule_manager.h"
#include "alert/template/template.h"
#include "base/clock.h"

namespace tend::alert {
namespace {

using namespace testing;  // NOLINT

TemplatedPair Tmpl(const std::string& name, const std::string& text) {
  TemplatedPair p;
  p.name = name;
  p.text = text;
  auto t = tmpl::Template::Parse(name, text);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  if (t.ok()) p.tmpl = *t;
  return p;
}

class TemplateExpandTest : public ::testing::Test {
 protected:
  EvalOutput Run(Rule r, RuleManagerOptions o = {}) {
    o.clock = &clock_;
    manager_ = std::make_unique<RuleManager>(o, w_.ctx);
    EXPECT_TRUE(manager_->Load({OneGroup({std::move(r)})}).ok());
    return manager_->EvaluateAll(kT0);
  }
  World w_;
  FakeClock clock_;
  std::unique_ptr<RuleManager> manager_;
};

TEST_F(TemplateExpandTest, AnnotationsSeeLabelsAndValue) {
  w_.Set("disk_used_ratio", {{"instance", "web-1:9100"}, {"mount", "/"}}, kT0,
         0.934);
  Rule r = AlertRule("DiskFull", "disk_used_ratio > 0.9");
  r.annotations = {
      Tmpl("summary",
           "{{ $labels.mount }} on {{ $labels.instance }} is "
           "{{ $value | humanizePercentage }} full"),
      Tmpl("raw", "value={{ $value }}"),
      Tmpl("static", "plain text"),
  };
  EvalOutput o = Run(r);
  ASSERT_EQ(o.alerts.size(), 1u);
  EXPECT_EQ(o.alerts[0].annotations,
            (Labels{{"raw", "value=0.934"},
                    {"static", "plain text"},
                    {"summary", "/ on web-1:9100 is 93.4% full"}}));
}

TEST_F(TemplateExpandTest, LabelsAreExpandedAndIdentifyTheAlert) {
  w_.Set("load", {{"host", "a"}}, kT0, 12);
  w_.Set("load", {{"host", "b"}}, kT0, 3);
  Rule r = AlertRule("Load", "load > 1");
  r.labels = {Tmpl("severity",
                   "{{ if gt $value 10.0 }}page{{ else }}"
                   "ticket{{ end }}"),
              Tmpl("where", "{{ $labels.host | toUpper }}")};
  EvalOutput o = Run(r);
  ASSERT_EQ(o.alerts.size(), 2u);
  std::map<std::string, std::string> sev;
  for (const Alert& a : o.alerts) {
    sev[std::string(GetLabel(a.labels, "where"))] =
        std::string(GetLabel(a.labels, "severity"));
  }
  EXPECT_EQ(sev["A"], "page");
  EXPECT_EQ(sev["B"], "ticket");
}

TEST_F(TemplateExpandTest, ExternalLabelsAndUrl) {
  w_.Set("load", {{"host", "a"}}, kT0, 12);
  Rule r = AlertRule("Load", "load > 1");
  r.annotations = {
      Tmpl("where", "{{ $externalLabels.site }} {{ $externalURL }}")};
  RuleManagerOptions o;
  o.external_labels = {{"site", "par1"}};
  o.external_url = "http://tend:9090";
  EvalOutput out = Run(r, o);
  ASSERT_EQ(out.alerts.size(), 1u);
  EXPECT_EQ(GetLabel(out.alerts[0].annotations, "where"),
            "par1 http://tend:9090");
}

TEST_F(TemplateExpandTest, ExecutionErrorsBecomeTheValue) {
  w_.Set("load", {{"host", "a"}}, kT0, 12);
  Rule r = AlertRule("Load", "load > 1");
  r.annotations = {Tmpl("bad", "{{ humanize \"abc\" }}")};
  EvalOutput o = Run(r);
  ASSERT_EQ(o.alerts.size(), 1u);
  const std::string v(GetLabel(o.alerts[0].annotations, "bad"));
  EXPECT_EQ(v.rfind("<error expanding template: ", 0), 0u) << v;
  // The rule itself is healthy.
  EXPECT_EQ(manager_->Snapshot()[0].rules[0].health, RuleHealth::kGood);
}

}  // namespace
}  // namespace tend::alert
