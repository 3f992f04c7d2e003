// The field tables of `logs:`. Defaults come from the structs' member
// initializers (logs_config.h).
#include "config/logs_config_schema.h"

#include <charconv>
#include <set>

#include "config/byte_size.h"
#include "config/yaml_text.h"
#include "logs/logql/parser.h"
#include "logs/parse/timestamp.h"

namespace tend {
namespace {

constexpr int64_t kSecond = 1000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kDay = 24 * 60 * kMinute;

Status ValidateOptionalCondition(std::string_view c) {
  return c.empty() ? Status::Ok() : ValidateLogCondition(c);
}

Status ValidateAssignment(std::string_view item) {
  size_t eq = item.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return InvalidArgumentError("want name=value, got " +
                                QuoteForMessage(item));
  }
  return Status::Ok();
}

Status ValidateNumber(std::string_view text) {
  double v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    return InvalidArgumentError("want a number, got " + QuoteForMessage(text));
  }
  return Status::Ok();
}

Status CheckProcessor(const LogProcessorSection& p) {
  int kinds = 0;
  kinds += !p.keep.empty();
  kinds += !p.drop.empty();
  kinds += !p.redact.empty() || !p.redact_patterns.empty();
  kinds += !p.add.empty() || !p.rename.empty() || !p.remove.empty();
  kinds += p.sample > 0;
  if (kinds != 1) {
    return InvalidArgumentError(
        "a processor does exactly one thing: set one of keep, drop, redact "
        "(or redact_patterns), add/rename/remove, sample");
  }
  if (!p.unless.empty() && p.sample == 0) {
    return InvalidArgumentError("`unless` belongs to a sample processor");
  }
  for (const std::string& rule : p.redact) {
    if (rule != "password" && rule != "token" && rule != "card" &&
        rule != "email") {
      return InvalidArgumentError(
          "unknown redact rule " + QuoteForMessage(rule) +
          " (rules: password, token, card, email; use redact_patterns for "
          "your own)");
    }
  }
  return Status::Ok();
}

Schema<LogProcessorSection> ProcessorSchema() {
  using P = LogProcessorSection;
  Schema<P> s;
  s.String("keep", &P::keep,
           "Keep only records for which this LogQL label-filter condition "
           "holds (`level=~\"err|crit\" or status >= 500`); the names are "
           "the record's message, app, host, level, pid, source and its "
           "parsed fields.",
           ValidateOptionalCondition)
      .String("drop", &P::drop, "Drop records for which this condition holds.",
              ValidateOptionalCondition)
      .StringList("redact", &P::redact,
                  "Built-in redaction rules to apply: password, token, "
                  "card (Luhn-checked card numbers), email.")
      .StringList("redact_patterns", &P::redact_patterns,
                  "Your own RE2 patterns; every match is replaced.",
                  [](std::string_view re) -> Status {
                    return re.empty() ? InvalidArgumentError("empty pattern")
                                      : Status::Ok();
                  })
      .String("replacement", &P::replacement,
              "What redacted text is replaced with.")
      .StringList("add", &P::add, "Fields to set, as name=value.",
                  ValidateAssignment)
      .StringList("rename", &P::rename, "Fields to rename, as old=new.",
                  ValidateAssignment)
      .StringList("remove", &P::remove, "Fields to remove.")
      .Int("sample", &P::sample,
           "Keep 1 record in N (0: this is not a sample step).", 0, 1000000)
      .String("unless", &P::unless,
              "sample: records matching this condition are always kept.",
              ValidateOptionalCondition)
      .Validate(CheckProcessor);
  return s;
}

Status CheckSource(const LogSourceSection& s) {
  if (s.name.empty()) return InvalidArgumentError("a source needs a name");
  if (s.type == "file" && s.paths.empty()) {
    return InvalidArgumentError("source " + QuoteForMessage(s.name) +
                                ": a file source needs `paths`");
  }
  if (s.type != "file" && !s.paths.empty()) {
    return InvalidArgumentError("source " + QuoteForMessage(s.name) +
                                ": `paths` is for file sources");
  }
  if (s.type == "syslog" && s.udp.empty() && s.tcp.empty() && s.tls.empty()) {
    return InvalidArgumentError(
        "source " + QuoteForMessage(s.name) +
        ": a syslog source needs at least one of udp, tcp, tls");
  }
  if (!s.tls.empty() && (s.tls_cert.empty() || s.tls_key.empty())) {
    return InvalidArgumentError("source " + QuoteForMessage(s.name) +
                                ": `tls` needs tls_cert and tls_key");
  }
  if (s.parser == "pattern" && s.pattern.empty()) {
    return InvalidArgumentError("source " + QuoteForMessage(s.name) +
                                ": parser pattern needs `pattern`");
  }
  if (s.multiline == "start" && s.multiline_start.empty()) {
    return InvalidArgumentError("source " + QuoteForMessage(s.name) +
                                ": multiline start needs multiline_start");
  }
  return Status::Ok();
}

