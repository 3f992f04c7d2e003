// WalWriter: frames records into pages and appends them to the newest
// segment (docs/formats/wal.md).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/file_util.h"
#include "tsdb/wal.h"
#include "tsdb/wal_format.h"

namespace tend {

using wal_internal::kFrameHeaderSize;
using wal_internal::kMinFrameRoom;
using wal_internal::kPageSize;
using wal_internal::kSegmentHeaderSize;

namespace {

// Writes all of `data` at `offset`, retrying short writes and EINTR.
// Returns 0 or the errno of the failure.
int PwriteAll(int fd, const uint8_t* data, size_t n, uint64_t offset) {
  while (n > 0) {
    ssize_t w = ::pwrite(fd, data, n, static_cast<off_t>(offset));
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (w == 0) return EIO;  // No progress: give up rather than spin.
    data += w;
    n -= static_cast<size_t>(w);
    offset += static_cast<uint64_t>(w);
  }
  return 0;
}

// Frames `record` as if the bytes already in `out` started at file offset
// `base`; appends padding and frames to `out`.
void EncodeRecord(uint64_t base, std::span<const uint8_t> record,
                  std::vector<uint8_t>* out) {
  size_t left = record.size();
  const uint8_t* p = record.data();
  bool first = true;
  do {
    const uint64_t pos = base + out->size();
    size_t room = kPageSize - static_cast<size_t>(pos % kPageSize);
    if (room < kMinFrameRoom) {
      out->resize(out->size() + room, 0);  // Zero padding to the page end.
      room = kPageSize;
    }
    const size_t n = std::min(left, room - kFrameHeaderSize);
    const bool last = n == left;
    uint8_t type = first ? (last ? wal_internal::kFull : wal_internal::kFirst)
                         : (last ? wal_internal::kLast : wal_internal::kMiddle);
    const size_t at = out->size();
    out->resize(at + kFrameHeaderSize + n);
    uint8_t* h = out->data() + at;
    h[0] = type;
    wal_internal::StoreLe16(h + 1, static_cast<uint16_t>(n));
    if (n > 0) std::memcpy(h + kFrameHeaderSize, p, n);
    wal_internal::StoreLe32(h + 3, wal_internal::FrameCrc(h, {p, n}));
    p += n;
    left -= n;
    first = false;
  } while (left > 0);
}

}  // namespace

struct WalWriter::Impl {
  std::string dir;
  WalOptions options;
  int fd = -1;
  int segment = -1;
  // Bytes of the current segment that hold complete frames: where the next
  // write goes and what a failed write is cut back to.
  uint64_t size = 0;
  bool has_records = false;  // The current segment holds a record.
  bool unsynced = false;     // Written since the last fsync.
  bool tail_dirty = false;   // A failed write could not be cut back yet.
  bool closed = false;
  uint64_t bytes_written = 0;
  std::vector<uint8_t> buf;  // Reused between calls.

  bool SyncOnCut() const { return options.fsync != WalFsync::kNever; }
  Status Fsync();
  Status CreateSegment(int number);
  Status CutBack(int err, const std::string& what);
  Status Append(std::span<const std::span<const uint8_t>> records);
};

Status WalWriter::Impl::Fsync() {
  if (fd < 0 || !unsynced) return Status::Ok();
  if (::fdatasync(fd) != 0) {
    return ErrnoError(
        "fsync wal segment " + wal_internal::SegmentPath(dir, segment), errno);
  }
  unsynced = false;
  return Status::Ok();
}

// Creates segment `number` with its header and makes it current; the
// previous segment (synced by the caller) is closed. On failure the current
// segment stays as it was and the new file is removed.
Status WalWriter::Impl::CreateSegment(int number) {
  if (number > wal_internal::kMaxSegment) {
    return ResourceExhaustedError("wal " + dir +
                                  ": segment numbers are used up (" +
                                  std::to_string(number) + ")");
  }
  const std::string path = wal_internal::SegmentPath(dir, number);
  int nfd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (nfd < 0) return ErrnoError("create wal segment " + path, errno);
  uint8_t header[kSegmentHeaderSize] = {};
  std::memcpy(header, wal_internal::kMagic, sizeof wal_internal::kMagic);
  header[4] = wal_internal::kVersion;
  int err = PwriteAll(nfd, header, sizeof header, 0);
  if (err == 0 && SyncOnCut() && ::fdatasync(nfd) != 0) err = errno;
  Status st;
  if (err != 0) {
    st = ErrnoError("write wal segment header " + path, err);
  } else if (SyncOnCut()) {
    st = SyncDir(dir);
  }
  if (!st.ok()) {
    ::close(nfd);
    ::unlink(path.c_str());
    return st;
  }
  if (fd >= 0) ::close(fd);
  fd = nfd;
  segment = number;
  size = kSegmentHeaderSize;
  has_records = false;
  unsynced = false;
  tail_dirty = false;
  bytes_written += kSegmentHeaderSize;
  return Status::Ok();
}

// After a failed write or fsync: cuts the segment back to `size`.
Status WalWriter::Impl::CutBack(int err, const std::string& what) {
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0) tail_dirty = true;
  return ErrnoError(what + " " + wal_internal::SegmentPath(dir, segment), err);
}

