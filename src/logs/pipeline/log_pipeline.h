// LogPipeline: the thread that moves log records from the sources into the
// log store and makes them durable together with the sources' positions.
//
// One thread (the store's writer thread) loops: wait until a source's
// wait_fd() is readable or a second passes, Poll every source into its
// SourceIngest (parse, process, metrics, append), then Commit the store
// with every source's checkpoint (checkpoints.h). Start() restores every
// source from the checkpoint of the last commit, so after a crash each
// source resumes right after the last line that was made durable: no line
// is lost and none is stored twice.
//
// Commits are batched: at most one per `commit_interval`, sooner when
// `commit_bytes` of lines are waiting. When a commit fails (a full disk)
// the lines stay buffered in the store, the sources are not polled (they
// keep their positions: backpressure, nothing is lost) and the commit is
// retried every second; tend_logs_last_commit_successful says so.
//
// Threads: Create/Start/Stop from one owner thread; stats() and Collect()
// from any thread.
#ifndef TEND_LOGS_PIPELINE_LOG_PIPELINE_H_
#define TEND_LOGS_PIPELINE_LOG_PIPELINE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "logs/pipeline/ingest.h"
#include "logs/sources/source.h"
#include "logs/store/log_store.h"
#include "metrics/metric.h"

namespace tend::logs {

// One configured source and what its entries go through.
struct PipelineSource {
  std::unique_ptr<LogSource> source;
  std::unique_ptr<SourceIngest> ingest;
};

struct LogPipelineOptions {
  int64_t commit_interval_ns = 200'000'000;  // At most one commit per this,
  size_t commit_bytes = 4 << 20;             // unless this much is waiting.
  size_t poll_bytes = 1 << 20;               // Per source per round.
  // LogFsync::kInterval: Sync() this often.
  int64_t sync_interval_ns = 1'000'000'000;
  int64_t retention_interval_ns = 60'000'000'000;
  Clock* clock = nullptr;  // nullptr: Clock::Real().
};

struct PipelineSourceStats {
  std::string name;
  SourceStats source;
  IngestStats ingest;
  uint64_t poll_errors = 0;
};

struct PipelineStats {
  std::vector<PipelineSourceStats> sources;
  uint64_t commits = 0;
  uint64_t commit_errors = 0;
  bool last_commit_ok = true;
  int64_t last_commit_unix_ns = 0;
  LogStoreStats store;
};

class LogPipeline {
 public:
  // `store` must outlive the pipeline; sources must have unique names.
  static Result<std::unique_ptr<LogPipeline>> Create(
      LogStore* store, std::vector<PipelineSource> sources,
      LogPipelineOptions options);
  ~LogPipeline();  // Stop()s.

  // Restores each source from the store's last checkpoint (a source whose
  // checkpoint it cannot read starts without one, with a warning) and
  // starts the thread.
  Status Start();
  // Stops the thread after a last poll round and commit. Idempotent.
  Status Stop();

  PipelineStats stats() const;
  // tend_logs_* metrics (docs/metrics.md).
  void Collect(MetricSet* out) const;

 private:
  LogPipeline(LogStore* store, std::vector<PipelineSource> sources,
              LogPipelineOptions options, int wake_fd);
  void Run();
  // One round: poll every source; returns the bytes handed.
  size_t PollSources();
  Status CommitNow();
  void PublishStats();

  LogStore* store_;
  std::vector<PipelineSource> sources_;
  LogPipelineOptions options_;
  Clock* clock_;
  int wake_fd_;  // eventfd: Stop() wakes the thread.
  std::thread thread_;
  std::atomic<bool> stop_{false};
  bool started_ = false;

  // Pipeline thread only.
  std::vector<uint64_t> poll_errors_;
  size_t uncommitted_bytes_ = 0;
  bool uncommitted_ = false;
  int64_t last_commit_mono_ = 0;
  int64_t last_sync_mono_ = 0;
  int64_t last_retention_mono_ = 0;
  bool commit_failing_ = false;
  uint64_t commits_ = 0;
  uint64_t commit_errors_ = 0;
  int64_t last_commit_unix_ns_ = 0;

  mutable std::mutex mu_;
  PipelineStats published_;  // Guarded by mu_.
};

}  // namespace tend::logs

#endif  // TEND_LOGS_PIPELINE_LOG_PIPELINE_H_
