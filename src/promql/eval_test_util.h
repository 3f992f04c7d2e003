// Test helpers: load series in the script notation into a MemStorage and
// run queries against it.
#ifndef TEND_PROMQL_EVAL_TEST_UTIL_H_
#define TEND_PROMQL_EVAL_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "promql/engine.h"
#include "promql/mem_storage.h"
#include "promql/test_script.h"

namespace tend::promql {

// Adds `desc` (e.g. `x{a="b"} 0+10x5 stale`) with one sample per step_ms
// from t=0.
inline void Load(MemStorage* st, int64_t step_ms, std::string_view desc) {
  Result<SeriesDesc> d = ParseSeriesDesc(desc);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  std::vector<Point> pts;
  for (size_t i = 0; i < d->values.size(); ++i) {
    if (d->values[i]) {
      pts.push_back(Point{static_cast<int64_t>(i) * step_ms, *d->values[i]});
    }
  }
  st->Add(d->labels, std::move(pts));
}

// The value of the only sample of an instant query's vector, or of its
// scalar; NaN plus a test failure otherwise.
inline double One(const Engine& e, MemStorage& st, std::string_view q,
                  int64_t t_ms) {
  Result<QueryResult> r = e.Instant(st, q, t_ms);
  if (!r.ok()) {
    ADD_FAILURE() << q << ": " << r.status().ToString();
    return std::nan("");
  }
  if (r->type == ValueType::kScalar) return r->scalar.v;
  if (r->type != ValueType::kVector || r->vector.size() != 1) {
    ADD_FAILURE() << q << ": expected one sample, got " << r->vector.size();
    return std::nan("");
  }
  return r->vector[0].v;
}

inline Labels L(std::initializer_list<std::pair<const char*, const char*>> l) {
  Labels out;
  for (const auto& [n, v] : l) out.push_back(Label{n, v});
  CanonicalizeLabels(&out);
  return out;
}

}  // namespace tend::promql

#endif  // TEND_PROMQL_EVAL_TEST_UTIL_H_
