// FileSource: creation, Poll and the read loop. Discovery, restore and
// rotation handling are in file_source_scan.cc.
#include "logs/sources/file_source.h"

#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/log.h"
#include "logs/sources/file_checkpoint.h"
#include "logs/sources/file_glob.h"
#include "logs/sources/tailed_file.h"

namespace tend::logs {

struct FileSource::PollContext {
  EntrySink* sink;
  size_t max_bytes;
  size_t bytes = 0;
  size_t entries = 0;
  int64_t receive_ns;
  int64_t now_ns;
  bool full() const { return bytes >= max_bytes; }
};

Result<std::unique_ptr<FileSource>> FileSource::Create(
    FileSourceOptions options, Clock* clock) {
  const std::string where = "file source \"" + options.name + "\"";
  Status globs = ValidateGlobs(options.include, options.exclude);
  if (!globs.ok()) return globs.WithContext(where);
  if (options.max_record_bytes == 0 || options.read_size < 4096 ||
      options.fingerprint_bytes == 0 || options.max_open_files == 0 ||
      options.rescan_interval_ns <= 0 || options.rotate_wait_ns < 0) {
    return InvalidArgumentError(
        where +
        ": max_record_bytes, fingerprint_bytes, max_open_files and "
        "rescan_interval must be positive, read_size at least 4096");
  }
  auto multiline = MultilineMatcher::Create(options.multiline);
  if (!multiline.ok()) return multiline.status().WithContext(where);
  std::unique_ptr<FileSource> source(
      new FileSource(std::move(options), clock, std::move(multiline).value()));
  source->inotify_fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (source->inotify_fd_ < 0) {
    // Not fatal: the periodic rescan and the 250 ms Poll tick still work.
    LogWarn("inotify unavailable; relying on rescans",
            {{"source", source->options_.name},
             {"err", ErrnoError("inotify_init1", errno)}});
  }
  return source;
}

FileSource::FileSource(FileSourceOptions options, Clock* clock,
                       std::unique_ptr<MultilineMatcher> multiline)
    : options_(std::move(options)),
      clock_(clock),
      multiline_(std::move(multiline)) {
  // Room for a whole maximal line plus its newline, so any line that fits
  // is found in one buffer.
  buffer_.resize(options_.read_size + options_.max_record_bytes + 1);
  fp_scratch_.resize(options_.fingerprint_bytes);
}

FileSource::~FileSource() {
  for (auto& f : files_) CloseFile(*f);
  if (inotify_fd_ >= 0) close(inotify_fd_);
}

void FileSource::CloseFile(TailedFile& f) {
  f.gz.reset();
  if (f.fd >= 0) {
    close(f.fd);
    f.fd = -1;
    --stats_.open;
  }
}

SourceStats FileSource::stats() const { return stats_; }

std::string FileSource::Checkpoint() const {
  FileCheckpoint cp;
  cp.scan_unix_ns = last_scan_unix_ns_;
  std::vector<const TailedFile*> by_seq;
  by_seq.reserve(files_.size());
  for (const auto& f : files_) by_seq.push_back(f.get());
  std::stable_sort(
      by_seq.begin(), by_seq.end(),
      [](const auto* a, const auto* b) { return a->seq < b->seq; });
  cp.files.reserve(by_seq.size());
  for (const TailedFile* f : by_seq) {
    cp.files.push_back({f->id, f->fp, f->Position(), f->path, f->retired});
  }
  return EncodeFileCheckpoint(cp);
}

std::vector<internal::TailedFile*> FileSource::ReadOrder() {
  // Finite files (rotated away, deleted, copies) hold older content than
  // the live files, and among themselves their content ended in the order
  // of their modification times (a rotated file is not written after its
  // rotation; a copy is written when its original's content ends). Equal
  // times (one timestamp tick) fall back to discovery order, in which a
  // copy precedes the truncated file it came from.
  std::vector<TailedFile*> order;
  std::vector<TailedFile*> live;
  for (auto& f : files_) {
    if (f->fd < 0) continue;  // Retired, or a finished gzip file.
    (f->drain_first || !f->in_globs ? order : live).push_back(f.get());
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const auto* a, const auto* b) {
                     if (a->last_mtime_ns != b->last_mtime_ns) {
                       return a->last_mtime_ns < b->last_mtime_ns;
                     }
                     return a->seq < b->seq;
                   });
  // Live files from a rotating start so one busy file cannot starve the
  // others.
  if (!live.empty()) {
    size_t start = round_robin_++ % live.size();
    std::rotate(live.begin(), live.begin() + static_cast<ptrdiff_t>(start),
                live.end());
    order.insert(order.end(), live.begin(), live.end());
  }
  return order;
}

