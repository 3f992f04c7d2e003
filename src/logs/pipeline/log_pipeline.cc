#include "logs/pipeline/log_pipeline.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "base/log.h"
#include "logs/pipeline/checkpoints.h"

namespace tend::logs {
namespace {

// Sources are polled at least this often without a wake-up (multiline
// flush, rotation quiet time, rescans). Longer costs latency of those timers;
// shorter costs idle CPU (each idle round is ~80 us).
constexpr int64_t kTickNs = 1'000'000'000;
constexpr int64_t kRetryNs = 1'000'000'000;

}  // namespace

Result<std::unique_ptr<LogPipeline>> LogPipeline::Create(
    LogStore* store, std::vector<PipelineSource> sources,
    LogPipelineOptions options) {
  std::set<std::string, std::less<>> names;
  for (const PipelineSource& s : sources) {
    if (!s.source || !s.ingest) {
      return InvalidArgumentError("log pipeline: a source without an ingest");
    }
    if (!names.insert(s.source->name()).second) {
      return InvalidArgumentError("log sources: the name \"" +
                                  s.source->name() + "\" is used twice");
    }
  }
  int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) return ErrnoError("log pipeline: eventfd", errno);
  return std::unique_ptr<LogPipeline>(
      new LogPipeline(store, std::move(sources), options, fd));
}

LogPipeline::LogPipeline(LogStore* store, std::vector<PipelineSource> sources,
                         LogPipelineOptions options, int wake_fd)
    : store_(store),
      sources_(std::move(sources)),
      options_(options),
      clock_(options.clock != nullptr ? options.clock : Clock::Real()),
      wake_fd_(wake_fd),
      poll_errors_(sources_.size(), 0) {}

LogPipeline::~LogPipeline() {
  Stop().IgnoreError();
  close(wake_fd_);
}

Status LogPipeline::Start() {
  if (started_) return FailedPreconditionError("log pipeline already started");
  Result<SourceCheckpoints> saved =
      DecodeCheckpoints(store_->last_checkpoint());
  if (!saved.ok()) {
    LogWarn("log checkpoint unreadable; every source starts without one",
            {{"error", saved.status().message()}});
    saved = SourceCheckpoints{};
  }
  for (PipelineSource& s : sources_) {
    auto it = saved->find(s.source->name());
    std::string_view cp =
        it == saved->end() ? "" : std::string_view(it->second);
    Status r = s.source->Restore(cp);
    if (!r.ok() && !cp.empty()) {
      LogWarn("log source checkpoint unreadable; starting without it",
              {{"source", s.source->name()}, {"error", r.message()}});
      r = s.source->Restore("");
    }
    if (!r.ok()) return r;
  }
  int64_t now = clock_->MonotonicNanos();
  last_commit_mono_ = last_sync_mono_ = last_retention_mono_ = now;
  PublishStats();
  started_ = true;
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

Status LogPipeline::Stop() {
  if (!started_) return Status::Ok();
  stop_.store(true);
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof(one));
  if (thread_.joinable()) thread_.join();
  started_ = false;
  return commit_failing_ ? UnavailableError("log pipeline: last commit failed")
                         : Status::Ok();
}

size_t LogPipeline::PollSources() {
  size_t handed = 0;
  for (size_t i = 0; i < sources_.size(); ++i) {
    PipelineSource& s = sources_[i];
    uint64_t before = s.ingest->stats().bytes;
    Result<size_t> r = s.source->Poll(*s.ingest, options_.poll_bytes);
    if (!r.ok()) {
      ++poll_errors_[i];
      LogWarn("log source read failed",
              {{"source", s.source->name()}, {"error", r.status().message()}});
    } else if (*r > 0) {
      uncommitted_ = true;
    }
    Status append = s.ingest->TakeError();
    if (!append.ok()) {
      LogError("log store append failed",
               {{"source", s.source->name()}, {"error", append.message()}});
    }
    size_t bytes = s.ingest->stats().bytes - before;
    handed += bytes;
    uncommitted_bytes_ += bytes;
  }
  return handed;
}

Status LogPipeline::CommitNow() {
  SourceCheckpoints cps;
  for (const PipelineSource& s : sources_) {
    cps.emplace(s.source->name(), s.source->Checkpoint());
  }
  Status s = store_->Commit(EncodeCheckpoints(cps));
  last_commit_mono_ = clock_->MonotonicNanos();
  if (!s.ok()) {
    ++commit_errors_;
    if (!commit_failing_) {
      LogError("log store commit failed; sources paused until it succeeds",
               {{"error", s.message()}});
    }
    commit_failing_ = true;
    return s;
  }
  if (commit_failing_) LogInfo("log store commits again");
  commit_failing_ = false;
  ++commits_;
  last_commit_unix_ns_ = clock_->NowUnixNanos();
  uncommitted_ = false;
  uncommitted_bytes_ = 0;
  return Status::Ok();
}

