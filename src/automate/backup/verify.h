// Verifying an archive on the target: it decompresses and lists completely
// (zstd checks its frame checksums, tar its headers), optionally its
// sha256 is the one recorded, and a sample of its files restored into a
// temporary directory have the same sha256 as their sources.
#ifndef TEND_AUTOMATE_BACKUP_VERIFY_H_
#define TEND_AUTOMATE_BACKUP_VERIFY_H_

#include <cstddef>
#include <string>
#include <vector>

#include "automate/backup/tar_listing.h"
#include "automate/transport/connection.h"
#include "automate/value.h"
#include "base/status.h"

namespace tend::automate::backup {

struct VerifyOptions {
  // Regular files restored and compared (chosen by ChooseSample).
  int sample = 3;
  // Where members' sources are: member "etc/app/x" is source_root +
  // "etc/app/x". The module archives relative to "/".
  std::string source_root = "/";
  // When non-empty, the archive's sha256 must equal it.
  std::string expected_sha256;
};

struct SampleCheck {
  std::string path;  // member name
  uint64_t size = 0;
  std::string archive_sha256;  // of the restored copy
  std::string source_sha256;   // "" when the source is gone
  bool ok = false;
  // Why a mismatch does not count against the archive: "source changed
  // since archived" (its mtime or size differs from the archived entry) or
  // "source missing".
  std::string note;
};

struct VerifyReport {
  bool ok = false;
  std::string error;   // why not ok ("" when ok)
  std::string sha256;  // the archive's, when computed
  size_t entries = 0;  // members listed
  std::vector<TarEntry> listing;
  std::vector<SampleCheck> samples;
  // {"ok": bool, "error": ..., "entries": N, "samples": [{path, size, ok,
  // sha256, note}]}
  Value ToValue() const;
};

// Indexes into `entries` of up to n regular files, chosen deterministically:
// non-empty files preferred, spread evenly over the listing (first, middle,
// last for n = 3).
std::vector<size_t> ChooseSample(const std::vector<TarEntry>& entries, int n);

// Verifies `archive` (a .tar.zst on the target). A damaged archive or a
// mismatching sample is an ok Result whose report says ok=false and why;
// an error Result means the check itself could not run (the connection
// failed, mktemp failed). Removes its temporary directory in every case.
Result<VerifyReport> VerifyArchive(Connection* conn, const Privilege& priv,
                                   const std::string& archive,
                                   const VerifyOptions& opts);

}  // namespace tend::automate::backup

#endif  // TEND_AUTOMATE_BACKUP_VERIFY_H_
