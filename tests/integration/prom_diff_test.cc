// The differential test against real Prometheus 2.42: the same generated
// day of host-like data (tests/tools/hostdata_gen.cc: 1,000 series at 10 s,
// counters that grow and reset, wandering gauges, classic histograms) is
// imported into both stores (`promtool tsdb create-blocks-from openmetrics`
// and `tend tsdb import`), both servers answer the corpus in
// prom_diff_queries.txt as instant queries at several times and as range
// queries, plus series/labels/label-values requests, and the answers must
// agree: the same result type, the same series (labels exactly), the same
// timestamps, values within 1e-6 relative as Prometheus's own tests compare
// (NaN equals NaN), the same errors. Order is compared only where
// Prometheus defines it: the top-level sort(), sort_desc(), topk() and
// bottomk() of an instant query.
//
// Set TEND_PROM_DIFF_ADDRS=PROM_HOST:PORT,TEND_HOST:PORT to run the corpus
// against servers that already hold the data (no generation or import):
// quick iterations when chasing a difference.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <future>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "base/subprocess.h"
#include "harness.h"
#include "http/client.h"

namespace tend::testing {
namespace {

using nlohmann::json;

// The generated day: [kStart, kEnd), 10 s apart. kEnd is 2023-11-15T00:00Z,
// aligned to 2 h (and to a day), far enough in the past that the agent's
// own live samples never fall into the compared window.
constexpr int64_t kEnd = 1700006400;
constexpr int64_t kDay = 86400;
constexpr int64_t kStart = kEnd - kDay;
constexpr int kSeries = 1000;

// Prometheus's almostEqual (promql/test.go, epsilon 1e-6).
bool AlmostEqual(double a, double b) {
  if (std::isnan(a) && std::isnan(b)) return true;
  if (a == b) return true;
  constexpr double kEpsilon = 1e-6;
  constexpr double kMinNormal = std::numeric_limits<double>::min();
  const double diff = std::fabs(a - b);
  if (a == 0 || b == 0 || diff < kMinNormal) {
    return diff < kEpsilon * kMinNormal;
  }
  return diff / (std::fabs(a) + std::fabs(b)) < kEpsilon;
}

// A sample value as the API writes it ("1.5", "NaN", "+Inf").
double ParseValue(const json& v) {
  if (!v.is_string()) return std::numeric_limits<double>::quiet_NaN();
  return std::strtod(v.get<std::string>().c_str(), nullptr);
}

std::string FormEncode(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::vector<std::string> LoadCorpus(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> queries;
  std::string line;
  while (std::getline(in, line)) {
    const size_t b = line.find_first_not_of(" \t");
    if (b == std::string::npos || line[b] == '#') continue;
    queries.push_back(line.substr(b));
  }
  return queries;
}

// One request sent to both servers.
struct Request {
  std::string path;  // /api/v1/...
  std::string form;  // POST body ("" for GET).
  std::string what;  // For messages: the query and its times.
  bool ordered = false;
};

// Collects the differences of one request; prints at most a few of them.
class Diff {
 public:
  explicit Diff(const Request& r) : r_(r) {}
  ~Diff() {
    if (problems_.empty()) return;
    std::string msg = r_.what + "\n";
    for (size_t i = 0; i < problems_.size() && i < kShown; ++i) {
      msg += "  " + problems_[i] + "\n";
    }
    if (problems_.size() > kShown) {
      msg += "  ... and " + std::to_string(problems_.size() - kShown) +
             " more differences\n";
    }
    ADD_FAILURE() << msg;
  }
  void Add(std::string p) { problems_.push_back(std::move(p)); }
  bool empty() const { return problems_.empty(); }

 private:
  static constexpr size_t kShown = 6;
  const Request& r_;
  std::vector<std::string> problems_;
};

struct Totals {
  int requests = 0;
  int nonempty = 0;  // Requests whose Prometheus answer had data.
  int64_t series = 0;
  int64_t points = 0;
};

std::string Point(const json& p) {
  return p.is_array() && p.size() == 2 ? p.dump() : "<" + p.dump() + ">";
}

void ComparePoint(const json& p, const json& t, const std::string& series,
                  Diff* d) {
  if (!p.is_array() || !t.is_array() || p.size() != 2 || t.size() != 2 ||
      p[0] != t[0] || !AlmostEqual(ParseValue(p[1]), ParseValue(t[1]))) {
    d->Add(series + ": prometheus " + Point(p) + ", tend " + Point(t));
  }
}

// Series keyed by their labels (json objects dump with sorted keys).
std::map<std::string, const json*> ByLabels(const json& result, Diff* d,
                                            const char* who) {
  std::map<std::string, const json*> m;
  for (const json& s : result) {
    std::string key = s.value("metric", json::object()).dump();
    if (!m.emplace(key, &s).second) {
      d->Add(std::string(who) + " returned " + key + " twice");
    }
  }
  return m;
}

void CompareSeries(const json& p, const json& t, const char* field,
                   Totals* totals, Diff* d) {
  auto pm = ByLabels(p, d, "prometheus");
  auto tm = ByLabels(t, d, "tend");
  for (const auto& [key, ps] : pm) {
    auto it = tm.find(key);
    if (it == tm.end()) {
      d->Add(key + " missing in tend (prometheus " +
             ps->value(field, json()).dump().substr(0, 200) + ")");
      continue;
    }
    ++totals->series;
    const json& pv = (*ps)[field];
    const json& tv = (*it->second)[field];
    if (std::string(field) == "value") {
      ++totals->points;
      ComparePoint(pv, tv, key, d);
      continue;
    }
    if (pv.size() != tv.size()) {
      d->Add(key + ": prometheus has " + std::to_string(pv.size()) +
             " points, tend " + std::to_string(tv.size()));
    }
    // Points are in time order in both; report the first differences.
    size_t i = 0, j = 0;
    int shown = 0;
    while ((i < pv.size() || j < tv.size()) && shown < 3) {
      if (i < pv.size() && j < tv.size() && pv[i][0] == tv[j][0]) {
        ++totals->points;
        if (!AlmostEqual(ParseValue(pv[i][1]), ParseValue(tv[j][1]))) {
          ComparePoint(pv[i], tv[j], key, d);
          ++shown;
        }
        ++i, ++j;
      } else if (j == tv.size() ||
                 (i < pv.size() &&
                  pv[i][0].get<double>() < tv[j][0].get<double>())) {
        d->Add(key + ": only prometheus has " + Point(pv[i++]));
        ++shown;
      } else {
        d->Add(key + ": only tend has " + Point(tv[j++]));
        ++shown;
      }
    }
  }
  for (const auto& [key, ts] : tm) {
    if (pm.count(key) == 0) {
      d->Add(key + " only in tend (" +
             ts->value(field, json()).dump().substr(0, 200) + ")");
    }
  }
}

// Compares two /api/v1 answers (already parsed).
void CompareAnswers(const Request& r, int pstatus, const json& p, int tstatus,
                    const json& t, Totals* totals) {
  Diff d(r);
  ++totals->requests;
  if (p.is_discarded() || t.is_discarded()) {
    d.Add(std::string("not JSON from ") +
          (p.is_discarded() ? "prometheus" : "tend"));
    return;
  }
  if (pstatus != tstatus || p.value("status", "") != t.value("status", "")) {
    d.Add("prometheus HTTP " + std::to_string(pstatus) + " " +
          p.dump().substr(0, 300) + "\n  tend HTTP " + std::to_string(tstatus) +
          " " + t.dump().substr(0, 300));
    return;
  }
  if (p.value("status", "") == "error") {
    if (p.value("errorType", "") != t.value("errorType", "")) {
      d.Add("errorType: prometheus " + p.value("errorType", "") + " (" +
            p.value("error", "") + "), tend " + t.value("errorType", "") +
            " (" + t.value("error", "") + ")");
    }
    return;
  }
  const json& pd = p["data"];
  const json& td = t["data"];
  if (pd.is_array()) {  // series, labels, label values: sets.
    if (!pd.empty()) ++totals->nonempty;
    std::multiset<std::string> ps, ts;
    for (const json& e : pd) ps.insert(e.dump());
    for (const json& e : td) ts.insert(e.dump());
    totals->series += static_cast<int64_t>(ps.size());
    for (const std::string& e : ps) {
      if (ts.count(e) != ps.count(e)) d.Add(e + " missing in tend");
    }
    for (const std::string& e : ts) {
      if (ps.count(e) == 0) d.Add(e + " only in tend");
    }
    return;
  }
  const std::string type = pd.value("resultType", "");
  if (type != td.value("resultType", "")) {
    d.Add("resultType: prometheus " + type + ", tend " +
          td.value("resultType", ""));
    return;
  }
  const json& pr = pd["result"];
  const json& tr = td["result"];
  if (type == "scalar" || type == "string") {
    ++totals->nonempty;
    ++totals->points;
    ComparePoint(pr, tr, type, &d);
    return;
  }
  if (!pr.empty()) ++totals->nonempty;
  CompareSeries(pr, tr, type == "vector" ? "value" : "values", totals, &d);
  if (r.ordered && d.empty() && pr.size() == tr.size()) {
    // Ties may come in any order; the values must follow the same order.
    for (size_t i = 0; i < pr.size(); ++i) {
      if (!AlmostEqual(ParseValue(pr[i]["value"][1]),
                       ParseValue(tr[i]["value"][1]))) {
        d.Add("order differs at position " + std::to_string(i) +
              ": prometheus " + pr[i].dump() + ", tend " + tr[i].dump());
        break;
      }
    }
  }
}

class Server {
 public:
  explicit Server(std::string address) : address_(std::move(address)) {}
  // The HTTP status and the parsed body (discarded JSON when unreachable).
  std::pair<int, json> Send(const Request& r) const {
    HttpClientRequest req;
    req.address = address_;
    req.path = r.path;
    if (!r.form.empty()) {
      req.method = "POST";
      req.body = r.form;
    }
    req.timeout_ms = 300000;
    Result<HttpClientResponse> res = HttpFetch(req);
    if (!res.ok()) {
      return {0, json::parse("not json", nullptr, false)};
    }
    return {res->status, json::parse(res->body, nullptr, false)};
  }
  const std::string& address() const { return address_; }

 private:
  std::string address_;
};

// Prometheus and tend answer every request of the corpus; returns the
// totals. Failures are recorded with ADD_FAILURE.
Totals RunCorpus(const Server& prom, const Server& tend,
                 const std::vector<std::string>& queries) {
  // Instant queries: at the first sample, inside the first lookback window,
  // at odd and fractional times, on tend's block boundary (12 h), near the
  // end, and after the data (within and beyond the 5 m lookback).
  const std::vector<std::string> times = {
      std::to_string(kStart + 1),
      std::to_string(kStart + 4 * 60 + 7),
      std::to_string(kStart + 3 * 3600 + 17 * 60 + 23),
      std::to_string(kStart + 9 * 3600) + ".5",
      std::to_string(kStart + 12 * 3600),
      std::to_string(kStart + 16 * 3600 + 41 * 60 + 11),
      std::to_string(kEnd - 1),
      std::to_string(kEnd + 3 * 60),
  };
  struct Range {
    int64_t start, end, step;
  };
  // The whole day at 60 s, an hour at 10 s between the samples' times,
  // and the last half hour of data into half an hour of none.
  const std::vector<Range> ranges = {
      {kStart, kEnd, 60},
      {kStart + 5 * 3600 + 3, kStart + 6 * 3600 + 3, 10},
      {kEnd - 1800, kEnd + 1800, 15},
  };
  std::vector<Request> requests;
  for (const std::string& q : queries) {
    const bool ordered =
        q.rfind("sort(", 0) == 0 || q.rfind("sort_desc(", 0) == 0 ||
        q.rfind("topk(", 0) == 0 || q.rfind("bottomk(", 0) == 0;
    for (const std::string& t : times) {
      requests.push_back({"/api/v1/query",
                          "query=" + FormEncode(q) + "&time=" + t,
                          "instant query " + q + " at " + t, ordered});
    }
    for (const Range& r : ranges) {
      const std::string s = std::to_string(r.start);
      const std::string e = std::to_string(r.end);
      const std::string st = std::to_string(r.step);
      requests.push_back(
          {"/api/v1/query_range",
           "query=" + FormEncode(q) + "&start=" + s + "&end=" + e +
               "&step=" + st,
           "range query " + q + " from " + s + " to " + e + " step " + st,
           false});
    }
  }
  // Metadata requests, bounded to the generated day (the agent's own live
  // series lie outside it).
  const std::string day =
      "start=" + std::to_string(kStart) + "&end=" + std::to_string(kEnd);
  const std::string hour = "start=" + std::to_string(kStart + 7200) +
                           "&end=" + std::to_string(kStart + 10800);
  auto match = [](const std::string& m) { return "match[]=" + FormEncode(m); };
  const std::vector<std::string> meta = {
      "/api/v1/series?" + match("node_load1") + "&" + day,
      "/api/v1/series?" + match("{job=\"api\",__name__=~\".+_count\"}") + "&" +
          hour,
      "/api/v1/series?" + match("node_cpu_seconds_total{cpu=\"0\"}") + "&" +
          match("node_load1") + "&" + day,
      "/api/v1/series?" +
          match("{__name__=~\"node_.*\",instance=~\"host-1[0-2]:9100\"}") +
          "&" + hour,
      "/api/v1/labels?" + day,
      "/api/v1/labels?" + match("http_request_duration_seconds_bucket") + "&" +
          day,
      "/api/v1/labels?" + match("node_filesystem_avail_bytes") + "&" + hour,
      "/api/v1/label/__name__/values?" + day,
      "/api/v1/label/__name__/values?" + match("{job=\"node\"}") + "&" + hour,
      "/api/v1/label/instance/values?" + match("node_load1") + "&" + day,
      "/api/v1/label/le/values?" + day,
      "/api/v1/label/mode/values?" + match("node_cpu_seconds_total") + "&" +
          day,
      "/api/v1/label/mountpoint/values?" + match("{fstype!=\"vfat\"}") + "&" +
          hour,
  };
  for (const std::string& m : meta) requests.push_back({m, "", "GET " + m});

  Totals totals;
  for (const Request& r : requests) {
    auto [ps, pj] = prom.Send(r);
    auto [ts, tj] = tend.Send(r);
    CompareAnswers(r, ps, pj, ts, tj, &totals);
  }
  return totals;
}

SubprocessResult Exec(std::vector<std::string> argv, int64_t timeout_ms) {
  SubprocessOptions o;
  o.argv = std::move(argv);
  o.timeout_ms = timeout_ms;
  Result<SubprocessResult> r = RunSubprocess(o);
  if (!r.ok()) {
    SubprocessResult failed;
    failed.stderr_data = r.status().ToString();
    return failed;
  }
  return *r;
}

std::string SourceDir() {
  const char* s = std::getenv("TEND_SOURCE_DIR");
  return s != nullptr ? s : ".";
}

std::string GeneratorBinary() {
  const char* b = std::getenv("TEND_BUILD_DIR");
  return std::string(b != nullptr ? b : "build/debug") + "/tend_hostdata_gen";
}

class PromDiffTest : public ::testing::Test {
 protected:
  // Generates the day, imports it into both stores (concurrently) and
  // starts both servers on loopback.
  void StartServers() {
    const std::string om = dir_.path() + "/host.om";
    const std::string prom_data = dir_.path() + "/prometheus";
    const std::string tend_data = dir_.path() + "/tend";
    SubprocessResult gen =
        Exec({GeneratorBinary(), "--series", std::to_string(kSeries),
              "--duration", "1d", "--step", "10s", "--end",
              std::to_string(kEnd), "--seed", "42", "--out", om},
             300000);
    ASSERT_TRUE(gen.success()) << gen.stderr_data;

    // tend's blocks are cut at 12 h (one boundary inside the day) rather
    // than 2 h: under the sanitizers the agent would otherwise spend
    // minutes compacting twelve blocks while the corpus runs.
    auto tend_import = std::async(std::launch::async, [&] {
      return Exec({TendBinary(), "tsdb", "import", om, "--data-dir", tend_data,
                   "--block-duration", "12h"},
                  900000);
    });
    SubprocessResult promtool =
        Exec({PeerBinary("promtool"), "tsdb", "create-blocks-from",
              "openmetrics", "--quiet", om, prom_data},
             900000);
    SubprocessResult imported = tend_import.get();
    ASSERT_TRUE(promtool.success())
        << promtool.stdout_data << promtool.stderr_data;
    ASSERT_TRUE(imported.success())
        << imported.stdout_data << imported.stderr_data;
    std::printf(
        "generated in %.1f s; promtool: %.1f s; tend tsdb import: %.1f s\n",
        gen.duration_ns / 1e9, promtool.duration_ns / 1e9,
        imported.duration_ns / 1e9);
    EXPECT_NE(imported.stdout_data.find(" of " + std::to_string(kSeries) +
                                        " series into 2 blocks"),
              std::string::npos)
        << imported.stdout_data;
    std::remove(om.c_str());

    const std::string prom_config = dir_.path() + "/prometheus.yml";
    const std::string tend_config = dir_.path() + "/tend.yml";
    std::ofstream(prom_config) << "scrape_configs: []\n";
    // A long interval: the agent's own samples stay few (and far from the
    // generated day, which retention must keep).
    std::ofstream(tend_config) << "agent:\n  interval: 1h\n"
                                  "storage:\n  retention: 100y\n";
    const auto started = std::chrono::steady_clock::now();
    prom_addr_ = "127.0.0.1:" + std::to_string(FreePort());
    tend_addr_ = "127.0.0.1:" + std::to_string(FreePort());
    ASSERT_TRUE(
        prometheus_
            .Start({PeerBinary("prometheus"), "--config.file=" + prom_config,
                    "--storage.tsdb.path=" + prom_data,
                    "--storage.tsdb.retention.time=100y",
                    "--web.listen-address=" + prom_addr_},
                   dir_.path() + "/prometheus.log")
            .ok());
    ASSERT_TRUE(agent_
                    .Start({TendBinary(), "agent", "--config", tend_config,
                            "--data-dir", tend_data, "--listen", tend_addr_},
                           dir_.path() + "/agent.log")
                    .ok());
    ASSERT_TRUE(WaitForHttp200(prom_addr_, "/-/ready", 60000))
        << prometheus_.Log();
    ASSERT_TRUE(WaitForHttp200(tend_addr_, "/-/ready", 120000)) << agent_.Log();
    std::printf("both servers ready in %.1f s\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                              started)
                    .count());
  }

  TempDir dir_;
  std::string prom_addr_;
  std::string tend_addr_;
  ChildProcess prometheus_;
  ChildProcess agent_;
};

TEST_F(PromDiffTest, AnswersEqualPrometheus) {
  const std::vector<std::string> queries =
      LoadCorpus(SourceDir() + "/tests/integration/prom_diff_queries.txt");
  ASSERT_GE(queries.size(), 60u);

  const char* reuse = std::getenv("TEND_PROM_DIFF_ADDRS");
  if (reuse != nullptr && std::strchr(reuse, ',') != nullptr) {
    std::string s = reuse;
    prom_addr_ = s.substr(0, s.find(','));
    tend_addr_ = s.substr(s.find(',') + 1);
  } else {
    ASSERT_NO_FATAL_FAILURE(StartServers());
  }
  const Server prom(prom_addr_);
  const Server tend(tend_addr_);

  // The peer is the version the corpus was written against.
  Result<std::string> build = Get(prom_addr_, "/api/v1/status/buildinfo");
  ASSERT_TRUE(build.ok()) << build.status().ToString();
  EXPECT_NE(build->find("\"version\":\"2.42."), std::string::npos) << *build;

  const auto began = std::chrono::steady_clock::now();
  const Totals totals = RunCorpus(prom, tend, queries);
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began)
          .count();
  std::printf(
      "%d requests (%zu queries), %d with data, %lld series and %lld points "
      "compared in %.1f s\n",
      totals.requests, queries.size(), totals.nonempty,
      static_cast<long long>(totals.series),
      static_cast<long long>(totals.points), secs);
  // Not vacuous: most answers hold data, and plenty of it.
  EXPECT_GE(totals.nonempty, totals.requests * 8 / 10);
  EXPECT_GE(totals.points, 1000000);
}

// The comparison itself: equal answers pass, and each kind of difference
// is reported (so that a passing corpus means agreement, not blindness).
json Answer(const std::string& type, const std::string& result) {
  return json::parse(R"({"status":"success","data":{"resultType":")" + type +
                     R"(","result":)" + result + "}}");
}