Status ValidateTimezone(std::string_view tz) {
  logs::TimeZone zone;
  if (logs::ParseZoneName(tz, &zone)) return Status::Ok();
  return InvalidArgumentError("want local, UTC or an offset like +02:00, got " +
                              QuoteForMessage(tz));
}

Schema<LogSourceSection> SourceSchema() {
  using S = LogSourceSection;
  Schema<S> s;
  s.String("name", &S::name,
           "The source's name: the `source` stream label of its records "
           "(`{source=\"nginx\"}`) and the key of its read position.")
      .Enum("type", &S::type,
            "file: tail files by glob; journal: the systemd journal; "
            "syslog: receive syslog over the network.",
            {"file", "journal", "syslog"})
      .Enum("parser", &S::parser,
            "How lines are parsed into time, app, level, message and "
            "fields (docs/logs-parsing.md). auto recognizes each line's "
            "shape.",
            {"auto", "syslog", "json", "logfmt", "access", "nginx", "apache",
             "combined", "common", "apache_error", "nginx_error", "pattern",
             "raw"})
      .String("pattern", &S::pattern,
              "parser pattern: a regular expression with named captures "
              "(time, level, app, host, pid, message and any field).")
      .String("timezone", &S::timezone,
              "The zone of timestamps that carry none.", ValidateTimezone)
      .StringList("labels", &S::labels,
                  "Parsed fields (or `level`) that become stream labels, so "
                  "selectors can use them. Keep them few and of few values.")
      .StringList("paths", &S::paths,
                  "file: glob patterns of the files to read.")
      .StringList("exclude", &S::exclude,
                  "file: glob patterns of files not to read.")
      .Enum("start_at", &S::start_at,
            "file, journal: where to start when tend has no saved position "
            "(a first start). Files that appear later are always read from "
            "their beginning.",
            {"beginning", "end"})
      .Enum("multiline", &S::multiline,
            "file: how lines join into records. start: a line matching "
            "multiline_start begins a record; indent: lines starting with "
            "whitespace continue the previous one (stack traces).",
            {"none", "start", "indent"})
      .Regex("multiline_start", &S::multiline_start,
             "multiline start: the pattern of a record's first line.")
      .Duration("multiline_timeout", &S::multiline_timeout_ms,
                "multiline: a pending record is complete after this long "
                "without a continuation.",
                10, kMinute)
      .Int("multiline_max_lines", &S::multiline_max_lines,
           "multiline: the most lines in one record.", 1, 100000)
      .String("max_record_size", &S::max_record_size,
              "file: records longer than this are cut (and counted).",
              ValidateByteSize)
      .Bool("read_gzip", &S::read_gzip,
            "file: also read files ending in .gz that the paths match "
            "(once, whole).")
      .Duration("rescan_interval", &S::rescan_interval_ms,
                "file: how often the globs are expanded again, as a fallback "
                "to inotify.",
                100, kDay)
      .String("directory", &S::directory,
              "journal: a directory of journal files; empty: this "
              "machine's journal.")
      .StringList("matches", &S::matches,
                  "journal: FIELD=value matches as journalctl takes them "
                  "(_SYSTEMD_UNIT=nginx.service); one field's values are "
                  "ORed, different fields ANDed.",
                  ValidateAssignment)
      .StringList("udp", &S::udp, "syslog: host:port addresses for UDP.")
      .StringList("tcp", &S::tcp, "syslog: host:port addresses for TCP.")
      .StringList("tls", &S::tls,
                  "syslog: host:port addresses for TCP with TLS.")
      .String("tls_cert", &S::tls_cert, "syslog: the TLS certificate (PEM).")
      .String("tls_key", &S::tls_key, "syslog: the TLS private key (PEM).")
      .String("max_message_size", &S::max_message_size,
              "syslog: longer messages are cut (and counted).",
              ValidateByteSize)
      .String("queue_size", &S::queue_size,
              "syslog: the receive queue. When it is full TCP senders wait "
              "and UDP messages are dropped (and counted).",
              ValidateByteSize)
      .SectionList("processors", &S::processors, ProcessorSchema(),
                   "Steps each record goes through before it is stored, "
                   "in order (docs/logs-processing.md).")
      .Validate(CheckSource);
  return s;
}

Status CheckMetric(const LogMetricSection& m) {
  if (m.name.empty()) return InvalidArgumentError("a log metric needs a name");
  if (m.type == "histogram" && m.value.empty()) {
    return InvalidArgumentError("log metric " + QuoteForMessage(m.name) +
                                ": a histogram needs `value`");
  }
  if (m.type != "histogram" && !m.buckets.empty()) {
    return InvalidArgumentError("log metric " + QuoteForMessage(m.name) +
                                ": `buckets` is for histograms");
  }
  return Status::Ok();
}

