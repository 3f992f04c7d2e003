// SyslogFrameDecoder: splits a syslog TCP (or TLS) byte stream into
// messages, per RFC 6587.
//
// Two framings exist and senders choose per message, so the decoder decides
// again at the start of every message, by its first bytes:
//  - octet counting: "MSG-LEN SP MSG", where MSG-LEN is 1 to 10 decimal
//    digits without a leading zero ("123 <34>1 ..."). A message starts with
//    "<" (its PRI), so a leading digit means a count;
//  - non-transparent framing: the message runs up to a LF; a NUL also ends
//    it (some senders use it), and one CR before the LF is removed (CRLF).
// Anything else that starts with digits ("0 ...", "12abc", eleven digits) is
// taken as a non-transparent message: the parser then decides whether it
// is syslog. Empty messages (LF, CR or NUL between frames) are skipped.
//
// Limits: a message longer than max_message_bytes is cut to that size and
// returned with `truncated`; the rest of it is read and discarded, never
// buffered, so the decoder holds at most about max_message_bytes plus one
// read. A count larger than what the connection then sends leaves a partial
// frame, returned by Finish() at the end of the stream with an error.
//
// Not thread-safe; one decoder per connection. No allocation once the
// buffer has grown to its working size.
#ifndef TEND_LOGS_SOURCES_SYSLOG_FRAMING_H_
#define TEND_LOGS_SOURCES_SYSLOG_FRAMING_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace tend::logs {

struct SyslogFrame {
  // The message without its count or terminator. Valid until the next call
  // to any member of the decoder.
  std::string_view message;
  // The message was longer than max_message_bytes and was cut.
  bool truncated = false;
  // Static text when the frame is not a whole message (Finish() on a
  // partial frame); "" otherwise. The caller keeps the bytes as unparsed.
  std::string_view error;
};

class SyslogFrameDecoder {
 public:
  // max_message_bytes must be > 0.
  explicit SyslogFrameDecoder(size_t max_message_bytes);

  // Returns space for at least `min_bytes` more input; write into it, then
  // call Commit with the number of bytes written. Together they let the
  // caller read(2) straight into the decoder. Moves buffered bytes to the
  // front first, so pointers from earlier calls become invalid.
  char* PrepareWrite(size_t min_bytes);
  void Commit(size_t bytes);

  // Appends `bytes` (PrepareWrite + copy + Commit).
  void Feed(std::string_view bytes);

  // Takes the next complete message. Returns false when the buffered bytes
  // hold no complete message yet (feed more).
  bool Next(SyslogFrame* frame);

  // At the end of the stream, after Next() returned false: returns the
  // unterminated rest as a last message, or false when nothing is left. A
  // non-transparent message without its LF is complete (error ""); a partial
  // octet-counted frame is returned whole, count included, with error
  // "connection closed inside an octet-counted frame". Leaves the decoder
  // empty.
  bool Finish(SyslogFrame* frame);

  // Bytes held (a partial message); 0 between messages.
  size_t buffered() const { return end_ - start_; }

 private:
  enum class Skip { kNone, kCount, kToTerminator };

  // Drops bytes of a message being discarded; false while more are due.
  bool DiscardSkipped();
  // Returns a view of `size` bytes at start_ + offset and moves start_ past
  // `used` bytes.
  std::string_view Take(size_t offset, size_t size, size_t used);

  const size_t max_;
  std::string buf_;  // buf_[start_, end_) holds unread input.
  size_t start_ = 0;
  size_t end_ = 0;
  Skip skip_ = Skip::kNone;
  size_t skip_count_ = 0;  // Bytes still to drop with Skip::kCount.
  // Bytes from start_ known to hold no terminator (non-transparent message
  // still arriving), so each byte is scanned once.
  size_t scanned_ = 0;
};

}  // namespace tend::logs

#endif  // TEND_LOGS_SOURCES_SYSLOG_FRAMING_H_
