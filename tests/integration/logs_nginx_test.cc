// A real nginx (Debian's, from build/peers) on loopback under load from
// ab(1) writes its access log; the tend agent tails it with the nginx
// parser and derives a request counter and a request-time histogram. The
// test reads the access log itself and checks that tend's answers agree:
// PromQL over the log-derived metrics (requests per status and method, the
// 5xx ratio, p95 and mean latency) and LogQL over the stored lines through
// the Loki API (counts per status, the 5xx count, quantile_over_time).
//
// Timing: nginx serves /slow/ with limit_rate, so files of different sizes
// take from ~0.03 s to ~0.75 s and the p95 falls among them, not at zero.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "base/subprocess.h"
#include "harness.h"

namespace tend::testing {
namespace {

// The histogram's upper bounds: Prometheus's defaults, written into tend's
// config and used by the test's own computation below.
const std::vector<double> kBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                      0.5,   1,    2.5,   5,    10};

// One request as the test reads it from the access log line.
struct Request {
  std::string method;
  std::string status;
  double request_time = 0;
};

// Reads nginx's `timed` format (combined + " $request_time") without tend's
// code: method is the first word inside the first quotes, status the token
// after the closing quote, request_time the last token. A line that does not
// have that shape fails the test, naming the line.
std::vector<Request> ReadAccessLog(const std::string& path) {
  std::vector<Request> out;
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    size_t q1 = line.find('"');
    size_t sp = line.find(' ', q1 + 1);
    size_t q2 = line.find('"', q1 + 1);
    size_t last = line.rfind(' ');
    if (q1 == std::string::npos || sp == std::string::npos ||
        q2 == std::string::npos || sp > q2 || last == std::string::npos ||
        q2 + 5 > line.size()) {
      ADD_FAILURE() << path << ":" << lineno << ": unexpected line: " << line;
      continue;
    }
    Request r;
    r.method = line.substr(q1 + 1, sp - q1 - 1);
    r.status = line.substr(q2 + 2, 3);
    char* end = nullptr;
    const std::string t = line.substr(last + 1);
    r.request_time = std::strtod(t.c_str(), &end);
    if (end == t.c_str() || *end != '\0') {
      ADD_FAILURE() << path << ":" << lineno << ": bad request_time: " << line;
      continue;
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::string UrlEscape(const std::string& s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// Runs an instant query (`api` is "/api/v1/query" for PromQL or
// "/loki/api/v1/query" for LogQL) and returns data.result (a vector), or
// null after recording the failure.
nlohmann::json Instant(const std::string& addr, const std::string& api,
                       const std::string& query) {
  Result<std::string> body = Get(addr, api + "?query=" + UrlEscape(query));
  if (!body.ok()) {
    ADD_FAILURE() << query << ": " << body.status().ToString();
    return nullptr;
  }
  nlohmann::json j = nlohmann::json::parse(*body, nullptr, false);
  if (j.is_discarded() || j.value("status", "") != "success" ||
      !j.contains("data") || j["data"].value("resultType", "") != "vector") {
    ADD_FAILURE() << query << ": unexpected answer: " << *body;
    return nullptr;
  }
  return j["data"]["result"];
}

// The sample values of a vector result keyed by the values of `labels`
// joined with ",".
std::map<std::string, double> ByLabels(const nlohmann::json& result,
                                       const std::vector<std::string>& labels) {
  std::map<std::string, double> out;
  if (!result.is_array()) return out;
  for (const nlohmann::json& s : result) {
    std::string key;
    for (const std::string& l : labels) {
      if (!key.empty()) key += ",";
      key += s["metric"].value(l, "");
    }
    out[key] = std::strtod(s["value"][1].get<std::string>().c_str(), nullptr);
  }
  return out;
}

// The single value of a one-sample vector; NaN when it is not one sample.
double Scalar(const nlohmann::json& result) {
  if (!result.is_array() || result.size() != 1) return std::nan("");
  return std::strtod(result[0]["value"][1].get<std::string>().c_str(), nullptr);
}

// Polls `query` until its single value equals `want` or `timeout_ms`
// passes; returns the last value seen.
double WaitForValue(const std::string& addr, const std::string& api,
                    const std::string& query, double want, int timeout_ms) {
  double v = std::nan("");
  for (int waited = 0; waited <= timeout_ms; waited += 250) {
    Result<std::string> body = Get(addr, api + "?query=" + UrlEscape(query));
    if (body.ok()) {
      nlohmann::json j = nlohmann::json::parse(*body, nullptr, false);
      if (!j.is_discarded() && j.contains("data")) {
        v = Scalar(j["data"]["result"]);
        if (v == want) return v;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return v;
}

// Prometheus's histogram_quantile over cumulative buckets built from
// `values`, computed here from the file: the bucket holding rank q*count,
// then linear interpolation inside it (the first bucket's lower bound is 0;
// the +Inf bucket answers the largest finite bound).
double HistogramQuantile(double q, const std::vector<double>& values) {
  std::vector<double> cum(kBuckets.size() + 1, 0);
  for (double v : values) {
    size_t b = 0;
    while (b < kBuckets.size() && v > kBuckets[b]) ++b;
    for (size_t i = b; i < cum.size(); ++i) cum[i] += 1;
  }
  const double rank = q * cum.back();
  size_t b = 0;
  while (cum[b] < rank) ++b;
  if (b == kBuckets.size()) return kBuckets.back();
  const double lo = b == 0 ? 0 : kBuckets[b - 1];
  const double below = b == 0 ? 0 : cum[b - 1];
  return lo + (kBuckets[b] - lo) * (rank - below) / (cum[b] - below);
}

// The bucket (lower, upper] a value falls in.
std::pair<double, double> BucketOf(double v) {
  double lo = 0;
  for (double up : kBuckets) {
    if (v <= up) return {lo, up};
    lo = up;
  }
  return {lo, INFINITY};
}

// Prometheus's (and Loki's quantile_over_time) φ-quantile of a sample set:
// rank φ*(n-1) with linear interpolation between neighbours.
double SampleQuantile(double q, std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const double rank = q * static_cast<double>(v.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(rank));
  const size_t hi = std::min(lo + 1, v.size() - 1);
  const double w = rank - static_cast<double>(lo);
  return v[lo] * (1 - w) + v[hi] * w;
}

// One ab(1) run: n requests, c at a time.
struct Load {
  std::string method;  // GET, HEAD (-i), POST (-p)
  std::string path;
  int n;
  int c;
  std::string status;  // What nginx answers.
};

// Runs ab; records a failure unless every request completed.
void RunAb(const Load& l, const std::string& addr, const std::string& post) {
  SubprocessOptions o;
  o.argv = {"/usr/bin/ab",       "-q", "-n",
            std::to_string(l.n), "-c", std::to_string(l.c)};
  if (l.method == "HEAD") o.argv.push_back("-i");
  if (l.method == "POST") {
    o.argv.insert(o.argv.end(), {"-p", post, "-T", "text/plain"});
  }
  o.argv.push_back("http://" + addr + l.path);
  o.timeout_ms = 60000;
  Result<SubprocessResult> r = RunSubprocess(o);
  ASSERT_TRUE(r.ok()) << "ab: " << r.status().ToString();
  ASSERT_TRUE(r->success()) << "ab " << l.method << " " << l.path << ": "
                            << r->stdout_data << r->stderr_data;
  EXPECT_NE(r->stdout_data.find(
                "Complete requests:      " + std::to_string(l.n) + "\n"),
            std::string::npos)
      << r->stdout_data;
}

// `text` with every occurrence of each key replaced by its value.
std::string Subst(
    std::string text,
    const std::vector<std::pair<std::string, std::string>>& vars) {
  for (const auto& [key, value] : vars) {
    for (size_t at = text.find(key); at != std::string::npos;
         at = text.find(key, at + value.size())) {
      text.replace(at, key.size(), value);
    }
  }
  return text;
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary);
  out << data;
  ASSERT_TRUE(out.good()) << path;
}

TEST(NginxAccessLog, MetricsAndLogQLAgreeWithTheFile) {
  TempDir dir;
  const std::string& d = dir.path();
  const std::string nginx_addr = "127.0.0.1:" + std::to_string(FreePort());
  const std::string tend_addr = "127.0.0.1:" + std::to_string(FreePort());
  const std::string access_log = d + "/access.log";

  // Content: small pages and four files served at 400 KB/s, for a spread
  // of request times.
  std::error_code ec;
  std::filesystem::create_directories(d + "/html/slow", ec);
  ASSERT_FALSE(ec) << ec.message();
  std::filesystem::create_directories(d + "/tmp", ec);
  ASSERT_FALSE(ec) << ec.message();
  WriteFile(d + "/html/index.html", "<html>hello</html>\n");
  WriteFile(d + "/post.txt", "name=value\n");
  for (int kib : {20, 60, 150, 300}) {
    WriteFile(d + "/html/slow/f" + std::to_string(kib) + ".bin",
              std::string(static_cast<size_t>(kib) * 1024, 'x'));
  }
  // Every path nginx writes is in the temp dir; one process, no daemon.
  WriteFile(d + "/nginx.conf", Subst(R"(daemon off;
master_process off;
pid @D@/nginx.pid;
error_log @D@/error.log warn;
events { worker_connections 512; }
http {
  client_body_temp_path @D@/tmp/body;
  proxy_temp_path @D@/tmp/proxy;
  fastcgi_temp_path @D@/tmp/fastcgi;
  uwsgi_temp_path @D@/tmp/uwsgi;
  scgi_temp_path @D@/tmp/scgi;
  default_type application/octet-stream;
  log_format timed '$remote_addr - $remote_user [$time_local] "$request" '
                   '$status $body_bytes_sent "$http_referer" '
                   '"$http_user_agent" $request_time';
  access_log @D@/access.log timed;
  server {
    listen @ADDR@;
    root @D@/html;
    log_not_found off;
    location = /ok { return 200 "ok\n"; }
    location = /fail { return 500; }
    location = /busy { return 503; }
    location /slow/ { limit_rate 400k; }
  }
}
)",
                                     {{"@D@", d}, {"@ADDR@", nginx_addr}}));

  ChildProcess nginx;
  ASSERT_TRUE(nginx
                  .Start({PeerBinary("nginx"), "-p", d + "/", "-c",
                          d + "/nginx.conf", "-e", d + "/error.log"},
                         d + "/nginx.out")
                  .ok())
      << "run scripts/peers.sh to unpack nginx";
  ASSERT_TRUE(WaitForHttp200(nginx_addr, "/ok", 20000))
      << nginx.Log() << "error.log: " << [&] {
           std::ifstream e(d + "/error.log");
           std::stringstream ss;
           ss << e.rdbuf();
           return ss.str();
         }();

  // The configuration a user would write for this access log.
  std::string buckets;
  for (double b : kBuckets) {
    std::ostringstream s;
    s << b;
    buckets += (buckets.empty() ? "" : ", ") + s.str();
  }
  WriteFile(d + "/tend.yml",
            Subst(R"(collectors:
  processes:
    enabled: false
logs:
  commit_interval: 100ms
  sources:
    - name: nginx
      paths: [@LOG@]
      parser: nginx
      start_at: beginning
  metrics:
    - name: nginx_http_requests_total
      help: Requests served, from the access log.
      source: nginx
      labels: [status, method]
    - name: nginx_http_request_duration_seconds
      type: histogram
      help: Request time, from the access log.
      source: nginx
      value: request_time
      buckets: [@BUCKETS@]
)",
                  {{"@LOG@", access_log}, {"@BUCKETS@", buckets}}));
  ChildProcess tend;
  ASSERT_TRUE(tend.Start({TendBinary(), "agent", "--data-dir", d + "/data",
                          "--listen", tend_addr, "--config", d + "/tend.yml",
                          "--log-level", "warn"},
                         d + "/tend.log")
                  .ok());
  ASSERT_TRUE(WaitForHttp200(tend_addr, "/-/ready", 30000)) << tend.Log();

  // The load: the slow files in one thread while the fast requests run, so
  // slow and fast requests interleave in the log.
  const std::vector<Load> slow = {{"GET", "/slow/f20.bin", 30, 5, "200"},
                                  {"GET", "/slow/f60.bin", 30, 5, "200"},
                                  {"GET", "/slow/f150.bin", 30, 6, "200"},
                                  {"GET", "/slow/f300.bin", 30, 6, "200"}};
  const std::vector<Load> fast = {{"GET", "/ok", 600, 8, "200"},
                                  {"POST", "/ok", 100, 4, "200"},
                                  {"HEAD", "/index.html", 100, 4, "200"},
                                  {"GET", "/missing.html", 150, 4, "404"},
                                  {"GET", "/fail", 60, 4, "500"},
                                  {"POST", "/busy", 40, 2, "503"},
                                  {"GET", "/busy", 20, 2, "503"}};
  const std::string post = d + "/post.txt";
  std::thread slow_thread([&] {
    for (const Load& l : slow) RunAb(l, nginx_addr, post);
  });
  for (const Load& l : fast) RunAb(l, nginx_addr, post);
  slow_thread.join();
  // SIGQUIT: nginx's graceful stop; the access log is written unbuffered,
  // so every request is in the file by now.
  EXPECT_EQ(nginx.SignalAndWait(SIGQUIT, 10000), 0) << nginx.Log();

  // What the file says, computed without tend.
  const std::vector<Request> reqs = ReadAccessLog(access_log);
  ASSERT_FALSE(reqs.empty());
  std::map<std::string, double> by_status_method, by_status;
  std::vector<double> times;
  double errors5xx = 0, time_sum = 0;
  for (const Request& r : reqs) {
    by_status_method[r.status + "," + r.method] += 1;
    by_status[r.status] += 1;
    if (r.status[0] == '5') errors5xx += 1;
    times.push_back(r.request_time);
    time_sum += r.request_time;
  }
  const double total = static_cast<double>(reqs.size());
  // nginx logged each request ab made (plus the readiness probes to /ok).
  std::map<std::string, double> planned;
  for (const std::vector<Load>* ls : {&slow, &fast}) {
    for (const Load& l : *ls) planned[l.status + "," + l.method] += l.n;
  }
  for (const auto& [key, n] : planned) {
    auto it = by_status_method.find(key);
    const double got = it == by_status_method.end() ? 0 : it->second;
    if (key == "200,GET") {
      EXPECT_GE(got, n) << key;
    } else {
      EXPECT_EQ(got, n) << key;
    }
  }
  EXPECT_EQ(by_status_method.size(), planned.size());

  // Every line is stored and queryable (LogQL), and counted in the metrics
  // (the next collection cycle after ingest).
  const std::string all_lines = "sum(count_over_time({source=\"nginx\"}[1h]))";
  ASSERT_EQ(
      WaitForValue(tend_addr, "/loki/api/v1/query", all_lines, total, 60000),
      total)
      << tend.Log();
  ASSERT_EQ(WaitForValue(tend_addr, "/api/v1/query",
                         "sum(nginx_http_requests_total)", total, 30000),
            total)
      << tend.Log();
  ASSERT_EQ(WaitForValue(tend_addr, "/api/v1/query",
                         "sum(nginx_http_request_duration_seconds_count)",
                         total, 30000),
            total);

  // The agent's own account: nothing failed to parse or was dropped.
  {
    Result<std::string> st = Get(tend_addr, "/api/v1/status");
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    nlohmann::json j = nlohmann::json::parse(*st, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << *st;
    bool found = false;
    for (const nlohmann::json& s : j["data"]["logs"]["sources"]) {
      if (s.value("name", "") != "nginx") continue;
      found = true;
      EXPECT_EQ(s.value("stored", -1.0), total) << s.dump();
      EXPECT_EQ(s.value("parse_errors", -1), 0) << s.dump();
      EXPECT_EQ(s.value("dropped", -1), 0) << s.dump();
    }
    EXPECT_TRUE(found) << *st;
  }

  // PromQL: requests per status and method, per status, the 5xx ratio.
  // Counters start at zero with the agent, which started before the first
  // request, so their values are the file's counts exactly.
  EXPECT_EQ(ByLabels(Instant(tend_addr, "/api/v1/query",
                             "sum by (status, method) "
                             "(nginx_http_requests_total)"),
                     {"status", "method"}),
            by_status_method);
  EXPECT_EQ(ByLabels(Instant(tend_addr, "/api/v1/query",
                             "sum by (status) (nginx_http_requests_total)"),
                     {"status"}),
            by_status);
  const double ratio =
      Scalar(Instant(tend_addr, "/api/v1/query",
                     "sum(nginx_http_requests_total{status=~\"5..\"}) / "
                     "sum(nginx_http_requests_total)"));
  EXPECT_NEAR(ratio, errors5xx / total, 1e-12);
  EXPECT_GT(ratio, 0.05);  // The 500s and 503s are there.

  // p95 latency. The histogram only knows bucket counts, so its quantile
  // is exact only to the bucket: the file's exact p95 (the ceil(0.95 n)-th
  // smallest time) lies in the bucket that first reaches rank 0.95 n, and
  // histogram_quantile interpolates inside that same bucket, so both lie
  // in one (lower, upper] bucket. The counts are exact, so tend's answer
  // must also equal Prometheus's interpolation computed here from the
  // file's times (up to float rounding).
  const double p95 =
      Scalar(Instant(tend_addr, "/api/v1/query",
                     "histogram_quantile(0.95, sum by (le) "
                     "(nginx_http_request_duration_seconds_bucket))"));
  std::vector<double> sorted = times;
  std::sort(sorted.begin(), sorted.end());
  const double exact_p95 =
      sorted[static_cast<size_t>(std::ceil(0.95 * total)) - 1];
  const std::pair<double, double> bucket = BucketOf(exact_p95);
  EXPECT_GE(p95, bucket.first) << "file p95 " << exact_p95;
  EXPECT_LE(p95, bucket.second) << "file p95 " << exact_p95;
  EXPECT_NEAR(p95, HistogramQuantile(0.95, times), 1e-9);
  // The load made the p95 one of the slow requests, not a fast one.
  EXPECT_GT(exact_p95, 0.02);
  std::cout << "requests " << total << ", 5xx ratio " << ratio
            << ", p95 from the file " << exact_p95 << " in bucket ("
            << bucket.first << ", " << bucket.second << "], histogram_quantile "
            << p95 << "\n";

  // Mean latency: the histogram's sum is the sum of request_time.
  EXPECT_NEAR(Scalar(Instant(tend_addr, "/api/v1/query",
                             "sum(nginx_http_request_duration_seconds_sum)")),
              time_sum, 1e-6);

  // LogQL over the stored lines, with the pattern parser a Loki user would
  // write for this format.
  const std::string pattern =
      "| pattern `<_> - <_> [<_>] \"<method> <_> <_>\" <status> <_> \"<_>\" "
      "\"<_>\" <request_time>`";
  EXPECT_EQ(ByLabels(Instant(tend_addr, "/loki/api/v1/query",
                             "sum by (status) (count_over_time({source="
                             "\"nginx\"} " +
                                 pattern + " [1h]))"),
                     {"status"}),
            by_status);
  EXPECT_EQ(ByLabels(Instant(tend_addr, "/loki/api/v1/query",
                             "sum by (status, method) (count_over_time("
                             "{source=\"nginx\"} " +
                                 pattern + " [1h]))"),
                     {"status", "method"}),
            by_status_method);
  EXPECT_EQ(Scalar(Instant(tend_addr, "/loki/api/v1/query",
                           "sum(count_over_time({source=\"nginx\"} " + pattern +
                               " | status >= 500 [1h]))")),
            errors5xx);
  // The regexp extracts only request_time, so all lines form one series.
  EXPECT_NEAR(
      Scalar(Instant(tend_addr, "/loki/api/v1/query",
                     "quantile_over_time(0.95, {source=\"nginx\"} | regexp "
                     "` (?P<request_time>[0-9.]+)$` | unwrap request_time "
                     "[1h])")),
      SampleQuantile(0.95, times), 1e-9);
}

}  // namespace
}  // namespace tend::testing
