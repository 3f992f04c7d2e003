// Helpers for the engine's tests: rules built by hand (until the rule-file
// loader exists), an in-memory store, a sink that records what rules
// wrote, and a temporary directory for a real state database.
#ifndef TEND_ALERT_ENGINE_ENGINE_TEST_UTIL_H_
#define TEND_ALERT_ENGINE_ENGINE_TEST_UTIL_H_

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "alert/engine/eval_context.h"
#include "alert/engine/rule_manager.h"
#include "alert/rule.h"
#include "model/point.h"
#include "promql/engine.h"
#include "promql/mem_storage.h"
#include "promql/parser.h"

namespace tend::alert::testing {

inline constexpr int64_t kMin = 60'000;
// 2024-01-01T00:00:00Z.
inline constexpr int64_t kT0 = 1'704'067'200'000;

inline std::shared_ptr<const promql::Expr> MustParse(const std::string& q) {
  Result<promql::ExprPtr> e = promql::ParseExpr(q);
  if (!e.ok()) return nullptr;
  return std::shared_ptr<const promql::Expr>(std::move(*e));
}

// Plain-text labels/annotations (no template object: the engine uses the
// text as is).
inline std::vector<TemplatedPair> Plain(
    std::vector<std::pair<std::string, std::string>> kv) {
  std::vector<TemplatedPair> out;
  for (auto& [k, v] : kv) {
    TemplatedPair p;
    p.name = k;
    p.text = v;
    out.push_back(std::move(p));
  }
  return out;
}

inline Rule AlertRule(const std::string& name, const std::string& expr,
                      int64_t for_ms = 0, int64_t keep_firing_for_ms = 0) {
  Rule r;
  r.kind = RuleKind::kAlert;
  r.name = name;
  r.expr = expr;
  r.promql = MustParse(expr);
  r.for_ms = for_ms;
  r.keep_firing_for_ms = keep_firing_for_ms;
  return r;
}

inline Rule RecordRule(const std::string& name, const std::string& expr) {
  Rule r = AlertRule(name, expr);
  r.kind = RuleKind::kRecord;
  return r;
}

inline RuleFile OneGroup(std::vector<Rule> rules,
                         const std::string& group = "g",
                         const std::string& file = "rules.yml") {
  RuleFile f;
  f.path = file;
  RuleGroup g;
  g.name = group;
  g.file = file;
  g.interval_ms = kMin;
  g.rules = std::move(rules);
  f.groups.push_back(std::move(g));
  return f;
}

// Records every sample; optionally also adds them to a store so later
// rules of the group see them.
class CaptureSink : public RecordSink {
 public:
  explicit CaptureSink(promql::MemStorage* store = nullptr) : store_(store) {}
  Status Append(const promql::Vector& samples) override {
    for (const promql::VectorSample& s : samples) {
      all.push_back(s);
      if (store_ != nullptr) store_->Add(s.labels, {{s.t, s.v}});
    }
    return Status::Ok();
  }
  // The samples of metric `name` written at `t`.
  std::vector<promql::VectorSample> At(std::string_view name, int64_t t) const {
    std::vector<promql::VectorSample> out;
    for (const auto& s : all) {
      if (s.t == t && GetLabel(s.labels, kMetricNameLabel) == name) {
        out.push_back(s);
      }
    }
    return out;
  }
  promql::Vector all;

 private:
  promql::MemStorage* store_;
};

// A store, engine and sink wired into an EvalContext.
struct World {
  promql::MemStorage store;
  promql::Engine engine;
  CaptureSink sink;
  EvalContext ctx;
  World() { ctx = EvalContext{&engine, &store, nullptr, &sink}; }
  // Sets `metric{labels}` to v at t.
  void Set(const std::string& metric, Labels labels, int64_t t, double v) {
    labels.push_back({"__name__", metric});
    store.Add(std::move(labels), {{t, v}});
  }
};

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/alert_engine_test.XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace tend::alert::testing

#endif  // TEND_ALERT_ENGINE_ENGINE_TEST_UTIL_H_