Result<size_t> FileSource::Poll(EntrySink& sink, size_t max_bytes) {
  PollContext ctx{
      &sink, max_bytes == 0 ? 1 : max_bytes, 0,
      0,     clock_->NowUnixNanos(),         clock_->MonotonicNanos()};
  DrainInotify();
  if (!scanned_once_ || rescan_needed_ || ctx.now_ns >= next_rescan_ns_) {
    Rescan(ctx.now_ns);
  }

  // Servicing a file may find files holding its older content (a copy, a
  // rotation nobody saw): it then reads nothing and the order is computed
  // again, so those go first. Bounded; the next Poll goes on.
  for (int round = 0; round < 16 && !ctx.full(); ++round) {
    // Every file's truncation is checked after the last directory listing
    // and before any file it revealed is read: a rotated file found there
    // may hold a later generation of a live file than the copy its
    // truncation leads to, which must go first. Passes repeat until one
    // finds nothing new (handling a truncation lists the directory again).
    for (int pass = 0; pass < 8; ++pass) {
      const uint64_t before = next_seq_;
      std::vector<TailedFile*> open;
      for (auto& f : files_) {
        if (f->fd >= 0 && !f->is_gzip) open.push_back(f.get());
      }
      for (TailedFile* f : open) CheckTruncation(*f, ctx.now_ns);
      if (next_seq_ == before) break;
    }
    bool requeued = false;
    for (TailedFile* f : ReadOrder()) {
      if (ctx.full()) break;
      if (ServiceFile(*f, ctx)) {
        requeued = true;
        break;
      }
    }
    if (!requeued) break;
  }

  // Files gone from the globs, fully read and quiet for rotate_wait are
  // finished and retired: closed, but remembered (identity and end) while
  // they stay in their directory, so no scan reads them again. Finished
  // gzip files that still match stay tracked (closed) likewise.
  for (auto& fp : files_) {
    TailedFile& f = *fp;
    if (f.retired || f.in_globs) continue;
    bool finished = f.is_gzip ? f.gz_done
                              : f.fd >= 0 && f.at_eof && !f.drain_first &&
                                    ctx.now_ns - f.last_change_ns >=
                                        options_.rotate_wait_ns;
    if (finished && !ctx.full()) {
      Finish(f, ctx);
      // A deleted file cannot be met again: nothing to remember. Nor a
      // compressed one that left the globs (never a rotation to look for).
      struct stat st;
      bool deleted =
          f.is_gzip || (f.fd >= 0 && fstat(f.fd, &st) == 0 && st.st_nlink == 0);
      CloseFile(f);
      f.retired = true;
      f.missing = deleted ? internal::kForgetRetired : 0;
    }
  }
  std::erase_if(files_, [](const auto& f) {
    return f->retired && f->missing >= internal::kForgetRetired;
  });
  return ctx.entries;
}

void FileSource::ReadError(TailedFile& f, const Status& status) {
  ++stats_.errors;
  LogWarn("reading log file failed",
          {{"source", options_.name}, {"path", f.path}, {"err", status}});
}

