#include "agent/log_service.h"

#include <unistd.h>

#include <charconv>

#include "config/byte_size.h"
#include "logs/sources/file_source.h"
#include "logs/sources/journal_source.h"
#include "logs/sources/syslog_server.h"

namespace tend {
namespace {

std::string Where(size_t i, const LogSourceSection& s) {
  return "logs.sources[" + std::to_string(i) + "] (" + s.name + ")";
}

Result<logs::TimeZone> ZoneOf(const std::string& tz) {
  logs::TimeZone zone;
  if (logs::ParseZoneName(tz, &zone)) return zone;
  return InvalidArgumentError("invalid timezone \"" + tz + "\"");
}

Result<size_t> SizeOf(const std::string& text) {
  ASSIGN_OR_RETURN(uint64_t v, ParseByteSize(text));
  if (v == 0) return InvalidArgumentError("a size of 0 is not allowed");
  return static_cast<size_t>(v);
}

bool SplitAssignment(const std::string& s, std::string* k, std::string* v) {
  size_t eq = s.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  *k = s.substr(0, eq);
  *v = s.substr(eq + 1);
  return true;
}

Result<std::unique_ptr<logs::LogSource>> BuildSource(
    const LogSourceSection& s) {
  if (s.type == "file") {
    logs::FileSourceOptions o;
    o.name = s.name;
    o.include = s.paths;
    o.exclude = s.exclude;
    o.start_at =
        s.start_at == "end" ? logs::StartAt::kEnd : logs::StartAt::kBeginning;
    ASSIGN_OR_RETURN(o.max_record_bytes, SizeOf(s.max_record_size));
    if (s.multiline == "start") {
      o.multiline.mode = logs::MultilineMode::kStartPattern;
      o.multiline.start_pattern = s.multiline_start;
    } else if (s.multiline == "indent") {
      o.multiline.mode = logs::MultilineMode::kIndented;
    }
    o.multiline.flush_timeout_ns = s.multiline_timeout_ms * 1'000'000;
    o.multiline.max_lines = static_cast<size_t>(s.multiline_max_lines);
    o.read_gzip = s.read_gzip;
    o.rescan_interval_ns = s.rescan_interval_ms * 1'000'000;
    ASSIGN_OR_RETURN(auto src, logs::FileSource::Create(std::move(o)));
    return std::unique_ptr<logs::LogSource>(std::move(src));
  }
  if (s.type == "journal") {
    logs::JournalSourceOptions o;
    o.name = s.name;
    o.directory = s.directory;
    o.matches = s.matches;
    o.start_at = s.start_at == "end"
                     ? logs::JournalSourceOptions::StartAt::kEnd
                     : logs::JournalSourceOptions::StartAt::kBeginning;
    ASSIGN_OR_RETURN(auto src, logs::JournalSource::Open(std::move(o)));
    return std::unique_ptr<logs::LogSource>(std::move(src));
  }
  logs::SyslogServerOptions o;
  o.name = s.name;
  o.udp = s.udp;
  o.tcp = s.tcp;
  o.tls = s.tls;
  o.tls_cert_file = s.tls_cert;
  o.tls_key_file = s.tls_key;
  ASSIGN_OR_RETURN(o.max_message_bytes, SizeOf(s.max_message_size));
  ASSIGN_OR_RETURN(o.queue_bytes, SizeOf(s.queue_size));
  ASSIGN_OR_RETURN(o.zone, ZoneOf(s.timezone));
  ASSIGN_OR_RETURN(auto src, logs::SyslogServer::Start(std::move(o)));
  return std::unique_ptr<logs::LogSource>(std::move(src));
}

}  // namespace

std::string LocalHostname() {
  char buf[256] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0 || buf[0] == '\0') {
    return "localhost";
  }
  return buf;
}

Result<logs::IngestConfig> IngestConfigOf(const LogSourceSection& s) {
  logs::IngestConfig c;
  c.source = s.name;
  ASSIGN_OR_RETURN(c.parser.kind, logs::ParserKindFromName(s.parser));
  if (c.parser.kind == logs::ParserKind::kPattern) {
    c.parser.pattern.pattern = s.pattern;
  }
  ASSIGN_OR_RETURN(c.zone, ZoneOf(s.timezone));
  c.label_fields = s.labels;
  c.hostname = LocalHostname();
  if (s.type == "file") c.origin_label = "filename";
  return c;
}