void Check(const json& p, const json& t, bool ordered = false) {
  Request r{"/api/v1/query", "", "self-test", ordered};
  Totals totals;
  CompareAnswers(r, 200, p, 200, t, &totals);
}

TEST(PromDiffCompareTest, EqualAnswersPass) {
  const json v = Answer("vector",
                        R"([{"metric":{"a":"1"},"value":[10,"1.5"]},
                            {"metric":{"a":"2"},"value":[10,"NaN"]},
                            {"metric":{"a":"3"},"value":[10,"+Inf"]}])");
  const json reordered =
      Answer("vector", R"([{"metric":{"a":"3"},"value":[10,"+Inf"]},
                           {"metric":{"a":"2"},"value":[10,"NaN"]},
                           {"metric":{"a":"1"},"value":[10,"1.5000000001"]}])");
  Check(v, reordered);
  Check(Answer("scalar", R"([10.5,"-0"])"), Answer("scalar", R"([10.5,"0"])"));
  EXPECT_TRUE(AlmostEqual(1e9, 1e9 + 1));
  EXPECT_FALSE(AlmostEqual(1, 1.00001));
  EXPECT_FALSE(AlmostEqual(0, 1e-300));
  EXPECT_FALSE(AlmostEqual(std::numeric_limits<double>::infinity(), 1e308));
}

