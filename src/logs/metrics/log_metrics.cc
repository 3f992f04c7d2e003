#include "logs/metrics/log_metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <set>
#include <unordered_map>

#include "logs/logql/label_filter_eval.h"
#include "logs/process/condition.h"

namespace tend::logs {
namespace {

constexpr size_t kMaxLabels = 32;
constexpr size_t kMaxBuckets = 256;
constexpr size_t kMaxSeriesLimit = 1000000;
constexpr size_t kMaxHelp = 1024;
constexpr std::string_view kOverflowLabel = "tend_overflow";

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.substr(s.size() - suffix.size()) == suffix;
}

std::string FormatDouble(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  if (ec != std::errc()) return "NaN";
  return std::string(buf, ptr);
}

// Validates one config; `*bounds` gets the histogram's finite upper bounds.
Status Validate(const LogMetricConfig& c, std::vector<double>* bounds) {
  if (!IsValidMetricName(c.name)) {
    return InvalidArgumentError(
        "name: \"" + c.name +
        "\" is not a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)");
  }
  if (c.name.rfind("__", 0) == 0) {
    return InvalidArgumentError("name: names starting with __ are reserved");
  }
  const bool histogram = c.type == LogMetricType::kHistogram;
  std::vector<std::string_view> reserved = {"_bucket", "_sum", "_count",
                                            "_created"};
  if (histogram) reserved.push_back("_total");
  for (std::string_view suffix : reserved) {
    if (EndsWith(c.name, suffix)) {
      return InvalidArgumentError(
          "name: \"" + c.name + "\" ends with the reserved suffix " +
          std::string(suffix) + " (a " +
          (histogram ? "histogram adds _bucket, _sum and _count itself"
                     : "counter must not look like a histogram's series") +
          ")");
    }
  }
  if (c.help.size() > kMaxHelp) {
    return InvalidArgumentError("help: longer than " +
                                std::to_string(kMaxHelp) + " bytes");
  }
  if (c.labels.size() > kMaxLabels) {
    return InvalidArgumentError("labels: more than " +
                                std::to_string(kMaxLabels) + " labels");
  }
  for (size_t i = 0; i < c.labels.size(); ++i) {
    const std::string& l = c.labels[i];
    const std::string where =
        "labels[" + std::to_string(i) + "]: \"" + l + "\"";
    if (!IsValidLabelName(l)) {
      return InvalidArgumentError(
          where + " is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*)");
    }
    if (l.rfind("__", 0) == 0 || l == kOverflowLabel) {
      return InvalidArgumentError(where + " is reserved");
    }
    if (histogram && l == "le") {
      return InvalidArgumentError(where + " is reserved for histogram buckets");
    }
    for (size_t j = 0; j < i; ++j) {
      if (c.labels[j] == l) {
        return InvalidArgumentError(where + " is listed twice");
      }
    }
  }
  if (histogram && c.value.empty()) {
    return InvalidArgumentError(
        "value: a histogram needs the field to observe (e.g. value: "
        "request_time)");
  }
  if (!std::isfinite(c.value_scale) || c.value_scale <= 0) {
    return InvalidArgumentError("value_scale: " + FormatDouble(c.value_scale) +
                                " must be a positive finite number");
  }
  if (c.max_series < 1 || c.max_series > kMaxSeriesLimit) {
    return InvalidArgumentError("max_series: " + std::to_string(c.max_series) +
                                " must be between 1 and " +
                                std::to_string(kMaxSeriesLimit));
  }
  if (!histogram) {
    if (!c.buckets.empty()) {
      return InvalidArgumentError("buckets: only histograms have buckets");
    }
    return Status::Ok();
  }
  const std::vector<double>& in =
      c.buckets.empty() ? DefaultBuckets() : c.buckets;
  if (in.size() > kMaxBuckets) {
    return InvalidArgumentError("buckets: more than " +
                                std::to_string(kMaxBuckets) + " buckets");
  }
  bounds->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    const double b = in[i];
    const std::string where = "buckets[" + std::to_string(i) + "]: ";
    if (std::isnan(b) || b == -std::numeric_limits<double>::infinity()) {
      return InvalidArgumentError(where + FormatDouble(b) +
                                  " is not a valid upper bound");
    }
    if (std::isinf(b)) {
      // A trailing +Inf is implied; accept it as written, as Prometheus's
      // client libraries do.
      if (i + 1 != in.size()) {
        return InvalidArgumentError(where + "+Inf must be the last bucket");
      }
      break;
    }
    if (!bounds->empty() && b <= bounds->back()) {
      return InvalidArgumentError(where + FormatDouble(b) +
                                  " is not greater than the previous bucket " +
                                  FormatDouble(bounds->back()) +
                                  " (buckets must strictly increase)");
    }
    bounds->push_back(b);
  }
  if (bounds->empty()) {
    return InvalidArgumentError("buckets: give at least one finite bound");
  }
  return Status::Ok();
}

