#include "logs/metrics/log_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "logs/process/test_util.h"

namespace tend::logs {
namespace {

using ::testing::HasSubstr;
using testing::ParseAll;

// One synthetic nginx request, and its access-log line (combined format
// with $request_time appended).
struct Request {
  std::string method;
  int status = 200;
  int bytes = 0;
  int ms = 0;  // request_time in milliseconds.
};

std::string NginxLine(const Request& r, int i) {
  char buf[256];
  std::snprintf(buf, sizeof(buf),
                "10.0.%d.%d - - [02/Jan/2024:03:04:%02d +0000] \"%s /api/%d "
                "HTTP/1.1\" %d %d \"-\" \"curl/8.0\" %d.%03d",
                i / 256 % 256, i % 256, i % 60, r.method.c_str(), i % 17,
                r.status, r.bytes, r.ms / 1000, r.ms % 1000);
  return buf;
}

// Deterministic pseudo-random requests; latencies include the bucket
// bounds themselves (le is inclusive).
std::vector<Request> MakeRequests(size_t n) {
  static const char* kMethods[] = {"GET", "GET", "GET", "POST", "PUT"};
  static const int kStatus[] = {200, 200, 200, 201, 301, 404, 500, 503};
  static const int kMs[] = {1,   5,   7,   10,   24,   25,   60,    100,  250,
                            400, 500, 999, 1000, 2500, 4000, 10000, 12000};
  std::vector<Request> out;
  uint64_t x = 12345;
  for (size_t i = 0; i < n; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    Request r;
    r.method = kMethods[(x >> 33) % 5];
    r.status = kStatus[(x >> 40) % 8];
    r.bytes = static_cast<int>((x >> 20) % 100000);
    r.ms = kMs[(x >> 45) % 17];
    out.push_back(r);
  }
  return out;
}

std::unique_ptr<LogMetrics> MustCreate(const std::vector<LogMetricConfig>& c) {
  auto m = LogMetrics::Create(c);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return std::move(m).value();
}

double Value(const MetricSet& set, const std::string& family,
             const Labels& want) {
  const MetricFamily* f = set.Find(family);
  if (f == nullptr) return -1;
  for (const Sample& s : f->samples) {
    Labels l = s.labels;
    CanonicalizeLabels(&l);
    Labels w = want;
    CanonicalizeLabels(&w);
    if (l == w) return s.value;
  }
  return -1;
}

TEST(LogMetricsTest, NginxRequestsErrorsAndLatency) {
  const std::vector<Request> reqs = MakeRequests(5000);
  std::vector<std::string> lines;
  for (size_t i = 0; i < reqs.size(); ++i)
    lines.push_back(NginxLine(reqs[i], i));
  const std::vector<LogRecord> records =
      ParseAll(ParserKind::kAccess, lines, "nginx");

  LogMetricConfig requests;
  requests.name = "nginx_http_requests_total";
  requests.labels = {"status", "method"};
  LogMetricConfig errors;
  errors.name = "nginx_http_errors_total";
  errors.match = "status >= 500";
  errors.source = "nginx";
  LogMetricConfig bytes;
  bytes.name = "nginx_http_response_bytes_total";
  bytes.value = "bytes";
  LogMetricConfig latency;
  latency.name = "nginx_http_request_duration_seconds";
  latency.type = LogMetricType::kHistogram;
  latency.value = "request_time";
  latency.labels = {"method"};
  LogMetricConfig other_source = errors;
  other_source.name = "other_errors_total";
  other_source.source = "haproxy";
  auto m = MustCreate({requests, errors, bytes, latency, other_source});
  for (const LogRecord& r : records) m->Observe(r);
  MetricSet set;
  m->Collect(&set);

  // Expectations computed from the generated requests, not the records.
  std::map<std::pair<int, std::string>, int> by_status_method;
  int errors_5xx = 0;
  double total_bytes = 0;
  std::map<std::string, std::vector<double>> seconds;
  for (const Request& r : reqs) {
    ++by_status_method[{r.status, r.method}];
    if (r.status >= 500) ++errors_5xx;
    total_bytes += r.bytes;
    seconds[r.method].push_back(r.ms / 1000.0);
  }
  const MetricFamily* f = set.Find("nginx_http_requests_total");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->type, MetricType::kCounter);
  EXPECT_EQ(f->samples.size(), by_status_method.size());
  for (const auto& [key, n] : by_status_method) {
    EXPECT_EQ(
        Value(set, "nginx_http_requests_total",
              {{"status", std::to_string(key.first)}, {"method", key.second}}),
        n);
  }
  EXPECT_EQ(Value(set, "nginx_http_errors_total", {}), errors_5xx);
  EXPECT_EQ(Value(set, "nginx_http_response_bytes_total", {}), total_bytes);
  EXPECT_EQ(set.Find("other_errors_total")->samples.size(), 0u);