void FileSource::CheckTruncation(TailedFile& f, int64_t now_ns) {
  struct stat st;
  if (fstat(f.fd, &st) != 0) {
    ReadError(f, ErrnoError("fstat " + f.path, errno));
    return;
  }
  int64_t mtime = static_cast<int64_t>(st.st_mtim.tv_sec) * kNanosPerSecond +
                  st.st_mtim.tv_nsec;
  if (st.st_size == f.last_size && mtime == f.last_mtime_ns) return;
  f.last_size = st.st_size;
  f.last_mtime_ns = mtime;
  f.last_change_ns = now_ns;
  f.at_eof = false;
  // Same inode, other content: truncated (plain or copytruncate) and maybe
  // already written again past our position, which only the fingerprint
  // shows.
  bool same = static_cast<uint64_t>(st.st_size) >= f.consumed;
  if (same) {
    Result<bool> verified = VerifyAndExtendFingerprint(
        f.fd, options_.fingerprint_bytes, fp_scratch_.data(), &f.fp);
    if (!verified.ok()) {
      ReadError(f, verified.status());
      return;
    }
    same = *verified;
  }
  if (!same) HandleTruncation(f, now_ns);
}

bool FileSource::ServiceFile(TailedFile& f, PollContext& ctx) {
  if (f.fd < 0) return false;  // Retired, or a finished gzip file.
  if (!f.is_gzip) {
    const uint64_t before = next_seq_;
    CheckTruncation(f, ctx.now_ns);
    // Nothing known of f's content (new, or empty when fingerprinted) and
    // it changed: it may have been copied and truncated, or renamed away
    // and replaced, since; such files hold older lines than f's.
    if (f.fp.len == 0 && f.Position() == 0 && !f.at_eof) {
      ScanRotations(/*baseline=*/false, ctx.now_ns);
    }
    if (next_seq_ != before) return true;
  }
  if (!f.at_eof) ReadLines(f, ctx);
  if (!f.at_eof) return false;
  f.drain_first = false;
  if (f.is_gzip && f.gz_done) {
    Finish(f, ctx);
    CloseFile(f);
    return false;
  }
  // A pending record waits for its next line at most flush_timeout; in a
  // file that is gone it cannot get one.
  if (f.pending.active() &&
      (!f.in_globs || ctx.now_ns - f.pending.last_line_ns() >=
                          multiline_->options().flush_timeout_ns)) {
    EmitPending(f, ctx);
  }
  return false;
}

Result<size_t> FileSource::ReadAt(TailedFile& f, uint64_t offset, char* out,
                                  size_t n) {
  if (f.is_gzip) return f.gz->ReadAt(offset, out, n);
  for (;;) {
    ssize_t r = pread(f.fd, out, n, static_cast<off_t>(offset));
    if (r >= 0) return static_cast<size_t>(r);
    if (errno != EINTR) return ErrnoError("read " + f.path, errno);
  }
}

