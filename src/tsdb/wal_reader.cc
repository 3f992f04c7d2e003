// WalReader: reads the records of a WAL back and finds the first damage
// (docs/formats/wal.md, "What a reader accepts, and damage").
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>

#include "tsdb/wal.h"
#include "tsdb/wal_format.h"

namespace tend {

using wal_internal::kFrameHeaderSize;
using wal_internal::kMinFrameRoom;
using wal_internal::kPageSize;
using wal_internal::kSegmentHeaderSize;

namespace {

// Pages read per pread: fewer system calls without holding a whole segment
// in memory.
constexpr size_t kChunkPages = 32;
constexpr size_t kChunkSize = kChunkPages * kPageSize;

bool AllZero(const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (p[i] != 0) return false;
  }
  return true;
}

}  // namespace

struct WalReader::Impl {
  std::string dir;
  std::vector<int> segments;
  size_t next_index = 0;  // Into `segments`: the next segment to open.

  // The open segment.
  int fd = -1;
  int segment = -1;
  uint64_t file_size = 0;
  uint64_t pos = 0;        // The next byte to parse.
  uint64_t clean_end = 0;  // The end of the last complete record.
  int prev_segment = -1;   // The last segment read to its end, and its end.
  uint64_t prev_end = 0;

  // Bytes [chunk_off, chunk_off + chunk_len) of the open segment; sized to
  // what the segments need, at most kChunkSize, and not zeroed (replay
  // opens many small segments).
  std::unique_ptr<uint8_t[]> chunk;
  size_t chunk_cap = 0;
  uint64_t chunk_off = 0;
  size_t chunk_len = 0;

  std::vector<uint8_t> assembled;  // A record of several fragments.
  std::span<const uint8_t> record;
  int record_segment = -1;

  std::optional<WalCorruption> corruption;
  Status status;
  bool done = false;

  ~Impl() { CloseSegment(); }

  bool Next();
  bool OpenNextSegment();
  void CloseSegment();
  // Makes the bytes of the page holding `off` available; returns a pointer
  // to `off` and sets `*avail` to the bytes from there to the end of the
  // page or the file, whichever is first. Null on a read error (status).
  const uint8_t* PageAt(uint64_t off, size_t* avail);
  bool RestIsZero(uint64_t off);
  // Stops reading with damage at the end of the last complete record.
  bool Damage(std::string reason);
  bool Fail(Status st);
};

void WalReader::Impl::CloseSegment() {
  if (fd >= 0) ::close(fd);
  fd = -1;
  chunk_len = 0;
}

bool WalReader::Impl::Fail(Status st) {
  status = std::move(st);
  done = true;
  CloseSegment();
  return false;
}

bool WalReader::Impl::Damage(std::string reason) {
  corruption = WalCorruption{segment, clean_end, std::move(reason)};
  done = true;
  CloseSegment();
  return false;
}

const uint8_t* WalReader::Impl::PageAt(uint64_t off, size_t* avail) {
  const uint64_t page_start = off - off % kPageSize;
  const uint64_t page_end = std::min(page_start + kPageSize, file_size);
  if (page_start < chunk_off || page_end > chunk_off + chunk_len) {
    const uint64_t start = page_start - page_start % kChunkSize;
    size_t want =
        static_cast<size_t>(std::min<uint64_t>(kChunkSize, file_size - start));
    if (want > chunk_cap) {
      chunk_cap = std::min(kChunkSize,
                           (want + kPageSize - 1) / kPageSize * kPageSize * 2);
      chunk.reset(new uint8_t[chunk_cap]);
    }
    size_t got = 0;
    while (got < want) {
      ssize_t n = ::pread(fd, chunk.get() + got, want - got,
                          static_cast<off_t>(start + got));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        Fail(ErrnoError(
            "read wal segment " + wal_internal::SegmentPath(dir, segment),
            errno));
        return nullptr;
      }
      if (n == 0) {
        // The file shrank since fstat: it ends here.
        file_size = start + got;
        break;
      }
      got += static_cast<size_t>(n);
    }
    chunk_off = start;
    chunk_len = got;
  }
  const uint64_t end =
      std::min({page_start + kPageSize, file_size, chunk_off + chunk_len});
  *avail = off < end ? static_cast<size_t>(end - off) : 0;
  return chunk.get() + (off - chunk_off);
}

bool WalReader::Impl::RestIsZero(uint64_t off) {
  while (off < file_size) {
    size_t avail = 0;
    const uint8_t* p = PageAt(off, &avail);
    if (p == nullptr) return false;
    if (avail == 0) break;
    if (!AllZero(p, avail)) return false;
    off += avail;
  }
  return true;
}

