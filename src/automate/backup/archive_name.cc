#include "automate/backup/archive_name.h"

#include <time.h>

#include <cstdio>

namespace tend::automate::backup {
namespace {

constexpr size_t kStampLen = 16;  // 20240501T120000Z

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int Num(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

// Builds the instant from broken-down UTC fields, rejecting impossible
// dates (timegm would roll 2024-02-30 over into March).
std::optional<int64_t> FromFields(int y, int mo, int d, int h, int mi, int s) {
  if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
      mi > 59 || s > 60) {
    return std::nullopt;
  }
  struct tm tm = {};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  time_t t = timegm(&tm);
  struct tm back;
  gmtime_r(&t, &back);
  if (back.tm_mday != d || back.tm_mon != mo - 1) return std::nullopt;
  return static_cast<int64_t>(t);
}

// "YYYYmmddTHHMMSSZ".
std::optional<int64_t> ParseStamp(std::string_view s) {
  if (s.size() != kStampLen || s[8] != 'T' || s[15] != 'Z' ||
      !AllDigits(s.substr(0, 8)) || !AllDigits(s.substr(9, 6))) {
    return std::nullopt;
  }
  return FromFields(Num(s.substr(0, 4)), Num(s.substr(4, 2)),
                    Num(s.substr(6, 2)), Num(s.substr(9, 2)),
                    Num(s.substr(11, 2)), Num(s.substr(13, 2)));
}

// "YYYY-mm-ddTHH:MM:SSZ" or "YYYY-mm-dd HH:MM:SS" (UTC either way).
std::optional<int64_t> ParseIso(std::string_view s) {
  if (s.size() == 20 && s[19] == 'Z') s.remove_suffix(1);
  if (s.size() != 19 || s[4] != '-' || s[7] != '-' ||
      (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  for (size_t i : {0u, 5u, 8u, 11u, 14u, 17u}) {
    size_t len = i == 0 ? 4 : 2;
    if (!AllDigits(s.substr(i, len))) return std::nullopt;
  }
  return FromFields(Num(s.substr(0, 4)), Num(s.substr(5, 2)),
                    Num(s.substr(8, 2)), Num(s.substr(11, 2)),
                    Num(s.substr(14, 2)), Num(s.substr(17, 2)));
}

}  // namespace

std::string FormatStamp(int64_t unix_seconds) {
  time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string ArchiveFileName(std::string_view name, int64_t unix_seconds) {
  return std::string(name) + "-" + FormatStamp(unix_seconds) +
         std::string(kArchiveSuffix);
}

std::string ManifestFileName(std::string_view name, int64_t unix_seconds) {
  return std::string(name) + "-" + FormatStamp(unix_seconds) +
         std::string(kManifestSuffix);
}

std::string ManifestFor(std::string_view archive_file) {
  if (archive_file.ends_with(kArchiveSuffix)) {
    archive_file.remove_suffix(kArchiveSuffix.size());
  }
  return std::string(archive_file) + std::string(kManifestSuffix);
}

std::optional<int64_t> ParseArchiveFileName(std::string_view file,
                                            std::string_view name) {
  if (!file.ends_with(kArchiveSuffix)) return std::nullopt;
  file.remove_suffix(kArchiveSuffix.size());
  if (file.size() != name.size() + 1 + kStampLen) return std::nullopt;
  if (!file.starts_with(name) || file[name.size()] != '-') return std::nullopt;
  return ParseStamp(file.substr(name.size() + 1));
}

Result<int64_t> ParseTimestamp(std::string_view text) {
  if (AllDigits(text) && text.size() <= 12) {
    return static_cast<int64_t>(std::stoll(std::string(text)));
  }
  if (auto t = ParseStamp(text)) return *t;
  if (auto t = ParseIso(text)) return *t;
  return InvalidArgumentError(
      "timestamp '" + std::string(text) +
      "' is not a UTC time: use 20240501T120000Z, 2024-05-01T12:00:00Z, "
      "'2024-05-01 12:00:00' or Unix seconds");
}

Status ValidateSetName(std::string_view name) {
  if (name.empty()) return InvalidArgumentError("name must not be empty");
  if (name.find('/') != std::string_view::npos ||
      name.find('\0') != std::string_view::npos) {
    return InvalidArgumentError("name '" + std::string(name) +
                                "' must not contain '/'");
  }
  if (name[0] == '.' || name[0] == '-') {
    return InvalidArgumentError("name '" + std::string(name) +
                                "' must not start with '.' or '-'");
  }
  return Status::Ok();
}

}  // namespace tend::automate::backup