void LogPipeline::Run() {
  std::vector<pollfd> fds;
  bool busy = false;  // The last round handed data: poll again at once.
  // A first start (no checkpoint yet) commits the sources' positions right
  // after their first look, lines or not: a restart then knows what was
  // already there, instead of taking files rotated in the meantime for
  // ones present at the first start (which are not read).
  bool baseline = store_->last_checkpoint().empty();
  while (true) {
    bool stopping = stop_.load();
    int64_t now = clock_->MonotonicNanos();
    int64_t timeout_ns = busy ? 0 : kTickNs;
    if (uncommitted_) {
      int64_t due = last_commit_mono_ +
                    (commit_failing_ ? kRetryNs : options_.commit_interval_ns);
      timeout_ns = std::min(timeout_ns, std::max<int64_t>(0, due - now));
    }
    if (!stopping && timeout_ns > 0) {
      fds.clear();
      fds.push_back({wake_fd_, POLLIN, 0});
      for (const PipelineSource& s : sources_) {
        int fd = s.source->wait_fd();
        if (fd >= 0) fds.push_back({fd, POLLIN, 0});
      }
      int ms = static_cast<int>((timeout_ns + 999'999) / 1'000'000);
      if (poll(fds.data(), fds.size(), ms) < 0 && errno != EINTR) {
        LogError("log pipeline: poll failed", {{"error", strerror(errno)}});
      }
      if (fds[0].revents & POLLIN) {
        uint64_t v;
        [[maybe_unused]] ssize_t n = read(wake_fd_, &v, sizeof(v));
      }
      stopping = stop_.load();
    }
    busy = false;
    if (!commit_failing_) {
      // Anything handed: look again at once. A source may hold back a
      // partial line or stop a little short of poll_bytes while more is
      // waiting, and a file that is no longer written sends no inotify
      // event to wake us.
      busy = PollSources() > 0;
    }
    now = clock_->MonotonicNanos();
    if (baseline && !commit_failing_) {
      uncommitted_ = true;
      CommitNow().IgnoreError();
      baseline = commit_failing_;  // Retried with the next round.
    }
    if (uncommitted_) {
      int64_t wait = commit_failing_ ? kRetryNs : options_.commit_interval_ns;
      if (stopping || now - last_commit_mono_ >= wait ||
          (!commit_failing_ && uncommitted_bytes_ >= options_.commit_bytes)) {
        CommitNow().IgnoreError();
      }
    }
    if (now - last_sync_mono_ >= options_.sync_interval_ns) {
      Status s = store_->Sync();
      if (!s.ok()) LogWarn("log store sync failed", {{"error", s.message()}});
      last_sync_mono_ = now;
    }
    if (now - last_retention_mono_ >= options_.retention_interval_ns) {
      Status s = store_->EnforceRetention();
      if (!s.ok()) {
        LogWarn("log store retention failed", {{"error", s.message()}});
      }
      last_retention_mono_ = now;
    }
    PublishStats();
    if (stopping && (!uncommitted_ || commit_failing_)) break;
  }
}

void LogPipeline::PublishStats() {
  PipelineStats st;
  for (size_t i = 0; i < sources_.size(); ++i) {
    const PipelineSource& s = sources_[i];
    st.sources.push_back({s.source->name(), s.source->stats(),
                          s.ingest->stats(), poll_errors_[i]});
  }
  st.commits = commits_;
  st.commit_errors = commit_errors_;
  st.last_commit_ok = !commit_failing_;
  st.last_commit_unix_ns = last_commit_unix_ns_;
  st.store = store_->stats();
  std::lock_guard lock(mu_);
  published_ = std::move(st);
}

PipelineStats LogPipeline::stats() const {
  std::lock_guard lock(mu_);
  return published_;
}

void LogPipeline::Collect(MetricSet* out) const {
  PipelineStats st = stats();
  for (const PipelineSourceStats& s : st.sources) {
    Labels l = {{"source", s.name}};
    out->Counter("tend_logs_source_entries_total",
                 "Records read by a log source.",
                 static_cast<double>(s.source.entries), l);
    out->Counter("tend_logs_source_bytes_total",
                 "Bytes of records read by a log source.",
                 static_cast<double>(s.source.bytes), l);
    out->Counter("tend_logs_source_truncated_total",
                 "Records cut at the source's maximum record length.",
                 static_cast<double>(s.source.truncated), l);
    out->Counter("tend_logs_source_dropped_total",
                 "Records lost before tend could keep them (UDP syslog).",
                 static_cast<double>(s.source.dropped), l);
    out->Counter("tend_logs_source_errors_total",
                 "Read or receive errors of a log source.",
                 static_cast<double>(s.source.errors + s.poll_errors), l);
    out->Gauge("tend_logs_source_open",
               "Files or connections a log source has open.",
               static_cast<double>(s.source.open), l);
    out->Counter("tend_logs_records_stored_total",
                 "Records appended to the log store.",
                 static_cast<double>(s.ingest.records), l);
    out->Counter("tend_logs_parse_errors_total",
                 "Records no parser understood (stored whole).",
                 static_cast<double>(s.ingest.parse_errors), l);
    out->Counter("tend_logs_lines_cut_total",
                 "Records cut at the log store's line limit.",
                 static_cast<double>(s.ingest.cut), l);
  }
  out->Counter("tend_logs_commits_total", "Log store commits.",
               static_cast<double>(st.commits), {});
  out->Counter("tend_logs_commit_errors_total", "Failed log store commits.",
               static_cast<double>(st.commit_errors), {});
  out->Gauge("tend_logs_last_commit_successful",
             "1 when the last log store commit succeeded.",
             st.last_commit_ok ? 1 : 0, {});
  out->Gauge("tend_logs_store_segments", "Segments of the log store.",
             static_cast<double>(st.store.segments), {});
  out->Gauge("tend_logs_store_disk_bytes", "Bytes the log store takes.",
             static_cast<double>(st.store.disk_bytes), {});
  out->Gauge("tend_logs_store_streams", "Streams in the log store.",
             static_cast<double>(st.store.streams), {});
}

}  // namespace tend::logs