Schema<LogMetricSection> MetricSchema() {
  using M = LogMetricSection;
  Schema<M> s;
  s.String("name", &M::name, "The metric's name.")
      .Enum("type", &M::type,
            "counter: counts records (or adds `value`); histogram: "
            "observes `value` into buckets.",
            {"counter", "histogram"})
      .String("help", &M::help, "The metric's help text.")
      .String("match", &M::match,
              "Only records for which this LogQL label-filter condition "
              "holds; empty: every record.",
              ValidateOptionalCondition)
      .String("source", &M::source,
              "Only records of this source; empty: every source.")
      .StringList("labels", &M::labels,
                  "Record attributes or fields that label the metric "
                  "(status, method, app, level).")
      .String("value", &M::value,
              "The field holding the value (histogram: observed; counter: "
              "added instead of 1).")
      .Double("value_scale", &M::value_scale,
              "Multiplies each value (0.001 turns milliseconds into "
              "seconds).")
      .StringList("buckets", &M::buckets,
                  "histogram: upper bounds, increasing; empty: Prometheus's "
                  "defaults.",
                  ValidateNumber)
      .Int("max_series", &M::max_series,
           "The most label sets; records beyond go to one overflow series "
           "and are counted.",
           1, 10000000)
      .Validate(CheckMetric);
  return s;
}

Status CheckLogs(const LogsSection& l) {
  std::set<std::string> names;
  for (const LogSourceSection& s : l.sources) {
    if (!names.insert(s.name).second) {
      return InvalidArgumentError("two sources are named " +
                                  QuoteForMessage(s.name));
    }
  }
  std::set<std::string> metrics;
  for (const LogMetricSection& m : l.metrics) {
    if (!metrics.insert(m.name).second) {
      return InvalidArgumentError("two log metrics are named " +
                                  QuoteForMessage(m.name));
    }
    if (!m.source.empty() && names.count(m.source) == 0) {
      return InvalidArgumentError("log metric " + QuoteForMessage(m.name) +
                                  " names an unknown source " +
                                  QuoteForMessage(m.source));
    }
  }
  return Status::Ok();
}

}  // namespace

Status ValidateLogCondition(std::string_view condition) {
  static constexpr std::string_view kPrefix = "{__c__=\"c\"} | ";
  std::string query(kPrefix);
  query += condition;
  Result<std::unique_ptr<logql::Expr>> expr = logql::ParseLogQL(query);
  if (!expr.ok()) {
    // The parser's column counts the prefix; report it within the
    // condition.
    std::string msg = expr.status().message();
    std::string_view col_tag = "line 1, col ";
    size_t at = msg.find(col_tag);
    if (at != std::string::npos) {
      size_t start = at + col_tag.size();
      size_t end = msg.find_first_not_of("0123456789", start);
      int col = 0;
      std::from_chars(msg.data() + start, msg.data() + end, col);
      if (col > static_cast<int>(kPrefix.size())) {
        msg.replace(at, end - at,
                    "column " + std::to_string(col - kPrefix.size()));
      }
    }
    return InvalidArgumentError("invalid condition " +
                                QuoteForMessage(condition) + ": " + msg);
  }
  const auto* q = static_cast<const logql::LogQueryExpr*>(expr->get());
  if (q->kind != logql::ExprKind::kLogQuery || q->pipeline.size() != 1 ||
      !std::holds_alternative<logql::LabelFilter>(q->pipeline[0])) {
    return InvalidArgumentError(
        "invalid condition " + QuoteForMessage(condition) +
        ": want one label-filter expression like `level=\"error\"` or "
        "`status >= 500 and method=\"POST\"`");
  }
  return Status::Ok();
}

Schema<LogsSection> LogsSchema() {
  using L = LogsSection;
  Schema<L> s;
  s.Bool("enabled", &L::enabled,
         "Collect, store and serve logs (the Loki-style API and `tend "
         "logs`).")
      .Duration("retention", &L::retention_ms,
                "Delete log segments whose lines are all older than this.",
                kMinute, 100 * 365 * kDay)
      .String("retention_size", &L::retention_size,
              "Delete the oldest segments while the log store takes more "
              "than this (\"0\": no limit).",
              ValidateByteSize)
      .Enum("fsync", &L::fsync,
            "always: every commit is fdatasync'ed before the sources' "
            "positions advance (survives power loss); interval: once a "
            "second (kill -9 loses nothing, power loss at most a second).",
            {"always", "interval"})
      .Duration("commit_interval", &L::commit_interval_ms,
                "How often read lines are committed (made durable and "
                "searchable) at most.",
                1, kMinute)
      .SectionList("sources", &L::sources, SourceSchema(),
                   "Where logs come from. The default reads the host's "
                   "syslog files from their end.")
      .SectionList("metrics", &L::metrics, MetricSchema(),
                   "Metrics derived from log records into the metric store "
                   "(docs/logs-processing.md).")
      .Validate(CheckLogs);
  return s;
}

}  // namespace tend
