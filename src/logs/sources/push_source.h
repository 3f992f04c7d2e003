// PushSource: log lines handed to tend in-process (the output of processes
// tend supervises), as a LogSource the pipeline polls like any other.
//
// Producers call Push from their own threads; the pipeline thread drains
// the queue in Poll. The queue is bounded in bytes: a Push that finds it
// full waits until the pipeline drained it (backpressure: the supervised
// process then blocks on its pipe, as a tailed file waits on disk, and no
// line is dropped). Close() wakes waiting producers and makes later pushes
// fail.
//
// Checkpoint: lines have no position to resume from, so the checkpoint is
// empty. Lines queued but not yet committed when tend is killed are lost;
// lines committed are in the store (docs/logs-sources.md).
//
// Each entry is a ready record: app = the process name, field `stream` =
// stdout or stderr, time = when it was pushed.
#ifndef TEND_LOGS_SOURCES_PUSH_SOURCE_H_
#define TEND_LOGS_SOURCES_PUSH_SOURCE_H_

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>

#include "logs/parse/record.h"
#include "logs/sources/source.h"

namespace tend::logs {

class PushSource : public LogSource {
 public:
  // `max_queued_bytes` bounds what waits for the pipeline.
  static Result<std::unique_ptr<PushSource>> Create(
      std::string name, size_t max_queued_bytes = 4 << 20);
  ~PushSource() override;

  // Any thread. Queues one line of `app`'s `stream` ("stdout", "stderr").
  // Blocks while the queue is full; false once Close() was called.
  bool Push(std::string_view app, std::string_view stream,
            std::string_view line, int64_t time_ns);
  // Any thread. Wakes every waiting Push; later pushes return false.
  void Close();

  // LogSource (pipeline thread).
  const std::string& name() const override { return name_; }
  Status Restore(std::string_view checkpoint) override;
  Result<size_t> Poll(EntrySink& sink, size_t max_bytes) override;
  std::string Checkpoint() const override { return ""; }
  int wait_fd() const override { return event_fd_; }
  SourceStats stats() const override;

 private:
  struct Line {
    std::string app;
    std::string stream;
    std::string text;
    int64_t time_ns = 0;
  };
  PushSource(std::string name, size_t max_queued_bytes, int event_fd)
      : name_(std::move(name)),
        max_queued_bytes_(max_queued_bytes),
        event_fd_(event_fd) {}

  const std::string name_;
  const size_t max_queued_bytes_;
  const int event_fd_;

  mutable std::mutex mu_;
  std::condition_variable drained_;
  std::deque<Line> queue_;   // Guarded by mu_.
  size_t queued_bytes_ = 0;  // Guarded by mu_.
  bool closed_ = false;      // Guarded by mu_.
  SourceStats stats_;        // Guarded by mu_.
  LogRecord record_;         // Pipeline thread.
};

}  // namespace tend::logs

#endif  // TEND_LOGS_SOURCES_PUSH_SOURCE_H_
