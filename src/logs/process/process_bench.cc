// Throughput of the ingest side after parsing: a processor chain (redact
// with every built-in rule, then keep) and a latency histogram plus a
// request counter, over 1 M synthetic nginx access-log lines parsed once
// up front. Prints lines/s for the chain, the metrics, and both.
//
// Run on a Release build:
//   build/<dir>/src/logs/process/tend_logs_process_bench [lines]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "logs/metrics/log_metrics.h"
#include "logs/parse/line_parser.h"
#include "logs/process/processor.h"

namespace {

using tend::logs::LogRecord;

std::vector<std::string> MakeLines(size_t n) {
  static const char* kMethods[] = {"GET", "GET", "POST", "PUT"};
  static const int kStatus[] = {200, 200, 200, 304, 404, 500};
  std::vector<std::string> out;
  out.reserve(n);
  uint64_t x = 42;
  char buf[320];
  for (size_t i = 0; i < n; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    const int ms = static_cast<int>((x >> 30) % 3000);
    // One line in 1000 carries a secret to redact.
    const char* query = (i % 1000 == 7) ? "?token=abc123secret" : "";
    std::snprintf(buf, sizeof(buf),
                  "10.1.%d.%d - - [02/Jan/2024:03:04:05 +0000] \"%s "
                  "/api/v1/items/%d%s HTTP/1.1\" %d %d \"https://example.org/"
                  "page\" \"Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0\" "
                  "%d.%03d",
                  static_cast<int>(i / 256 % 256), static_cast<int>(i % 256),
                  kMethods[(x >> 33) % 4], static_cast<int>(x % 10000), query,
                  kStatus[(x >> 40) % 6], static_cast<int>((x >> 20) % 50000),
                  ms / 1000, ms % 1000);
    out.emplace_back(buf);
  }
  return out;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since)
      .count();
}

}  // namespace

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
  const std::vector<std::string> lines = MakeLines(n);
  tend::logs::ParserConfig pc;
  pc.kind = tend::logs::ParserKind::kAccess;
  auto parser = tend::logs::LineParser::Create(pc);
  tend::logs::ParseOptions options;
  options.receive_time_ns = 1700000000000000000;
  std::vector<LogRecord> records(n);
  for (size_t i = 0; i < n; ++i) {
    records[i].source = "nginx";
    (*parser)->Parse(lines[i], options, &records[i]);
  }

  tend::logs::ProcessorConfig redact;
  redact.type = tend::logs::ProcessorType::kRedact;
  redact.redact.rules = {"password", "token", "card", "email"};
  tend::logs::ProcessorConfig keep;
  keep.type = tend::logs::ProcessorType::kKeep;
  keep.condition = R"(method!="OPTIONS" and status >= 100)";
  auto chain = tend::logs::ProcessorChain::Create({redact, keep}, "nginx");
  if (!chain.ok()) {
    std::fprintf(stderr, "%s\n", chain.status().ToString().c_str());
    return 1;
  }
  tend::logs::LogMetricConfig hist;
  hist.name = "nginx_http_request_duration_seconds";
  hist.type = tend::logs::LogMetricType::kHistogram;
  hist.value = "request_time";
  hist.labels = {"method"};
  tend::logs::LogMetricConfig count;
  count.name = "nginx_http_requests_total";
  count.labels = {"status", "method"};
  auto metrics = tend::logs::LogMetrics::Create({hist, count});
  if (!metrics.ok()) {
    std::fprintf(stderr, "%s\n", metrics.status().ToString().c_str());
    return 1;
  }

  // The chain changes records and lines; each pass works on copies.
  std::vector<std::string> work_lines = lines;
  std::vector<LogRecord> work = records;
  size_t kept = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < n; ++i) {
    if (chain->Run(work[i], work_lines[i]) == tend::logs::ProcessorChain::kKeep)
      ++kept;
  }
  const double chain_s = Seconds(t0);

  t0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < n; ++i) (*metrics)->Observe(records[i]);
  const double metrics_s = Seconds(t0);

  work_lines = lines;
  work = records;
  t0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < n; ++i) {
    if (chain->Run(work[i], work_lines[i]) == tend::logs::ProcessorChain::kKeep)
      (*metrics)->Observe(work[i]);
  }
  const double both_s = Seconds(t0);

  tend::MetricSet set;
  t0 = std::chrono::steady_clock::now();
  (*metrics)->Collect(&set);
  const double collect_s = Seconds(t0);

  uint64_t redactions = 0;
  for (const auto& s : chain->Stats()) {
    for (const auto& r : s.redactions) redactions += r.second;
  }
  std::printf("lines: %zu (kept %zu, redactions over both chain passes %llu)\n",
              n, kept, static_cast<unsigned long long>(redactions));
  std::printf("chain (redact all rules + keep): %.2f M lines/s\n",
              n / chain_s / 1e6);
  std::printf("metrics (histogram + counter):   %.2f M lines/s\n",
              n / metrics_s / 1e6);
  std::printf("chain + metrics:                 %.2f M lines/s\n",
              n / both_s / 1e6);
  std::printf("collect: %.1f us, %zu samples\n", collect_s * 1e6,
              set.SampleCount());
  return 0;
}
