// Backup archive names and the times they carry.
//
// An archive of backup set NAME taken at instant T (UTC, whole seconds) is
// the file "NAME-YYYYmmddTHHMMSSZ.tar.zst"; its manifest is
// "NAME-YYYYmmddTHHMMSSZ.json" beside it. The time in the name is what
// retention goes by, so archives copied elsewhere keep their age.
#ifndef TEND_AUTOMATE_BACKUP_ARCHIVE_NAME_H_
#define TEND_AUTOMATE_BACKUP_ARCHIVE_NAME_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace tend::automate::backup {

inline constexpr std::string_view kArchiveSuffix = ".tar.zst";
inline constexpr std::string_view kManifestSuffix = ".json";

// "20240501T120000Z" for the UTC instant `unix_seconds`.
std::string FormatStamp(int64_t unix_seconds);

// "NAME-20240501T120000Z.tar.zst" and "NAME-20240501T120000Z.json".
std::string ArchiveFileName(std::string_view name, int64_t unix_seconds);
std::string ManifestFileName(std::string_view name, int64_t unix_seconds);
// The manifest's file name for an archive's file name (".tar.zst" replaced
// by ".json"); the name unchanged plus ".json" when it has no such suffix.
std::string ManifestFor(std::string_view archive_file);

// The time of `file` when it is an archive of exactly the set `name`
// ("web" does not claim "web-db-20240501T120000Z.tar.zst"); nullopt for
// any other file, temporary files included.
std::optional<int64_t> ParseArchiveFileName(std::string_view file,
                                            std::string_view name);

// The module's `timestamp` parameter: "20240501T120000Z",
// "2024-05-01T12:00:00Z", "2024-05-01 12:00:00" (UTC), or Unix seconds.
// kInvalidArgument names the accepted forms.
Result<int64_t> ParseTimestamp(std::string_view text);

// A set name that makes safe file names: non-empty, no '/', no NUL, not
// starting with '.' or '-'. kInvalidArgument says what is wrong.
Status ValidateSetName(std::string_view name);

}  // namespace tend::automate::backup

#endif  // TEND_AUTOMATE_BACKUP_ARCHIVE_NAME_H_