Result<std::vector<logs::ProcessorConfig>> ProcessorConfigsOf(
    const LogSourceSection& s) {
  std::vector<logs::ProcessorConfig> out;
  for (const LogProcessorSection& p : s.processors) {
    logs::ProcessorConfig c;
    if (!p.keep.empty()) {
      c.type = logs::ProcessorType::kKeep;
      c.condition = p.keep;
    } else if (!p.drop.empty()) {
      c.type = logs::ProcessorType::kDrop;
      c.condition = p.drop;
    } else if (!p.redact.empty() || !p.redact_patterns.empty()) {
      c.type = logs::ProcessorType::kRedact;
      c.redact.rules = p.redact;
      for (const std::string& re : p.redact_patterns) {
        c.redact.patterns.push_back({re, ""});
      }
      c.redact.marker = p.replacement;
    } else if (p.sample > 0) {
      c.type = logs::ProcessorType::kSample;
      c.sample.every = static_cast<uint64_t>(p.sample);
      c.sample.unless = p.unless;
    } else {
      c.type = logs::ProcessorType::kFields;
      std::string k, v;
      for (const std::string& a : p.add) {
        if (SplitAssignment(a, &k, &v)) c.fields.add.push_back({k, v});
      }
      for (const std::string& r : p.rename) {
        if (SplitAssignment(r, &k, &v)) c.fields.rename.push_back({k, v});
      }
      c.fields.remove = p.remove;
    }
    out.push_back(std::move(c));
  }
  return out;
}

Result<std::vector<logs::LogMetricConfig>> LogMetricConfigsOf(
    const LogsSection& logs) {
  std::vector<logs::LogMetricConfig> out;
  for (const LogMetricSection& m : logs.metrics) {
    logs::LogMetricConfig c;
    c.name = m.name;
    c.type = m.type == "histogram" ? logs::LogMetricType::kHistogram
                                   : logs::LogMetricType::kCounter;
    c.help = m.help;
    c.match = m.match;
    c.source = m.source;
    c.labels = m.labels;
    c.value = m.value;
    c.value_scale = m.value_scale;
    for (const std::string& b : m.buckets) {
      double v = 0;
      auto [p, ec] = std::from_chars(b.data(), b.data() + b.size(), v);
      if (ec != std::errc() || p != b.data() + b.size()) {
        return InvalidArgumentError("log metric " + m.name + ": bucket \"" + b +
                                    "\" is not a number");
      }
      c.buckets.push_back(v);
    }
    c.max_series = static_cast<size_t>(m.max_series);
    out.push_back(std::move(c));
  }
  return out;
}

Result<logs::LogStoreOptions> LogStoreOptionsOf(const LogsSection& logs) {
  logs::LogStoreOptions o;
  o.fsync = logs.fsync == "always" ? logs::LogFsync::kAlways
                                   : logs::LogFsync::kInterval;
  o.retention_time_ns = logs.retention_ms * 1'000'000;
  ASSIGN_OR_RETURN(o.retention_bytes, ParseByteSize(logs.retention_size));
  return o;
}

