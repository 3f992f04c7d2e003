#include "logs/sources/syslog_framing.h"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <cstring>

namespace tend::logs {
namespace {

// MSG-LEN has at most this many digits (RFC 6587 does not bound it; ten
// digits exceed any message tend keeps).
constexpr size_t kMaxCountDigits = 10;

bool IsSeparator(char c) { return c == '\n' || c == '\r' || c == '\0'; }

enum class Header { kNeedMore, kCount, kNone };

// Looks for "MSG-LEN SP" at p[0, avail). On kCount sets *count and
// *header_size (digits plus the space).
Header ReadCount(const char* p, size_t avail, uint64_t* count,
                 size_t* header_size) {
  if (avail == 0 || p[0] < '1' || p[0] > '9') return Header::kNone;
  uint64_t n = 0;
  size_t i = 0;
  while (i < avail && i <= kMaxCountDigits && p[i] >= '0' && p[i] <= '9') {
    n = n * 10 + static_cast<uint64_t>(p[i] - '0');
    ++i;
  }
  if (i > kMaxCountDigits) return Header::kNone;
  if (i == avail) return Header::kNeedMore;
  if (p[i] != ' ') return Header::kNone;
  *count = n;
  *header_size = i + 1;
  return Header::kCount;
}

// The first LF or NUL in p[0, size), or nullptr.
const char* FindTerminator(const char* p, size_t size) {
  const char* nl = static_cast<const char*>(std::memchr(p, '\n', size));
  const size_t limit = nl != nullptr ? static_cast<size_t>(nl - p) : size;
  const char* nul = static_cast<const char*>(std::memchr(p, '\0', limit));
  return nul != nullptr ? nul : nl;
}

}  // namespace

SyslogFrameDecoder::SyslogFrameDecoder(size_t max_message_bytes)
    : max_(max_message_bytes) {
  assert(max_ > 0);
}

char* SyslogFrameDecoder::PrepareWrite(size_t min_bytes) {
  if (start_ > 0) {
    std::memmove(buf_.data(), buf_.data() + start_, end_ - start_);
    end_ -= start_;
    start_ = 0;
  }
  if (buf_.size() - end_ < min_bytes) buf_.resize(end_ + min_bytes);
  return buf_.data() + end_;
}

void SyslogFrameDecoder::Commit(size_t bytes) {
  assert(end_ + bytes <= buf_.size());
  end_ += bytes;
}

void SyslogFrameDecoder::Feed(std::string_view bytes) {
  if (bytes.empty()) return;
  std::memcpy(PrepareWrite(bytes.size()), bytes.data(), bytes.size());
  Commit(bytes.size());
}

std::string_view SyslogFrameDecoder::Take(size_t offset, size_t size,
                                          size_t used) {
  const std::string_view view(buf_.data() + start_ + offset, size);
  start_ += used;
  scanned_ = 0;
  return view;
}

bool SyslogFrameDecoder::DiscardSkipped() {
  if (skip_ == Skip::kNone) return true;
  scanned_ = 0;
  const size_t avail = end_ - start_;
  if (skip_ == Skip::kCount) {
    const size_t n = std::min<size_t>(skip_count_, avail);
    start_ += n;
    skip_count_ -= n;
    if (skip_count_ > 0) return false;
    skip_ = Skip::kNone;
  } else {
    const char* p = buf_.data() + start_;
    const char* t = FindTerminator(p, avail);
    if (t == nullptr) {
      start_ = end_;
      return false;
    }
    start_ += static_cast<size_t>(t - p) + 1;
    skip_ = Skip::kNone;
  }
  return true;
}

bool SyslogFrameDecoder::Next(SyslogFrame* frame) {
  *frame = SyslogFrame{};
  if (!DiscardSkipped()) {
    start_ = end_ = 0;
    return false;
  }
  while (start_ < end_ && IsSeparator(buf_[start_])) {
    ++start_;
    scanned_ = 0;
  }
  if (start_ == end_) {
    start_ = end_ = 0;
    scanned_ = 0;
    return false;
  }
  const char* p = buf_.data() + start_;
  const size_t avail = end_ - start_;

  uint64_t count = 0;
  size_t header = 0;
  switch (ReadCount(p, avail, &count, &header)) {
    case Header::kNeedMore:
      return false;
    case Header::kCount:
      if (count <= max_) {
        if (avail - header < count) return false;
        frame->message = Take(header, count, header + count);
      } else {
        if (avail - header < max_) return false;
        frame->message = Take(header, max_, header + max_);
        frame->truncated = true;
        skip_ = Skip::kCount;
        skip_count_ = count - max_;
      }
      return true;
    case Header::kNone:
      break;
  }

  // Non-transparent framing. scanned_ bytes are known to hold no
  // terminator, so a message arriving in small pieces is scanned once.
  const char* t = FindTerminator(p + scanned_, avail - scanned_);
  if (t != nullptr) {
    const size_t used = static_cast<size_t>(t - p) + 1;
    size_t size = used - 1;
    if (size > 0 && p[size - 1] == '\r') --size;
    if (size > max_) {
      size = max_;
      frame->truncated = true;
    }
    frame->message = Take(0, size, used);
    return true;
  }
  scanned_ = avail;
  // Over the limit, unless the bytes beyond it may be the CR of a CRLF.
  if (avail > max_ + 1 || (avail == max_ + 1 && p[max_] != '\r')) {
    frame->message = Take(0, max_, max_);
    frame->truncated = true;
    skip_ = Skip::kToTerminator;
    return true;
  }
  return false;
}

bool SyslogFrameDecoder::Finish(SyslogFrame* frame) {
  *frame = SyslogFrame{};
  const bool skipping = skip_ != Skip::kNone;
  skip_ = Skip::kNone;
  skip_count_ = 0;
  while (!skipping && start_ < end_ && IsSeparator(buf_[start_])) ++start_;
  if (skipping || start_ == end_) {
    start_ = end_ = 0;
    scanned_ = 0;
    return false;
  }
  const char* p = buf_.data() + start_;
  const size_t avail = end_ - start_;
  uint64_t count = 0;
  size_t header = 0;
  size_t size = avail;
  if (ReadCount(p, avail, &count, &header) == Header::kCount) {
    frame->error = "connection closed inside an octet-counted frame";
  } else if (p[size - 1] == '\r') {
    --size;
  }
  if (size > max_) {
    size = max_;
    frame->truncated = true;
  }
  frame->message = Take(0, size, avail);
  // The view stays valid: nothing is moved until the next PrepareWrite.
  start_ = end_ = 0;
  return true;
}

}  // namespace tend::logs