TEST(PromDiffCompareTest, DifferencesAreReported) {
  const json one =
      Answer("vector", R"([{"metric":{"a":"1"},"value":[10,"1"]}])");
  EXPECT_NONFATAL_FAILURE(
      Check(one, Answer("vector",
                        R"([{"metric":{"a":"1"},"value":[10,"1.0001"]}])")),
      "prometheus [10,\"1\"], tend [10,\"1.0001\"]");
  EXPECT_NONFATAL_FAILURE(
      Check(one,
            Answer("vector", R"([{"metric":{"a":"1"},"value":[11,"1"]}])")),
      "tend [11,");
  EXPECT_NONFATAL_FAILURE(
      Check(one,
            Answer("vector", R"([{"metric":{"a":"2"},"value":[10,"1"]}])")),
      "missing in tend");
  EXPECT_NONFATAL_FAILURE(Check(one, Answer("vector", "[]")),
                          "missing in tend");
  EXPECT_NONFATAL_FAILURE(Check(Answer("vector", "[]"), one), "only in tend");
  EXPECT_NONFATAL_FAILURE(Check(one, Answer("matrix", "[]")), "resultType");
  EXPECT_NONFATAL_FAILURE(
      Check(one,
            Answer("vector", R"([{"metric":{"a":"1"},"value":[10,"NaN"]}])")),
      "tend [10,\"NaN\"]");

  const json m = Answer(
      "matrix", R"([{"metric":{"a":"1"},"values":[[10,"1"],[20,"2"]]}])");
  EXPECT_NONFATAL_FAILURE(
      Check(m,
            Answer("matrix", R"([{"metric":{"a":"1"},"values":[[10,"1"]]}])")),
      "only prometheus has [20,");
  EXPECT_NONFATAL_FAILURE(
      Check(m,
            Answer("matrix",
                   R"([{"metric":{"a":"1"},"values":[[10,"1"],[20,"3"]]}])")),
      "prometheus [20,\"2\"], tend [20,\"3\"]");

  const json sorted =
      Answer("vector", R"([{"metric":{"a":"1"},"value":[10,"1"]},
                                           {"metric":{"a":"2"},"value":[10,"2"]}])");
  const json reversed =
      Answer("vector", R"([{"metric":{"a":"2"},"value":[10,"2"]},
                                             {"metric":{"a":"1"},"value":[10,"1"]}])");
  Check(sorted, reversed, /*ordered=*/false);
  EXPECT_NONFATAL_FAILURE(Check(sorted, reversed, /*ordered=*/true),
                          "order differs at position 0");

  const json bad =
      json::parse(R"({"status":"error","errorType":"bad_data","error":"x"})");
  const json exec =
      json::parse(R"({"status":"error","errorType":"execution","error":"x"})");
  Check(bad, bad);
  EXPECT_NONFATAL_FAILURE(Check(bad, exec), "errorType: prometheus bad_data");
  EXPECT_NONFATAL_FAILURE(Check(bad, one), "prometheus HTTP");
}

}  // namespace
}  // namespace tend::testing
