// One evaluation cycle of 1,000 alert rules over 10,000 series in a real
// in-memory tsdb head: 100 metrics x 100 instances, 40 samples each (10
// minutes at 15 s); 10 groups of 100 rules `bench_metric_M > T` with
// thresholds that make ~5,500 alerts pending or firing, a templated
// annotation and the ALERTS/ALERTS_FOR_STATE series appended back to the
// head, as the agent does. The state is steady after the first cycle.
//
// Run from the repo root (Release build):
//   build/release/src/alert/engine/rules_bench
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "alert/engine/rule_manager.h"
#include "alert/template/template.h"
#include "promql/parser.h"
#include "tsdb/head.h"

namespace tend::alert {
namespace {

constexpr int kMetrics = 100;
constexpr int kInstances = 100;
constexpr int kRulesPerMetric = 10;
constexpr int kGroups = 10;
constexpr int64_t kT0 = 1'704'067'200'000;
constexpr int64_t kStep = 15'000;
constexpr int kSamples = 40;

class HeadSink : public RecordSink {
 public:
  explicit HeadSink(Head* head) : app_(head->NewAppender()) {}
  Status Append(const promql::Vector& samples) override {
    for (const promql::VectorSample& s : samples) {
      Result<SeriesRef> r = app_->Append(0, s.labels, s.t, s.v);
      if (!r.ok() && r.status().code() != StatusCode::kAlreadyExists &&
          r.status().code() != StatusCode::kOutOfRange) {
        return r.status();
      }
    }
    return app_->Commit();
  }

 private:
  std::unique_ptr<Head::Appender> app_;
};

std::unique_ptr<Head> BuildHead() {
  HeadOptions o;
  auto head = Head::Open(o);
  if (!head.ok()) return nullptr;
  auto app = (*head)->NewAppender();
  for (int m = 0; m < kMetrics; ++m) {
    for (int i = 0; i < kInstances; ++i) {
      Labels l = {{"__name__", "bench_metric_" + std::to_string(m)},
                  {"instance", "host-" + std::to_string(i) + ":9100"},
                  {"job", "node"}};
      const double v = (i * 7 + m) % 100;
      SeriesRef ref = 0;
      for (int k = 0; k < kSamples; ++k) {
        auto r = app->Append(ref, l, kT0 + k * kStep, v + (k % 2) * 0.5);
        if (!r.ok()) return nullptr;
        ref = *r;
      }
    }
  }
  if (!app->Commit().ok()) return nullptr;
  return std::move(*head);
}

std::vector<RuleFile> BuildRules() {
  auto annotation = tmpl::Template::Parse(
      "summary", "{{ $labels.instance }} is at {{ $value | humanize }}");
  RuleFile f;
  f.path = "bench.yml";
  f.groups.resize(kGroups);
  for (int g = 0; g < kGroups; ++g) {
    f.groups[g].name = "group-" + std::to_string(g);
    f.groups[g].file = f.path;
    f.groups[g].interval_ms = 60'000;
  }
  int n = 0;
  for (int m = 0; m < kMetrics; ++m) {
    for (int k = 0; k < kRulesPerMetric; ++k, ++n) {
      Rule r;
      r.kind = RuleKind::kAlert;
      r.name = "Metric" + std::to_string(m) + "High" + std::to_string(k);
      r.expr =
          "bench_metric_" + std::to_string(m) + " > " + std::to_string(89 + k);
      auto e = promql::ParseExpr(r.expr);
      if (!e.ok()) return {};
      r.promql = std::shared_ptr<const promql::Expr>(std::move(*e));
      r.for_ms = (k % 2) * 5 * 60'000;
      TemplatedPair sev;
      sev.name = "severity";
      sev.text = k < 5 ? "warning" : "critical";
      r.labels.push_back(sev);
      if (annotation.ok()) {
        TemplatedPair a;
        a.name = "summary";
        a.text = "{{ $labels.instance }} is at {{ $value | humanize }}";
        a.tmpl = *annotation;
        r.annotations.push_back(a);
      }
      f.groups[n % kGroups].rules.push_back(std::move(r));
    }
  }
  return {std::move(f)};
}

// The PromQL queries alone (the floor under a cycle).
void BM_QueriesOnly(benchmark::State& state) {
  std::unique_ptr<Head> head = BuildHead();
  if (head == nullptr) {
    state.SkipWithError("building the head failed");
    return;
  }
  promql::Engine engine;
  std::vector<RuleFile> files = BuildRules();
  const int64_t ts = kT0 + (kSamples - 1) * kStep;
  for (auto _ : state) {
    for (const RuleGroup& g : files[0].groups) {
      for (const Rule& r : g.rules) {
        auto res = engine.InstantExpr(*head, *r.promql, ts);
        benchmark::DoNotOptimize(res);
      }
    }
  }
}
BENCHMARK(BM_QueriesOnly)->Unit(benchmark::kMillisecond);

// state.range(0): 1 appends the produced series to the head, 0 drops them.
void BM_RuleCycle(benchmark::State& state) {
  std::unique_ptr<Head> head = BuildHead();
  if (head == nullptr) {
    state.SkipWithError("building the head failed");
    return;
  }
  promql::Engine engine;
  HeadSink sink(head.get());
  EvalContext ctx{&engine, head.get(), nullptr,
                  state.range(0) != 0 ? &sink : nullptr};
  RuleManagerOptions o;
  RuleManager m(o, ctx);
  if (!m.Load(BuildRules()).ok()) {
    state.SkipWithError("loading rules failed");
    return;
  }
  const int64_t ts = kT0 + (kSamples - 1) * kStep;
  EvalOutput warm = m.EvaluateAll(ts);
  size_t alerts = 0;
  for (const auto& g : m.Snapshot()) {
    for (const auto& r : g.rules) alerts += r.alerts.size();
  }
  for (auto _ : state) {
    EvalOutput out = m.EvaluateAll(ts);
    benchmark::DoNotOptimize(out);
  }
  state.counters["rules"] = kMetrics * kRulesPerMetric;
  state.counters["series"] = kMetrics * kInstances;
  state.counters["active_alerts"] = static_cast<double>(alerts);
  state.counters["failures"] = static_cast<double>(warm.rule_failures);
}
BENCHMARK(BM_RuleCycle)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tend::alert

BENCHMARK_MAIN();
