// LogSource: where log records come from (files, the journal, the syslog
// server), as the log pipeline sees them.
//
// The pipeline owns every source and calls it from one thread (the log
// writer thread): Restore once, then Poll repeatedly. Each Poll hands the
// entries that are ready to an EntrySink; the pipeline parses and processes
// them, appends them to the log store and then commits the store together
// with every source's Checkpoint(). A restart restores each source from the
// checkpoint of the last commit. So a source must make Checkpoint() describe
// exactly the entries it has handed out: everything before it was emitted,
// nothing after it was. That is what makes "no line lost, none stored
// twice" hold across kill -9: lines after the last commit were never
// durable, and the restored position starts right after the last durable
// one.
#ifndef TEND_LOGS_SOURCES_SOURCE_H_
#define TEND_LOGS_SOURCES_SOURCE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "logs/parse/record.h"

namespace tend::logs {

// One record as a source read it, before parsing. Views are valid only
// during the EntrySink::Add call.
struct SourceEntry {
  // The record's text without its line terminator (a multiline record's
  // lines joined with '\n'). For a source that parses itself (`record` set)
  // this is the text to store (the journal's MESSAGE).
  std::string_view line;
  // When tend read it (CLOCK_REALTIME ns): the record's time when the line
  // carries none.
  int64_t receive_time_ns = 0;
  // Where it came from inside the source: the file path for file sources
  // (stream label `filename`), "" otherwise.
  std::string_view origin;
  // Set by sources that already know the structure (journal, syslog with
  // its header parsed): the pipeline uses it instead of running a parser.
  // Its `source` is ignored (the pipeline sets it).
  const LogRecord* record = nullptr;
  // The text was cut at the source's maximum record length.
  bool truncated = false;
};

class EntrySink {
 public:
  virtual ~EntrySink() = default;
  // Takes one entry. Never fails: the pipeline buffers it until the next
  // commit.
  virtual void Add(const SourceEntry& entry) = 0;
};

// Counters a source keeps (monotonic, since the source was created), which
// the pipeline exports as tend_logs_source_* metrics labelled by source.
struct SourceStats {
  uint64_t entries = 0;    // Handed to the sink.
  uint64_t bytes = 0;      // Sum of entry line sizes.
  uint64_t truncated = 0;  // Entries cut at the maximum length.
  uint64_t dropped = 0;    // Lost before tend could keep them (UDP only).
  uint64_t errors = 0;     // Read or receive errors (logged when they occur).
  uint64_t open = 0;       // Gauge: files or connections open now.
};

class LogSource {
 public:
  virtual ~LogSource() = default;

  // The configured source name (stream label `source`).
  virtual const std::string& name() const = 0;

  // Sets the read position from a string an earlier Checkpoint() returned,
  // possibly in an earlier process; "" means no checkpoint (the source's
  // configured start position applies). Called once, before the first Poll.
  // A checkpoint the source cannot read is an error naming the source; the
  // pipeline then logs it and starts the source without one.
  virtual Status Restore(std::string_view checkpoint) = 0;

  // Hands the entries that are ready to `sink`, stopping once about
  // `max_bytes` of lines were handed (so one busy source cannot starve the
  // others or make a commit huge). Does not wait for data. Returns the
  // number of entries handed. An error (logged and counted by the pipeline)
  // leaves the source usable; entries handed before it stand.
  // The pipeline calls Poll at least every second even without wait_fd()
  // activity, so sources can flush timed-out multiline records, rescan
  // globs and notice rotations there.
  virtual Result<size_t> Poll(EntrySink& sink, size_t max_bytes) = 0;

  // The position right after the last entry handed to a sink, as an opaque
  // string the source can Restore. Cheap to call after every Poll.
  virtual std::string Checkpoint() const = 0;

  // A descriptor that becomes readable when Poll may have new entries
  // (inotify, sd_journal, an eventfd), or -1 to rely on the one-second tick.
  // The pipeline only waits on it; Poll drains it.
  virtual int wait_fd() const { return -1; }

  virtual SourceStats stats() const = 0;
};

}  // namespace tend::logs

#endif  // TEND_LOGS_SOURCES_SOURCE_H_
