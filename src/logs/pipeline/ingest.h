// SourceIngest: what happens to each entry of one source on its way into
// the log store: parse (unless the source parsed it), process, feed the
// log-derived metrics, build the stream labels and append.
//
// Stream labels: `source` (the source's name), `host` (the record's host,
// else this machine's hostname), `app` (when the record has one),
// `filename` (IngestConfig::origin_label: file sources' path read), and
// each field named in
// IngestConfig::label_fields that the record has (sanitized to a valid
// label name). The stored line is the entry's text, after redaction.
//
// Nothing is silently dropped: a line no parser understands is stored whole
// (and counted as a parse error), a line longer than the store's limit is
// cut at a UTF-8 boundary and counted, and a record a processor drops is
// counted by that processor.
//
// Threads: the pipeline thread only (the store's writer thread).
#ifndef TEND_LOGS_PIPELINE_INGEST_H_
#define TEND_LOGS_PIPELINE_INGEST_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "logs/parse/line_parser.h"
#include "logs/sources/source.h"
#include "logs/store/log_store.h"
#include "model/labels.h"

namespace tend::logs {

class ProcessorChain;
class LogMetrics;

struct IngestConfig {
  std::string source;  // The source's name (stream label `source`).
  ParserConfig parser;
  TimeZone zone = TimeZone::Local();
  std::vector<std::string> label_fields;
  std::string hostname;  // For `host` when the record names none.
  // The stream label of SourceEntry::origin ("filename" for file sources);
  // empty: origin is not a label (a syslog peer's address and port would
  // make a stream per connection).
  std::string origin_label;
  size_t max_line_bytes = 1 << 20;  // The store's limit.
  // For imports of old files: syslog year inference relative to this
  // (ParseOptions::reference_time_ns); 0: the receive time.
  int64_t reference_time_ns = 0;
};

struct IngestStats {
  uint64_t records = 0;       // Appended to the store.
  uint64_t parse_errors = 0;  // Stored whole, unparsed.
  uint64_t dropped = 0;       // Dropped by a processor (keep/drop/sample).
  uint64_t cut = 0;           // Cut at the store's line limit.
  uint64_t bytes = 0;         // Line bytes appended.
};

class SourceIngest : public EntrySink {
 public:
  // `store` must outlive this; `processors` and `metrics` may be null and,
  // when not, must outlive this too. Fails when the parser cannot be built.
  static Result<std::unique_ptr<SourceIngest>> Create(
      IngestConfig config, LogStore* store, ProcessorChain* processors,
      LogMetrics* metrics);

  void Add(const SourceEntry& entry) override;

  // The first store error since the last call (Append fails only on a
  // closed store), then OK again.
  Status TakeError();

  const IngestStats& stats() const { return stats_; }
  const IngestConfig& config() const { return config_; }

 private:
  SourceIngest(IngestConfig config, LogStore* store,
               std::unique_ptr<LineParser> parser, ProcessorChain* processors,
               LogMetrics* metrics);
  void BuildLabels(const LogRecord& record, std::string_view origin);

  IngestConfig config_;
  LogStore* store_;
  std::unique_ptr<LineParser> parser_;
  ProcessorChain* processors_;
  LogMetrics* metrics_;
  LogRecord record_;  // Reused for every entry.
  std::string line_;  // The processors' copy of the text to store, reused.
  Labels labels_;     // Reused; canonical after BuildLabels.
  std::vector<std::string> field_label_names_;  // Sanitized label_fields.
  Status error_;
  IngestStats stats_;
};

// Cuts `line` to at most `max` bytes without splitting a UTF-8 sequence.
std::string_view CutAtUtf8Boundary(std::string_view line, size_t max);

// `name` as a valid label name: invalid characters become '_', a leading
// digit gets a '_' prefix ("" stays "").
std::string SanitizeLabelName(std::string_view name);

}  // namespace tend::logs

#endif  // TEND_LOGS_PIPELINE_INGEST_H_
