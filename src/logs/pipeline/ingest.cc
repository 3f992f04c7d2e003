#include "logs/pipeline/ingest.h"

#include <algorithm>

#include "logs/metrics/log_metrics.h"
#include "logs/process/processor.h"

namespace tend::logs {

std::string_view CutAtUtf8Boundary(std::string_view line, size_t max) {
  if (line.size() <= max) return line;
  size_t end = max;
  // Step back over continuation bytes (10xxxxxx) to a sequence start, which
  // the cut then excludes.
  size_t back = 0;
  while (end > 0 && back < 3 &&
         (static_cast<unsigned char>(line[end]) & 0xC0) == 0x80) {
    --end;
    ++back;
  }
  return line.substr(0, end);
}

std::string SanitizeLabelName(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 1);
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_';
    out += ok ? c : '_';
  }
  if (!out.empty() && out[0] >= '0' && out[0] <= '9') out.insert(0, 1, '_');
  return out;
}

Result<std::unique_ptr<SourceIngest>> SourceIngest::Create(
    IngestConfig config, LogStore* store, ProcessorChain* processors,
    LogMetrics* metrics) {
  Result<std::unique_ptr<LineParser>> parser =
      LineParser::Create(config.parser);
  if (!parser.ok()) {
    return InvalidArgumentError("log source " + config.source + ": " +
                                parser.status().message());
  }
  return std::unique_ptr<SourceIngest>(new SourceIngest(
      std::move(config), store, std::move(*parser), processors, metrics));
}

SourceIngest::SourceIngest(IngestConfig config, LogStore* store,
                           std::unique_ptr<LineParser> parser,
                           ProcessorChain* processors, LogMetrics* metrics)
    : config_(std::move(config)),
      store_(store),
      parser_(std::move(parser)),
      processors_(processors),
      metrics_(metrics) {
  record_.source = config_.source;
  for (const std::string& f : config_.label_fields) {
    field_label_names_.push_back(SanitizeLabelName(f));
  }
}

Status SourceIngest::TakeError() {
  Status s = std::move(error_);
  error_ = Status::Ok();
  return s;
}

void SourceIngest::BuildLabels(const LogRecord& record,
                               std::string_view origin) {
  size_t n = 0;
  auto set = [&](std::string_view name, std::string_view value) {
    if (value.empty()) return;
    if (n == labels_.size()) labels_.emplace_back();
    labels_[n].name.assign(name);
    labels_[n].value.assign(value);
    ++n;
  };
  set("app", record.app);
  if (!config_.origin_label.empty()) set(config_.origin_label, origin);
  set("host", record.host.empty() ? std::string_view(config_.hostname)
                                  : std::string_view(record.host));
  set("source", config_.source);
  for (size_t i = 0; i < config_.label_fields.size(); ++i) {
    const std::string& name = field_label_names_[i];
    if (name == "app" || name == "filename" || name == "host" ||
        name == "source" || name.empty()) {
      continue;  // Never shadow the built-in labels.
    }
    if (config_.label_fields[i] == "level") {
      if (record.level != Level::kUnknown) set(name, LevelName(record.level));
      continue;
    }
    const std::string* v = record.fields.Find(config_.label_fields[i]);
    if (v != nullptr) set(name, *v);
  }
  labels_.resize(n);
  if (!config_.label_fields.empty() ||
      (!config_.origin_label.empty() && config_.origin_label != "filename")) {
    CanonicalizeLabels(&labels_);
  }
}

void SourceIngest::Add(const SourceEntry& entry) {
  const LogRecord* rec = entry.record;
  if (rec == nullptr) {
    ParseOptions options;
    options.receive_time_ns = entry.receive_time_ns;
    options.reference_time_ns = config_.reference_time_ns;
    options.zone = config_.zone;
    parser_->Parse(entry.line, options, &record_);
  } else {
    std::string source = std::move(record_.source);
    record_ = *rec;
    record_.source = std::move(source);
  }
  if (record_.parse_error) ++stats_.parse_errors;
  // The text to store: the entry's own, unless processors (which may
  // redact it) run, then a copy they edit.
  std::string_view text = entry.line;
  if (processors_ != nullptr) {
    line_.assign(entry.line);
    if (processors_->Run(record_, line_) == ProcessorChain::kDrop) {
      ++stats_.dropped;
      return;
    }
    text = line_;
  }
  if (metrics_ != nullptr) metrics_->Observe(record_);
  std::string_view line = CutAtUtf8Boundary(text, config_.max_line_bytes);
  if (line.size() != text.size()) ++stats_.cut;
  BuildLabels(record_, entry.origin);
  int64_t t = record_.time_from_line || rec != nullptr ? record_.time_ns
                                                       : entry.receive_time_ns;
  Status s = store_->Append(labels_, t, line);
  if (!s.ok()) {
    if (error_.ok()) error_ = s;
    return;
  }
  ++stats_.records;
  stats_.bytes += line.size();
}

}  // namespace tend::logs