void FileSource::ReadLines(TailedFile& f, PollContext& ctx) {
  char* const buf = buffer_.data();
  const size_t cap = buffer_.size();
  const size_t max_rec = options_.max_record_bytes;
  while (!ctx.full()) {
    Result<size_t> got = ReadAt(f, f.consumed, buf, cap);
    if (!got.ok()) {
      ReadError(f, got.status());
      f.at_eof = true;  // Retried on the next Poll.
      return;
    }
    const size_t n = *got;
    // The file may have been truncated (and rewritten) since it was last
    // fingerprinted: the prefix, read after the data, shows whether the
    // data belongs to the content we know. If not, it is dropped and the
    // next Poll handles the truncation.
    // It also completes the fingerprint, so a checkpoint never pairs an
    // offset with a fingerprint shorter than what was read; from the chunk
    // itself when it starts the file.
    if (!f.is_gzip && n > 0) {
      Result<bool> same = true;
      if (f.consumed == 0) {
        const size_t len = std::min<size_t>(n, options_.fingerprint_bytes);
        same = n >= f.fp.len &&
               FingerprintHash(std::string_view(buf, f.fp.len)) == f.fp.hash;
        if (*same && len > f.fp.len) {
          f.fp = {static_cast<uint32_t>(len),
                  FingerprintHash(std::string_view(buf, len))};
        }
      } else {
        same = VerifyAndExtendFingerprint(f.fd, options_.fingerprint_bytes,
                                          fp_scratch_.data(), &f.fp);
      }
      if (!same.ok() || !*same) {
        f.last_size = -1;
        f.at_eof = false;
        return;
      }
    }
    const char* p = buf;
    const char* const end = buf + n;
    while (p < end && !ctx.full()) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', end - p));
      if (nl == nullptr) break;
      const uint64_t line_start = f.consumed;
      std::string_view line(p, nl - p);
      f.consumed += (nl - p) + 1;
      p = nl + 1;
      if (f.skipping) {  // The newline ending a cut line.
        f.skipping = false;
        OnLine(f, f.long_line, true, f.long_start, ctx);
        continue;
      }
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.size() > max_rec) {
        OnLine(f, line.substr(0, max_rec), true, line_start, ctx);
      } else {
        OnLine(f, line, false, line_start, ctx);
      }
    }
    if (ctx.full() && p < end) return;  // The rest is read again next time.
    const size_t rest = static_cast<size_t>(end - p);
    if (f.skipping) {
      f.consumed += rest;
    } else if (rest >= max_rec) {
      // A line too long for a record: keep its head, skip to its newline.
      f.skipping = true;
      f.long_start = f.consumed;
      f.long_line.assign(p, max_rec);
      f.consumed += rest;
    }
    if (n < cap) {
      f.at_eof = true;
      if (f.is_gzip) f.gz_done = true;
      return;
    }
  }
}

void FileSource::OnLine(TailedFile& f, std::string_view line, bool truncated,
                        uint64_t line_start, PollContext& ctx) {
  if (!multiline_->enabled()) {
    Emit(f, line, truncated, ctx);
    return;
  }
  const MultilineOptions& ml = multiline_->options();
  if (f.pending.active() && f.pending.lines() < ml.max_lines &&
      multiline_->IsContinuation(line)) {
    f.pending.Append(line, truncated, ctx.now_ns, options_.max_record_bytes);
    return;
  }
  if (f.pending.active()) EmitPending(f, ctx);
  f.pending.Start(line, truncated, line_start, ctx.now_ns,
                  options_.max_record_bytes);
}

void FileSource::Emit(const TailedFile& f, std::string_view text,
                      bool truncated, PollContext& ctx) {
  SourceEntry entry;
  entry.line = text;
  entry.receive_time_ns = ctx.receive_ns;
  entry.origin = f.path;
  entry.truncated = truncated;
  ctx.sink->Add(entry);
  ++ctx.entries;
  ctx.bytes += text.size();
  ++stats_.entries;
  stats_.bytes += text.size();
  stats_.truncated += truncated ? 1 : 0;
}

void FileSource::EmitPending(TailedFile& f, PollContext& ctx) {
  Emit(f, f.pending.text(), f.pending.truncated(), ctx);
  f.pending.Clear();
}

void FileSource::Finish(TailedFile& f, PollContext& ctx) {
  // The unterminated last line of a file nobody writes any more is a line.
  if (f.fd >= 0 && !f.skipping) {
    char* buf = buffer_.data();
    Result<size_t> got = ReadAt(f, f.consumed, buf, options_.max_record_bytes);
    if (!got.ok()) {
      ReadError(f, got.status());
    } else if (*got > 0) {
      std::string_view line(buf, *got);
      uint64_t start = f.consumed;
      f.consumed += *got;
      OnLine(f, line, false, start, ctx);
    }
  }
  if (f.skipping) {
    f.skipping = false;
    OnLine(f, f.long_line, true, f.long_start, ctx);
  }
  if (f.pending.active()) EmitPending(f, ctx);
}

}  // namespace tend::logs
