// JournalSource: a log source reading the systemd journal through
// sd-journal (libsystemd).
//
// Each journal entry becomes one SourceEntry with a LogRecord already
// filled: time = the entry's realtime timestamp (when journald received
// it), host = _HOSTNAME, app = SYSLOG_IDENTIFIER or else _SYSTEMD_UNIT,
// pid = _PID, level = PRIORITY (syslog severity), message = MESSAGE, and
// the field "unit" = _SYSTEMD_UNIT. The line is MESSAGE. A MESSAGE that is
// not valid UTF-8 or holds control bytes other than tab and newline (the
// journal stores such messages as binary) is kept with each offending byte
// written as \xNN, so the text stays printable and nothing is dropped; an
// entry without MESSAGE is handed with an empty line.
//
// Position: Checkpoint() is the journal cursor of the last entry handed
// out. Restore(cursor) seeks to it and continues after it; an empty
// checkpoint starts at the beginning or the end per start_at. If the
// cursor's entry no longer exists (its journal file was rotated away and
// vacuumed, or the journal was recreated), reading starts again from the
// oldest entry still present and a warning is logged: entries between the
// cursor and the oldest one were deleted before tend read them and are
// lost; when the cursor came from a different journal altogether, entries
// already stored may be stored again. Rotation of the files is followed by
// sd-journal itself.
//
// Threads: not thread-safe (sd_journal is not); the pipeline thread makes
// every call, stats() included.
#ifndef TEND_LOGS_SOURCES_JOURNAL_SOURCE_H_
#define TEND_LOGS_SOURCES_JOURNAL_SOURCE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "logs/parse/record.h"
#include "logs/sources/source.h"

// sd-journal's handle, without its header in ours.
typedef struct sd_journal sd_journal;

namespace tend::logs {

struct JournalSourceOptions {
  std::string name;  // The source name (stream label `source`).
  // Empty: the local system journal (all users' and the system's, as far as
  // tend's permissions allow: adm or systemd-journal group, or root).
  // Otherwise a directory of journal files (another machine's, or tests').
  std::string directory;
  // journalctl-style "FIELD=value" matches, e.g. "_SYSTEMD_UNIT=nginx.service".
  // Matches on the same field are ORed, different fields ANDed (as
  // sd_journal_add_match does). Empty: every entry.
  std::vector<std::string> matches;
  // Where to begin when there is no checkpoint.
  enum class StartAt { kBeginning, kEnd };
  StartAt start_at = StartAt::kEnd;
  // Longer messages are cut to this size and counted as truncated.
  size_t max_message_bytes = 64 * 1024;
};

class JournalSource : public LogSource {
 public:
  // Opens the journal and applies the matches. Fails on an invalid match
  // ("FIELD=value" with FIELD of A-Z, 0-9 and "_", not starting with a
  // digit), or when the journal or directory cannot be opened. Reading
  // starts at Restore().
  static Result<std::unique_ptr<JournalSource>> Open(
      JournalSourceOptions options);
  ~JournalSource() override;

  JournalSource(const JournalSource&) = delete;
  JournalSource& operator=(const JournalSource&) = delete;

  const std::string& name() const override { return options_.name; }
  // A cursor that sd-journal cannot parse is an InvalidArgument error naming
  // the source (the position is then the start_at one).
  Status Restore(std::string_view checkpoint) override;
  Result<size_t> Poll(EntrySink& sink, size_t max_bytes) override;
  std::string Checkpoint() const override { return cursor_; }
  // sd_journal_get_fd: readable when journal files change.
  int wait_fd() const override { return fd_; }
  SourceStats stats() const override { return stats_; }

 private:
  JournalSource(JournalSourceOptions options, sd_journal* journal);
  Status SeekStart();
  // Fills record_ and *entry (line, record, truncated) from the current
  // entry. Unreadable data is logged and counted; what was read is kept.
  void ReadEntry(SourceEntry* entry);

  const JournalSourceOptions options_;
  sd_journal* journal_;
  int fd_ = -1;
  std::string cursor_;
  bool restored_ = false;
  LogRecord record_;
  std::string line_;  // The escaped MESSAGE when it needed escaping.
  SourceStats stats_;
};

// Makes `message` printable text: returns it unchanged when it is valid
// UTF-8 without control bytes other than tab and newline; otherwise writes
// a copy into *scratch with each offending byte as \xNN (and a backslash
// as itself) and returns that. Exposed for tests.
std::string_view SanitizeJournalMessage(std::string_view message,
                                        std::string* scratch);

}  // namespace tend::logs

#endif  // TEND_LOGS_SOURCES_JOURNAL_SOURCE_H_