Status WalWriter::Impl::Append(
    std::span<const std::span<const uint8_t>> records) {
  if (closed) return FailedPreconditionError("wal " + dir + " is closed");
  if (records.empty()) return Status::Ok();
  if (tail_dirty) {
    if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
      return ErrnoError(
          "cut back wal segment " + wal_internal::SegmentPath(dir, segment),
          errno);
    }
    tail_dirty = false;
  }
  buf.clear();
  for (std::span<const uint8_t> r : records) EncodeRecord(size, r, &buf);
  if (has_records && size + buf.size() > options.segment_bytes) {
    // Cut first so that the call's records share one segment. Framing
    // depends on the offset, so encode again at the new segment's start.
    RETURN_IF_ERROR(SyncOnCut() ? Fsync() : Status::Ok());
    RETURN_IF_ERROR(CreateSegment(segment + 1));
    buf.clear();
    for (std::span<const uint8_t> r : records) EncodeRecord(size, r, &buf);
  }
  if (int err = PwriteAll(fd, buf.data(), buf.size(), size); err != 0) {
    return CutBack(err, "write wal segment");
  }
  unsynced = true;
  if (options.fsync == WalFsync::kAlways && ::fdatasync(fd) != 0) {
    // The records may or may not be on disk; cut them off so the call's
    // outcome is all-or-nothing as promised.
    return CutBack(errno, "fsync wal segment");
  }
  if (options.fsync == WalFsync::kAlways) unsynced = false;
  size += buf.size();
  has_records = true;
  bytes_written += buf.size();
  return Status::Ok();
}

WalWriter::WalWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

WalWriter::~WalWriter() {
  if (impl_) Close().IgnoreError();
}

Result<std::unique_ptr<WalWriter>> WalWriter::Open(const std::string& dir,
                                                   WalOptions options) {
  RETURN_IF_ERROR(MakeDirs(dir));
  ASSIGN_OR_RETURN(std::vector<int> segments, ListWalSegments(dir));
  auto impl = std::make_unique<Impl>();
  impl->dir = dir;
  impl->options = options;
  RETURN_IF_ERROR(
      impl->CreateSegment(segments.empty() ? 0 : segments.back() + 1));
  return std::unique_ptr<WalWriter>(new WalWriter(std::move(impl)));
}

Status WalWriter::Log(std::span<const uint8_t> record) {
  return impl_->Append({&record, 1});
}

Status WalWriter::LogBatch(std::span<const std::span<const uint8_t>> records) {
  return impl_->Append(records);
}

Status WalWriter::Sync() {
  if (impl_->closed || impl_->options.fsync == WalFsync::kNever) {
    return Status::Ok();
  }
  return impl_->Fsync();
}

Result<int> WalWriter::NextSegment() {
  Impl& w = *impl_;
  if (w.closed) return FailedPreconditionError("wal " + w.dir + " is closed");
  if (w.SyncOnCut()) RETURN_IF_ERROR(w.Fsync());
  RETURN_IF_ERROR(w.CreateSegment(w.segment + 1));
  return w.segment;
}

Status WalWriter::Close() {
  Impl& w = *impl_;
  if (w.closed) return Status::Ok();
  w.closed = true;
  Status st = w.SyncOnCut() ? w.Fsync() : Status::Ok();
  if (w.tail_dirty) {
    // Last chance to leave the segment clean.
    if (::ftruncate(w.fd, static_cast<off_t>(w.size)) == 0) {
      w.tail_dirty = false;
    }
  }
  if (::close(w.fd) != 0 && st.ok()) {
    st = ErrnoError(
        "close wal segment " + wal_internal::SegmentPath(w.dir, w.segment),
        errno);
  }
  w.fd = -1;
  return st;
}

int WalWriter::segment() const { return impl_->segment; }

uint64_t WalWriter::bytes_written() const { return impl_->bytes_written; }

}  // namespace tend
