// LogService: the agent's logs: the log store under <data-dir>/logs, the
// configured sources with their processors, the log-derived metrics, and
// the pipeline that joins them (src/logs/pipeline).
//
// Built from the `logs:` section; a change to it takes effect at the next
// restart (the read positions are kept, so nothing is lost or repeated).
//
// Threads: Create, Start and Stop from the agent's setup thread; store()
// readers, Collect and Observe-side state are thread-safe as their
// libraries document.
#ifndef TEND_AGENT_LOG_SERVICE_H_
#define TEND_AGENT_LOG_SERVICE_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/status.h"
#include "config/logs_config.h"
#include "logs/metrics/log_metrics.h"
#include "logs/pipeline/log_pipeline.h"
#include "logs/process/processor.h"
#include "logs/sources/push_source.h"
#include "logs/store/log_store.h"
#include "metrics/metric.h"

namespace tend {

class LogService {
 public:
  // Opens the store and builds every source (syslog servers bind their
  // addresses here, so a taken port fails the start). Errors name the
  // source ("logs.sources[1] (net): ...").
  // With `process_output`, a source named "supervise" takes the output of
  // supervised processes (process_output()).
  static Result<std::unique_ptr<LogService>> Create(
      const LogsSection& config, const std::string& data_dir,
      bool process_output = false);
  ~LogService();

  // Restores the sources' positions and starts the pipeline thread.
  Status Start();
  // Stops the pipeline (a last commit) and closes the store.
  Status Stop();

  const logs::LogStore* store() const { return store_.get(); }
  // The "supervise" source, or null. Push may be called from any thread.
  logs::PushSource* process_output() const { return process_output_; }
  // tend_logs_* and the log-derived metrics.
  void Collect(MetricSet* out) const;
  // The "logs" member of /api/v1/status: the store and each source.
  nlohmann::json StatusJson() const;

 private:
  LogService() = default;

  std::unique_ptr<logs::LogStore> store_;
  std::vector<std::unique_ptr<logs::ProcessorChain>> processors_;
  std::unique_ptr<logs::LogMetrics> metrics_;
  std::unique_ptr<logs::LogPipeline> pipeline_;
  logs::PushSource* process_output_ = nullptr;  // Owned by pipeline_.
};

// The configured source as the pipeline's parts (exposed for `tend logs
// import`, which runs one file through a source's parser and processors).
Result<logs::IngestConfig> IngestConfigOf(const LogSourceSection& source);
Result<std::vector<logs::ProcessorConfig>> ProcessorConfigsOf(
    const LogSourceSection& source);
Result<std::vector<logs::LogMetricConfig>> LogMetricConfigsOf(
    const LogsSection& logs);
Result<logs::LogStoreOptions> LogStoreOptionsOf(const LogsSection& logs);

// This machine's hostname ("localhost" when it cannot be read).
std::string LocalHostname();

}  // namespace tend

#endif  // TEND_AGENT_LOG_SERVICE_H_