Result<std::unique_ptr<LogService>> LogService::Create(
    const LogsSection& config, const std::string& data_dir,
    bool process_output) {
  std::unique_ptr<LogService> svc(new LogService());
  ASSIGN_OR_RETURN(logs::LogStoreOptions so, LogStoreOptionsOf(config));
  const std::string dir = data_dir + "/logs";
  Result<std::unique_ptr<logs::LogStore>> store = logs::LogStore::Open(dir, so);
  if (!store.ok()) {
    return store.status().WithContext("opening the log store in " + dir);
  }
  svc->store_ = std::move(*store);

  Result<std::vector<logs::LogMetricConfig>> mc = LogMetricConfigsOf(config);
  if (!mc.ok()) return mc.status().WithContext("logs.metrics");
  if (!mc->empty()) {
    Result<std::unique_ptr<logs::LogMetrics>> m = logs::LogMetrics::Create(*mc);
    if (!m.ok()) return m.status().WithContext("logs.metrics");
    svc->metrics_ = std::move(*m);
  }

  std::vector<logs::PipelineSource> sources;
  for (size_t i = 0; i < config.sources.size(); ++i) {
    const LogSourceSection& s = config.sources[i];
    Result<logs::IngestConfig> ic = IngestConfigOf(s);
    if (!ic.ok()) return ic.status().WithContext(Where(i, s));
    ic->max_line_bytes = so.max_line_bytes;
    logs::ProcessorChain* chain = nullptr;
    if (!s.processors.empty()) {
      Result<std::vector<logs::ProcessorConfig>> pc = ProcessorConfigsOf(s);
      if (!pc.ok()) return pc.status().WithContext(Where(i, s));
      Result<logs::ProcessorChain> built =
          logs::ProcessorChain::Create(*pc, s.name);
      if (!built.ok()) {
        return built.status().WithContext(Where(i, s) + ".processors");
      }
      svc->processors_.push_back(
          std::make_unique<logs::ProcessorChain>(std::move(*built)));
      chain = svc->processors_.back().get();
    }
    Result<std::unique_ptr<logs::LogSource>> src = BuildSource(s);
    if (!src.ok()) return src.status().WithContext(Where(i, s));
    Result<std::unique_ptr<logs::SourceIngest>> ingest =
        logs::SourceIngest::Create(std::move(*ic), svc->store_.get(), chain,
                                   svc->metrics_.get());
    if (!ingest.ok()) return ingest.status().WithContext(Where(i, s));
    sources.push_back({std::move(*src), std::move(*ingest)});
  }
  if (process_output) {
    logs::IngestConfig ic;
    ic.source = "supervise";
    ic.hostname = LocalHostname();
    ic.max_line_bytes = so.max_line_bytes;
    ASSIGN_OR_RETURN(std::unique_ptr<logs::PushSource> push,
                     logs::PushSource::Create("supervise"));
    svc->process_output_ = push.get();
    ASSIGN_OR_RETURN(
        std::unique_ptr<logs::SourceIngest> ingest,
        logs::SourceIngest::Create(std::move(ic), svc->store_.get(), nullptr,
                                   svc->metrics_.get()));
    sources.push_back({std::move(push), std::move(ingest)});
  }
  logs::LogPipelineOptions po;
  po.commit_interval_ns = config.commit_interval_ms * 1'000'000;
  ASSIGN_OR_RETURN(
      svc->pipeline_,
      logs::LogPipeline::Create(svc->store_.get(), std::move(sources), po));
  return svc;
}

LogService::~LogService() { Stop().IgnoreError(); }

Status LogService::Start() { return pipeline_->Start(); }

Status LogService::Stop() {
  // Producers waiting on a full queue must not hold up the shutdown.
  if (process_output_ != nullptr) process_output_->Close();
  Status s = Status::Ok();
  if (pipeline_) s = pipeline_->Stop();
  return s;
}

void LogService::Collect(MetricSet* out) const {
  pipeline_->Collect(out);
  for (const auto& chain : processors_) chain->Collect(out);
  if (metrics_) metrics_->Collect(out);
}

}  // namespace tend

namespace tend {

nlohmann::json LogService::StatusJson() const {
  logs::PipelineStats st = pipeline_->stats();
  nlohmann::json sources = nlohmann::json::array();
  for (const logs::PipelineSourceStats& s : st.sources) {
    sources.push_back({{"name", s.name},
                       {"entries", s.source.entries},
                       {"bytes", s.source.bytes},
                       {"stored", s.ingest.records},
                       {"parse_errors", s.ingest.parse_errors},
                       {"dropped", s.ingest.dropped + s.source.dropped},
                       {"truncated", s.source.truncated + s.ingest.cut},
                       {"errors", s.source.errors + s.poll_errors},
                       {"open", s.source.open}});
  }
  return {{"store",
           {{"segments", st.store.segments},
            {"disk_bytes", st.store.disk_bytes},
            {"streams", st.store.streams},
            {"blocks", st.store.blocks},
            {"lines_committed", st.store.lines_committed}}},
          {"commits", st.commits},
          {"commit_errors", st.commit_errors},
          {"last_commit_ok", st.last_commit_ok},
          {"sources", sources}};
}

}  // namespace tend
