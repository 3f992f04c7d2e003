// Fuzz target: ingest processors and log-derived metrics
// (src/logs/process, src/logs/metrics).
//
// Input: the first line is a condition string; it goes through
// Condition::Parse and, as keep/drop/sample-unless/match, through
// ProcessorChain::Create and LogMetrics::Create, which must succeed or fail
// with kInvalidArgument, never crash. The rest of the input is log lines,
// parsed with `auto` and run through a fixed chain with every processor
// type and every redaction rule, then fed to a counter and a histogram.
// Invariants: a redacted line never grows without a marker, Run never
// crashes, and the histogram's +Inf bucket equals its count.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "logs/metrics/log_metrics.h"
#include "logs/parse/line_parser.h"
#include "logs/process/condition.h"
#include "logs/process/processor.h"

namespace {

using namespace tend::logs;  // NOLINT: a fuzz driver.

void CheckStatus(const tend::Status& s) {
  if (!s.ok() && s.code() != tend::StatusCode::kInvalidArgument) {
    __builtin_trap();
  }
}

std::vector<ProcessorConfig> FixedChain() {
  ProcessorConfig redact;
  redact.type = ProcessorType::kRedact;
  redact.redact.rules = {"password", "token", "card", "email"};
  redact.redact.patterns = {{R"((user=)\w+)", R"(\1***)"}};
  ProcessorConfig fields;
  fields.type = ProcessorType::kFields;
  fields.fields.rename = {{"lvl", "severity"}, {"svc", "service"}};
  fields.fields.remove = {"debug"};
  fields.fields.add = {{"env", "fuzz"}};
  fields.fields.level_from = "severity";
  fields.fields.app_from = "service";
  ProcessorConfig drop;
  drop.type = ProcessorType::kDrop;
  drop.condition = R"(level="debug" or status >= 599)";
  ProcessorConfig sample;
  sample.type = ProcessorType::kSample;
  sample.sample.every = 3;
  sample.sample.unless = R"(level=~"error|warn")";
  ProcessorConfig keep;
  keep.type = ProcessorType::kKeep;
  keep.condition = R"(message!="" or pid > 0)";
  return {redact, fields, drop, sample, keep};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nl = input.find('\n');
  const std::string_view condition = input.substr(0, nl);
  const std::string_view rest =
      nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);

  // Random conditions through every Create.
  auto parsed = Condition::Parse(condition);
  CheckStatus(parsed.status());
  ProcessorConfig user;
  user.type = static_cast<ProcessorType>(size % 5);
  user.condition = std::string(condition);
  user.sample.every = 2;
  user.sample.unless = std::string(condition);
  user.redact.patterns = {{std::string(condition), ""}};
  user.fields.remove = {std::string(condition)};
  auto user_chain = ProcessorChain::Create({user});
  CheckStatus(user_chain.status());
  LogMetricConfig user_metric;
  user_metric.name = "fuzz_total";
  user_metric.match = std::string(condition);
  auto user_metrics = LogMetrics::Create({user_metric});
  CheckStatus(user_metrics.status());

  auto chain = ProcessorChain::Create(FixedChain(), "fuzz");
  if (!chain.ok()) __builtin_trap();
  LogMetricConfig count;
  count.name = "fuzz_records_total";
  count.labels = {"level", "app", "status"};
  count.max_series = 8;
  LogMetricConfig hist;
  hist.name = "fuzz_request_seconds";
  hist.type = LogMetricType::kHistogram;
  hist.value = "request_time";
  hist.labels = {"method"};
  auto metrics = LogMetrics::Create({count, hist});
  if (!metrics.ok()) __builtin_trap();

  auto parser = LineParser::Create(ParserConfig{});
  if (!parser.ok()) __builtin_trap();
  ParseOptions options;
  options.receive_time_ns = 1700000000000000000;
  options.zone = tend::logs::TimeZone::Utc();
  LogRecord record;
  record.source = "fuzz";
  std::string line;
  size_t pos = 0;
  while (pos < rest.size()) {
    size_t end = rest.find('\n', pos);
    if (end == std::string_view::npos) end = rest.size();
    line.assign(rest.substr(pos, end - pos));
    pos = end + 1;
    (*parser)->Parse(line, options, &record);
    const bool keep = chain->Run(record, line) == ProcessorChain::kKeep;
    if (keep) (*metrics)->Observe(record);
    if (user_chain.ok()) user_chain->Run(record, line);
    if (user_metrics.ok()) (*user_metrics)->Observe(record);
  }
  tend::MetricSet set;
  (*metrics)->Collect(&set);
  const tend::MetricFamily* buckets = set.Find("fuzz_request_seconds_bucket");
  const tend::MetricFamily* counts = set.Find("fuzz_request_seconds_count");
  if (buckets == nullptr || counts == nullptr) __builtin_trap();
  for (const tend::Sample& c : counts->samples) {
    bool found = false;
    for (const tend::Sample& b : buckets->samples) {
      if (tend::GetLabel(b.labels, "le") != "+Inf") continue;
      if (tend::GetLabel(b.labels, "method") !=
          tend::GetLabel(c.labels, "method")) {
        continue;
      }
      found = true;
      if (b.value != c.value) __builtin_trap();
    }
    if (!found) __builtin_trap();
  }
  chain->Collect(&set);
  return 0;
}