  const std::vector<double>& bounds = DefaultBuckets();
  const std::vector<std::string> les = {"0.005", "0.01", "0.025", "0.05",
                                        "0.1",   "0.25", "0.5",   "1",
                                        "2.5",   "5",    "10",    "+Inf"};
  for (const auto& [method, values] : seconds) {
    double sum = 0;
    for (double v : values) sum += v;
    for (size_t b = 0; b < les.size(); ++b) {
      int cumulative = 0;
      for (double v : values) {
        if (b == bounds.size() || v <= bounds[b]) ++cumulative;
      }
      EXPECT_EQ(Value(set, "nginx_http_request_duration_seconds_bucket",
                      {{"method", method}, {"le", les[b]}}),
                cumulative)
          << method << " le=" << les[b];
    }
    EXPECT_EQ(Value(set, "nginx_http_request_duration_seconds_count",
                    {{"method", method}}),
              static_cast<double>(values.size()));
    EXPECT_NEAR(Value(set, "nginx_http_request_duration_seconds_sum",
                      {{"method", method}}),
                sum, 1e-6);
  }
  EXPECT_EQ(Value(set, "tend_logs_metric_errors_total",
                  {{"metric", "nginx_http_request_duration_seconds"}}),
            0);
}

TEST(LogMetricsTest, ScaleErrorsAndMissingLabels) {
  LogMetricConfig h;
  h.name = "job_duration_seconds";
  h.type = LogMetricType::kHistogram;
  h.value = "duration_ms";
  h.value_scale = 0.001;
  h.buckets = {0.1, 1, 10};
  h.labels = {"job"};
  auto m = MustCreate({h});
  const std::vector<LogRecord> records =
      ParseAll(ParserKind::kLogfmt,
               {"job=a duration_ms=50", "job=a duration_ms=100",
                "job=a duration_ms=1500", "duration_ms=20000",
                "job=b duration_ms=abc", "job=b", "job=b duration_ms=NaN"});
  for (const LogRecord& r : records) m->Observe(r);
  MetricSet set;
  m->Collect(&set);
  const std::string b = "job_duration_seconds_bucket";
  EXPECT_EQ(Value(set, b, {{"job", "a"}, {"le", "0.1"}}), 2);
  EXPECT_EQ(Value(set, b, {{"job", "a"}, {"le", "1"}}), 2);
  EXPECT_EQ(Value(set, b, {{"job", "a"}, {"le", "10"}}), 3);
  EXPECT_EQ(Value(set, b, {{"job", "a"}, {"le", "+Inf"}}), 3);
  // No job field: the label is absent.
  EXPECT_EQ(Value(set, b, {{"le", "10"}}), 0);
  EXPECT_EQ(Value(set, b, {{"le", "+Inf"}}), 1);
  EXPECT_EQ(Value(set, "job_duration_seconds_count", {{"job", "b"}}), -1);
  EXPECT_EQ(Value(set, "tend_logs_metric_errors_total",
                  {{"metric", "job_duration_seconds"}}),
            3);
}

TEST(LogMetricsTest, MaxSeriesOverflow) {
  LogMetricConfig c;
  c.name = "by_path_total";
  c.labels = {"path"};
  c.max_series = 3;
  auto m = MustCreate({c});
  std::vector<std::string> lines;
  for (int i = 0; i < 10; ++i) {
    lines.push_back("path=/p" + std::to_string(i % 5) + " msg=x");
  }
  for (const LogRecord& r : ParseAll(ParserKind::kLogfmt, lines)) m->Observe(r);
  MetricSet set;
  m->Collect(&set);
  EXPECT_EQ(set.Find("by_path_total")->samples.size(), 4u);
  EXPECT_EQ(Value(set, "by_path_total", {{"path", "/p0"}}), 2);
  EXPECT_EQ(Value(set, "by_path_total", {{"tend_overflow", "true"}}), 4);
  EXPECT_EQ(Value(set, "tend_logs_metric_overflow_total",
                  {{"metric", "by_path_total"}}),
            4);
  EXPECT_EQ(
      Value(set, "tend_logs_metric_series", {{"metric", "by_path_total"}}), 4);
}

TEST(LogMetricsTest, LoghubSshFailuresByUser) {
  const std::vector<std::string> lines = testing::ReadLoghub("OpenSSH_2k.log");
  ASSERT_EQ(lines.size(), 2000u);
  LogMetricConfig c;
  c.name = "ssh_failed_password_total";
  c.match = R"(app="sshd" and message=~"Failed password.*")";
  c.labels = {"host", "app"};
  auto m = MustCreate({c});
  size_t expected = 0;
  for (const std::string& l : lines) {
    if (l.find("sshd[") != std::string::npos &&
        l.find("]: Failed password") != std::string::npos) {
      ++expected;
    }
  }
  for (const LogRecord& r : ParseAll(ParserKind::kAuto, lines)) m->Observe(r);
  MetricSet set;
  m->Collect(&set);
  EXPECT_EQ(Value(set, "ssh_failed_password_total",
                  {{"host", "LabSZ"}, {"app", "sshd"}}),
            static_cast<double>(expected));
  EXPECT_GT(expected, 100u);
}

TEST(LogMetricsTest, BadConfigurationsNameWhatAndWhere) {
  auto counter = [](std::string name) {
    LogMetricConfig c;
    c.name = std::move(name);
    return c;
  };
  auto hist = [](std::string name, std::vector<double> buckets) {
    LogMetricConfig c;
    c.name = std::move(name);
    c.type = LogMetricType::kHistogram;
    c.value = "request_time";
    c.buckets = std::move(buckets);
    return c;
  };
  struct Case {
    std::vector<LogMetricConfig> configs;
    std::string want;
  };
  LogMetricConfig no_value = hist("lat_seconds", {});
  no_value.value.clear();
  LogMetricConfig le_label = hist("lat_seconds", {});
  le_label.labels = {"le"};
  LogMetricConfig dup_label = counter("x_total");
  dup_label.labels = {"status", "1bad"};
  LogMetricConfig bad_match = counter("x_total");
  bad_match.match = "status >=";
  LogMetricConfig bad_scale = counter("x_total");
  bad_scale.value_scale = 0;
  LogMetricConfig zero_series = counter("x_total");
  zero_series.max_series = 0;
  LogMetricConfig counter_buckets = counter("x_total");
  counter_buckets.buckets = {1, 2};
  std::vector<Case> cases = {
      {{counter("ok_total"), counter("1bad")},
       "log metric 1 (\"1bad\"): name: \"1bad\" is not a valid metric name"},
      {{counter("x_bucket")}, "reserved suffix _bucket"},
      {{hist("lat_total", {})}, "reserved suffix _total"},
      {{hist("lat_seconds", {1, 0.5})},
       "buckets[1]: 0.5 is not greater than the previous bucket 1"},
      {{hist("lat_seconds", {1, 1})}, "buckets[1]: 1 is not greater"},
      {{hist("lat_seconds", {1, std::numeric_limits<double>::infinity(), 3})},
       "buckets[1]: +Inf must be the last bucket"},
      {{hist("lat_seconds", {std::numeric_limits<double>::quiet_NaN()})},
       "buckets[0]: NaN"},
      {{no_value}, "value: a histogram needs the field"},
      {{le_label}, "labels[0]: \"le\" is reserved"},
      {{dup_label}, "labels[1]: \"1bad\" is not a valid label name"},
      {{bad_match}, "log metric 0 (\"x_total\"): match: condition"},
      {{bad_scale}, "value_scale"},
      {{zero_series}, "max_series: 0"},
      {{counter_buckets}, "only histograms have buckets"},
      {{hist("lat", {}), counter("lat_count")},
       "log metric 1 (\"lat_count\"): name: \"lat_count\" ends with"},
      {{counter("a_total"), counter("a_total")},
       "log metric 1 (\"a_total\"): emits \"a_total\""},
  };
  for (const Case& c : cases) {
    auto r = LogMetrics::Create(c.configs);
    ASSERT_FALSE(r.ok()) << c.want;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr(c.want));
  }
  EXPECT_TRUE(LogMetricTypeFromName("histogram").ok());
  EXPECT_FALSE(LogMetricTypeFromName("summary").ok());
  // A trailing +Inf is accepted and implied.
  EXPECT_TRUE(
      LogMetrics::Create(
          {hist("ok_seconds", {0.1, std::numeric_limits<double>::infinity()})})
          .ok());
}