bool WalReader::Impl::OpenNextSegment() {
  if (next_index >= segments.size()) {
    done = true;
    return false;
  }
  const int number = segments[next_index++];
  if (prev_segment >= 0 && number != prev_segment + 1) {
    // Report at the end of the segment before the gap, so that repairing
    // deletes everything after it.
    segment = prev_segment;
    clean_end = prev_end;
    return Damage("segment " + std::to_string(prev_segment + 1) +
                  " is missing");
  }
  const std::string path = wal_internal::SegmentPath(dir, number);
  fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fail(ErrnoError("open wal segment " + path, errno));
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    return Fail(ErrnoError("stat wal segment " + path, errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return Fail(FailedPreconditionError("wal segment " + path +
                                        " is not a regular file"));
  }
  segment = number;
  file_size = static_cast<uint64_t>(st.st_size);
  chunk_off = 0;
  chunk_len = 0;
  pos = 0;
  clean_end = 0;
  if (file_size == 0) return true;  // Crashed before its header: empty.
  size_t avail = 0;
  const uint8_t* h = PageAt(0, &avail);
  if (h == nullptr) return false;
  if (avail < kSegmentHeaderSize) return Damage("torn segment header");
  if (std::memcmp(h, wal_internal::kMagic, sizeof wal_internal::kMagic) != 0 ||
      h[4] == 0 || !AllZero(h + 5, 3)) {
    return Damage("bad segment header");
  }
  if (h[4] != wal_internal::kVersion) {
    return Fail(FailedPreconditionError(
        "wal segment " + path + " has format version " + std::to_string(h[4]) +
        "; this tend reads version " + std::to_string(wal_internal::kVersion) +
        " (upgrade tend to read this WAL)"));
  }
  pos = clean_end = kSegmentHeaderSize;
  return true;
}

bool WalReader::Impl::Next() {
  record = {};
  if (done) return false;
  bool in_record = false;
  assembled.clear();
  while (true) {
    if (fd < 0) {
      if (!OpenNextSegment()) return false;
      continue;
    }
    if (pos >= file_size) {
      if (in_record || pos != clean_end) return Damage("torn record");
      prev_segment = segment;
      prev_end = clean_end;
      CloseSegment();
      continue;
    }
    const uint64_t frame_off = pos;
    const size_t room = kPageSize - static_cast<size_t>(pos % kPageSize);
    size_t avail = 0;
    const uint8_t* p = PageAt(pos, &avail);
    if (p == nullptr) return false;
    if (room < kMinFrameRoom) {
      if (!AllZero(p, avail)) return Damage("non-zero page padding");
      if (avail < room) return Damage("torn record");
      pos += room;
      // The writer writes padding only with the frame after it.
      if (pos >= file_size) return Damage("torn record");
      continue;
    }
    // Damage names the bad frame's own offset when it is not where the
    // damaged record starts.
    auto bad = [&](std::string reason) {
      if (frame_off != clean_end) {
        reason += " at offset " + std::to_string(frame_off);
      }
      return Damage(std::move(reason));
    };
    if (avail < kFrameHeaderSize) return bad("torn record");
    const uint8_t type = p[0];
    const size_t len = wal_internal::LoadLe16(p + 1);
    if (type == 0) {
      if (RestIsZero(frame_off)) return bad("zero-filled tail");
      if (!status.ok()) return false;
      return bad("zero bytes where a frame was expected");
    }
    if (type > wal_internal::kLast) {
      return bad("unknown frame type " + std::to_string(type));
    }
    if (kFrameHeaderSize + len > room) {
      return bad("frame crosses page boundary");
    }
    if (kFrameHeaderSize + len > avail) return bad("torn record");
    std::span<const uint8_t> payload(p + kFrameHeaderSize, len);
    if (wal_internal::FrameCrc(p, payload) != wal_internal::LoadLe32(p + 3)) {
      return bad("checksum mismatch");
    }
    const bool starts =
        type == wal_internal::kFull || type == wal_internal::kFirst;
    if (starts == in_record) {
      return bad("invalid frame sequence");
    }
    pos += kFrameHeaderSize + len;
    switch (type) {
      case wal_internal::kFull:
        record = payload;
        break;
      case wal_internal::kFirst:
        assembled.assign(payload.begin(), payload.end());
        in_record = true;
        continue;
      case wal_internal::kMiddle:
        assembled.insert(assembled.end(), payload.begin(), payload.end());
        continue;
      default:  // kLast
        assembled.insert(assembled.end(), payload.begin(), payload.end());
        record = assembled;
        break;
    }
    clean_end = pos;
    record_segment = segment;
    return true;
  }
}

WalReader::WalReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

WalReader::~WalReader() = default;

Result<std::unique_ptr<WalReader>> WalReader::Open(const std::string& dir,
                                                   int first_segment) {
  ASSIGN_OR_RETURN(std::vector<int> segments, ListWalSegments(dir));
  auto impl = std::make_unique<Impl>();
  impl->dir = dir;
  for (int s : segments) {
    if (s >= first_segment) impl->segments.push_back(s);
  }
  return std::unique_ptr<WalReader>(new WalReader(std::move(impl)));
}

bool WalReader::Next() { return impl_->Next(); }

std::span<const uint8_t> WalReader::record() const { return impl_->record; }

int WalReader::segment() const { return impl_->record_segment; }

const WalCorruption* WalReader::corruption() const {
  return impl_->corruption ? &*impl_->corruption : nullptr;
}

const Status& WalReader::status() const { return impl_->status; }

}  // namespace tend