// Family names a metric emits, to reject collisions between metrics.
std::vector<std::string> FamilyNames(const LogMetricConfig& c) {
  if (c.type == LogMetricType::kCounter) return {c.name};
  return {c.name + "_bucket", c.name + "_sum", c.name + "_count"};
}

uint64_t HashValues(const std::vector<std::string_view>& values) {
  uint64_t h = 0x9e3779b97f4a7c15ull;
  for (std::string_view v : values) {
    h ^= std::hash<std::string_view>()(v) + 0x9e3779b97f4a7c15ull + (h << 6) +
         (h >> 2);
  }
  return h;
}

}  // namespace

struct LogMetrics::Series {
  std::vector<std::string> values;  // Immutable after creation.
  bool overflow = false;
  int64_t next = -1;  // Next series with the same hash.
  // Guarded by mu_.
  double value = 0;  // Counter.
  uint64_t count = 0;
  double sum = 0;
  std::vector<uint64_t> buckets;  // Per bucket (not cumulative); last: +Inf.
};

struct LogMetrics::Metric {
  LogMetricConfig config;
  std::optional<Condition> match;
  std::vector<RecordAttr> label_attrs;
  RecordAttr value_attr = RecordAttr::kNone;
  std::vector<double> bounds;  // Histogram finite upper bounds.
  // Guarded by mu_. Series are never removed; pointers stay valid.
  std::vector<std::unique_ptr<Series>> series;
  std::unordered_map<uint64_t, int64_t> index;  // Hash -> first series.
  int64_t overflow = -1;
  uint64_t overflow_records = 0;
  uint64_t errors = 0;
  // Observe's scratch (pipeline thread only).
  std::vector<std::string_view> values;
  std::vector<RecordValueBuffer> bufs;
};

