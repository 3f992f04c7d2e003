#include "logs/sources/journal_source.h"

#include <systemd/sd-journal.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "base/clock.h"
#include "base/log.h"
#include "base/utf8.h"

namespace tend::logs {
namespace {

bool ValidFieldName(std::string_view f) {
  if (f.empty() || (f[0] >= '0' && f[0] <= '9')) return false;
  for (char c : f) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

bool NeedsEscape(unsigned char c) {
  return (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f;
}

void AppendHexEscape(unsigned char c, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->append("\\x");
  out->push_back(kHex[c >> 4]);
  out->push_back(kHex[c & 0xf]);
}

// Value of a "NAME=value" data object when NAME is `name`.
bool FieldValue(std::string_view data, std::string_view name,
                std::string_view* value) {
  if (data.size() <= name.size() || data[name.size()] != '=' ||
      data.substr(0, name.size()) != name) {
    return false;
  }
  *value = data.substr(name.size() + 1);
  return true;
}

}  // namespace

std::string_view SanitizeJournalMessage(std::string_view message,
                                        std::string* scratch) {
  size_t i = 0;
  // Fast path: scan until the first byte that needs a closer look.
  while (i < message.size()) {
    const auto c = static_cast<unsigned char>(message[i]);
    if (c >= 0x80) {
      int width = 0;
      if (DecodeRune(message, i, &width) == kRuneError && width == 1) break;
      i += static_cast<size_t>(width);
      continue;
    }
    if (NeedsEscape(c)) break;
    ++i;
  }
  if (i == message.size()) return message;
  scratch->assign(message.substr(0, i));
  while (i < message.size()) {
    const auto c = static_cast<unsigned char>(message[i]);
    if (c >= 0x80) {
      int width = 0;
      if (DecodeRune(message, i, &width) == kRuneError && width == 1) {
        AppendHexEscape(c, scratch);
        ++i;
      } else {
        scratch->append(message.substr(i, static_cast<size_t>(width)));
        i += static_cast<size_t>(width);
      }
      continue;
    }
    if (NeedsEscape(c)) {
      AppendHexEscape(c, scratch);
    } else {
      scratch->push_back(static_cast<char>(c));
    }
    ++i;
  }
  return *scratch;
}

JournalSource::JournalSource(JournalSourceOptions options, sd_journal* journal)
    : options_(std::move(options)), journal_(journal) {}

JournalSource::~JournalSource() { sd_journal_close(journal_); }

Result<std::unique_ptr<JournalSource>> JournalSource::Open(
    JournalSourceOptions options) {
  const std::string where = "journal source \"" + options.name + "\"";
  if (options.name.empty()) {
    return InvalidArgumentError("journal source: name must not be empty");
  }
  if (options.max_message_bytes == 0) {
    return InvalidArgumentError(where + ": max_message_bytes must be > 0");
  }
  for (const std::string& m : options.matches) {
    const size_t eq = m.find('=');
    if (eq == std::string::npos || !ValidFieldName(m.substr(0, eq))) {
      return InvalidArgumentError(
          where + ": match \"" + m +
          "\" must be FIELD=value with FIELD of A-Z, 0-9 and _ "
          "(e.g. _SYSTEMD_UNIT=nginx.service)");
    }
  }
  sd_journal* j = nullptr;
  const int r =
      options.directory.empty()
          ? sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY)
          : sd_journal_open_directory(&j, options.directory.c_str(), 0);
  if (r < 0) {
    return ErrnoError(
        where + ": open journal" +
            (options.directory.empty() ? std::string()
                                       : " directory " + options.directory),
        -r);
  }
  std::unique_ptr<JournalSource> s(new JournalSource(std::move(options), j));
  for (const std::string& m : s->options_.matches) {
    const int mr = sd_journal_add_match(j, m.data(), m.size());
    if (mr < 0) return ErrnoError(where + ": match \"" + m + "\"", -mr);
  }
  // Enough for a cut message; compressed fields are not inflated beyond.
  sd_journal_set_data_threshold(j, s->options_.max_message_bytes + 16);
  // Before the first read, so that sd-journal watches the files from now on.
  s->fd_ = sd_journal_get_fd(j);
  if (s->fd_ < 0) return ErrnoError(where + ": sd_journal_get_fd", -s->fd_);
  return s;
}

Status JournalSource::SeekStart() {
  restored_ = true;
  if (options_.start_at == JournalSourceOptions::StartAt::kBeginning) {
    const int r = sd_journal_seek_head(journal_);
    if (r < 0) return ErrnoError("journal source \"" + name() + "\": seek", -r);
    return Status::Ok();
  }
  int r = sd_journal_seek_tail(journal_);
  if (r < 0) return ErrnoError("journal source \"" + name() + "\": seek", -r);
  // Step onto the last entry so the next read returns what comes after it,
  // and make it the checkpoint: a restart before any new entry must not
  // skip what arrived meanwhile.
  r = sd_journal_previous(journal_);
  if (r > 0) {
    char* c = nullptr;
    if (sd_journal_get_cursor(journal_, &c) >= 0) {
      cursor_ = c;
      free(c);
    }
  }
  return Status::Ok();
}

Status JournalSource::Restore(std::string_view checkpoint) {
  if (checkpoint.empty()) return SeekStart();
  restored_ = true;
  const std::string cursor(checkpoint);
  int r = sd_journal_seek_cursor(journal_, cursor.c_str());
  if (r < 0) {
    SeekStart().IgnoreError();
    return InvalidArgumentError("journal source \"" + name() +
                                "\": checkpoint is not a journal cursor (" +
                                std::strerror(-r) + "): " + cursor);
  }
  // Seeking lands next to the cursor's entry; step onto it and check that
  // it really is that entry, which was handed out already.
  r = sd_journal_next(journal_);
  if (r > 0 && sd_journal_test_cursor(journal_, cursor.c_str()) > 0) {
    cursor_ = cursor;
    return Status::Ok();
  }
  LogWarn(
      "journal checkpoint entry no longer exists (rotated and vacuumed?); "
      "reading from the oldest entry",
      {{"source", name()}, {"cursor", cursor}});
  cursor_ = cursor;
  r = sd_journal_seek_head(journal_);
  if (r < 0) return ErrnoError("journal source \"" + name() + "\": seek", -r);
  return Status::Ok();
}

void JournalSource::ReadEntry(SourceEntry* entry) {
  record_.Reset();
  std::string_view message, unit, identifier;
  const void* data = nullptr;
  size_t size = 0;
  sd_journal_restart_data(journal_);
  int r;
  while ((r = sd_journal_enumerate_available_data(journal_, &data, &size)) >
         0) {
    const std::string_view d(static_cast<const char*>(data), size);
    std::string_view v;
    switch (d[0]) {
      case 'M':
        if (FieldValue(d, "MESSAGE", &v)) message = v;
        break;
      case 'P':
        if (FieldValue(d, "PRIORITY", &v) && v.size() == 1) {
          record_.level = LevelFromSeverity(v[0] - '0');
        }
        break;
      case 'S':
        if (FieldValue(d, "SYSLOG_IDENTIFIER", &v)) identifier = v;
        break;
      case '_':
        if (FieldValue(d, "_SYSTEMD_UNIT", &v)) {
          unit = v;
        } else if (FieldValue(d, "_HOSTNAME", &v)) {
          record_.host.assign(v);
        } else if (FieldValue(d, "_PID", &v)) {
          char* end = nullptr;
          const std::string pid(v);
          const long long p = std::strtoll(pid.c_str(), &end, 10);
          if (end != nullptr && *end == '\0' && !pid.empty() && p >= 0) {
            record_.pid = p;
          }
        }
        break;
      default:
        break;
    }
  }
  if (r < 0) {
    ++stats_.errors;
    LogWarn("journal entry data unreadable",
            {{"source", name()}, {"err", std::strerror(-r)}});
  }
  uint64_t usec = 0;
  if (sd_journal_get_realtime_usec(journal_, &usec) >= 0) {
    record_.time_ns = static_cast<int64_t>(usec) * 1000;
    record_.time_from_line = true;
  } else {
    record_.time_ns = entry->receive_time_ns;
  }
  record_.app.assign(!identifier.empty() ? identifier : unit);
  if (!unit.empty()) record_.fields.Add("unit", unit);
  entry->truncated = false;
  if (message.size() > options_.max_message_bytes) {
    message = message.substr(0, options_.max_message_bytes);
    entry->truncated = true;
  }
  const std::string_view line = SanitizeJournalMessage(message, &line_);
  record_.message.assign(line);
  entry->line = record_.message;
  entry->record = &record_;
}

Result<size_t> JournalSource::Poll(EntrySink& sink, size_t max_bytes) {
  if (!restored_) RETURN_IF_ERROR(SeekStart());
  // Drains the inotify descriptor and picks up new or rotated files.
  const int pr = sd_journal_process(journal_);
  if (pr < 0) {
    ++stats_.errors;
    return ErrnoError("journal source \"" + name() + "\": process", -pr);
  }
  SourceEntry entry;
  entry.receive_time_ns = Clock::Real()->NowUnixNanos();
  size_t handed = 0;
  size_t bytes = 0;
  Status status;
  while (bytes < max_bytes) {
    const int r = sd_journal_next(journal_);
    if (r == 0) break;
    if (r < 0) {
      ++stats_.errors;
      status = ErrnoError("journal source \"" + name() + "\": read", -r);
      break;
    }
    ReadEntry(&entry);
    sink.Add(entry);
    ++handed;
    bytes += entry.line.size();
    if (entry.truncated) ++stats_.truncated;
  }
  stats_.entries += handed;
  stats_.bytes += bytes;
  if (handed > 0) {
    char* c = nullptr;
    const int r = sd_journal_get_cursor(journal_, &c);
    if (r < 0) {
      // Cannot happen on an entry just read; without a cursor the
      // checkpoint would lie, so report it.
      ++stats_.errors;
      return ErrnoError("journal source \"" + name() + "\": cursor", -r);
    }
    cursor_ = c;
    free(c);
  }
  if (!status.ok()) return status;
  return handed;
}

}  // namespace tend::logs
