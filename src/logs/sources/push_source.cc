#include "logs/sources/push_source.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tend::logs {

Result<std::unique_ptr<PushSource>> PushSource::Create(
    std::string name, size_t max_queued_bytes) {
  int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) {
    return InternalError(std::string("eventfd for log source ") + name + ": " +
                         strerror(errno));
  }
  return std::unique_ptr<PushSource>(
      new PushSource(std::move(name), max_queued_bytes, fd));
}

PushSource::~PushSource() {
  Close();
  close(event_fd_);
}

bool PushSource::Push(std::string_view app, std::string_view stream,
                      std::string_view line, int64_t time_ns) {
  {
    std::unique_lock<std::mutex> lock(mu_);
    // A line larger than the whole queue still goes in once the queue is
    // empty, so it cannot wait forever.
    drained_.wait(lock, [&] {
      return closed_ || queued_bytes_ == 0 ||
             queued_bytes_ + line.size() <= max_queued_bytes_;
    });
    if (closed_) return false;
    queue_.push_back(
        {std::string(app), std::string(stream), std::string(line), time_ns});
    queued_bytes_ += line.size();
  }
  uint64_t one = 1;
  // EAGAIN means the counter is already non-zero: the pipeline will wake.
  [[maybe_unused]] ssize_t n = write(event_fd_, &one, sizeof(one));
  return true;
}

void PushSource::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  drained_.notify_all();
}

Status PushSource::Restore(std::string_view) { return Status::Ok(); }

Result<size_t> PushSource::Poll(EntrySink& sink, size_t max_bytes) {
  uint64_t counter = 0;
  [[maybe_unused]] ssize_t n = read(event_fd_, &counter, sizeof(counter));
  std::deque<Line> batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    size_t bytes = 0;
    while (!queue_.empty() && (bytes == 0 || bytes < max_bytes)) {
      bytes += queue_.front().text.size();
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    queued_bytes_ -= bytes;
    stats_.entries += batch.size();
    stats_.bytes += bytes;
    if (!queue_.empty()) {
      // More is waiting: make the pipeline come back at once.
      uint64_t one = 1;
      [[maybe_unused]] ssize_t w = write(event_fd_, &one, sizeof(one));
    }
  }
  drained_.notify_all();
  for (const Line& l : batch) {
    record_.Reset();
    record_.time_ns = l.time_ns;
    record_.time_from_line = false;
    record_.app = l.app;
    record_.message = l.text;
    record_.fields.Add("stream", l.stream);
    SourceEntry e;
    e.line = l.text;
    e.receive_time_ns = l.time_ns;
    e.record = &record_;
    sink.Add(e);
  }
  return batch.size();
}

SourceStats PushSource::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace tend::logs
