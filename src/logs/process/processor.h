// Processors: what a source does to each parsed record before it is stored
// (docs/logs-processing.md). A source's processors run in order; each may
// change the record and the line to store, or drop the record.
//
//   keep    condition: records for which it is false are dropped.
//   drop    condition: records for which it is true are dropped.
//   redact  built-in rules and custom patterns (redact.h), applied to the
//           line to store, the message and every field value.
//   fields  rename, remove, add (literal values), and set the level or app
//           from a field, in that order.
//   sample  keeps 1 record in `every`; records matching `unless` are always
//           kept and do not advance the count.
//
// Sampling is by a counter over the records that reach the processor (the
// first, the every+1-th, ...), not by a hash of the line: it keeps exactly 1
// in N whatever the lines are, and a line repeated many times (the usual
// reason to sample) is sampled like any other, where a hash would keep all
// or none of its copies. A chain belongs to one source, so the counter is
// per source.
//
// Threads: Run is called by one thread at a time (the log pipeline thread of
// the source). Stats and Collect may be called from any thread at any time:
// counters are atomics written only by the running thread.
#ifndef TEND_LOGS_PROCESS_PROCESSOR_H_
#define TEND_LOGS_PROCESS_PROCESSOR_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "logs/parse/record.h"
#include "logs/process/condition.h"
#include "logs/process/redact.h"
#include "metrics/metric.h"

namespace tend::logs {

enum class ProcessorType { kKeep, kDrop, kRedact, kFields, kSample };

// "keep", "drop", "redact", "fields", "sample".
std::string_view ProcessorTypeName(ProcessorType type);
// kInvalidArgument naming the known types when `name` is unknown.
Result<ProcessorType> ProcessorTypeFromName(std::string_view name);

struct FieldRename {
  std::string from;
  std::string to;
};

struct FieldsConfig {
  // Every field called `from` is renamed `to`; existing `to` fields are
  // replaced.
  std::vector<FieldRename> rename;
  // Fields removed (every field of each name).
  std::vector<std::string> remove;
  // Fields set to a literal value (replacing any field of that name).
  std::vector<Field> add;
  // When the record has this field, the level is set from its value
  // (LevelFromWord: "ERROR", "warning", "3", ...); an unknown word leaves
  // the level as it is.
  std::string level_from;
  // When the record has this non-empty field, app is set to its value.
  std::string app_from;
};

struct SampleConfig {
  uint64_t every = 0;  // Keep 1 in `every` (>= 1; 1 keeps all).
  std::string unless;  // Optional condition: matching records always kept.
};

struct ProcessorConfig {
  ProcessorType type = ProcessorType::kKeep;
  std::string condition;  // keep / drop.
  RedactConfig redact;    // redact.
  FieldsConfig fields;    // fields.
  SampleConfig sample;    // sample.
};

// A snapshot of one processor's counters, monotonic for the chain's life.
struct ProcessorStats {
  ProcessorType type = ProcessorType::kKeep;
  uint64_t records = 0;           // Records that reached the processor.
  uint64_t dropped = 0;           // Records it dropped.
  uint64_t condition_errors = 0;  // Conditions false by a conversion error.
  uint64_t redacted_records = 0;  // Records with at least one replacement.
  // Replacements in the stored line per rule (the same secret replaced in
  // the message or a field is not counted again).
  std::vector<std::pair<std::string, uint64_t>> redactions;
};

class ProcessorChain {
 public:
  enum Verdict { kKeep, kDrop };

  // Validates every config. On failure returns kInvalidArgument of the form
  //   processor 2 (redact): redact: rules[0]: unknown rule "cards" ...
  // naming the processor's index and type and the bad value. `source` only
  // labels the chain's metrics.
  static Result<ProcessorChain> Create(
      const std::vector<ProcessorConfig>& configs,
      std::string_view source = "");

  ProcessorChain(ProcessorChain&&) noexcept;
  ProcessorChain& operator=(ProcessorChain&&) noexcept;
  ~ProcessorChain();

  // Runs the processors in order on `record` and `line` (the text that will
  // be stored), which they may change. Returns kDrop at the first processor
  // that drops the record (the rest do not run). An empty chain keeps all.
  Verdict Run(LogRecord& record, std::string& line);

  size_t size() const;

  // Thread-safe snapshots of the counters, one per processor.
  std::vector<ProcessorStats> Stats() const;

  // Appends, labelled {source, processor (index), type}:
  //   tend_logs_processor_records_total     records in
  //   tend_logs_processor_dropped_total     records dropped
  //   tend_logs_processor_condition_errors_total (keep/drop/sample)
  //   tend_logs_processor_redactions_total  per rule (redact), label rule
  // Thread-safe.
  void Collect(MetricSet* out) const;

 private:
  struct Processor;
  ProcessorChain();
  Verdict RunOne(Processor& p, LogRecord& record, std::string& line);
  void Redact(Processor& p, LogRecord& record, std::string& line);
  void EditFields(const FieldsConfig& config, LogRecord& record);

  std::string source_;
  std::vector<Processor> processors_;
  std::vector<Field> field_scratch_;  // EditFields' copy of the fields.
};

}  // namespace tend::logs

#endif  // TEND_LOGS_PROCESS_PROCESSOR_H_