const std::vector<double>& DefaultBuckets() {
  static const auto* b = new std::vector<double>{
      0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return *b;
}

Result<LogMetricType> LogMetricTypeFromName(std::string_view name) {
  if (name == "counter") return LogMetricType::kCounter;
  if (name == "histogram") return LogMetricType::kHistogram;
  return InvalidArgumentError("unknown log metric type \"" + std::string(name) +
                              "\" (known: counter, histogram)");
}

LogMetrics::LogMetrics() = default;
LogMetrics::~LogMetrics() = default;

size_t LogMetrics::size() const { return metrics_.size(); }

Result<std::unique_ptr<LogMetrics>> LogMetrics::Create(
    const std::vector<LogMetricConfig>& configs) {
  std::unique_ptr<LogMetrics> lm(new LogMetrics());
  std::set<std::string> families;
  for (size_t i = 0; i < configs.size(); ++i) {
    const LogMetricConfig& c = configs[i];
    const std::string where =
        "log metric " + std::to_string(i) + " (\"" + c.name + "\"): ";
    auto m = std::make_unique<Metric>();
    Status s = Validate(c, &m->bounds);
    if (!s.ok()) return InvalidArgumentError(where + s.message());
    for (const std::string& f : FamilyNames(c)) {
      if (!families.insert(f).second) {
        return InvalidArgumentError(
            where + "emits \"" + f +
            "\", which an earlier log metric already emits");
      }
    }
    if (!c.match.empty()) {
      Result<Condition> cond = Condition::Parse(c.match);
      if (!cond.ok()) {
        return InvalidArgumentError(where +
                                    "match: " + cond.status().message());
      }
      m->match = std::move(cond).value();
    }
    m->config = c;
    if (m->config.help.empty()) {
      m->config.help =
          "Counted from log records by tend" +
          (c.source.empty() ? std::string() : " (source " + c.source + ")") +
          ".";
    }
    for (const std::string& l : c.labels) {
      m->label_attrs.push_back(RecordAttrFromName(l));
    }
    m->value_attr = RecordAttrFromName(c.value);
    m->values.resize(c.labels.size());
    m->bufs.resize(c.labels.size() + 1);
    lm->metrics_.push_back(std::move(m));
  }
  return lm;
}

void LogMetrics::Observe(const LogRecord& record) {
  for (const std::unique_ptr<Metric>& m : metrics_) ObserveOne(*m, record);
}

void LogMetrics::ObserveOne(Metric& m, const LogRecord& record) {
  const LogMetricConfig& c = m.config;
  if (!c.source.empty() && record.source != c.source) return;
  if (m.match && !m.match->Eval(record)) return;
  double v = 1;
  bool error = false;
  if (!c.value.empty()) {
    std::optional<std::string_view> text =
        RecordValue(record, m.value_attr, c.value, &m.bufs.back());
    std::optional<double> parsed;
    if (text) parsed = logql::ParseGoFloat(*text);
    if (!parsed || !std::isfinite(*parsed)) {
      error = true;
    } else {
      v = *parsed * c.value_scale;
      if (c.type == LogMetricType::kCounter && v < 0) error = true;
    }
  }
  if (error) {
    std::lock_guard<std::mutex> lock(mu_);
    ++m.errors;
    return;
  }
  for (size_t i = 0; i < m.values.size(); ++i) {
    m.values[i] = RecordValue(record, m.label_attrs[i], c.labels[i], &m.bufs[i])
                      .value_or(std::string_view());
  }
  const uint64_t hash = HashValues(m.values);

  std::lock_guard<std::mutex> lock(mu_);
  Series* s = nullptr;
  auto it = m.index.find(hash);
  int64_t last = -1;
  if (it != m.index.end()) {
    for (int64_t i = it->second; i >= 0; i = m.series[i]->next) {
      Series& cand = *m.series[i];
      last = i;
      if (std::equal(cand.values.begin(), cand.values.end(), m.values.begin(),
                     m.values.end())) {
        s = &cand;
        break;
      }
    }
  }
  if (s == nullptr) {
    const size_t regular = m.series.size() - (m.overflow >= 0 ? 1 : 0);
    if (regular >= c.max_series) {
      if (m.overflow < 0) {
        auto o = std::make_unique<Series>();
        o->overflow = true;
        o->buckets.assign(m.bounds.size() + 1, 0);
        m.overflow = static_cast<int64_t>(m.series.size());
        m.series.push_back(std::move(o));
      }
      ++m.overflow_records;
      s = m.series[m.overflow].get();
    } else {
      auto n = std::make_unique<Series>();
      n->values.assign(m.values.begin(), m.values.end());
      if (c.type == LogMetricType::kHistogram) {
        n->buckets.assign(m.bounds.size() + 1, 0);
      }
      const auto pos = static_cast<int64_t>(m.series.size());
      if (last >= 0) {
        m.series[last]->next = pos;
      } else {
        m.index.emplace(hash, pos);
      }
      s = n.get();
      m.series.push_back(std::move(n));
    }
  }
  if (c.type == LogMetricType::kCounter) {
    s->value += v;
    return;
  }
  const size_t b = static_cast<size_t>(
      std::lower_bound(m.bounds.begin(), m.bounds.end(), v) - m.bounds.begin());
  ++s->buckets[b];
  ++s->count;
  s->sum += v;
}

void LogMetrics::Collect(MetricSet* out) const {
  // The numbers are copied under the lock; names and label values (never
  // changed after a series is created) are formatted after it.
  struct Snap {
    const Series* series;
    double value;
    uint64_t count;
    double sum;
    size_t bucket_offset;
  };
  struct MetricSnap {
    std::vector<Snap> series;
    std::vector<uint64_t> buckets;
    uint64_t overflow_records = 0;
    uint64_t errors = 0;
  };
  std::vector<MetricSnap> snaps(metrics_.size());
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 0; i < metrics_.size(); ++i) {
      const Metric& m = *metrics_[i];
      MetricSnap& ms = snaps[i];
      ms.series.reserve(m.series.size());
      ms.buckets.reserve(m.series.size() * (m.bounds.size() + 1));
      for (const std::unique_ptr<Series>& s : m.series) {
        ms.series.push_back(
            {s.get(), s->value, s->count, s->sum, ms.buckets.size()});
        ms.buckets.insert(ms.buckets.end(), s->buckets.begin(),
                          s->buckets.end());
      }
      ms.overflow_records = m.overflow_records;
      ms.errors = m.errors;
    }
  }
  for (size_t i = 0; i < metrics_.size(); ++i) {
    const Metric& m = *metrics_[i];
    const LogMetricConfig& c = m.config;
    const MetricSnap& ms = snaps[i];
    const bool histogram = c.type == LogMetricType::kHistogram;
    MetricFamily* counter = nullptr;
    MetricFamily* bucket = nullptr;
    if (histogram) {
      // Created before _sum/_count so the pointers stay valid below.
      out->Family(c.name + "_bucket", MetricType::kCounter, c.help);
      out->Family(c.name + "_sum", MetricType::kCounter, c.help);
      out->Family(c.name + "_count", MetricType::kCounter, c.help);
      bucket = out->Family(c.name + "_bucket", MetricType::kCounter, c.help);
    } else {
      counter = out->Family(c.name, MetricType::kCounter, c.help);
    }
    std::vector<Sample> sums, counts;
    for (const Snap& snap : ms.series) {
      Labels labels;
      if (snap.series->overflow) {
        labels.push_back({std::string(kOverflowLabel), "true"});
      } else {
        for (size_t k = 0; k < c.labels.size(); ++k) {
          if (!snap.series->values[k].empty()) {
            labels.push_back({c.labels[k], snap.series->values[k]});
          }
        }
      }
      CanonicalizeLabels(&labels);
      if (!histogram) {
        counter->samples.push_back({std::move(labels), snap.value});
        continue;
      }
      uint64_t cumulative = 0;
      for (size_t b = 0; b <= m.bounds.size(); ++b) {
        cumulative += ms.buckets[snap.bucket_offset + b];
        Labels with_le = labels;
        SetLabel(&with_le, "le",
                 b < m.bounds.size() ? FormatDouble(m.bounds[b]) : "+Inf");
        bucket->samples.push_back(
            {std::move(with_le), static_cast<double>(cumulative)});
      }
      sums.push_back({labels, snap.sum});
      counts.push_back({std::move(labels), static_cast<double>(snap.count)});
    }
    if (histogram) {
      auto* sum_family =
          out->Family(c.name + "_sum", MetricType::kCounter, c.help);
      for (Sample& s : sums) sum_family->samples.push_back(std::move(s));
      auto* count_family =
          out->Family(c.name + "_count", MetricType::kCounter, c.help);
      for (Sample& s : counts) count_family->samples.push_back(std::move(s));
    }
    Labels metric_label = {{"metric", c.name}};
    out->Counter("tend_logs_metric_errors_total",
                 "Log records whose value field was missing or not a valid "
                 "number, per log-derived metric.",
                 static_cast<double>(ms.errors), metric_label);
    out->Counter("tend_logs_metric_overflow_total",
                 "Log records counted in the overflow series because the "
                 "metric reached max_series label sets.",
                 static_cast<double>(ms.overflow_records), metric_label);
    out->Gauge("tend_logs_metric_series",
               "Series of a log-derived metric (overflow included).",
               static_cast<double>(ms.series.size()), metric_label);
  }
}

}  // namespace tend::logs