// Observe on one thread, Collect on another: every snapshot is consistent
// (the +Inf bucket equals the count, buckets are cumulative) and values
// never go down.
TEST(LogMetricsTest, ConcurrentObserveAndCollect) {
  LogMetricConfig h;
  h.name = "lat_seconds";
  h.type = LogMetricType::kHistogram;
  h.value = "request_time";
  h.labels = {"status"};
  LogMetricConfig c;
  c.name = "req_total";
  c.labels = {"status", "method"};
  auto m = MustCreate({h, c});
  const std::vector<Request> reqs = MakeRequests(2000);
  std::vector<std::string> lines;
  for (size_t i = 0; i < reqs.size(); ++i)
    lines.push_back(NginxLine(reqs[i], i));
  const std::vector<LogRecord> records = ParseAll(ParserKind::kAccess, lines);
  constexpr int kRounds = 50;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int round = 0; round < kRounds; ++round) {
      for (const LogRecord& r : records) m->Observe(r);
    }
    done.store(true);
  });
  int snapshots = 0;
  double last_total = 0;
  bool more = true;
  while (more) {
    more = !done.load();
    MetricSet set;
    m->Collect(&set);
    ++snapshots;
    const MetricFamily* buckets = set.Find("lat_seconds_bucket");
    const MetricFamily* counts = set.Find("lat_seconds_count");
    ASSERT_NE(buckets, nullptr);
    ASSERT_NE(counts, nullptr);
    double total = 0;
    for (const Sample& count : counts->samples) {
      const std::string status(GetLabel(count.labels, "status"));
      double prev = 0, inf = -1;
      for (const Sample& b : buckets->samples) {
        if (GetLabel(b.labels, "status") != status) continue;
        EXPECT_GE(b.value, prev);
        prev = b.value;
        if (GetLabel(b.labels, "le") == "+Inf") inf = b.value;
      }
      EXPECT_EQ(inf, count.value) << status;
      total += count.value;
    }
    EXPECT_GE(total, last_total);
    last_total = total;
  }
  writer.join();
  EXPECT_EQ(last_total, static_cast<double>(kRounds * records.size()));
  EXPECT_GT(snapshots, 1);
}

}  // namespace
}  // namespace tend::logs
