// The `logs:` section of tend.yml: the log store, the sources, their
// processors and the metrics derived from logs (docs/logs.md).
//
// These structs are the configuration as written; the agent turns them into
// the options of each library (file, journal and syslog sources, processors,
// log metrics), whose own validation reports anything the tables here
// cannot check, naming the element ("logs.sources[1].processors[0]: ...").
#ifndef TEND_CONFIG_LOGS_CONFIG_H_
#define TEND_CONFIG_LOGS_CONFIG_H_

#include <cstdint>
#include <string>
#include <vector>

namespace tend {

// One step of a source's processing, in order. Exactly one of keep, drop,
// redact (with redact_patterns), add/rename/remove, sample is set.
struct LogProcessorSection {
  std::string keep;  // LogQL label-filter condition.
  std::string drop;  // LogQL label-filter condition.
  // Built-in rules: password, token, card, email.
  std::vector<std::string> redact;
  // Extra RE2 patterns to redact (the whole match is replaced).
  std::vector<std::string> redact_patterns;
  std::string replacement = "<redacted>";
  std::vector<std::string> add;     // "name=value"
  std::vector<std::string> rename;  // "old=new"
  std::vector<std::string> remove;  // field names
  int64_t sample = 0;               // Keep 1 in N (0: not a sample step).
  std::string unless;               // sample: condition always kept.
};

struct LogSourceSection {
  std::string name;
  std::string type = "file";  // file, journal, syslog
  std::string parser = "auto";
  std::string pattern;             // parser: pattern
  std::string timezone = "local";  // local, UTC, or +HH:MM
  // Record fields (or `level`) that become stream labels.
  std::vector<std::string> labels;
  // file
  std::vector<std::string> paths;
  std::vector<std::string> exclude;
  std::string start_at = "end";    // file, journal: beginning, end
  std::string multiline = "none";  // none, start, indent
  std::string multiline_start;     // RE2, multiline: start
  int64_t multiline_timeout_ms = 1000;
  int64_t multiline_max_lines = 500;
  std::string max_record_size = "256KiB";
  bool read_gzip = false;
  int64_t rescan_interval_ms = 10000;
  // journal
  std::string directory;             // Empty: the system journal.
  std::vector<std::string> matches;  // FIELD=value
  // syslog
  std::vector<std::string> udp;  // host:port
  std::vector<std::string> tcp;
  std::vector<std::string> tls;
  std::string tls_cert;
  std::string tls_key;
  std::string max_message_size = "64KiB";
  std::string queue_size = "8MiB";

  std::vector<LogProcessorSection> processors;
};

struct LogMetricSection {
  std::string name;
  std::string type = "counter";  // counter, histogram
  std::string help;
  std::string match;   // LogQL label-filter condition; empty: every record.
  std::string source;  // Only records of this source; empty: all.
  std::vector<std::string> labels;
  std::string value;  // Field with the value (histogram; counter: to add).
  double value_scale = 1;
  std::vector<std::string> buckets;  // Numbers; empty: Prometheus defaults.
  int64_t max_series = 10000;
};

struct LogsSection {
  bool enabled = true;
  int64_t retention_ms = 7LL * 24 * 3600 * 1000;
  std::string retention_size = "0";
  // always: fdatasync every commit; interval: every second.
  std::string fsync = "interval";
  int64_t commit_interval_ms = 200;
  std::vector<LogSourceSection> sources = DefaultLogSources();
  std::vector<LogMetricSection> metrics;

  // The host's own text logs, read from their end.
  static std::vector<LogSourceSection> DefaultLogSources() {
    LogSourceSection system;
    system.name = "system";
    system.paths = {"/var/log/syslog", "/var/log/messages", "/var/log/auth.log",
                    "/var/log/secure", "/var/log/kern.log"};
    return {system};
  }
};

}  // namespace tend

#endif  // TEND_CONFIG_LOGS_CONFIG_H_
